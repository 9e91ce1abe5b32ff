//! `cairn.v1.Cluster`.

use std::collections::BTreeMap;

use cairn_proto::v1::cluster_server::Cluster;
use cairn_proto::v1::*;
use openraft::Raft;
use tonic::{Request, Response, Status};

use super::Context;
use crate::raft::TypeConfig;

#[derive(Clone)]
pub struct ClusterService {
    pub context: Context,
    pub rafts: Vec<Raft<TypeConfig>>,
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
        let mut nodes = BTreeMap::new();
        let mut shards = Vec::with_capacity(self.rafts.len());
        for (shard, raft) in self.rafts.iter().enumerate() {
            let metrics = raft.metrics().borrow().clone();
            let membership = metrics.membership_config.membership();
            for (id, node) in membership.nodes() {
                nodes.insert(*id, node.addr.clone());
            }
            shards.push(ShardInfo {
                shard_id: shard as u32,
                leader_node_id: metrics.current_leader.unwrap_or_default(),
                term: metrics.current_term,
                committed_index: metrics.last_log_index.unwrap_or_default(),
                applied_index: metrics.last_applied.map(|l| l.index).unwrap_or_default(),
                voters: membership.voter_ids().collect(),
            });
        }
        let identity = &self.context.options.identity;
        Ok(Response::new(GetClusterInfoResponse {
            cluster_id: self.cluster_id.clone(),
            shard_count: self.rafts.len() as u32,
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
}
