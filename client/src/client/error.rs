//! What can go wrong when talking to a Cairn server.

use std::time::Duration;

/// The metadata entry in which the server names the AWS error of a failed call.
pub const ERROR_NAME_METADATA: &str = "cairn-error";

/// A failed client call.
///
/// Errors the server reports arrive as [`Error::Status`] with the AWS error name
/// (`ExecutionDoesNotExist`, `InvalidDefinition`, `InvalidToken`, …), so code written against
/// the Step Functions API can match on the same names:
///
/// ```
/// # fn check(error: cairn_client::Error) {
/// if error.is("ExecutionDoesNotExist") {
///     // start it instead
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint is not a URL the client can dial (expected `http://HOST:PORT`).
    #[error("{endpoint:?} is not a valid endpoint (expected http://HOST:PORT)")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    /// `GetActivityTask` would be cut off before the server answers.
    #[error(
        "the long-poll timeout {long_poll_timeout:?} is shorter than the {minimum:?} a GetActivityTask poll may take"
    )]
    LongPollTimeoutTooShort {
        /// The configured [`ClientOptions::long_poll_timeout`](crate::ClientOptions::long_poll_timeout).
        long_poll_timeout: Duration,
        /// [`ClientOptions::LONG_POLL_TIMEOUT_MIN`](crate::ClientOptions::LONG_POLL_TIMEOUT_MIN).
        minimum: Duration,
    },
    /// No connection could be opened.
    #[error("cannot connect to {endpoint}")]
    Connect {
        /// The endpoint dialled.
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    /// The server (or the transport under it) answered with an error status.
    #[error("{}", describe_status(name.as_deref(), *code, message))]
    Status {
        /// The AWS error name from the `cairn-error` metadata entry; `None` when the status
        /// did not come from Cairn's API layer (a proxy, the transport, an older server).
        name: Option<String>,
        /// The gRPC status code (NotFound, InvalidArgument, FailedPrecondition, …).
        code: tonic::Code,
        /// What went wrong and how to fix it, as the server put it.
        message: String,
    },
    /// No answer arrived within the call's deadline.
    #[error("{operation} got no answer within {timeout:?}")]
    Timeout {
        /// The API operation (`DescribeExecution`, `GetActivityTask`, …).
        operation: &'static str,
        /// The deadline that passed.
        timeout: Duration,
    },
}

fn describe_status(name: Option<&str>, code: tonic::Code, message: &str) -> String {
    match name {
        Some(name) => format!("{name}: {message}"),
        None => format!("gRPC status {code:?}: {message}"),
    }
}

impl Error {
    /// The AWS error name the server gave, if any.
    pub fn name(&self) -> Option<&str> {
        match self {
            Error::Status { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    /// The gRPC status code, for errors the server (or transport) reported.
    pub fn code(&self) -> Option<tonic::Code> {
        match self {
            Error::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the server reported the AWS error `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name() == Some(name)
    }

    /// Whether trying the same call again later may succeed: the server was unreachable or
    /// busy, or the call ran out of time. Errors that name an AWS error never are.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Timeout { .. } => true,
            Error::Status {
                name: None, code, ..
            } => matches!(
                code,
                tonic::Code::Unavailable
                    | tonic::Code::DeadlineExceeded
                    | tonic::Code::ResourceExhausted
                    | tonic::Code::Aborted
                    | tonic::Code::Unknown
            ),
            _ => false,
        }
    }
}

impl From<tonic::Status> for Error {
    fn from(status: tonic::Status) -> Self {
        let name = status
            .metadata()
            .get(ERROR_NAME_METADATA)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Error::Status {
            name,
            code: status.code(),
            message: status.message().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aws_name_comes_from_the_cairn_error_metadata() {
        let mut status = tonic::Status::not_found("Execution does not exist: arn:x");
        status.metadata_mut().insert(
            ERROR_NAME_METADATA,
            "ExecutionDoesNotExist".parse().unwrap(),
        );
        let error = Error::from(status);
        assert!(error.is("ExecutionDoesNotExist"));
        assert_eq!(error.code(), Some(tonic::Code::NotFound));
        assert_eq!(
            error.to_string(),
            "ExecutionDoesNotExist: Execution does not exist: arn:x"
        );
        assert!(!error.is_transient());
    }

    #[test]
    fn a_status_without_a_name_shows_its_code() {
        let error = Error::from(tonic::Status::unavailable("connection reset"));
        assert_eq!(error.name(), None);
        assert_eq!(
            error.to_string(),
            "gRPC status Unavailable: connection reset"
        );
        assert!(error.is_transient());
    }
}
