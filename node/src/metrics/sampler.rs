//! Gauges read from elsewhere, sampled on an interval: shard leadership, the executions and
//! activity tasks this node holds as leader, apply's skip counters, and RocksDB's stall and
//! compaction properties. (Timers are counted as they change, by the shards' timer index.)
//!
//! Open executions are counted by scanning the running-executions index of each shard this
//! node leads (keys only), so the figure is exact at each sample and needs no bookkeeping on
//! the write path; the cost is one short index scan per led shard per interval.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use metrics::{counter, gauge};
use metrics_exporter_prometheus::PrometheusHandle;
use openraft::Raft;
use tokio::sync::watch;
use tracing::debug;

use super::names::*;
use crate::ids::{NodeId, ShardId};
use crate::raft::TypeConfig;
use crate::storage::{Db, ShardReader};
use crate::tasks::activities::Dispatcher;

/// A shard this node hosts, as the sampler reads it.
pub struct HostedShard {
    pub raft: Raft<TypeConfig>,
    pub reader: ShardReader,
}

/// The shards this node hosts right now; they come and go as the cluster moves replicas.
pub type HostedShards = Box<dyn Fn() -> Vec<HostedShard> + Send + Sync>;

/// What the sampler reads.
pub struct Sources {
    pub node_id: NodeId,
    /// Shards in the cluster: apply's counters are summed over all of them, hosted now or
    /// not, so the exported counters never go down when a replica moves away.
    pub shard_count: u32,
    pub db: Db,
    pub activities: Dispatcher,
    pub shards: HostedShards,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

/// RocksDB properties and the gauges they feed.
const ROCKSDB_GAUGES: &[(&str, &str)] = &[
    ("rocksdb.is-write-stopped", ROCKSDB_WRITE_STOPPED),
    (
        "rocksdb.actual-delayed-write-rate",
        ROCKSDB_DELAYED_WRITE_RATE,
    ),
    ("rocksdb.compaction-pending", ROCKSDB_COMPACTION_PENDING),
    (
        "rocksdb.estimate-pending-compaction-bytes",
        ROCKSDB_PENDING_COMPACTION_BYTES,
    ),
];

/// Samples every `interval` until `stop` turns true (or the sender goes away). Reads run on
/// the blocking pool: counting a large index takes a while, and RocksDB calls block. Returns
/// only between samples, so nothing reads the database once it has returned.
pub(super) async fn run(
    sources: Sources,
    handle: PrometheusHandle,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let sources = Arc::new(sources);
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let sources = sources.clone();
        let handle = handle.clone();
        let sampled = tokio::task::spawn_blocking(move || {
            sample(&sources);
            // Drains recorded histogram samples into their buckets between scrapes.
            handle.run_upkeep();
        })
        .await;
        if let Err(e) = sampled {
            debug!(error = %e, "a metrics sample did not finish");
        }
    }
}

fn sample(sources: &Sources) {
    let hosted = (sources.shards)();
    let led: Vec<&ShardReader> = hosted
        .iter()
        .filter(|shard| {
            let metrics = shard.raft.metrics();
            let metrics = metrics.borrow();
            metrics.current_leader == Some(sources.node_id) && metrics.state.is_leader()
        })
        .map(|shard| &shard.reader)
        .collect();
    gauge!(SHARD_LEADERS).set(led.len() as f64);

    let mut running = 0u64;
    for reader in &led {
        match reader.running_execution_count() {
            Ok(count) => running += count,
            Err(e) => {
                debug!(shard = %reader.shard(), error = %e, "cannot count running executions")
            }
        }
    }
    gauge!(EXECUTIONS_OPEN, LABEL_STATUS => STATUS_RUNNING).set(running as f64);

    gauge!(ACTIVITY_TASKS_QUEUED).set(sources.activities.depth() as f64);

    let (mut stale_transitions, mut stale_revisions) = (0, 0);
    for shard in 0..sources.shard_count {
        let counters = sources.db.apply_counters(ShardId(shard));
        stale_transitions += counters.stale_transitions.load(Ordering::Relaxed);
        stale_revisions += counters.stale_revisions.load(Ordering::Relaxed);
    }
    counter!(REJECTED_COMMANDS, LABEL_REASON => REASON_STALE_TRANSITION)
        .absolute(stale_transitions);
    counter!(REJECTED_COMMANDS, LABEL_REASON => REASON_STALE_REVISION).absolute(stale_revisions);

    for (property, name) in ROCKSDB_GAUGES {
        match sources.db.property_u64(property) {
            Ok(Some(value)) => gauge!(*name).set(value as f64),
            Ok(None) => {}
            Err(e) => debug!(property, error = %e, "cannot read a RocksDB property"),
        }
    }
}
