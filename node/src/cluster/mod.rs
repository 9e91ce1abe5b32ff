//! The node's place in the cluster: which shards it hosts (one Raft group and shard actor
//! each), who leads the shards it does not host, connections to peers, and bootstrap.
//!
//! A one-node cluster is the same code with one member: every shard is local with a single
//! voter.

pub mod admin;
pub mod internal;
pub mod peers;
pub mod placement;
pub mod read_barrier;
pub mod rebalance;
pub mod transport;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use openraft::{BasicNode, Raft};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::config::NodeOptions;
use crate::ids::{NodeId, ShardId};
use crate::raft::TypeConfig;
use crate::shard::{Deps, Handle, Service};
use crate::storage::{self, ShardReader};
use peers::Peers;
use read_barrier::{ReadBarrier, Refusal};
use transport::Network;

/// A shard hosted on this node.
#[derive(Clone)]
pub struct LocalShard {
    pub shard: ShardId,
    pub raft: Raft<TypeConfig>,
    pub handle: Handle,
    pub reader: ShardReader,
    /// Shared by every read of the shard on this node (see [`read_barrier`]).
    pub reads: ReadBarrier,
}

impl LocalShard {
    /// Runs a read once this node has confirmed with a quorum that it still leads the shard
    /// and has applied everything committed before the read: a leader cut off from the others
    /// answers `NotLeader` instead of stale state.
    pub async fn read(
        &self,
        query: crate::shard::Query,
    ) -> Result<crate::shard::Answer, crate::shard::Error> {
        use crate::shard::Error;
        match self.reads.confirm().await {
            Ok(()) => {}
            Err(Refusal::NotLeader { leader }) => {
                return Err(Error::NotLeader {
                    shard: self.shard,
                    leader_hint: leader,
                });
            }
            Err(Refusal::NoQuorum) => {
                return Err(Error::NotLeader {
                    shard: self.shard,
                    leader_hint: None,
                });
            }
            Err(Refusal::Stopped(reason)) => {
                return Err(Error::ShardStopped {
                    shard: self.shard,
                    reason,
                });
            }
        }
        crate::shard::query::run(&self.reader, query).map_err(|e| Error::Storage(e.to_string()))
    }
}

/// Who leads a shard, as far as this node knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub node: NodeId,
    pub address: String,
}

pub struct Cluster {
    pub node_id: NodeId,
    /// The address other nodes reach this one at.
    pub address: String,
    pub options: Arc<NodeOptions>,
    pub peers: Peers,
    /// Taken at shutdown, so the database closes even while tasks still hold the cluster.
    db: RwLock<Option<storage::Db>>,
    deps: Arc<Deps>,
    raft_config: Arc<openraft::Config>,
    local: RwLock<BTreeMap<ShardId, LocalShard>>,
    /// Serialises opening shards (which awaits), so a shard is never opened twice.
    opening: tokio::sync::Mutex<()>,
    actors: Mutex<Vec<JoinHandle<()>>>,
    /// Leaders of shards this node does not host, learnt from peers.
    remote_leaders: RwLock<HashMap<ShardId, Leader>>,
    /// Every node this node has heard of: configured members and shard members.
    nodes: RwLock<BTreeMap<NodeId, String>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    pub fn new(
        options: Arc<NodeOptions>,
        address: String,
        db: storage::Db,
        deps: Arc<Deps>,
        raft_config: Arc<openraft::Config>,
    ) -> Arc<Cluster> {
        let mut nodes: BTreeMap<NodeId, String> = options
            .cluster
            .members
            .iter()
            .map(|m| (m.id, m.address.clone()))
            .collect();
        nodes.insert(options.node_id, address.clone());
        let peers = Peers::new(options.cluster.source_address);
        Arc::new(Cluster {
            node_id: options.node_id,
            address,
            options,
            peers,
            db: RwLock::new(Some(db)),
            deps,
            raft_config,
            local: RwLock::new(BTreeMap::new()),
            opening: tokio::sync::Mutex::new(()),
            actors: Mutex::new(Vec::new()),
            remote_leaders: RwLock::new(HashMap::new()),
            nodes: RwLock::new(nodes),
        })
    }

