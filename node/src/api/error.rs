//! The one place where errors become gRPC statuses. Every status carries the AWS error name in
//! the `cairn-error` metadata entry, so clients can match on it as they would on AWS.

use tonic::{Code, Status};

use crate::shard::Error;

pub const ERROR_NAME_METADATA: &str = "cairn-error";

/// A status with an AWS error name.
pub fn status(code: Code, name: &'static str, message: impl Into<String>) -> Status {
    let mut status = Status::new(code, message.into());
    status.metadata_mut().insert(
        ERROR_NAME_METADATA,
        tonic::metadata::MetadataValue::from_static(name),
    );
    status
}

impl From<Error> for Status {
    fn from(error: Error) -> Status {
        let message = error.to_string();
        let (code, name) = match &error {
            Error::ExecutionDoesNotExist(_) => (Code::NotFound, "ExecutionDoesNotExist"),
            Error::ExecutionAlreadyExists(_) => (Code::AlreadyExists, "ExecutionAlreadyExists"),
            Error::ExecutionFinished => (Code::FailedPrecondition, "ValidationException"),
            Error::InvalidDefinition(_) => (Code::InvalidArgument, "InvalidDefinition"),
            Error::TaskDoesNotExist(_) => (Code::NotFound, "TaskDoesNotExist"),
            Error::TaskAlreadyStarted(_) => (Code::FailedPrecondition, "TaskDoesNotExist"),
            Error::Conflict(_) => (Code::Aborted, "ConflictException"),
            Error::NotLeader { .. } => (Code::Unavailable, "NotLeader"),
            Error::NotReady(_) => (Code::Unavailable, "ServiceUnavailable"),
            Error::ShuttingDown => (Code::Unavailable, "ServiceUnavailable"),
            Error::ShardStopped { .. } => (Code::Unavailable, "ServiceUnavailable"),
            Error::Unreachable { .. } => (Code::Unavailable, "ServiceUnavailable"),
            Error::Storage(_) => (Code::Internal, "InternalFailure"),
            Error::StateMachineDoesNotExist(_) => (Code::NotFound, "StateMachineDoesNotExist"),
            Error::StateMachineDeleting(_) => (Code::FailedPrecondition, "StateMachineDeleting"),
            Error::ActivityDoesNotExist(_) => (Code::NotFound, "ActivityDoesNotExist"),
            Error::InvalidArn(_) => (Code::InvalidArgument, "InvalidArn"),
            Error::InvalidName(_) => (Code::InvalidArgument, "InvalidName"),
            Error::InvalidExecutionInput(_) => (Code::InvalidArgument, "InvalidExecutionInput"),
        };
        let mut status = status(code, name, message);
        if let Error::NotLeader {
            leader_hint: Some(node),
            ..
        } = error
            && let Ok(value) = node.to_string().parse()
        {
            status.metadata_mut().insert("cairn-leader-hint", value);
        }
        status
    }
}

impl From<crate::express::Error> for Status {
    fn from(error: crate::express::Error) -> Status {
        use crate::express::Error as E;
        let message = error.to_string();
        let (code, name) = match error {
            E::Start(error) => return error.into(),
            E::StandardMachine(_) | E::ExpressMachine(_) => {
                (Code::FailedPrecondition, "StateMachineTypeNotSupported")
            }
            E::ExpressExecutionArn(_) => (Code::InvalidArgument, "InvalidArn"),
            E::Throttled { .. } => (Code::ResourceExhausted, "ThrottlingException"),
            E::InvalidDefinition { .. } => (Code::InvalidArgument, "InvalidDefinition"),
            E::Journal(_) => (Code::Unavailable, "ServiceUnavailable"),
            E::ShuttingDown => (Code::Unavailable, "ServiceUnavailable"),
        };
        status(code, name, message)
    }
}
