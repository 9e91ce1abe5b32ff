//! Node configuration: a TOML file (`--config FILE`) with every key documented here, and
//! flags for the common ones. Unknown keys are an error, so a typo never passes silently.
//!
//! ```toml
//! data-dir = "/var/lib/cairn"
//! listen = "0.0.0.0:7310"
//!
//! [cluster]
//! shards = 16
//!
//! [identity]
//! region = "eu-west-1"
//! account = "123456789012"
//!
//! [metrics]
//! listen = "0.0.0.0:7312"
//!
//! [tracing]
//! otlp-endpoint = "http://127.0.0.1:4317"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The default gRPC port on loopback, for a development node.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7310";

/// The default Prometheus `/metrics` address, beside the gRPC port.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:7312";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct NodeOptions {
    /// Directory for this node's RocksDB and generated secrets. Default `./cairn-data`.
    pub data_dir: PathBuf,
    /// gRPC listen address (API, health, reflection, Raft). Default `127.0.0.1:7310`.
    pub listen: SocketAddr,
    /// This node's id in the cluster; stable across restarts. Default 1.
    pub node_id: u64,
    /// The address other nodes use to reach this one. Default: `listen`.
    pub advertise_address: Option<String>,
    pub cluster: ClusterOptions,
    pub identity: IdentityOptions,
    pub limits: LimitsOptions,
    pub shard: ShardOptions,
    pub activities: ActivityOptions,
    pub express: crate::express::ExpressOptions,
    pub log: LogOptions,
    pub metrics: MetricsOptions,
    pub tracing: TracingOptions,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            data_dir: PathBuf::from("cairn-data"),
            listen: DEFAULT_LISTEN
                .parse()
                .expect("the default listen address parses"),
            node_id: 1,
            advertise_address: None,
            cluster: ClusterOptions::default(),
            identity: IdentityOptions::default(),
            limits: LimitsOptions::default(),
            shard: ShardOptions::default(),
            activities: ActivityOptions::default(),
            express: crate::express::ExpressOptions::default(),
            log: LogOptions::default(),
            metrics: MetricsOptions::default(),
            tracing: TracingOptions::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ClusterOptions {
    /// Number of shards (Raft groups), fixed when the cluster bootstraps. Default 16.
    pub shards: u32,
    /// Secret that signs task tokens; every node of a cluster needs the same one. Default: a
    /// random secret generated into `<data-dir>/task-token.secret` on first start (fine for a
    /// one-node cluster).
    pub task_token_secret: Option<String>,
    /// Replicas per shard (Raft voters). Default 3; capped at the number of members, so a
    /// one-node cluster has one.
    pub replication_factor: u32,
    /// The nodes the cluster first starts with, this one included: `[{ id = 1, address =
    /// "10.0.0.1:7310" }, …]`. Every node of a new cluster lists the same members. Default: this
    /// node alone. Nodes added later join with `cairn cluster add-node`.
    pub members: Vec<MemberOptions>,
    /// Whether nodes move shard leadership back toward an even spread on their own (after a
    /// node returns). Default true.
    pub auto_rebalance: bool,
    /// This node joins a running cluster instead of starting one: it hosts nothing until
    /// `cairn cluster add-node` places shard replicas on it. `members` then lists the running
    /// cluster's nodes (to reach them), and need not include this one. Default false.
    pub join: bool,
    /// The local IP address that connections to other nodes come from, for hosts with several
    /// addresses where the OS would pick the wrong one. Default: the OS chooses.
    pub source_address: Option<std::net::IpAddr>,
}

/// A cluster member: its stable id and the address other nodes reach it at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MemberOptions {
    pub id: u64,
    pub address: String,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            shards: 16,
            task_token_secret: None,
            replication_factor: 3,
            members: Vec::new(),
            auto_rebalance: true,
            join: false,
            source_address: None,
        }
    }
}

/// The AWS identity that ARNs are built with, so AWS tools accept them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct IdentityOptions {
    /// Default `aws`.
    pub partition: String,
    /// Default `us-east-1`.
    pub region: String,
    /// Twelve digits. Default `123456789012`.
    pub account: String,
}

