//! Workflow errors: the `Error`/`Cause` pairs that Retry and Catch match on.
//!
//! These are data, not Rust errors. A state that fails produces a [`Failure`]; the interpreter
//! looks for a retrier or catcher whose `ErrorEquals` names it and otherwise fails the execution.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The predefined error names of the States Language (reference §5.1).
pub mod names {
    /// Wildcard that matches any error name except `States.Runtime`.
    pub const ALL: &str = "States.ALL";
    pub const TIMEOUT: &str = "States.Timeout";
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// As a matcher, any error except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    pub const PERMISSIONS: &str = "States.Permissions";
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub const RUNTIME: &str = "States.Runtime";
    pub const HTTP_SOCKET: &str = "States.Http.Socket";

    /// Every name above; a custom error name must not start with `States.` unless it is one of these.
    pub const PREDEFINED: &[&str] = &[
        ALL,
        TIMEOUT,
        HEARTBEAT_TIMEOUT,
        TASK_FAILED,
        PERMISSIONS,
        RESULT_PATH_MATCH_FAILURE,
        PARAMETER_PATH_FAILURE,
        INTRINSIC_FAILURE,
        QUERY_EVALUATION_ERROR,
        BRANCH_FAILED,
        NO_CHOICE_MATCHED,
        EXCEED_TOLERATED_FAILURE_THRESHOLD,
        ITEM_READER_FAILED,
        RESULT_WRITER_FAILED,
        DATA_LIMIT_EXCEEDED,
        RUNTIME,
        HTTP_SOCKET,
    ];
}

/// A workflow error: an error name and an optional cause, as a state or task reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub error: String,
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    /// A failure with an error name and no cause.
    pub fn bare(error: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: None,
        }
    }

    pub fn runtime(cause: impl Into<String>) -> Self {
        Failure::new(names::RUNTIME, cause)
    }

    pub fn parameter_path(cause: impl Into<String>) -> Self {
        Failure::new(names::PARAMETER_PATH_FAILURE, cause)
    }

    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Failure::new(names::INTRINSIC_FAILURE, cause)
    }

    pub fn query_evaluation(cause: impl Into<String>) -> Self {
        Failure::new(names::QUERY_EVALUATION_ERROR, cause)
    }

    pub fn result_path(cause: impl Into<String>) -> Self {
        Failure::new(names::RESULT_PATH_MATCH_FAILURE, cause)
    }

    /// The Error Output object a catcher receives: `{"Error": …, "Cause": …}`, with `null`
    /// for what was not reported (an empty error name means none, as a Fail state without
    /// `Error` produces).
    pub fn to_error_output(&self) -> Value {
        let mut object = Map::new();
        let error = (!self.error.is_empty()).then(|| Value::String(self.error.clone()));
        object.insert("Error".into(), error.unwrap_or(Value::Null));
        let cause = self.cause.clone().map(Value::String);
        object.insert("Cause".into(), cause.unwrap_or(Value::Null));
        Value::Object(object)
    }

    /// Errors that no retrier or catcher handles: the execution fails. (AWS documents
    /// `States.DataLimitExceeded` as terminal too, but its recordings show a task result over
    /// the limit caught by `States.ALL`, so only `States.Runtime` is.)
    pub fn is_terminal(&self) -> bool {
        self.error == names::RUNTIME
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => f.write_str(&self.error),
        }
    }
}
