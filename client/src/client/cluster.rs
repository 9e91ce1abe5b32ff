//! The Cluster service.

use cairn_proto::v1::{GetClusterInfoRequest, GetClusterInfoResponse};

use super::{Client, Result, request, unary};

impl Client {
    /// GetClusterInfo: nodes, shards and their leaders, and the region and account that ARNs
    /// carry.
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
}
