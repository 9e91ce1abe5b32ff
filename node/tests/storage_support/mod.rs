//! Fixtures for the storage tests: a DB in a temporary directory, entries and transitions
//! built from a few numbers, and a dump of everything a shard reader can see.

#![allow(dead_code)]

use std::path::Path;

use cairn_node::ids::{ExecutionKey, ShardId};
use cairn_node::raft::codec::{Entry, LogId};
use cairn_node::storage::{self, Db, ShardReader};
use cairn_proto::storage::{
    ActivityRecord, Command, DefinitionRow, ExecutionRecord, ExecutionStatus, Proposal,
    StateMachineRecord, StoredEvent, TaskRow, TimerRow, Transition, command,
};
use openraft::{CommittedLeaderId, EntryPayload};

pub const ACTIVITY_ARN: &str = "arn:aws:states:us-east-1:123456789012:activity:work";

pub fn must_open(dir: &Path) -> Db {
    Db::open(dir, &storage::Options::default()).expect("a fresh temporary directory opens")
}

pub fn log_id(term: u64, index: u64) -> LogId {
    LogId::new(CommittedLeaderId::new(term, 1), index)
}

pub fn blank(index: u64) -> Entry {
    Entry {
        log_id: log_id(1, index),
        payload: EntryPayload::Blank,
    }
}

pub fn entry(index: u64, commands: Vec<Command>) -> Entry {
    Entry {
        log_id: log_id(1, index),
        payload: EntryPayload::Normal(Proposal { commands }),
    }
}

pub fn cmd(kind: command::Kind) -> Command {
    Command { kind: Some(kind) }
}

pub fn key(machine: &str, execution: &str) -> ExecutionKey {
    ExecutionKey::new(machine, execution)
}

pub fn event(id: u64) -> StoredEvent {
    StoredEvent {
        id,
        previous_event_id: id.saturating_sub(1),
        timestamp_millis: 1_000 + id as i64,
        r#type: format!("Event{id}"),
        details_json: br#"{"stateEnteredEventDetails":{}}"#.to_vec(),
    }
}

pub fn record(
    key: &ExecutionKey,
    last_event_id: u64,
    start_millis: i64,
    status: ExecutionStatus,
) -> ExecutionRecord {
    ExecutionRecord {
        execution_arn: format!("arn:execution:{}:{}", key.state_machine(), key.execution()),
        state_machine_arn: format!("arn:stateMachine:{}", key.state_machine()),
        name: key.execution().to_owned(),
        status: status as i32,
        start_millis,
        input_json: b"{}".to_vec(),
        definition_hash: "hash-1".to_owned(),
        last_event_id,
        interpreter_state: Some(b"{\"state\":1}".to_vec()),
        ..ExecutionRecord::default()
    }
}

/// A step of `key` from `expected` that appends `new_events` events.
pub fn step(
    key: &ExecutionKey,
    expected: u64,
    new_events: u64,
    status: ExecutionStatus,
) -> Transition {
    Transition {
        execution_key: key.as_str().to_owned(),
        expected_last_event_id: expected,
        events: (expected + 1..=expected + new_events).map(event).collect(),
        record: Some(record(key, expected + new_events, 5_000, status)),
        ..Transition::default()
    }
}

pub fn timer(key: &ExecutionKey, timer_id: u64, due_millis: i64) -> TimerRow {
    TimerRow {
        execution_key: key.as_str().to_owned(),
        timer_id,
        due_millis,
    }
}

pub fn task(
    key: &ExecutionKey,
    task_id: u64,
    activity_arn: Option<&str>,
    started: bool,
) -> TaskRow {
    TaskRow {
        execution_key: key.as_str().to_owned(),
        task_id,
        state_name: format!("Task{task_id}"),
        resource: activity_arn
            .unwrap_or("arn:aws:states:::http:invoke")
            .to_owned(),
        input_json: b"{\"in\":1}".to_vec(),
        activity_arn: activity_arn.map(str::to_owned),
        started,
        timeout_seconds: Some(60),
        heartbeat_seconds: None,
    }
}

pub fn definition(hash: &str) -> DefinitionRow {
    DefinitionRow {
        hash: hash.to_owned(),
        definition: r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#.to_owned(),
        state_machine_arn: "arn:stateMachine:m".to_owned(),
        machine_type: "STANDARD".to_owned(),
        role_arn: "arn:role".to_owned(),
    }
}

pub fn machine(name: &str, revision_id: &str) -> StateMachineRecord {
    StateMachineRecord {
        name: name.to_owned(),
        arn: format!("arn:stateMachine:{name}"),
        definition: "{}".to_owned(),
        revision_id: revision_id.to_owned(),
        status: "ACTIVE".to_owned(),
        ..StateMachineRecord::default()
    }
}

pub fn activity(name: &str) -> ActivityRecord {
    ActivityRecord {
        name: name.to_owned(),
        arn: format!("arn:activity:{name}"),
        creation_millis: 7,
    }
}

/// Everything a shard reader returns for the given executions, machines and activity ARNs.
#[derive(Debug, PartialEq)]
pub struct ShardDump {
    pub executions: Vec<Option<ExecutionRecord>>,
    pub histories: Vec<Vec<StoredEvent>>,
    pub running: Vec<(ExecutionKey, ExecutionRecord)>,
    pub listings: Vec<Vec<(ExecutionKey, ExecutionRecord)>>,
    pub timers: Vec<TimerRow>,
    pub open_tasks: Vec<TaskRow>,
    pub queue: Vec<TaskRow>,
    pub definitions: Vec<Option<DefinitionRow>>,
    pub state_machines: Vec<StateMachineRecord>,
    pub activities: Vec<ActivityRecord>,
}

