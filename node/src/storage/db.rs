//! The node's one RocksDB: opening it, and the read and write primitives every store uses.
//!
//! All shards share one DB (one WAL, one block cache, one set of background threads); each
//! shard's rows live under its own key ranges (see `keys`). A store is a cheap handle: the
//! DB behind an `Arc` and a shard id.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use prost::Message;
use rocksdb::{
    BlockBasedOptions, DBCompressionType, DBRecoveryMode, IteratorMode, ReadOptions, WriteBatch,
};
use serde::Deserialize;

use super::apply::ApplyCounters;
use super::error::{Corruption, Error, KeyHex, Operation};
use super::express_journal::ExpressJournal;
use super::keys::Table;
use super::log_store::LogStore;
use super::reader::ShardReader;
use super::state_machine::StateMachineStore;
use crate::ids::ShardId;

/// Tuning of the node's RocksDB. The defaults suit a node with a few GiB of memory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Options {
    /// Read cache shared by every shard, in bytes. Default 128 MiB.
    pub block_cache_bytes: u64,
    /// Size of one memtable before it is flushed to a table file, in bytes. Default 64 MiB.
    pub write_buffer_bytes: u64,
    /// Total size of write-ahead log files before RocksDB flushes memtables to release the
    /// oldest, in bytes. Bounds recovery time after a crash. Default 512 MiB.
    pub wal_bytes_max: u64,
    /// Background threads for flushes and compactions. Default 4.
    pub background_jobs: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            block_cache_bytes: 128 << 20,
            write_buffer_bytes: 64 << 20,
            wal_bytes_max: 512 << 20,
            background_jobs: 4,
        }
    }
}

impl Options {
    pub fn validate(&self) -> Result<(), Error> {
        if self.write_buffer_bytes < 1 << 20 {
            return Err(Error::InvalidOption {
                field: "write-buffer-bytes",
                reason: "must be at least 1 MiB",
            });
        }
        if self.wal_bytes_max < self.write_buffer_bytes {
            return Err(Error::InvalidOption {
                field: "wal-bytes-max",
                reason: "must be at least write-buffer-bytes",
            });
        }
        if self.background_jobs == 0 {
            return Err(Error::InvalidOption {
                field: "background-jobs",
                reason: "must be at least 1",
            });
        }
        Ok(())
    }

    fn rocksdb(&self) -> rocksdb::Options {
        let mut options = rocksdb::Options::default();
        options.create_if_missing(true);
        // After a power loss, recover the longest consistent prefix of the WAL: synced Raft
        // writes are in it, and relaxed state-machine writes after the last sync may be lost,
        // which is allowed because they are re-applied from the log.
        options.set_wal_recovery_mode(DBRecoveryMode::PointInTime);
        options.set_paranoid_checks(true);
        options.set_max_background_jobs(i32::try_from(self.background_jobs).unwrap_or(i32::MAX));
        options
            .set_write_buffer_size(usize::try_from(self.write_buffer_bytes).unwrap_or(usize::MAX));
        options.set_max_total_wal_size(self.wal_bytes_max);
        // Spread file writes out instead of one large fsync at the end of a flush.
        options.set_bytes_per_sync(1 << 20);
        options.set_keep_log_file_num(10);
        options.set_compression_type(DBCompressionType::Lz4);
        options.set_bottommost_compression_type(DBCompressionType::Zstd);
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&rocksdb::Cache::new_lru_cache(
            usize::try_from(self.block_cache_bytes).unwrap_or(usize::MAX),
        ));
        table.set_bloom_filter(10.0, false);
        table.set_cache_index_and_filter_blocks(true);
        options.set_block_based_table_factory(&table);
        options
    }
}

/// The node's RocksDB. Clones share it; it closes when the last clone (and every store made
/// from it) is dropped.
#[derive(Debug, Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

