//! Running one execution case on a Cairn server: create its state machine, start it with the
//! case input, follow it to the end and read its history. EXPRESS machines run with
//! StartSyncExecution instead (see `sync`).

use std::time::Duration;

use asl::definition::MachineType;
use serde_json::{Value, json};

use super::{clock, naming, plan, sync};
use crate::proto::{
    CreateStateMachineRequest, GetExecutionHistoryRequest, StartExecutionRequest, StateMachineType,
    StopExecutionRequest,
};
use crate::{Client, Error};

/// How cases run on a server.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Run every case as this type instead of its own. Forced EXPRESS falls back to
    /// STANDARD, with a note in the result line, where AWS would not run the case as EXPRESS
    /// (its definition does not validate for EXPRESS, or it stops the execution).
    pub force_type: Option<MachineType>,
    /// Run EXPRESS cases as STANDARD machines (followed through their history) instead of
    /// with StartSyncExecution, as AWS ran them.
    pub express_as_standard: bool,
    /// How long one case may run before it is stopped and reported as an ERROR.
    pub case_timeout: Duration,
    /// Keep each case's state machine instead of deleting it afterwards.
    pub keep_state_machines: bool,
    /// Appended to every state machine name, so each run creates its own machines.
    pub run_tag: String,
    /// The role the state machines are created with (the API requires one).
    pub role_arn: String,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            force_type: None,
            express_as_standard: false,
            case_timeout: Duration::from_secs(300),
            keep_state_machines: false,
            run_tag: "run".to_owned(),
            role_arn: "arn:aws:iam::123456789012:role/cairn-conformance".to_owned(),
        }
    }
}

/// Why a case produced no execution result.
pub(super) enum NotRun {
    Skipped(String),
    Failed { error: String, cause: String },
}

impl From<Error> for NotRun {
    fn from(error: Error) -> Self {
        NotRun::Failed {
            error: error.name().unwrap_or("Runner").to_owned(),
            cause: error.to_string(),
        }
    }
}

/// The result line for one case: `{id, status, output, error, cause, events}`, in the
/// format of the local runner. Cases that cannot run on a server get status `SKIPPED`,
/// cases the runner or server could not carry out `ERROR`; `cause` says why.
pub async fn run_case_remote(client: &Client, case: &Value, options: &RemoteOptions) -> Value {
    let id = case.get("id").cloned().unwrap_or(Value::Null);
    let mut line = match try_run(client, case, options).await {
        Ok(result) => result,
        Err(NotRun::Skipped(reason)) => {
            json!({"status": "SKIPPED", "output": null, "error": null, "cause": reason, "events": []})
        }
        Err(NotRun::Failed { error, cause }) => {
            json!({"status": "ERROR", "output": null, "error": error, "cause": cause, "events": []})
        }
    };
    line["id"] = id;
    line
}

async fn try_run(client: &Client, case: &Value, options: &RemoteOptions) -> Result<Value, NotRun> {
    if case.get("mocks").is_some_and(|mocks| !mocks.is_null()) {
        return Err(NotRun::Skipped(
            "the case needs mocked Task results, which a server cannot be given yet".to_owned(),
        ));
    }
    let definition = case.get("definition").ok_or_else(|| NotRun::Failed {
        error: "Runner".to_owned(),
        cause: "the case has no definition".to_owned(),
    })?;
    let plan = plan::plan(case, definition, options);
    let case_id = case.get("id").and_then(Value::as_str).unwrap_or("case");
    let created = client
        .create_state_machine(CreateStateMachineRequest {
            name: naming::state_machine_name(case_id, &options.run_tag),
            definition: definition.to_string(),
            role_arn: options.role_arn.clone(),
            r#type: plan.machine_type as i32,
        })
        .await?;
    let input = case_input(case)?;
    let arn = &created.state_machine_arn;
    let mut result = match plan.machine_type {
        StateMachineType::Express => sync::execute_sync(client, arn, &input, options).await,
        _ => execute(client, case, arn, input, options).await,
    };
    if let (Ok(line), Some(notes)) = (&mut result, plan.notes) {
        line["notes"] = Value::String(notes);
    }
    if !options.keep_state_machines {
        // Cleanup only; a machine left behind does not change this case's result.
        let _ = client
            .delete_state_machine(&created.state_machine_arn)
            .await;
    }
    result
}

/// The case's input, with its timestamps moved to now when it was recorded relative to the
/// clock.
fn case_input(case: &Value) -> Result<Value, NotRun> {
    let mut input = case.get("input").cloned().unwrap_or_else(|| json!({}));
    if let Some(reference) = case
        .get("clock_relative")
        .and_then(|c| c.get("reference_now"))
        .and_then(Value::as_str)
    {
        clock::shift_timestamps(&mut input, reference, crate::local::now()).map_err(|cause| {
            NotRun::Failed {
                error: "Runner".to_owned(),
                cause,
            }
        })?;
    }
    Ok(input)
}

/// Whether the recorded test stopped the execution from outside once it was under way.
pub(super) fn stops_from_outside(case: &Value) -> bool {
    case.get("notes")
        .and_then(Value::as_str)
        .is_some_and(|notes| {
            notes.contains("drove the execution from outside with: stop_execution")
        })
}

async fn execute(
    client: &Client,
    case: &Value,
    state_machine_arn: &str,
    input: Value,
    options: &RemoteOptions,
) -> Result<Value, NotRun> {
    let started = client
        .start_execution(StartExecutionRequest {
            state_machine_arn: state_machine_arn.to_owned(),
            name: String::new(),
            input: input.to_string(),
        })
        .await?;
    let arn = started.execution_arn;
    let stop_after_start = stops_from_outside(case);

    let finish = async {
        if stop_after_start {
            stop_once_a_state_is_entered(client, &arn).await?;
        }
        client.wait_for_execution(&arn).await
    };
    let described = match tokio::time::timeout(options.case_timeout, finish).await {
        Ok(described) => described?,
        Err(_elapsed) => {
            let _ = client
                .stop_execution(StopExecutionRequest {
                    execution_arn: arn.clone(),
                    error: Some("Runner".to_owned()),
                    cause: Some("the conformance case ran out of time".to_owned()),
                })
                .await;
            return Err(NotRun::Failed {
                error: "Runner".to_owned(),
                cause: format!(
                    "the execution did not end within {:?}; it was stopped",
                    options.case_timeout
                ),
            });
        }
    };
    let events = client
        .get_execution_history_all(GetExecutionHistoryRequest {
            execution_arn: arn.clone(),
            include_execution_data: Some(false),
            ..Default::default()
        })
        .await?;
    let output = described
        .output
        .as_deref()
        .map(|text| serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    let types: Vec<&str> = events.iter().map(|e| e.r#type.as_str()).collect();
    Ok(json!({
        "status": described.status().as_str_name(),
        "output": output,
        "error": described.error,
        "cause": described.cause,
        "events": types,
    }))
}

/// StopExecution as soon as the history shows the first state entered, as the recorded test
/// did (it waited for the execution to be under way, then stopped it).
async fn stop_once_a_state_is_entered(client: &Client, execution_arn: &str) -> Result<(), Error> {
    let mut watch = client.watch_execution(execution_arn, 0).await?;
    while let Some(event) = watch.next_event().await? {
        if event.r#type.ends_with("StateEntered") {
            client
                .stop_execution(StopExecutionRequest {
                    execution_arn: execution_arn.to_owned(),
                    error: None,
                    cause: None,
                })
                .await?;
            return Ok(());
        }
    }
    Ok(())
}
