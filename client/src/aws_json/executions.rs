use cairn_proto::v1::{
    DescribeExecutionResponse, ExecutionListItem, GetExecutionHistoryResponse, HistoryEvent,
    ListExecutionsResponse, StartExecutionResponse, StartSyncExecutionResponse,
    StopExecutionResponse,
};
use serde_json::{Map, Value, json};

use super::{Object, ToAwsJson, iso8601};

impl ToAwsJson for StartExecutionResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("executionArn", &self.execution_arn)
            .date("startDate", self.start_date.as_ref())
            .build()
    }
}

/// As `aws stepfunctions start-sync-execution` prints it (without billing details).
impl ToAwsJson for StartSyncExecutionResponse {
    fn to_aws_json(&self) -> Value {
        let mut ended = Object::new()
            .text("executionArn", &self.execution_arn)
            .text("stateMachineArn", &self.state_machine_arn)
            .text("name", &self.name)
            .date("startDate", self.start_date.as_ref())
            .date("stopDate", self.stop_date.as_ref())
            .status("status", self.status())
            .optional_text("error", self.error.as_deref())
            .optional_text("cause", self.cause.as_deref())
            .text("input", &self.input)
            .value("inputDetails", json!({"included": true}));
        if let Some(output) = &self.output {
            ended = ended
                .text("output", output)
                .value("outputDetails", json!({"included": true}));
        }
        ended.build()
    }
}

impl ToAwsJson for StopExecutionResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .date("stopDate", self.stop_date.as_ref())
            .build()
    }
}

impl ToAwsJson for DescribeExecutionResponse {
    fn to_aws_json(&self) -> Value {
        // `…Details.included` says whether the payload was returned at all (AWS can withhold
        // it); Cairn always returns it.
        let mut described = Object::new()
            .text("executionArn", &self.execution_arn)
            .text("stateMachineArn", &self.state_machine_arn)
            .text("name", &self.name)
            .status("status", self.status())
            .date("startDate", self.start_date.as_ref())
            .date("stopDate", self.stop_date.as_ref())
            .text("input", &self.input)
            .value("inputDetails", json!({"included": true}));
        if let Some(output) = &self.output {
            described = described
                .text("output", output)
                .value("outputDetails", json!({"included": true}));
        }
        described
            .optional_text("error", self.error.as_deref())
            .optional_text("cause", self.cause.as_deref())
            .value("redriveCount", self.redrive_count)
            .build()
    }
}

impl ToAwsJson for ExecutionListItem {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("executionArn", &self.execution_arn)
            .text("stateMachineArn", &self.state_machine_arn)
            .text("name", &self.name)
            .status("status", self.status())
            .date("startDate", self.start_date.as_ref())
            .date("stopDate", self.stop_date.as_ref())
            .build()
    }
}

impl ToAwsJson for ListExecutionsResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .list("executions", &self.executions)
            .text_if_any("nextToken", &self.next_token)
            .build()
    }
}

/// `{timestamp, type, id, previousEventId, <xxx>EventDetails}`, the details member taken
/// from the event's `details_json`.
impl ToAwsJson for HistoryEvent {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text(
                "timestamp",
                &iso8601(self.timestamp.map_or(0, |t| t.epoch_millis)),
            )
            .text("type", &self.r#type)
            .value("id", self.id)
            .value("previousEventId", self.previous_event_id)
            .merge(event_details(self))
            .build()
    }
}

impl ToAwsJson for GetExecutionHistoryResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .list("events", &self.events)
            .text_if_any("nextToken", &self.next_token)
            .build()
    }
}

/// The event's details members (`{"stateEnteredEventDetails": {…}}`), or none when
/// `details_json` is empty or not a JSON object.
pub fn event_details(event: &HistoryEvent) -> Map<String, Value> {
    match serde_json::from_str(&event.details_json) {
        Ok(Value::Object(members)) => members,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_proto::v1::Timestamp;

    #[test]
    fn a_sync_execution_prints_with_the_aws_cli_member_names() {
        let ended = StartSyncExecutionResponse {
            execution_arn: "arn:aws:states:us-east-1:123456789012:express:m:e:u".into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            name: "e".into(),
            start_date: Some(Timestamp { epoch_millis: 0 }),
            stop_date: Some(Timestamp {
                epoch_millis: 1_000,
            }),
            status: cairn_proto::v1::ExecutionStatus::Failed as i32,
            input: "{}".into(),
            output: None,
            error: Some("E".into()),
            cause: Some("why".into()),
        };
        assert_eq!(
            ended.to_aws_json(),
            json!({
                "executionArn": "arn:aws:states:us-east-1:123456789012:express:m:e:u",
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m",
                "name": "e",
                "startDate": "1970-01-01T00:00:00+00:00",
                "stopDate": "1970-01-01T00:00:01+00:00",
                "status": "FAILED",
                "error": "E",
                "cause": "why",
                "input": "{}",
                "inputDetails": {"included": true},
            })
        );
    }

    #[test]
    fn an_event_carries_its_details_member_beside_the_envelope() {
        let event = HistoryEvent {
            id: 2,
            previous_event_id: 1,
            timestamp: Some(Timestamp {
                epoch_millis: 1_500,
            }),
            r#type: "PassStateEntered".into(),
            details_json: r#"{"stateEnteredEventDetails":{"name":"A","input":"{}"}}"#.into(),
        };
        assert_eq!(
            event.to_aws_json(),
            json!({
                "timestamp": "1970-01-01T00:00:01.500000+00:00",
                "type": "PassStateEntered",
                "id": 2,
                "previousEventId": 1,
                "stateEnteredEventDetails": {"name": "A", "input": "{}"},
            })
        );
    }
}
