//! Failures grouped the way the report counts them: by operation, gRPC code and the AWS error
//! name the server put in the `cairn-error` metadata entry.

use std::fmt;

use serde::Serialize;

/// The metadata entry in which a Cairn server names the AWS error of a failed call.
pub const ERROR_NAME_METADATA: &str = "cairn-error";

/// One kind of failure. Two failures of the same kind are counted together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ErrorKind {
    /// The RPC that failed (`StartExecution`, `WatchExecution`, …), or `Execution` when an
    /// execution itself ended in a status other than SUCCEEDED.
    pub operation: &'static str,
    /// The gRPC status code (`Unavailable`, `NotFound`, …); `None` for executions that ended
    /// unsuccessfully, which are not call failures.
    pub code: Option<String>,
    /// The AWS error name: the `cairn-error` metadata of a failed call, or the terminal
    /// status of an execution (`ExecutionFailed`, `ExecutionTimedOut`, …).
    pub name: Option<String>,
}

impl ErrorKind {
    /// A failed call, named from its status.
    pub fn from_status(operation: &'static str, status: &tonic::Status) -> ErrorKind {
        let name = status
            .metadata()
            .get(ERROR_NAME_METADATA)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        ErrorKind {
            operation,
            code: Some(code_name(status.code()).to_owned()),
            name,
        }
    }

    /// A call that got no answer within the tool's own deadline (the server may never have
    /// seen it, so no error name).
    pub fn local_timeout(operation: &'static str) -> ErrorKind {
        ErrorKind {
            operation,
            code: Some(code_name(tonic::Code::DeadlineExceeded).to_owned()),
            name: None,
        }
    }

    /// An execution that ended with `terminal` (`ExecutionFailed`, `ExecutionAborted`, …).
    pub fn execution_ended(terminal: &str) -> ErrorKind {
        ErrorKind {
            operation: "Execution",
            code: None,
            name: Some(terminal.to_owned()),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.operation)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}

/// The code's name as gRPC spells it in its documentation (`Unavailable`, `NotFound`).
fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "Ok",
        Code::Cancelled => "Cancelled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

/// Whether a later call may succeed where this one failed (node restarting, leader moving).
pub fn is_transient(status: &tonic::Status) -> bool {
    status.metadata().get(ERROR_NAME_METADATA).is_none()
        && matches!(
            status.code(),
            tonic::Code::Unavailable
                | tonic::Code::Unknown
                | tonic::Code::Aborted
                | tonic::Code::ResourceExhausted
                | tonic::Code::DeadlineExceeded
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_is_named_by_code_and_cairn_error_metadata() {
        let mut status = tonic::Status::not_found("no such machine");
        status.metadata_mut().insert(
            ERROR_NAME_METADATA,
            "StateMachineDoesNotExist".parse().unwrap(),
        );
        let kind = ErrorKind::from_status("StartExecution", &status);
        assert_eq!(kind.code.as_deref(), Some("NotFound"));
        assert_eq!(kind.name.as_deref(), Some("StateMachineDoesNotExist"));
        assert_eq!(
            kind.to_string(),
            "StartExecution NotFound StateMachineDoesNotExist"
        );
        assert!(!is_transient(&status));
    }

    #[test]
    fn a_transport_failure_has_a_code_but_no_name() {
        let status = tonic::Status::unavailable("connection refused");
        let kind = ErrorKind::from_status("StartExecution", &status);
        assert_eq!(kind.to_string(), "StartExecution Unavailable");
        assert!(is_transient(&status));
    }
}