impl Default for IdentityOptions {
    fn default() -> Self {
        IdentityOptions {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct LimitsOptions {
    /// Largest execution input, state input/output and task result, in bytes. Default 262144.
    pub payload_bytes_max: u64,
    /// Longest execution history, in events. Default 25000.
    pub history_events_max: u64,
    /// Longest a Standard execution may run when its definition sets no TimeoutSeconds, in
    /// seconds. Default 31536000 (one year).
    pub execution_seconds_max: u64,
    /// Largest definition, in characters. Default 1048576.
    pub definition_chars_max: usize,
}

impl Default for LimitsOptions {
    fn default() -> Self {
        let asl = asl::interpreter::Limits::default();
        LimitsOptions {
            payload_bytes_max: asl.payload_bytes_max,
            history_events_max: asl.history_events_max,
            execution_seconds_max: asl.execution_seconds_max,
            definition_chars_max: asl::definition::limits::DEFINITION_CHARS_MAX,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ShardOptions {
    /// Most commands batched into one Raft entry. Default 512.
    pub batch_commands_max: usize,
    /// Commands a shard queues before callers wait (backpressure). Default 10000.
    pub queue_capacity: usize,
    /// Raft entries a shard leader has proposed and not yet seen applied, at most. While
    /// that many are on their way, new commands wait and go together into the next entry
    /// (group commit): under load an entry carries many transitions for one fsync. Default 2.
    pub proposals_in_flight_max: usize,
}

impl Default for ShardOptions {
    fn default() -> Self {
        ShardOptions {
            batch_commands_max: 512,
            queue_capacity: 10_000,
            proposals_in_flight_max: 2,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ActivityOptions {
    /// How long GetActivityTask waits for a task before answering with none, in seconds.
    /// Default 60, as AWS.
    pub poll_seconds_max: u64,
}

impl Default for ActivityOptions {
    fn default() -> Self {
        ActivityOptions {
            poll_seconds_max: 60,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct LogOptions {
    /// `text` or `json`. Default `text`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `cairn_node=debug,openraft=warn`. Default `info`.
    /// `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            format: LogFormat::Text,
            filter: "info,openraft=warn".into(),
        }
    }
}

/// The Prometheus endpoint (`[metrics]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct MetricsOptions {
    /// Whether the node records metrics and serves them. Default true.
    pub enabled: bool,
    /// HOST:PORT that serves `GET /metrics` in the Prometheus text format. Default
    /// `127.0.0.1:7312`; nodes sharing a host each need their own.
    pub listen: SocketAddr,
    /// How often gauges read from elsewhere (shard leaders, running executions, queues, RocksDB
    /// properties) are sampled, in milliseconds. Default 5000.
    pub sample_interval_ms: u64,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            enabled: true,
            listen: DEFAULT_METRICS_LISTEN
                .parse()
                .expect("the default metrics address parses"),
            sample_interval_ms: 5_000,
        }
    }
}

/// OpenTelemetry traces (`[tracing]`), exported over OTLP/gRPC. Off unless an endpoint is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct TracingOptions {
    /// The OTLP/gRPC collector, such as `http://127.0.0.1:4317` (plain HTTP/2: run a
    /// collector beside the node for TLS). Default: none, no export.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the exported spans. Default `cairn-node`.
    pub service_name: String,
    /// Share of new traces kept, 0.0 to 1.0; a request that arrives with a sampled parent
    /// is always kept. Default 1.0.
    pub sample_ratio: f64,
    /// Longest a finished span waits before its batch is exported, in milliseconds.
    /// Default 5000.
    pub export_delay_ms: u64,
    /// Which spans are exported, as a tracing filter (like `log.filter`, which it does not
    /// depend on). The node's own spans are at `info`. Default `info,openraft=warn`.
    pub filter: String,
}

impl Default for TracingOptions {
    fn default() -> Self {
        TracingOptions {
            otlp_endpoint: None,
            service_name: "cairn-node".into(),
            sample_ratio: 1.0,
            export_delay_ms: 5_000,
            filter: "info,openraft=warn".into(),
        }
    }
}

/// A configuration that cannot work, and why.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("{field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl NodeOptions {
    pub fn from_file(path: &Path) -> Result<NodeOptions, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| Error::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// Checks what serde cannot: ranges and relations between fields.
    pub fn validate(&self) -> Result<(), Error> {
        if self.cluster.shards == 0 || self.cluster.shards > 4096 {
            return Err(Error::Invalid {
                field: "cluster.shards",
                reason: format!("must be between 1 and 4096, not {}", self.cluster.shards),
            });
        }
        if self.identity.account.len() != 12
            || !self.identity.account.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::Invalid {
                field: "identity.account",
                reason: format!("must be twelve digits, not {:?}", self.identity.account),
            });
        }
        if self.identity.region.is_empty() || self.identity.partition.is_empty() {
            return Err(Error::Invalid {
                field: "identity",
                reason: "region and partition must be set".into(),
            });
        }
        if self.shard.batch_commands_max == 0
            || self.shard.queue_capacity == 0
            || self.shard.proposals_in_flight_max == 0
        {
            return Err(Error::Invalid {
                field: "shard",
                reason: "batch-commands-max, queue-capacity and proposals-in-flight-max must be positive"
                    .into(),
            });
        }
        if self.limits.payload_bytes_max == 0 || self.limits.history_events_max < 10 {
            return Err(Error::Invalid {
                field: "limits",
                reason: "payload and history limits are too small".into(),
            });
        }
        if self.activities.poll_seconds_max == 0 || self.activities.poll_seconds_max > 300 {
            return Err(Error::Invalid {
                field: "activities.poll-seconds-max",
                reason: "must be between 1 and 300".into(),
            });
        }
        if self.cluster.replication_factor == 0 {
            return Err(Error::Invalid {
                field: "cluster.replication-factor",
                reason: "must be at least 1".into(),
            });
        }
        let mut ids: Vec<u64> = self.cluster.members.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.cluster.members.len() {
            return Err(Error::Invalid {
                field: "cluster.members",
                reason: "member ids must be unique".into(),
            });
        }
        if self.cluster.join && self.cluster.members.is_empty() {
            return Err(Error::Invalid {
                field: "cluster.join",
                reason: "a joining node needs `cluster.members` to list at least one node of the running cluster".into(),
            });
        }
        let shared = self.cluster.join || self.cluster.members.len() > 1;
        if shared && self.cluster.task_token_secret.is_none() {
            // Task tokens are checked by whichever node a worker reaches, so every node needs
            // the secret that signed them.
            return Err(Error::Invalid {
                field: "cluster.task-token-secret",
                reason: "a cluster of several nodes needs the same secret on every node".into(),
            });
        }
        if !self.cluster.join && !self.cluster.members.is_empty() && !ids.contains(&self.node_id) {
            return Err(Error::Invalid {
                field: "cluster.members",
                reason: format!(
                    "this node's id ({}) must be one of the members",
                    self.node_id
                ),
            });
        }
        self.validate_observability()?;
        if let Some((field, reason)) = self.express.problem() {
            return Err(Error::Invalid { field, reason });
        }
        if let Some(secret) = &self.cluster.task_token_secret
            && secret.len() < 16
        {
            return Err(Error::Invalid {
                field: "cluster.task-token-secret",
                reason: "must be at least 16 characters".into(),
            });
        }
        Ok(())
    }

    fn validate_observability(&self) -> Result<(), Error> {
        if self.metrics.sample_interval_ms == 0 {
            return Err(Error::Invalid {
                field: "metrics.sample-interval-ms",
                reason: "must be positive".into(),
            });
        }
        if !(0.0..=1.0).contains(&self.tracing.sample_ratio) {
            return Err(Error::Invalid {
                field: "tracing.sample-ratio",
                reason: format!("must be between 0 and 1, not {}", self.tracing.sample_ratio),
            });
        }
        if self.tracing.export_delay_ms == 0 {
            return Err(Error::Invalid {
                field: "tracing.export-delay-ms",
                reason: "must be positive".into(),
            });
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.tracing.filter) {
            return Err(Error::Invalid {
                field: "tracing.filter",
                reason: e.to_string(),
            });
        }
        if let Some(endpoint) = &self.tracing.otlp_endpoint
            && !endpoint.starts_with("http://")
        {
            // The node is built without TLS: a collector beside it (an agent or sidecar)
            // forwards over TLS where needed.
            return Err(Error::Invalid {
                field: "tracing.otlp-endpoint",
                reason: format!("must be an http:// URL, not {endpoint:?}"),
            });
        }
        Ok(())
    }

    pub fn advertise(&self) -> String {
        self.advertise_address
            .clone()
            .unwrap_or_else(|| self.listen.to_string())
    }

    pub fn interpreter_limits(&self) -> asl::interpreter::Limits {
        asl::interpreter::Limits {
            payload_bytes_max: self.limits.payload_bytes_max,
            history_events_max: self.limits.history_events_max,
            execution_seconds_max: self.limits.execution_seconds_max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let options = NodeOptions::default();
        options.validate().unwrap();
        assert_eq!(options.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(options.cluster.shards, 16);
        assert_eq!(options.data_dir, PathBuf::from("cairn-data"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<NodeOptions>("data-dirr = \"x\"").unwrap_err();
        assert!(err.to_string().contains("data-dirr"), "{err}");
        let err = toml::from_str::<NodeOptions>("[cluster]\nshard = 3").unwrap_err();
        assert!(err.to_string().contains("shard"), "{err}");
    }

    #[test]
    fn partial_files_keep_defaults() {
        let options: NodeOptions =
            toml::from_str("listen = \"0.0.0.0:9000\"\n[cluster]\nshards = 4").unwrap();
        assert_eq!(options.listen.port(), 9000);
        assert_eq!(options.cluster.shards, 4);
        assert_eq!(options.identity.region, "us-east-1");
    }

    #[test]
    fn validation_names_the_field() {
        let mut options = NodeOptions::default();
        options.identity.account = "12".into();
        assert!(
            options
                .validate()
                .unwrap_err()
                .to_string()
                .contains("identity.account")
        );
    }
}
