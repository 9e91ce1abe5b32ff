//! Built-in integrations end to end: nested executions (request-response, .sync, .sync:2,
//! .waitForTaskToken; stopping a parent stops its .sync child) and http:invoke.

// Helpers below the tests unwrap too: in a test a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use cairn_proto::v1::*;
use serde_json::{Value, json};
use support::TestNode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(15);

fn child_arn(parent_machine: &str, name: &str) -> String {
    parent_machine
        .rsplit_once(":stateMachine:")
        .map(|(p, _)| format!("{p}:stateMachine:{name}"))
        .unwrap()
}

fn output(described: &DescribeExecutionResponse) -> Value {
    serde_json::from_str(described.output.as_deref().unwrap_or("null")).unwrap()
}

async fn start(node: &TestNode, machine: &str, name: &str, input: Value) -> String {
    node.executions()
        .await
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.into(),
            name: name.into(),
            input: input.to_string(),
        })
        .await
        .unwrap()
        .into_inner()
        .execution_arn
}

#[tokio::test]
async fn sync_children_report_their_output_and_failures_to_the_parent() {
    let node = TestNode::start().await;
    let child = node
        .create_machine("child", json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"And": [
                {"Variable": "$.fail", "IsPresent": true},
                {"Variable": "$.fail", "BooleanEquals": true}
            ], "Next": "Boom"}], "Default": "Ok"},
            "Ok": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true},
            "Boom": {"Type": "Fail", "Error": "ChildBroke", "Cause": "on purpose"}
        }}))
        .await;
    let parent = |pattern: &str| {
        json!({"StartAt": "Run", "States": {"Run": {
        "Type": "Task", "Resource": format!("arn:aws:states:::states:startExecution{pattern}"),
        "Parameters": {"StateMachineArn": child, "Input.$": "$"}, "End": true}}})
    };
    let sync2 = node.create_machine("parent-sync2", parent(".sync:2")).await;
    let sync = node.create_machine("parent-sync", parent(".sync")).await;
    let fire_and_forget = node.create_machine("parent-rr", parent("")).await;

    let done = node
        .wait_done(&start(&node, &sync2, "p1", json!({"n": 21})).await, WAIT)
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32, "{done:?}");
    assert_eq!(output(&done)["Output"], json!({"doubled": 42}));
    assert_eq!(output(&done)["Status"], "SUCCEEDED");

    let done = node
        .wait_done(&start(&node, &sync, "p2", json!({"n": 1})).await, WAIT)
        .await;
    assert_eq!(
        output(&done)["Output"],
        "{\"doubled\":2}",
        ".sync gives the output as JSON text"
    );

    let done = node
        .wait_done(
            &start(&node, &sync2, "p3", json!({"fail": true})).await,
            WAIT,
        )
        .await;
    assert_eq!(done.status, ExecutionStatus::Failed as i32);
    assert_eq!(done.error.as_deref(), Some("States.TaskFailed"));
    let cause: Value = serde_json::from_str(done.cause.as_deref().unwrap()).unwrap();
    assert_eq!(cause["Error"], "ChildBroke");
    assert_eq!(cause["Status"], "FAILED");

    let parent_arn = start(&node, &fire_and_forget, "p4", json!({"n": 2})).await;
    let done = node.wait_done(&parent_arn, WAIT).await;
    let child_execution = output(&done)["ExecutionArn"].as_str().unwrap().to_owned();
    assert!(
        child_execution.contains(":execution:child:"),
        "{child_execution}"
    );
    assert!(output(&done)["StartDate"].is_number());
    assert_eq!(
        node.wait_done(&child_execution, WAIT).await.status,
        ExecutionStatus::Succeeded as i32
    );
    let history = node.history_types(&parent_arn).await;
    assert_eq!(
        history,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    node.shutdown().await;
}

