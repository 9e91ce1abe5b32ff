//! Running a case on an EXPRESS state machine with StartSyncExecution, the way AWS recorded
//! the corpus's EXPRESS cases. Express executions have no history API, so the result line
//! has no events (`null`).

use serde_json::{Value, json};

use super::remote::{NotRun, RemoteOptions};
use crate::Client;
use crate::proto::StartSyncExecutionRequest;

pub(super) async fn execute_sync(
    client: &Client,
    state_machine_arn: &str,
    input: &Value,
    options: &RemoteOptions,
) -> Result<Value, NotRun> {
    let call = client.start_sync_execution(StartSyncExecutionRequest {
        state_machine_arn: state_machine_arn.to_owned(),
        name: String::new(),
        input: input.to_string(),
    });
    let ended = match tokio::time::timeout(options.case_timeout, call).await {
        Ok(ended) => ended?,
        Err(_elapsed) => {
            return Err(NotRun::Failed {
                error: "Runner".to_owned(),
                cause: format!(
                    "the Express execution did not end within {:?} (it cannot be stopped)",
                    options.case_timeout
                ),
            });
        }
    };
    let output = ended
        .output
        .as_deref()
        .map(|text| serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    Ok(json!({
        "status": ended.status().as_str_name(),
        "output": output,
        "error": ended.error,
        "cause": ended.cause,
        "events": null,
        "notes": "Express executions have no history: no events to compare",
    }))
}
