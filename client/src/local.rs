//! Running definitions in-process: identities, outcomes and the wall clock for local runs.

use asl::Timestamp;
use asl::definition::MachineType;
use asl::interpreter::{ExecutionInfo, Outcome};
use serde_json::Value;

/// Identity of a local execution, in the AWS ARN shapes (Express executions get the
/// `express:` form with a unique suffix).
pub fn local_info(
    machine: &str,
    execution: &str,
    start: Timestamp,
    machine_type: MachineType,
) -> ExecutionInfo {
    let region = "us-east-1";
    let account = "123456789012";
    let id = match machine_type {
        MachineType::Standard => {
            format!("arn:aws:states:{region}:{account}:execution:{machine}:{execution}")
        }
        MachineType::Express => {
            let suffix = asl::Rng::new(start.as_millis() as u64).uuid_v4();
            format!("arn:aws:states:{region}:{account}:express:{machine}:{execution}:{suffix}")
        }
    };
    ExecutionInfo {
        id,
        name: execution.to_owned(),
        state_machine_id: format!("arn:aws:states:{region}:{account}:stateMachine:{machine}"),
        state_machine_name: machine.to_owned(),
        role_arn: format!("arn:aws:iam::{account}:role/cairn-local"),
        region: region.to_owned(),
        start_time: start,
        redrive_count: 0,
        machine_type,
    }
}

/// Status, output, error and cause of a finished execution.
pub fn outcome_fields(
    outcome: &Option<Outcome>,
) -> (&'static str, Option<Value>, Option<String>, Option<String>) {
    let error_of = |f: &asl::Failure| (!f.error.is_empty()).then(|| f.error.clone());
    match outcome {
        Some(Outcome::Succeeded { output }) => ("SUCCEEDED", Some(output.clone()), None, None),
        Some(Outcome::Failed(f)) => ("FAILED", None, error_of(f), f.cause.clone()),
        Some(Outcome::TimedOut(f)) => ("TIMED_OUT", None, error_of(f), f.cause.clone()),
        Some(Outcome::Aborted(f)) => ("ABORTED", None, error_of(f), f.cause.clone()),
        None => ("RUNNING", None, None, None),
    }
}

/// The wall clock, in the core's units. Time enters the system here, never inside `asl`.
pub fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(millis)
}
