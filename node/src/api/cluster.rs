//! `cairn.v1.Cluster`.

use std::collections::BTreeMap;

use cairn_proto::v1::cluster_server::Cluster;
use cairn_proto::v1::*;
use tonic::{Request, Response, Status};

use super::Context;
use crate::cluster::{admin, rebalance};

#[derive(Clone)]
pub struct ClusterService {
    pub context: Context,
    pub cluster: std::sync::Arc<crate::cluster::Cluster>,
    pub cluster_id: String,
}

impl std::fmt::Debug for ClusterService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterService")
            .field("cluster_id", &self.cluster_id)
            .finish_non_exhaustive()
    }
}

#[tonic::async_trait]
impl Cluster for ClusterService {
    async fn get_cluster_info(
        &self,
        _request: Request<GetClusterInfoRequest>,
    ) -> Result<Response<GetClusterInfoResponse>, Status> {
        let cluster = &self.cluster;
        let mut nodes: BTreeMap<u64, String> = cluster.nodes();
        // Replicas that their shard removed are left out: what they know is stale.
        let local = cluster.member_shards();
        let mut shards = Vec::with_capacity(local.len());
        for shard in local {
            let metrics = shard.raft.metrics().borrow().clone();
            let membership = metrics.membership_config.membership();
            for (id, node) in membership.nodes() {
                nodes.entry(*id).or_insert_with(|| node.addr.clone());
            }
            // Only a leader knows how far each replica has got.
            let replicas = metrics
                .replication
                .as_ref()
                .map(|progress| {
                    progress
                        .iter()
                        .map(|(node, matched)| ReplicaProgress {
                            node_id: *node,
                            matched_index: matched.map(|m| m.index).unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            shards.push(ShardInfo {
                shard_id: shard.shard.0,
                leader_node_id: metrics.current_leader.unwrap_or_default(),
                term: metrics.current_term,
                committed_index: metrics.last_log_index.unwrap_or_default(),
                applied_index: metrics.last_applied.map(|l| l.index).unwrap_or_default(),
                voters: membership.voter_ids().collect(),
                learners: membership.learner_ids().collect(),
                replicas,
            });
        }
        let identity = &self.context.options.identity;
        Ok(Response::new(GetClusterInfoResponse {
            cluster_id: self.cluster_id.clone(),
            shard_count: cluster.shard_count(),
            node_id: cluster.node_id,
            placement: "fnv1a64(state machine name NUL execution name) mod shard_count".into(),
            nodes: nodes
                .into_iter()
                .map(|(node_id, address)| NodeInfo { node_id, address })
                .collect(),
            shards,
            region: identity.region.clone(),
            account: identity.account.clone(),
        }))
    }

    async fn add_node(
        &self,
        request: Request<AddNodeRequest>,
    ) -> Result<Response<AddNodeResponse>, Status> {
        let request = request.into_inner();
        let shards = admin::add_node(&self.cluster, request.node_id, request.address).await?;
        Ok(Response::new(AddNodeResponse {
            shards: shards.into_iter().map(|s| s.0).collect(),
        }))
    }

    async fn remove_node(
        &self,
        request: Request<RemoveNodeRequest>,
    ) -> Result<Response<RemoveNodeResponse>, Status> {
        let shards = admin::remove_node(&self.cluster, request.into_inner().node_id).await?;
        Ok(Response::new(RemoveNodeResponse {
            shards: shards.into_iter().map(|s| s.0).collect(),
        }))
    }

    async fn rebalance(
        &self,
        _request: Request<RebalanceRequest>,
    ) -> Result<Response<RebalanceResponse>, Status> {
        let moves = rebalance::move_leaders(&self.cluster).await?;
        Ok(Response::new(RebalanceResponse {
            moves: moves.into_iter().map(|(s, n)| (s.0, n)).collect(),
        }))
    }
}
