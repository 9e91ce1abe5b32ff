//! Starting one execution and learning when it ends.
//!
//! Completion is learned with one DescribeExecution right after the start is acknowledged and,
//! only if the execution is still running, a WatchExecution stream. That is the least work for
//! the server of the ways the API offers:
//! - Short pure workflows (pass3, map100) are usually finished by the time the start is
//!   acknowledged, because the whole pure run commits with the start. One point read of the
//!   execution record confirms it; a watch would make the node read and send the whole history
//!   (hundreds of events with payloads for map100).
//! - Longer executions (wait, activity3) get a stream the node pushes to as events commit, so
//!   the node works only when the execution moves and the end is seen the moment it commits.
//!   Polling DescribeExecution would cost `outstanding executions / interval` reads per second
//!   whether or not anything changed, and would round every latency up to the interval.
//! - Express executions started with StartSyncExecution (`express-sync`) have ended when the
//!   start answers, and cannot be described or watched: the answer is the ending.

use std::sync::Arc;
use std::time::Duration;

use cairn_proto::v1::{
    DescribeExecutionRequest, ExecutionStatus, StartExecutionRequest, StartSyncExecutionRequest,
    WatchExecutionRequest,
};
use tonic::Streaming;

use crate::connections::{Pool, with_deadline};
use crate::errors::{ErrorKind, is_transient};
use crate::stats::Ending;
use crate::workload::Target;

/// Times in a row a broken watch is reopened (node restart, leader change) before the
/// execution is given up as lost.
const REOPENS_MAX: u32 = 5;
const REOPEN_PAUSE: Duration = Duration::from_millis(100);
/// Extra time past the deadline the server was given, before the tool stops waiting itself.
const LOCAL_DEADLINE_SLACK: Duration = Duration::from_secs(1);

/// An accepted start.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub execution_arn: String,
    /// Known at once for a synchronous start; otherwise learned with [`Tracker::follow`].
    pub ending: Option<Ending>,
}

#[derive(Debug, Clone)]
pub struct Tracker {
    pool: Arc<Pool>,
    target: Arc<Target>,
    request_timeout: Duration,
}

impl Tracker {
    pub fn new(pool: Arc<Pool>, target: Arc<Target>, request_timeout: Duration) -> Tracker {
        Tracker {
            pool,
            target,
            request_timeout,
        }
    }

    /// StartExecution under `name`: the execution's ARN once the start is committed; or, for
    /// a synchronous workload, StartSyncExecution: the ARN and ending once it has ended.
    pub async fn start(&self, name: String) -> Result<Started, ErrorKind> {
        if self.target.sync {
            return self.start_sync(name).await;
        }
        const OPERATION: &str = "StartExecution";
        let mut executions = self
            .pool
            .executions_for(&self.target.state_machine_name, &name);
        let request = StartExecutionRequest {
            state_machine_arn: self.target.state_machine_arn.clone(),
            name,
            input: self.target.input.clone(),
        };
        let call = executions.start_execution(with_deadline(request, self.request_timeout));
        match tokio::time::timeout(self.request_timeout + LOCAL_DEADLINE_SLACK, call).await {
            Ok(Ok(response)) => Ok(Started {
                execution_arn: response.into_inner().execution_arn,
                ending: None,
            }),
            Ok(Err(status)) => Err(ErrorKind::from_status(OPERATION, &status)),
            Err(_elapsed) => Err(ErrorKind::local_timeout(OPERATION)),
        }
    }

    async fn start_sync(&self, name: String) -> Result<Started, ErrorKind> {
        const OPERATION: &str = "StartSyncExecution";
        let request = StartSyncExecutionRequest {
            state_machine_arn: self.target.state_machine_arn.clone(),
            name,
            input: self.target.input.clone(),
        };
        let mut executions = self.pool.executions();
        let call = executions.start_sync_execution(with_deadline(request, self.request_timeout));
        match tokio::time::timeout(self.request_timeout + LOCAL_DEADLINE_SLACK, call).await {
            Ok(Ok(response)) => {
                let ended = response.into_inner();
                Ok(Started {
                    ending: ending_of_status(ended.status()),
                    execution_arn: ended.execution_arn,
                })
            }
            Ok(Err(status)) => Err(ErrorKind::from_status(OPERATION, &status)),
            Err(_elapsed) => Err(ErrorKind::local_timeout(OPERATION)),
        }
    }

