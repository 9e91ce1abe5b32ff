//! The state of one execution, as the interpreter keeps it between transitions.
//!
//! Everything here is plain data (serde), so the node can store it and a replica or a new
//! leader can resume from it. An execution is a tree of [`Frame`]s: the top-level frame, one per
//! running Parallel branch and one per running Map iteration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::effect::{TaskId, TimerId};
use crate::definition::{GraphId, MachineType};
use crate::error::Failure;
use crate::time::Timestamp;

/// Identifies a frame within its execution. The top-level frame is [`FrameId::ROOT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FrameId(pub u64);

impl FrameId {
    pub const ROOT: FrameId = FrameId(0);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl ExecutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        }
    }

    pub fn is_terminal(self) -> bool {
        self != ExecutionStatus::Running
    }
}

/// Who the execution is: the values the context object's `Execution` and `StateMachine`
/// members report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionInfo {
    /// The execution ARN (`$$.Execution.Id`).
    pub id: String,
    pub name: String,
    pub state_machine_id: String,
    pub state_machine_name: String,
    pub role_arn: String,
    /// The region reported in task events.
    pub region: String,
    pub start_time: Timestamp,
    pub redrive_count: u64,
    /// Express executions have no redrive and show no `RedriveCount` in their context.
    pub machine_type: MachineType,
}

/// Bounds that make an execution fail rather than grow without limit (DESIGN invariant 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest state input/output, in bytes of UTF-8 JSON (`States.DataLimitExceeded`).
    pub payload_bytes_max: u64,
    /// Longest history; the execution fails when it would grow past this.
    pub history_events_max: u64,
    /// Execution time when the definition sets no `TimeoutSeconds`.
    pub execution_seconds_max: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            payload_bytes_max: 262_144,
            history_events_max: 25_000,
            execution_seconds_max: 365 * 24 * 3600,
        }
    }
}

/// The outcome of a finished execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Succeeded { output: Value },
    Failed(Failure),
    TimedOut(Failure),
    Aborted(Failure),
}

/// One execution's whole interpreter state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub info: ExecutionInfo,
    pub input: Value,
    pub limits: Limits,
    pub status: ExecutionStatus,
    pub outcome: Option<Outcome>,
    /// Id of the last history event written (events are dense from 1).
    pub last_event_id: u64,
    pub frames: BTreeMap<FrameId, Frame>,
    pub next_frame_id: u64,
    pub next_task_id: u64,
    pub next_timer_id: u64,
    /// The execution-wide `TimeoutSeconds` timer.
    pub timeout_timer: Option<Timer>,
    /// State transitions made so far (entered states), for metrics.
    pub transitions: u64,
}

/// A thread of control running one graph: the execution itself, a Parallel branch or a Map
/// iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub graph: GraphId,
    /// The frame of the Parallel or Map state that started this one, and the branch or item
    /// index.
    pub parent: Option<(FrameId, u64)>,
    /// Variables assigned in this scope.
    pub variables: Map<String, Value>,
    /// A Distributed Map child: its events are not part of the parent's history and it cannot
    /// read the parent's variables.
    pub detached: bool,
    /// The last event of this thread, for `previousEventId`.
    pub last_event_id: u64,
    pub at: At,
}

/// What a frame is doing.
// Most frames are `Active`; boxing it would add an allocation per state for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum At {
    /// About to enter `state` with `input`.
    Entering { state: String, input: Value },
    /// Inside a state that waits for something outside the interpreter.
    Active(Active),
    /// The graph ended with this output.
    Succeeded { output: Value },
    /// The graph ended with an error no state handled.
    Failed { failure: Failure },
    /// Stopped because a sibling failed or the execution ended.
    Aborted,
}

/// A state that has been entered and is waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Active {
    pub state: String,
    /// The state's raw input, which `ResultPath` and catchers combine with.
    pub input: Value,
    pub entered_event_id: u64,
    pub entered_time: Timestamp,
    /// Attempts used per retrier (index in the state's `Retry`), across the state's visit.
    pub retry_counts: Vec<u64>,
    /// `$$.State.RetryCount`: retries so far in this visit.
    pub retry_count: u64,
    pub work: Work,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Work {
    Task(TaskWork),
    /// A Wait state's timer.
    Wait {
        timer: Timer,
    },
    /// Waiting for the retry delay after a failure, then the state's work runs again.
    Backoff {
        timer: Timer,
    },
    Parallel(ContainerWork),
    Map(MapWork),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskWork {
    pub task: TaskId,
    pub resource: String,
    pub credentials: Option<Value>,
    pub token: Option<String>,
    /// The resolved input sent to the task (`parameters` in TaskScheduled).
    pub parameters: Value,
    pub started: bool,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub timeout_timer: Option<Timer>,
    pub heartbeat_timer: Option<Timer>,
}

/// A running timer: fired through [`super::Input::TimerFired`] once `due` has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub id: TimerId,
    pub due: Timestamp,
}

/// The children of a running Parallel state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerWork {
    /// Child frame per branch, in branch order.
    pub children: Vec<FrameId>,
    pub results: Vec<Option<Value>>,
}

/// A running Map state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapWork {
    /// Each iteration's input, after `ItemSelector`.
    pub inputs: Vec<Value>,
    /// Result per item (`None` while not finished).
    pub results: Vec<Option<Value>>,
    /// Running iterations: item index → frame.
    pub running: BTreeMap<u64, FrameId>,
    /// The next item to start.
    pub next_item: u64,
    /// 0 means no limit.
    pub max_concurrency: u64,
    pub failed: u64,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
    pub distributed: bool,
}

impl Execution {
    pub fn frame(&self, id: FrameId) -> &Frame {
        self.frames
            .get(&id)
            .expect("frame ids held by the interpreter are live")
    }

    pub fn frame_mut(&mut self, id: FrameId) -> &mut Frame {
        self.frames
            .get_mut(&id)
            .expect("frame ids held by the interpreter are live")
    }

    pub fn is_finished(&self) -> bool {
        self.status.is_terminal()
    }
}
