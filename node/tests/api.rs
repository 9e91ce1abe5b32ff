//! The node's gRPC API end to end: a real node on port 0 with a temporary data directory.

mod support;

use std::time::Duration;

use cairn_proto::v1::*;
use serde_json::json;
use support::{TestNode, error_name};

#[tokio::test]
async fn a_pass_choice_machine_runs_to_completion_with_aws_history() {
    let node = TestNode::start().await;
    let machine = node
        .create_machine(
            "pass3",
            json!({
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
                    "B": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": 1, "Next": "C"}], "Default": "C"},
                    "C": {"Type": "Pass", "End": true}
                }
            }),
        )
        .await;
    let started = node
        .executions()
        .await
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.clone(),
            name: "e1".into(),
            input: "{\"x\":1}".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        started.execution_arn.ends_with(":execution:pass3:e1"),
        "{}",
        started.execution_arn
    );
    let done = node
        .wait_done(&started.execution_arn, Duration::from_secs(10))
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&done.output.unwrap()).unwrap(),
        json!({"x": 1, "a": 1})
    );
    assert_eq!(
        node.history_types(&started.execution_arn).await,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    node.shutdown().await;
}

#[tokio::test]
async fn starts_are_idempotent_by_name_and_input() {
    let node = TestNode::start().await;
    let machine = node
        .create_machine(
            "waiter",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}}),
        )
        .await;
    let mut executions = node.executions().await;
    let request = StartExecutionRequest {
        state_machine_arn: machine.clone(),
        name: "same".into(),
        input: "{}".into(),
    };
    let first = executions
        .start_execution(request.clone())
        .await
        .unwrap()
        .into_inner();
    let second = executions
        .start_execution(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, second);
    let other = executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine,
            name: "same".into(),
            input: "{\"a\":1}".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&other), "ExecutionAlreadyExists");
    node.shutdown().await;
}

#[tokio::test]
async fn unknown_arns_and_bad_input_get_clear_errors() {
    let node = TestNode::start().await;
    let machine = node
        .create_machine(
            "m",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        )
        .await;
    let mut executions = node.executions().await;
    let err = executions
        .describe_execution(DescribeExecutionRequest {
            execution_arn: machine.replace(":stateMachine:m", ":execution:m:nope"),
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ExecutionDoesNotExist");
    let err = executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.clone(),
            name: String::new(),
            input: "{not json".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidExecutionInput");
    let err = executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:ghost".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "StateMachineDoesNotExist");
    let err = node
        .machines()
        .await
        .create_state_machine(CreateStateMachineRequest {
            name: "bad".into(),
            definition: "{\"StartAt\": 1}".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidDefinition");
    assert!(err.message().contains("/StartAt"), "{}", err.message());
    node.shutdown().await;
}

#[tokio::test]
async fn an_activity_worker_completes_a_task() {
    let node = TestNode::start().await;
    let activity = node
        .activities()
        .await
        .create_activity(CreateActivityRequest {
            name: "work".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .activity_arn;
    let machine = node
        .create_machine(
            "with-activity",
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 30, "End": true}}}),
        )
        .await;
    let started = node
        .executions()
        .await
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine,
            name: "a1".into(),
            input: "{\"n\":2}".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut activities = node.activities().await;
    let task = activities
        .get_activity_task(GetActivityTaskRequest {
            activity_arn: activity.clone(),
            worker_name: "w1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!task.task_token.is_empty());
    assert_eq!(task.input, "{\"n\":2}");
    activities
        .send_task_heartbeat(SendTaskHeartbeatRequest {
            task_token: task.task_token.clone(),
        })
        .await
        .unwrap();
    activities
        .send_task_success(SendTaskSuccessRequest {
            task_token: task.task_token.clone(),
            output: "{\"sum\":4}".into(),
        })
        .await
        .unwrap();
    let done = node
        .wait_done(&started.execution_arn, Duration::from_secs(10))
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32);
    assert_eq!(done.output.as_deref(), Some("{\"sum\":4}"));
    let history = node.history_types(&started.execution_arn).await;
    assert_eq!(
        history,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    // The task is closed now: its token no longer works; a forged one never did.
    let err = activities
        .send_task_success(SendTaskSuccessRequest {
            task_token: task.task_token,
            output: "{}".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "TaskDoesNotExist");
    let err = activities
        .send_task_success(SendTaskSuccessRequest {
            task_token: "Zm9yZ2Vk".into(),
            output: "{}".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidToken");
    node.shutdown().await;
}

#[tokio::test]
async fn executions_survive_a_restart() {
    let mut node = TestNode::start().await;
    let machine = node
        .create_machine("slow", json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"}, "P": {"Type": "Pass", "End": true}}}))
        .await;
    let started = node
        .executions()
        .await
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine,
            name: "r1".into(),
            input: "{\"k\":true}".into(),
        })
        .await
        .unwrap()
        .into_inner();
    node.restart().await;
    let done = node
        .wait_done(&started.execution_arn, Duration::from_secs(15))
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32);
    assert_eq!(done.output.as_deref(), Some("{\"k\":true}"));
    node.shutdown().await;
}
