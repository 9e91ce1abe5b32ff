//! The Executions service, and waiting for an execution to end.

use std::time::Duration;

use cairn_proto::v1::{
    DescribeExecutionRequest, DescribeExecutionResponse, ExecutionListItem, ExecutionStatus,
    GetExecutionHistoryRequest, GetExecutionHistoryResponse, HistoryEvent, ListExecutionsRequest,
    ListExecutionsResponse, StartExecutionRequest, StartExecutionResponse,
    StartSyncExecutionRequest, StartSyncExecutionResponse, StopExecutionRequest,
    StopExecutionResponse,
};

use super::paging::all_pages;
use super::{Client, Result, Watch, request, routing, unary};

/// The longest an Express execution runs (AWS's limit, which servers enforce): a synchronous
/// start waits this long beyond the request timeout.
pub const EXPRESS_DURATION_MAX: Duration = Duration::from_secs(300);

/// Whether an event of type `event_type` closes an execution's history
/// (`ExecutionSucceeded`, `ExecutionFailed`, `ExecutionAborted`, `ExecutionTimedOut`).
pub fn is_terminal_event(event_type: &str) -> bool {
    matches!(
        event_type,
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"
    )
}

impl Client {
    /// StartExecution. Standard executions are idempotent by name: the same name and input as
    /// a running execution return it; a reused name otherwise fails with
    /// `ExecutionAlreadyExists`. An empty name gets a UUID, an empty input is `{}`.
    pub async fn start_execution(
        &self,
        start: StartExecutionRequest,
    ) -> Result<StartExecutionResponse> {
        let timeout = self.options.request_timeout;
        // Only a named start can be routed: the server names the others.
        let machine = routing::state_machine_name(&start.state_machine_arn).map(str::to_owned);
        let mut rpc = match &machine {
            Some(machine) if !start.name.is_empty() => {
                self.executions_for(machine, &start.name).await
            }
            _ => self.executions.clone(),
        };
        let result = unary(
            "StartExecution",
            timeout,
            rpc.start_execution(request(start.clone(), timeout)),
        )
        .await;
        match result {
            // Starts are idempotent by name and input: sending it again is safe.
            Err(error) if self.reroute(&error, true).await => {
                let mut rpc = self.executions.clone();
                unary(
                    "StartExecution",
                    timeout,
                    rpc.start_execution(request(start, timeout)),
                )
                .await
            }
            other => other,
        }
    }

    /// StartSyncExecution: runs an execution of an EXPRESS state machine and returns how it
    /// ended. A failed or timed-out execution is an answer, not an error: check
    /// [`StartSyncExecutionResponse::status`]. A STANDARD machine fails with
    /// `StateMachineTypeNotSupported`; a server at its Express capacity with
    /// `ThrottlingException`. Express names may repeat; the ARN is new every time.
    pub async fn start_sync_execution(
        &self,
        start: StartSyncExecutionRequest,
    ) -> Result<StartSyncExecutionResponse> {
        let timeout = self.options.request_timeout + EXPRESS_DURATION_MAX;
        let mut rpc = self.executions.clone();
        unary(
            "StartSyncExecution",
            timeout,
            rpc.start_sync_execution(request(start, timeout)),
        )
        .await
    }

