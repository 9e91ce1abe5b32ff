//! Sending execution calls straight to the node that leads the execution's shard.
//!
//! Any node accepts any call and forwards it, so routing only saves that hop. The client
//! learns the shard map (shard count, each shard's leader, node addresses) from
//! `GetClusterInfo` on every node, computes an execution's shard the way the server does
//! (`fnv1a64(state machine name NUL execution name) mod shard count`), and sends the call to
//! the leader. When a call answers `NotLeader` the map is stale: it is refreshed (at most once
//! a second) and the call is sent again through the endpoint the client was given.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_proto::v1::executions_client::ExecutionsClient;
use tokio::sync::{Mutex, RwLock};
use tonic::transport::Channel;

use super::{Client, Error, configure};

/// The least time between two refreshes of the shard map.
const REFRESH_INTERVAL_MIN: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub(super) struct Routes {
    map: RwLock<Option<ShardMap>>,
    /// When the map was last fetched, so a burst of stale answers fetches it once.
    refreshed: Mutex<Option<Instant>>,
    channels: std::sync::Mutex<HashMap<String, Channel>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ShardMap {
    shard_count: u32,
    /// Shard → the leader's endpoint (`http://HOST:PORT`).
    leaders: HashMap<u32, String>,
}

/// The 64-bit FNV-1a hash, as the server places executions with.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The shard of the execution `state_machine_name`/`execution_name`.
pub fn execution_shard(state_machine_name: &str, execution_name: &str, shard_count: u32) -> u32 {
    let key = format!("{state_machine_name}\u{0}{execution_name}");
    (fnv1a(key.as_bytes()) % u64::from(shard_count.max(1))) as u32
}

/// The state machine and execution names in an execution ARN
/// (`arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME`).
pub fn execution_names(execution_arn: &str) -> Option<(&str, &str)> {
    let mut parts = execution_arn.splitn(8, ':');
    let resource = parts.nth(5)?;
    let machine = parts.next()?;
    let name = parts.next()?;
    (resource == "execution").then_some((machine, name))
}

/// The state machine name in a state machine ARN.
pub fn state_machine_name(state_machine_arn: &str) -> Option<&str> {
    let mut parts = state_machine_arn.splitn(7, ':');
    let resource = parts.nth(5)?;
    let name = parts.next()?;
    (resource == "stateMachine").then_some(name)
}

impl Client {
    /// The endpoint of the leader of `machine`/`name`'s shard, if routing is on and the map
    /// knows it (fetching the map on first use).
    async fn leader_endpoint(&self, machine: &str, name: &str) -> Option<String> {
        let routes = self.routes.as_ref()?;
        if routes.map.read().await.is_none() {
            self.refresh_routes().await;
        }
        let map = routes.map.read().await;
        let map = map.as_ref()?;
        map.leaders
            .get(&execution_shard(machine, name, map.shard_count))
            .cloned()
    }

    /// Where this client sends calls about the execution `execution_arn`: the endpoint of its
    /// shard's leader as far as the client knows, or its own endpoint.
    pub async fn routed_endpoint(&self, execution_arn: &str) -> String {
        let leader = match execution_names(execution_arn) {
            Some((machine, name)) => self.leader_endpoint(machine, name).await,
            None => None,
        };
        leader.unwrap_or_else(|| self.endpoint.clone())
    }

    /// The Executions client for a call about `machine`/`name`: the shard leader's when the
    /// map knows it, else the client's own endpoint.
    pub(super) async fn executions_for(
        &self,
        machine: &str,
        name: &str,
    ) -> ExecutionsClient<Channel> {
        let (Some(routes), Some(endpoint)) =
            (&self.routes, self.leader_endpoint(machine, name).await)
        else {
            return self.executions.clone();
        };
        if endpoint == self.endpoint {
            return self.executions.clone();
        }
        let channel = {
            let mut channels = routes
                .channels
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match channels.get(&endpoint) {
                Some(channel) => Some(channel.clone()),
                None => configure(&endpoint, &self.options).ok().map(|configured| {
                    let channel = configured.connect_lazy();
                    channels.insert(endpoint.clone(), channel.clone());
                    channel
                }),
            }
        };
        channel.map_or_else(|| self.executions.clone(), ExecutionsClient::new)
    }

    /// The Executions client for a call about the execution `execution_arn`.
    pub(super) async fn executions_for_arn(
        &self,
        execution_arn: &str,
    ) -> ExecutionsClient<Channel> {
        match execution_names(execution_arn) {
            Some((machine, name)) => self.executions_for(machine, name).await,
            None => self.executions.clone(),
        }
    }

    /// Whether a routed call should be sent again through the client's own endpoint, after
    /// the shard map is refreshed: when it answered `NotLeader` (the node neither leads the
    /// shard nor could forward, so it did nothing), or, for a call that may safely run twice
    /// (`idempotent`), when the routed node could not be reached.
    pub(super) async fn reroute(&self, error: &Error, idempotent: bool) -> bool {
        if self.routes.is_none() {
            return false;
        }
        let not_leader = error.name() == Some("NotLeader");
        if !(not_leader || idempotent && error.is_transient()) {
            return false;
        }
        self.refresh_routes().await;
        true
    }

    /// Fetches the shard map from every node (at most once per [`REFRESH_INTERVAL_MIN`]).
    async fn refresh_routes(&self) {
        let Some(routes) = &self.routes else { return };
        {
            let mut refreshed = routes.refreshed.lock().await;
            if refreshed.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL_MIN) {
                return;
            }
            *refreshed = Some(Instant::now());
        }
        let Ok(status) = self.cluster_status().await else {
            return;
        };
        let addresses: HashMap<u64, String> = status
            .nodes
            .iter()
            .filter(|n| n.unreachable.is_none())
            .map(|n| (n.node_id, super::cluster::node_endpoint(&n.address)))
            .collect();
        let leaders = status
            .shards
            .iter()
            .filter_map(|s| {
                addresses
                    .get(&s.leader_node_id)
                    .map(|a| (s.shard_id, a.clone()))
            })
            .collect();
        *routes.map.write().await = Some(ShardMap {
            shard_count: status.shard_count,
            leaders,
        });
    }
}

/// Whether routing is on for a client; shared by its clones.
pub(super) fn routes(enabled: bool) -> Option<Arc<Routes>> {
    enabled.then(|| Arc::new(Routes::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_execution() {
        assert_eq!(
            execution_names("arn:aws:states:us-east-1:123456789012:execution:orders:o-1"),
            Some(("orders", "o-1"))
        );
        assert_eq!(
            execution_names("arn:aws:states:us-east-1:123456789012:stateMachine:orders"),
            None
        );
        assert_eq!(
            state_machine_name("arn:aws:states:us-east-1:123456789012:stateMachine:orders"),
            Some("orders")
        );
    }

    #[test]
    fn shards_match_the_server_placement() {
        // FNV-1a 64 of "a\0b", computed independently of this code.
        assert_eq!(fnv1a(b"a\0b"), 0xe5d2_9919_0426_66b2);
        assert_eq!(
            execution_shard("a", "b", 16),
            (0xe5d2_9919_0426_66b2u64 % 16) as u32
        );
        assert_eq!(execution_shard("a", "b", 1), 0);
    }
}
