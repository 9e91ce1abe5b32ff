//! A JSONata 2.0.6 evaluator with the functions Step Functions adds (reference §4).
//!
//! [`Expression::parse`] compiles the text between `{%` and `%}`; [`Expression::evaluate`]
//! runs it against an optional input with variables and the clock and random source of an
//! [`Environment`]. `Ok(None)` means the expression produced nothing (JSONata's `undefined`).
//! Errors carry JSONata's own codes and message texts, which Step Functions reports verbatim.
//!
//! The whole language is supported: paths with sequence flattening and predicates, `*`, `**`,
//! `%`, context (`@$v`) and position (`#$i`) bindings, constructors and grouping, order-by,
//! `~>`, blocks and `:=`, lambdas and closures with signatures, partial application,
//! conditionals, ranges, regular expressions (the `regex` module lists the JavaScript features the
//! `regex` crate cannot express), transforms, and every built-in function except `$eval`
//! (which Step Functions removes; calling it fails like any undefined function). Step
//! Functions' additions are `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid` and
//! `$parse`.
//!
//! The `??` and `?:` operators are not part of JSONata 2.0.6 (they came with 2.1) and are
//! syntax errors here, as on Step Functions.
//!
//! Deliberate differences from the JavaScript implementation:
//! - object members keep insertion order (JavaScript lists integer-like keys first);
//! - strings are Unicode scalar values: a lone surrogate from a `\uD800` escape becomes
//!   U+FFFD, `$split(s, "")` and regex `.` work on characters, not UTF-16 code units;
//! - a number that is not finite cannot be a result (`D1001`; JavaScript would write `null`),
//!   and a function as a result counts as nothing;
//! - where JavaScript evaluates array items concurrently and reports whichever error comes
//!   first, this evaluator goes left to right;
//! - evaluation is bounded by [`Limits`] (depth, work and native stack) and fails with
//!   `U1001` where JavaScript would run until the host gives up or its stack overflows;
//!   non-tail recursion reaches about 400 levels within the default stack budget;
//! - the errors of the Step Functions additions (`D3150`–`D3153`) and of regular expression
//!   syntax the `regex` crate lacks (`S0303`) use this implementation's own codes.

mod ast;
mod errors;
mod evaluate;
mod frame;
mod function;
mod functions;
mod json;
mod lexer;
mod lower;
mod number_format;
mod parser;
mod references;
mod regex;
mod signature;
mod stack;
mod stringify;
mod syntax;
mod teardown;
mod value;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde_json::Value as Json;

use crate::rand::Rng;
use crate::scope::VariableLookup;
use crate::time::Timestamp;

pub use errors::Error;
pub use evaluate::Limits;

/// What an expression can see besides its input.
pub struct Environment<'a> {
    /// Variables bound from outside (`$name`), including `$states` in Step Functions.
    pub variables: &'a dyn VariableLookup,
    /// The time `$now()` and `$millis()` report (the same for the whole evaluation).
    pub now: Timestamp,
    /// Source of `$random()`, `$uuid()` and `$shuffle()`.
    pub rng: &'a mut Rng,
}

impl std::fmt::Debug for Environment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("now", &self.now)
            .finish()
    }
}

/// A compiled JSONata expression. Cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
    root: Arc<ast::Node>,
}

impl Expression {
    /// Compiles an expression. Syntax errors carry JSONata's `S0xxx` codes.
    pub fn parse(source: &str) -> Result<Expression, Error> {
        let raw = parser::parse(source).map_err(|e| e.into_error())?;
        let root = lower::lower(raw).map_err(|e| e.into_error())?;
        Ok(Expression {
            source: source.to_string(),
            root: Arc::new(root),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression with the default [`Limits`].
    pub fn evaluate(
        &self,
        input: Option<&Json>,
        env: &mut Environment<'_>,
    ) -> Result<Option<Json>, Error> {
        self.evaluate_with_limits(input, env, Limits::default())
    }

    /// Evaluates the expression; `input` is the context (`$`), `None` for none at all.
    pub fn evaluate_with_limits(
        &self,
        input: Option<&Json>,
        env: &mut Environment<'_>,
        limits: Limits,
    ) -> Result<Option<Json>, Error> {
        let _stack = stack::enter(limits.stack_budget_bytes);
        let input = match input {
            Some(json) => json::from_json(json).map_err(|e| e.into_error())?,
            None => value::Value::Undefined,
        };
        let mut evaluator = evaluate::Evaluator::new(env, limits);
        let result = evaluator
            .run(&self.root, input)
            .map_err(|e| e.into_error())?;
        let json = json::to_json(&result).map_err(|e| e.into_error());
        drop(result);
        drop(evaluator);
        json
    }

    /// The `$name` variables the expression reads without binding them itself, in order of
    /// first appearance. Built-in function names, `$` and `$$` are not included.
    pub fn variable_references(&self) -> Vec<String> {
        references::free_variables(&self.root)
    }
}
