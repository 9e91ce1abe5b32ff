//! Built-in service integrations: nested executions (`states:startExecution` with
//! request-response, `.sync`, `.sync:2` and `.waitForTaskToken`) and HTTP endpoints
//! (`http:invoke`). Each reports its outcome as interpreter inputs, committed like any other.
//!
//! Starting a child is idempotent: its name is the one given in `Name`, or one derived from
//! the parent execution and task attempt, so re-running the effect after a failover finds the
//! same child instead of starting a second one.

use asl::Failure;
use asl::interpreter::{Input, IntegrationPattern, ResourceKind, TaskId, TaskRequest};
use cairn_proto::storage::{ExecutionRecord, ExecutionStatus, ParentLink};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tracing::warn;

use crate::ids::ExecutionKey;
use crate::shard::{Error, Router};

mod http;

/// Performs a task and returns the inputs that report it.
pub async fn perform(
    router: &Router,
    key: &ExecutionKey,
    request: &TaskRequest,
    kind: &ResourceKind,
) -> Vec<Input> {
    let task = request.task;
    match kind {
        ResourceKind::Integration {
            service,
            api,
            pattern,
        } if service == "states" && api == "startExecution" => {
            start_child(router, key, request, *pattern).await
        }
        ResourceKind::Integration { service, api, .. } if service == "http" && api == "invoke" => {
            match http::invoke(&request.input).await {
                Ok(output) => vec![Input::TaskSucceeded { task, output }],
                Err(failure) => vec![Input::TaskFailed { task, failure }],
            }
        }
        _ => vec![Input::TaskFailed {
            task,
            failure: Failure::new(
                "Cairn.IntegrationNotSupported",
                format!(
                    "{} is not a resource this cluster can run; it runs activities, \
                     arn:aws:states:::states:startExecution (request-response, .sync, .sync:2, \
                     .waitForTaskToken) and arn:aws:states:::http:invoke",
                    request.resource
                ),
            ),
        }],
    }
}

/// The child a `states:startExecution` task starts: its state machine ARN, name and input.
struct ChildSpec {
    state_machine_arn: String,
    name: String,
    input_json: String,
}

fn child_spec(parent: &ExecutionKey, request: &TaskRequest) -> Result<ChildSpec, Failure> {
    let arn = request
        .input
        .get("StateMachineArn")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::new(
                "States.Runtime",
                "states:startExecution needs a StateMachineArn string",
            )
        })?;
    let name = match request.input.get("Name").and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => derived_child_name(parent, request.task),
    };
    let input_json = match request.input.get("Input") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => asl::interpreter::compact(other),
    };
    Ok(ChildSpec {
        state_machine_arn: arn.to_owned(),
        name,
        input_json,
    })
}

