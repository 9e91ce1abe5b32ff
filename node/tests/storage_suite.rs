//! openraft's storage test suite against the RocksDB stores.
//!
//! Two builders: one DB per store pair (the plain case), and one DB shared by every pair,
//! each on a shard of its own. The second proves that shards of one DB never see each
//! other's log, vote or state (the suite's snapshot transfer then goes between two shards
//! of the same DB).

use std::sync::atomic::{AtomicU32, Ordering};

use cairn_node::ids::{NodeId, ShardId};
use cairn_node::raft::TypeConfig;
use cairn_node::storage::{self, Db, LogStore, StateMachineStore};
use openraft::StorageError;
use openraft::testing::{StoreBuilder, Suite};
use tempfile::TempDir;

/// A new DB in a new temporary directory for every store pair.
struct FreshDb;

impl StoreBuilder<TypeConfig, LogStore, StateMachineStore, TempDir> for FreshDb {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachineStore), StorageError<NodeId>> {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let db =
            Db::open(dir.path(), &storage::Options::default()).expect("a fresh directory opens");
        Ok((dir, db.log_store(ShardId(0)), db.state_machine(ShardId(0))))
    }
}

/// One DB; every store pair gets the next shard id.
struct SharedDb {
    db: Db,
    next_shard: AtomicU32,
    _dir: TempDir,
}

impl StoreBuilder<TypeConfig, LogStore, StateMachineStore> for SharedDb {
    async fn build(&self) -> Result<((), LogStore, StateMachineStore), StorageError<NodeId>> {
        let shard = ShardId(self.next_shard.fetch_add(1, Ordering::Relaxed));
        Ok(((), self.db.log_store(shard), self.db.state_machine(shard)))
    }
}

#[test]
fn openraft_suite_passes_with_one_db_per_store() {
    Suite::test_all(FreshDb).expect("the suite passes");
}

#[test]
fn openraft_suite_passes_with_every_store_on_its_own_shard_of_one_db() {
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let db = Db::open(dir.path(), &storage::Options::default()).expect("a fresh directory opens");
    // Start past the first shard ids and near the top of the range, so shard boundaries at
    // u32::MAX are exercised too.
    let builder = SharedDb {
        db,
        next_shard: AtomicU32::new(u32::MAX - 40),
        _dir: dir,
    };
    Suite::test_all(builder).expect("the suite passes");
}
