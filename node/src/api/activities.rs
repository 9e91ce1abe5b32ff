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
use crate::ids::{Resource, is_name};
use crate::shard::{ActivityCommand, Error};
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

    fn record(&self, arn: &str) -> Result<ActivityRecord, Status> {
        let name = self.activity_name(arn)?;
        self.context
            .router
            .name_reader(&name)
            .activity(&name)
            .map_err(|e| status(Code::Internal, "InternalFailure", e.to_string()))?
            .ok_or_else(|| {
                status(
                    Code::NotFound,
                    "ActivityDoesNotExist",
                    format!("activity {arn} does not exist"),
                )
            })
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
        let handle = self.context.router.execution_handle(&task.execution);
        match handle.input(task.execution.clone(), input).await {
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
        if let Ok(existing) = self.record(&arn) {
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
            .name_handle(&name)
            .activity(ActivityCommand::Put(record))
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
        let record = self.record(&request.into_inner().activity_arn)?;
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
        let mut all: Vec<ActivityRecord> = Vec::new();
        for reader in self.context.router.readers() {
            let page = reader
                .activities(None, usize::MAX)
                .map_err(|e| status(Code::Internal, "InternalFailure", e.to_string()))?;
            all.extend(page.items);
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
            .name_handle(&name)
            .activity(ActivityCommand::Delete { name: name.clone() })
            .await?;
        Ok(Response::new(DeleteActivityResponse {}))
    }

    async fn get_activity_task(
        &self,
        request: Request<GetActivityTaskRequest>,
    ) -> Result<Response<GetActivityTaskResponse>, Status> {
        let request = request.into_inner();
        let record = self.record(&request.activity_arn)?;
        let wait = Duration::from_secs(self.context.options.activities.poll_seconds_max);
        let deadline = tokio::time::Instant::now() + wait;
        let worker = (!request.worker_name.is_empty()).then_some(request.worker_name);
        let dispatcher = &self.context.deps.activities;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(task) = dispatcher.take(&record.arn, remaining).await else {
                return Ok(Response::new(GetActivityTaskResponse::default()));
            };
            // ActivityStarted is committed before the task is handed over: a task whose start
            // does not commit is never given to this worker.
            let handle = self.context.router.execution_handle(&task.execution);
            let started = Input::TaskStarted {
                task: task.task,
                worker_name: worker.clone(),
            };
            match handle.input(task.execution.clone(), started).await {
                Ok(()) => {
                    return Ok(Response::new(GetActivityTaskResponse {
                        task_token: task.token,
                        input: task.input,
                    }));
                }
                Err(
                    Error::TaskAlreadyStarted(_)
                    | Error::TaskDoesNotExist(_)
                    | Error::ExecutionFinished
                    | Error::ExecutionDoesNotExist(_),
                ) => {
                    continue;
                }
                Err(e) => {
                    dispatcher.requeue_front(&record.arn, task);
                    return Err(e.into());
                }
            }
        }
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
