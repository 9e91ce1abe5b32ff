//! A shard's state machine in the node's RocksDB (openraft's `RaftStateMachine`).
//!
//! The state is persistent: apply writes each call's effects, the last applied log id and
//! the last membership in one batch, so they are never seen apart. That batch is relaxed
//! (no fsync): after a power loss RocksDB recovers a consistent prefix of its WAL, openraft
//! sees an older `last_applied` and re-applies from the log. The log keeps those entries
//! until a purge, and a purge syncs the WAL first (see `log_store`), so no applied write
//! the log no longer holds can be lost. Snapshots are written synced.

use std::sync::{Arc, Mutex};

use cairn_proto::storage as proto;
use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{EntryPayload, OptionalSend, StorageError};

use super::apply::{Applier, ApplyCounters, PendingWrites};
use super::db::{Durability, Inner, View};
use super::error::Error;
use super::keys::{self, StateMachineMeta, Table};
use super::reader::ShardReader;
use super::snapshot::{self, SnapshotBuilder};
use crate::ids::{NodeId, ShardId};
use crate::raft::codec::{self, Entry, LogId, SnapshotMeta, StoredMembership};
use crate::raft::{ApplyResult, TypeConfig};

/// A shard's state-machine store. Exactly one per shard (see `Db::state_machine`).
#[derive(Debug, Clone)]
pub struct StateMachineStore {
    inner: Arc<Inner>,
    shard: ShardId,
    counters: Arc<ApplyCounters>,
    /// Serializes writes of the stored snapshot between builds and installs.
    snapshot_lock: Arc<Mutex<()>>,
}

impl StateMachineStore {
    pub(crate) fn new(inner: Arc<Inner>, shard: ShardId, counters: Arc<ApplyCounters>) -> Self {
        StateMachineStore {
            inner,
            shard,
            counters,
            snapshot_lock: Arc::new(Mutex::new(())),
        }
    }

    pub fn shard(&self) -> ShardId {
        self.shard
    }

    /// Skipped-command counters of this shard, for metrics.
    pub fn counters(&self) -> Arc<ApplyCounters> {
        self.counters.clone()
    }

    pub fn reader(&self) -> ShardReader {
        ShardReader::new(self.inner.clone(), self.shard)
    }

    /// The last applied log id and the membership it left.
    pub fn applied(&self) -> Result<(Option<LogId>, StoredMembership), Error> {
        applied_state(&self.inner.view(self.shard))
    }

    /// Applies committed entries in order; one result per entry (empty for blank and
    /// membership entries). Nothing is written if any entry fails.
    pub fn apply_entries(&self, entries: Vec<Entry>) -> Result<Vec<ApplyResult>, Error> {
        apply_entries(&self.inner, self.shard, &self.counters, entries)
    }
}

/// Reads the state-machine meta from a view (the latest state, or a snapshot's).
pub(crate) fn applied_state(view: &View<'_>) -> Result<(Option<LogId>, StoredMembership), Error> {
    let shard = view.shard;
    let applied: Option<proto::LogId> = view.get(
        Table::StateMachineMeta,
        &keys::state_machine_meta(shard, StateMachineMeta::LastApplied),
    )?;
    let membership: Option<proto::StoredMembership> = view.get(
        Table::StateMachineMeta,
        &keys::state_machine_meta(shard, StateMachineMeta::Membership),
    )?;
    Ok((
        applied.map(|id| codec::log_id_from_proto(&id)),
        membership
            .map(|m| codec::stored_membership_from_proto(&m))
            .unwrap_or_default(),
    ))
}

fn apply_entries(
    inner: &Inner,
    shard: ShardId,
    counters: &ApplyCounters,
    entries: Vec<Entry>,
) -> Result<Vec<ApplyResult>, Error> {
    let mut writes = PendingWrites::new(inner.view(shard));
    let mut results = Vec::with_capacity(entries.len());
    let mut last_applied = None;
    for entry in entries {
        let result = match entry.payload {
            EntryPayload::Blank => ApplyResult::default(),
            EntryPayload::Normal(proposal) => {
                let mut applier = Applier {
                    shard,
                    index: entry.log_id.index,
                    writes: &mut writes,
                    counters,
                };
                applier.apply(proposal.commands)?
            }
            EntryPayload::Membership(membership) => {
                let stored = StoredMembership::new(Some(entry.log_id), membership);
                writes.put_message(
                    keys::state_machine_meta(shard, StateMachineMeta::Membership),
                    &codec::stored_membership_to_proto(&stored),
                );
                ApplyResult::default()
            }
        };
        results.push(result);
        last_applied = Some(entry.log_id);
    }
    if let Some(log_id) = last_applied {
        writes.put_message(
            keys::state_machine_meta(shard, StateMachineMeta::LastApplied),
            &codec::log_id_to_proto(&log_id),
        );
        inner.write(writes.into_batch(), Durability::Relaxed)?;
    }
    Ok(results)
}

/// Runs blocking storage work off the async workers and waits for it.
async fn blocking<T: Send + 'static>(
    shard: ShardId,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|source| Error::Task { shard, source })?
}

impl RaftStateMachine<TypeConfig> for StateMachineStore {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId>, StoredMembership), StorageError<NodeId>> {
        self.applied().map_err(|e| e.reading_state_machine())
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<ApplyResult>, StorageError<NodeId>>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<Entry> = entries.into_iter().collect();
        let (inner, counters, shard) = (self.inner.clone(), self.counters.clone(), self.shard);
        blocking(shard, move || {
            let started = std::time::Instant::now();
            let applied = apply_entries(&inner, shard, &counters, entries);
            crate::metrics::record::apply_duration(started.elapsed());
            applied
        })
        .await
        .map_err(|e| e.writing_state_machine())
    }

    async fn get_snapshot_builder(&mut self) -> SnapshotBuilder {
        SnapshotBuilder::new(self.inner.clone(), self.shard, self.snapshot_lock.clone())
    }

    async fn begin_receiving_snapshot(
        &mut self,
    ) -> Result<Box<std::io::Cursor<Vec<u8>>>, StorageError<NodeId>> {
        Ok(Box::new(std::io::Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<std::io::Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<NodeId>> {
        let (inner, shard, lock, meta) = (
            self.inner.clone(),
            self.shard,
            self.snapshot_lock.clone(),
            meta.clone(),
        );
        let data = snapshot.into_inner();
        blocking(shard, move || {
            snapshot::install(&inner, shard, &lock, &meta, data)
        })
        .await
        .map_err(|e| e.writing_snapshot())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<TypeConfig>>, StorageError<NodeId>> {
        let (inner, shard) = (self.inner.clone(), self.shard);
        blocking(shard, move || snapshot::current(&inner, shard))
            .await
            .map_err(|e| e.reading_snapshot())
    }
}
