//! Raft over gRPC: the client side (`RaftNetwork` for each peer and shard) and the server side
//! (one `cairn.raft.v1.Raft` service for every shard of the node, routed by the shard id each
//! request carries).

use std::sync::Arc;

use cairn_proto::raft as pb;
use cairn_proto::raft::raft_client::RaftClient;
use openraft::BasicNode;
use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use tonic::{Code, Request, Response, Status};

use super::Cluster;
use super::peers::Peers;
use crate::ids::{NodeId, ShardId};
use crate::raft::TypeConfig;
use crate::raft::codec::{
    entry_from_proto, entry_to_proto, log_id_from_proto, log_id_to_proto, snapshot_meta_from_proto,
    snapshot_meta_to_proto, vote_from_proto, vote_to_proto,
};

/// Connections to peers for one shard's Raft group.
#[derive(Clone, Debug)]
pub struct Network {
    pub shard: ShardId,
    pub peers: Peers,
}

#[derive(Debug)]
pub struct PeerClient {
    shard: ShardId,
    target: NodeId,
    address: String,
    peers: Peers,
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &BasicNode) -> Self::Network {
        PeerClient {
            shard: self.shard,
            target,
            address: node.addr.clone(),
            peers: self.peers.clone(),
        }
    }
}

type RpcResult<T, E = openraft::error::Infallible> =
    Result<T, RPCError<NodeId, BasicNode, RaftError<NodeId, E>>>;

fn rpc_error<E: std::error::Error>(
    target: NodeId,
    status: &Status,
) -> RPCError<NodeId, BasicNode, RaftError<NodeId, E>> {
    let error = std::io::Error::other(format!("node {target}: {status}"));
    match status.code() {
        // No connection to the peer: openraft backs off (500 ms) before trying again.
        Code::Unavailable => RPCError::Unreachable(Unreachable::new(&error)),
        // The peer is there but did not answer within the deadline (the heartbeat interval):
        // a follower whose fsync waits behind a memtable flush, or a loaded machine. Backing
        // off would stall replication to it for half a second each time, and commits with
        // it; the next heartbeat or entry tries again instead.
        _ => RPCError::Network(NetworkError::new(&error)),
    }
}

impl PeerClient {
    fn client(&self, option: &RPCOption) -> RaftClient<tonic::transport::Channel> {
        let _ = option;
        RaftClient::new(self.peers.channel(&self.address))
            .max_decoding_message_size(64 * 1024 * 1024)
    }
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<AppendEntriesResponse<NodeId>> {
        let request = pb::AppendEntriesRequest {
            shard: self.shard.0,
            vote: Some(vote_to_proto(&rpc.vote)),
            prev_log_id: rpc.prev_log_id.as_ref().map(log_id_to_proto),
            entries: rpc.entries.into_iter().map(entry_to_proto).collect(),
            leader_commit: rpc.leader_commit.as_ref().map(log_id_to_proto),
        };
        let mut request = Request::new(request);
        request.set_timeout(option.hard_ttl());
        let response = self
            .client(&option)
            .append_entries(request)
            .await
            .map_err(|s| rpc_error(self.target, &s))?
            .into_inner();
        use pb::append_entries_response::Result as R;
        Ok(match response.result {
            Some(R::Success(_)) => AppendEntriesResponse::Success,
            Some(R::PartialSuccess(p)) => {
                AppendEntriesResponse::PartialSuccess(p.matching.as_ref().map(log_id_from_proto))
            }
            Some(R::Conflict(_)) => AppendEntriesResponse::Conflict,
            Some(R::HigherVote(v)) => AppendEntriesResponse::HigherVote(vote_from_proto(&v)),
            None => {
                return Err(RPCError::Network(NetworkError::new(
                    &std::io::Error::other("empty AppendEntries answer"),
                )));
            }
        })
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<InstallSnapshotResponse<NodeId>, InstallSnapshotError> {
        let request = pb::InstallSnapshotRequest {
            shard: self.shard.0,
            vote: Some(vote_to_proto(&rpc.vote)),
            meta: Some(snapshot_meta_to_proto(&rpc.meta)),
            offset: rpc.offset,
            data: rpc.data,
            done: rpc.done,
        };
        let mut request = Request::new(request);
        request.set_timeout(option.hard_ttl());
        let response = self
            .client(&option)
            .install_snapshot(request)
            .await
            .map_err(|s| rpc_error(self.target, &s))?
            .into_inner();
        Ok(InstallSnapshotResponse {
            vote: vote_from_proto(&response.vote.unwrap_or_default()),
        })
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> RpcResult<VoteResponse<NodeId>> {
        let request = pb::VoteRequest {
            shard: self.shard.0,
            vote: Some(vote_to_proto(&rpc.vote)),
            last_log_id: rpc.last_log_id.as_ref().map(log_id_to_proto),
        };
        let mut request = Request::new(request);
        request.set_timeout(option.hard_ttl());
        let response = self
            .client(&option)
            .vote(request)
            .await
            .map_err(|s| rpc_error(self.target, &s))?
            .into_inner();
        Ok(VoteResponse {
            vote: vote_from_proto(&response.vote.unwrap_or_default()),
            vote_granted: response.vote_granted,
            last_log_id: response.last_log_id.as_ref().map(log_id_from_proto),
        })
    }
}

/// The server side: every shard's Raft RPCs arrive here and go to that shard's local Raft,
/// which is opened on demand (a node added to a shard first hears of it through these calls).
#[derive(Clone)]
pub struct RaftService {
    pub cluster: Arc<Cluster>,
}

impl std::fmt::Debug for RaftService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RaftService").finish_non_exhaustive()
    }
}

