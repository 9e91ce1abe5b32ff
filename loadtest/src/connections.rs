//! The HTTP/2 connections to the cluster. Calls are spread round-robin over several
//! connections per endpoint, so one connection's stream limit or one node does not become
//! the bottleneck the run measures.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use tonic::transport::{Channel, Endpoint};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Keeps long polls and watch streams alive through idle periods and notices a dead node.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(20);

#[derive(Debug)]
pub struct Pool {
    channels: Vec<Channel>,
    next: AtomicUsize,
}

impl Pool {
    /// Opens `per_endpoint` connections to each endpoint now, so a wrong address fails before
    /// the run starts rather than as a flood of errors.
    pub async fn connect(endpoints: &[String], per_endpoint: usize) -> Result<Pool> {
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
        Ok(Pool {
            channels,
            next: AtomicUsize::new(0),
        })
    }

    fn channel(&self) -> Channel {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        self.channels[index].clone()
    }

    pub fn executions(&self) -> ExecutionsClient<Channel> {
        ExecutionsClient::new(self.channel())
    }

    pub fn activities(&self) -> ActivitiesClient<Channel> {
        ActivitiesClient::new(self.channel())
    }

    pub fn state_machines(&self) -> StateMachinesClient<Channel> {
        StateMachinesClient::new(self.channel())
    }
}

/// A request carrying its deadline to the server as `grpc-timeout`.
pub fn with_deadline<T>(message: T, deadline: Duration) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(deadline);
    request
}
