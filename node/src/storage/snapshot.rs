//! State-machine snapshots: every state row of a shard, as of one applied log id.
//!
//! A snapshot is built from a RocksDB snapshot (a consistent view, while apply goes on),
//! stored synced beside the state in chunks, and installed atomically: one synced batch
//! deletes the shard's state ranges and writes the snapshot's rows, its meta as the
//! applied state, and the snapshot itself as the current one.
//!
//! Data format (version 1), all integers big-endian:
//!
//! ```text
//! "CAIRNSS" 0x01                                   magic and version
//! { table u8 (≠ 0), key u32 len + bytes, value u32 len + bytes }*
//! 0x00, record count u64                           end marker: a cut-off stream is refused
//! ```
//!
//! Keys are stored without their table byte and shard, so the rows land in the receiving
//! shard's ranges however its id is spelled in the key.

use std::sync::{Arc, Mutex};

use cairn_proto::storage as proto;
use openraft::StorageError;
use openraft::storage::{RaftSnapshotBuilder, Snapshot};
use prost::Message;
use rocksdb::WriteBatch;

use super::db::{Durability, Inner, corrupt};
use super::error::{Corruption, Error};
use super::keys::{self, KeyWriter, StateMachineMeta, Table};
use super::state_machine::applied_state;
use crate::ids::{NodeId, ShardId};
use crate::raft::TypeConfig;
use crate::raft::codec::{self, LogId, SnapshotMeta};

const MAGIC: &[u8; 8] = b"CAIRNSS\x01";
const END: u8 = 0x00;
/// Stored snapshots are split so no RocksDB value grows with the shard.
const CHUNK_BYTES: usize = 4 << 20;

/// Builds a snapshot of one shard (openraft's `RaftSnapshotBuilder`).
#[derive(Debug)]
pub struct SnapshotBuilder {
    inner: Arc<Inner>,
    shard: ShardId,
    lock: Arc<Mutex<()>>,
}

