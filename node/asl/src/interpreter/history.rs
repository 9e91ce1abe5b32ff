//! History events with the AWS event types and details (reference §6.3), so tools that read
//! Step Functions histories read ours.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::time::Timestamp;

/// One event of an execution's history. Ids are dense from 1; `previous_event_id` points at the
/// previous event of the same thread of control (a Parallel branch or Map iteration has its own
/// thread), 0 for the first event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: Timestamp,
    pub details: EventDetails,
}

/// The state types as they appear in event type names (`PassStateEntered`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl StateType {
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }
}

/// Which family of task events a Task state's resource produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskEventFamily {
    /// Optimised and SDK integrations: `Task*` events with `resourceType` and `resource`
    /// (`lambda` / `invoke.waitForTaskToken`).
    Service {
        resource_type: String,
        resource: String,
    },
    /// Activity ARNs: `Activity*` events.
    Activity,
    /// Legacy Lambda function ARNs: `LambdaFunction*` events.
    Lambda,
}

/// A workflow error as events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorDetails {
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventDetails {
    ExecutionStarted {
        input: Value,
        role_arn: String,
    },
    ExecutionSucceeded {
        output: Value,
    },
    ExecutionFailed(ErrorDetails),
    ExecutionAborted(ErrorDetails),
    ExecutionTimedOut(ErrorDetails),
    StateEntered {
        state_type: StateType,
        name: String,
        input: Value,
    },
    StateExited {
        state_type: StateType,
        name: String,
        output: Value,
        /// Variables the state assigned, each as compact JSON text.
        assigned_variables: Option<Map<String, Value>>,
    },
    /// `TaskStateAborted`, `WaitStateAborted`, `MapStateAborted`, `ParallelStateAborted`.
    StateAborted {
        state_type: StateType,
        name: String,
    },
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed(ErrorDetails),
    MapStateStarted {
        length: u64,
    },
    MapStateSucceeded,
    MapStateFailed(ErrorDetails),
    MapIterationStarted {
        name: String,
        index: u64,
    },
    MapIterationSucceeded {
        name: String,
        index: u64,
    },
    MapIterationFailed {
        name: String,
        index: u64,
    },
    MapIterationAborted {
        name: String,
        index: u64,
    },
    MapRunStarted {
        map_run_arn: String,
    },
    MapRunSucceeded,
    MapRunFailed(ErrorDetails),
    TaskScheduled {
        family: TaskEventFamily,
        region: String,
        parameters: Value,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    },
    TaskStarted {
        family: TaskEventFamily,
        worker_name: Option<String>,
    },
    TaskSubmitted {
        family: TaskEventFamily,
        output: Value,
    },
    TaskSucceeded {
        family: TaskEventFamily,
        output: Value,
    },
    TaskFailed {
        family: TaskEventFamily,
        failure: ErrorDetails,
    },
    TaskTimedOut {
        family: TaskEventFamily,
        failure: ErrorDetails,
    },
    EvaluationFailed {
        failure: ErrorDetails,
        location: String,
        state: String,
    },
}

impl EventDetails {
    /// The AWS event type, e.g. `PassStateEntered` or `ActivityScheduled`.
    pub fn event_type(&self) -> String {
        use EventDetails::*;
        let fixed = match self {
            ExecutionStarted { .. } => "ExecutionStarted",
            ExecutionSucceeded { .. } => "ExecutionSucceeded",
            ExecutionFailed(_) => "ExecutionFailed",
            ExecutionAborted(_) => "ExecutionAborted",
            ExecutionTimedOut(_) => "ExecutionTimedOut",
            StateEntered { state_type, .. } => {
                return format!("{}StateEntered", state_type.as_str());
            }
            StateExited { state_type, .. } => return format!("{}StateExited", state_type.as_str()),
            StateAborted { state_type, .. } => {
                return format!("{}StateAborted", state_type.as_str());
            }
            ParallelStateStarted => "ParallelStateStarted",
            ParallelStateSucceeded => "ParallelStateSucceeded",
            ParallelStateFailed(_) => "ParallelStateFailed",
            MapStateStarted { .. } => "MapStateStarted",
            MapStateSucceeded => "MapStateSucceeded",
            MapStateFailed(_) => "MapStateFailed",
            MapIterationStarted { .. } => "MapIterationStarted",
            MapIterationSucceeded { .. } => "MapIterationSucceeded",
            MapIterationFailed { .. } => "MapIterationFailed",
            MapIterationAborted { .. } => "MapIterationAborted",
            MapRunStarted { .. } => "MapRunStarted",
            MapRunSucceeded => "MapRunSucceeded",
            MapRunFailed(_) => "MapRunFailed",
            TaskScheduled { family, .. } => family_event(family, "Scheduled"),
            TaskStarted { family, .. } => family_event(family, "Started"),
            TaskSubmitted { .. } => "TaskSubmitted",
            TaskSucceeded { family, .. } => family_event(family, "Succeeded"),
            TaskFailed { family, .. } => family_event(family, "Failed"),
            TaskTimedOut { family, .. } => family_event(family, "TimedOut"),
            EvaluationFailed { .. } => "EvaluationFailed",
        };
        fixed.to_owned()
    }
}

