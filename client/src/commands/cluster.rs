//! `cairn cluster info|status|add-node|remove-node|rebalance`.

use std::process::ExitCode;

use anyhow::Result;
use cairn_client::aws_json::ToAwsJson;
use cairn_client::replication_lag;
use serde_json::json;

use super::OutputFormat;
use super::output::{self, Table, View};
use super::session::Session;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// What the node reached knows: region and account, nodes, and the shards it hosts.
    Info,
    /// The whole cluster, from every node: which nodes answer, who leads each shard, each
    /// shard's voters and how far its slowest replica is behind. Exits with 1 when a node does
    /// not answer or a shard has no leader.
    Status,
    /// Places shard replicas on a node started with `cluster.join = true` (each new replica
    /// catches up before it votes). Waits until every move is done.
    AddNode {
        /// The new node's id (its `node-id`).
        #[arg(long)]
        id: u64,
        /// HOST:PORT the other nodes reach it at.
        #[arg(long)]
        address: String,
    },
    /// Moves every replica off a node, so it can be shut down for good.
    RemoveNode {
        #[arg(long)]
        id: u64,
    },
    /// Moves shard leadership so that each node leads its share.
    Rebalance,
}

pub async fn execute(command: Command, session: Session) -> Result<ExitCode> {
    match command {
        Command::Info => info(session).await,
        Command::Status => status(session).await,
        Command::AddNode { id, address } => {
            let reply = session.client.add_node(id, address).await?;
            let value = json!({"nodeId": id, "shards": reply.shards});
            output::emit(session.output, &value, View::Fields)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::RemoveNode { id } => {
            let reply = session.client.remove_node(id).await?;
            let value = json!({"nodeId": id, "shards": reply.shards});
            output::emit(session.output, &value, View::Fields)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rebalance => {
            let reply = session.client.rebalance().await?;
            let moves: serde_json::Map<String, serde_json::Value> = reply
                .moves
                .iter()
                .map(|(shard, node)| (shard.to_string(), json!(node)))
                .collect();
            output::emit(session.output, &json!({"moves": moves}), View::Fields)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn info(session: Session) -> Result<ExitCode> {
    let info = session.client.get_cluster_info().await?;
    if session.output == OutputFormat::Json {
        output::emit(session.output, &info.to_aws_json(), View::Fields)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut summary = Table::new(&[]);
    summary.row(vec!["clusterId".into(), info.cluster_id.clone()]);
    summary.row(vec!["nodeId".into(), info.node_id.to_string()]);
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

    let mut shards = Table::new(&["SHARD", "LEADER", "TERM", "COMMITTED", "APPLIED", "VOTERS"]);
    for shard in &info.shards {
        shards.row(vec![
            shard.shard_id.to_string(),
            shard.leader_node_id.to_string(),
            shard.term.to_string(),
            shard.committed_index.to_string(),
            shard.applied_index.to_string(),
            join(&shard.voters),
        ]);
    }
    print!("\n{}", shards.render());
    Ok(ExitCode::SUCCESS)
}

async fn status(session: Session) -> Result<ExitCode> {
    let status = session.client.cluster_status().await?;
    let leaderless: Vec<u32> = (0..status.shard_count)
        .filter(|id| {
            !status
                .shards
                .iter()
                .any(|s| s.shard_id == *id && s.leader_node_id != 0)
        })
        .collect();
    let healthy = leaderless.is_empty() && status.nodes.iter().all(|n| n.unreachable.is_none());
    if session.output == OutputFormat::Json {
        let value = json!({
            "healthy": healthy,
            "shardCount": status.shard_count,
            "leaderlessShards": leaderless,
            "nodes": status.nodes.iter().map(|n| json!({
                "nodeId": n.node_id,
                "address": n.address,
                "reachable": n.unreachable.is_none(),
                "error": n.unreachable,
                "leads": n.leads,
                "hosts": n.hosts,
            })).collect::<Vec<_>>(),
            "shards": status.shards.iter().map(|s| json!({
                "shardId": s.shard_id,
                "leaderNodeId": s.leader_node_id,
                "term": s.term,
                "voters": s.voters,
                "learners": s.learners,
                "committedIndex": s.committed_index,
                "replicationLag": replication_lag(s),
            })).collect::<Vec<_>>(),
        });
        output::emit(session.output, &value, View::Fields)?;
    } else {
        let mut nodes = Table::new(&["NODE", "ADDRESS", "STATE", "LEADS", "HOSTS"]);
        for node in &status.nodes {
            let state = match &node.unreachable {
                None => "up".to_owned(),
                Some(reason) => format!("unreachable: {reason}"),
            };
            nodes.row(vec![
                node.node_id.to_string(),
                node.address.clone(),
                state,
                node.leads.to_string(),
                node.hosts.to_string(),
            ]);
        }
        print!("{}", nodes.render());
        let mut shards = Table::new(&[
            "SHARD",
            "LEADER",
            "TERM",
            "VOTERS",
            "LEARNERS",
            "COMMITTED",
            "LAG",
        ]);
        for shard in &status.shards {
            shards.row(vec![
                shard.shard_id.to_string(),
                match shard.leader_node_id {
                    0 => "none".into(),
                    id => id.to_string(),
                },
                shard.term.to_string(),
                join(&shard.voters),
                join(&shard.learners),
                shard.committed_index.to_string(),
                replication_lag(shard).to_string(),
            ]);
        }
        print!("\n{}", shards.render());
        if !leaderless.is_empty() {
            println!("\nshards without a leader: {}", join(&leaderless));
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn join<T: ToString>(ids: &[T]) -> String {
    ids.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}
