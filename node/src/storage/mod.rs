//! The node's storage: one RocksDB holding every shard's Raft log, Raft metadata and
//! state-machine tables (DESIGN §4), and openraft's storage traits over it.
//!
//! - [`Db`] opens the RocksDB and hands out per-shard stores.
//! - [`LogStore`] is a shard's Raft log and vote (`RaftLogStorage`); its durability contract
//!   is written at the top of `log_store.rs`.
//! - [`StateMachineStore`] applies committed proposals (`RaftStateMachine`) and builds and
//!   installs snapshots ([`SnapshotBuilder`]).
//! - [`ShardReader`] is the read API over a shard's applied state.
//! - [`ExpressJournal`] holds the node-local record of asynchronous Express starts.
//! - `keys` owns the on-disk layout: every key is built and read there.

mod apply;
mod db;
mod error;
mod express_journal;
pub mod keys;
mod log_store;
mod reader;
mod snapshot;
mod state_machine;

pub use apply::ApplyCounters;
pub use db::{Db, Options};
pub use error::{Corruption, Error, KeyHex, Operation, Violation};
pub use express_journal::ExpressJournal;
pub use log_store::{LogReader, LogStore};
pub use reader::{Cursor, Page, ShardReader};
pub use snapshot::SnapshotBuilder;
pub use state_machine::StateMachineStore;
