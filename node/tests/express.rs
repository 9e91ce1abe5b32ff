//! Express executions end to end on a real node: StartSyncExecution, asynchronous starts of
//! EXPRESS machines, the duration and concurrency limits, and the calls Express refuses.

mod express_support;
mod support;

use std::time::{Duration, Instant};

use cairn_node::config::NodeOptions;
use cairn_node::server::{self, RunningNode};
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::*;
use express_support::{Recorder, must_create_machine};
use serde_json::{Value, json};
use support::error_name;
use tonic::transport::Channel;

const DEADLINE: Duration = Duration::from_secs(20);

struct Node {
    node: Option<RunningNode>,
    dir: tempfile::TempDir,
    configure: fn(&mut NodeOptions),
}

impl Node {
    async fn start(configure: fn(&mut NodeOptions)) -> Node {
        let dir = tempfile::tempdir().expect("a temp dir");
        let node = server::start(Self::options(dir.path(), configure))
            .await
            .expect("the node starts");
        Node {
            node: Some(node),
            dir,
            configure,
        }
    }

    fn options(dir: &std::path::Path, configure: fn(&mut NodeOptions)) -> NodeOptions {
        let mut options = support::options(dir);
        configure(&mut options);
        options
    }

    async fn channel(&self) -> Channel {
        let address = self.node.as_ref().expect("running").local_addr;
        Channel::from_shared(format!("http://{address}"))
            .expect("a valid URI")
            .connect()
            .await
            .expect("connects")
    }

    async fn executions(&self) -> ExecutionsClient<Channel> {
        ExecutionsClient::new(self.channel().await)
    }

    async fn machine(
        &self,
        name: &str,
        machine_type: StateMachineType,
        definition: Value,
    ) -> String {
        must_create_machine(self.channel().await, name, machine_type, &definition).await
    }

    async fn express(&self, name: &str, definition: Value) -> String {
        self.machine(name, StateMachineType::Express, definition)
            .await
    }

    async fn start_sync(
        &self,
        machine: &str,
        name: &str,
        input: Value,
    ) -> StartSyncExecutionResponse {
        self.try_start_sync(machine, name, input)
            .await
            .expect("StartSyncExecution answers")
    }

    async fn try_start_sync(
        &self,
        machine: &str,
        name: &str,
        input: Value,
    ) -> Result<StartSyncExecutionResponse, tonic::Status> {
        self.executions()
            .await
            .start_sync_execution(StartSyncExecutionRequest {
                state_machine_arn: machine.into(),
                name: name.into(),
                input: input.to_string(),
            })
            .await
            .map(tonic::Response::into_inner)
    }

    async fn start_async(&self, machine: &str, name: &str, input: Value) -> StartExecutionResponse {
        self.executions()
            .await
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.into(),
                name: name.into(),
                input: input.to_string(),
            })
            .await
            .expect("StartExecution answers")
            .into_inner()
    }

    async fn restart(&mut self) {
        if let Some(node) = self.node.take() {
            node.shutdown().await;
        }
        let node = server::start(Self::options(self.dir.path(), self.configure))
            .await
            .expect("the node restarts");
        self.node = Some(node);
    }

    async fn shutdown(mut self) {
        if let Some(node) = self.node.take() {
            node.shutdown().await;
        }
    }
}

fn defaults(_: &mut NodeOptions) {}

fn output(response: &StartSyncExecutionResponse) -> Value {
    serde_json::from_str(response.output.as_deref().expect("an output")).expect("JSON output")
}

fn millis(timestamp: Option<&Timestamp>) -> i64 {
    timestamp.expect("a timestamp").epoch_millis
}

/// Calls the recorder with the execution's input, then passes on.
fn calls_recorder() -> Value {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                 "Parameters": {"ApiEndpoint.$": "$.url", "Method": "POST", "RequestBody.$": "$"},
                 "ResultSelector": {"status.$": "$.StatusCode"}, "ResultPath": "$.call", "End": true}
    }})
}

#[tokio::test]
async fn start_sync_answers_with_the_output_of_a_succeeded_execution() {
    let node = Node::start(defaults).await;
    let machine = node
        .express(
            "greet",
            json!({"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)", "id.$": "$$.Execution.Id"}, "Next": "B"},
                "B": {"Type": "Choice", "Choices": [{"Variable": "$.greeting", "StringEquals": "hello you", "Next": "C"}], "Default": "C"},
                "C": {"Type": "Succeed"}
            }}),
        )
        .await;
    let done = node.start_sync(&machine, "e1", json!({"who": "you"})).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32, "{done:?}");
    assert!(
        done.execution_arn
            .starts_with("arn:aws:states:us-east-1:123456789012:express:greet:e1:"),
        "{}",
        done.execution_arn
    );
    assert_eq!(
        output(&done),
        json!({"greeting": "hello you", "id": done.execution_arn})
    );
    assert_eq!(done.state_machine_arn, machine);
    assert_eq!(done.name, "e1");
    assert_eq!(done.input, "{\"who\":\"you\"}");
    assert!(millis(done.start_date.as_ref()) <= millis(done.stop_date.as_ref()));
    assert_eq!((done.error, done.cause), (None, None));

    // Names may repeat: each start is a new execution with its own ARN.
    let again = node.start_sync(&machine, "e1", json!({"who": "me"})).await;
    assert_ne!(again.execution_arn, done.execution_arn);
    assert_eq!(output(&again)["greeting"], "hello me");
    node.shutdown().await;
}

