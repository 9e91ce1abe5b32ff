//! Cairn's client library: talk to a Cairn cluster from Rust.
//!
//! - [`Client`]: one typed method per RPC of the `cairn.v1` API (state machines, executions,
//!   activities and task tokens, cluster), with deadlines, plus
//!   [`Client::start_execution_and_wait`] and [`Client::watch_execution`].
//! - [`Worker`]: an activity worker loop (poll, handle, answer, heartbeat).
//! - [`Error`]: every failure, carrying the AWS error name the server gave
//!   (`ExecutionDoesNotExist`, `InvalidDefinition`, …).
//! - [`aws_json`]: responses rendered as the AWS CLI prints them.
//! - [`proto`]: the request and response messages themselves.
//! - [`conformance`]: running recorded conformance cases, in-process or against a server.
//! - [`local`]: helpers for running definitions in-process (what `cairn run` does).

pub mod aws_json;
mod client;
pub mod conformance;
pub mod local;

pub use client::{
    ACTIVITY_LONG_POLL, Client, ClientOptions, ClusterStatus, ERROR_NAME_METADATA,
    EXPRESS_DURATION_MAX, Error, Handled, INVALID_TASK_INPUT, NodeStatus, Result, Task,
    TaskFailure, Watch, Worker, execution_names, execution_shard, is_terminal_event,
    replication_lag, state_machine_name,
};

/// The `cairn.v1` messages the client's methods take and return.
pub use cairn_proto::v1 as proto;
