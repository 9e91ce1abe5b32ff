//! The Activities service: activities, and the task tokens of activities and callbacks.

use cairn_proto::v1::{
    ActivityListItem, CreateActivityRequest, CreateActivityResponse, DeleteActivityRequest,
    DescribeActivityRequest, DescribeActivityResponse, GetActivityTaskRequest,
    GetActivityTaskResponse, ListActivitiesRequest, ListActivitiesResponse, SendTaskFailureRequest,
    SendTaskHeartbeatRequest, SendTaskSuccessRequest,
};

use super::paging::all_pages;
use super::{Client, Result, request, unary};

impl Client {
    /// CreateActivity. Idempotent by name.
    pub async fn create_activity(&self, name: &str) -> Result<CreateActivityResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let create = CreateActivityRequest {
            name: name.to_owned(),
        };
        unary(
            "CreateActivity",
            timeout,
            rpc.create_activity(request(create, timeout)),
        )
        .await
    }

    /// DescribeActivity.
    pub async fn describe_activity(&self, activity_arn: &str) -> Result<DescribeActivityResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let describe = DescribeActivityRequest {
            activity_arn: activity_arn.to_owned(),
        };
        unary(
            "DescribeActivity",
            timeout,
            rpc.describe_activity(request(describe, timeout)),
        )
        .await
    }

    /// ListActivities: one page.
    pub async fn list_activities(
        &self,
        list: ListActivitiesRequest,
    ) -> Result<ListActivitiesResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        unary(
            "ListActivities",
            timeout,
            rpc.list_activities(request(list, timeout)),
        )
        .await
    }

    /// Every activity from `list`'s page on, following page tokens.
    pub async fn list_activities_all(
        &self,
        list: ListActivitiesRequest,
    ) -> Result<Vec<ActivityListItem>> {
        all_pages(list, |page| async move {
            let response = self.list_activities(page).await?;
            Ok((response.activities, response.next_token))
        })
        .await
    }

    /// DeleteActivity.
    pub async fn delete_activity(&self, activity_arn: &str) -> Result<()> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let delete = DeleteActivityRequest {
            activity_arn: activity_arn.to_owned(),
        };
        unary(
            "DeleteActivity",
            timeout,
            rpc.delete_activity(request(delete, timeout)),
        )
        .await?;
        Ok(())
    }

    /// GetActivityTask: waits (up to 60 s on the server) for a task of the activity and
    /// returns it, or `None` when none arrived in time. Uses
    /// [`ClientOptions::long_poll_timeout`](crate::ClientOptions::long_poll_timeout). Once a
    /// task is returned it is this worker's: answer it with [`Client::send_task_success`] or
    /// [`Client::send_task_failure`], or it times out.
    pub async fn get_activity_task(
        &self,
        activity_arn: &str,
        worker_name: &str,
    ) -> Result<Option<GetActivityTaskResponse>> {
        let timeout = self.options.long_poll_timeout;
        let mut rpc = self.activities.clone();
        let poll = GetActivityTaskRequest {
            activity_arn: activity_arn.to_owned(),
            worker_name: worker_name.to_owned(),
        };
        let task = unary(
            "GetActivityTask",
            timeout,
            rpc.get_activity_task(request(poll, timeout)),
        )
        .await?;
        Ok((!task.task_token.is_empty()).then_some(task))
    }

    /// SendTaskSuccess: completes an activity task or a `.waitForTaskToken` callback with
    /// `output` (JSON text).
    pub async fn send_task_success(&self, task_token: &str, output: &str) -> Result<()> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let success = SendTaskSuccessRequest {
            task_token: task_token.to_owned(),
            output: output.to_owned(),
        };
        unary(
            "SendTaskSuccess",
            timeout,
            rpc.send_task_success(request(success, timeout)),
        )
        .await?;
        Ok(())
    }

    /// SendTaskFailure: fails the task with an error name and cause, which the state's Retry
    /// and Catch see.
    pub async fn send_task_failure(
        &self,
        task_token: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<()> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let failure = SendTaskFailureRequest {
            task_token: task_token.to_owned(),
            error: error.map(str::to_owned),
            cause: cause.map(str::to_owned),
        };
        unary(
            "SendTaskFailure",
            timeout,
            rpc.send_task_failure(request(failure, timeout)),
        )
        .await?;
        Ok(())
    }

    /// SendTaskHeartbeat: restarts the task's `HeartbeatSeconds` clock.
    pub async fn send_task_heartbeat(&self, task_token: &str) -> Result<()> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.activities.clone();
        let heartbeat = SendTaskHeartbeatRequest {
            task_token: task_token.to_owned(),
        };
        unary(
            "SendTaskHeartbeat",
            timeout,
            rpc.send_task_heartbeat(request(heartbeat, timeout)),
        )
        .await?;
        Ok(())
    }
}
