//! An Express execution's history goes to the node's log instead of storage, as AWS sends it
//! to CloudWatch Logs: target `cairn::express`, one line per event the configured level
//! selects. The info line names the execution, event type and id; the event itself, with its
//! payloads, is written only at debug level.

use asl::interpreter::HistoryEvent;

use super::options::LogLevel;

pub const TARGET: &str = "cairn::express";

/// Logs the events `level` selects.
pub fn log_events(level: LogLevel, execution_arn: &str, events: &[HistoryEvent]) {
    if level == LogLevel::Off {
        return;
    }
    for event in events {
        let event_type = event.event_type();
        if !level.includes(&event_type) {
            continue;
        }
        tracing::info!(
            target: TARGET,
            execution = execution_arn,
            event_type = %event_type,
            event_id = event.id,
            "express history event"
        );
        if tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            tracing::debug!(
                target: TARGET,
                execution = execution_arn,
                event_type = %event_type,
                event_id = event.id,
                event = %event.to_aws_json(),
                "express history event details"
            );
        }
    }
}