#[tokio::test]
async fn start_sync_reports_a_failed_execution_with_its_error_and_cause() {
    let node = Node::start(defaults).await;
    let machine = node
        .express(
            "fails",
            json!({"StartAt": "Try", "States": {
                "Try": {"Type": "Pass", "Next": "Boom"},
                "Boom": {"Type": "Fail", "Error": "Order.Invalid", "Cause": "no items"}
            }}),
        )
        .await;
    let done = node.start_sync(&machine, "", json!({})).await;
    assert_eq!(done.status, ExecutionStatus::Failed as i32);
    assert_eq!(done.error.as_deref(), Some("Order.Invalid"));
    assert_eq!(done.cause.as_deref(), Some("no items"));
    assert_eq!(done.output, None);
    // An empty name gets a UUID.
    assert_eq!(done.name.len(), 36, "{}", done.name);
    node.shutdown().await;
}

#[tokio::test]
async fn a_wait_state_waits_on_the_real_clock() {
    let node = Node::start(defaults).await;
    let machine = node
        .express(
            "waits",
            json!({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
                "Done": {"Type": "Pass", "Result": "waited", "End": true}
            }}),
        )
        .await;
    let began = Instant::now();
    let done = node.start_sync(&machine, "w", json!({})).await;
    let took = began.elapsed();
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32);
    assert_eq!(output(&done), json!("waited"));
    assert!(took >= Duration::from_secs(1), "answered after {took:?}");
    assert!(
        millis(done.stop_date.as_ref()) - millis(done.start_date.as_ref()) >= 1000,
        "{done:?}"
    );
    node.shutdown().await;
}

#[tokio::test]
async fn an_execution_past_the_express_limit_times_out_with_states_timeout() {
    let node = Node::start(|options| options.express.duration_seconds_max = 1).await;
    // TimeoutSeconds longer than the limit does not extend it.
    let machine = node
        .express(
            "too-long",
            json!({"TimeoutSeconds": 3600, "StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 60, "End": true}
            }}),
        )
        .await;
    let began = Instant::now();
    let done = node.start_sync(&machine, "slow", json!({})).await;
    assert_eq!(done.status, ExecutionStatus::TimedOut as i32, "{done:?}");
    assert_eq!(done.error.as_deref(), Some("States.Timeout"));
    assert!(began.elapsed() < Duration::from_secs(30));
    node.shutdown().await;
}

#[tokio::test]
async fn start_sync_of_a_standard_machine_is_state_machine_type_not_supported() {
    let node = Node::start(defaults).await;
    let machine = node
        .machine(
            "standard",
            StateMachineType::Standard,
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        )
        .await;
    let error = node
        .try_start_sync(&machine, "x", json!({}))
        .await
        .expect_err("STANDARD machines have no synchronous starts");
    assert_eq!(
        error_name(&error),
        "StateMachineTypeNotSupported",
        "{error}"
    );
    let missing = machine.replace(":standard", ":nothing-here");
    let error = node
        .try_start_sync(&missing, "x", json!({}))
        .await
        .expect_err("no such machine");
    assert_eq!(error_name(&error), "StateMachineDoesNotExist");
    node.shutdown().await;
}

#[tokio::test]
async fn express_executions_cannot_be_described_stopped_listed_or_read_back() {
    let node = Node::start(defaults).await;
    let machine = node
        .express(
            "quick",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        )
        .await;
    let arn = node
        .start_sync(&machine, "q", json!({}))
        .await
        .execution_arn;
    let mut client = node.executions().await;
    let described = client
        .describe_execution(DescribeExecutionRequest {
            execution_arn: arn.clone(),
        })
        .await
        .expect_err("Express executions cannot be described");
    assert_eq!(error_name(&described), "InvalidArn");
    assert!(described.message().contains("express"), "{described}");
    let history = client
        .get_execution_history(GetExecutionHistoryRequest {
            execution_arn: arn.clone(),
            ..Default::default()
        })
        .await
        .expect_err("Express executions have no history API");
    assert_eq!(error_name(&history), "InvalidArn");
    let stopped = client
        .stop_execution(StopExecutionRequest {
            execution_arn: arn,
            error: None,
            cause: None,
        })
        .await
        .expect_err("Express executions cannot be stopped");
    assert_eq!(error_name(&stopped), "InvalidArn");
    let listed = client
        .list_executions(ListExecutionsRequest {
            state_machine_arn: machine,
            ..Default::default()
        })
        .await
        .expect_err("Express executions are not listed");
    assert_eq!(error_name(&listed), "StateMachineTypeNotSupported");
    node.shutdown().await;
}

