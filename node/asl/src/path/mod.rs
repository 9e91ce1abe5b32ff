//! Step Functions JSONPath: Paths and Reference Paths (reference §2.4).
//!
//! AWS evaluates paths with Jayway JsonPath, and its runtime causes quote Jayway's messages, so
//! this module follows Jayway's syntax and reading rules:
//! - [`Path::parse`] accepts the full Path dialect (dot and bracket children, quoted names, `*`,
//!   `..`, slices, unions, negative indexes, filters, trailing functions such as `length()`)
//!   rooted at `$` (input), `$$` (context object) or `$name` (a variable).
//! - [`Path::parse_reference`] accepts only Reference Paths, which name a single node.
//! - A definite path reads its node or fails with Jayway's explanation ([`NotFound`]); an
//!   indefinite one gathers its matches into an array, possibly empty.
//! - [`Path::resolve_for_field`] and [`Path::resolve_for_path_field`] turn a failure into the
//!   `States.Runtime` causes AWS reports; [`Path::assign`] is the `ResultPath` write.

mod assign;
mod ast;
pub(crate) mod cursor;
mod evaluate;
mod filter;
mod java;
mod literal;
mod parser;
mod predicate;

#[cfg(test)]
pub(crate) mod proptests;
#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::error::Failure;
use crate::scope::Scope;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the document being processed (state input, result, …).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a state machine variable.
    Variable(String),
}

/// A syntax error in a path, with the byte offset where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

/// Why a value could not be written at a reference path (`ResultPath`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AssignError {
    /// AWS's wording: `Unable to apply ReferencePath $.x to input "text"`.
    pub message: String,
}

impl AssignError {
    /// The failure a state fails with. AWS documents `States.ResultPathMatchFailure` for this,
    /// but the service (and Step Functions Local) report `States.ReferencePathConflict` with the
    /// cause `Unable to apply ReferencePath $.x to input "text"`, so that is what is used.
    pub fn to_failure(&self) -> Failure {
        Failure::new(REFERENCE_PATH_CONFLICT, self.message.clone())
    }
}

/// A definite path that selects nothing, with Jayway's explanation (`No results for path:
/// $['a']`, `Missing property in path $['a']`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotFound {
    pub message: String,
}

/// The error name AWS reports when a `ResultPath` cannot be applied (see [`AssignError`]).
pub const REFERENCE_PATH_CONFLICT: &str = "States.ReferencePathConflict";

/// The cause AWS gives when a path is applied to a null input (seen for payload templates).
pub const NULL_INPUT_CAUSE: &str = "Unable to apply Path transformation to null or empty input.";

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    root: Root,
    steps: Vec<ast::Step>,
}

impl Path {
    /// Parses any Path.
    pub fn parse(text: &str) -> Result<Path, ParseError> {
        let (root, steps) = parser::parse_path(text)?;
        Ok(Path {
            text: text.to_string(),
            root,
            steps,
        })
    }

    /// Parses a Reference Path: one that names a single node, so no `*`, `..`, unions, slices,
    /// filters or functions.
    pub fn parse_reference(text: &str) -> Result<Path, ParseError> {
        let path = Self::parse(text)?;
        match parser::reference_problem(&path.steps) {
            Some(message) => Err(ParseError { message, offset: 0 }),
            None => Ok(path),
        }
    }

    /// The path as written in the definition.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True when the path selects at most one node (no wildcard, deep scan, slice, union or
    /// filter before its end). An indefinite path gathers its matches into an array.
    pub fn is_definite(&self) -> bool {
        evaluate::is_definite(&self.steps)
    }

    /// True for `$` alone (and `$$` alone): the whole document.
    pub fn is_root_only(&self) -> bool {
        self.steps.is_empty()
    }

    /// The document the root names in `scope`; `None` for an unknown variable.
    pub fn document<'s>(&self, scope: &Scope<'s>) -> Option<&'s Value> {
        match &self.root {
            Root::Input => Some(scope.input),
            Root::Context => Some(scope.context),
            Root::Variable(name) => scope.variables.lookup(name),
        }
    }

    /// Evaluates the path with Jayway's rules: a definite path yields its node or [`NotFound`];
    /// an indefinite one yields the array of its matches.
    pub fn evaluate(&self, scope: &Scope<'_>) -> Result<Value, NotFound> {
        let Some(document) = self.document(scope) else {
            return Err(NotFound {
                message: format!("No results for path: {}", self.text),
            });
        };
        self.read(document)
    }

    /// Like [`Path::evaluate`], over `document` whatever the root says.
    pub fn read(&self, document: &Value) -> Result<Value, NotFound> {
        evaluate::read(&self.steps, document, document).map_err(|message| NotFound { message })
    }

    /// Evaluates the path against the document its root names in `scope`. `None` when a
    /// definite path does not resolve (or the variable is unknown).
    pub fn resolve(&self, scope: &Scope<'_>) -> Option<Value> {
        self.evaluate(scope).ok()
    }

    /// Applies the path's steps to `document`, ignoring the root.
    pub fn select(&self, document: &Value) -> Option<Value> {
        self.read(document).ok()
    }

    /// Evaluates a path given in a `…Path` field (`InputPath`, `OutputPath`, `ItemsPath`,
    /// `TimeoutSecondsPath`, …), failing with `States.Runtime` and AWS's cause, e.g.
    /// `Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']`
    /// (recorded in scenarios/test_invalid_jsonpath).
    pub fn resolve_for_path_field(&self, scope: &Scope<'_>) -> Result<Value, Failure> {
        if self.root == Root::Input && scope.input.is_null() && !self.steps.is_empty() {
            return Err(Failure::runtime(NULL_INPUT_CAUSE));
        }
        self.evaluate(scope)
            .map_err(|e| Failure::runtime(format!("Invalid path '{}' : {}", self.text, e.message)))
    }

    /// Evaluates a path given as the value of `field` (`"key.$"` in a payload template,
    /// `ErrorPath`, `CausePath`), failing with `States.Runtime` and AWS's cause, e.g. `The
    /// JSONPath '$.x' specified for the field 'value.$' could not be found in the input
    /// '{"a":1}'` (recorded in scenarios/test_invalid_jsonpath). The input shown is the state's
    /// `$` document, in compact JSON.
    pub fn resolve_for_field(&self, scope: &Scope<'_>, field: &str) -> Result<Value, Failure> {
        if self.root == Root::Input && scope.input.is_null() {
            return Err(Failure::runtime(NULL_INPUT_CAUSE));
        }
        self.evaluate(scope).map_err(|_| {
            Failure::runtime(format!(
                "The JSONPath '{}' specified for the field '{}' could not be found in the input \
                 '{}'",
                self.text, field, scope.input
            ))
        })
    }

    /// Writes `value` at this (definite, `$`-rooted) path inside `target`, creating missing
    /// intermediate objects: the `ResultPath` operation. `$` replaces everything. On failure
    /// `target` is unchanged.
    pub fn assign(&self, target: &mut Value, value: Value) -> Result<(), AssignError> {
        if self.root == Root::Input && assign::assign(&self.steps, target, value) {
            return Ok(());
        }
        Err(AssignError {
            message: format!(
                "Unable to apply ReferencePath {} to input {}",
                self.text, target
            ),
        })
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
