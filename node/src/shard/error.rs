//! What can go wrong inside a shard, in terms a client can act on.

use crate::ids::ShardId;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("execution {0} does not exist")]
    ExecutionDoesNotExist(String),
    #[error(
        "execution {0} already exists with another input or has already ended; choose another name"
    )]
    ExecutionAlreadyExists(String),
    #[error("the execution has already ended")]
    ExecutionFinished,
    #[error("the definition of this execution can no longer be read: {0}")]
    InvalidDefinition(String),
    #[error("task {0} is not open: it finished, timed out or never existed")]
    TaskDoesNotExist(String),
    #[error("task {0} was already taken by a worker")]
    TaskAlreadyStarted(String),
    #[error("state machine {0} has changed since it was read; retry")]
    Conflict(String),
    #[error("shard {shard} is not led by this node{}", leader_hint.map(|n| format!("; node {n} leads it")).unwrap_or_default())]
    NotLeader {
        shard: ShardId,
        leader_hint: Option<u64>,
    },
    #[error("shard {0} is starting up; retry shortly")]
    NotReady(ShardId),
    #[error("the node is shutting down")]
    ShuttingDown,
    #[error("node {node} could not be reached: {reason}")]
    Unreachable { node: u64, reason: String },
    #[error("shard {shard} has stopped: {reason}")]
    ShardStopped { shard: ShardId, reason: String },
    #[error("state machine {0} does not exist")]
    StateMachineDoesNotExist(String),
    #[error("state machine {0} is being deleted")]
    StateMachineDeleting(String),
    #[error("activity {0} does not exist")]
    ActivityDoesNotExist(String),
    #[error("invalid ARN: {0}")]
    InvalidArn(String),
    #[error("invalid name: {0}")]
    InvalidName(String),
    #[error("invalid execution input: {0}")]
    InvalidExecutionInput(String),
    #[error("storage failed: {0}")]
    Storage(String),
}

impl Error {
    /// True for failures that pass once leadership settles or a node returns: the request
    /// may be sent again unchanged.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::NotLeader { .. }
                | Error::NotReady(_)
                | Error::ShuttingDown
                | Error::Unreachable { .. }
                | Error::ShardStopped { .. }
        )
    }
}
