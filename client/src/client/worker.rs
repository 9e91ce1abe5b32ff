//! An activity worker: long-polls for tasks, runs a handler on each and sends its answer.

use std::future::Future;
use std::time::Duration;

use serde_json::Value;

use super::{Client, Result};

/// The error a worker reports, without calling the handler, for a task whose input is not JSON.
pub const INVALID_TASK_INPUT: &str = "InvalidTaskInput";

/// Pause after the first failed poll in a row; it doubles up to [`POLL_PAUSE_MAX`].
const POLL_PAUSE_FIRST: Duration = Duration::from_millis(200);
const POLL_PAUSE_MAX: Duration = Duration::from_secs(10);
/// Attempts at delivering one answer while the server is unreachable.
const ANSWER_ATTEMPTS: u32 = 4;

/// A task handed to the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Identifies the task in SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.
    pub task_token: String,
    /// The input the Task state sent (after its `InputPath` and `Parameters`).
    pub input: Value,
}

/// A handler's "this task failed": the Task state's Retry and Catch match `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// The error name (up to 256 characters), e.g. `Resize.TooLarge`.
    pub error: String,
    /// A human-readable explanation (up to 32,768 characters).
    pub cause: String,
}

impl TaskFailure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> TaskFailure {
        TaskFailure {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// What became of one task.
#[derive(Debug)]
pub struct Handled {
    pub task_token: String,
    /// Whether the handler succeeded (the answer was SendTaskSuccess).
    pub succeeded: bool,
    /// Whether the server took the answer. `TaskTimedOut` or `TaskDoesNotExist` here mean the
    /// task had already been given up on (its timeout or heartbeat timeout passed), or, when
    /// the answer had to be sent again after a lost reply, that the first one arrived.
    pub delivered: Result<()>,
}

/// Runs a handler for every task of one activity, one task at a time.
///
/// ```no_run
/// # async fn demo(client: cairn_client::Client) -> Result<(), cairn_client::Error> {
/// use std::time::Duration;
/// use cairn_client::{TaskFailure, Worker};
///
/// let activity = "arn:aws:states:us-east-1:123456789012:activity:resize";
/// Worker::new(client, activity, "resizer-1")
///     .heartbeat_every(Duration::from_secs(10))
///     .run(|task| async move {
///         match task.input["width"].as_u64() {
///             Some(width) => Ok(serde_json::json!({"resized": width / 2})),
///             None => Err(TaskFailure::new("BadInput", "width is missing")),
///         }
///     })
///     .await
/// # }
/// ```
///
/// For several tasks at once, run several workers (clones of one [`Client`] share its
/// connection).
#[derive(Debug, Clone)]
pub struct Worker {
    client: Client,
    activity_arn: String,
    worker_name: String,
    heartbeat_interval: Option<Duration>,
}

impl Worker {
    /// A worker for `activity_arn`; `worker_name` shows in the `ActivityStarted` event.
    pub fn new(
        client: Client,
        activity_arn: impl Into<String>,
        worker_name: impl Into<String>,
    ) -> Worker {
        Worker {
            client,
            activity_arn: activity_arn.into(),
            worker_name: worker_name.into(),
            heartbeat_interval: None,
        }
    }

    /// Sends SendTaskHeartbeat every `interval` while the handler runs, for Task states with
    /// `HeartbeatSeconds` (choose an interval well below it).
    pub fn heartbeat_every(mut self, interval: Duration) -> Worker {
        self.heartbeat_interval = Some(interval);
        self
    }

    /// Handles tasks until polling fails with an error that waiting will not cure (the
    /// activity was deleted, the ARN is wrong); an unreachable server is retried.
    pub async fn run<H, F>(&self, handler: H) -> Result<()>
    where
        H: FnMut(Task) -> F,
        F: Future<Output = std::result::Result<Value, TaskFailure>>,
    {
        self.run_until(std::future::pending(), handler).await
    }

    /// [`Worker::run`] until `shutdown` completes. A task being handled is finished and
    /// answered first; a poll in flight is abandoned (should the server hand it a task at that
    /// moment, the task waits for its timeout).
    pub async fn run_until<H, F>(
        &self,
        shutdown: impl Future<Output = ()>,
        mut handler: H,
    ) -> Result<()>
    where
        H: FnMut(Task) -> F,
        F: Future<Output = std::result::Result<Value, TaskFailure>>,
    {
        tokio::pin!(shutdown);
        let mut failed_polls = 0u32;
        loop {
            let polled = tokio::select! {
                () = &mut shutdown => return Ok(()),
                polled = self.poll() => polled,
            };
            match polled {
                Ok(Some(task)) => {
                    failed_polls = 0;
                    self.handle(task, &mut handler).await;
                }
                Ok(None) => failed_polls = 0,
                Err(error) if error.is_transient() => {
                    let pause = backoff(POLL_PAUSE_FIRST, failed_polls, POLL_PAUSE_MAX);
                    failed_polls += 1;
                    tokio::select! {
                        () = &mut shutdown => return Ok(()),
                        () = tokio::time::sleep(pause) => {}
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Polls once and handles the task if one came: `None` when the poll ended empty.
    pub async fn poll_once<H, F>(&self, handler: &mut H) -> Result<Option<Handled>>
    where
        H: FnMut(Task) -> F,
        F: Future<Output = std::result::Result<Value, TaskFailure>>,
    {
        match self.poll().await? {
            Some(task) => Ok(Some(self.handle(task, handler).await)),
            None => Ok(None),
        }
    }

    /// One GetActivityTask. A task whose input is not JSON is failed here, and the poll
    /// reports no task.
    async fn poll(&self) -> Result<Option<Task>> {
        let Some(task) = self
            .client
            .get_activity_task(&self.activity_arn, &self.worker_name)
            .await?
        else {
            return Ok(None);
        };
        match serde_json::from_str(&task.input) {
            Ok(input) => Ok(Some(Task {
                task_token: task.task_token,
                input,
            })),
            Err(problem) => {
                let failure = TaskFailure::new(
                    INVALID_TASK_INPUT,
                    format!("the task input is not JSON: {problem}"),
                );
                // Nothing more can be done for a task whose answer cannot be delivered.
                let _ = self.answer(&task.task_token, Err(failure)).await;
                Ok(None)
            }
        }
    }

    async fn handle<H, F>(&self, task: Task, handler: &mut H) -> Handled
    where
        H: FnMut(Task) -> F,
        F: Future<Output = std::result::Result<Value, TaskFailure>>,
    {
        let task_token = task.task_token.clone();
        let heartbeats = self
            .heartbeat_interval
            .map(|every| tokio::spawn(heartbeat(self.client.clone(), task_token.clone(), every)));
        let outcome = handler(task).await;
        if let Some(heartbeats) = heartbeats {
            heartbeats.abort();
        }
        let succeeded = outcome.is_ok();
        let delivered = self.answer(&task_token, outcome).await;
        Handled {
            task_token,
            succeeded,
            delivered,
        }
    }

    /// Sends the handler's answer, retrying while the server is unreachable.
    async fn answer(
        &self,
        task_token: &str,
        outcome: std::result::Result<Value, TaskFailure>,
    ) -> Result<()> {
        let mut attempt = 0;
        loop {
            let sent = match &outcome {
                Ok(output) => {
                    self.client
                        .send_task_success(task_token, &output.to_string())
                        .await
                }
                Err(failure) => {
                    self.client
                        .send_task_failure(task_token, Some(&failure.error), Some(&failure.cause))
                        .await
                }
            };
            attempt += 1;
            match sent {
                Err(error) if error.is_transient() && attempt < ANSWER_ATTEMPTS => {
                    tokio::time::sleep(backoff(POLL_PAUSE_FIRST, attempt - 1, POLL_PAUSE_MAX))
                        .await;
                }
                sent => return sent,
            }
        }
    }
}

/// Heartbeats every `every` until aborted, or until the server says the task is gone.
async fn heartbeat(client: Client, task_token: String, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        match client.send_task_heartbeat(&task_token).await {
            Ok(()) => {}
            Err(error) if error.is_transient() => {}
            // TaskTimedOut / TaskDoesNotExist: the answer will be refused too; stop knocking.
            Err(_) => return,
        }
    }
}

/// `first` doubled `failures` times, at most `max`.
fn backoff(first: Duration, failures: u32, max: Duration) -> Duration {
    first
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let first = Duration::from_millis(200);
        let max = Duration::from_secs(10);
        assert_eq!(backoff(first, 0, max), first);
        assert_eq!(backoff(first, 2, max), Duration::from_millis(800));
        assert_eq!(backoff(first, 40, max), max);
    }
}
