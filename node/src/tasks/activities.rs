//! The node's activity queues: tasks waiting for a worker, by activity ARN, from every shard
//! this node leads. A worker's long poll takes the oldest; the task is handed over only after
//! its `ActivityStarted` event is committed (the API does that), so no task reaches two
//! workers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl::interpreter::TaskId;
use tokio::sync::Notify;

use crate::ids::{ExecutionKey, ShardId};

/// An activity task waiting for a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedTask {
    pub shard: ShardId,
    pub execution: ExecutionKey,
    pub task: TaskId,
    pub token: String,
    /// JSON text of the task's input.
    pub input: String,
}

#[derive(Debug, Default)]
struct Queue {
    tasks: VecDeque<QueuedTask>,
    wakeup: Arc<Notify>,
}

/// Cheap to clone; shared by the shards (which fill it) and the API (which drains it).
#[derive(Debug, Clone, Default)]
pub struct Dispatcher {
    queues: Arc<Mutex<HashMap<String, Queue>>>,
}

impl Dispatcher {
    /// Adds a task unless it is already queued.
    pub fn enqueue(&self, activity_arn: &str, task: QueuedTask) {
        let mut queues = self.lock();
        let queue = queues.entry(activity_arn.to_owned()).or_default();
        if queue
            .tasks
            .iter()
            .any(|t| t.execution == task.execution && t.task == task.task)
        {
            return;
        }
        queue.tasks.push_back(task);
        queue.wakeup.notify_one();
    }

    /// Forgets a task that timed out, was cancelled or was taken elsewhere.
    pub fn remove(&self, execution: &ExecutionKey, task: TaskId) {
        for queue in self.lock().values_mut() {
            queue
                .tasks
                .retain(|t| !(t.execution == *execution && t.task == task));
        }
    }

    /// Forgets every task of a shard (this node stopped leading it).
    pub fn clear_shard(&self, shard: ShardId) {
        for queue in self.lock().values_mut() {
            queue.tasks.retain(|t| t.shard != shard);
        }
    }

    /// Puts a task back at the front after a failed hand-over that may be retried.
    pub fn requeue_front(&self, activity_arn: &str, task: QueuedTask) {
        let mut queues = self.lock();
        let queue = queues.entry(activity_arn.to_owned()).or_default();
        queue.tasks.push_front(task);
        queue.wakeup.notify_one();
    }

    /// Waits up to `wait` for a task of `activity_arn` and removes it from the queue.
    pub async fn take(&self, activity_arn: &str, wait: Duration) -> Option<QueuedTask> {
        let started = std::time::Instant::now();
        let taken = self.wait_for(activity_arn, wait).await;
        crate::metrics::record::activity_poll(started.elapsed(), taken.is_some());
        taken
    }

    async fn wait_for(&self, activity_arn: &str, wait: Duration) -> Option<QueuedTask> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let wakeup = {
                let mut queues = self.lock();
                let queue = queues.entry(activity_arn.to_owned()).or_default();
                if let Some(task) = queue.tasks.pop_front() {
                    return Some(task);
                }
                queue.wakeup.clone()
            };
            let notified = wakeup.notified();
            // Re-check after registering, so a task enqueued in between is not missed.
            if let Some(task) = self.try_take(activity_arn) {
                return Some(task);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    fn try_take(&self, activity_arn: &str) -> Option<QueuedTask> {
        self.lock()
            .get_mut(activity_arn)
            .and_then(|q| q.tasks.pop_front())
    }

    /// Tasks waiting across all activities.
    pub fn depth(&self) -> usize {
        self.lock().values().map(|q| q.tasks.len()).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        // The queues stay consistent under every operation, so a poisoned lock is still usable.
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Takes a task of `activity_arn` from this node's queues and hands it to `worker`: its
/// `ActivityStarted` is committed first, so a task that reaches a worker reached only this one.
/// `None` when no task came within `wait`.
pub async fn hand_over(
    router: &crate::shard::Router,
    dispatcher: &Dispatcher,
    activity_arn: &str,
    worker: Option<String>,
    wait: Duration,
) -> Result<Option<QueuedTask>, crate::shard::Error> {
    use crate::shard::Error;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(task) = dispatcher.take(activity_arn, remaining).await else {
            return Ok(None);
        };
        let started = asl::interpreter::Input::TaskStarted {
            task: task.task,
            worker_name: worker.clone(),
        };
        match router.input(&task.execution, started).await {
            Ok(()) => return Ok(Some(task)),
            // Taken by a worker on another node, timed out, or its execution ended: next.
            Err(
                Error::TaskAlreadyStarted(_)
                | Error::TaskDoesNotExist(_)
                | Error::ExecutionFinished
                | Error::ExecutionDoesNotExist(_),
            ) => {}
            Err(error) => {
                dispatcher.requeue_front(activity_arn, task);
                return Err(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(n: u64) -> QueuedTask {
        QueuedTask {
            shard: ShardId(0),
            execution: ExecutionKey::new("m", "e"),
            task: TaskId(n),
            token: format!("t{n}"),
            input: "{}".into(),
        }
    }

    #[tokio::test]
    async fn a_waiting_poll_receives_a_task_enqueued_later() {
        let dispatcher = Dispatcher::default();
        let poller = {
            let d = dispatcher.clone();
            tokio::spawn(async move { d.take("arn:a", Duration::from_secs(30)).await })
        };
        tokio::task::yield_now().await;
        dispatcher.enqueue("arn:a", task(1));
        assert_eq!(poller.await.unwrap(), Some(task(1)));
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_queue_answers_none_after_the_wait() {
        let dispatcher = Dispatcher::default();
        assert_eq!(
            dispatcher.take("arn:a", Duration::from_secs(60)).await,
            None
        );
    }

    #[tokio::test]
    async fn duplicates_are_queued_once_and_removal_works() {
        let dispatcher = Dispatcher::default();
        dispatcher.enqueue("arn:a", task(1));
        dispatcher.enqueue("arn:a", task(1));
        dispatcher.enqueue("arn:a", task(2));
        assert_eq!(dispatcher.depth(), 2);
        dispatcher.remove(&ExecutionKey::new("m", "e"), TaskId(1));
        assert_eq!(
            dispatcher.take("arn:a", Duration::ZERO).await,
            Some(task(2))
        );
    }
}
