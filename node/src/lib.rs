//! The Cairn server: Raft-replicated shards of Amazon States Language executions over one
//! RocksDB per node, served over gRPC.
//!
//! The write path, from the top: [`api`] receives a request and routes it (through
//! [`shard::Router`]) to the shard that owns the execution; the shard's actor on the leader
//! runs the `asl` interpreter and turns its output into a storage transition ([`engine`]);
//! [`raft`] commits the proposal through openraft into [`storage`] on a quorum; only then are
//! effects run ([`tasks`], timers, child executions).

pub mod api;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod engine;
pub mod express;
pub mod ids;
pub mod metrics;
pub mod raft;
pub mod server;
pub mod shard;
pub mod storage;
pub mod tasks;
pub mod telemetry;
