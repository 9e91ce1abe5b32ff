//! Every metric the node exports: names, labels and label values, and their descriptions.
//!
//! Names follow the Prometheus conventions: a `cairn_` prefix, base units spelled out at the
//! end (`_seconds`, `_bytes`), `_total` on counters. Label values come from fixed sets (gRPC
//! method names, status names, reasons), never from request payloads or user-chosen names, so
//! the number of series stays bounded.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

// ---- API ---------------------------------------------------------------------------------

/// Counter: gRPC requests answered, by `method` and `code`.
pub const API_REQUESTS: &str = "cairn_api_requests_total";
/// Histogram: time from a request's arrival until its response starts, by `method`. For a
/// unary call that is the whole call.
pub const API_REQUEST_DURATION: &str = "cairn_api_request_duration_seconds";
/// Counter: requests this node sent on to the node that leads their shard.
pub const FORWARDED_REQUESTS: &str = "cairn_forwarded_requests_total";

// ---- Executions and transitions ------------------------------------------------------------

/// Counter: transitions committed by the shards this node leads.
pub const TRANSITIONS_COMMITTED: &str = "cairn_transitions_committed_total";
/// Counter: states entered, counted from the committed `…StateEntered` history events.
pub const STATES_ENTERED: &str = "cairn_states_entered_total";
/// Counter: executions started (committed `ExecutionStarted` events).
pub const EXECUTIONS_STARTED: &str = "cairn_executions_started_total";
/// Counter: executions that ended, by `status`.
pub const EXECUTIONS_CLOSED: &str = "cairn_executions_closed_total";
/// Gauge: open executions on the shards this node leads, by `status`.
pub const EXECUTIONS_OPEN: &str = "cairn_executions_open";

// ---- Raft ----------------------------------------------------------------------------------

/// Histogram: commands per Raft entry proposed.
pub const PROPOSAL_COMMANDS: &str = "cairn_raft_proposal_commands";
/// Histogram: from proposing an entry until it is committed and applied on the leader.
pub const PROPOSE_DURATION: &str = "cairn_raft_propose_duration_seconds";
/// Histogram: applying committed entries to the state machine (one call, one write batch).
pub const APPLY_DURATION: &str = "cairn_raft_apply_duration_seconds";
/// Histogram: appending entries to the Raft log, fsync included.
pub const LOG_APPEND_DURATION: &str = "cairn_raft_log_append_duration_seconds";
/// Counter: commands apply skipped, by `reason` (DESIGN invariant 3).
pub const REJECTED_COMMANDS: &str = "cairn_raft_rejected_commands_total";
/// Gauge: shards whose Raft leader is this node.
pub const SHARD_LEADERS: &str = "cairn_shard_leaders";

// ---- Timers and activities -----------------------------------------------------------------

/// Gauge: timers armed in the shards this node leads.
pub const TIMERS_PENDING: &str = "cairn_timers_pending";
/// Gauge: activity tasks waiting for a worker on this node.
pub const ACTIVITY_TASKS_QUEUED: &str = "cairn_activity_tasks_queued";
/// Histogram: how long a worker's poll waited, by `outcome`.
pub const ACTIVITY_POLL_WAIT: &str = "cairn_activity_poll_wait_seconds";

// ---- RocksDB -------------------------------------------------------------------------------

/// Gauge: 1 while RocksDB stops writes (`rocksdb.is-write-stopped`).
pub const ROCKSDB_WRITE_STOPPED: &str = "cairn_rocksdb_write_stopped";
/// Gauge: the rate RocksDB slows writes to, 0 when it does not
/// (`rocksdb.actual-delayed-write-rate`).
pub const ROCKSDB_DELAYED_WRITE_RATE: &str = "cairn_rocksdb_delayed_write_rate_bytes_per_second";
/// Gauge: 1 while a compaction is pending (`rocksdb.compaction-pending`).
pub const ROCKSDB_COMPACTION_PENDING: &str = "cairn_rocksdb_compaction_pending";
/// Gauge: bytes compaction must rewrite to settle (`rocksdb.estimate-pending-compaction-bytes`).
pub const ROCKSDB_PENDING_COMPACTION_BYTES: &str = "cairn_rocksdb_pending_compaction_bytes";

/// Every metric name above, for checks (the dashboard may only query these).
pub const ALL: &[&str] = &[
    API_REQUESTS,
    API_REQUEST_DURATION,
    FORWARDED_REQUESTS,
    TRANSITIONS_COMMITTED,
    STATES_ENTERED,
    EXECUTIONS_STARTED,
    EXECUTIONS_CLOSED,
    EXECUTIONS_OPEN,
    PROPOSAL_COMMANDS,
    PROPOSE_DURATION,
    APPLY_DURATION,
    LOG_APPEND_DURATION,
    REJECTED_COMMANDS,
    SHARD_LEADERS,
    TIMERS_PENDING,
    ACTIVITY_TASKS_QUEUED,
    ACTIVITY_POLL_WAIT,
    ROCKSDB_WRITE_STOPPED,
    ROCKSDB_DELAYED_WRITE_RATE,
    ROCKSDB_COMPACTION_PENDING,
    ROCKSDB_PENDING_COMPACTION_BYTES,
];

/// The histograms among [`ALL`] measured in seconds (they share latency buckets).
pub const LATENCY_HISTOGRAMS: &[&str] = &[
    API_REQUEST_DURATION,
    PROPOSE_DURATION,
    APPLY_DURATION,
    LOG_APPEND_DURATION,
    ACTIVITY_POLL_WAIT,
];

