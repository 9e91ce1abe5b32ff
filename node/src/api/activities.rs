//! `cairn.v1.Activities`: activities, the workers' long poll, and task tokens.

use std::time::Duration;

use asl::Failure;
use asl::interpreter::Input;
use cairn_proto::storage::ActivityRecord;
use cairn_proto::v1::activities_server::Activities;
use cairn_proto::v1::*;
use tonic::{Code, Request, Response, Status};

use super::error::status;
use super::{Context, page_size, timestamp};
use crate::ids::{Resource, ShardId, is_name};
use crate::shard::{ActivityCommand, Error};
use crate::tasks::activities::hand_over;
use crate::tasks::token::TaskRef;

#[derive(Debug, Clone)]
pub struct ActivitiesService {
    pub context: Context,
}

impl ActivitiesService {
    fn activity_name(&self, arn: &str) -> Result<String, Status> {
        match self.context.router.arns().parse(arn) {
            Some(Resource::Activity { name }) => Ok(name),
            _ => Err(status(
                Code::InvalidArgument,
                "InvalidArn",
                format!("{arn:?} is not an activity ARN of this cluster"),
            )),
        }
    }

    async fn record(&self, arn: &str) -> Result<ActivityRecord, Status> {
        let name = self.activity_name(arn)?;
        self.context
            .router
            .activity(&name)
            .await?
            .ok_or_else(|| activity_does_not_exist(arn))
    }

    /// As [`Self::record`], possibly as read in the last second (see
    /// `shard::recent_records`): a worker polls again and again.
    async fn record_to_poll(&self, arn: &str) -> Result<std::sync::Arc<ActivityRecord>, Status> {
        let name = self.activity_name(arn)?;
        self.context
            .router
            .activity_to_poll(&name)
            .await?
            .ok_or_else(|| activity_does_not_exist(arn))
    }

    fn token(&self, token: &str) -> Result<TaskRef, Status> {
        self.context
            .deps
            .tokens
            .verify(token)
            .map_err(|e| status(Code::InvalidArgument, "InvalidToken", e.to_string()))
    }

