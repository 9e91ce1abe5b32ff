//! A shard's Raft log and vote, in the node's RocksDB (openraft's `RaftLogStorage`).
//!
//! The contract this code keeps (openraft's storage checklist; the suite in
//! `node/tests/storage_suite.rs` checks it):
//!
//! 1. **Vote durable before returning.** `save_vote` writes with fsync and returns after it.
//! 2. **Append acknowledged only after fsync.** `append` writes its entries in one batch with
//!    fsync and only then calls the IO callback; entries are readable when it returns.
//! 3. **No holes.** Entries of one append must have consecutive indexes (checked); openraft
//!    appends after the last entry or truncates first.
//! 4. **Truncate** removes `[index, ∞)`; **purge** removes `(-∞, index]` and records the
//!    purged log id in the same synced batch, so `get_log_state` never reports a log that
//!    starts after a hole. Before a purge, the WAL is synced: every relaxed state-machine
//!    write covering the purged entries reaches the disk first, so nothing the state depends
//!    on is deleted from the log while the state itself could still be lost.
//! 5. **Writes are serialized.** Each call waits for its write before returning, and openraft
//!    calls a shard's store from one task, so one write never overtakes another.
//! 6. **Atomic snapshot install** is the state machine's part (see `snapshot`).
//!
//! `save_committed` is a relaxed write: losing it only means re-applying fewer entries at
//! start, and the applied state is persistent anyway.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use cairn_proto::storage as proto;
use openraft::storage::{LogFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::{OptionalSend, StorageError};
use prost::Message;
use rocksdb::WriteBatch;

use super::db::{self, Durability, Inner, corrupt, write_blocking};
use super::error::{Corruption, Error};
use super::keys::{self, RaftMeta, Table};
use crate::ids::{NodeId, ShardId};
use crate::raft::TypeConfig;
use crate::raft::codec::{self, Entry, LogId, Vote};

/// Reads a shard's log; cheap to clone, one per replication stream.
#[derive(Debug, Clone)]
pub struct LogReader {
    inner: Arc<Inner>,
    shard: ShardId,
}

impl LogReader {
    /// Entries with indexes in `[start, end)`; `end = None` reads to the last entry.
    pub fn entries(&self, start: u64, end: Option<u64>) -> Result<Vec<Entry>, Error> {
        if end.is_some_and(|end| end <= start) {
            return Ok(Vec::new());
        }
        let (_, shard_end) = keys::shard_range(Table::RaftLog, self.shard);
        let end_key = end.map_or(shard_end, |end| keys::log(self.shard, end));
        let view = self.inner.view(self.shard);
        view.scan(&keys::log(self.shard, start), &end_key, false)
            .map(|row| row.and_then(|(key, value)| self.decode_entry(&key, &value)))
            .collect()
    }

    /// The log id of the last entry present, if any.
    pub fn last_log_id(&self) -> Result<Option<LogId>, Error> {
        let (start, end) = keys::shard_range(Table::RaftLog, self.shard);
        let view = self.inner.view(self.shard);
        let last = view.scan(&start, &end, true).next().transpose()?;
        last.map(|(key, value)| self.decode_entry(&key, &value).map(|entry| entry.log_id))
            .transpose()
    }

    fn decode_entry(&self, key: &[u8], value: &[u8]) -> Result<Entry, Error> {
        let key_index =
            keys::log_index(key).map_err(|e| corrupt(self.shard, Table::RaftLog, key, e.into()))?;
        let stored: proto::LogEntry = db::decode(self.shard, Table::RaftLog, key, value)?;
        let entry = codec::entry_from_proto(stored).map_err(
            |codec::Error::Missing { field, .. }| {
                corrupt(
                    self.shard,
                    Table::RaftLog,
                    key,
                    Corruption::Missing { field },
                )
            },
        )?;
        if entry.log_id.index != key_index {
            let reason = Corruption::MisplacedEntry {
                key_index,
                entry_index: entry.log_id.index,
            };
            return Err(corrupt(self.shard, Table::RaftLog, key, reason));
        }
        Ok(entry)
    }

    fn meta<M: Message + Default>(&self, field: RaftMeta) -> Result<Option<M>, Error> {
        self.inner
            .view(self.shard)
            .get(Table::RaftMeta, &keys::raft_meta(self.shard, field))
    }
}

impl RaftLogReader<TypeConfig> for LogReader {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError<NodeId>> {
        let start = match range.start_bound() {
            Bound::Included(&start) => Some(start),
            Bound::Excluded(&start) => start.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let end = match range.end_bound() {
            Bound::Included(&end) => end.checked_add(1),
            Bound::Excluded(&end) => Some(end),
            Bound::Unbounded => None,
        };
        match start {
            Some(start) => self.entries(start, end).map_err(|e| e.reading_logs()),
            None => Ok(Vec::new()),
        }
    }
}

/// A shard's Raft log store. Exactly one per shard (see `Db::log_store`); not `Clone`, so
/// writes cannot come from two places.
#[derive(Debug)]
pub struct LogStore {
    reader: LogReader,
}

impl LogStore {
    pub(crate) fn new(inner: Arc<Inner>, shard: ShardId) -> Self {
        LogStore {
            reader: LogReader { inner, shard },
        }
    }

    pub fn shard(&self) -> ShardId {
        self.reader.shard
    }

    /// The purged and the last log id, as openraft's `get_log_state` reports them.
    pub fn log_state(&self) -> Result<LogState<TypeConfig>, Error> {
        let last_purged_log_id = self
            .reader
            .meta::<proto::LogId>(RaftMeta::LastPurged)?
            .map(|id| codec::log_id_from_proto(&id));
        let last_log_id = self.reader.last_log_id()?.or(last_purged_log_id);
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    pub fn vote(&self) -> Result<Option<Vote>, Error> {
        Ok(self
            .reader
            .meta::<proto::Vote>(RaftMeta::Vote)?
            .map(|vote| codec::vote_from_proto(&vote)))
    }

    pub fn committed(&self) -> Result<Option<LogId>, Error> {
        Ok(self
            .reader
            .meta::<proto::LogId>(RaftMeta::Committed)?
            .map(|id| codec::log_id_from_proto(&id)))
    }

    fn inner(&self) -> &Arc<Inner> {
        &self.reader.inner
    }

    fn append_batch(&self, entries: impl IntoIterator<Item = Entry>) -> Result<WriteBatch, Error> {
        let shard = self.shard();
        let mut batch = WriteBatch::default();
        let mut previous: Option<u64> = None;
        for entry in entries {
            let index = entry.log_id.index;
            if let Some(previous) = previous
                && previous.checked_add(1) != Some(index)
            {
                return Err(Error::LogHole {
                    shard,
                    previous,
                    next: index,
                });
            }
            previous = Some(index);
            batch.put(
                keys::log(shard, index),
                codec::entry_to_proto(entry).encode_to_vec(),
            );
        }
        Ok(batch)
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError<NodeId>> {
        self.reader.try_get_log_entries(range).await
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogReader;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<NodeId>> {
        self.log_state().map_err(|e| e.reading_logs())
    }

    async fn get_log_reader(&mut self) -> LogReader {
        self.reader.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError<NodeId>> {
        let mut batch = WriteBatch::default();
        batch.put(
            keys::raft_meta(self.shard(), RaftMeta::Vote),
            codec::vote_to_proto(vote).encode_to_vec(),
        );
        write_blocking(self.inner(), self.shard(), batch, Durability::Synced)
            .await
            .map_err(|e| e.writing_vote())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError<NodeId>> {
        self.vote().map_err(|e| e.reading_vote())
    }

    async fn save_committed(
        &mut self,
        committed: Option<LogId>,
    ) -> Result<(), StorageError<NodeId>> {
        let key = keys::raft_meta(self.shard(), RaftMeta::Committed);
        let mut batch = WriteBatch::default();
        match committed {
            Some(log_id) => batch.put(key, codec::log_id_to_proto(&log_id).encode_to_vec()),
            None => batch.delete(key),
        }
        self.inner()
            .write(batch, Durability::Relaxed)
            .map_err(|e| e.writing_logs())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError<NodeId>> {
        self.committed().map_err(|e| e.reading_logs())
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError<NodeId>>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let written = match self.append_batch(entries) {
            Ok(batch) if batch.is_empty() => Ok(()),
            Ok(batch) => {
                let started = std::time::Instant::now();
                let written =
                    write_blocking(self.inner(), self.shard(), batch, Durability::Synced).await;
                crate::metrics::record::log_append_duration(started.elapsed());
                written
            }
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => {
                callback.log_io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                callback.log_io_completed(Err(std::io::Error::other(e.to_string())));
                Err(e.writing_logs())
            }
        }
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        let (_, shard_end) = keys::shard_range(Table::RaftLog, self.shard());
        let mut batch = WriteBatch::default();
        batch.delete_range(keys::log(self.shard(), log_id.index), shard_end);
        write_blocking(self.inner(), self.shard(), batch, Durability::Synced)
            .await
            .map_err(|e| e.writing_logs())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        let shard = self.shard();
        let (start, shard_end) = keys::shard_range(Table::RaftLog, shard);
        let end = log_id
            .index
            .checked_add(1)
            .map_or(shard_end, |next| keys::log(shard, next));
        let mut batch = WriteBatch::default();
        batch.put(
            keys::raft_meta(shard, RaftMeta::LastPurged),
            codec::log_id_to_proto(&log_id).encode_to_vec(),
        );
        batch.delete_range(start, end);
        let inner = self.inner().clone();
        tokio::task::spawn_blocking(move || {
            // The applied state of every purged entry must be on disk before the entries go.
            inner.sync_wal()?;
            inner.write(batch, Durability::Synced)
        })
        .await
        .map_err(|source| Error::Task { shard, source })
        .and_then(|written| written)
        .map_err(|e| e.writing_logs())
    }
}
