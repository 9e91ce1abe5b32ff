//! The built-in activity workers: each long-polls GetActivityTask and answers every task at
//! once with SendTaskSuccess, echoing the task's input, so activity workloads measure the
//! cluster rather than a handler.

use std::sync::Arc;
use std::time::Duration;

use cairn_proto::v1::{GetActivityTaskRequest, SendTaskSuccessRequest};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::connections::{Pool, with_deadline};
use crate::errors::ErrorKind;
use crate::shutdown::Shutdown;
use crate::stats::Stats;

/// The server holds a poll open for up to 60 s; the deadline leaves room for its answer.
const LONG_POLL_DEADLINE: Duration = Duration::from_secs(70);
/// Pause after a failed call, doubling up to the maximum while failures continue, so a
/// restarting node is not hammered by every worker at once.
const PAUSE_FIRST: Duration = Duration::from_millis(100);
const PAUSE_MAX: Duration = Duration::from_secs(5);

/// Running workers; they stop on the run's shutdown signal.
#[derive(Debug)]
pub struct Workers {
    running: Vec<JoinHandle<()>>,
}

/// What every worker needs.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    pub pool: Arc<Pool>,
    pub stats: Arc<Stats>,
    pub request_timeout: Duration,
    pub shutdown: Shutdown,
}

impl Workers {
    /// Starts `count` workers spread over `activity_arns` (none when there are no activities).
    pub fn spawn(
        context: &WorkerContext,
        activity_arns: &[String],
        count: usize,
        run_id: &str,
    ) -> Workers {
        if activity_arns.is_empty() {
            return Workers {
                running: Vec::new(),
            };
        }
        let running = (0..count)
            .map(|index| {
                let worker = Worker {
                    context: context.clone(),
                    activity_arn: activity_arns[index % activity_arns.len()].clone(),
                    name: format!("cairn-loadtest-{run_id}-{index}"),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Workers { running }
    }

    /// Waits for every worker to return (after the shutdown signal).
    pub async fn join(self) {
        for worker in self.running {
            // Workers end by returning; a panic is already reported by tokio.
            let _ = worker.await;
        }
    }
}

struct Worker {
    context: WorkerContext,
    activity_arn: String,
    name: String,
}

impl Worker {
    async fn run(self) {
        let shutdown = self.context.shutdown.clone();
        let mut failures = 0u32;
        loop {
            // A poll abandoned here may have been handed a task that then waits for its
            // timeout; that only happens once the run is over.
            let handled = tokio::select! {
                biased;
                () = shutdown.wait() => return,
                handled = self.poll_and_answer() => handled,
            };
            match handled {
                Ok(()) => failures = 0,
                Err(kind) => {
                    self.context.stats.background_error(Instant::now(), kind);
                    let pause = PAUSE_FIRST
                        .saturating_mul(2u32.saturating_pow(failures))
                        .min(PAUSE_MAX);
                    failures = failures.saturating_add(1);
                    tokio::select! {
                        biased;
                        () = shutdown.wait() => return,
                        () = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
    }

    /// One poll and, if a task came, its answer.
    async fn poll_and_answer(&self) -> Result<(), ErrorKind> {
        const POLL: &str = "GetActivityTask";
        const ANSWER: &str = "SendTaskSuccess";
        let poll = GetActivityTaskRequest {
            activity_arn: self.activity_arn.clone(),
            worker_name: self.name.clone(),
        };
        let mut activities = self.context.pool.activities();
        let call = activities.get_activity_task(with_deadline(poll, LONG_POLL_DEADLINE));
        let task = match tokio::time::timeout(LONG_POLL_DEADLINE, call).await {
            Ok(Ok(task)) => task.into_inner(),
            Ok(Err(status)) => return Err(ErrorKind::from_status(POLL, &status)),
            Err(_elapsed) => return Err(ErrorKind::local_timeout(POLL)),
        };
        if task.task_token.is_empty() {
            return Ok(());
        }
        let answer = SendTaskSuccessRequest {
            task_token: task.task_token,
            output: task.input,
        };
        let deadline = self.context.request_timeout;
        let call = activities.send_task_success(with_deadline(answer, deadline));
        match tokio::time::timeout(deadline, call).await {
            Ok(Ok(_)) => {
                self.context.stats.activity_task_done();
                Ok(())
            }
            Ok(Err(status)) => Err(ErrorKind::from_status(ANSWER, &status)),
            Err(_elapsed) => Err(ErrorKind::local_timeout(ANSWER)),
        }
    }
}