    pub fn shard_count(&self) -> u32 {
        self.options.cluster.shards
    }

    pub fn deps(&self) -> &Arc<Deps> {
        &self.deps
    }

    /// The configured bootstrap members (this node alone when none are configured).
    fn initial_members(&self) -> Vec<(NodeId, String)> {
        if self.options.cluster.members.is_empty() {
            return vec![(self.node_id, self.address.clone())];
        }
        self.options
            .cluster
            .members
            .iter()
            .map(|m| (m.id, m.address.clone()))
            .collect()
    }

    /// Opens the shards this node hosts: those with Raft state on disk, and at first start
    /// those the bootstrap placement gives it. The first replica of each new shard initialises
    /// its Raft group.
    pub async fn bootstrap(self: &Arc<Self>) -> Result<(), String> {
        let members = self.initial_members();
        let ids: Vec<NodeId> = members.iter().map(|(id, _)| *id).collect();
        let addresses: BTreeMap<NodeId, String> = members.into_iter().collect();
        for shard in (0..self.shard_count()).map(ShardId) {
            let has_state = self
                .db()?
                .log_store(shard)
                .vote()
                .map_err(|e| format!("shard {shard}: {e}"))?
                .is_some();
            let replicas =
                placement::initial_replicas(shard, &ids, self.options.cluster.replication_factor);
            // A joining node waits for the cluster to place replicas on it.
            if !has_state && (self.options.cluster.join || !replicas.contains(&self.node_id)) {
                continue;
            }
            let local = self.open_shard(shard).await?;
            let initialized = local
                .raft
                .is_initialized()
                .await
                .map_err(|e| format!("shard {shard}: {e}"))?;
            if !initialized && replicas.first() == Some(&self.node_id) {
                let voters: BTreeMap<NodeId, BasicNode> = replicas
                    .iter()
                    .map(|id| {
                        (
                            *id,
                            BasicNode {
                                addr: addresses.get(id).cloned().unwrap_or_default(),
                            },
                        )
                    })
                    .collect();
                if let Err(e) = local.raft.initialize(voters).await {
                    // Another start already initialised it (the error says so): nothing to do.
                    info!(%shard, error = %e, "shard already initialised");
                }
            }
        }
        Ok(())
    }

    /// The shard's local Raft group and actor, opened (and the actor started) on first use.
    pub async fn open_shard(self: &Arc<Self>, shard: ShardId) -> Result<LocalShard, String> {
        if let Some(local) = self.local(shard) {
            return Ok(local);
        }
        let _guard = self.opening.lock().await;
        if let Some(local) = self.local(shard) {
            return Ok(local);
        }
        let db = self.db()?;
        let network = Network {
            shard,
            peers: self.peers.clone(),
        };
        let raft = Raft::new(
            self.node_id,
            self.raft_config.clone(),
            network,
            db.log_store(shard),
            db.state_machine(shard),
        )
        .await
        .map_err(|e| format!("cannot start Raft for shard {shard}: {e}"))?;
        let reader = db.reader(shard);
        let (service, handle) =
            Service::new(shard, raft.clone(), reader.clone(), self.deps.clone());
        let actor = tokio::spawn(service.run());
        self.actors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(actor);
        let local = LocalShard {
            shard,
            reads: ReadBarrier::new(raft.clone()),
            raft,
            handle,
            reader,
        };
        self.local
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(shard, local.clone());
        Ok(local)
    }