// ---- Labels and their values -------------------------------------------------------------

/// The full gRPC method, `package.Service/Method`; [`METHOD_UNKNOWN`] for paths the server
/// does not serve.
pub const LABEL_METHOD: &str = "method";
/// The gRPC status code name (`OK`, `NotFound`, …).
pub const LABEL_CODE: &str = "code";
/// An execution status, in lower case as the history says it (`running`, `succeeded`, …).
pub const LABEL_STATUS: &str = "status";
/// Why apply skipped a command: [`REASON_STALE_TRANSITION`] or [`REASON_STALE_REVISION`].
pub const LABEL_REASON: &str = "reason";
/// Whether a poll got a task: [`OUTCOME_TASK`] or [`OUTCOME_EMPTY`].
pub const LABEL_OUTCOME: &str = "outcome";

pub const METHOD_UNKNOWN: &str = "unknown";
pub const STATUS_RUNNING: &str = "running";
/// Terminal statuses with the history event that ends an execution in each.
pub const CLOSED_STATUSES: &[(&str, &str)] = &[
    ("succeeded", "ExecutionSucceeded"),
    ("failed", "ExecutionFailed"),
    ("timed_out", "ExecutionTimedOut"),
    ("aborted", "ExecutionAborted"),
];
pub const REASON_STALE_TRANSITION: &str = "stale_transition";
pub const REASON_STALE_REVISION: &str = "stale_revision";
pub const OUTCOME_TASK: &str = "task";
pub const OUTCOME_EMPTY: &str = "empty";

/// Registers descriptions and units with the installed recorder; call once at startup, after
/// installing it.
pub fn describe() {
    describe_counter!(
        API_REQUESTS,
        Unit::Count,
        "gRPC requests answered, by method and status code"
    );
    describe_histogram!(
        API_REQUEST_DURATION,
        Unit::Seconds,
        "Time from a gRPC request's arrival until its response starts, by method"
    );
    describe_counter!(
        FORWARDED_REQUESTS,
        Unit::Count,
        "Requests sent on to the node that leads their shard"
    );
    describe_counter!(
        TRANSITIONS_COMMITTED,
        Unit::Count,
        "Execution transitions committed by the shards this node leads"
    );
    describe_counter!(
        STATES_ENTERED,
        Unit::Count,
        "States entered in committed transitions"
    );
    describe_counter!(
        EXECUTIONS_STARTED,
        Unit::Count,
        "Executions started on the shards this node leads"
    );
    describe_counter!(
        EXECUTIONS_CLOSED,
        Unit::Count,
        "Executions ended on the shards this node leads, by status"
    );
    describe_gauge!(
        EXECUTIONS_OPEN,
        Unit::Count,
        "Open executions on the shards this node leads, by status (sampled)"
    );
    describe_histogram!(
        PROPOSAL_COMMANDS,
        Unit::Count,
        "Commands batched into one proposed Raft entry"
    );
    describe_histogram!(
        PROPOSE_DURATION,
        Unit::Seconds,
        "Time from proposing a Raft entry until it is committed and applied on the leader"
    );
    describe_histogram!(
        APPLY_DURATION,
        Unit::Seconds,
        "Time to apply committed Raft entries to the state machine"
    );
    describe_histogram!(
        LOG_APPEND_DURATION,
        Unit::Seconds,
        "Time to append entries to the Raft log, fsync included"
    );
    describe_counter!(
        REJECTED_COMMANDS,
        Unit::Count,
        "Commands skipped at apply because they were computed against stale state, by reason"
    );
    describe_gauge!(
        SHARD_LEADERS,
        Unit::Count,
        "Shards whose Raft leader is this node"
    );
    describe_gauge!(
        TIMERS_PENDING,
        Unit::Count,
        "Timers armed in the shards this node leads"
    );
    describe_gauge!(
        ACTIVITY_TASKS_QUEUED,
        Unit::Count,
        "Activity tasks waiting for a worker on this node"
    );
    describe_histogram!(
        ACTIVITY_POLL_WAIT,
        Unit::Seconds,
        "How long a worker's GetActivityTask poll waited, by outcome"
    );
    describe_gauge!(
        ROCKSDB_WRITE_STOPPED,
        "1 while RocksDB stops writes (rocksdb.is-write-stopped)"
    );
    describe_gauge!(
        ROCKSDB_DELAYED_WRITE_RATE,
        "Rate RocksDB slows writes to, 0 when it does not (rocksdb.actual-delayed-write-rate)"
    );
    describe_gauge!(
        ROCKSDB_COMPACTION_PENDING,
        "1 while a RocksDB compaction is pending (rocksdb.compaction-pending)"
    );
    describe_gauge!(
        ROCKSDB_PENDING_COMPACTION_BYTES,
        Unit::Bytes,
        "Bytes RocksDB compaction must rewrite (rocksdb.estimate-pending-compaction-bytes)"
    );
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_prefixed_and_valid_prometheus_names() {
        let unique: HashSet<&str> = ALL.iter().copied().collect();
        assert_eq!(unique.len(), ALL.len(), "a name is listed twice");
        for name in ALL {
            assert!(name.starts_with("cairn_"), "{name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name}"
            );
        }
        for name in LATENCY_HISTOGRAMS {
            assert!(ALL.contains(name) && name.ends_with("_seconds"), "{name}");
        }
    }
}
