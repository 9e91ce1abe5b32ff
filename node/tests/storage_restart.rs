//! What survives closing and reopening the DB, and snapshots: build on one shard, install
//! on another (in the same DB or another), read the same state.

mod storage_support;

use std::collections::BTreeMap;
use std::time::Duration;

use cairn_node::ids::ShardId;
use cairn_node::raft::TypeConfig;
use cairn_node::raft::codec::{Entry, Vote};
use cairn_proto::storage::{ExecutionStatus, Proposal, command};
use openraft::storage::{
    RaftLogReader, RaftLogStorage, RaftLogStorageExt, RaftSnapshotBuilder, RaftStateMachine,
};
use openraft::{BasicNode, Config, Raft};
use storage_support::*;

const SHARD: ShardId = ShardId(7);

fn entries(range: std::ops::RangeInclusive<u64>) -> Vec<Entry> {
    range.map(blank).collect()
}

#[tokio::test]
async fn the_log_vote_committed_and_purge_point_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temporary directory");
    {
        let db = must_open(dir.path());
        let mut log = db.log_store(SHARD);
        log.blocking_append(entries(1..=10)).await.expect("appends");
        log.save_vote(&Vote::new_committed(4, 2))
            .await
            .expect("saves vote");
        log.save_committed(Some(log_id(1, 8)))
            .await
            .expect("saves committed");
        log.purge(log_id(1, 3)).await.expect("purges");
        log.truncate(log_id(1, 9)).await.expect("truncates");
        // Another shard's log is untouched by this shard's purge and truncate.
        db.log_store(ShardId(8))
            .blocking_append(entries(1..=2))
            .await
            .expect("appends");
    }
    let db = must_open(dir.path());
    let mut log = db.log_store(SHARD);
    let state = log.get_log_state().await.expect("reads");
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 3)));
    assert_eq!(state.last_log_id, Some(log_id(1, 8)));
    assert_eq!(
        log.try_get_log_entries(0..100).await.expect("reads"),
        entries(4..=8)
    );
    assert_eq!(
        log.read_vote().await.expect("reads"),
        Some(Vote::new_committed(4, 2))
    );
    assert_eq!(
        log.read_committed().await.expect("reads"),
        Some(log_id(1, 8))
    );
    let mut other = db.log_store(ShardId(8));
    assert_eq!(
        other.try_get_log_entries(..).await.expect("reads"),
        entries(1..=2)
    );
}

#[tokio::test]
async fn normal_entries_read_back_with_their_proposals_after_a_reopen() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let a = key("m", "e");
    let written = vec![
        blank(1),
        entry(
            2,
            vec![cmd(command::Kind::Transition(step(
                &a,
                0,
                3,
                ExecutionStatus::Running,
            )))],
        ),
    ];
    must_open(dir.path())
        .log_store(SHARD)
        .blocking_append(written.clone())
        .await
        .expect("appends");

    let db = must_open(dir.path());
    let mut reader = db.log_store(SHARD).get_log_reader().await;
    assert_eq!(
        reader.try_get_log_entries(1..=2).await.expect("reads"),
        written
    );
}

#[test]
fn an_applied_transition_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (executions, before) = {
        let db = must_open(dir.path());
        let executions = must_populate(&db, SHARD);
        let dump = must_dump(&db.reader(SHARD), &executions);
        (executions, dump)
    };
    let db = must_open(dir.path());
    assert_eq!(must_dump(&db.reader(SHARD), &executions), before);
    assert_eq!(db.reader(SHARD).applied_index().expect("reads"), Some(3));
}