#[tokio::test]
async fn stopping_a_parent_stops_its_sync_child() {
    let node = TestNode::start().await;
    let sleeper = node
        .create_machine(
            "sleeper",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
        )
        .await;
    let parent = node
        .create_machine(
            "waits-for-sleeper",
            json!({"StartAt": "Run", "States": {"Run": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": sleeper, "Name": "the-child"}, "End": true}}}),
        )
        .await;
    let parent_arn = start(&node, &parent, "p", json!({})).await;
    let child = parent_arn.replace(
        ":execution:waits-for-sleeper:p",
        ":execution:sleeper:the-child",
    );
    // Wait until the child exists and runs.
    let mut executions = node.executions().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while executions
        .describe_execution(DescribeExecutionRequest {
            execution_arn: child.clone(),
        })
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the child never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    executions
        .stop_execution(StopExecutionRequest {
            execution_arn: parent_arn.clone(),
            error: Some("Operator".into()),
            cause: None,
        })
        .await
        .unwrap();
    assert_eq!(
        node.wait_done(&parent_arn, WAIT).await.status,
        ExecutionStatus::Aborted as i32
    );
    assert_eq!(
        node.wait_done(&child, WAIT).await.status,
        ExecutionStatus::Aborted as i32
    );
    node.shutdown().await;
}

#[tokio::test]
async fn a_callback_child_answers_the_parent_with_its_task_token() {
    let node = TestNode::start().await;
    let inbox = node
        .create_machine(
            "inbox",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
        )
        .await;
    let parent = node
        .create_machine("asks", json!({"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
            "Parameters": {"StateMachineArn": inbox, "Name": "question", "Input": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 60, "End": true}}}))
        .await;
    let parent_arn = start(&node, &parent, "p", json!({})).await;
    let child =
        child_arn(&parent, "inbox").replace(":stateMachine:inbox", ":execution:inbox:question");
    let mut executions = node.executions().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let input = loop {
        if let Ok(d) = executions
            .describe_execution(DescribeExecutionRequest {
                execution_arn: child.clone(),
            })
            .await
        {
            break d.into_inner().input;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the child never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let token = serde_json::from_str::<Value>(&input).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    node.activities()
        .await
        .send_task_success(SendTaskSuccessRequest {
            task_token: token,
            output: "{\"answer\":42}".into(),
        })
        .await
        .unwrap();
    let done = node.wait_done(&parent_arn, WAIT).await;
    assert_eq!(output(&done), json!({"answer": 42}));
    assert!(
        node.history_types(&parent_arn)
            .await
            .contains(&"TaskSubmitted".to_owned())
    );
    node.shutdown().await;
}

/// A one-shot HTTP server: answers every request with `status` and `body`, and returns the
/// first request it read.
async fn http_server(status: u16, body: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let n = socket.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&request);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    (format!("http://{address}"), task)
}

#[tokio::test]
async fn http_invoke_calls_the_endpoint_and_non_2xx_answers_are_catchable_errors() {
    let node = TestNode::start().await;
    let machine = node
        .create_machine("http", json!({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                     "Parameters": {"ApiEndpoint.$": "$.url", "Method": "POST", "Headers": {"x-order": "7"},
                                    "QueryParameters": {"q": "a b"}, "RequestBody": {"item": "tent"}},
                     "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.error", "Next": "NotFound"}],
                     "End": true},
            "NotFound": {"Type": "Pass", "End": true}
        }}))
        .await;
    let (url, request) = http_server(200, "{\"ok\":true}").await;
    let done = node
        .wait_done(
            &start(&node, &machine, "ok", json!({"url": url})).await,
            WAIT,
        )
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32, "{done:?}");
    assert_eq!(output(&done)["StatusCode"], 200);
    assert_eq!(output(&done)["ResponseBody"], json!({"ok": true}));
    let request = request.await.unwrap();
    assert!(request.starts_with("POST /?q=a%20b HTTP/1.1"), "{request}");
    assert!(
        request.to_ascii_lowercase().contains("x-order: 7"),
        "{request}"
    );
    assert!(request.ends_with("{\"item\":\"tent\"}"), "{request}");

    let (url, _) = http_server(404, "{\"missing\":true}").await;
    let done = node
        .wait_done(
            &start(&node, &machine, "missing", json!({"url": url})).await,
            WAIT,
        )
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32);
    assert_eq!(
        output(&done)["error"]["Error"],
        "States.Http.StatusCode.404"
    );
    node.shutdown().await;
}
