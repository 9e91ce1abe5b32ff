//! Assembling a node: storage, one Raft group and shard actor per shard, the router, and the
//! gRPC server; and taking it down again on shutdown.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use openraft::SnapshotPolicy;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::api::{
    self, ActivitiesService, ClusterService, Context, ExecutionsService, StateMachinesService,
};
use crate::clock::{Clock, SystemClock};
use crate::cluster::internal::ShardsService;
use crate::cluster::transport::RaftService;
use crate::cluster::{Cluster, rebalance};
use crate::config::NodeOptions;
use crate::engine::DefinitionCache;
use crate::ids::Arns;
use crate::shard::{Deps, Router};
use crate::storage;
use crate::tasks::activities::Dispatcher;
use crate::tasks::token::Tokens;

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error("the data directory {path} is not usable: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Storage(#[from] storage::Error),
    #[error("cannot start Raft for shard {shard}: {message}")]
    Raft { shard: u32, message: String },
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Metrics(#[from] crate::metrics::Error),
}

/// A started node. Dropping it does not stop it; call [`RunningNode::shutdown`].
pub struct RunningNode {
    pub local_addr: SocketAddr,
    /// Where Prometheus scrapes `/metrics`; `None` when metrics are disabled.
    pub metrics_addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for RunningNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningNode")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl RunningNode {
    /// Stops accepting requests, stops the shards and Raft, and waits until it is done.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the node stops by itself (it does not, unless its server fails).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Starts a node and returns once it listens.
pub async fn start(options: NodeOptions) -> Result<RunningNode, StartError> {
    options.validate()?;
    let options = Arc::new(options);
    std::fs::create_dir_all(&options.data_dir).map_err(|source| StartError::DataDir {
        path: options.data_dir.clone(),
        source,
    })?;
    let secret = task_token_secret(&options)?;
    let cluster_id = persistent_id(&options.data_dir.join("cluster-id"))?;
    // Before storage opens, so that Raft and storage record from their first write.
    let metrics = crate::metrics::Endpoint::bind(&options.metrics).await?;
    let db = storage::Db::open(options.data_dir.join("db"), &storage::Options::default())?;
    let express_journal = db.express_journal();
    let metrics_db = db.clone();

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let arns = Arns {
        partition: options.identity.partition.clone(),
        region: options.identity.region.clone(),
        account: options.identity.account.clone(),
    };
    let (applied, _) = broadcast::channel(4096);
    let router_cell = Arc::new(OnceLock::new());
    let deps = Arc::new(Deps {
        node_id: options.node_id,
        options: options.clone(),
        arns: arns.clone(),
        tokens: Tokens::new(secret, options.cluster.shards),
        definitions: Arc::new(DefinitionCache::new(10_000)),
        activities: Dispatcher::default(),
        clock: clock.clone(),
        router: router_cell.clone(),
        applied,
    });

    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| StartError::Listen {
            address: options.listen,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| StartError::Listen {
        address: options.listen,
        source,
    })?;
    let advertise = options
        .advertise_address
        .clone()
        .unwrap_or_else(|| local_addr.to_string());

    let raft_config = Arc::new(raft_config(&cluster_id).map_err(|e| StartError::Raft {
        shard: 0,
        message: e,
    })?);
    let cluster = Cluster::new(options.clone(), advertise, db, deps.clone(), raft_config);
    let router = Router::new(cluster.clone(), arns, options.limits.payload_bytes_max);
    // Set before any shard actor runs: effects that cross shards go through it.
    let _ = router_cell.set(router.clone());
    cluster
        .bootstrap()
        .await
        .map_err(|message| StartError::Raft { shard: 0, message })?;
    let maintenance = tokio::spawn(rebalance::maintain(cluster.clone()));

    let metrics = metrics.serve(crate::metrics::Sources {
        node_id: options.node_id,
        shard_count: options.cluster.shards,
        db: metrics_db,
        activities: deps.activities.clone(),
        shards: hosted_shards(&cluster),
    });
    let metrics_addr = metrics.local_addr();

    let express = crate::express::Handle::new(
        &options.express,
        options.interpreter_limits(),
        deps.arns.clone(),
        router.clone(),
        clock.clone(),
        deps.definitions.clone(),
        express_journal,
    );
    // Before requests are served: it also prunes the journal's unused definitions.
    express.recover()?;
    let context = Context {
        router,
        deps: deps.clone(),
        options: options.clone(),
        clock,
        express,
    };
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let serving = serve(
        listener,
        context,
        cluster,
        maintenance,
        cluster_id,
        shutdown_rx,
    );
    // Metrics are served until the node has stopped.
    let task = tokio::spawn(async move {
        serving.await;
        metrics.stop().await;
    });
    info!(address = %local_addr, node = options.node_id, shards = options.cluster.shards, data_dir = %options.data_dir.display(), "node started");
    Ok(RunningNode {
        local_addr,
        metrics_addr,
        shutdown: Some(shutdown_tx),
        task,
    })
}

async fn serve(
    listener: tokio::net::TcpListener,
    context: Context,
    cluster: Arc<Cluster>,
    maintenance: JoinHandle<()>,
    cluster_id: String,
    shutdown: oneshot::Receiver<()>,
) {
    use cairn_proto::cluster::shards_server::ShardsServer;
    use cairn_proto::raft::raft_server::RaftServer;
    use cairn_proto::v1::activities_server::ActivitiesServer;
    use cairn_proto::v1::cluster_server::ClusterServer;
    use cairn_proto::v1::executions_server::ExecutionsServer;
    use cairn_proto::v1::state_machines_server::StateMachinesServer;

    // Raft messages carry batches of entries and snapshot chunks.
    const PEER_MESSAGE_BYTES_MAX: usize = 64 * 1024 * 1024;

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<ExecutionsServer<ExecutionsService>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(cairn_proto::FILE_DESCRIPTOR_SET)
        .build_v1();
    let mut router = tonic::transport::Server::builder()
        .layer(crate::telemetry::grpc::Layer)
        .add_service(health_service)
        .add_service(StateMachinesServer::new(StateMachinesService {
            context: context.clone(),
        }))
        .add_service(ExecutionsServer::new(ExecutionsService {
            context: context.clone(),
        }))
        .add_service(ActivitiesServer::new(ActivitiesService {
            context: context.clone(),
        }))
        .add_service(ClusterServer::new(ClusterService {
            context: context.clone(),
            cluster: cluster.clone(),
            cluster_id,
        }))
        .add_service(
            RaftServer::new(RaftService {
                cluster: cluster.clone(),
            })
            .max_decoding_message_size(PEER_MESSAGE_BYTES_MAX),
        )
        .add_service(
            ShardsServer::new(ShardsService {
                cluster: cluster.clone(),
            })
            .max_decoding_message_size(PEER_MESSAGE_BYTES_MAX)
            .max_encoding_message_size(PEER_MESSAGE_BYTES_MAX),
        );
    if let Ok(reflection) = reflection {
        router = router.add_service(reflection);
    }
    // Small request/response messages must not wait for Nagle's algorithm (a ~40 ms stall
    // against delayed acknowledgements).
    let incoming = tonic::transport::server::TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .with_keepalive(Some(std::time::Duration::from_secs(60)));
    let result = router
        .serve_with_incoming_shutdown(incoming, async {
            let _ = shutdown.await;
            // Express executions end now instead of holding the graceful drain open.
            context.express.stop();
        })
        .await;
    if let Err(e) = result {
        warn!(error = %e, "gRPC server stopped with an error");
    }
    context.express.shutdown().await;
    info!("stopping: shards and Raft");
    maintenance.abort();
    drop(context);
    cluster.shutdown().await;
    info!("stopped");
    let _ = api::ERROR_NAME_METADATA;
}

/// The shards this node hosts, as the metrics sampler reads them.
fn hosted_shards(cluster: &Arc<Cluster>) -> crate::metrics::HostedShards {
    let cluster = cluster.clone();
    Box::new(move || {
        cluster
            .local_shards()
            .into_iter()
            .map(|local| crate::metrics::HostedShard {
                raft: local.raft,
                reader: local.reader,
            })
            .collect()
    })
}

fn raft_config(cluster_id: &str) -> Result<openraft::Config, String> {
    let config = openraft::Config {
        cluster_name: cluster_id.to_owned(),
        // openraft also uses the heartbeat interval as the deadline of every AppendEntries
        // call. At 100 ms, a node short of CPU (several nodes on a small machine under load)
        // misses it with a large batch and an fsync in the way, backs off, stops heartbeating
        // and sets off elections that feed the overload. 250 ms keeps replication going; the
        // election timeout stays several heartbeats above it, as etcd's defaults do.
        heartbeat_interval: 250,
        election_timeout_min: 1_000,
        election_timeout_max: 2_000,
        max_payload_entries: 256,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(20_000),
        max_in_snapshot_log_to_keep: 1_000,
        ..openraft::Config::default()
    };
    config.validate().map_err(|e| e.to_string())
}

/// The task token secret: configured, or generated once into the data directory.
fn task_token_secret(options: &NodeOptions) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &options.cluster.task_token_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = options.data_dir.join("task-token.secret");
    let data_dir_error = |source| StartError::DataDir {
        path: path.clone(),
        source,
    };
    match std::fs::read(&path) {
        Ok(secret) if secret.len() >= 32 => Ok(secret),
        Ok(_) | Err(_) => {
            let secret = random_bytes(32).map_err(data_dir_error)?;
            write_private(&path, &secret).map_err(data_dir_error)?;
            Ok(secret)
        }
    }
}

/// An id generated on first start and kept in the data directory.
fn persistent_id(path: &Path) -> Result<String, StartError> {
    if let Ok(id) = std::fs::read_to_string(path)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_owned());
    }
    let id = crate::clock::random_uuid();
    write_private(path, id.as_bytes()).map_err(|source| StartError::DataDir {
        path: path.to_owned(),
        source,
    })?;
    Ok(id)
}

fn random_bytes(count: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = vec![0u8; count];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// Writes a file readable by its owner only, durably.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
