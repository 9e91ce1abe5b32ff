//! State machine definitions: the typed [`model`], the parser that builds it from JSON text,
//! and the validator that reports every problem with a JSON pointer.
//!
//! ```
//! use asl::definition::{Definition, ParseOptions};
//! let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
//! let definition = Definition::parse(text, &ParseOptions::default()).unwrap();
//! assert_eq!(definition.machine.root().start_at, "A");
//! ```

mod diagnostic;
mod json;
pub mod model;
mod parse;

pub use diagnostic::{Code, Diagnostic, Severity, pointer_join};
pub use json::parse_strict as parse_json_strict;
pub use model::*;

/// Service limits that apply to definitions (reference §8.1).
pub mod limits {
    /// Definition size in characters (hard limit).
    pub const DEFINITION_CHARS_MAX: usize = 1_048_576;
    /// State, state machine, execution and activity names.
    pub const NAME_CHARS_MAX: usize = 80;
    /// A Distributed Map `Label`.
    pub const LABEL_CHARS_MAX: usize = 40;
    /// Variable names in `Assign`.
    pub const VARIABLE_NAME_CHARS_MAX: usize = 80;
}

/// How a definition is checked.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// EXPRESS machines reject `.sync`, `.waitForTaskToken` and activities.
    pub machine_type: MachineType,
}

/// A parsed definition together with the warnings found while checking it.
#[derive(Debug, Clone)]
pub struct Definition {
    pub machine: StateMachine,
    pub warnings: Vec<Diagnostic>,
}

impl Definition {
    /// Parses and checks definition text. On failure, returns every problem found (errors
    /// first, then warnings), each with a JSON pointer.
    pub fn parse(text: &str, options: &ParseOptions) -> Result<Definition, Vec<Diagnostic>> {
        parse::parse_text(text, options)
    }

    /// Parses an already-decoded definition (duplicate keys can no longer be detected).
    pub fn from_value(
        value: &serde_json::Value,
        options: &ParseOptions,
    ) -> Result<Definition, Vec<Diagnostic>> {
        parse::parse_value(value, options)
    }
}

/// Every diagnostic for `text`, errors and warnings alike, in document order of discovery.
pub fn validate(text: &str, options: &ParseOptions) -> Vec<Diagnostic> {
    match Definition::parse(text, options) {
        Ok(definition) => definition.warnings,
        Err(diagnostics) => diagnostics,
    }
}
