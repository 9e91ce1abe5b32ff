//! Keeping leadership spread: each shard has a preferred leader (spreading leaders evenly over
//! its voters); a node that is the preferred leader of a shard led elsewhere, and is caught up,
//! asks for an election. Also keeps this node's view of who leads the shards it does not host.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cairn_proto::cluster::shards_client::ShardsClient;
use cairn_proto::v1::cluster_client::ClusterClient;
use tonic::Status;
use tracing::{debug, info};

use super::{Cluster, Leader, placement};
use crate::ids::{NodeId, ShardId};

/// Requests elections so that each shard is led by its preferred leader; returns the moves.
pub async fn move_leaders(cluster: &Arc<Cluster>) -> Result<BTreeMap<ShardId, NodeId>, Status> {
    let (voters, leaders) = super::admin::cluster_state(cluster).await?;
    let nodes = cluster.nodes();
    let mut moves = BTreeMap::new();
    for (shard, voters) in &voters {
        let Some(preferred) = placement::preferred_leader(*shard, voters) else {
            continue;
        };
        if leaders.get(shard) == Some(&preferred) {
            continue;
        }
        let Some(address) = nodes.get(&preferred) else {
            continue;
        };
        let request = cairn_proto::cluster::CampaignRequest { shard: shard.0 };
        if ShardsClient::new(cluster.peers.channel(address))
            .campaign(super::admin::peer_request(request))
            .await
            .is_ok()
        {
            moves.insert(*shard, preferred);
        }
    }
    Ok(moves)
}

/// Runs until the node stops: refreshes the view of remote shard leaders and, when enabled,
/// moves leadership of this node's preferred shards back to it (one shard per round, so a
/// returning node takes its share over gradually).
pub async fn maintain(cluster: Arc<Cluster>) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = tokio::time::Instant::now();
    loop {
        tick.tick().await;
        refresh_remote_leaders(&cluster).await;
        // Give a restarted node time to catch up before it asks to lead.
        if cluster.options.cluster.auto_rebalance && started.elapsed() > Duration::from_secs(5) {
            claim_one_preferred_shard(&cluster).await;
        }
    }
}

async fn refresh_remote_leaders(cluster: &Cluster) {
    if cluster.member_shards().len() as u32 >= cluster.shard_count() {
        return;
    }
    for (node, address) in cluster.nodes() {
        if node == cluster.node_id {
            continue;
        }
        let Ok(info) = ClusterClient::new(cluster.peers.channel(&address))
            .get_cluster_info(super::admin::peer_request(
                cairn_proto::v1::GetClusterInfoRequest {},
            ))
            .await
        else {
            continue;
        };
        let info = info.into_inner();
        let addresses: BTreeMap<NodeId, String> = info
            .nodes
            .iter()
            .map(|n| (n.node_id, n.address.clone()))
            .collect();
        for shard in info.shards {
            if shard.leader_node_id == 0 || cluster.member(ShardId(shard.shard_id)).is_some() {
                continue;
            }
            if let Some(address) = addresses.get(&shard.leader_node_id) {
                cluster.learn_leader(
                    ShardId(shard.shard_id),
                    Leader {
                        node: shard.leader_node_id,
                        address: address.clone(),
                    },
                );
            }
        }
    }
}

async fn claim_one_preferred_shard(cluster: &Cluster) {
    for local in cluster.member_shards() {
        let metrics = local.raft.metrics().borrow().clone();
        let voters = metrics.membership_config.membership().voter_ids().collect();
        if placement::preferred_leader(local.shard, &voters) != Some(cluster.node_id) {
            continue;
        }
        let Some(leader) = metrics.current_leader else {
            continue;
        };
        if leader == cluster.node_id {
            continue;
        }
        // Only a replica that has applied everything it has received campaigns; an election
        // it cannot win only disturbs the shard.
        let caught_up = metrics.last_applied.map(|l| l.index) == metrics.last_log_index;
        if !caught_up {
            debug!(shard = %local.shard, "preferred leader still catching up");
            continue;
        }
        info!(shard = %local.shard, from = leader, "taking back leadership of a preferred shard");
        let _ = local.raft.trigger().elect().await;
        return;
    }
}
