//! The fake's data: state machines, executions with their histories, activities and tasks.

use std::collections::{BTreeMap, HashMap, VecDeque};

use asl::Timestamp;
use asl::definition::{Definition, MachineType, ParseOptions};
use asl::local::{self, NoMocks};
use cairn_client::local::{local_info, now, outcome_fields};
use cairn_client::proto::{ExecutionStatus, HistoryEvent};
use serde_json::Value;
use tonic::Status;

use super::errors::{invalid, not_found};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

pub struct Machine {
    pub arn: String,
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    pub machine_type: i32,
    pub created_millis: i64,
    pub revision: u64,
}

pub struct Execution {
    pub arn: String,
    pub machine_arn: String,
    pub name: String,
    pub input: String,
    pub status: ExecutionStatus,
    pub started_millis: i64,
    pub stopped_millis: Option<i64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// What readers of the history see.
    pub published: Vec<HistoryEvent>,
    /// The rest of a held execution's history, and how it ends.
    pub held: Option<Held>,
    /// WatchExecution calls so far.
    pub watches: u32,
}

/// A finished synchronous Express execution.
pub struct SyncRun {
    pub arn: String,
    pub name: String,
    pub input: String,
    pub started_millis: i64,
    pub stopped_millis: i64,
    pub status: ExecutionStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

pub struct Held {
    pub events: Vec<HistoryEvent>,
    pub status: ExecutionStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

pub struct Activity {
    pub arn: String,
    pub name: String,
    pub created_millis: i64,
    pub queue: VecDeque<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Success(String),
    Failure {
        error: Option<String>,
        cause: Option<String>,
    },
}

pub struct Task {
    pub input: String,
    pub worker: Option<String>,
    pub heartbeats: u32,
    pub answer: Option<Answer>,
}

pub struct Store {
    pub endpoint: String,
    /// By name, so lists come out in name order.
    pub machines: BTreeMap<String, Machine>,
    pub executions: HashMap<String, Execution>,
    /// Execution ARNs in start order.
    pub started: Vec<String>,
    /// Express execution ARNs started with StartSyncExecution, in order.
    pub started_sync: Vec<String>,
    pub activities: BTreeMap<String, Activity>,
    pub tasks: HashMap<String, Task>,
    /// When set, each WatchExecution stream ends after this many events, as a stream does
    /// when its node goes away.
    pub watch_stream_events_max: Option<usize>,
    next_id: u64,
}

impl Store {
    pub fn new(endpoint: &str) -> Store {
        Store {
            endpoint: endpoint.to_owned(),
            machines: BTreeMap::new(),
            executions: HashMap::new(),
            started: Vec::new(),
            started_sync: Vec::new(),
            activities: BTreeMap::new(),
            tasks: HashMap::new(),
            watch_stream_events_max: None,
            next_id: 0,
        }
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn machine_by_arn(&self, arn: &str) -> Result<&Machine, Status> {
        self.machines
            .values()
            .find(|m| m.arn == arn)
            .ok_or_else(|| not_found("StateMachineDoesNotExist", &format!("State machine {arn}")))
    }

    pub fn execution(&self, arn: &str) -> Result<&Execution, Status> {
        self.executions
            .get(arn)
            .ok_or_else(|| not_found("ExecutionDoesNotExist", &format!("Execution {arn}")))
    }

    pub fn activity_by_arn(&self, arn: &str) -> Result<&Activity, Status> {
        self.activities
            .values()
            .find(|a| a.arn == arn)
            .ok_or_else(|| not_found("ActivityDoesNotExist", &format!("Activity {arn}")))
    }

    /// Starts an execution: runs it through the interpreter at once and publishes its history
    /// up to its first Wait state (held there) or to its end.
    pub fn start(
        &mut self,
        machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Result<&Execution, Status> {
        let machine = self.machine_by_arn(machine_arn)?;
        let (machine_name, definition_text) = (machine.name.clone(), machine.definition.clone());
        let name = if name.is_empty() {
            format!("execution-{}", self.next_id())
        } else {
            name.to_owned()
        };
        let input = if input.is_empty() { "{}" } else { input };
        let input_value: Value = serde_json::from_str(input).map_err(|e| {
            invalid(
                "InvalidExecutionInput",
                format!("the input is not JSON: {e}"),
            )
        })?;
        let start = now();
        let info = local_info(&machine_name, &name, start, MachineType::Standard);
        if let Some(existing) = self.executions.get(&info.id) {
            if existing.status == ExecutionStatus::Running && existing.input == input {
                return Ok(&self.executions[&info.id]);
            }
            return Err(invalid(
                "ExecutionAlreadyExists",
                format!("Execution already exists: {}", info.id),
            ));
        }
        let definition = Definition::parse(&definition_text, &ParseOptions::default())
            .map_err(|_| invalid("InvalidDefinition", "the stored definition does not parse"))?;
        let arn = info.id.clone();
        let options = local::Options {
            start_time: start,
            ..local::Options::default()
        };
        let run = local::run(
            &definition.machine,
            info,
            input_value,
            &mut NoMocks,
            &options,
        )
        .map_err(|e| Status::unimplemented(format!("the fake cannot run this: {e}")))?;
        let (status, output, error, cause) = outcome_fields(&run.execution.outcome);
        let status = ExecutionStatus::from_str_name(status).expect("outcomes use API statuses");
        let output = output.map(|o| o.to_string());
        let mut events: Vec<HistoryEvent> = run.history.iter().map(to_proto).collect();
        let stopped = events
            .last()
            .and_then(|e| e.timestamp)
            .map(|t| t.epoch_millis);
        let hold_at = events.iter().position(|e| e.r#type == "WaitStateEntered");
        let held = hold_at.map(|at| Held {
            events: events.split_off(at + 1),
            status,
            output: output.clone(),
            error: error.clone(),
            cause: cause.clone(),
        });
        let execution = if held.is_some() {
            Execution {
                status: ExecutionStatus::Running,
                stopped_millis: None,
                output: None,
                error: None,
                cause: None,
                ..new_execution(
                    &arn,
                    machine_arn,
                    &name,
                    input,
                    start.as_millis(),
                    events,
                    held,
                )
            }
        } else {
            Execution {
                status,
                stopped_millis: stopped,
                output,
                error,
                cause,
                ..new_execution(
                    &arn,
                    machine_arn,
                    &name,
                    input,
                    start.as_millis(),
                    events,
                    None,
                )
            }
        };
        self.started.push(arn.clone());
        self.executions.insert(arn.clone(), execution);
        Ok(&self.executions[&arn])
    }

    /// StartSyncExecution: runs an EXPRESS machine's execution to its end, keeping nothing
    /// but its ARN.
    pub fn start_sync(
        &mut self,
        machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Result<SyncRun, Status> {
        let machine = self.machine_by_arn(machine_arn)?;
        if machine.machine_type != cairn_client::proto::StateMachineType::Express as i32 {
            return Err(invalid(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            ));
        }
        let (machine_name, definition_text) = (machine.name.clone(), machine.definition.clone());
        let name = if name.is_empty() {
            format!("execution-{}", self.next_id())
        } else {
            name.to_owned()
        };
        let input = if input.is_empty() { "{}" } else { input };
        let input_value: Value = serde_json::from_str(input)
            .map_err(|e| invalid("InvalidExecutionInput", format!("not JSON: {e}")))?;
        let express = ParseOptions {
            machine_type: MachineType::Express,
        };
        let definition = Definition::parse(&definition_text, &express)
            .map_err(|_| invalid("InvalidDefinition", "the stored definition does not parse"))?;
        let start = now();
        let info = local_info(&machine_name, &name, start, MachineType::Express);
        let arn = info.id.clone();
        let options = local::Options {
            start_time: start,
            ..local::Options::default()
        };
        let run = local::run(
            &definition.machine,
            info,
            input_value,
            &mut NoMocks,
            &options,
        )
        .map_err(|e| Status::unimplemented(format!("the fake cannot run this: {e}")))?;
        let (status, output, error, cause) = outcome_fields(&run.execution.outcome);
        self.started_sync.push(arn.clone());
        Ok(SyncRun {
            arn,
            name,
            input: input.to_owned(),
            started_millis: start.as_millis(),
            stopped_millis: run
                .history
                .last()
                .map_or(start.as_millis(), |e| e.timestamp.as_millis()),
            status: ExecutionStatus::from_str_name(status).expect("outcomes use API statuses"),
            output: output.map(|o| o.to_string()),
            error,
            cause,
        })
    }

    /// Publishes the rest of a held execution's history.
    pub fn release(&mut self, arn: &str) {
        let execution = self
            .executions
            .get_mut(arn)
            .expect("the test releases an execution it started");
        let held = execution.held.take().expect("the execution is held");
        execution.stopped_millis = held
            .events
            .last()
            .and_then(|e| e.timestamp)
            .map(|t| t.epoch_millis);
        execution.published.extend(held.events);
        execution.status = held.status;
        execution.output = held.output;
        execution.error = held.error;
        execution.cause = held.cause;
    }

    /// Aborts a running execution with an ExecutionAborted event.
    pub fn stop(
        &mut self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<i64, Status> {
        self.execution(arn)?;
        let execution = self.executions.get_mut(arn).expect("checked above");
        if execution.status != ExecutionStatus::Running {
            return Ok(execution.stopped_millis.unwrap_or_default());
        }
        let stopped = now().as_millis();
        let last = execution.published.last().map_or(0, |e| e.id);
        let mut details = serde_json::Map::new();
        if let Some(error) = &error {
            details.insert("error".into(), error.clone().into());
        }
        if let Some(cause) = &cause {
            details.insert("cause".into(), cause.clone().into());
        }
        execution.published.push(HistoryEvent {
            id: last + 1,
            previous_event_id: last,
            timestamp: Some(cairn_client::proto::Timestamp {
                epoch_millis: stopped,
            }),
            r#type: "ExecutionAborted".into(),
            details_json: serde_json::json!({"executionAbortedEventDetails": details}).to_string(),
        });
        execution.held = None;
        execution.status = ExecutionStatus::Aborted;
        execution.stopped_millis = Some(stopped);
        execution.error = error;
        execution.cause = cause;
        Ok(stopped)
    }

    pub fn enqueue_task(&mut self, activity_arn: &str, input: &str) -> String {
        let token = format!("token-{}", self.next_id());
        let activity = self
            .activities
            .values_mut()
            .find(|a| a.arn == activity_arn)
            .expect("the test enqueues on an activity it created");
        activity.queue.push_back(token.clone());
        self.tasks.insert(
            token.clone(),
            Task {
                input: input.to_owned(),
                worker: None,
                heartbeats: 0,
                answer: None,
            },
        );
        token
    }

    /// The open task behind `token`.
    pub fn open_task(&mut self, token: &str) -> Result<&mut Task, Status> {
        let task = self
            .tasks
            .get_mut(token)
            .ok_or_else(|| invalid("InvalidToken", format!("{token:?} is not a task token")))?;
        if task.answer.is_some() {
            return Err(not_found("TaskDoesNotExist", "The task"));
        }
        Ok(task)
    }
}

fn new_execution(
    arn: &str,
    machine_arn: &str,
    name: &str,
    input: &str,
    started_millis: i64,
    published: Vec<HistoryEvent>,
    held: Option<Held>,
) -> Execution {
    Execution {
        arn: arn.to_owned(),
        machine_arn: machine_arn.to_owned(),
        name: name.to_owned(),
        input: input.to_owned(),
        status: ExecutionStatus::Running,
        started_millis,
        stopped_millis: None,
        output: None,
        error: None,
        cause: None,
        published,
        held,
        watches: 0,
    }
}

/// An interpreter event as the API sends it: the envelope in fields, the details member as
/// JSON text.
fn to_proto(event: &asl::interpreter::HistoryEvent) -> HistoryEvent {
    let mut details = match event.to_aws_json() {
        Value::Object(members) => members,
        _ => serde_json::Map::new(),
    };
    for envelope in ["timestamp", "type", "id", "previousEventId"] {
        details.remove(envelope);
    }
    HistoryEvent {
        id: event.id,
        previous_event_id: event.previous_event_id,
        timestamp: Some(cairn_client::proto::Timestamp {
            epoch_millis: event.timestamp.as_millis(),
        }),
        r#type: event.event_type(),
        details_json: Value::Object(details).to_string(),
    }
}

pub fn machine_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

pub fn activity_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}")
}

pub fn now_millis() -> i64 {
    Timestamp::as_millis(now())
}
