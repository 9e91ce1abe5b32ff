//! The Cluster service: what the cluster looks like, and the administration operators drive.

use std::collections::BTreeMap;
use std::time::Duration;

use cairn_proto::v1::{
    AddNodeRequest, AddNodeResponse, GetClusterInfoRequest, GetClusterInfoResponse,
    RebalanceRequest, RebalanceResponse, RemoveNodeRequest, RemoveNodeResponse, ShardInfo,
};

use super::{Client, Result, request, unary};

/// Membership changes wait for new replicas to catch up, which can take a while on a busy
/// cluster.
const ADMINISTRATION_TIMEOUT: Duration = Duration::from_secs(600);

/// The whole cluster as every reachable node reports it (see [`Client::cluster_status`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterStatus {
    /// Every node known, with its address and whether it answered.
    pub nodes: Vec<NodeStatus>,
    /// Every shard, as reported by its leader (or, with no leader reachable, by a replica).
    pub shards: Vec<ShardInfo>,
    pub shard_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    pub node_id: u64,
    pub address: String,
    /// Why the node did not answer, if it did not.
    pub unreachable: Option<String>,
    /// Shards this node leads.
    pub leads: u32,
    /// Shards with a replica on this node.
    pub hosts: u32,
}

/// How many entries the slowest replica of a shard is behind its leader's log (0 when the
/// report does not come from the leader).
pub fn replication_lag(shard: &ShardInfo) -> u64 {
    shard
        .replicas
        .iter()
        .map(|r| shard.committed_index.saturating_sub(r.matched_index))
        .max()
        .unwrap_or(0)
}

impl Client {
    /// GetClusterInfo from the node this client talks to: nodes, and the shards it hosts with
    /// their leaders.
    pub async fn get_cluster_info(&self) -> Result<GetClusterInfoResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.cluster.clone();
        unary(
            "GetClusterInfo",
            timeout,
            rpc.get_cluster_info(request(GetClusterInfoRequest {}, timeout)),
        )
        .await
    }

    /// Asks every node for what it hosts and puts the answers together: each shard as its
    /// leader sees it (with replication progress), and each node with whether it answered.
    pub async fn cluster_status(&self) -> Result<ClusterStatus> {
        let first = self.get_cluster_info().await?;
        let mut reports: BTreeMap<u64, std::result::Result<GetClusterInfoResponse, String>> =
            BTreeMap::new();
        let addresses: BTreeMap<u64, String> = first
            .nodes
            .iter()
            .map(|n| (n.node_id, n.address.clone()))
            .collect();
        for (node, address) in &addresses {
            if *node == first.node_id {
                continue;
            }
            let report = match Client::connect_lazy(node_endpoint(address), self.options.clone()) {
                Ok(peer) => peer.get_cluster_info().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            reports.insert(*node, report);
        }
        let shard_count = first.shard_count;
        reports.insert(first.node_id, Ok(first));

        let mut shards: BTreeMap<u32, ShardInfo> = BTreeMap::new();
        let mut nodes = Vec::new();
        for (node, address) in &addresses {
            let mut status = NodeStatus {
                node_id: *node,
                address: address.clone(),
                unreachable: None,
                leads: 0,
                hosts: 0,
            };
            match reports.get(node) {
                Some(Ok(report)) => {
                    for shard in &report.shards {
                        status.hosts += 1;
                        let leads = shard.leader_node_id == *node;
                        if leads {
                            status.leads += 1;
                        }
                        // A leader's report wins: it has the replication progress.
                        let entry = shards.entry(shard.shard_id);
                        match entry {
                            std::collections::btree_map::Entry::Vacant(v) => {
                                v.insert(shard.clone());
                            }
                            std::collections::btree_map::Entry::Occupied(mut o) if leads => {
                                o.insert(shard.clone());
                            }
                            std::collections::btree_map::Entry::Occupied(_) => {}
                        }
                    }
                }
                Some(Err(reason)) => status.unreachable = Some(reason.clone()),
                None => status.unreachable = Some("no answer".into()),
            }
            nodes.push(status);
        }
        Ok(ClusterStatus {
            nodes,
            shards: shards.into_values().collect(),
            shard_count,
        })
    }

    /// AddNode: places shard replicas on a node started with `cluster.join = true`.
    pub async fn add_node(
        &self,
        node_id: u64,
        address: impl Into<String>,
    ) -> Result<AddNodeResponse> {
        let mut rpc = self.cluster.clone();
        let message = AddNodeRequest {
            node_id,
            address: address.into(),
        };
        unary(
            "AddNode",
            ADMINISTRATION_TIMEOUT,
            rpc.add_node(request(message, ADMINISTRATION_TIMEOUT)),
        )
        .await
    }

    /// RemoveNode: moves every replica off a node.
    pub async fn remove_node(&self, node_id: u64) -> Result<RemoveNodeResponse> {
        let mut rpc = self.cluster.clone();
        unary(
            "RemoveNode",
            ADMINISTRATION_TIMEOUT,
            rpc.remove_node(request(
                RemoveNodeRequest { node_id },
                ADMINISTRATION_TIMEOUT,
            )),
        )
        .await
    }

    /// Rebalance: moves shard leadership to each shard's preferred node.
    pub async fn rebalance(&self) -> Result<RebalanceResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.cluster.clone();
        unary(
            "Rebalance",
            timeout,
            rpc.rebalance(request(RebalanceRequest {}, timeout)),
        )
        .await
    }
}

/// The URL to reach a node at the address the cluster reports for it (`HOST:PORT`, or a
/// full URL when the node was configured with one).
pub(super) fn node_endpoint(address: &str) -> String {
    if address.contains("://") {
        address.to_owned()
    } else {
        format!("http://{address}")
    }
}
