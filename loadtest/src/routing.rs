//! Which of the given endpoints leads an execution's shard, so that calls about it go
//! straight there. Any node accepts any call and forwards it to the leader; routing saves
//! that hop, which on a three-node cluster is two calls in three and costs CPU on two nodes.
//!
//! The map comes from `GetClusterInfo` on each endpoint: the shards that node reports leading.
//! A shard whose leader is not among the endpoints, or not known, goes round-robin. The
//! placement is the server's (`fnv1a64(state machine name NUL execution name) mod shard
//! count`); a cluster that reports another placement is not routed.

use std::time::Duration;

use cairn_client::execution_shard;
use cairn_proto::v1::GetClusterInfoRequest;
use cairn_proto::v1::cluster_client::ClusterClient;
use tonic::transport::Channel;

/// The placement this tool computes, as `GetClusterInfo` names it.
const PLACEMENT: &str = "fnv1a64(state machine name NUL execution name) mod shard_count";
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardMap {
    shard_count: u32,
    /// Shard → the index of the endpoint that leads it.
    leaders: Vec<Option<usize>>,
}

impl ShardMap {
    /// The endpoint leading the shard of `machine`/`name`, when known.
    pub fn leader(&self, machine: &str, name: &str) -> Option<usize> {
        if self.shard_count == 0 {
            return None;
        }
        let shard = execution_shard(machine, name, self.shard_count);
        self.leaders.get(shard as usize).copied().flatten()
    }

    /// How many shards have a known leader among the endpoints.
    pub fn routed_shards(&self) -> usize {
        self.leaders.iter().flatten().count()
    }
}

/// Asks every endpoint (one channel each, in endpoint order) which shards it leads. `None`
/// when no endpoint answered with the known placement.
pub async fn learn(endpoints: &[Channel]) -> Option<ShardMap> {
    let mut map: Option<ShardMap> = None;
    for (index, channel) in endpoints.iter().enumerate() {
        let mut request = tonic::Request::new(GetClusterInfoRequest {});
        request.set_timeout(ASK_TIMEOUT);
        let mut cluster = ClusterClient::new(channel.clone());
        let asked = cluster.get_cluster_info(request);
        let Ok(Ok(info)) = tokio::time::timeout(ASK_TIMEOUT, asked).await else {
            continue;
        };
        let info = info.into_inner();
        if info.placement != PLACEMENT || info.shard_count == 0 {
            continue;
        }
        let map = map.get_or_insert_with(|| ShardMap {
            shard_count: info.shard_count,
            leaders: vec![None; info.shard_count as usize],
        });
        if map.shard_count != info.shard_count {
            continue;
        }
        for shard in info.shards {
            if shard.leader_node_id == info.node_id
                && let Some(slot) = map.leaders.get_mut(shard.shard_id as usize)
            {
                *slot = Some(index);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_names_the_leading_endpoint_or_nothing() {
        let map = ShardMap {
            shard_count: 16,
            leaders: (0..16usize)
                .map(|s| s.is_multiple_of(2).then_some(s % 3))
                .collect(),
        };
        let shard = execution_shard("a", "b", 16) as usize;
        let expected = shard.is_multiple_of(2).then_some(shard % 3);
        assert_eq!(map.leader("a", "b"), expected);
        assert_eq!(map.routed_shards(), 8);
        assert_eq!(ShardMap::default().leader("a", "b"), None);
    }
}
