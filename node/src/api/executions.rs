//! `cairn.v1.Executions`.

use std::pin::Pin;
use std::sync::Arc;

use cairn_proto::storage::{self as pb, ExecutionRecord, StoredEvent};
use cairn_proto::v1::executions_server::Executions;
use cairn_proto::v1::*;
use tokio::sync::broadcast;
use tokio_stream::Stream;
use tonic::{Code, Request, Response, Status};

use super::error::status;
use super::{Context, page_size, timestamp};
use crate::ids::ExecutionKey;
use crate::shard::AppliedStep;

#[derive(Debug, Clone)]
pub struct ExecutionsService {
    pub context: Context,
}

pub(crate) fn wire_status(status: i32) -> i32 {
    match pb::ExecutionStatus::try_from(status).unwrap_or(pb::ExecutionStatus::Unspecified) {
        pb::ExecutionStatus::Running => ExecutionStatus::Running as i32,
        pb::ExecutionStatus::Succeeded => ExecutionStatus::Succeeded as i32,
        pb::ExecutionStatus::Failed => ExecutionStatus::Failed as i32,
        pb::ExecutionStatus::TimedOut => ExecutionStatus::TimedOut as i32,
        pb::ExecutionStatus::Aborted => ExecutionStatus::Aborted as i32,
        pb::ExecutionStatus::Unspecified => ExecutionStatus::Unspecified as i32,
    }
}

fn storage_status(status: i32) -> Option<pb::ExecutionStatus> {
    match ExecutionStatus::try_from(status).ok()? {
        ExecutionStatus::Running => Some(pb::ExecutionStatus::Running),
        ExecutionStatus::Succeeded => Some(pb::ExecutionStatus::Succeeded),
        ExecutionStatus::Failed => Some(pb::ExecutionStatus::Failed),
        ExecutionStatus::TimedOut => Some(pb::ExecutionStatus::TimedOut),
        ExecutionStatus::Aborted => Some(pb::ExecutionStatus::Aborted),
        _ => None,
    }
}

fn internal(error: impl std::fmt::Display) -> Status {
    status(Code::Internal, "InternalFailure", error.to_string())
}

pub(crate) fn wire_event(event: &StoredEvent, include_data: bool) -> HistoryEvent {
    let mut details = String::from_utf8_lossy(&event.details_json).into_owned();
    if !include_data {
        details = strip_payloads(&details);
    }
    HistoryEvent {
        id: event.id,
        previous_event_id: event.previous_event_id,
        timestamp: timestamp(event.timestamp_millis),
        r#type: event.r#type.clone(),
        details_json: details,
    }
}

/// `includeExecutionData: false`: payload members are dropped from the details.
fn strip_payloads(details: &str) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(details) else {
        return details.to_owned();
    };
    if let Some(members) = value.as_object_mut() {
        for member in members.values_mut() {
            if let Some(fields) = member.as_object_mut() {
                for key in ["input", "output", "parameters", "cause", "error"] {
                    fields.remove(key);
                }
            }
        }
    }
    value.to_string()
}

fn describe(record: &ExecutionRecord) -> DescribeExecutionResponse {
    let text = |b: &Vec<u8>| String::from_utf8_lossy(b).into_owned();
    DescribeExecutionResponse {
        execution_arn: record.execution_arn.clone(),
        state_machine_arn: record.state_machine_arn.clone(),
        name: record.name.clone(),
        status: wire_status(record.status),
        start_date: timestamp(record.start_millis),
        stop_date: record.stop_millis.and_then(timestamp),
        input: text(&record.input_json),
        output: record.output_json.as_ref().map(text),
        error: record.error.clone(),
        cause: record.cause.clone(),
        redrive_count: 0,
    }
}

impl ExecutionsService {
    fn key(&self, arn: &str) -> Result<ExecutionKey, Status> {
        super::express::refuse_express_execution(arn)?;
        Ok(self.context.router.execution_key(arn)?)
    }

    async fn record(&self, key: &ExecutionKey, arn: &str) -> Result<ExecutionRecord, Status> {
        self.context.router.execution(key).await?.ok_or_else(|| {
            status(
                Code::NotFound,
                "ExecutionDoesNotExist",
                format!("execution {arn} does not exist"),
            )
        })
    }
}