#[test]
fn a_second_open_of_the_same_directory_says_it_is_in_use() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let _db = must_open(dir.path());
    let error = cairn_node::storage::Db::open(dir.path(), &Default::default())
        .expect_err("the LOCK is held");
    assert!(
        matches!(error, cairn_node::storage::Error::Locked { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains(&dir.path().display().to_string())
    );
}

#[test]
fn a_data_directory_that_cannot_be_created_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").expect("writes");
    let error = cairn_node::storage::Db::open(file.join("db"), &Default::default())
        .expect_err("a file is in the way");
    assert!(
        matches!(error, cairn_node::storage::Error::CreateDir { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("a-file"), "{error}");
}

#[tokio::test]
async fn a_snapshot_installed_into_an_empty_shard_reads_the_same() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let executions = must_populate(&db, SHARD);
    let mut source = db.state_machine(SHARD);
    let built = source
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await
        .expect("builds");
    let expected = must_dump(&db.reader(SHARD), &executions);

    // Into another shard of the same DB, and into another DB.
    let other_dir = tempfile::tempdir().expect("temporary directory");
    let other_db = must_open(other_dir.path());
    for (db, shard) in [(&db, ShardId(9)), (&other_db, SHARD)] {
        let mut target = db.state_machine(shard);
        let mut receiving = target.begin_receiving_snapshot().await.expect("begins");
        *receiving = *built.snapshot.clone();
        target
            .install_snapshot(&built.meta, receiving)
            .await
            .expect("installs");
        assert_eq!(must_dump(&db.reader(shard), &executions), expected);
        assert_eq!(
            target.applied_state().await.expect("reads"),
            source.applied_state().await.expect("reads")
        );
        let current = target
            .get_current_snapshot()
            .await
            .expect("reads")
            .expect("installed");
        assert_eq!(current.meta, built.meta);
        assert_eq!(
            current.snapshot.into_inner(),
            built.snapshot.get_ref().clone()
        );
    }
    // The source shard is unchanged by installs elsewhere.
    assert_eq!(must_dump(&db.reader(SHARD), &executions), expected);
}

#[tokio::test]
async fn installing_a_snapshot_replaces_rows_it_does_not_hold() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let mut empty = db.state_machine(ShardId(1));
    let empty_snapshot = empty
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await
        .expect("builds");
    let executions = must_populate(&db, SHARD);
    let mut target = db.state_machine(SHARD);

    let mut receiving = target.begin_receiving_snapshot().await.expect("begins");
    *receiving = *empty_snapshot.snapshot;
    target
        .install_snapshot(&empty_snapshot.meta, receiving)
        .await
        .expect("installs");

    let dump = must_dump(&db.reader(SHARD), &executions);
    assert_eq!(dump, must_dump(&db.reader(ShardId(1)), &executions));
    assert_eq!(dump.running, vec![]);
    assert_eq!(db.reader(SHARD).applied_index().expect("reads"), None);
}

#[tokio::test]
async fn the_current_snapshot_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let built = {
        let db = must_open(dir.path());
        must_populate(&db, SHARD);
        let mut sm = db.state_machine(SHARD);
        let built = sm
            .get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .expect("builds");
        // Applying more does not change the stored snapshot; only a build or install does.
        sm.apply(vec![blank(4)]).await.expect("applies");
        built
    };
    let db = must_open(dir.path());
    let mut sm = db.state_machine(SHARD);
    let current = sm
        .get_current_snapshot()
        .await
        .expect("reads")
        .expect("stored");
    assert_eq!(current.meta, built.meta);
    assert_eq!(current.meta.last_log_id, Some(log_id(1, 3)));
    assert_eq!(current.snapshot.into_inner(), built.snapshot.into_inner());
}

fn must_config() -> std::sync::Arc<Config> {
    let config = Config {
        cluster_name: "storage-test".to_owned(),
        ..Config::default()
    };
    std::sync::Arc::new(config.validate().expect("the default config is valid"))
}

/// A one-node Raft group over the stores: what it commits is applied, and after a restart on
/// the same directory the group comes back with its log, vote and state.
#[tokio::test]
async fn a_one_node_raft_group_commits_applies_and_restarts_over_the_stores() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let a = key("m", "raft");
    let deadline = Some(Duration::from_secs(10));
    {
        let db = must_open(dir.path());
        let raft: Raft<TypeConfig> = Raft::new(
            1,
            must_config(),
            NoPeers,
            db.log_store(SHARD),
            db.state_machine(SHARD),
        )
        .await
        .expect("starts");
        raft.initialize(BTreeMap::from([(1, BasicNode::new("local"))]))
            .await
            .expect("initializes");
        raft.wait(deadline)
            .state(openraft::ServerState::Leader, "becomes leader")
            .await
            .expect("leads");
        let proposal = Proposal {
            commands: vec![cmd(command::Kind::Transition(step(
                &a,
                0,
                2,
                ExecutionStatus::Running,
            )))],
        };
        let written = raft.client_write(proposal).await.expect("commits");
        assert_eq!(
            written.data.outcomes,
            vec![cairn_node::raft::CommandOutcome::Applied]
        );
        raft.shutdown().await.expect("shuts down");
    }
    let db = must_open(dir.path());
    assert_eq!(
        db.reader(SHARD)
            .execution(&a)
            .expect("reads")
            .map(|r| r.last_event_id),
        Some(2)
    );
    let raft: Raft<TypeConfig> = Raft::new(
        1,
        must_config(),
        NoPeers,
        db.log_store(SHARD),
        db.state_machine(SHARD),
    )
    .await
    .expect("restarts");
    raft.wait(deadline)
        .state(openraft::ServerState::Leader, "leads again")
        .await
        .expect("leads");
    let proposal = Proposal {
        commands: vec![cmd(command::Kind::Transition(step(
            &a,
            2,
            1,
            ExecutionStatus::Succeeded,
        )))],
    };
    raft.client_write(proposal).await.expect("commits");
    assert_eq!(
        db.reader(SHARD)
            .history(&a, 0, 10, false)
            .expect("reads")
            .len(),
        3
    );
    raft.shutdown().await.expect("shuts down");
}
