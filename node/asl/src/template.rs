//! Payload templates (reference §2.2): JSON objects whose keys ending in `.$` take their value
//! from a path, a context path, a variable or an intrinsic function.

use serde_json::Value;

use crate::error::Failure;
use crate::intrinsic::Intrinsic;
use crate::path::Path;
use crate::rand::Rng;
use crate::scope::Scope;

/// A problem found while compiling a template, at a JSON pointer relative to the template root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub pointer: String,
    pub message: String,
}

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A value copied as it is.
    Literal(Value),
    /// An object; each field keeps its output name (the `.$` suffix removed).
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// `"key.$": "$.path"`, `"$$.context"` or `"$variable"`; the text is kept for messages.
    Path { field: String, path: Path },
    /// `"key.$": "States.Format(…)"`.
    Intrinsic { field: String, call: Intrinsic },
}

impl Template {
    pub fn compile(value: &Value) -> Result<Template, Vec<CompileError>> {
        Ok(Template::Literal(value.clone()))
    }

    pub fn evaluate(&self, scope: &Scope<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        let _ = (scope, rng);
        match self {
            Template::Literal(v) => Ok(v.clone()),
            _ => Err(Failure::runtime("templates are not implemented yet")),
        }
    }
}
