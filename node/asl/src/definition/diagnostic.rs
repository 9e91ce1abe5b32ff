//! Problems found in a definition: each with a severity, a stable code, a JSON pointer into the
//! definition and a message that says how to fix it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable diagnostic codes. Tools may match on them; the message text may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// The text is not JSON, has duplicate keys, or is not an object.
    InvalidJson,
    /// A required field is absent.
    MissingField,
    /// A field this state type or query language does not support.
    UnknownField,
    /// A field has the wrong JSON type.
    InvalidType,
    /// A field has the right type but a value outside what is allowed.
    InvalidValue,
    /// Two fields that exclude each other are both present (`Seconds` and `SecondsPath`, …).
    ConflictingFields,
    /// `Next`, `Default`, `StartAt` or a catcher's `Next` names no state of the same scope.
    MissingTransitionTarget,
    /// A state name is used twice in the machine.
    DuplicateStateName,
    /// A state, label or variable name breaks the naming rules.
    InvalidName,
    /// A JSONPath (path or reference path) does not parse or is not allowed here.
    InvalidJsonPath,
    /// An intrinsic function call does not parse.
    InvalidIntrinsic,
    /// A JSONata expression does not parse.
    InvalidJsonata,
    /// A field that the state's query language does not allow.
    QueryLanguageMismatch,
    /// `States.ALL` not alone or not in the last retrier/catcher; unknown `States.` name.
    InvalidErrorName,
    /// A feature that EXPRESS state machines do not support.
    UnsupportedForExpress,
    /// The definition exceeds a service limit (size, name length, …).
    LimitExceeded,
    /// No state can ever end the execution.
    NoTerminalState,
    /// A variable assignment that the scoping rules forbid.
    InvalidVariableScope,
    /// Warning: no path from `StartAt` reaches this state.
    UnreachableState,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJson => "INVALID_JSON",
            Code::MissingField => "MISSING_FIELD",
            Code::UnknownField => "UNKNOWN_FIELD",
            Code::InvalidType => "INVALID_TYPE",
            Code::InvalidValue => "INVALID_VALUE",
            Code::ConflictingFields => "CONFLICTING_FIELDS",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidName => "INVALID_NAME",
            Code::InvalidJsonPath => "INVALID_JSONPATH",
            Code::InvalidIntrinsic => "INVALID_INTRINSIC",
            Code::InvalidJsonata => "INVALID_JSONATA",
            Code::QueryLanguageMismatch => "QUERY_LANGUAGE_MISMATCH",
            Code::InvalidErrorName => "INVALID_ERROR_NAME",
            Code::UnsupportedForExpress => "UNSUPPORTED_FOR_EXPRESS",
            Code::LimitExceeded => "LIMIT_EXCEEDED",
            Code::NoTerminalState => "NO_TERMINAL_STATE",
            Code::InvalidVariableScope => "INVALID_VARIABLE_SCOPE",
            Code::UnreachableState => "UNREACHABLE_STATE",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// JSON pointer (RFC 6901) of the offending value, `""` for the whole document.
    pub pointer: String,
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    pub fn warning(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{severity}[{}] at {at}: {}", self.code, self.message)
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer_join(base: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer_join("/States", "a/b~c"), "/States/a~1b~0c");
        assert_eq!(pointer_join("", "States"), "/States");
    }

    #[test]
    fn display_names_code_pointer_and_message() {
        let d = Diagnostic::error(Code::MissingField, "/States/A", "add \"Type\"");
        assert_eq!(
            d.to_string(),
            "error[MISSING_FIELD] at /States/A: add \"Type\""
        );
    }
}
