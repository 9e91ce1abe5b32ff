//! The one concrete openraft type configuration Cairn uses.

use std::io::Cursor;

use cairn_proto::storage::Proposal;

openraft::declare_raft_types!(
    /// Entries carry a [`Proposal`] (a batch of commands); applying one yields an
    /// [`ApplyResult`] with one outcome per command.
    pub TypeConfig:
        D = Proposal,
        R = ApplyResult,
);

/// What applying one proposal did, command by command (same order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyResult {
    pub outcomes: Vec<CommandOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    Applied,
    Rejected(RejectReason),
}

/// Why a command was skipped at apply time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The execution's last event id was not the one the transition expected: a stale or
    /// duplicate proposal (a deposed leader's, or a retried start).
    StaleTransition { expected: u64, actual: u64 },
    /// A state machine changed since the update was computed.
    StaleRevision { expected: String, actual: String },
}
