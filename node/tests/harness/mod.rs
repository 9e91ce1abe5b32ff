//! A cluster of real `cairn-node` processes on loopback, for fault tests: each node has its own
//! loopback address (127.0.0.11, .12, …), data directory and log file, and sits behind a proxy
//! that can cut links ([`proxy`]). Processes are killed with SIGKILL, frozen with SIGSTOP and
//! stopped with SIGTERM. [`workload`] drives load through it and checks the invariants.

#![allow(dead_code, clippy::unwrap_used)]

pub mod proxy;
pub mod workload;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cairn_proto::v1::cluster_client::ClusterClient;
use cairn_proto::v1::{GetClusterInfoRequest, GetClusterInfoResponse};
use tonic::transport::Channel;

/// Cluster tests share two cores; one cluster at a time keeps elections honest.
pub static ONE_CLUSTER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Node {
    pub id: u64,
    pub ip: IpAddr,
    /// Where clients reach the node (directly, not through the proxy).
    pub listen: SocketAddr,
    /// Where other nodes reach it (its proxy).
    pub peer_address: SocketAddr,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    config: PathBuf,
    process: Option<Child>,
    frozen: bool,
}

impl Node {
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.listen)
    }

    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }
}

pub struct Cluster {
    pub nodes: BTreeMap<u64, Node>,
    pub links: proxy::Links,
    pub shards: u32,
    root: tempfile::TempDir,
}

pub const TASK_TOKEN_SECRET: &str = "cluster-harness-task-token-secret";

