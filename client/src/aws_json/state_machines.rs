use cairn_proto::v1::{
    CreateStateMachineResponse, DescribeStateMachineResponse, ListStateMachinesResponse,
    StateMachineListItem, UpdateStateMachineResponse, ValidateStateMachineDefinitionResponse,
    ValidationDiagnostic,
};
use serde_json::Value;

use super::{Object, ToAwsJson};

impl ToAwsJson for CreateStateMachineResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("stateMachineArn", &self.state_machine_arn)
            .date("creationDate", self.creation_date.as_ref())
            .build()
    }
}

impl ToAwsJson for UpdateStateMachineResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .date("updateDate", self.update_date.as_ref())
            .text_if_any("revisionId", &self.revision_id)
            .build()
    }
}

impl ToAwsJson for DescribeStateMachineResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("stateMachineArn", &self.state_machine_arn)
            .text("name", &self.name)
            .text_if_any("status", &self.status)
            .text("definition", &self.definition)
            .text_if_any("roleArn", &self.role_arn)
            .machine_type("type", self.r#type())
            .date("creationDate", self.creation_date.as_ref())
            .text_if_any("revisionId", &self.revision_id)
            .build()
    }
}

impl ToAwsJson for StateMachineListItem {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("stateMachineArn", &self.state_machine_arn)
            .text("name", &self.name)
            .machine_type("type", self.r#type())
            .date("creationDate", self.creation_date.as_ref())
            .build()
    }
}

impl ToAwsJson for ListStateMachinesResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .list("stateMachines", &self.state_machines)
            .text_if_any("nextToken", &self.next_token)
            .build()
    }
}

impl ToAwsJson for ValidationDiagnostic {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("severity", &self.severity)
            .text("code", &self.code)
            .text("message", &self.message)
            .text_if_any("location", &self.location)
            .build()
    }
}

impl ToAwsJson for ValidateStateMachineDefinitionResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("result", &self.result)
            .list("diagnostics", &self.diagnostics)
            // The server reports every diagnostic, so the list is never cut short.
            .value("truncated", false)
            .build()
    }
}