    fn db(&self) -> Result<storage::Db, String> {
        self.db
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| "the node is shutting down".to_owned())
    }

    pub fn local(&self, shard: ShardId) -> Option<LocalShard> {
        self.local
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&shard)
            .cloned()
    }

    pub fn local_shards(&self) -> Vec<LocalShard> {
        self.local
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// Who leads `shard`: from the local Raft group when this node hosts it, else from what
    /// peers reported.
    pub fn leader(&self, shard: ShardId) -> Option<Leader> {
        if let Some(local) = self.member(shard) {
            let metrics = local.raft.metrics().borrow().clone();
            // A leader that stepped down still names itself until it hears of the next one.
            let stale_self =
                metrics.current_leader == Some(self.node_id) && !metrics.state.is_leader();
            if let Some(node) = metrics.current_leader.filter(|_| !stale_self) {
                let address = metrics
                    .membership_config
                    .membership()
                    .get_node(&node)
                    .map(|n| n.addr.clone())
                    .or_else(|| self.node_address(node))?;
                return Some(Leader { node, address });
            }
            return None;
        }
        self.remote_leaders
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&shard)
            .cloned()
    }

    /// The replicas on this node that their shards count as members.
    pub fn member_shards(&self) -> Vec<LocalShard> {
        (0..self.shard_count())
            .filter_map(|s| self.member(ShardId(s)))
            .collect()
    }

    /// This node's replica of `shard` if the shard counts it as a member (voter or learner). A
    /// replica the shard has removed (its node left, or its replica moved) stays open but
    /// knows nothing current.
    pub fn member(&self, shard: ShardId) -> Option<LocalShard> {
        self.local(shard).filter(|local| {
            local
                .raft
                .metrics()
                .borrow()
                .membership_config
                .membership()
                .get_node(&self.node_id)
                .is_some()
        })
    }

    /// True when this node leads `shard` right now.
    pub fn leads(&self, shard: ShardId) -> bool {
        self.local(shard).is_some_and(|l| {
            let m = l.raft.metrics().borrow().clone();
            m.current_leader == Some(self.node_id) && m.state.is_leader()
        })
    }

    pub fn node_address(&self, node: NodeId) -> Option<String> {
        self.nodes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&node)
            .cloned()
    }

    /// Every node known, with its address.
    pub fn nodes(&self) -> BTreeMap<NodeId, String> {
        let mut nodes = self
            .nodes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for local in self.member_shards() {
            for (id, node) in local
                .raft
                .metrics()
                .borrow()
                .membership_config
                .membership()
                .nodes()
            {
                nodes.entry(*id).or_insert_with(|| node.addr.clone());
            }
        }
        nodes
    }

    pub fn learn_node(&self, node: NodeId, address: String) {
        self.nodes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(node, address);
    }

    /// Forgets a node that left the cluster (its replicas moved elsewhere).
    pub fn forget_node(&self, node: NodeId) {
        self.nodes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&node);
        self.remote_leaders
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, leader| leader.node != node);
    }

    /// Drops what this node believed about the leader of `shard` if it names `node` (which
    /// did not answer).
    pub fn forget_leader(&self, shard: ShardId, node: NodeId) {
        let mut leaders = self
            .remote_leaders
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if leaders.get(&shard).is_some_and(|l| l.node == node) {
            leaders.remove(&shard);
        }
    }

    pub fn learn_leader(&self, shard: ShardId, leader: Leader) {
        self.learn_node(leader.node, leader.address.clone());
        self.remote_leaders
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(shard, leader);
    }

    /// The current voters of every shard this node hosts.
    pub fn local_voters(&self) -> BTreeMap<ShardId, BTreeSet<NodeId>> {
        self.member_shards()
            .into_iter()
            .map(|l| {
                (
                    l.shard,
                    l.raft
                        .metrics()
                        .borrow()
                        .membership_config
                        .membership()
                        .voter_ids()
                        .collect(),
                )
            })
            .collect()
    }

    /// Stops every shard's Raft group and actor.
    pub async fn shutdown(&self) {
        for local in self.local_shards() {
            if let Err(e) = local.raft.shutdown().await {
                warn!(shard = %local.shard, error = %e, "Raft did not shut down cleanly");
            }
        }
        let actors: Vec<JoinHandle<()>> = std::mem::take(
            &mut *self
                .actors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for actor in actors {
            actor.abort();
            let _ = actor.await;
        }
        self.local
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        self.db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }
}