    /// Waits until the execution ends. Unbounded: the caller applies the completion deadline.
    pub async fn follow(&self, execution_arn: &str) -> Ending {
        let mut last_event_id = 0;
        let mut reopens = 0;
        loop {
            match self.describe(execution_arn).await {
                Ok(Some(ending)) => return ending,
                Ok(None) => {}
                Err(status) if is_transient(&status) && reopens < REOPENS_MAX => {}
                Err(status) => {
                    return Ending::Lost(ErrorKind::from_status("DescribeExecution", &status));
                }
            }
            match self.watch(execution_arn, &mut last_event_id).await {
                Ok(Some(ending)) => return ending,
                // The stream ended early: the node went away. Follow on from the last event.
                Ok(None) => {}
                Err(status) if is_transient(&status) && reopens < REOPENS_MAX => {}
                Err(status) => {
                    return Ending::Lost(ErrorKind::from_status("WatchExecution", &status));
                }
            }
            reopens += 1;
            if reopens > REOPENS_MAX {
                let gave_up = tonic::Status::unavailable("the watch stream kept ending early");
                return Ending::Lost(ErrorKind::from_status("WatchExecution", &gave_up));
            }
            // A pause between reopens, not a synchronisation: a node coming back needs time.
            tokio::time::sleep(REOPEN_PAUSE * reopens).await;
        }
    }

    /// The ending if the execution has already ended, `None` while it runs.
    async fn describe(&self, execution_arn: &str) -> Result<Option<Ending>, tonic::Status> {
        let request = DescribeExecutionRequest {
            execution_arn: execution_arn.to_owned(),
        };
        let mut executions = self.pool.executions_for_arn(execution_arn);
        let call = executions.describe_execution(with_deadline(request, self.request_timeout));
        let described = match tokio::time::timeout(self.request_timeout, call).await {
            Ok(result) => result?.into_inner(),
            Err(_elapsed) => return Err(tonic::Status::deadline_exceeded("DescribeExecution")),
        };
        Ok(ending_of_status(described.status()))
    }

    /// Follows the history after `last_event_id` until the terminal event (`Some`) or an early
    /// end of the stream (`None`).
    async fn watch(
        &self,
        execution_arn: &str,
        last_event_id: &mut u64,
    ) -> Result<Option<Ending>, tonic::Status> {
        let request = WatchExecutionRequest {
            execution_arn: execution_arn.to_owned(),
            after_event_id: *last_event_id,
        };
        let mut executions = self.pool.executions_for_arn(execution_arn);
        // No deadline on the stream itself: it lasts as long as the execution.
        let opened = tokio::time::timeout(
            self.request_timeout,
            executions.watch_execution(tonic::Request::new(request)),
        )
        .await;
        let mut stream: Streaming<_> = match opened {
            Ok(result) => result?.into_inner(),
            Err(_elapsed) => return Err(tonic::Status::deadline_exceeded("WatchExecution")),
        };
        while let Some(event) = stream.message().await? {
            *last_event_id = (*last_event_id).max(event.id);
            if let Some(ending) = ending_of_event(&event.r#type) {
                return Ok(Some(ending));
            }
        }
        Ok(None)
    }
}

/// The ending an execution status means; `None` while it is still running.
fn ending_of_status(status: ExecutionStatus) -> Option<Ending> {
    let terminal = match status {
        ExecutionStatus::Running | ExecutionStatus::Unspecified => return None,
        ExecutionStatus::Succeeded => return Some(Ending::Succeeded),
        ExecutionStatus::Failed => "ExecutionFailed",
        ExecutionStatus::TimedOut => "ExecutionTimedOut",
        ExecutionStatus::Aborted => "ExecutionAborted",
        ExecutionStatus::PendingRedrive => "ExecutionPendingRedrive",
    };
    Some(Ending::Unsuccessful(terminal.to_owned()))
}

/// The ending a history event type means; `None` for every event but the last.
fn ending_of_event(event_type: &str) -> Option<Ending> {
    match event_type {
        "ExecutionSucceeded" => Some(Ending::Succeeded),
        "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut" => {
            Some(Ending::Unsuccessful(event_type.to_owned()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_statuses_and_events_agree_on_the_ending() {
        assert_eq!(ending_of_status(ExecutionStatus::Running), None);
        assert_eq!(
            ending_of_status(ExecutionStatus::Succeeded),
            ending_of_event("ExecutionSucceeded")
        );
        for (status, event) in [
            (ExecutionStatus::Failed, "ExecutionFailed"),
            (ExecutionStatus::TimedOut, "ExecutionTimedOut"),
            (ExecutionStatus::Aborted, "ExecutionAborted"),
        ] {
            assert_eq!(ending_of_status(status), ending_of_event(event));
        }
        assert_eq!(ending_of_event("PassStateEntered"), None);
    }
}
