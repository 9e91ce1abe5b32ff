//! What the interpreter asks its caller to do, and the ids that tie the answers back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::Timestamp;

/// Identifies one task attempt within an execution (a retry gets a new id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskId(pub u64);

/// Identifies one timer within an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimerId(pub u64);

/// Everything a runtime needs to run a Task state's work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRequest {
    pub task: TaskId,
    pub state: String,
    pub resource: String,
    /// The effective input (after InputPath/Parameters or Arguments).
    pub input: Value,
    /// The task token, for activities and `.waitForTaskToken` integrations.
    pub token: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub credentials: Option<Value>,
    /// 0 for the first attempt, then 1, 2, … for retries.
    pub attempt: u64,
}

/// An action for the runtime, performed only after the transition that produced it is
/// committed (DESIGN invariant 1).
// Effects are short-lived values in a transition's output; boxing the request gains nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    /// Start the task; report back with `TaskStarted`, then `TaskSucceeded` / `TaskFailed`.
    RunTask(TaskRequest),
    /// The task's result is no longer wanted (timed out, aborted, execution stopped).
    CancelTask {
        task: TaskId,
    },
    /// Fire `TimerFired { timer }` at or after `due` (replaces a timer with the same id).
    SetTimer {
        timer: TimerId,
        due: Timestamp,
    },
    CancelTimer {
        timer: TimerId,
    },
}
