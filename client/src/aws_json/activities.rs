use cairn_proto::v1::{
    ActivityListItem, CreateActivityResponse, DescribeActivityResponse, GetActivityTaskResponse,
    ListActivitiesResponse,
};
use serde_json::Value;

use super::{Object, ToAwsJson};

impl ToAwsJson for CreateActivityResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("activityArn", &self.activity_arn)
            .date("creationDate", self.creation_date.as_ref())
            .build()
    }
}

impl ToAwsJson for DescribeActivityResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("activityArn", &self.activity_arn)
            .text("name", &self.name)
            .date("creationDate", self.creation_date.as_ref())
            .build()
    }
}

impl ToAwsJson for ActivityListItem {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("activityArn", &self.activity_arn)
            .text("name", &self.name)
            .date("creationDate", self.creation_date.as_ref())
            .build()
    }
}

impl ToAwsJson for ListActivitiesResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .list("activities", &self.activities)
            .text_if_any("nextToken", &self.next_token)
            .build()
    }
}

/// An empty poll prints `{}`, as the AWS CLI does when no task arrived.
impl ToAwsJson for GetActivityTaskResponse {
    fn to_aws_json(&self) -> Value {
        if self.task_token.is_empty() {
            return Object::new().build();
        }
        Object::new()
            .text("taskToken", &self.task_token)
            .text("input", &self.input)
            .build()
    }
}
