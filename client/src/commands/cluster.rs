//! `cairn cluster info`.

use std::process::ExitCode;

use anyhow::Result;
use cairn_client::aws_json::ToAwsJson;

use super::OutputFormat;
use super::output::{self, Table, View};
use super::session::Session;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the cluster: region and account, nodes, shards and their leaders.
    Info,
}

pub async fn execute(command: Command, session: Session) -> Result<ExitCode> {
    match command {
        Command::Info => {
            let info = session.client.get_cluster_info().await?;
            if session.output == OutputFormat::Json {
                output::emit(session.output, &info.to_aws_json(), View::Fields)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut summary = Table::new(&[]);
            summary.row(vec!["clusterId".into(), info.cluster_id.clone()]);
            summary.row(vec!["region".into(), info.region.clone()]);
            summary.row(vec!["account".into(), info.account.clone()]);
            summary.row(vec!["shardCount".into(), info.shard_count.to_string()]);
            summary.row(vec!["placement".into(), info.placement.clone()]);
            print!("{}", summary.render());

            let mut nodes = Table::new(&["NODE", "ADDRESS"]);
            for node in &info.nodes {
                nodes.row(vec![node.node_id.to_string(), node.address.clone()]);
            }
            print!("\n{}", nodes.render());

            let mut shards =
                Table::new(&["SHARD", "LEADER", "TERM", "COMMITTED", "APPLIED", "VOTERS"]);
            for shard in &info.shards {
                let voters: Vec<String> = shard.voters.iter().map(u64::to_string).collect();
                shards.row(vec![
                    shard.shard_id.to_string(),
                    shard.leader_node_id.to_string(),
                    shard.term.to_string(),
                    shard.committed_index.to_string(),
                    shard.applied_index.to_string(),
                    voters.join(","),
                ]);
            }
            print!("\n{}", shards.render());
        }
    }
    Ok(ExitCode::SUCCESS)
}