    /// StopExecution: the execution ends ABORTED with the optional error and cause.
    pub async fn stop_execution(
        &self,
        stop: StopExecutionRequest,
    ) -> Result<StopExecutionResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.executions_for_arn(&stop.execution_arn).await;
        let result = unary(
            "StopExecution",
            timeout,
            rpc.stop_execution(request(stop.clone(), timeout)),
        )
        .await;
        match result {
            // Sent again only after NotLeader: a stop that reached the shard ends the execution.
            Err(error) if self.reroute(&error, false).await => {
                let mut rpc = self.executions.clone();
                unary(
                    "StopExecution",
                    timeout,
                    rpc.stop_execution(request(stop, timeout)),
                )
                .await
            }
            other => other,
        }
    }

    /// DescribeExecution.
    pub async fn describe_execution(
        &self,
        execution_arn: &str,
    ) -> Result<DescribeExecutionResponse> {
        let timeout = self.options.request_timeout;
        let describe = DescribeExecutionRequest {
            execution_arn: execution_arn.to_owned(),
        };
        let mut rpc = self.executions_for_arn(execution_arn).await;
        let result = unary(
            "DescribeExecution",
            timeout,
            rpc.describe_execution(request(describe.clone(), timeout)),
        )
        .await;
        match result {
            Err(error) if self.reroute(&error, true).await => {
                let mut rpc = self.executions.clone();
                unary(
                    "DescribeExecution",
                    timeout,
                    rpc.describe_execution(request(describe, timeout)),
                )
                .await
            }
            other => other,
        }
    }

    /// ListExecutions: one page, newest first.
    pub async fn list_executions(
        &self,
        list: ListExecutionsRequest,
    ) -> Result<ListExecutionsResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.executions.clone();
        unary(
            "ListExecutions",
            timeout,
            rpc.list_executions(request(list, timeout)),
        )
        .await
    }

    /// Every execution `list` selects, following page tokens.
    pub async fn list_executions_all(
        &self,
        list: ListExecutionsRequest,
    ) -> Result<Vec<ExecutionListItem>> {
        all_pages(list, |page| async move {
            let response = self.list_executions(page).await?;
            Ok((response.executions, response.next_token))
        })
        .await
    }

    /// GetExecutionHistory: one page of events (oldest first unless `reverse_order`).
    pub async fn get_execution_history(
        &self,
        history: GetExecutionHistoryRequest,
    ) -> Result<GetExecutionHistoryResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.executions_for_arn(&history.execution_arn).await;
        let result = unary(
            "GetExecutionHistory",
            timeout,
            rpc.get_execution_history(request(history.clone(), timeout)),
        )
        .await;
        match result {
            Err(error) if self.reroute(&error, true).await => {
                let mut rpc = self.executions.clone();
                unary(
                    "GetExecutionHistory",
                    timeout,
                    rpc.get_execution_history(request(history, timeout)),
                )
                .await
            }
            other => other,
        }
    }

    /// The whole history `history` selects, following page tokens.
    pub async fn get_execution_history_all(
        &self,
        history: GetExecutionHistoryRequest,
    ) -> Result<Vec<HistoryEvent>> {
        all_pages(history, |page| async move {
            let response = self.get_execution_history(page).await?;
            Ok((response.events, response.next_token))
        })
        .await
    }

    /// Follows an execution's history: the events after `after_event_id` (0: from the start),
    /// then each new one as it is committed, until the execution ends. See [`Watch`].
    pub async fn watch_execution(&self, execution_arn: &str, after_event_id: u64) -> Result<Watch> {
        Watch::open(self.clone(), execution_arn.to_owned(), after_event_id).await
    }

    /// Waits until the execution has ended (following its history, not polling) and returns
    /// its final description.
    pub async fn wait_for_execution(
        &self,
        execution_arn: &str,
    ) -> Result<DescribeExecutionResponse> {
        let described = self.describe_execution(execution_arn).await?;
        if described.status() != ExecutionStatus::Running {
            return Ok(described);
        }
        let mut watch = self.watch_execution(execution_arn, 0).await?;
        while watch.next_event().await?.is_some() {}
        self.describe_execution(execution_arn).await
    }

    /// Starts an execution, waits for it to end and returns its final description (whatever
    /// its status: check [`DescribeExecutionResponse::status`]).
    pub async fn start_execution_and_wait(
        &self,
        start: StartExecutionRequest,
    ) -> Result<DescribeExecutionResponse> {
        let started = self.start_execution(start).await?;
        self.wait_for_execution(&started.execution_arn).await
    }
}