/// A UUID-shaped name derived from the parent and the task attempt.
fn derived_child_name(parent: &ExecutionKey, task: TaskId) -> String {
    let digest = Sha256::digest(format!("{}#{}", parent.as_str(), task.0).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn pattern_name(pattern: IntegrationPattern) -> &'static str {
    match pattern {
        IntegrationPattern::RequestResponse => "",
        IntegrationPattern::Sync => ".sync",
        IntegrationPattern::Sync2 => ".sync:2",
        IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
    }
}

async fn start_child(
    router: &Router,
    parent: &ExecutionKey,
    request: &TaskRequest,
    pattern: IntegrationPattern,
) -> Vec<Input> {
    let task = request.task;
    let spec = match child_spec(parent, request) {
        Ok(spec) => spec,
        Err(failure) => return vec![Input::TaskFailed { task, failure }],
    };
    let link = ParentLink {
        execution_key: parent.as_str().to_owned(),
        task_id: task.0,
        pattern: pattern_name(pattern).to_owned(),
    };
    let Some(reply) = start_child_until_answered(router, parent, &spec, &link).await else {
        // This node no longer leads the parent's shard: the next leader runs this task
        // again (the start is idempotent by name). Reporting the failure from here would
        // reach that leader through the router and fail a task it is running.
        return Vec::new();
    };
    let reply = match reply {
        Ok(reply) => reply,
        Err(error) => {
            return vec![Input::TaskFailed {
                task,
                failure: start_failure(&error),
            }];
        }
    };
    let started = json!({"ExecutionArn": reply.execution_arn, "StartDate": reply.start_millis});
    match pattern {
        IntegrationPattern::RequestResponse => vec![Input::TaskSucceeded {
            task,
            output: started,
        }],
        IntegrationPattern::WaitForTaskToken => vec![Input::TaskSubmitted {
            task,
            output: started,
        }],
        IntegrationPattern::Sync | IntegrationPattern::Sync2 => {
            let mut inputs = vec![Input::TaskSubmitted {
                task,
                output: started,
            }];
            // Re-run after a failover: the child may already have finished while nobody
            // listened. Its completion is reported now.
            let child = ExecutionKey::new(
                &router
                    .state_machine_name(&spec.state_machine_arn)
                    .unwrap_or_default(),
                &spec.name,
            );
            if !reply.created
                && let Ok(Some(record)) = router.execution(&child).await
                && let Some(done) = child_outcome_for_parent(&record, &link)
            {
                inputs.push(done);
                return inputs;
            }
            tokio::spawn(watch_child(router.clone(), parent.clone(), child, link));
            inputs
        }
    }
}

/// Starts the child, retrying while the cluster cannot answer (leadership moving, a node
/// down) for as long as this node leads the parent's shard; the start is idempotent by name.
/// Only a definite answer reaches the parent's Task state: `None` when this node stopped
/// leading the parent's shard before it got one.
async fn start_child_until_answered(
    router: &Router,
    parent: &ExecutionKey,
    spec: &ChildSpec,
    link: &ParentLink,
) -> Option<Result<crate::shard::StartReply, Error>> {
    let parent_shard = router.execution_shard(parent);
    let mut backoff = std::time::Duration::from_millis(100);
    loop {
        let result = router
            .start_execution(
                &spec.state_machine_arn,
                Some(spec.name.clone()),
                Some(spec.input_json.clone()),
                Some(link.clone()),
            )
            .await;
        match result {
            Err(error) if error.is_transient() => {
                if !router.cluster().leads(parent_shard) {
                    return None;
                }
                warn!(parent = %parent, error = %error, "cannot start a child execution yet; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(5));
            }
            other => return Some(other),
        }
    }
}

/// How often a parent waiting on a child (`.sync`) checks the child itself.
const CHILD_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// The child reports its end to the parent as it finishes; that report is lost when the
/// child's leader dies between committing the end and sending it. So the parent's leader also
/// checks the child now and then, and reports the end itself. A report that arrives twice
/// finds the task closed and changes nothing.
async fn watch_child(router: Router, parent: ExecutionKey, child: ExecutionKey, link: ParentLink) {
    let parent_shard = router.execution_shard(&parent);
    loop {
        tokio::time::sleep(CHILD_CHECK_INTERVAL).await;
        // The parent's next leader runs its own check when it resumes the task.
        if !router.cluster().leads(parent_shard) {
            return;
        }
        match router.execution(&parent).await {
            Ok(Some(record)) if record.status == ExecutionStatus::Running as i32 => {}
            Ok(_) => return,
            Err(_) => continue,
        }
        let Ok(Some(record)) = router.execution(&child).await else {
            continue;
        };
        let Some(done) = child_outcome_for_parent(&record, &link) else {
            continue;
        };
        match router.input(&parent, done).await {
            Ok(())
            | Err(
                Error::TaskDoesNotExist(_)
                | Error::ExecutionFinished
                | Error::ExecutionDoesNotExist(_),
            ) => return,
            Err(e) => {
                warn!(parent = %parent, child = %child, error = %e, "cannot report a finished child; retrying")
            }
        }
    }
}

/// The error a failed child start gives the parent's Task state, named as AWS's SDK names
/// service errors (`StepFunctions.StateMachineDoesNotExistException`).
fn start_failure(error: &Error) -> Failure {
    let name = match error {
        Error::StateMachineDoesNotExist(_) => "StepFunctions.StateMachineDoesNotExistException",
        Error::StateMachineDeleting(_) => "StepFunctions.StateMachineDeletingException",
        Error::ExecutionAlreadyExists(_) => "StepFunctions.ExecutionAlreadyExistsException",
        Error::InvalidArn(_) => "StepFunctions.InvalidArnException",
        Error::InvalidName(_) => "StepFunctions.InvalidNameException",
        Error::InvalidExecutionInput(_) => "StepFunctions.InvalidExecutionInputException",
        _ => "StepFunctions.SdkClientException",
    };
    Failure::new(name, error.to_string())
}

/// What a finished child reports to a parent waiting with `.sync` / `.sync:2`; `None` for
/// patterns that do not wait for completion.
pub fn child_outcome_for_parent(record: &ExecutionRecord, link: &ParentLink) -> Option<Input> {
    let parsed = link.pattern == ".sync:2";
    if link.pattern != ".sync" && !parsed {
        return None;
    }
    let task = TaskId(link.task_id);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let json_or_text = |bytes: &[u8]| {
        if parsed {
            serde_json::from_slice(bytes).unwrap_or(Value::Null)
        } else {
            Value::String(text(bytes))
        }
    };
    let mut description = json!({
        "ExecutionArn": record.execution_arn,
        "StateMachineArn": record.state_machine_arn,
        "Name": record.name,
        "Input": json_or_text(&record.input_json),
        "InputDetails": {"Included": true},
        "StartDate": record.start_millis,
        "StopDate": record.stop_millis,
    });
    let status = ExecutionStatus::try_from(record.status).unwrap_or(ExecutionStatus::Unspecified);
    let status_name = match status {
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::TimedOut => "TIMED_OUT",
        ExecutionStatus::Aborted => "ABORTED",
        ExecutionStatus::Running | ExecutionStatus::Unspecified => return None,
    };
    description["Status"] = json!(status_name);
    if status == ExecutionStatus::Succeeded {
        description["Output"] = json_or_text(record.output_json.as_deref().unwrap_or(b"null"));
        description["OutputDetails"] = json!({"Included": true});
        return Some(Input::TaskSucceeded {
            task,
            output: description,
        });
    }
    if let Some(error) = &record.error {
        description["Error"] = json!(error);
    }
    if let Some(cause) = &record.cause {
        description["Cause"] = json!(cause);
    }
    Some(Input::TaskFailed {
        task,
        failure: Failure::new("States.TaskFailed", asl::interpreter::compact(&description)),
    })
}

/// Stops the `.sync` child of a cancelled task (the parent was stopped, timed out or failed).
pub async fn stop_child(router: &Router, parent: &ExecutionKey, request: &TaskRequest) {
    let kind = asl::interpreter::classify_resource(&request.resource);
    let waits = matches!(
        &kind,
        ResourceKind::Integration { service, api, pattern }
            if service == "states" && api == "startExecution"
                && matches!(pattern, IntegrationPattern::Sync | IntegrationPattern::Sync2)
    );
    if !waits {
        return;
    }
    let Ok(spec) = child_spec(parent, request) else {
        return;
    };
    let Ok(machine) = router.state_machine_name(&spec.state_machine_arn) else {
        return;
    };
    let child = ExecutionKey::new(&machine, &spec.name);
    match router
        .stop_execution(
            &child,
            Some("States.Aborted".into()),
            Some("The parent execution stopped waiting for this one.".into()),
        )
        .await
    {
        Ok(()) | Err(Error::ExecutionFinished | Error::ExecutionDoesNotExist(_)) => {}
        Err(e) => warn!(child = %child, error = %e, "cannot stop a child execution"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_child_names_are_stable_valid_names() {
        let parent = ExecutionKey::new("m", "e");
        let a = derived_child_name(&parent, TaskId(3));
        assert_eq!(a, derived_child_name(&parent, TaskId(3)));
        assert_ne!(a, derived_child_name(&parent, TaskId(4)));
        assert!(crate::ids::is_name(&a));
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn sync_outcomes_follow_the_aws_shapes() {
        let record = ExecutionRecord {
            execution_arn: "arn:x".into(),
            status: ExecutionStatus::Succeeded as i32,
            input_json: b"{\"a\":1}".to_vec(),
            output_json: Some(b"{\"b\":2}".to_vec()),
            ..ExecutionRecord::default()
        };
        let link = |pattern: &str| ParentLink {
            execution_key: "m\u{0}e".into(),
            task_id: 5,
            pattern: pattern.into(),
        };
        let Some(Input::TaskSucceeded { output, .. }) =
            child_outcome_for_parent(&record, &link(".sync"))
        else {
            panic!()
        };
        assert_eq!(output["Output"], "{\"b\":2}");
        let Some(Input::TaskSucceeded { output, .. }) =
            child_outcome_for_parent(&record, &link(".sync:2"))
        else {
            panic!()
        };
        assert_eq!(output["Output"], json!({"b": 2}));
        assert!(child_outcome_for_parent(&record, &link("")).is_none());
        let failed = ExecutionRecord {
            status: ExecutionStatus::Failed as i32,
            error: Some("E".into()),
            ..record
        };
        let Some(Input::TaskFailed { failure, .. }) =
            child_outcome_for_parent(&failed, &link(".sync"))
        else {
            panic!()
        };
        assert_eq!(failure.error, "States.TaskFailed");
        assert!(failure.cause.unwrap().contains("\"Error\":\"E\""));
    }
}
