//! The `States.*` intrinsic functions (reference §3).
//!
//! [`Intrinsic::parse`] reads a call such as `States.Format('{} {}', $.a, States.UUID())`;
//! [`Intrinsic::evaluate`] runs it over a [`Scope`], drawing any randomness from the caller's
//! [`Rng`]. Every failure is `States.IntrinsicFailure`, with a cause that says what went wrong.

mod args;
mod ast;
mod functions;
mod java_text;
mod parser;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod recorded_tests;
#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::error::Failure;
use crate::path::ParseError;
use crate::rand::Rng;
use crate::scope::Scope;

pub use ast::Function;
use ast::{Arg, Call};

/// A parsed intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    text: String,
    call: Call,
}

impl Intrinsic {
    /// Parses a call. Unknown function names, malformed arguments and nesting deeper than 10
    /// calls are errors; argument counts and types are checked when the call runs, as AWS
    /// does.
    pub fn parse(text: &str) -> Result<Intrinsic, ParseError> {
        let call = parser::parse_call_text(text)?;
        Ok(Intrinsic {
            text: text.to_string(),
            call,
        })
    }

    /// Whether `text` looks like an intrinsic call (a `States.` name) rather than a path or a
    /// literal; it may still fail to parse.
    pub fn looks_like_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The outermost function.
    pub fn function(&self) -> Function {
        self.call.function
    }

    /// Runs the call.
    pub fn evaluate(&self, scope: &Scope<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        evaluate_call(&self.call, scope, rng)
    }
}

impl std::fmt::Display for Intrinsic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Arguments first, left to right, then the function. Recursion is bounded by the parser's
/// nesting limit.
fn evaluate_call(call: &Call, scope: &Scope<'_>, rng: &mut Rng) -> Result<Value, Failure> {
    let mut values = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        values.push(evaluate_arg(call, arg, scope, rng)?);
    }
    functions::apply(call, &values, rng)
}

fn evaluate_arg(
    call: &Call,
    arg: &Arg,
    scope: &Scope<'_>,
    rng: &mut Rng,
) -> Result<Value, Failure> {
    match arg {
        Arg::String(literal) => {
            if literal.open_escape {
                return Err(Failure::intrinsic(format!(
                    "{}: the string '{}' contains a backslash that escapes none of ' {{ }} \\",
                    call.function.name(),
                    literal.raw
                )));
            }
            Ok(Value::String(literal.value.clone()))
        }
        Arg::Number(n) => Ok(Value::Number(n.clone())),
        Arg::Bool(b) => Ok(Value::Bool(*b)),
        Arg::Null => Ok(Value::Null),
        Arg::Path(path) => path.evaluate(scope).map_err(|_| {
            Failure::intrinsic(format!(
                "The JSONPath '{}' given to {} could not be found in the input '{}'",
                path.as_str(),
                call.function.name(),
                scope.input
            ))
        }),
        Arg::Call(inner) => evaluate_call(inner, scope, rng),
    }
}
