use cairn_proto::v1::{GetClusterInfoResponse, NodeInfo, ShardInfo};
use serde_json::Value;

use super::{Object, ToAwsJson};

// Cairn's own call, with the same naming style as the AWS ones.

impl ToAwsJson for NodeInfo {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .value("nodeId", self.node_id)
            .text("address", &self.address)
            .build()
    }
}

impl ToAwsJson for ShardInfo {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .value("shardId", self.shard_id)
            .value("leaderNodeId", self.leader_node_id)
            .value("term", self.term)
            .value("committedIndex", self.committed_index)
            .value("appliedIndex", self.applied_index)
            .value("voters", self.voters.clone())
            .value("learners", self.learners.clone())
            .build()
    }
}

impl ToAwsJson for GetClusterInfoResponse {
    fn to_aws_json(&self) -> Value {
        Object::new()
            .text("clusterId", &self.cluster_id)
            .value("nodeId", self.node_id)
            .text("region", &self.region)
            .text("account", &self.account)
            .value("shardCount", self.shard_count)
            .text("placement", &self.placement)
            .list("nodes", &self.nodes)
            .list("shards", &self.shards)
            .build()
    }
}
