//! The Raft layer: one openraft group per shard, all sharing the node's RocksDB.

pub mod codec;
mod types;

pub use types::{ApplyResult, CommandOutcome, RejectReason, TypeConfig};
