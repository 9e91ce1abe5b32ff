//! The payloads of shard requests.

use cairn_proto::storage::{ActivityRecord, DefinitionRow, ParentLink, StateMachineRecord};

/// Everything a shard needs to start an execution: the API has already read the state
/// machine (on its own shard) and validated name and input.
#[derive(Debug, Clone)]
pub struct StartRequest {
    pub state_machine_name: String,
    pub execution_name: String,
    /// JSON text of the input.
    pub input_json: String,
    pub definition: DefinitionRow,
    /// Set when a Task state of another execution starts this one.
    pub parent: Option<ParentLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartReply {
    pub execution_arn: String,
    pub start_millis: i64,
    /// False when an identical start found the execution already running (idempotent start).
    pub created: bool,
}

/// Changes to a state machine record (on the shard of its name).
#[derive(Debug, Clone)]
pub enum StateMachineCommand {
    Put {
        record: Box<StateMachineRecord>,
        expected_revision_id: String,
    },
    Delete {
        name: String,
    },
}

/// Changes to an activity record (on the shard of its name).
#[derive(Debug, Clone)]
pub enum ActivityCommand {
    Put(ActivityRecord),
    Delete { name: String },
}
