//! Executions, one pure transition at a time.
//!
//! The interpreter is a function from (execution state, input event, time, seed) to (history
//! events, new state, effects). It never performs an effect itself: the caller commits the
//! events and new state, then runs the effects (DESIGN §2). A run of states with no external
//! effect — Pass, Choice, Succeed, Fail, a due Wait, whole Parallel branches of those — is
//! computed within one call (DESIGN invariant 6).
//!
//! ```
//! use asl::definition::{Definition, ParseOptions};
//! use asl::interpreter::{self, ExecutionInfo, Limits, Stamp, UnsignedTokens};
//! use asl::Timestamp;
//! use serde_json::json;
//!
//! let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 42, "End": true}}}"#;
//! let definition = Definition::parse(text, &ParseOptions::default()).unwrap();
//! let info = ExecutionInfo {
//!     id: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
//!     name: "e".into(),
//!     state_machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
//!     state_machine_name: "m".into(),
//!     role_arn: "arn:aws:iam::123456789012:role/r".into(),
//!     region: "us-east-1".into(),
//!     start_time: Timestamp(0),
//!     redrive_count: 0,
//!     machine_type: Default::default(),
//! };
//! let stamp = Stamp { now: Timestamp(0), seed: 1 };
//! let (execution, step) = interpreter::start(
//!     &definition.machine, info, json!({}), Limits::default(), stamp, &UnsignedTokens,
//! );
//! assert_eq!(execution.status.as_str(), "SUCCEEDED");
//! assert_eq!(step.events.len(), 4); // ExecutionStarted, PassStateEntered/Exited, ExecutionSucceeded
//! ```

mod context;
mod effect;
mod eval;
mod execution;
mod flow;
mod history;
mod states;
mod task_resource;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use effect::{Effect, TaskId, TaskRequest, TimerId};
pub use execution::{
    Active, At, ContainerWork, Execution, ExecutionInfo, ExecutionStatus, Frame, FrameId, Limits,
    MapWork, Outcome, TaskWork, Timer, Work,
};
pub use history::{ErrorDetails, EventDetails, HistoryEvent, StateType, TaskEventFamily, compact};
pub use task_resource::{IntegrationPattern, ResourceKind, classify_resource};

use crate::definition::StateMachine;
use crate::error::Failure;
use crate::time::Timestamp;

/// Time and randomness for one transition, stamped by the caller (the shard leader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub now: Timestamp,
    pub seed: u64,
}

/// What happened outside the interpreter that an execution must react to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Input {
    /// The runtime started the task (a worker took an activity task, a call went out).
    TaskStarted {
        task: TaskId,
        worker_name: Option<String>,
    },
    /// A `.sync` or `.waitForTaskToken` task's call returned; the result comes later.
    TaskSubmitted {
        task: TaskId,
        output: Value,
    },
    TaskSucceeded {
        task: TaskId,
        output: Value,
    },
    TaskFailed {
        task: TaskId,
        failure: Failure,
    },
    /// `SendTaskHeartbeat`: restarts the heartbeat clock.
    TaskHeartbeat {
        task: TaskId,
    },
    TimerFired {
        timer: TimerId,
    },
    /// `StopExecution`.
    Stop {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// The result of one transition: history events to append and effects to run once they are
/// committed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub events: Vec<HistoryEvent>,
    pub effects: Vec<Effect>,
}

/// Why an input was not applied. The execution is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the execution has already finished")]
    ExecutionFinished,
    #[error("task {0:?} is not open (it finished, timed out or never existed)")]
    UnknownTask(TaskId),
    #[error("task {0:?} has not been started")]
    TaskNotStarted(TaskId),
    #[error("task {0:?} was already started")]
    TaskAlreadyStarted(TaskId),
}

/// Makes the task token for a task attempt. The node signs tokens with a cluster secret; the
/// result must depend only on its arguments so replays agree.
pub trait TaskTokens {
    fn mint(&self, execution: &ExecutionInfo, task: TaskId) -> String;
}

/// Tokens without a signature, for local runs and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnsignedTokens;

impl TaskTokens for UnsignedTokens {
    fn mint(&self, execution: &ExecutionInfo, task: TaskId) -> String {
        format!("{}#{}", execution.id, task.0)
    }
}

/// Starts an execution: `ExecutionStarted`, then as far as it can go without outside help.
pub fn start(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    limits: Limits,
    stamp: Stamp,
    tokens: &dyn TaskTokens,
) -> (Execution, Step) {
    flow::start(machine, info, input, limits, stamp, tokens)
}

impl Execution {
    /// Applies one input. On `Err` nothing changed.
    pub fn apply(
        &mut self,
        machine: &StateMachine,
        input: Input,
        stamp: Stamp,
        tokens: &dyn TaskTokens,
    ) -> Result<Step, InputError> {
        flow::apply(self, machine, input, stamp, tokens)
    }

    /// The effects that must be in place for this execution to make progress: every open
    /// task and every armed timer. A new leader calls this after a failover (DESIGN
    /// invariant 4).
    pub fn pending_effects(&self) -> Vec<Effect> {
        flow::pending_effects(self)
    }

    /// Every open task, with whether it has started (an activity a worker has taken).
    pub fn open_tasks(&self) -> Vec<(TaskRequest, bool)> {
        self.frames
            .values()
            .filter_map(|frame| match &frame.at {
                At::Active(active) => match &active.work {
                    Work::Task(task) => Some((states::task_request(active, task), task.started)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Every armed timer: the execution timeout, Waits, retry delays, task timeouts and
    /// heartbeats.
    pub fn armed_timers(&self) -> Vec<Timer> {
        self.pending_effects()
            .into_iter()
            .filter_map(|effect| match effect {
                Effect::SetTimer { timer, due } => Some(Timer { id: timer, due }),
                _ => None,
            })
            .collect()
    }
}