impl RaftService {
    async fn raft(&self, shard: u32) -> Result<openraft::Raft<TypeConfig>, Status> {
        if shard >= self.cluster.shard_count() {
            return Err(Status::invalid_argument(format!(
                "shard {shard} does not exist"
            )));
        }
        self.cluster
            .open_shard(ShardId(shard))
            .await
            .map(|local| local.raft)
            .map_err(|e| Status::unavailable(format!("shard {shard} cannot open here: {e}")))
    }
}

fn raft_status<E: std::fmt::Display>(error: E) -> Status {
    Status::unavailable(error.to_string())
}

#[tonic::async_trait]
impl pb::raft_server::Raft for RaftService {
    async fn append_entries(
        &self,
        request: Request<pb::AppendEntriesRequest>,
    ) -> Result<Response<pb::AppendEntriesResponse>, Status> {
        let request = request.into_inner();
        let raft = self.raft(request.shard).await?;
        let entries = request
            .entries
            .into_iter()
            .map(entry_from_proto)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let rpc = AppendEntriesRequest {
            vote: vote_from_proto(&request.vote.unwrap_or_default()),
            prev_log_id: request.prev_log_id.as_ref().map(log_id_from_proto),
            entries,
            leader_commit: request.leader_commit.as_ref().map(log_id_from_proto),
        };
        use pb::append_entries_response::{Conflict, PartialSuccess, Result as R, Success};
        let result = match raft.append_entries(rpc).await.map_err(raft_status)? {
            AppendEntriesResponse::Success => R::Success(Success {}),
            AppendEntriesResponse::PartialSuccess(m) => R::PartialSuccess(PartialSuccess {
                matching: m.as_ref().map(log_id_to_proto),
            }),
            AppendEntriesResponse::Conflict => R::Conflict(Conflict {}),
            AppendEntriesResponse::HigherVote(v) => R::HigherVote(vote_to_proto(&v)),
        };
        Ok(Response::new(pb::AppendEntriesResponse {
            result: Some(result),
        }))
    }

    async fn vote(
        &self,
        request: Request<pb::VoteRequest>,
    ) -> Result<Response<pb::VoteResponse>, Status> {
        let request = request.into_inner();
        let raft = self.raft(request.shard).await?;
        let rpc = VoteRequest {
            vote: vote_from_proto(&request.vote.unwrap_or_default()),
            last_log_id: request.last_log_id.as_ref().map(log_id_from_proto),
        };
        let response = raft.vote(rpc).await.map_err(raft_status)?;
        Ok(Response::new(pb::VoteResponse {
            vote: Some(vote_to_proto(&response.vote)),
            vote_granted: response.vote_granted,
            last_log_id: response.last_log_id.as_ref().map(log_id_to_proto),
        }))
    }

    async fn install_snapshot(
        &self,
        request: Request<pb::InstallSnapshotRequest>,
    ) -> Result<Response<pb::InstallSnapshotResponse>, Status> {
        let request = request.into_inner();
        let raft = self.raft(request.shard).await?;
        let meta = request
            .meta
            .as_ref()
            .map(snapshot_meta_from_proto)
            .ok_or_else(|| Status::invalid_argument("snapshot without meta"))?;
        let rpc = InstallSnapshotRequest {
            vote: vote_from_proto(&request.vote.unwrap_or_default()),
            meta,
            offset: request.offset,
            data: request.data,
            done: request.done,
        };
        let response = raft.install_snapshot(rpc).await.map_err(raft_status)?;
        Ok(Response::new(pb::InstallSnapshotResponse {
            vote: Some(vote_to_proto(&response.vote)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_missing_connection_makes_openraft_back_off() {
        let error = |code| rpc_error::<openraft::error::Infallible>(2, &Status::new(code, "x"));
        assert!(matches!(error(Code::Unavailable), RPCError::Unreachable(_)));
        for slow in [Code::DeadlineExceeded, Code::Cancelled, Code::Internal] {
            assert!(matches!(error(slow), RPCError::Network(_)), "{slow:?}");
        }
    }
}
