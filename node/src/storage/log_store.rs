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

use std::collections::VecDeque;
use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::sync::{Arc, Mutex, PoisonError};

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

/// The newest entries of a shard's log, as appended, kept in memory: openraft reads each
/// entry back soon after appending it (to apply it, and to send it to followers), and
/// serving those reads from here keeps them off RocksDB, where a read has to look through
/// every level and decompress blocks. Always a contiguous run of indexes ending at the last
/// entry written, bounded in count and bytes; older entries are read from RocksDB.
#[derive(Debug, Default)]
struct RecentEntries {
    entries: VecDeque<(Entry, usize)>,
    bytes: usize,
}

/// Bounds of [`RecentEntries`] per shard.
const RECENT_ENTRIES_MAX: usize = 4096;
const RECENT_BYTES_MAX: usize = 16 << 20;

impl RecentEntries {
    fn first_index(&self) -> Option<u64> {
        self.entries.front().map(|(e, _)| e.log_id.index)
    }

    fn last_index(&self) -> Option<u64> {
        self.entries.back().map(|(e, _)| e.log_id.index)
    }

    /// Entries `[start, end)` if all of them are here.
    fn get(&self, start: u64, end: u64) -> Option<Vec<Entry>> {
        let first = self.first_index()?;
        let last = self.last_index()?;
        if start < first || end > last.saturating_add(1) {
            return None;
        }
        let from = usize::try_from(start - first).ok()?;
        let count = usize::try_from(end - start).ok()?;
        Some(
            self.entries
                .range(from..from + count)
                .map(|(e, _)| e.clone())
                .collect(),
        )
    }

    /// Entries just written after the last one (anything else starts the run afresh).
    fn extend(&mut self, written: Vec<(Entry, usize)>) {
        let continues = match (self.last_index(), written.first()) {
            (Some(last), Some((next, _))) => last.checked_add(1) == Some(next.log_id.index),
            _ => true,
        };
        if !continues {
            self.clear();
        }
        for (entry, size) in written {
            self.bytes += size;
            self.entries.push_back((entry, size));
        }
        while self.entries.len() > RECENT_ENTRIES_MAX || self.bytes > RECENT_BYTES_MAX {
            self.pop_front();
        }
    }

    /// Forgets `[index, ∞)`.
    fn truncate(&mut self, index: u64) {
        while self.last_index().is_some_and(|last| last >= index) {
            if let Some((_, size)) = self.entries.pop_back() {
                self.bytes -= size;
            }
        }
    }

    /// Forgets `(-∞, index]`.
    fn purge(&mut self, index: u64) {
        while self.first_index().is_some_and(|first| first <= index) {
            self.pop_front();
        }
    }

    fn pop_front(&mut self) {
        if let Some((_, size)) = self.entries.pop_front() {
            self.bytes -= size;
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// Reads a shard's log; cheap to clone, one per replication stream.
#[derive(Debug, Clone)]
pub struct LogReader {
    inner: Arc<Inner>,
    shard: ShardId,
    recent: Arc<Mutex<RecentEntries>>,
}

impl LogReader {
    /// Entries with indexes in `[start, end)`; `end = None` reads to the last entry.
    pub fn entries(&self, start: u64, end: Option<u64>) -> Result<Vec<Entry>, Error> {
        if end.is_some_and(|end| end <= start) {
            return Ok(Vec::new());
        }
        if let Some(end) = end
            && let Some(entries) = self.recent().get(start, end)
        {
            return Ok(entries);
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

    fn recent(&self) -> std::sync::MutexGuard<'_, RecentEntries> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
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
            reader: LogReader {
                inner,
                shard,
                recent: Arc::default(),
            },
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

    /// The write batch for `entries`, and the entries with their encoded sizes.
    fn append_batch(
        &self,
        entries: impl IntoIterator<Item = Entry>,
    ) -> Result<(WriteBatch, Vec<(Entry, usize)>), Error> {
        let shard = self.shard();
        let mut batch = WriteBatch::default();
        let mut written = Vec::new();
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
            let encoded = codec::entry_to_proto(entry.clone()).encode_to_vec();
            written.push((entry, encoded.len()));
            batch.put(keys::log(shard, index), encoded);
        }
        Ok((batch, written))
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
            Ok((batch, _)) if batch.is_empty() => Ok(()),
            Ok((batch, entries)) => {
                let started = std::time::Instant::now();
                let written =
                    write_blocking(self.inner(), self.shard(), batch, Durability::Synced).await;
                crate::metrics::record::log_append_duration(started.elapsed());
                // Readable from memory only once they are on disk: a read never sees an
                // entry that a failed write left out.
                if written.is_ok() {
                    self.reader.recent().extend(entries);
                }
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
        // Forgotten first: from here on a read of these indexes must not find them.
        self.reader.recent().truncate(log_id.index);
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
        self.reader.recent().purge(log_id.index);
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

#[cfg(test)]
mod tests {
    use openraft::{CommittedLeaderId, EntryPayload};

    use super::*;

    fn entry(index: u64) -> (Entry, usize) {
        let log_id = LogId::new(CommittedLeaderId::new(1, 1), index);
        let entry = Entry {
            log_id,
            payload: EntryPayload::Blank,
        };
        (entry, 10)
    }

    fn indexes(entries: Option<Vec<Entry>>) -> Option<Vec<u64>> {
        entries.map(|e| e.iter().map(|e| e.log_id.index).collect())
    }

    #[test]
    fn serves_only_ranges_it_holds_whole() {
        let mut recent = RecentEntries::default();
        recent.extend((5..=9).map(entry).collect());
        assert_eq!(indexes(recent.get(5, 10)), Some(vec![5, 6, 7, 8, 9]));
        assert_eq!(indexes(recent.get(7, 9)), Some(vec![7, 8]));
        assert_eq!(indexes(recent.get(4, 6)), None, "index 4 is not held");
        assert_eq!(indexes(recent.get(8, 11)), None, "index 10 is not held");
    }

    #[test]
    fn truncate_purge_and_a_gap_forget_what_they_must() {
        let mut recent = RecentEntries::default();
        recent.extend((1..=6).map(entry).collect());
        recent.truncate(5);
        assert_eq!(indexes(recent.get(1, 5)), Some(vec![1, 2, 3, 4]));
        assert_eq!(indexes(recent.get(4, 6)), None);
        recent.purge(2);
        assert_eq!(indexes(recent.get(2, 4)), None);
        assert_eq!(indexes(recent.get(3, 5)), Some(vec![3, 4]));
        // Entries that do not follow the last one start the run afresh.
        recent.extend((9..=10).map(entry).collect());
        assert_eq!(indexes(recent.get(3, 5)), None);
        assert_eq!(indexes(recent.get(9, 11)), Some(vec![9, 10]));
        assert_eq!(recent.bytes, 20);
    }

    #[test]
    fn holds_at_most_its_bound() {
        let mut recent = RecentEntries::default();
        let count = u64::try_from(RECENT_ENTRIES_MAX).unwrap_or(u64::MAX) + 10;
        recent.extend((1..=count).map(entry).collect());
        assert_eq!(recent.entries.len(), RECENT_ENTRIES_MAX);
        assert_eq!(recent.first_index(), Some(11));
        assert_eq!(recent.last_index(), Some(count));
    }
}
