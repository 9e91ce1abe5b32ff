//! The HTTP/2 connections to the cluster. Calls are spread round-robin over several
//! connections per endpoint, so one connection's stream limit or one node does not become
//! the bottleneck the run measures. With routing on, a call about one execution goes to the
//! endpoint that leads its shard (see [`crate::routing`]), round-robin among its connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use tonic::transport::{Channel, Endpoint};

use crate::routing::{self, ShardMap};
use cairn_client::execution_names;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Keeps long polls and watch streams alive through idle periods and notices a dead node.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);

/// How often the shard map is fetched again (leaders move when nodes fail or rebalance; a
/// stale map costs only the node's forwarding hop).
const ROUTES_REFRESH_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct Pool {
    /// `per_endpoint` connections for each endpoint, endpoint after endpoint.
    channels: Vec<Channel>,
    per_endpoint: usize,
    next: AtomicUsize,
    /// The shard map when routing is on.
    routes: Option<Arc<RwLock<ShardMap>>>,
}

impl Pool {
    /// Opens `per_endpoint` connections to each endpoint now, so a wrong address fails before
    /// the run starts rather than as a flood of errors.
    /// With `routing`, also learns which endpoint leads each shard, and keeps learning it
    /// every [`ROUTES_REFRESH_INTERVAL`] while the pool lives.
    pub async fn connect(endpoints: &[String], per_endpoint: usize, routing: bool) -> Result<Pool> {
        ensure!(!endpoints.is_empty(), "at least one --endpoint is needed");
        ensure!(per_endpoint > 0, "--connections must be at least 1");
        let mut channels = Vec::with_capacity(endpoints.len() * per_endpoint);
        for endpoint in endpoints {
            let configured = Endpoint::from_shared(endpoint.clone())
                .with_context(|| format!("{endpoint:?} is not an endpoint URL (http://HOST:PORT)"))?
                .connect_timeout(CONNECT_TIMEOUT)
                .http2_keep_alive_interval(KEEP_ALIVE_INTERVAL)
                .keep_alive_while_idle(true)
                .tcp_nodelay(true);
            for _ in 0..per_endpoint {
                // Each connect() dials its own TCP connection.
                let channel = configured
                    .connect()
                    .await
                    .with_context(|| format!("cannot connect to {endpoint}"))?;
                channels.push(channel);
            }
        }
        let first_of_each: Vec<Channel> = channels.iter().step_by(per_endpoint).cloned().collect();
        let routes = if routing {
            let map = routing::learn(&first_of_each).await.unwrap_or_default();
            let routes = Arc::new(RwLock::new(map));
            tokio::spawn(keep_learning(first_of_each, Arc::downgrade(&routes)));
            Some(routes)
        } else {
            None
        };
        Ok(Pool {
            channels,
            per_endpoint,
            next: AtomicUsize::new(0),
            routes,
        })
    }

    fn channel(&self) -> Channel {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        self.channels[index].clone()
    }

    /// Shards with a known leader among the endpoints (0 without routing).
    pub fn routed_shards(&self) -> usize {
        self.routes.as_ref().map_or(0, |routes| {
            routes
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .routed_shards()
        })
    }

    /// A connection to the endpoint leading `machine`/`name`'s shard, if known.
    fn leader_channel(&self, machine: &str, name: &str) -> Option<Channel> {
        let routes = self.routes.as_ref()?;
        let endpoint = routes
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .leader(machine, name)?;
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.per_endpoint;
        self.channels
            .get(endpoint * self.per_endpoint + turn)
            .cloned()
    }

    /// Any endpoint, round-robin.
    pub fn executions(&self) -> ExecutionsClient<Channel> {
        ExecutionsClient::new(self.channel())
    }

    /// For a call about the execution `machine`/`name`: its shard's leader when routing knows
    /// it, else any endpoint.
    pub fn executions_for(&self, machine: &str, name: &str) -> ExecutionsClient<Channel> {
        ExecutionsClient::new(
            self.leader_channel(machine, name)
                .unwrap_or_else(|| self.channel()),
        )
    }

    /// As [`Pool::executions_for`], for the execution an ARN names.
    pub fn executions_for_arn(&self, execution_arn: &str) -> ExecutionsClient<Channel> {
        match execution_names(execution_arn) {
            Some((machine, name)) => self.executions_for(machine, name),
            None => self.executions(),
        }
    }

    pub fn activities(&self) -> ActivitiesClient<Channel> {
        ActivitiesClient::new(self.channel())
    }

    pub fn state_machines(&self) -> StateMachinesClient<Channel> {
        StateMachinesClient::new(self.channel())
    }
}

/// Fetches the shard map again every [`ROUTES_REFRESH_INTERVAL`] until the pool is dropped.
async fn keep_learning(endpoints: Vec<Channel>, routes: Weak<RwLock<ShardMap>>) {
    loop {
        tokio::time::sleep(ROUTES_REFRESH_INTERVAL).await;
        let Some(map) = routing::learn(&endpoints).await else {
            continue;
        };
        let Some(routes) = routes.upgrade() else {
            return;
        };
        *routes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = map;
    }
}

/// A request carrying its deadline to the server as `grpc-timeout`.
pub fn with_deadline<T>(message: T, deadline: Duration) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(deadline);
    request
}
