use cairn_client::proto::cluster_server::Cluster;
use cairn_client::proto::{
    AddNodeRequest, AddNodeResponse, GetClusterInfoRequest, GetClusterInfoResponse, NodeInfo,
    RebalanceRequest, RebalanceResponse, RemoveNodeRequest, RemoveNodeResponse, ShardInfo,
};
use tonic::{Request, Response, Status};

use super::Service;
use super::store::{ACCOUNT, REGION};

#[tonic::async_trait]
impl Cluster for Service {
    async fn get_cluster_info(
        &self,
        _request: Request<GetClusterInfoRequest>,
    ) -> Result<Response<GetClusterInfoResponse>, Status> {
        // Nodes report HOST:PORT, without a scheme.
        let address = self
            .0
            .read(|store| store.endpoint.trim_start_matches("http://").to_owned());
        Ok(Response::new(GetClusterInfoResponse {
            cluster_id: "fake-cluster".into(),
            shard_count: 1,
            placement: "fnv1a-64".into(),
            nodes: vec![NodeInfo {
                node_id: 1,
                address,
            }],
            shards: vec![ShardInfo {
                shard_id: 0,
                leader_node_id: 1,
                term: 1,
                committed_index: 7,
                applied_index: 7,
                voters: vec![1],
                learners: vec![],
                replicas: vec![],
            }],
            region: REGION.into(),
            account: ACCOUNT.into(),
            node_id: 1,
        }))
    }

    // A one-node fake: membership changes have nothing to move.
    async fn add_node(
        &self,
        _request: Request<AddNodeRequest>,
    ) -> Result<Response<AddNodeResponse>, Status> {
        Err(Status::unimplemented("the fake server has one node"))
    }

    async fn remove_node(
        &self,
        _request: Request<RemoveNodeRequest>,
    ) -> Result<Response<RemoveNodeResponse>, Status> {
        Err(Status::unimplemented("the fake server has one node"))
    }

    async fn rebalance(
        &self,
        _request: Request<RebalanceRequest>,
    ) -> Result<Response<RebalanceResponse>, Status> {
        Ok(Response::new(RebalanceResponse::default()))
    }
}
