//! One function per measurement taken elsewhere in the node, so each call site is one line
//! and every name and label comes from [`names`](super::names). Without an installed
//! recorder (metrics disabled) these do nothing.

use std::time::Duration;

use cairn_proto::storage::StoredEvent;
use metrics::{counter, gauge, histogram};

use super::names::*;

/// A gRPC request was answered with `code` (a status code name).
pub fn api_request(method: &str, code: &'static str) {
    counter!(API_REQUESTS, LABEL_METHOD => method.to_owned(), LABEL_CODE => code).increment(1);
}

/// A gRPC request's response started `elapsed` after the request arrived.
pub fn api_request_duration(method: &str, elapsed: Duration) {
    histogram!(API_REQUEST_DURATION, LABEL_METHOD => method.to_owned())
        .record(elapsed.as_secs_f64());
}

/// This node sent a request on to the node that leads its shard.
pub fn forwarded_request() {
    counter!(FORWARDED_REQUESTS).increment(1);
}

/// The leader proposes one Raft entry of `commands` commands.
pub fn proposal(commands: usize) {
    histogram!(PROPOSAL_COMMANDS).record(commands as f64);
}

/// A proposed entry came back committed and applied (or failed) after `elapsed`.
pub fn proposal_done(elapsed: Duration) {
    histogram!(PROPOSE_DURATION).record(elapsed.as_secs_f64());
}

/// One apply call of the state machine took `elapsed`.
pub fn apply_duration(elapsed: Duration) {
    histogram!(APPLY_DURATION).record(elapsed.as_secs_f64());
}

/// One synced append to the Raft log took `elapsed`.
pub fn log_append_duration(elapsed: Duration) {
    histogram!(LOG_APPEND_DURATION).record(elapsed.as_secs_f64());
}

/// A transition with these history events was committed and applied on the leader.
pub fn transition_committed(events: &[StoredEvent]) {
    counter!(TRANSITIONS_COMMITTED).increment(1);
    let entered = events
        .iter()
        .filter(|e| e.r#type.ends_with("StateEntered"))
        .count();
    if entered > 0 {
        counter!(STATES_ENTERED).increment(entered as u64);
    }
    for event in events {
        if event.r#type == "ExecutionStarted" {
            counter!(EXECUTIONS_STARTED).increment(1);
        } else if let Some((status, _)) = CLOSED_STATUSES
            .iter()
            .find(|(_, closing)| *closing == event.r#type)
        {
            counter!(EXECUTIONS_CLOSED, LABEL_STATUS => *status).increment(1);
        }
    }
}

/// A shard actor's count of armed timers went up or down by `delta`.
pub fn timers_pending_changed(delta: f64) {
    gauge!(TIMERS_PENDING).increment(delta);
}

/// A worker's poll waited `elapsed` and got a task or not.
pub fn activity_poll(elapsed: Duration, got_task: bool) {
    let outcome = if got_task {
        OUTCOME_TASK
    } else {
        OUTCOME_EMPTY
    };
    histogram!(ACTIVITY_POLL_WAIT, LABEL_OUTCOME => outcome).record(elapsed.as_secs_f64());
}

/// Makes the series whose label values are known in advance appear at zero, so a scrape
/// shows every family (and rates start from zero) before the first event.
pub(super) fn register_known_series() {
    counter!(FORWARDED_REQUESTS).increment(0);
    counter!(TRANSITIONS_COMMITTED).increment(0);
    counter!(STATES_ENTERED).increment(0);
    counter!(EXECUTIONS_STARTED).increment(0);
    gauge!(TIMERS_PENDING).increment(0.0);
    for (status, _) in CLOSED_STATUSES {
        counter!(EXECUTIONS_CLOSED, LABEL_STATUS => *status).increment(0);
    }
}
