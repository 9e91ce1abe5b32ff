use std::pin::Pin;

use cairn_client::proto::executions_server::Executions;
use cairn_client::proto::{
    DescribeExecutionRequest, DescribeExecutionResponse, ExecutionListItem, ExecutionStatus,
    GetExecutionHistoryRequest, GetExecutionHistoryResponse, HistoryEvent, ListExecutionsRequest,
    ListExecutionsResponse, StartExecutionRequest, StartExecutionResponse,
    StartSyncExecutionRequest, StartSyncExecutionResponse, StopExecutionRequest,
    StopExecutionResponse, Timestamp, WatchExecutionRequest,
};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::Service;
use super::errors::page;

fn date(millis: i64) -> Option<Timestamp> {
    Some(Timestamp {
        epoch_millis: millis,
    })
}

type EventStream = Pin<Box<dyn Stream<Item = Result<HistoryEvent, Status>> + Send>>;

#[tonic::async_trait]
impl Executions for Service {
    async fn start_execution(
        &self,
        request: Request<StartExecutionRequest>,
    ) -> Result<Response<StartExecutionResponse>, Status> {
        let start = request.into_inner();
        self.0.change(|store| {
            let execution = store.start(&start.state_machine_arn, &start.name, &start.input)?;
            Ok(Response::new(StartExecutionResponse {
                execution_arn: execution.arn.clone(),
                start_date: date(execution.started_millis),
            }))
        })
    }

    async fn start_sync_execution(
        &self,
        request: Request<StartSyncExecutionRequest>,
    ) -> Result<Response<StartSyncExecutionResponse>, Status> {
        let start = request.into_inner();
        self.0.change(|store| {
            let run = store.start_sync(&start.state_machine_arn, &start.name, &start.input)?;
            Ok(Response::new(StartSyncExecutionResponse {
                execution_arn: run.arn,
                state_machine_arn: start.state_machine_arn.clone(),
                name: run.name,
                start_date: date(run.started_millis),
                stop_date: date(run.stopped_millis),
                status: run.status as i32,
                input: run.input,
                output: run.output,
                error: run.error,
                cause: run.cause,
            }))
        })
    }

    async fn stop_execution(
        &self,
        request: Request<StopExecutionRequest>,
    ) -> Result<Response<StopExecutionResponse>, Status> {
        let stop = request.into_inner();
        self.0.change(|store| {
            let stopped = store.stop(&stop.execution_arn, stop.error, stop.cause)?;
            Ok(Response::new(StopExecutionResponse {
                stop_date: date(stopped),
            }))
        })
    }

    async fn describe_execution(
        &self,
        request: Request<DescribeExecutionRequest>,
    ) -> Result<Response<DescribeExecutionResponse>, Status> {
        let arn = request.into_inner().execution_arn;
        self.0.read(|store| {
            let e = store.execution(&arn)?;
            Ok(Response::new(DescribeExecutionResponse {
                execution_arn: e.arn.clone(),
                state_machine_arn: e.machine_arn.clone(),
                name: e.name.clone(),
                status: e.status as i32,
                start_date: date(e.started_millis),
                stop_date: e.stopped_millis.and_then(date),
                input: e.input.clone(),
                output: e.output.clone(),
                error: e.error.clone(),
                cause: e.cause.clone(),
                redrive_count: 0,
            }))
        })
    }

    async fn list_executions(
        &self,
        request: Request<ListExecutionsRequest>,
    ) -> Result<Response<ListExecutionsResponse>, Status> {
        let list = request.into_inner();
        self.0.read(|store| {
            store.machine_by_arn(&list.state_machine_arn)?;
            let items: Vec<ExecutionListItem> = store
                .started
                .iter()
                .rev()
                .map(|arn| &store.executions[arn])
                .filter(|e| e.machine_arn == list.state_machine_arn)
                .filter(|e| {
                    list.status_filter == ExecutionStatus::Unspecified as i32
                        || e.status as i32 == list.status_filter
                })
                .map(|e| ExecutionListItem {
                    execution_arn: e.arn.clone(),
                    state_machine_arn: e.machine_arn.clone(),
                    name: e.name.clone(),
                    status: e.status as i32,
                    start_date: date(e.started_millis),
                    stop_date: e.stopped_millis.and_then(date),
                })
                .collect();
            let (executions, next_token) = page(&items, list.max_results, &list.next_token)?;
            Ok(Response::new(ListExecutionsResponse {
                executions,
                next_token,
            }))
        })
    }

    async fn get_execution_history(
        &self,
        request: Request<GetExecutionHistoryRequest>,
    ) -> Result<Response<GetExecutionHistoryResponse>, Status> {
        let history = request.into_inner();
        self.0.read(|store| {
            let mut events = store.execution(&history.execution_arn)?.published.clone();
            if history.reverse_order {
                events.reverse();
            }
            let (events, next_token) = page(&events, history.max_results, &history.next_token)?;
            Ok(Response::new(GetExecutionHistoryResponse {
                events,
                next_token,
            }))
        })
    }

    type WatchExecutionStream = EventStream;

    async fn watch_execution(
        &self,
        request: Request<WatchExecutionRequest>,
    ) -> Result<Response<EventStream>, Status> {
        let watch = request.into_inner();
        let arn = watch.execution_arn;
        self.0.change(|store| {
            store.execution(&arn)?;
            store
                .executions
                .get_mut(&arn)
                .expect("checked above")
                .watches += 1;
            Ok::<_, Status>(())
        })?;
        let (sender, receiver) = tokio::sync::mpsc::channel(16);
        let shared = self.0.clone();
        tokio::spawn(async move {
            let mut changes = shared.changes.subscribe();
            let mut sent = watch.after_event_id;
            let mut sent_count = 0;
            loop {
                let (fresh, ended, sent_max) = shared.read(|store| {
                    let execution = &store.executions[&arn];
                    let fresh: Vec<HistoryEvent> = execution
                        .published
                        .iter()
                        .filter(|e| e.id > sent)
                        .cloned()
                        .collect();
                    let ended = execution.status != ExecutionStatus::Running;
                    (fresh, ended, store.watch_stream_events_max)
                });
                for event in fresh {
                    if sent_max.is_some_and(|max| sent_count >= max) {
                        return;
                    }
                    sent = event.id;
                    sent_count += 1;
                    if sender.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                if ended || changes.changed().await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(receiver))))
    }
}