pub fn must_dump(reader: &ShardReader, executions: &[ExecutionKey]) -> ShardDump {
    let mut machines: Vec<&str> = executions.iter().map(|k| k.state_machine()).collect();
    machines.dedup();
    ShardDump {
        executions: executions
            .iter()
            .map(|k| reader.execution(k).expect("reads"))
            .collect(),
        histories: executions
            .iter()
            .map(|k| reader.history(k, 0, usize::MAX, false).expect("reads"))
            .collect(),
        running: reader.running_executions().expect("reads"),
        listings: machines
            .iter()
            .map(|m| {
                reader
                    .executions_by_state_machine(m, None, usize::MAX)
                    .expect("reads")
                    .items
            })
            .collect(),
        timers: reader.timers().expect("reads"),
        open_tasks: reader.open_tasks().expect("reads"),
        queue: reader.activity_queue(ACTIVITY_ARN).expect("reads"),
        definitions: ["hash-1", "hash-2"]
            .iter()
            .map(|h| reader.definition(h).expect("reads"))
            .collect(),
        state_machines: reader
            .state_machines(None, usize::MAX)
            .expect("reads")
            .items,
        activities: reader.activities(None, usize::MAX).expect("reads").items,
    }
}

/// Fills a shard with a bit of everything: two machines' executions, a finished one, timers,
/// queued and started activity tasks, a definition, state machines and activities.
pub fn must_populate(db: &Db, shard: ShardId) -> Vec<ExecutionKey> {
    let sm = db.state_machine(shard);
    let a = key("orders", "a");
    let b = key("orders", "b");
    let c = key("billing", "c");
    let mut start_a = step(&a, 0, 2, ExecutionStatus::Running);
    start_a.timers_set = vec![timer(&a, 1, 9_000)];
    start_a.tasks_opened = vec![task(&a, 1, Some(ACTIVITY_ARN), false)];
    start_a.definition = Some(definition("hash-1"));
    let mut start_b = step(&b, 0, 3, ExecutionStatus::Running);
    start_b.tasks_opened = vec![
        task(&b, 1, Some(ACTIVITY_ARN), true),
        task(&b, 2, None, false),
    ];
    let finish_c = step(&c, 0, 4, ExecutionStatus::Succeeded);
    let results = sm
        .apply_entries(vec![
            entry(
                1,
                vec![
                    cmd(command::Kind::Transition(start_a)),
                    cmd(command::Kind::Transition(start_b)),
                ],
            ),
            entry(2, vec![cmd(command::Kind::Transition(finish_c))]),
            entry(
                3,
                vec![
                    cmd(command::Kind::PutStateMachine(
                        cairn_proto::storage::PutStateMachine {
                            record: Some(machine("orders", "r1")),
                            expected_revision_id: String::new(),
                        },
                    )),
                    cmd(command::Kind::PutActivity(
                        cairn_proto::storage::PutActivity {
                            record: Some(activity("work")),
                        },
                    )),
                ],
            ),
        ])
        .expect("well-formed entries apply");
    assert_eq!(results.len(), 3);
    vec![a, b, c]
}

/// A Raft network for a single-voter shard in a test: every peer is unreachable, which
/// openraft treats as a node that is down (a one-voter shard never sends Raft traffic).
#[derive(Debug, Clone, Default)]
pub struct NoPeers;

#[derive(Debug)]
pub struct NoPeer;

type NodeId = cairn_node::ids::NodeId;
type Config = cairn_node::raft::TypeConfig;
type RpcResult<T, E = openraft::error::RaftError<NodeId>> =
    Result<T, openraft::error::RPCError<NodeId, openraft::BasicNode, E>>;

#[allow(clippy::result_large_err)] // the shape openraft's RaftNetwork returns
fn unreachable<T, E: std::error::Error>() -> RpcResult<T, E> {
    Err(openraft::error::RPCError::Unreachable(
        openraft::error::Unreachable::new(&std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            "a single-voter test shard has no peers",
        )),
    ))
}

impl openraft::network::RaftNetworkFactory<Config> for NoPeers {
    type Network = NoPeer;

    async fn new_client(&mut self, _target: NodeId, _node: &openraft::BasicNode) -> NoPeer {
        NoPeer
    }
}

impl openraft::network::RaftNetwork<Config> for NoPeer {
    async fn append_entries(
        &mut self,
        _rpc: openraft::raft::AppendEntriesRequest<Config>,
        _option: openraft::network::RPCOption,
    ) -> RpcResult<openraft::raft::AppendEntriesResponse<NodeId>> {
        unreachable()
    }

    async fn install_snapshot(
        &mut self,
        _rpc: openraft::raft::InstallSnapshotRequest<Config>,
        _option: openraft::network::RPCOption,
    ) -> RpcResult<
        openraft::raft::InstallSnapshotResponse<NodeId>,
        openraft::error::RaftError<NodeId, openraft::error::InstallSnapshotError>,
    > {
        unreachable()
    }

    async fn vote(
        &mut self,
        _rpc: openraft::raft::VoteRequest<NodeId>,
        _option: openraft::network::RPCOption,
    ) -> RpcResult<openraft::raft::VoteResponse<NodeId>> {
        unreachable()
    }
}
