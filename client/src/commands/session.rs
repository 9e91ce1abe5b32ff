//! What every server command shares: the connection, the output format, and turning bare
//! names into ARNs.

use std::future::Future;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cairn_client::Client;
use tokio::sync::OnceCell;

use super::OutputFormat;

/// The node's default gRPC address.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:7310";

/// A connected server command.
#[derive(Debug)]
pub struct Session {
    pub client: Client,
    pub output: OutputFormat,
    /// `(region, account)` from GetClusterInfo, fetched once when a bare name needs an ARN.
    arn_parts: OnceCell<(String, String)>,
}

/// Connects to `endpoint` and runs `command` on a runtime of its own (the local commands
/// need none, so `main` stays synchronous).
pub fn run<F, Fut>(endpoint: &str, output: OutputFormat, command: F) -> Result<ExitCode>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // One command makes one or two calls: learning the shard map would cost more than the
        // forwarding hop it saves.
        let options = cairn_client::ClientOptions {
            route_to_leaders: false,
            ..cairn_client::ClientOptions::default()
        };
        let client = Client::connect_with(endpoint, options).await?;
        command(Session {
            client,
            output,
            arn_parts: OnceCell::new(),
        })
        .await
    })
}

impl Session {
    /// `arg` if it is an ARN, else the ARN of the state machine named `arg`.
    pub async fn state_machine_arn(&self, arg: &str) -> Result<String> {
        self.arn(arg, "stateMachine").await
    }

    /// `arg` if it is an ARN, else the ARN of the activity named `arg`.
    pub async fn activity_arn(&self, arg: &str) -> Result<String> {
        self.arn(arg, "activity").await
    }

    async fn arn(&self, arg: &str, resource: &str) -> Result<String> {
        if arg.starts_with("arn:") {
            return Ok(arg.to_owned());
        }
        let (region, account) = self
            .arn_parts
            .get_or_try_init(|| async {
                let info = self.client.get_cluster_info().await?;
                anyhow::Ok((info.region, info.account))
            })
            .await?;
        if region.is_empty() || account.is_empty() {
            bail!(
                "the server did not say its region and account; give the full ARN instead of {arg:?}"
            );
        }
        Ok(format!(
            "arn:aws:states:{region}:{account}:{resource}:{arg}"
        ))
    }
}
