//! An activity worker written with the client library: serves the `fulfil` activity of
//! `docs/examples/fulfil.asl.json` (reserve, charge, ship).
//!
//! ```sh
//! cargo run --example fulfil_worker -- --endpoint http://127.0.0.1:7310 --tasks 3
//! ```

use std::time::Duration;

use cairn_client::{Client, TaskFailure, Worker};
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut endpoint =
        std::env::var("CAIRN_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:7310".into());
    let mut tasks: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--endpoint" => {
                endpoint = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--endpoint needs a URL"))?
            }
            "--tasks" => {
                tasks = Some(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--tasks needs a number"))?
                        .parse()?,
                )
            }
            other => anyhow::bail!("unknown argument {other}; use --endpoint URL and --tasks N"),
        }
    }
    let client = Client::connect(&endpoint).await?;
    // Creating an activity is idempotent: this returns its ARN whether or not it existed.
    let activity = client.create_activity("fulfil").await?.activity_arn;
    let worker =
        Worker::new(client, activity, "fulfil-worker").heartbeat_every(Duration::from_secs(10));
    let mut handled = 0usize;
    loop {
        let outcome = worker
            .poll_once(&mut |task: cairn_client::Task| async move {
                let order = &task.input["order"];
                match task.input["step"].as_str() {
                    Some("reserve") => {
                        Ok(json!({"items": order["items"].as_array().map_or(0, Vec::len)}))
                    }
                    Some("charge") => Ok(json!({"amount": order["total"], "receipt": "r-1"})),
                    Some("ship") => Ok(json!({"carrier": "post", "tracking": "T-42"})),
                    other => Err(TaskFailure::new(
                        "UnknownStep",
                        format!("no step {other:?}"),
                    )),
                }
            })
            .await?;
        if let Some(done) = outcome {
            println!("handled a task (succeeded: {})", done.succeeded);
            handled += 1;
            if tasks.is_some_and(|n| handled >= n) {
                return Ok(());
            }
        }
    }
}