fn family_event(family: &TaskEventFamily, suffix: &str) -> &'static str {
    match (family, suffix) {
        (TaskEventFamily::Service { .. }, "Scheduled") => "TaskScheduled",
        (TaskEventFamily::Service { .. }, "Started") => "TaskStarted",
        (TaskEventFamily::Service { .. }, "Succeeded") => "TaskSucceeded",
        (TaskEventFamily::Service { .. }, "Failed") => "TaskFailed",
        (TaskEventFamily::Service { .. }, _) => "TaskTimedOut",
        (TaskEventFamily::Activity, "Scheduled") => "ActivityScheduled",
        (TaskEventFamily::Activity, "Started") => "ActivityStarted",
        (TaskEventFamily::Activity, "Succeeded") => "ActivitySucceeded",
        (TaskEventFamily::Activity, "Failed") => "ActivityFailed",
        (TaskEventFamily::Activity, _) => "ActivityTimedOut",
        (TaskEventFamily::Lambda, "Scheduled") => "LambdaFunctionScheduled",
        (TaskEventFamily::Lambda, "Started") => "LambdaFunctionStarted",
        (TaskEventFamily::Lambda, "Succeeded") => "LambdaFunctionSucceeded",
        (TaskEventFamily::Lambda, "Failed") => "LambdaFunctionFailed",
        (TaskEventFamily::Lambda, _) => "LambdaFunctionTimedOut",
    }
}

impl HistoryEvent {
    pub fn event_type(&self) -> String {
        self.details.event_type()
    }

    /// The event as GetExecutionHistory returns it: `timestamp`, `type`, `id`,
    /// `previousEventId` and the `…EventDetails` member, with payloads as JSON text.
    pub fn to_aws_json(&self) -> Value {
        let mut event = Map::new();
        event.insert(
            "timestamp".into(),
            Value::String(self.timestamp.to_rfc3339()),
        );
        event.insert("type".into(), Value::String(self.event_type()));
        event.insert("id".into(), json!(self.id));
        event.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some((member, details)) = self.details_member() {
            event.insert(member.into(), details);
        }
        Value::Object(event)
    }

    fn details_member(&self) -> Option<(&'static str, Value)> {
        use EventDetails::*;
        let text = |v: &Value| Value::String(compact(v));
        Some(match &self.details {
            ExecutionStarted { input, role_arn } => (
                "executionStartedEventDetails",
                json!({"input": compact(input), "inputDetails": {"truncated": false}, "roleArn": role_arn}),
            ),
            ExecutionSucceeded { output } => (
                "executionSucceededEventDetails",
                json!({"output": text(output), "outputDetails": {"truncated": false}}),
            ),
            ExecutionFailed(e) => ("executionFailedEventDetails", error_json(e)),
            ExecutionAborted(e) => ("executionAbortedEventDetails", error_json(e)),
            ExecutionTimedOut(e) => ("executionTimedOutEventDetails", error_json(e)),
            StateEntered { name, input, .. } => (
                "stateEnteredEventDetails",
                json!({"name": name, "input": text(input), "inputDetails": {"truncated": false}}),
            ),
            StateExited {
                name,
                output,
                assigned_variables,
                ..
            } => {
                let mut d = json!({"name": name, "output": text(output), "outputDetails": {"truncated": false}});
                if let Some(vars) = assigned_variables {
                    d["assignedVariables"] = Value::Object(vars.clone());
                    d["assignedVariablesDetails"] = json!({"truncated": false});
                }
                ("stateExitedEventDetails", d)
            }
            MapStateStarted { length } => {
                ("mapStateStartedEventDetails", json!({"length": length}))
            }
            MapIterationStarted { name, index } => (
                "mapIterationStartedEventDetails",
                json!({"name": name, "index": index}),
            ),
            MapIterationSucceeded { name, index } => (
                "mapIterationSucceededEventDetails",
                json!({"name": name, "index": index}),
            ),
            MapIterationFailed { name, index } => (
                "mapIterationFailedEventDetails",
                json!({"name": name, "index": index}),
            ),
            MapIterationAborted { name, index } => (
                "mapIterationAbortedEventDetails",
                json!({"name": name, "index": index}),
            ),
            MapRunStarted { map_run_arn } => (
                "mapRunStartedEventDetails",
                json!({"mapRunArn": map_run_arn}),
            ),
            MapRunFailed(e) => ("mapRunFailedEventDetails", error_json(e)),
            ParallelStateFailed(_) | MapStateFailed(_) => return None,
            TaskScheduled {
                family,
                region,
                parameters,
                timeout_seconds,
                heartbeat_seconds,
            } => {
                let mut d = Map::new();
                match family {
                    TaskEventFamily::Service {
                        resource_type,
                        resource,
                    } => {
                        d.insert("resourceType".into(), json!(resource_type));
                        d.insert("resource".into(), json!(resource));
                        d.insert("region".into(), json!(region));
                        d.insert("parameters".into(), text(parameters));
                    }
                    TaskEventFamily::Activity | TaskEventFamily::Lambda => {
                        d.insert("input".into(), text(parameters));
                        d.insert("inputDetails".into(), json!({"truncated": false}));
                    }
                }
                if let Some(t) = timeout_seconds {
                    d.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    d.insert("heartbeatInSeconds".into(), json!(h));
                }
                (scheduled_member(family), Value::Object(d))
            }
            TaskStarted {
                family,
                worker_name,
            } => match family {
                TaskEventFamily::Service {
                    resource_type,
                    resource,
                } => (
                    "taskStartedEventDetails",
                    json!({"resourceType": resource_type, "resource": resource}),
                ),
                TaskEventFamily::Activity => (
                    "activityStartedEventDetails",
                    json!({"workerName": worker_name.clone().unwrap_or_default()}),
                ),
                TaskEventFamily::Lambda => return None,
            },
            TaskSubmitted { family, output } => (
                "taskSubmittedEventDetails",
                with_resource(
                    family,
                    json!({"output": text(output), "outputDetails": {"truncated": false}}),
                ),
            ),
            TaskSucceeded { family, output } => (
                outcome_member(family, "Succeeded"),
                with_resource(
                    family,
                    json!({"output": text(output), "outputDetails": {"truncated": false}}),
                ),
            ),
            TaskFailed { family, failure } => (
                outcome_member(family, "Failed"),
                with_resource(family, error_json(failure)),
            ),
            TaskTimedOut { family, failure } => (
                outcome_member(family, "TimedOut"),
                with_resource(family, error_json(failure)),
            ),
            EvaluationFailed {
                failure,
                location,
                state,
            } => {
                let mut d = error_json(failure);
                d["location"] = json!(location);
                d["state"] = json!(state);
                ("evaluationFailedEventDetails", d)
            }
            ParallelStateStarted
            | ParallelStateSucceeded
            | MapStateSucceeded
            | MapRunSucceeded
            | StateAborted { .. } => {
                return None;
            }
        })
    }
}

