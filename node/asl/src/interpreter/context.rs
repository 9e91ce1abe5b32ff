//! The context object (`$$` in JSONPath, `$states.context` in JSONata; reference §2.5).

use serde_json::{Map, Value, json};

use super::execution::ExecutionInfo;
use crate::definition::MachineType;
use crate::time::Timestamp;

/// The per-state part of the context object.
#[derive(Debug, Clone, Default)]
pub struct StateContext<'a> {
    pub name: &'a str,
    pub entered_time: Timestamp,
    /// Present for states that can retry (Task, Parallel, Map).
    pub retry_count: Option<u64>,
    pub task_token: Option<&'a str>,
    /// `Map.Item` while a Map builds an iteration's input: index, value and (for objects) key.
    pub map_item: Option<(u64, &'a Value, Option<&'a str>)>,
}

pub fn context_object(info: &ExecutionInfo, input: &Value, state: &StateContext<'_>) -> Value {
    let mut execution = Map::new();
    execution.insert("Id".into(), json!(info.id));
    execution.insert("Input".into(), input.clone());
    execution.insert("StartTime".into(), json!(info.start_time.to_rfc3339()));
    execution.insert("Name".into(), json!(info.name));
    execution.insert("RoleArn".into(), json!(info.role_arn));
    if info.machine_type == MachineType::Standard {
        execution.insert("RedriveCount".into(), json!(info.redrive_count));
    }
    let mut state_object = Map::new();
    state_object.insert("Name".into(), json!(state.name));
    state_object.insert("EnteredTime".into(), json!(state.entered_time.to_rfc3339()));
    if let Some(retry_count) = state.retry_count {
        state_object.insert("RetryCount".into(), json!(retry_count));
    }
    let mut context = Map::new();
    context.insert("Execution".into(), Value::Object(execution));
    context.insert(
        "StateMachine".into(),
        json!({"Id": info.state_machine_id, "Name": info.state_machine_name}),
    );
    context.insert("State".into(), Value::Object(state_object));
    if let Some(token) = state.task_token {
        context.insert("Task".into(), json!({"Token": token}));
    }
    if let Some((index, value, key)) = state.map_item {
        let mut item = Map::new();
        if let Some(key) = key {
            item.insert("Key".into(), json!(key));
        }
        item.insert("Index".into(), json!(index));
        item.insert("Value".into(), value.clone());
        context.insert("Map".into(), json!({"Item": Value::Object(item)}));
    }
    Value::Object(context)
}
