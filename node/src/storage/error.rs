//! `storage::Error`: what went wrong under the node's RocksDB, said so an operator can act.
//!
//! Three kinds of failure, handled differently above:
//! - the environment (path, permission, disk full, lock held): fix the machine and restart;
//! - corrupt data (a row that does not decode, a key of the wrong shape): stop the shard;
//! - a broken invariant while applying a committed entry (an event id gap, a command this
//!   version does not know): stop the shard, every replica would hit the same entry.
//!
//! Raft-facing code turns these into openraft's `StorageError`, which stops the Raft group.

use std::path::PathBuf;

use openraft::{ErrorSubject, ErrorVerb, StorageError, StorageIOError};

use super::keys::{self, Table};
use crate::ids::{NodeId, ShardId};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot create the data directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("permission denied on {}: give the node's user read and write access ({source})", path.display())]
    PermissionDenied {
        path: PathBuf,
        source: rocksdb::Error,
    },

    #[error("the disk under {} is full: free space or grow the volume, then restart ({source})", path.display())]
    DiskFull {
        path: PathBuf,
        source: rocksdb::Error,
    },

    #[error("{} is in use by another process (RocksDB LOCK held): stop it or use another directory ({source})", path.display())]
    Locked {
        path: PathBuf,
        source: rocksdb::Error,
    },

    #[error("cannot open the RocksDB at {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rocksdb::Error,
    },

    #[error("RocksDB {operation} failed under {}: {source}", path.display())]
    Io {
        path: PathBuf,
        operation: Operation,
        source: rocksdb::Error,
    },

    #[error("storage option {field} is invalid: {reason}")]
    InvalidOption {
        field: &'static str,
        reason: &'static str,
    },

    #[error("corrupt {table:?} row on shard {shard} (key {key}): {reason}")]
    Corrupt {
        shard: ShardId,
        table: Table,
        key: KeyHex,
        reason: Corruption,
    },

    #[error(
        "an append to shard {shard}'s log skips from index {previous} to {next}: Raft logs have no holes"
    )]
    LogHole {
        shard: ShardId,
        previous: u64,
        next: u64,
    },

    #[error("applying log index {index} on shard {shard} broke an invariant: {violation}")]
    Invariant {
        shard: ShardId,
        index: u64,
        violation: Violation,
    },

    #[error("a blocking storage task on shard {shard} did not finish: {source}")]
    Task {
        shard: ShardId,
        source: tokio::task::JoinError,
    },
}

/// What the node was doing when RocksDB failed, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Read,
    Write,
    SyncWal,
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Operation::Read => "read",
            Operation::Write => "write",
            Operation::SyncWal => "WAL sync",
        })
    }
}

/// Why a stored row or key is not what this version expects.
#[derive(Debug, thiserror::Error)]
pub enum Corruption {
    #[error("value does not decode: {0}")]
    Decode(#[from] prost::DecodeError),
    #[error("key does not decode: {0}")]
    Key(#[from] keys::KeyError),
    #[error("required field {field} is missing")]
    Missing { field: &'static str },
    #[error("entry at index {key_index} holds log id index {entry_index}")]
    MisplacedEntry { key_index: u64, entry_index: u64 },
    #[error("row names a missing {table:?} row")]
    Dangling { table: Table },
    #[error("snapshot data is malformed: {reason}")]
    Snapshot { reason: &'static str },
    #[error("RocksDB reports corruption: {0}")]
    RocksDb(rocksdb::Error),
}

/// A committed entry that this replica cannot apply as written. Every replica applies the
/// same entry, so this is a bug in the proposer (or a newer proposer): stop, never skip.
#[derive(Debug, thiserror::Error)]
pub enum Violation {
    #[error("command {position} has no kind this version knows (proposed by a newer node?)")]
    UnknownCommand { position: usize },
    #[error("{command} carries no {field}")]
    Missing {
        command: &'static str,
        field: &'static str,
    },
    #[error("execution key {key:?} is not `machine NUL execution`")]
    BadExecutionKey { key: String },
    #[error("transition of {execution} writes event {found} where {expected} comes next")]
    EventIdGap {
        execution: String,
        expected: u64,
        found: u64,
    },
    #[error("transition of {execution} ends at event {record} but its events end at {events}")]
    LastEventMismatch {
        execution: String,
        record: u64,
        events: u64,
    },
    #[error("transition of {execution} writes a {table:?} row of execution {row_execution}")]
    ForeignRow {
        execution: String,
        row_execution: String,
        table: Table,
    },
}

/// A key printed as hex, so a corrupt-row message can be looked up with `ldb`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHex(pub Vec<u8>);

impl std::fmt::Display for KeyHex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Error {
    /// Classifies a RocksDB failure by what the operator has to do about it.
    pub(crate) fn from_rocksdb(
        path: &std::path::Path,
        operation: Operation,
        source: rocksdb::Error,
    ) -> Error {
        let path = path.to_path_buf();
        let message = source.to_string().to_ascii_lowercase();
        if message.contains("no space left") {
            Error::DiskFull { path, source }
        } else if message.contains("permission denied") || message.contains("read-only file system")
        {
            Error::PermissionDenied { path, source }
        } else if message.contains("lock hold by") || message.contains("while lock file") {
            // RocksDB's LOCK file: held by another process, or by another open in this one.
            Error::Locked { path, source }
        } else {
            Error::Io {
                path,
                operation,
                source,
            }
        }
    }

    /// Whether the shard must stop rather than retry: the data or the log is wrong.
    pub fn is_fatal_to_shard(&self) -> bool {
        matches!(
            self,
            Error::Corrupt { .. } | Error::Invariant { .. } | Error::LogHole { .. }
        )
    }

    fn to_raft(&self, subject: ErrorSubject<NodeId>, verb: ErrorVerb) -> StorageError<NodeId> {
        tracing::error!(error = %self, "storage failure; the shard's Raft group stops");
        StorageError::IO {
            source: StorageIOError::new(subject, verb, self),
        }
    }

    pub(crate) fn reading_logs(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Logs, ErrorVerb::Read)
    }

    pub(crate) fn writing_logs(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Logs, ErrorVerb::Write)
    }

    pub(crate) fn reading_vote(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Vote, ErrorVerb::Read)
    }

    pub(crate) fn writing_vote(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Vote, ErrorVerb::Write)
    }

    pub(crate) fn reading_state_machine(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::StateMachine, ErrorVerb::Read)
    }

    pub(crate) fn writing_state_machine(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::StateMachine, ErrorVerb::Write)
    }

    pub(crate) fn reading_snapshot(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Snapshot(None), ErrorVerb::Read)
    }

    pub(crate) fn writing_snapshot(&self) -> StorageError<NodeId> {
        self.to_raft(ErrorSubject::Snapshot(None), ErrorVerb::Write)
    }
}