    /// Feeds a task's answer to its execution, mapping "not open" to the AWS error.
    async fn answer(&self, task: TaskRef, input: Input) -> Result<(), Status> {
        match self.context.router.input(&task.execution, input).await {
            Ok(()) => Ok(()),
            Err(
                Error::TaskDoesNotExist(_)
                | Error::ExecutionFinished
                | Error::ExecutionDoesNotExist(_),
            ) => Err(status(
                Code::NotFound,
                "TaskDoesNotExist",
                "the task is no longer open: it finished, timed out, or its execution ended",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

#[tonic::async_trait]
impl Activities for ActivitiesService {
    async fn create_activity(
        &self,
        request: Request<CreateActivityRequest>,
    ) -> Result<Response<CreateActivityResponse>, Status> {
        let name = request.into_inner().name;
        if !is_name(&name) {
            return Err(status(
                Code::InvalidArgument,
                "InvalidName",
                format!("{name:?} is not a valid activity name"),
            ));
        }
        let arn = self.context.router.arns().activity(&name);
        if let Ok(existing) = self.record(&arn).await {
            return Ok(Response::new(CreateActivityResponse {
                activity_arn: existing.arn,
                creation_date: timestamp(existing.creation_millis),
            }));
        }
        let now = self.context.clock.now().as_millis();
        let record = ActivityRecord {
            name: name.clone(),
            arn: arn.clone(),
            creation_millis: now,
        };
        self.context
            .router
            .activity_command(&name, ActivityCommand::Put(record))
            .await?;
        Ok(Response::new(CreateActivityResponse {
            activity_arn: arn,
            creation_date: timestamp(now),
        }))
    }

    async fn describe_activity(
        &self,
        request: Request<DescribeActivityRequest>,
    ) -> Result<Response<DescribeActivityResponse>, Status> {
        let record = self.record(&request.into_inner().activity_arn).await?;
        Ok(Response::new(DescribeActivityResponse {
            activity_arn: record.arn,
            name: record.name,
            creation_date: timestamp(record.creation_millis),
        }))
    }

    async fn list_activities(
        &self,
        request: Request<ListActivitiesRequest>,
    ) -> Result<Response<ListActivitiesResponse>, Status> {
        let request = request.into_inner();
        let limit = page_size(request.max_results);
        // Activities are few (they are created by hand), so every shard's are gathered.
        let router = &self.context.router;
        let mut all: Vec<ActivityRecord> = Vec::new();
        for shard in (0..router.shard_count()).map(ShardId) {
            let mut cursor = None;
            loop {
                let page = router.activities_page(shard, cursor, 1_000).await?;
                all.extend(page.items);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let after = request.next_token;
        let page: Vec<ActivityRecord> = all
            .into_iter()
            .filter(|r| after.is_empty() || r.name > after)
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        let page: Vec<ActivityRecord> = page.into_iter().take(limit).collect();
        let next_token = if more {
            page.last().map(|r| r.name.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListActivitiesResponse {
            activities: page
                .into_iter()
                .map(|r| ActivityListItem {
                    activity_arn: r.arn,
                    name: r.name,
                    creation_date: timestamp(r.creation_millis),
                })
                .collect(),
            next_token,
        }))
    }

    async fn delete_activity(
        &self,
        request: Request<DeleteActivityRequest>,
    ) -> Result<Response<DeleteActivityResponse>, Status> {
        let arn = request.into_inner().activity_arn;
        let name = self.activity_name(&arn)?;
        self.context
            .router
            .activity_command(&name, ActivityCommand::Delete { name: name.clone() })
            .await?;
        Ok(Response::new(DeleteActivityResponse {}))
    }

    async fn get_activity_task(
        &self,
        request: Request<GetActivityTaskRequest>,
    ) -> Result<Response<GetActivityTaskResponse>, Status> {
        let request = request.into_inner();
        let record = self.record_to_poll(&request.activity_arn).await?;
        let wait = Duration::from_secs(self.context.options.activities.poll_seconds_max);
        let worker = (!request.worker_name.is_empty()).then_some(request.worker_name);
        let task = take_from_cluster(&self.context, &record.arn, worker, wait).await?;
        Ok(Response::new(match task {
            Some((task_token, input)) => GetActivityTaskResponse { task_token, input },
            None => GetActivityTaskResponse::default(),
        }))
    }

    async fn send_task_success(
        &self,
        request: Request<SendTaskSuccessRequest>,
    ) -> Result<Response<SendTaskSuccessResponse>, Status> {
        let request = request.into_inner();
        let task = self.token(&request.task_token)?;
        let max = self.context.options.limits.payload_bytes_max;
        if request.output.len() as u64 > max {
            return Err(status(
                Code::InvalidArgument,
                "InvalidOutput",
                format!("the output is larger than {max} bytes"),
            ));
        }
        let output: serde_json::Value = serde_json::from_str(&request.output).map_err(|e| {
            status(
                Code::InvalidArgument,
                "InvalidOutput",
                format!("the output is not valid JSON: {e}"),
            )
        })?;
        let id = task.task;
        self.answer(task, Input::TaskSucceeded { task: id, output })
            .await?;
        Ok(Response::new(SendTaskSuccessResponse {}))
    }

    async fn send_task_failure(
        &self,
        request: Request<SendTaskFailureRequest>,
    ) -> Result<Response<SendTaskFailureResponse>, Status> {
        let request = request.into_inner();
        let task = self.token(&request.task_token)?;
        let failure = Failure {
            error: request.error.unwrap_or_default(),
            cause: request.cause,
        };
        let id = task.task;
        self.answer(task, Input::TaskFailed { task: id, failure })
            .await?;
        Ok(Response::new(SendTaskFailureResponse {}))
    }

    async fn send_task_heartbeat(
        &self,
        request: Request<SendTaskHeartbeatRequest>,
    ) -> Result<Response<SendTaskHeartbeatResponse>, Status> {
        let task = self.token(&request.into_inner().task_token)?;
        let id = task.task;
        self.answer(task, Input::TaskHeartbeat { task: id }).await?;
        Ok(Response::new(SendTaskHeartbeatResponse {}))
    }
}

/// How long a poll waits on this node's own queue before it asks the other nodes again. A
/// task queued on another node reaches a worker polling here within about this long.
const PEER_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The answer to a call naming an activity that does not exist.
fn activity_does_not_exist(arn: &str) -> Status {
    status(
        Code::NotFound,
        "ActivityDoesNotExist",
        format!("activity {arn} does not exist"),
    )
}

/// A worker's long poll across the cluster. Tasks queue on the node that leads their
/// execution's shard; this takes one from this node's queue, or else from a peer's (each peer
/// commits `ActivityStarted` before it answers, so a task goes to one worker only), waiting on
/// the local queue in between, until `wait` has passed.
async fn take_from_cluster(
    context: &Context,
    activity_arn: &str,
    worker: Option<String>,
    wait: Duration,
) -> Result<Option<(String, String)>, Status> {
    let router = &context.router;
    let dispatcher = &context.deps.activities;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(task) = hand_over(
            router,
            dispatcher,
            activity_arn,
            worker.clone(),
            Duration::ZERO,
        )
        .await?
        {
            return Ok(Some((task.token, task.input)));
        }
        if let Some(task) = take_from_peers(context, activity_arn, worker.as_deref()).await {
            return Ok(Some(task));
        }
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        if remaining.is_zero() {
            return Ok(None);
        }
        let slice = if router.cluster().nodes().len() > 1 {
            remaining.min(PEER_POLL_INTERVAL)
        } else {
            remaining
        };
        if let Some(task) =
            hand_over(router, dispatcher, activity_arn, worker.clone(), slice).await?
        {
            return Ok(Some((task.token, task.input)));
        }
    }
}

/// Asks each other node, without waiting, for a task; an unreachable node is skipped.
async fn take_from_peers(
    context: &Context,
    activity_arn: &str,
    worker: Option<&str>,
) -> Option<(String, String)> {
    use cairn_proto::cluster::shards_client::ShardsClient;
    let cluster = context.router.cluster();
    for (node, address) in cluster.nodes() {
        if node == cluster.node_id {
            continue;
        }
        let request = cairn_proto::cluster::TakeActivityTaskRequest {
            activity_arn: activity_arn.to_owned(),
            worker_name: worker.unwrap_or_default().to_owned(),
            wait_millis: 0,
        };
        let mut request = Request::new(request);
        // A frozen peer must not hold every poll here for long.
        request.set_timeout(Duration::from_secs(2));
        match ShardsClient::new(cluster.peers.channel(&address))
            .take_activity_task(request)
            .await
        {
            Ok(reply) => {
                let reply = reply.into_inner();
                if !reply.task_token.is_empty() {
                    return Some((reply.task_token, reply.input));
                }
            }
            Err(e) => tracing::debug!(node, error = %e, "a peer did not answer an activity poll"),
        }
    }
    None
}
