//! Cluster administration (served by `cairn.v1.Cluster`): adding and removing nodes (re-placing shard replicas
//! through Raft membership changes: add as learner, catch up, promote, remove) and moving shard
//! leadership toward an even spread.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use cairn_proto::cluster::{self as pb, shards_client::ShardsClient};
use cairn_proto::storage::MemberNode;
use cairn_proto::v1::cluster_client::ClusterClient;
use tonic::Status;
use tracing::info;

use super::{Cluster, placement};
use crate::ids::{NodeId, ShardId};

/// Every shard's voters and leader, as the cluster reports them: this node's shards from its
/// own Raft groups, the others from their leaders' reports.
pub async fn cluster_state(
    cluster: &Cluster,
) -> Result<
    (
        BTreeMap<ShardId, BTreeSet<NodeId>>,
        BTreeMap<ShardId, NodeId>,
    ),
    Status,
> {
    let mut voters = cluster.local_voters();
    let mut leaders = BTreeMap::new();
    for local in cluster.member_shards() {
        if let Some(leader) = cluster.leader(local.shard).map(|l| l.node) {
            leaders.insert(local.shard, leader);
        }
    }
    if voters.len() < cluster.shard_count() as usize {
        for (node, address) in cluster.nodes() {
            if node == cluster.node_id {
                continue;
            }
            let Ok(info) = ClusterClient::new(cluster.peers.channel(&address))
                .get_cluster_info(peer_request(cairn_proto::v1::GetClusterInfoRequest {}))
                .await
            else {
                continue;
            };
            for shard in info.into_inner().shards {
                let id = ShardId(shard.shard_id);
                voters
                    .entry(id)
                    .or_insert_with(|| shard.voters.iter().copied().collect());
                if shard.leader_node_id != 0 {
                    leaders.entry(id).or_insert(shard.leader_node_id);
                }
            }
        }
    }
    if voters.len() < cluster.shard_count() as usize {
        return Err(Status::unavailable(
            "some shards could not be reached; retry once every node is up",
        ));
    }
    Ok((voters, leaders))
}

/// How long a membership change keeps trying to reach the shard's leader while leadership
/// moves (the change itself may move it).
const MEMBERSHIP_DEADLINE: Duration = Duration::from_secs(120);

/// Asks the leader of `shard` to make `voters` its voter set.
async fn change_membership(
    cluster: &Cluster,
    shard: ShardId,
    voters: &BTreeSet<NodeId>,
) -> Result<(), Status> {
    let nodes = cluster.nodes();
    let members: Vec<MemberNode> = voters
        .iter()
        .map(|id| MemberNode {
            node_id: *id,
            address: nodes.get(id).cloned().unwrap_or_default(),
        })
        .collect();
    let deadline = tokio::time::Instant::now() + MEMBERSHIP_DEADLINE;
    let mut hint: Option<NodeId> = None;
    loop {
        let target = hint
            .take()
            .and_then(|node| nodes.get(&node).map(|address| (node, address.clone())))
            .or_else(|| cluster.leader(shard).map(|l| (l.node, l.address)))
            .or_else(|| {
                nodes
                    .iter()
                    .find(|(n, _)| **n != cluster.node_id)
                    .map(|(n, a)| (*n, a.clone()))
            });
        let last = match target {
            None => Status::unavailable(format!("shard {shard} has no known leader")),
            Some((node, address)) => {
                let mut request = tonic::Request::new(pb::ChangeShardMembershipRequest {
                    shard: shard.0,
                    voters: members.clone(),
                });
                request.set_timeout(
                    deadline
                        .saturating_duration_since(tokio::time::Instant::now())
                        .max(Duration::from_secs(1)),
                );
                match ShardsClient::new(cluster.peers.channel(&address))
                    .change_shard_membership(request)
                    .await
                {
                    Ok(_) => return Ok(()),
                    Err(status) => {
                        info!(%shard, node, error = %status.message(), "membership change not done yet; retrying");
                        // A node that does not lead the shard names the one that does.
                        hint = status
                            .metadata()
                            .get("cairn-leader-hint")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse().ok())
                            .filter(|n| *n != node);
                        status
                    }
                }
            }
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(last);
        }
        if hint.is_none() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Places replicas of some shards on `node` (learner, catch up, promote, drop a voter), so
/// that replicas stay spread evenly; returns the shards that moved.
pub async fn add_node(
    cluster: &Cluster,
    node: NodeId,
    address: String,
) -> Result<Vec<ShardId>, Status> {
    if node == 0 || address.is_empty() {
        return Err(Status::invalid_argument(
            "give the new node's id (not 0) and its HOST:PORT address",
        ));
    }
    cluster.learn_node(node, address);
    let (assignment, _) = cluster_state(cluster).await?;
    let nodes: BTreeSet<NodeId> = cluster
        .nodes()
        .keys()
        .copied()
        .filter(|n| *n != node)
        .collect();
    let changes = placement::add_node(
        &assignment,
        &nodes,
        node,
        cluster.options.cluster.replication_factor,
    );
    for (shard, voters) in &changes {
        info!(%shard, ?voters, node, "moving a replica to the new node");
        change_membership(cluster, *shard, voters).await?;
    }
    Ok(changes.into_keys().collect())
}

/// Moves every replica off `node`; returns the shards that moved.
pub async fn remove_node(cluster: &Cluster, node: NodeId) -> Result<Vec<ShardId>, Status> {
    let (assignment, _) = cluster_state(cluster).await?;
    let mut nodes: BTreeSet<NodeId> = assignment.values().flatten().copied().collect();
    nodes.extend(cluster.nodes().keys().copied());
    if !nodes.contains(&node) {
        return Err(Status::not_found(format!("node {node} is not a member")));
    }
    let changes = placement::remove_node(&assignment, &nodes, node);
    if changes.values().any(BTreeSet::is_empty) {
        return Err(Status::failed_precondition(format!(
            "node {node} holds the only replica of a shard; add a node first"
        )));
    }
    for (shard, voters) in &changes {
        info!(%shard, ?voters, node, "moving a replica off the leaving node");
        change_membership(cluster, *shard, voters).await?;
    }
    cluster.forget_node(node);
    Ok(changes.into_keys().collect())
}

/// A request to a peer that gives up after a few seconds, so a frozen node holds nothing up.
pub(super) fn peer_request<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(Duration::from_secs(3));
    request
}