fn free_port(ip: IpAddr) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// Starts `size` nodes that bootstrap a cluster of `shards` shards together, and waits
    /// until every shard has a leader.
    pub async fn start(size: u64, shards: u32) -> Cluster {
        let root = tempfile::tempdir().expect("a temp dir");
        let mut cluster = Cluster {
            nodes: BTreeMap::new(),
            links: proxy::Links::default(),
            shards,
            root,
        };
        for id in 1..=size {
            cluster.add_slot(id).await;
        }
        let ids: Vec<u64> = cluster.nodes.keys().copied().collect();
        for id in &ids {
            cluster.write_config(*id, false);
        }
        for id in ids {
            cluster.spawn(id);
        }
        cluster.wait_for_leaders(Duration::from_secs(60)).await;
        cluster
            .wait_for_replicas_to_agree(Duration::from_secs(60))
            .await;
        eprintln!(
            "cluster of {size} started; logs in {}",
            cluster.root.path().display()
        );
        cluster
    }

    async fn add_slot(&mut self, id: u64) {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + id as u8));
        let listen = SocketAddr::new(ip, free_port(ip));
        let proxy_listener = tokio::net::TcpListener::bind((ip, 0))
            .await
            .expect("proxy binds");
        let peer_address = proxy_listener.local_addr().unwrap();
        proxy::spawn(proxy_listener, listen, ip, self.links.clone());
        let data_dir = self.root.path().join(format!("node-{id}"));
        let node = Node {
            id,
            ip,
            listen,
            peer_address,
            log: self.root.path().join(format!("node-{id}.log")),
            config: self.root.path().join(format!("node-{id}.toml")),
            data_dir,
            process: None,
            frozen: false,
        };
        self.nodes.insert(id, node);
    }

    /// Writes a node's configuration: the bootstrap members are the nodes that exist now.
    fn write_config(&self, id: u64, join: bool) {
        let node = &self.nodes[&id];
        let members: Vec<String> = self
            .nodes
            .values()
            .filter(|n| !join || n.id != id)
            .map(|n| format!("{{ id = {}, address = \"{}\" }}", n.id, n.peer_address))
            .collect();
        let config = format!(
            r#"node-id = {id}
data-dir = "{data_dir}"
listen = "{listen}"
advertise-address = "{peer}"

[cluster]
shards = {shards}
replication-factor = 3
task-token-secret = "{TASK_TOKEN_SECRET}"
source-address = "{ip}"
join = {join}
members = [{members}]

[metrics]
listen = "{ip}:0"

[activities]
poll-seconds-max = 2
"#,
            data_dir = node.data_dir.display(),
            listen = node.listen,
            peer = node.peer_address,
            shards = self.shards,
            ip = node.ip,
            members = members.join(", "),
        );
        std::fs::write(&node.config, config).expect("config written");
    }

    /// Starts (or restarts, on its data directory) a node's process and waits until it listens.
    pub fn spawn(&mut self, id: u64) {
        let node = self.nodes.get_mut(&id).expect("a known node");
        assert!(node.process.is_none(), "node {id} is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&node.log)
            .expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairn-node"))
            .arg("--config")
            .arg(&node.config)
            .env("RUST_LOG", "warn,cairn_node=info,openraft=warn")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("cairn-node starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the node prints its address");
        assert!(
            line.contains("listening on"),
            "node {id} did not start: {line:?}; see {}",
            node.log.display()
        );
        node.process = Some(child);
        node.frozen = false;
    }

    /// SIGKILL.
    pub fn kill(&mut self, id: u64) {
        let node = self.nodes.get_mut(&id).expect("a known node");
        if let Some(mut child) = node.process.take() {
            if node.frozen {
                signal(&child, "CONT");
            }
            child.kill().expect("SIGKILL delivered");
            let _ = child.wait();
        }
        node.frozen = false;
    }

    /// SIGTERM, and wait for a clean exit.
    pub fn terminate(&mut self, id: u64) {
        let node = self.nodes.get_mut(&id).expect("a known node");
        if let Some(mut child) = node.process.take() {
            signal(&child, "TERM");
            let status = child.wait().expect("the node exits");
            assert!(
                status.success(),
                "node {id} exited with {status} after SIGTERM; see {}",
                node.log.display()
            );
        }
    }

    /// SIGSTOP: the process stays, but answers nothing (a hung machine or a long GC pause).
    pub fn freeze(&mut self, id: u64) {
        let node = self.nodes.get_mut(&id).expect("a known node");
        if let Some(child) = &node.process {
            signal(child, "STOP");
            node.frozen = true;
        }
    }

    /// SIGCONT.
    pub fn thaw(&mut self, id: u64) {
        let node = self.nodes.get_mut(&id).expect("a known node");
        if let Some(child) = &node.process {
            signal(child, "CONT");
            node.frozen = false;
        }
    }

    /// Cuts every link between `group` and the other nodes (clients still reach every node).
    pub fn isolate(&self, group: &[u64]) {
        let inside: Vec<IpAddr> = group.iter().map(|id| self.nodes[id].ip).collect();
        let outside: Vec<IpAddr> = self
            .nodes
            .values()
            .filter(|n| !group.contains(&n.id))
            .map(|n| n.ip)
            .collect();
        self.links.partition(&inside, &outside);
    }

    pub fn heal(&self) {
        self.links.heal();
    }

    /// Starts a new node with `cluster.join = true`; `cairn cluster add-node` places replicas.
    pub async fn start_joining_node(&mut self, id: u64) {
        self.add_slot(id).await;
        self.write_config(id, true);
        self.spawn(id);
    }

    /// Endpoints of the nodes that run and are not frozen.
    pub fn live_endpoints(&self) -> Vec<String> {
        self.nodes
            .values()
            .filter(|n| n.is_running() && !n.frozen)
            .map(Node::endpoint)
            .collect()
    }

    /// Every node's id and client endpoint.
    pub fn node_endpoints(&self) -> Vec<(u64, String)> {
        self.nodes.values().map(|n| (n.id, n.endpoint())).collect()
    }

    pub fn all_endpoints(&self) -> Vec<String> {
        self.nodes.values().map(Node::endpoint).collect()
    }

    pub async fn info(&self, id: u64) -> Option<GetClusterInfoResponse> {
        let channel = Channel::from_shared(self.nodes[&id].endpoint())
            .ok()?
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(2))
            .connect()
            .await
            .ok()?;
        ClusterClient::new(channel)
            .get_cluster_info(GetClusterInfoRequest {})
            .await
            .ok()
            .map(|r| r.into_inner())
    }

    /// Each shard's leader, as the leaders themselves report among the live nodes.
    pub async fn leaders(&self) -> BTreeMap<u32, u64> {
        let mut leaders = BTreeMap::new();
        for node in self.nodes.values().filter(|n| n.is_running() && !n.frozen) {
            if let Some(info) = self.info(node.id).await {
                for shard in info.shards {
                    if shard.leader_node_id == node.id {
                        leaders.insert(shard.shard_id, node.id);
                    }
                }
            }
        }
        leaders
    }

    /// Waits until every shard has a live leader; returns how long that took.
    pub async fn wait_for_leaders(&self, deadline: Duration) -> Duration {
        let started = tokio::time::Instant::now();
        loop {
            if self.leaders().await.len() == self.shards as usize {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < deadline,
                "shards still without a leader after {deadline:?}: {:?}",
                self.leaders().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The node that leads the most shards.
    pub async fn busiest_leader(&self) -> u64 {
        let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
        for node in self.leaders().await.into_values() {
            *counts.entry(node).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|(id, n)| (*n, *id))
            .map(|(id, _)| id)
            .expect("some leader")
    }

    /// Waits until, for every shard, all its voters report the same applied index as its
    /// leader: the replicas agree after faults.
    pub async fn wait_for_replicas_to_agree(&self, deadline: Duration) {
        let started = tokio::time::Instant::now();
        loop {
            let mut applied: BTreeMap<u32, BTreeMap<u64, u64>> = BTreeMap::new();
            let mut voters: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
            for node in self.nodes.values().filter(|n| n.is_running()) {
                if let Some(info) = self.info(node.id).await {
                    for shard in info.shards {
                        applied
                            .entry(shard.shard_id)
                            .or_default()
                            .insert(node.id, shard.applied_index);
                        if shard.leader_node_id == node.id {
                            voters.insert(shard.shard_id, shard.voters.clone());
                        }
                    }
                }
            }
            let agreed = voters.len() == self.shards as usize
                && voters.iter().all(|(shard, voters)| {
                    let reports = &applied[shard];
                    let values: Vec<Option<&u64>> = voters.iter().map(|v| reports.get(v)).collect();
                    values.iter().all(|v| v.is_some() && *v == values[0])
                });
            if agreed {
                return;
            }
            assert!(
                started.elapsed() < deadline,
                "replicas do not agree after {deadline:?}: voters {voters:?}, applied {applied:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_tail(&self, id: u64) -> String {
        let text = std::fs::read_to_string(&self.nodes[&id].log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Keep the logs and data of a failed test for a look afterwards.
            let root = std::mem::replace(&mut self.root, tempfile::tempdir().expect("a temp dir"));
            eprintln!(
                "test failed: node logs and data kept in {}",
                root.keep().display()
            );
        }
        for node in self.nodes.values_mut() {
            if let Some(mut child) = node.process.take() {
                if node.frozen {
                    signal(&child, "CONT");
                }
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} failed");
}

/// Measures how long after a fault the shards `shards` commit again: starts small executions
/// of `state_machine_arn` whose names place them on those shards, through any live node, until
/// one is acknowledged for every shard. Returns the time to the last shard's first commit.
pub async fn time_to_first_commit(
    endpoints: &workload::Endpoints,
    state_machine_arn: &str,
    shards: &[u32],
    shard_count: u32,
    since: tokio::time::Instant,
    deadline: Duration,
) -> Duration {
    use cairn_node::ids::{ExecutionKey, execution_shard};
    use cairn_proto::v1::executions_client::ExecutionsClient;
    let machine = state_machine_arn
        .rsplit(':')
        .next()
        .expect("a state machine ARN")
        .to_owned();
    let mut waiting: Vec<u32> = shards.to_vec();
    let mut n = 0u64;
    while !waiting.is_empty() {
        assert!(
            since.elapsed() < deadline,
            "shards {waiting:?} did not commit within {deadline:?}"
        );
        let shard = waiting[0];
        // A name that lands on `shard`.
        let name = loop {
            n += 1;
            let name = format!("probe-{}-{n}", since.elapsed().as_nanos());
            if execution_shard(&ExecutionKey::new(&machine, &name), shard_count).0 == shard {
                break name;
            }
        };
        let Some(channel) = endpoints.channel().await else {
            continue;
        };
        let request = cairn_proto::v1::StartExecutionRequest {
            state_machine_arn: state_machine_arn.to_owned(),
            name,
            input: r#"{"n": 0}"#.into(),
        };
        if ExecutionsClient::new(channel)
            .start_execution(request)
            .await
            .is_ok()
        {
            waiting.remove(0);
        }
    }
    since.elapsed()
}
