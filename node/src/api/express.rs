//! The Express side of `cairn.v1.Executions`: StartSyncExecution, StartExecution of an
//! EXPRESS machine, and the AWS errors for calls that Express executions do not support.

use asl::interpreter::Outcome;
use cairn_proto::v1::{
    ExecutionStatus, StartExecutionRequest, StartExecutionResponse, StartSyncExecutionRequest,
    StartSyncExecutionResponse,
};
use tonic::Status;

use super::{Context, timestamp};
use crate::express::{self, SyncOutcome};

/// Starts the execution asynchronously when the machine is EXPRESS; `None` for a STANDARD
/// machine, which the caller starts as usual.
pub(super) async fn start_if_express(
    context: &Context,
    request: &StartExecutionRequest,
) -> Result<Option<StartExecutionResponse>, Status> {
    let Some(record) = context
        .express
        .express_machine(&request.state_machine_arn)
        .await?
    else {
        return Ok(None);
    };
    let started = context
        .express
        .start_async(&record, request.name.clone(), request.input.clone())
        .await?;
    Ok(Some(StartExecutionResponse {
        execution_arn: started.execution_arn,
        start_date: timestamp(started.start_millis),
    }))
}

pub(super) async fn start_sync(
    context: &Context,
    request: StartSyncExecutionRequest,
) -> Result<StartSyncExecutionResponse, Status> {
    let outcome = context
        .express
        .start_sync(&request.state_machine_arn, request.name, request.input)
        .await?;
    Ok(sync_response(outcome))
}

/// Describe, Stop, GetExecutionHistory and WatchExecution of an Express ARN: `InvalidArn`, as
/// AWS answers.
pub(super) fn refuse_express_execution(execution_arn: &str) -> Result<(), Status> {
    if express::is_execution_arn(execution_arn) {
        return Err(express::Error::ExpressExecutionArn(execution_arn.to_owned()).into());
    }
    Ok(())
}

/// ListExecutions of an EXPRESS machine: `StateMachineTypeNotSupported`, as AWS answers.
pub(super) async fn refuse_express_machine(
    context: &Context,
    state_machine_arn: &str,
) -> Result<(), Status> {
    if context.express.is_express_machine(state_machine_arn).await {
        return Err(express::Error::ExpressMachine(state_machine_arn.to_owned()).into());
    }
    Ok(())
}

fn sync_response(ended: SyncOutcome) -> StartSyncExecutionResponse {
    let (status, output, failure) = match ended.outcome {
        Outcome::Succeeded { output } => (
            ExecutionStatus::Succeeded,
            Some(asl::interpreter::compact(&output)),
            None,
        ),
        Outcome::Failed(failure) => (ExecutionStatus::Failed, None, Some(failure)),
        Outcome::TimedOut(failure) => (ExecutionStatus::TimedOut, None, Some(failure)),
        Outcome::Aborted(failure) => (ExecutionStatus::Aborted, None, Some(failure)),
    };
    let (error, cause) = match failure {
        Some(failure) => (
            (!failure.error.is_empty()).then_some(failure.error),
            failure.cause,
        ),
        None => (None, None),
    };
    StartSyncExecutionResponse {
        execution_arn: ended.execution_arn,
        state_machine_arn: ended.state_machine_arn,
        name: ended.name,
        start_date: timestamp(ended.start_millis),
        stop_date: timestamp(ended.stop_millis),
        status: status as i32,
        input: ended.input_json,
        output,
        error,
        cause,
    }
}
