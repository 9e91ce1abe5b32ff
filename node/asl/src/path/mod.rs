//! Step Functions JSONPath: Paths and Reference Paths (reference §2.4).
//!
//! API contract (implementation in progress):
//! - `Path::parse` accepts the full Path dialect (Jayway JsonPath: child, wildcard, deep scan,
//!   slices, unions, negative indexes, filters) rooted at `$` (input), `$$` (context object) or
//!   `$name` (a variable, optionally followed by steps).
//! - `Path::parse_reference` accepts only Reference Paths (a single node, no filters, unions,
//!   slices or wildcards).

use serde_json::Value;

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
    pub message: String,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    root: Root,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, ParseError> {
        Err(ParseError { message: format!("paths are not implemented yet: {text}"), offset: 0 })
    }

    pub fn parse_reference(text: &str) -> Result<Path, ParseError> {
        Self::parse(text)
    }

    /// The path as written in the definition.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True when the path can select at most one node (no wildcard, deep scan, slice, union or
    /// filter). An indefinite path gathers its matches into an array.
    pub fn is_definite(&self) -> bool {
        true
    }

    /// Evaluates the path against the document its root names in `scope`. `None` when a
    /// definite path does not resolve (or the variable is unknown).
    pub fn resolve(&self, scope: &Scope<'_>) -> Option<Value> {
        let _ = scope;
        None
    }

    /// Applies the path's steps to `document`, ignoring the root.
    pub fn select(&self, document: &Value) -> Option<Value> {
        let _ = document;
        None
    }

    /// Writes `value` at this (definite, `$`-rooted) path inside `target`, creating missing
    /// intermediate objects: the `ResultPath` operation.
    pub fn assign(&self, target: &mut Value, value: Value) -> Result<(), AssignError> {
        let _ = (target, value);
        Err(AssignError { message: "not implemented".into() })
    }
}
