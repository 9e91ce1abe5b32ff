use cairn_client::proto::activities_server::Activities;
use cairn_client::proto::{
    ActivityListItem, CreateActivityRequest, CreateActivityResponse, DeleteActivityRequest,
    DeleteActivityResponse, DescribeActivityRequest, DescribeActivityResponse,
    GetActivityTaskRequest, GetActivityTaskResponse, ListActivitiesRequest, ListActivitiesResponse,
    SendTaskFailureRequest, SendTaskFailureResponse, SendTaskHeartbeatRequest,
    SendTaskHeartbeatResponse, SendTaskSuccessRequest, SendTaskSuccessResponse, Timestamp,
};
use tonic::{Request, Response, Status};

use super::Service;
use super::errors::{invalid, page};
use super::store::{Activity, Answer, activity_arn, now_millis};

fn date(millis: i64) -> Option<Timestamp> {
    Some(Timestamp {
        epoch_millis: millis,
    })
}

#[tonic::async_trait]
impl Activities for Service {
    async fn create_activity(
        &self,
        request: Request<CreateActivityRequest>,
    ) -> Result<Response<CreateActivityResponse>, Status> {
        let name = request.into_inner().name;
        self.0.change(|store| {
            let activity = store
                .activities
                .entry(name.clone())
                .or_insert_with(|| Activity {
                    arn: activity_arn(&name),
                    name,
                    created_millis: now_millis(),
                    queue: Default::default(),
                });
            Ok(Response::new(CreateActivityResponse {
                activity_arn: activity.arn.clone(),
                creation_date: date(activity.created_millis),
            }))
        })
    }

    async fn describe_activity(
        &self,
        request: Request<DescribeActivityRequest>,
    ) -> Result<Response<DescribeActivityResponse>, Status> {
        let arn = request.into_inner().activity_arn;
        self.0.read(|store| {
            let activity = store.activity_by_arn(&arn)?;
            Ok(Response::new(DescribeActivityResponse {
                activity_arn: activity.arn.clone(),
                name: activity.name.clone(),
                creation_date: date(activity.created_millis),
            }))
        })
    }

    async fn list_activities(
        &self,
        request: Request<ListActivitiesRequest>,
    ) -> Result<Response<ListActivitiesResponse>, Status> {
        let list = request.into_inner();
        self.0.read(|store| {
            let items: Vec<ActivityListItem> = store
                .activities
                .values()
                .map(|a| ActivityListItem {
                    activity_arn: a.arn.clone(),
                    name: a.name.clone(),
                    creation_date: date(a.created_millis),
                })
                .collect();
            let (activities, next_token) = page(&items, list.max_results, &list.next_token)?;
            Ok(Response::new(ListActivitiesResponse {
                activities,
                next_token,
            }))
        })
    }

    async fn delete_activity(
        &self,
        request: Request<DeleteActivityRequest>,
    ) -> Result<Response<DeleteActivityResponse>, Status> {
        let arn = request.into_inner().activity_arn;
        self.0.change(|store| {
            let name = store.activity_by_arn(&arn)?.name.clone();
            store.activities.remove(&name);
            Ok(Response::new(DeleteActivityResponse {}))
        })
    }

    async fn get_activity_task(
        &self,
        request: Request<GetActivityTaskRequest>,
    ) -> Result<Response<GetActivityTaskResponse>, Status> {
        let poll = request.into_inner();
        self.0
            .read(|store| store.activity_by_arn(&poll.activity_arn).map(|_| ()))?;
        let handed = self
            .0
            .wait_for(self.0.poll_window, |store| {
                let queued = store
                    .activities
                    .values()
                    .find(|a| a.arn == poll.activity_arn)
                    .is_some_and(|a| !a.queue.is_empty());
                queued.then_some(())
            })
            .await;
        if handed.is_none() {
            return Ok(Response::new(GetActivityTaskResponse::default()));
        }
        // Take the task under the lock; another poller may have been quicker.
        let task = self.0.change(|store| {
            let activity = store
                .activities
                .values_mut()
                .find(|a| a.arn == poll.activity_arn)?;
            let token = activity.queue.pop_front()?;
            let task = store
                .tasks
                .get_mut(&token)
                .expect("queued tokens have tasks");
            task.worker = Some(poll.worker_name.clone());
            Some(GetActivityTaskResponse {
                task_token: token,
                input: task.input.clone(),
            })
        });
        Ok(Response::new(task.unwrap_or_default()))
    }

    async fn send_task_success(
        &self,
        request: Request<SendTaskSuccessRequest>,
    ) -> Result<Response<SendTaskSuccessResponse>, Status> {
        let success = request.into_inner();
        if serde_json::from_str::<serde_json::Value>(&success.output).is_err() {
            return Err(invalid("InvalidOutput", "the output is not JSON"));
        }
        self.0.change(|store| {
            store.open_task(&success.task_token)?.answer = Some(Answer::Success(success.output));
            Ok(Response::new(SendTaskSuccessResponse {}))
        })
    }

    async fn send_task_failure(
        &self,
        request: Request<SendTaskFailureRequest>,
    ) -> Result<Response<SendTaskFailureResponse>, Status> {
        let failure = request.into_inner();
        self.0.change(|store| {
            store.open_task(&failure.task_token)?.answer = Some(Answer::Failure {
                error: failure.error,
                cause: failure.cause,
            });
            Ok(Response::new(SendTaskFailureResponse {}))
        })
    }

    async fn send_task_heartbeat(
        &self,
        request: Request<SendTaskHeartbeatRequest>,
    ) -> Result<Response<SendTaskHeartbeatResponse>, Status> {
        let heartbeat = request.into_inner();
        self.0.change(|store| {
            store.open_task(&heartbeat.task_token)?.heartbeats += 1;
            Ok(Response::new(SendTaskHeartbeatResponse {}))
        })
    }
}