fn scheduled_member(family: &TaskEventFamily) -> &'static str {
    match family {
        TaskEventFamily::Service { .. } => "taskScheduledEventDetails",
        TaskEventFamily::Activity => "activityScheduledEventDetails",
        TaskEventFamily::Lambda => "lambdaFunctionScheduledEventDetails",
    }
}

fn outcome_member(family: &TaskEventFamily, outcome: &str) -> &'static str {
    match (family, outcome) {
        (TaskEventFamily::Service { .. }, "Succeeded") => "taskSucceededEventDetails",
        (TaskEventFamily::Service { .. }, "Failed") => "taskFailedEventDetails",
        (TaskEventFamily::Service { .. }, _) => "taskTimedOutEventDetails",
        (TaskEventFamily::Activity, "Succeeded") => "activitySucceededEventDetails",
        (TaskEventFamily::Activity, "Failed") => "activityFailedEventDetails",
        (TaskEventFamily::Activity, _) => "activityTimedOutEventDetails",
        (TaskEventFamily::Lambda, "Succeeded") => "lambdaFunctionSucceededEventDetails",
        (TaskEventFamily::Lambda, "Failed") => "lambdaFunctionFailedEventDetails",
        (TaskEventFamily::Lambda, _) => "lambdaFunctionTimedOutEventDetails",
    }
}

fn with_resource(family: &TaskEventFamily, mut details: Value) -> Value {
    if let TaskEventFamily::Service {
        resource_type,
        resource,
    } = family
    {
        details["resourceType"] = json!(resource_type);
        details["resource"] = json!(resource);
    }
    details
}

fn error_json(e: &ErrorDetails) -> Value {
    let mut d = Map::new();
    if let Some(error) = &e.error {
        d.insert("error".into(), json!(error));
    }
    if let Some(cause) = &e.cause {
        d.insert("cause".into(), json!(cause));
    }
    Value::Object(d)
}

/// Compact JSON text of a payload, as AWS puts payloads in event details.
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("serde_json::Value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_follow_aws_names() {
        let entered = EventDetails::StateEntered {
            state_type: StateType::Pass,
            name: "A".into(),
            input: json!({}),
        };
        assert_eq!(entered.event_type(), "PassStateEntered");
        let family = TaskEventFamily::Activity;
        assert_eq!(
            EventDetails::TaskStarted {
                family,
                worker_name: None
            }
            .event_type(),
            "ActivityStarted"
        );
        let lambda = EventDetails::TaskTimedOut {
            family: TaskEventFamily::Lambda,
            failure: ErrorDetails::default(),
        };
        assert_eq!(lambda.event_type(), "LambdaFunctionTimedOut");
    }

    #[test]
    fn aws_json_carries_payloads_as_text() {
        let event = HistoryEvent {
            id: 2,
            previous_event_id: 1,
            timestamp: Timestamp(0),
            details: EventDetails::StateEntered {
                state_type: StateType::Pass,
                name: "A".into(),
                input: json!({"a": 1}),
            },
        };
        let v = event.to_aws_json();
        assert_eq!(v["type"], "PassStateEntered");
        assert_eq!(v["stateEnteredEventDetails"]["input"], "{\"a\":1}");
        assert_eq!(v["previousEventId"], 1);
    }
}
