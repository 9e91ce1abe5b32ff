//! Execution records as stored, and the interpreter state inside them.

use asl::interpreter::{Execution, ExecutionStatus, Outcome};
use cairn_proto::storage::{self as pb, ExecutionRecord};

/// Version of the serialised interpreter state inside a record.
pub const INTERPRETER_STATE_FORMAT: u32 = 1;

pub fn record_status(status: ExecutionStatus) -> pb::ExecutionStatus {
    match status {
        ExecutionStatus::Running => pb::ExecutionStatus::Running,
        ExecutionStatus::Succeeded => pb::ExecutionStatus::Succeeded,
        ExecutionStatus::Failed => pb::ExecutionStatus::Failed,
        ExecutionStatus::TimedOut => pb::ExecutionStatus::TimedOut,
        ExecutionStatus::Aborted => pb::ExecutionStatus::Aborted,
    }
}

/// The interpreter state kept in a running execution's record.
pub fn interpreter_state(record: &ExecutionRecord) -> Result<Option<Execution>, serde_json::Error> {
    match &record.interpreter_state {
        Some(bytes) => serde_json::from_slice(bytes).map(Some),
        None => Ok(None),
    }
}

/// What the API shows of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionView {
    pub status: pb::ExecutionStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl ExecutionView {
    pub fn of(record: &ExecutionRecord) -> Self {
        ExecutionView {
            status: pb::ExecutionStatus::try_from(record.status)
                .unwrap_or(pb::ExecutionStatus::Unspecified),
            output: record
                .output_json
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            error: record.error.clone(),
            cause: record.cause.clone(),
        }
    }
}

/// Fills the outcome fields of a record from the interpreter's outcome.
pub(super) fn apply_outcome(record: &mut ExecutionRecord, outcome: Option<&Outcome>) {
    let failure = match outcome {
        Some(Outcome::Succeeded { output }) => {
            record.output_json = Some(asl::interpreter::compact(output).into_bytes());
            return;
        }
        Some(Outcome::Failed(f) | Outcome::TimedOut(f) | Outcome::Aborted(f)) => f,
        None => return,
    };
    record.error = (!failure.error.is_empty()).then(|| failure.error.clone());
    record.cause = failure.cause.clone();
}
