//! The node-local journal of asynchronously started Express executions.
//!
//! The contract (tested below and, with a killed process, in `node/tests/express_crash.rs`):
//!
//! 1. **Recorded before acknowledged.** [`ExpressJournal::record`] writes the start, and the
//!    definition it runs if this node has not stored that one yet, in one batch with fsync,
//!    and returns after it. A start the client saw acknowledged survives a crash.
//! 2. **Deleted when finished, relaxed.** [`ExpressJournal::finish`] does not fsync: if the
//!    delete is lost in a crash, the execution runs again after the restart, which the
//!    at-least-once contract of asynchronous Express allows.
//! 3. **Definitions outlive their starts.** A definition row is kept while any start refers
//!    to it; [`ExpressJournal::prune_definitions`] removes the others, and is called only when
//!    no start is being recorded (at startup).
//!
//! These rows live in the node's RocksDB beside the shards' tables, so a record shares the
//! WAL fsync of concurrent writers (RocksDB groups them), and crash recovery of the WAL is
//! the one the Raft log already relies on.

use std::collections::HashSet;
use std::sync::Arc;

use cairn_proto::storage::{DefinitionRow, ExpressStart};
use prost::Message;
use rocksdb::WriteBatch;

use super::db::{self, Durability, Inner, corrupt, write_blocking};
use super::error::Error;
use super::keys::{self, NODE_LOCAL, Table};

/// The journal; cheap to clone.
#[derive(Debug, Clone)]
pub struct ExpressJournal {
    inner: Arc<Inner>,
}

impl ExpressJournal {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        ExpressJournal { inner }
    }

    /// Durably records a start (and its definition, when given) before it is acknowledged.
    pub async fn record(
        &self,
        start: &ExpressStart,
        definition: Option<&DefinitionRow>,
    ) -> Result<(), Error> {
        let mut batch = WriteBatch::default();
        if let Some(definition) = definition {
            batch.put(
                keys::express_definition(&definition.hash),
                definition.encode_to_vec(),
            );
        }
        batch.put(
            keys::express_start(start.accepted_millis, &start.execution_arn),
            start.encode_to_vec(),
        );
        write_blocking(&self.inner, NODE_LOCAL, batch, Durability::Synced).await
    }

    /// Forgets a start whose execution has ended.
    pub async fn finish(&self, accepted_millis: i64, execution_arn: &str) -> Result<(), Error> {
        let mut batch = WriteBatch::default();
        batch.delete(keys::express_start(accepted_millis, execution_arn));
        write_blocking(&self.inner, NODE_LOCAL, batch, Durability::Relaxed).await
    }

    /// Every recorded start not yet finished, oldest first.
    pub fn unfinished(&self) -> Result<Vec<ExpressStart>, Error> {
        let (start, end) = keys::shard_range(Table::ExpressJournal, NODE_LOCAL);
        let view = self.inner.view(NODE_LOCAL);
        view.scan(&start, &end, false)
            .map(|row| {
                row.and_then(|(key, value)| {
                    keys::decode_express_start(&key)
                        .map_err(|e| corrupt(NODE_LOCAL, Table::ExpressJournal, &key, e.into()))?;
                    db::decode(NODE_LOCAL, Table::ExpressJournal, &key, &value)
                })
            })
            .collect()
    }

    /// The stored definition with this content hash.
    pub fn definition(&self, hash: &str) -> Result<Option<DefinitionRow>, Error> {
        self.inner
            .view(NODE_LOCAL)
            .get(Table::ExpressDefinitions, &keys::express_definition(hash))
    }

    /// Deletes every stored definition whose hash is not in `keep`; returns the hashes kept.
    pub fn prune_definitions(&self, keep: &HashSet<String>) -> Result<HashSet<String>, Error> {
        let (start, end) = keys::shard_range(Table::ExpressDefinitions, NODE_LOCAL);
        let view = self.inner.view(NODE_LOCAL);
        let mut batch = WriteBatch::default();
        let mut kept = HashSet::new();
        for row in view.scan(&start, &end, false) {
            let (key, _) = row?;
            let hash = keys::decode_express_definition(&key)
                .map_err(|e| corrupt(NODE_LOCAL, Table::ExpressDefinitions, &key, e.into()))?;
            if keep.contains(&hash) {
                kept.insert(hash);
            } else {
                batch.delete(&key);
            }
        }
        if !batch.is_empty() {
            self.inner.write(batch, Durability::Relaxed)?;
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Db, Options};

    fn start(arn: &str, accepted_millis: i64, hash: &str) -> ExpressStart {
        ExpressStart {
            execution_arn: arn.into(),
            definition_hash: hash.into(),
            input_json: b"{}".to_vec(),
            accepted_millis,
            ..ExpressStart::default()
        }
    }

    #[tokio::test]
    async fn recorded_starts_survive_a_reopen_until_finished() {
        let dir = tempfile::tempdir().unwrap();
        let definition = DefinitionRow {
            hash: "h1".into(),
            definition: "{}".into(),
            ..DefinitionRow::default()
        };
        {
            let journal = Db::open(dir.path(), &Options::default())
                .unwrap()
                .express_journal();
            journal
                .record(&start("arn:b", 20, "h1"), Some(&definition))
                .await
                .unwrap();
            journal
                .record(&start("arn:a", 10, "h1"), None)
                .await
                .unwrap();
            journal
                .record(&start("arn:c", 30, "h1"), None)
                .await
                .unwrap();
            journal.finish(30, "arn:c").await.unwrap();
        }
        let journal = Db::open(dir.path(), &Options::default())
            .unwrap()
            .express_journal();
        let arns: Vec<String> = journal
            .unfinished()
            .unwrap()
            .into_iter()
            .map(|s| s.execution_arn)
            .collect();
        assert_eq!(arns, ["arn:a", "arn:b"]);
        assert_eq!(journal.definition("h1").unwrap(), Some(definition));
        assert_eq!(journal.definition("h2").unwrap(), None);
    }

    #[tokio::test]
    async fn pruning_keeps_only_referenced_definitions() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Db::open(dir.path(), &Options::default())
            .unwrap()
            .express_journal();
        for hash in ["keep", "drop"] {
            let row = DefinitionRow {
                hash: hash.into(),
                ..DefinitionRow::default()
            };
            journal
                .record(&start(&format!("arn:{hash}"), 1, hash), Some(&row))
                .await
                .unwrap();
        }
        let kept = journal
            .prune_definitions(&HashSet::from(["keep".to_owned()]))
            .unwrap();
        assert_eq!(kept, HashSet::from(["keep".to_owned()]));
        assert!(journal.definition("keep").unwrap().is_some());
        assert!(journal.definition("drop").unwrap().is_none());
    }
}