#[tokio::test]
async fn start_execution_of_an_express_machine_runs_it_in_the_background() {
    let node = Node::start(defaults).await;
    let recorder = Recorder::start().await;
    let machine = node
        .express(
            "background",
            json!({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
                "Call": calls_recorder()["States"]["Call"]
            }}),
        )
        .await;
    let began = Instant::now();
    let first = node
        .start_async(&machine, "same", json!({"url": recorder.url, "n": 1}))
        .await;
    let second = node
        .start_async(&machine, "same", json!({"url": recorder.url, "n": 2}))
        .await;
    // Answered before the Wait is over.
    assert!(began.elapsed() < Duration::from_secs(1));
    assert!(
        first.execution_arn.contains(":express:background:same:"),
        "{}",
        first.execution_arn
    );
    assert_ne!(first.execution_arn, second.execution_arn);
    recorder
        .must_see(DEADLINE, |bodies| {
            let mut seen: Vec<i64> = bodies.iter().filter_map(|b| b["n"].as_i64()).collect();
            seen.sort_unstable();
            seen == [1, 2]
        })
        .await;
    node.shutdown().await;
}

#[tokio::test]
async fn tasks_call_http_endpoints_and_start_standard_children() {
    let node = Node::start(defaults).await;
    let recorder = Recorder::start().await;
    let child = node
        .machine(
            "child",
            StateMachineType::Standard,
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        )
        .await;
    let machine = node
        .express(
            "tasks",
            json!({"StartAt": "Call", "States": {
                "Call": calls_recorder()["States"]["Call"].as_object().map(|call| {
                    let mut call = call.clone();
                    call.remove("End");
                    call.insert("Next".into(), json!("Child"));
                    Value::Object(call)
                }).expect("an object"),
                "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                          "Parameters": {"StateMachineArn": child, "Input": {"from": "express"}},
                          "ResultSelector": {"arn.$": "$.ExecutionArn"}, "ResultPath": "$.child", "End": true}
            }}),
        )
        .await;
    let done = node
        .start_sync(&machine, "t", json!({"url": recorder.url}))
        .await;
    assert_eq!(done.status, ExecutionStatus::Succeeded as i32, "{done:?}");
    let out = output(&done);
    assert_eq!(out["call"]["status"], 200);
    let child_arn = out["child"]["arn"].as_str().expect("the child's ARN");
    assert!(child_arn.contains(":execution:child:"), "{child_arn}");
    assert_eq!(recorder.bodies(), [json!({"url": recorder.url})]);
    node.shutdown().await;
}

#[tokio::test]
async fn starts_beyond_the_running_limit_are_throttled() {
    let node = Node::start(|options| options.express.running_max = 1).await;
    let machine = node
        .express(
            "slot",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}}),
        )
        .await;
    // The asynchronous start takes the only slot until its Wait is over.
    node.start_async(&machine, "holds-the-slot", json!({}))
        .await;
    let error = node
        .try_start_sync(&machine, "one-too-many", json!({}))
        .await
        .expect_err("no slot is free");
    assert_eq!(error_name(&error), "ThrottlingException", "{error}");
    assert_eq!(error.code(), tonic::Code::ResourceExhausted);
    node.shutdown().await;
}

#[tokio::test]
async fn an_async_start_cut_short_by_a_shutdown_runs_again_after_the_restart() {
    let mut node = Node::start(defaults).await;
    let recorder = Recorder::start().await;
    let machine = node
        .express(
            "survives",
            json!({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 3, "Next": "Call"},
                "Call": calls_recorder()["States"]["Call"]
            }}),
        )
        .await;
    node.start_async(&machine, "again", json!({"url": recorder.url, "n": 7}))
        .await;
    // Stopped during its Wait, long before it calls out.
    node.restart().await;
    recorder
        .must_see(DEADLINE, |bodies| bodies.iter().any(|b| b["n"] == 7))
        .await;
    // Finished now, so it is forgotten: after another restart only a new start calls out.
    // Had the old one been kept, it would run again ahead of the new one.
    node.restart().await;
    node.start_async(&machine, "marker", json!({"url": recorder.url, "n": 8}))
        .await;
    recorder
        .must_see(DEADLINE, |bodies| bodies.iter().any(|b| b["n"] == 8))
        .await;
    let runs: Vec<i64> = recorder
        .bodies()
        .iter()
        .filter_map(|b| b["n"].as_i64())
        .collect();
    assert_eq!(runs, [7, 8]);
    node.shutdown().await;
}
