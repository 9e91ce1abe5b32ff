//! One interpreter step → one storage transition.

use std::collections::HashMap;

use asl::interpreter::{
    Execution, HistoryEvent, ResourceKind, Step, TaskRequest, Timer, classify_resource,
};
use cairn_proto::storage::{
    DefinitionRow, ExecutionRecord, StoredEvent, TaskRow, TimerRow, Transition,
};

use super::record::{INTERPRETER_STATE_FORMAT, apply_outcome, record_status};
use crate::ids::ExecutionKey;

/// What a transition is built from besides the interpreter's output.
pub struct StepContext<'a> {
    pub key: &'a ExecutionKey,
    /// The stored record before the step (`None` for a start).
    pub before_record: Option<&'a ExecutionRecord>,
    /// The interpreter state before the step (`None` for a start).
    pub before: Option<&'a Execution>,
    /// The record fields fixed at start (ARNs, name, input, definition hash, parent).
    pub template: &'a ExecutionRecord,
    /// Copied onto the shard with the start.
    pub definition: Option<DefinitionRow>,
    /// When the step happened, for `stop_millis`.
    pub now_millis: i64,
}

/// Builds the transition that records `step` and moves the execution to `after`.
pub fn build_transition(context: StepContext<'_>, after: &Execution, step: &Step) -> Transition {
    let expected_last_event_id = context.before_record.map_or(0, |r| r.last_event_id);
    let mut record = context
        .before_record
        .cloned()
        .unwrap_or_else(|| context.template.clone());
    record.status = record_status(after.status) as i32;
    record.last_event_id = after.last_event_id;
    if after.is_finished() {
        record.stop_millis = Some(context.now_millis);
        record.interpreter_state = None;
        apply_outcome(&mut record, after.outcome.as_ref());
    } else {
        record.interpreter_state =
            Some(serde_json::to_vec(after).expect("interpreter state always serialises"));
        record.interpreter_state_format = INTERPRETER_STATE_FORMAT;
    }

    let key = context.key.as_str();
    let (timers_set, timers_cleared) = timer_changes(key, context.before, after);
    let (tasks_opened, tasks_closed) = task_changes(key, context.before, after);
    Transition {
        execution_key: key.to_owned(),
        expected_last_event_id,
        events: step.events.iter().map(stored_event).collect(),
        record: Some(record),
        timers_set,
        timers_cleared,
        tasks_opened,
        tasks_closed,
        definition: context.definition,
    }
}

/// An event as stored and served: the AWS details member as JSON.
pub fn stored_event(event: &HistoryEvent) -> StoredEvent {
    let aws = event.to_aws_json();
    let details: serde_json::Map<String, serde_json::Value> = aws
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.ends_with("EventDetails"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    StoredEvent {
        id: event.id,
        previous_event_id: event.previous_event_id,
        timestamp_millis: event.timestamp.as_millis(),
        r#type: event.event_type(),
        details_json: serde_json::to_vec(&details).expect("JSON values always serialise"),
    }
}

fn timers_of(execution: Option<&Execution>) -> HashMap<u64, Timer> {
    execution
        .map(|e| e.armed_timers().into_iter().map(|t| (t.id.0, t)).collect())
        .unwrap_or_default()
}

fn timer_changes(
    key: &str,
    before: Option<&Execution>,
    after: &Execution,
) -> (Vec<TimerRow>, Vec<TimerRow>) {
    let old = timers_of(before);
    let new = timers_of(Some(after));
    let row = |t: &Timer| TimerRow {
        execution_key: key.to_owned(),
        timer_id: t.id.0,
        due_millis: t.due.as_millis(),
    };
    let mut set: Vec<TimerRow> = new
        .values()
        .filter(|t| old.get(&t.id.0) != Some(*t))
        .map(row)
        .collect();
    let mut cleared: Vec<TimerRow> = old
        .values()
        .filter(|t| new.get(&t.id.0) != Some(*t))
        .map(row)
        .collect();
    set.sort_by_key(|r| r.timer_id);
    cleared.sort_by_key(|r| r.timer_id);
    (set, cleared)
}

fn tasks_of(execution: Option<&Execution>) -> HashMap<u64, (TaskRequest, bool)> {
    execution
        .map(|e| {
            e.open_tasks()
                .into_iter()
                .map(|(t, started)| (t.task.0, (t, started)))
                .collect()
        })
        .unwrap_or_default()
}

fn task_changes(
    key: &str,
    before: Option<&Execution>,
    after: &Execution,
) -> (Vec<TaskRow>, Vec<TaskRow>) {
    let old = tasks_of(before);
    let new = tasks_of(Some(after));
    let mut opened: Vec<TaskRow> = new
        .values()
        .filter(|(t, started)| old.get(&t.task.0).map(|(_, s)| s) != Some(started))
        .map(|(t, started)| task_row(key, t, *started))
        .collect();
    let mut closed: Vec<TaskRow> = old
        .values()
        .filter(|(t, _)| !new.contains_key(&t.task.0))
        .map(|(t, started)| task_row(key, t, *started))
        .collect();
    opened.sort_by_key(|r| r.task_id);
    closed.sort_by_key(|r| r.task_id);
    (opened, closed)
}

pub(crate) fn task_row(key: &str, task: &TaskRequest, started: bool) -> TaskRow {
    let activity_arn = match classify_resource(&task.resource) {
        ResourceKind::Activity { arn } => Some(arn),
        _ => None,
    };
    TaskRow {
        execution_key: key.to_owned(),
        task_id: task.task.0,
        state_name: task.state.clone(),
        resource: task.resource.clone(),
        input_json: asl::interpreter::compact(&task.input).into_bytes(),
        activity_arn,
        started,
        timeout_seconds: task.timeout_seconds,
        heartbeat_seconds: task.heartbeat_seconds,
    }
}
