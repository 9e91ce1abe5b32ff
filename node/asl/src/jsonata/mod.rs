//! A JSONata 2.0 evaluator with the functions Step Functions adds (reference §4).
//!
//! API contract (implementation in progress): `Expression::parse` compiles the text between
//! `{%` and `%}`; `evaluate` runs it against an optional input with variables from an
//! [`Environment`]. `Ok(None)` means the expression produced nothing (JSONata's `undefined`).

use serde_json::Value;

use crate::rand::Rng;
use crate::scope::VariableLookup;
use crate::time::Timestamp;

/// A JSONata error: the upstream error code (`T1006`, `S0201`, `D3001`, …), its message and,
/// for syntax errors, the character position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: &'static str,
    pub message: String,
    pub position: Option<usize>,
}

/// What an expression can see besides its input.
pub struct Environment<'a> {
    /// Variables bound from outside (`$name`), including `$states` in Step Functions.
    pub variables: &'a dyn VariableLookup,
    /// The time `$now()` and `$millis()` report (the same for the whole evaluation).
    pub now: Timestamp,
    /// Source of `$random()`, `$uuid()` and friends.
    pub rng: &'a mut Rng,
}

impl std::fmt::Debug for Environment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment").field("now", &self.now).finish()
    }
}

/// A compiled JSONata expression.
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
}

impl Expression {
    pub fn parse(source: &str) -> Result<Expression, Error> {
        Err(Error { code: "S0000", message: format!("not implemented: {source}"), position: None })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn evaluate(
        &self,
        input: Option<&Value>,
        env: &mut Environment<'_>,
    ) -> Result<Option<Value>, Error> {
        let _ = (input, env);
        Err(Error { code: "S0000", message: "not implemented".into(), position: None })
    }
}
