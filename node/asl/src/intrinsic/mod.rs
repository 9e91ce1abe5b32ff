//! The `States.*` intrinsic functions (reference §3).
//!
//! API contract (implementation in progress): `Intrinsic::parse` reads a call such as
//! `States.Format('{} {}', $.a, States.UUID())`; `evaluate` runs it over a [`Scope`], drawing
//! any randomness from the caller's [`Rng`]. Every failure is `States.IntrinsicFailure`.

use serde_json::Value;

use crate::error::Failure;
use crate::path::ParseError;
use crate::rand::Rng;
use crate::scope::Scope;

/// A parsed intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    text: String,
}

impl Intrinsic {
    pub fn parse(text: &str) -> Result<Intrinsic, ParseError> {
        Err(ParseError { message: format!("intrinsics are not implemented yet: {text}"), offset: 0 })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn evaluate(&self, scope: &Scope<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        let _ = (scope, rng);
        Err(Failure::intrinsic("not implemented"))
    }
}
