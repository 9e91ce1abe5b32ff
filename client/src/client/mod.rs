//! [`Client`]: typed access to every RPC of a Cairn server, plus the helpers most programs
//! need (start and wait, follow a history, run an activity worker).

mod activities;
mod cluster;
mod error;
mod executions;
mod options;
mod paging;
mod routing;
mod state_machines;
mod watch;
mod worker;

use std::future::Future;
use std::time::Duration;

use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::cluster_client::ClusterClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use tonic::transport::{Channel, Endpoint};

pub use cluster::{ClusterStatus, NodeStatus, replication_lag};
pub use error::{ERROR_NAME_METADATA, Error};
pub use executions::{EXPRESS_DURATION_MAX, is_terminal_event};
pub use options::{ACTIVITY_LONG_POLL, ClientOptions};
pub use routing::{execution_names, execution_shard, state_machine_name};
pub use watch::Watch;
pub use worker::{Handled, INVALID_TASK_INPUT, Task, TaskFailure, Worker};

/// The result of a client call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A connection to a Cairn cluster (any node; requests are forwarded to the right shard).
///
/// Cheap to clone: clones share one HTTP/2 connection, which carries concurrent calls.
///
/// ```no_run
/// # async fn demo() -> Result<(), cairn_client::Error> {
/// use cairn_client::Client;
/// use cairn_client::proto::StartExecutionRequest;
///
/// let client = Client::connect("http://127.0.0.1:7310").await?;
/// let finished = client
///     .start_execution_and_wait(StartExecutionRequest {
///         state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:hello".into(),
///         input: r#"{"who": "world"}"#.into(),
///         ..Default::default()
///     })
///     .await?;
/// println!("{:?}: {:?}", finished.status(), finished.output);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    endpoint: String,
    options: ClientOptions,
    state_machines: StateMachinesClient<Channel>,
    executions: ExecutionsClient<Channel>,
    activities: ActivitiesClient<Channel>,
    cluster: ClusterClient<Channel>,
    /// The shard map for sending execution calls to shard leaders (when routing is on).
    routes: Option<std::sync::Arc<routing::Routes>>,
}

impl Client {
    /// Connects to `endpoint` (`http://HOST:PORT`) with the default [`ClientOptions`].
    pub async fn connect(endpoint: impl Into<String>) -> Result<Client> {
        Client::connect_with(endpoint, ClientOptions::default()).await
    }

    /// Connects to `endpoint` now, so an unreachable server shows up here rather than at the
    /// first call.
    pub async fn connect_with(
        endpoint: impl Into<String>,
        options: ClientOptions,
    ) -> Result<Client> {
        let endpoint = endpoint.into();
        let channel = configure(&endpoint, &options)?
            .connect()
            .await
            .map_err(|source| Error::Connect {
                endpoint: endpoint.clone(),
                source,
            })?;
        Ok(Client::over(endpoint, options, channel))
    }

    /// A client that connects on its first call (and reconnects after a connection is lost).
    /// Useful where the server may start after the client.
    pub fn connect_lazy(endpoint: impl Into<String>, options: ClientOptions) -> Result<Client> {
        let endpoint = endpoint.into();
        let channel = configure(&endpoint, &options)?.connect_lazy();
        Ok(Client::over(endpoint, options, channel))
    }

    fn over(endpoint: String, options: ClientOptions, channel: Channel) -> Client {
        Client {
            endpoint,
            state_machines: StateMachinesClient::new(channel.clone()),
            executions: ExecutionsClient::new(channel.clone()),
            activities: ActivitiesClient::new(channel.clone()),
            cluster: ClusterClient::new(channel),
            routes: routing::routes(options.route_to_leaders),
            options,
        }
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The deadlines this client uses.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }
}

fn configure(endpoint: &str, options: &ClientOptions) -> Result<Endpoint> {
    options.validate()?;
    let configured = Endpoint::from_shared(endpoint.to_owned())
        .map_err(|source| Error::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            source,
        })?
        .connect_timeout(options.connect_timeout)
        .http2_keep_alive_interval(options.keep_alive_interval)
        .keep_alive_while_idle(true)
        .tcp_nodelay(true);
    Ok(configured)
}

/// A request that tells the server its deadline.
fn request<T>(message: T, timeout: Duration) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(timeout);
    request
}

/// Runs one unary call under `timeout`, mapping its status to an [`Error`]. The server is told
/// the deadline too; the local cut-off covers a server or network that says nothing at all.
async fn unary<T>(
    operation: &'static str,
    timeout: Duration,
    call: impl Future<Output = std::result::Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(response)) => Ok(response.into_inner()),
        Ok(Err(status)) => Err(Error::from(status)),
        Err(_elapsed) => Err(Error::Timeout { operation, timeout }),
    }
}