type EventStream = Pin<Box<dyn Stream<Item = Result<HistoryEvent, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl Executions for ExecutionsService {
    async fn start_execution(
        &self,
        request: Request<StartExecutionRequest>,
    ) -> Result<Response<StartExecutionResponse>, Status> {
        let request = request.into_inner();
        if let Some(started) = super::express::start_if_express(&self.context, &request).await? {
            return Ok(Response::new(started));
        }
        let reply = self
            .context
            .router
            .start_execution(
                &request.state_machine_arn,
                Some(request.name),
                Some(request.input),
                None,
            )
            .await?;
        Ok(Response::new(StartExecutionResponse {
            execution_arn: reply.execution_arn,
            start_date: timestamp(reply.start_millis),
        }))
    }

    async fn start_sync_execution(
        &self,
        request: Request<StartSyncExecutionRequest>,
    ) -> Result<Response<StartSyncExecutionResponse>, Status> {
        let response = super::express::start_sync(&self.context, request.into_inner()).await?;
        Ok(Response::new(response))
    }

    async fn stop_execution(
        &self,
        request: Request<StopExecutionRequest>,
    ) -> Result<Response<StopExecutionResponse>, Status> {
        let request = request.into_inner();
        let key = self.key(&request.execution_arn)?;
        match self
            .context
            .router
            .stop_execution(&key, request.error, request.cause)
            .await
        {
            Ok(()) | Err(crate::shard::Error::ExecutionFinished) => {}
            Err(e) => return Err(e.into()),
        }
        let record = self.record(&key, &request.execution_arn).await?;
        Ok(Response::new(StopExecutionResponse {
            stop_date: timestamp(
                record
                    .stop_millis
                    .unwrap_or_else(|| self.context.clock.now().as_millis()),
            ),
        }))
    }

    async fn describe_execution(
        &self,
        request: Request<DescribeExecutionRequest>,
    ) -> Result<Response<DescribeExecutionResponse>, Status> {
        let arn = request.into_inner().execution_arn;
        let key = self.key(&arn)?;
        Ok(Response::new(describe(&self.record(&key, &arn).await?)))
    }

    async fn list_executions(
        &self,
        request: Request<ListExecutionsRequest>,
    ) -> Result<Response<ListExecutionsResponse>, Status> {
        let request = request.into_inner();
        let machine = self
            .context
            .router
            .state_machine_name(&request.state_machine_arn)?;
        super::express::refuse_express_machine(&self.context, &request.state_machine_arn).await?;
        let limit = page_size(request.max_results);
        let filter = storage_status(request.status_filter);
        let cursors =
            super::paging::decode_cursors(&request.next_token, self.context.router.shard_count())?;
        let (records, next) =
            super::paging::merge_executions(&self.context.router, &machine, cursors, limit, filter)
                .await?;
        Ok(Response::new(ListExecutionsResponse {
            executions: records
                .into_iter()
                .map(|r| ExecutionListItem {
                    execution_arn: r.execution_arn,
                    state_machine_arn: r.state_machine_arn,
                    name: r.name,
                    status: wire_status(r.status),
                    start_date: timestamp(r.start_millis),
                    stop_date: r.stop_millis.and_then(timestamp),
                })
                .collect(),
            next_token: next
                .map(|c| super::paging::encode_cursors(&c))
                .unwrap_or_default(),
        }))
    }

    async fn get_execution_history(
        &self,
        request: Request<GetExecutionHistoryRequest>,
    ) -> Result<Response<GetExecutionHistoryResponse>, Status> {
        let request = request.into_inner();
        let key = self.key(&request.execution_arn)?;
        let record = self.record(&key, &request.execution_arn).await?;
        let limit = page_size(request.max_results);
        let after = if request.next_token.is_empty() {
            if request.reverse_order {
                record.last_event_id + 1
            } else {
                0
            }
        } else {
            request.next_token.parse::<u64>().map_err(|_| {
                status(
                    Code::InvalidArgument,
                    "InvalidToken",
                    "nextToken is not one this API returned",
                )
            })?
        };
        let events = self
            .context
            .router
            .history(&key, after, limit + 1, request.reverse_order)
            .await?;
        let more = events.len() > limit;
        let events: Vec<StoredEvent> = events.into_iter().take(limit).collect();
        let next_token = if more {
            events.last().map(|e| e.id.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        let include = request.include_execution_data.unwrap_or(true);
        Ok(Response::new(GetExecutionHistoryResponse {
            events: events.iter().map(|e| wire_event(e, include)).collect(),
            next_token,
        }))
    }

    type WatchExecutionStream = EventStream;

    async fn watch_execution(
        &self,
        request: Request<WatchExecutionRequest>,
    ) -> Result<Response<Self::WatchExecutionStream>, Status> {
        let request = request.into_inner();
        let key = self.key(&request.execution_arn)?;
        let shard = self.context.router.execution_shard(&key);
        // Subscribe before reading the stored history, so nothing falls between the two.
        let updates = self.context.deps.applied.subscribe();
        let Some(reader) = self.context.router.leading_reader(shard) else {
            // Another node leads the shard: relay its stream.
            return forward_watch(&self.context, shard, request).await;
        };
        let record = self.record(&key, &request.execution_arn).await?;
        let stream = watch(reader, key, updates, request.after_event_id, record);
        Ok(Response::new(Box::pin(stream)))
    }
}

/// Stored history after `after`, then live events, until the execution ends.
fn watch(
    reader: crate::storage::ShardReader,
    key: ExecutionKey,
    mut updates: broadcast::Receiver<Arc<AppliedStep>>,
    after: u64,
    record: ExecutionRecord,
) -> impl Stream<Item = Result<HistoryEvent, Status>> + Send + 'static {
    async_stream_like(move |sender| async move {
        let mut last = after;
        let mut finished = record.status != pb::ExecutionStatus::Running as i32;
        // Catch up from storage, in pages.
        loop {
            let page = match reader.history(&key, last, 500, false) {
                Ok(page) => page,
                Err(e) => {
                    let _ = sender.send(Err(internal(e))).await;
                    return;
                }
            };
            if page.is_empty() {
                break;
            }
            for event in page {
                last = event.id;
                if sender.send(Ok(wire_event(&event, true))).await.is_err() {
                    return;
                }
            }
        }
        if finished {
            return;
        }
        while !finished {
            match updates.recv().await {
                Ok(step) if step.key == key => {
                    let fresh: Vec<&StoredEvent> =
                        step.events.iter().filter(|e| e.id > last).collect();
                    for event in fresh {
                        last = event.id;
                        if sender.send(Ok(wire_event(event, true))).await.is_err() {
                            return;
                        }
                    }
                    finished = step.record.status != pb::ExecutionStatus::Running as i32;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Missed updates: read what was committed since the last event sent.
                    let Ok(page) = reader.history(&key, last, usize::MAX, false) else {
                        return;
                    };
                    for event in page {
                        last = event.id;
                        if sender.send(Ok(wire_event(&event, true))).await.is_err() {
                            return;
                        }
                    }
                    finished = matches!(reader.execution(&key), Ok(Some(r)) if r.status != pb::ExecutionStatus::Running as i32);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    })
}

/// A stream fed by a task through a bounded channel.
fn async_stream_like<F, Fut>(
    body: F,
) -> impl Stream<Item = Result<HistoryEvent, Status>> + Send + 'static
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<HistoryEvent, Status>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(64);
    tokio::spawn(body(sender));
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

/// Relays the watch stream of the node that leads the execution's shard.
async fn forward_watch(
    context: &super::Context,
    shard: crate::ids::ShardId,
    request: WatchExecutionRequest,
) -> Result<Response<EventStream>, Status> {
    let cluster = context.router.cluster();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let leader = loop {
        match cluster.leader(shard) {
            Some(leader) if leader.node != cluster.node_id => break leader,
            _ if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            _ => {
                return Err(crate::shard::Error::NotLeader {
                    shard,
                    leader_hint: None,
                }
                .into());
            }
        }
    };
    let mut client = cairn_proto::v1::executions_client::ExecutionsClient::new(
        cluster.peers.channel(&leader.address),
    );
    let upstream = client.watch_execution(request).await?.into_inner();
    Ok(Response::new(Box::pin(upstream)))
}
