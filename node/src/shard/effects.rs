//! Running a committed transition's effects on the leader: timers, task dispatch, and the
//! parent of a nested execution.

use asl::interpreter::{Effect, ResourceKind, TaskId, TaskRequest, classify_resource};
use cairn_proto::storage::{ExecutionRecord, TaskRow};
use tracing::warn;

use super::Error;
use super::service::Service;
use crate::ids::ExecutionKey;
use crate::tasks::activities::QueuedTask;
use crate::tasks::integrations;

impl Service {
    /// `cancelled` holds the requests of the tasks this step cancels, as they were before it.
    pub(super) fn run_effects(
        &mut self,
        key: &ExecutionKey,
        effects: Vec<Effect>,
        cancelled: &[TaskRequest],
    ) {
        for effect in effects {
            match effect {
                Effect::SetTimer { timer, due } => self.timers_mut().set(key, timer.0, due),
                Effect::CancelTimer { timer } => self.timers_mut().cancel(key, timer.0),
                Effect::RunTask(request) => self.run_task(key, request),
                Effect::CancelTask { task } => {
                    let request = cancelled.iter().find(|r| r.task == task).cloned();
                    self.cancel_task(key, task, request);
                }
            }
        }
    }

    /// Hands a task to whoever performs it. Integrations report back through the shard's own
    /// handle, so their results are committed like any other input.
    pub(super) fn run_task(&mut self, key: &ExecutionKey, request: TaskRequest) {
        match classify_resource(&request.resource) {
            ResourceKind::Activity { arn } => {
                let task = QueuedTask {
                    shard: self.shard(),
                    execution: key.clone(),
                    task: request.task,
                    token: request.token.clone().unwrap_or_default(),
                    input: asl::interpreter::compact(&request.input),
                };
                self.deps().activities.enqueue(&arn, task);
            }
            kind => {
                let Some(router) = self.router().cloned() else {
                    warn!(shard = %self.shard(), "router not ready; task will be retried on recovery");
                    return;
                };
                let me = self.me().clone();
                let key = key.clone();
                tokio::spawn(async move {
                    let inputs = integrations::perform(&router, &key, &request, &kind).await;
                    for input in inputs {
                        if let Err(e) = me.notify(key.clone(), input).await {
                            warn!(execution = %key, error = %e, "cannot report a task result");
                        }
                    }
                });
            }
        }
    }

    fn cancel_task(&mut self, key: &ExecutionKey, task: TaskId, request: Option<TaskRequest>) {
        self.deps().activities.remove(key, task);
        // A `.sync` child whose parent no longer waits is stopped, as AWS stops them with the
        // parent.
        if let (Some(router), Some(request)) = (self.router().cloned(), request) {
            let key = key.clone();
            tokio::spawn(async move { integrations::stop_child(&router, &key, &request).await });
        }
    }

    /// A finished execution that a parent's Task state waits for reports back to it.
    pub(super) fn notify_parent(&mut self, record: &ExecutionRecord) {
        let Some(parent) = record.parent.clone() else {
            return;
        };
        let Some(input) = integrations::child_outcome_for_parent(record, &parent) else {
            return;
        };
        let Some(router) = self.router().cloned() else {
            return;
        };
        let Some(parent_key) = ExecutionKey::from_stored(parent.execution_key.clone()) else {
            return;
        };
        tokio::spawn(async move {
            // The router follows the parent's shard leader; a report it cannot deliver now is
            // made later by the parent's own check of the child.
            match router.input(&parent_key, input).await {
                Ok(())
                | Err(
                    Error::TaskDoesNotExist(_)
                    | Error::ExecutionFinished
                    | Error::ExecutionDoesNotExist(_),
                ) => {}
                Err(e) => {
                    warn!(parent = %parent_key, error = %e, "cannot notify the parent execution")
                }
            }
        });
    }
}

/// Rebuilds a task request from its stored row (after a failover or restart).
pub(super) fn request_from_row(row: &TaskRow) -> TaskRequest {
    TaskRequest {
        task: TaskId(row.task_id),
        state: row.state_name.clone(),
        resource: row.resource.clone(),
        input: serde_json::from_slice(&row.input_json).unwrap_or(serde_json::Value::Null),
        token: None,
        timeout_seconds: row.timeout_seconds,
        heartbeat_seconds: row.heartbeat_seconds,
        credentials: None,
        attempt: 0,
    }
}