impl SnapshotBuilder {
    pub(crate) fn new(inner: Arc<Inner>, shard: ShardId, lock: Arc<Mutex<()>>) -> Self {
        SnapshotBuilder { inner, shard, lock }
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<NodeId>> {
        let (inner, shard, lock) = (self.inner.clone(), self.shard, self.lock.clone());
        tokio::task::spawn_blocking(move || build(&inner, shard, &lock))
            .await
            .map_err(|source| Error::Task { shard, source })
            .and_then(|built| built)
            .map_err(|e| e.writing_snapshot())
    }
}

/// Same log id, same state: the id only has to tell snapshots of different points apart.
fn snapshot_id(last_log_id: Option<&LogId>) -> String {
    last_log_id.map_or_else(
        || "empty".to_owned(),
        |id| {
            format!(
                "{}-{}-{}",
                id.leader_id.term, id.leader_id.node_id, id.index
            )
        },
    )
}

pub(crate) fn build(
    inner: &Inner,
    shard: ShardId,
    lock: &Mutex<()>,
) -> Result<Snapshot<TypeConfig>, Error> {
    let view = inner.snapshot_view(shard);
    let (last_log_id, last_membership) = applied_state(&view)?;
    let mut data = MAGIC.to_vec();
    let mut count: u64 = 0;
    for table in Table::STATE {
        let (start, end) = keys::shard_range(table, shard);
        for row in view.scan(&start, &end, false) {
            let (key, value) = row?;
            let (_, _, parts) =
                keys::split_shard(&key).map_err(|e| corrupt(shard, table, &key, e.into()))?;
            data.push(table.byte());
            put_bytes(&mut data, parts);
            put_bytes(&mut data, &value);
            count += 1;
        }
    }
    data.push(END);
    data.extend_from_slice(&count.to_be_bytes());
    let meta = SnapshotMeta {
        snapshot_id: snapshot_id(last_log_id.as_ref()),
        last_log_id,
        last_membership,
    };
    store(inner, shard, lock, &meta, &data)?;
    tracing::info!(%shard, rows = count, bytes = data.len(), snapshot = %meta.snapshot_id, "built a snapshot");
    Ok(Snapshot {
        meta,
        snapshot: Box::new(std::io::Cursor::new(data)),
    })
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("RocksDB keys and values are far below 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Keeps the newest snapshot: a build that finishes after a newer install is not stored.
fn store(
    inner: &Inner,
    shard: ShardId,
    lock: &Mutex<()>,
    meta: &SnapshotMeta,
    data: &[u8],
) -> Result<(), Error> {
    let _guard = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let stored: Option<proto::StoredSnapshot> = inner
        .view(shard)
        .get(Table::Snapshot, &keys::snapshot_meta(shard))?;
    let stored_last = stored
        .and_then(|s| s.last_log_id)
        .map(|id| codec::log_id_from_proto(&id));
    if stored_last.is_some() && stored_last > meta.last_log_id {
        return Ok(());
    }
    let mut batch = WriteBatch::default();
    replace_stored(&mut batch, shard, meta, data);
    inner.write(batch, Durability::Synced)
}

/// Adds to `batch` the writes that make `data` the shard's stored snapshot.
fn replace_stored(batch: &mut WriteBatch, shard: ShardId, meta: &SnapshotMeta, data: &[u8]) {
    let (start, end) = keys::shard_range(Table::Snapshot, shard);
    batch.delete_range(start, end);
    let chunks: Vec<&[u8]> = data.chunks(CHUNK_BYTES).collect();
    let stored = proto::StoredSnapshot {
        last_log_id: meta.last_log_id.as_ref().map(codec::log_id_to_proto),
        last_membership: Some(codec::stored_membership_to_proto(&meta.last_membership)),
        snapshot_id: meta.snapshot_id.clone(),
        size_bytes: data.len() as u64,
        chunk_count: u32::try_from(chunks.len())
            .expect("a snapshot has fewer than 2^32 chunks of 4 MiB"),
    };
    batch.put(keys::snapshot_meta(shard), stored.encode_to_vec());
    for (number, chunk) in (0u32..).zip(chunks) {
        batch.put(keys::snapshot_chunk(shard, number), chunk);
    }
}

/// The stored snapshot, if one was built or installed.
pub(crate) fn current(
    inner: &Inner,
    shard: ShardId,
) -> Result<Option<Snapshot<TypeConfig>>, Error> {
    let view = inner.snapshot_view(shard);
    let meta_key = keys::snapshot_meta(shard);
    let Some(stored) = view.get::<proto::StoredSnapshot>(Table::Snapshot, &meta_key)? else {
        return Ok(None);
    };
    let mut data = Vec::with_capacity(usize::try_from(stored.size_bytes).unwrap_or(0));
    for number in 0..stored.chunk_count {
        let key = keys::snapshot_chunk(shard, number);
        let chunk = view.get_raw(&key)?.ok_or_else(|| {
            corrupt(
                shard,
                Table::Snapshot,
                &key,
                Corruption::Snapshot {
                    reason: "a chunk is missing",
                },
            )
        })?;
        data.extend_from_slice(&chunk);
    }
    if data.len() as u64 != stored.size_bytes {
        return Err(corrupt(
            shard,
            Table::Snapshot,
            &meta_key,
            Corruption::Snapshot {
                reason: "chunks do not add up to its size",
            },
        ));
    }
    let meta = SnapshotMeta {
        last_log_id: stored.last_log_id.as_ref().map(codec::log_id_from_proto),
        last_membership: stored
            .last_membership
            .as_ref()
            .map(codec::stored_membership_from_proto)
            .unwrap_or_default(),
        snapshot_id: stored.snapshot_id,
    };
    Ok(Some(Snapshot {
        meta,
        snapshot: Box::new(std::io::Cursor::new(data)),
    }))
}

/// Replaces the shard's state with the snapshot's, in one synced batch.
pub(crate) fn install(
    inner: &Inner,
    shard: ShardId,
    lock: &Mutex<()>,
    meta: &SnapshotMeta,
    data: Vec<u8>,
) -> Result<(), Error> {
    let rows = decode(shard, &data)?;
    let mut batch = WriteBatch::default();
    for table in Table::STATE {
        let (start, end) = keys::shard_range(table, shard);
        batch.delete_range(start, end);
    }
    for (table, parts, value) in &rows {
        batch.put(KeyWriter::new(*table, shard).raw(parts).finish(), value);
    }
    let applied_key = keys::state_machine_meta(shard, StateMachineMeta::LastApplied);
    match &meta.last_log_id {
        Some(log_id) => batch.put(applied_key, codec::log_id_to_proto(log_id).encode_to_vec()),
        None => batch.delete(applied_key),
    }
    batch.put(
        keys::state_machine_meta(shard, StateMachineMeta::Membership),
        codec::stored_membership_to_proto(&meta.last_membership).encode_to_vec(),
    );
    let _guard = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    replace_stored(&mut batch, shard, meta, &data);
    inner.write(batch, Durability::Synced)?;
    tracing::info!(%shard, rows = rows.len(), snapshot = %meta.snapshot_id, "installed a snapshot");
    Ok(())
}

/// A snapshot row: its table, its key after table and shard, its value.
type SnapshotRow<'a> = (Table, &'a [u8], &'a [u8]);

/// Parses and checks snapshot data completely before anything is written.
fn decode(shard: ShardId, data: &[u8]) -> Result<Vec<SnapshotRow<'_>>, Error> {
    let malformed = |reason| corrupt(shard, Table::Snapshot, &[], Corruption::Snapshot { reason });
    let mut rest = data
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| malformed("unknown magic or version"))?;
    let mut rows = Vec::new();
    loop {
        let (&byte, tail) = rest
            .split_first()
            .ok_or_else(|| malformed("cut off before its end marker"))?;
        rest = tail;
        if byte == END {
            let count: [u8; 8] = rest.try_into().map_err(|_| malformed("bad end marker"))?;
            if u64::from_be_bytes(count) != rows.len() as u64 {
                return Err(malformed("row count does not match"));
            }
            return Ok(rows);
        }
        let table = Table::from_byte(byte)
            .filter(|t| t.is_state())
            .ok_or_else(|| malformed("row of a table snapshots do not carry"))?;
        let parts = take_bytes(&mut rest).ok_or_else(|| malformed("cut off inside a key"))?;
        let value = take_bytes(&mut rest).ok_or_else(|| malformed("cut off inside a value"))?;
        rows.push((table, parts, value));
    }
}

fn take_bytes<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, tail) = rest.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    if tail.len() < len {
        return None;
    }
    let (bytes, tail) = tail.split_at(len);
    *rest = tail;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_or_foreign_data_is_refused() {
        let shard = ShardId(1);
        let mut data = MAGIC.to_vec();
        data.push(Table::Executions.byte());
        put_bytes(&mut data, b"k");
        put_bytes(&mut data, b"v");
        data.push(END);
        data.extend_from_slice(&1u64.to_be_bytes());
        assert_eq!(decode(shard, &data).expect("well formed").len(), 1);
        assert!(decode(shard, &data[..data.len() - 1]).is_err());
        assert!(decode(shard, &data[..12]).is_err());
        assert!(decode(shard, b"NOTASNAP").is_err());
        let mut wrong_count = data.clone();
        let last = wrong_count.len() - 1;
        wrong_count[last] = 2;
        assert!(decode(shard, &wrong_count).is_err());
        let mut raft_row = data.clone();
        raft_row[MAGIC.len()] = Table::RaftLog.byte();
        assert!(decode(shard, &raft_row).is_err());
    }

    fn meta(index: u64) -> SnapshotMeta {
        let last_log_id = Some(LogId::new(openraft::CommittedLeaderId::new(1, 1), index));
        SnapshotMeta {
            snapshot_id: snapshot_id(last_log_id.as_ref()),
            last_log_id,
            last_membership: Default::default(),
        }
    }

    #[test]
    fn a_build_older_than_the_stored_snapshot_is_not_stored() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = super::super::Db::open(dir.path(), &Default::default()).expect("opens");
        let (inner, shard, lock) = (db.inner(), ShardId(1), Mutex::new(()));
        store(inner, shard, &lock, &meta(5), b"newer").expect("stores");
        store(inner, shard, &lock, &meta(3), b"older").expect("skips");
        let current = current(inner, shard).expect("reads").expect("stored");
        assert_eq!(current.meta, meta(5));
        assert_eq!(current.snapshot.into_inner(), b"newer");
    }

    #[test]
    fn large_snapshots_are_stored_in_chunks_and_read_back_whole() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = super::super::Db::open(dir.path(), &Default::default()).expect("opens");
        let (inner, shard, lock) = (db.inner(), ShardId(2), Mutex::new(()));
        let data: Vec<u8> = (0..CHUNK_BYTES * 2 + 17).map(|i| (i % 251) as u8).collect();
        store(inner, shard, &lock, &meta(9), &data).expect("stores");
        store(inner, shard, &lock, &meta(10), b"small").expect("replaces");
        assert_eq!(
            inner
                .view(shard)
                .get_raw(&keys::snapshot_chunk(shard, 1))
                .expect("reads"),
            None,
            "old chunks go"
        );
        store(inner, shard, &lock, &meta(11), &data).expect("stores");
        let current = current(inner, shard).expect("reads").expect("stored");
        assert_eq!(current.snapshot.into_inner(), data);
    }

    #[test]
    fn snapshot_ids_name_the_log_id() {
        let id = LogId::new(openraft::CommittedLeaderId::new(3, 2), 17);
        assert_eq!(snapshot_id(Some(&id)), "3-2-17");
        assert_eq!(snapshot_id(None), "empty");
    }
}