impl Db {
    /// Opens the RocksDB at `path`, creating the directory and the DB if missing.
    pub fn open(path: impl AsRef<Path>, options: &Options) -> Result<Db, Error> {
        options.validate()?;
        let path = path.as_ref().to_path_buf();
        std::fs::create_dir_all(&path).map_err(|source| Error::CreateDir {
            path: path.clone(),
            source,
        })?;
        let rocks =
            rocksdb::DB::open(&options.rocksdb(), &path).map_err(
                |source| match Error::from_rocksdb(&path, Operation::Write, source) {
                    Error::Io { path, source, .. } => Error::Open { path, source },
                    classified => classified,
                },
            )?;
        tracing::info!(path = %path.display(), "opened the node's RocksDB");
        Ok(Db {
            inner: Arc::new(Inner {
                rocks,
                path,
                counters: Mutex::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// An integer RocksDB property such as `rocksdb.compaction-pending` (for metrics); `None`
    /// when RocksDB does not know it.
    pub fn property_u64(&self, name: &str) -> Result<Option<u64>, Error> {
        self.inner
            .rocks
            .property_int_value(name)
            .map_err(|e| self.inner.io_error(Operation::Read, e))
    }

    #[cfg(test)]
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The Raft log store of `shard`. Give each shard's Raft exactly one: openraft
    /// serializes its writes, two stores of one shard would not be.
    pub fn log_store(&self, shard: ShardId) -> LogStore {
        LogStore::new(self.inner.clone(), shard)
    }

    /// The state-machine store of `shard` (one per shard, for the same reason).
    pub fn state_machine(&self, shard: ShardId) -> StateMachineStore {
        StateMachineStore::new(self.inner.clone(), shard, self.apply_counters(shard))
    }

    /// What apply skipped on `shard` since the DB was opened, for metrics: the counters of
    /// the shard's state-machine store, whenever either is made.
    pub fn apply_counters(&self, shard: ShardId) -> Arc<ApplyCounters> {
        let mut counters = self
            .inner
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counters.entry(shard).or_default().clone()
    }

    /// Reads `shard`'s applied state; as many as needed.
    pub fn reader(&self, shard: ShardId) -> ShardReader {
        ShardReader::new(self.inner.clone(), shard)
    }

    /// The node-local journal of asynchronous Express starts.
    pub fn express_journal(&self) -> ExpressJournal {
        ExpressJournal::new(self.inner.clone())
    }
}

/// Whether a write must reach the disk before the call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// fsync the WAL: Raft log, vote, truncate, purge, snapshots.
    Synced,
    /// Written to the WAL without fsync: applied state, re-applied from the log if lost.
    Relaxed,
}

pub(crate) struct Inner {
    pub(crate) rocks: rocksdb::DB,
    pub(crate) path: PathBuf,
    counters: Mutex<HashMap<ShardId, Arc<ApplyCounters>>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Inner {
    pub(crate) fn io_error(&self, operation: Operation, source: rocksdb::Error) -> Error {
        Error::from_rocksdb(&self.path, operation, source)
    }

    pub(crate) fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), Error> {
        let mut options = rocksdb::WriteOptions::default();
        options.set_sync(durability == Durability::Synced);
        self.rocks
            .write_opt(batch, &options)
            .map_err(|e| self.io_error(Operation::Write, e))
    }

    /// Makes every earlier write durable, relaxed ones included.
    pub(crate) fn sync_wal(&self) -> Result<(), Error> {
        self.rocks
            .flush_wal(true)
            .map_err(|e| self.io_error(Operation::SyncWal, e))
    }

    /// The latest state, for reads that need no consistency across keys.
    pub(crate) fn view(&self, shard: ShardId) -> View<'_> {
        View {
            inner: self,
            shard,
            snapshot: None,
        }
    }

    /// A point-in-time view: reads of several keys see one state.
    pub(crate) fn snapshot_view(&self, shard: ShardId) -> View<'_> {
        View {
            inner: self,
            shard,
            snapshot: Some(self.rocks.snapshot()),
        }
    }
}

/// Runs a blocking write (an fsync takes milliseconds under load) off the async workers and
/// waits for it, so callers still see their writes in order.
pub(crate) async fn write_blocking(
    inner: &Arc<Inner>,
    shard: ShardId,
    batch: WriteBatch,
    durability: Durability,
) -> Result<(), Error> {
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || inner.write(batch, durability))
        .await
        .map_err(|source| Error::Task { shard, source })?
}

/// Reads one shard's rows, from the latest state or from a RocksDB snapshot.
pub(crate) struct View<'a> {
    inner: &'a Inner,
    pub(crate) shard: ShardId,
    snapshot: Option<rocksdb::SnapshotWithThreadMode<'a, rocksdb::DB>>,
}

/// A key and its value, as read.
pub(crate) type Row = (Box<[u8]>, Box<[u8]>);

impl View<'_> {
    pub(crate) fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let got = match &self.snapshot {
            Some(snapshot) => snapshot.get(key),
            None => self.inner.rocks.get(key),
        };
        got.map_err(|e| self.inner.io_error(Operation::Read, e))
    }

    /// Reads and decodes one row.
    pub(crate) fn get<M: Message + Default>(
        &self,
        table: Table,
        key: &[u8],
    ) -> Result<Option<M>, Error> {
        self.get_raw(key)?
            .map(|bytes| decode(self.shard, table, key, &bytes))
            .transpose()
    }

    /// Rows with keys in `[start, end)` (an empty `end`: to the end of the DB), ascending or,
    /// with `reverse`, descending.
    pub(crate) fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        reverse: bool,
    ) -> impl Iterator<Item = Result<Row, Error>> + '_ {
        let mut options = ReadOptions::default();
        options.set_iterate_lower_bound(start.to_vec());
        if !end.is_empty() {
            options.set_iterate_upper_bound(end.to_vec());
        }
        // The bounds confine the iterator, so starting at either end of them is a seek.
        let mode = if reverse {
            IteratorMode::End
        } else {
            IteratorMode::Start
        };
        // An empty range never reaches RocksDB: it wants lower bound ≤ upper bound.
        let empty = !end.is_empty() && start >= end;
        let iter = (!empty).then(|| match &self.snapshot {
            Some(snapshot) => snapshot.iterator_opt(mode, options),
            None => self.inner.rocks.iterator_opt(mode, options),
        });
        iter.into_iter()
            .flatten()
            .map(|row| row.map_err(|e| self.inner.io_error(Operation::Read, e)))
    }
}

/// Decodes a stored value; a failure is corruption of that row.
pub(crate) fn decode<M: Message + Default>(
    shard: ShardId,
    table: Table,
    key: &[u8],
    bytes: &[u8],
) -> Result<M, Error> {
    M::decode(bytes).map_err(|e| corrupt(shard, table, key, Corruption::Decode(e)))
}

pub(crate) fn corrupt(shard: ShardId, table: Table, key: &[u8], reason: Corruption) -> Error {
    Error::Corrupt {
        shard,
        table,
        key: KeyHex(key.to_vec()),
        reason,
    }
}
