//! Apply semantics of every command, through the public storage API (DESIGN §2 invariant 3:
//! conditional apply, dense event ids, stale proposals skipped and counted).

mod storage_support;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use cairn_node::ids::ShardId;
use cairn_node::raft::codec::{Entry, Membership};
use cairn_node::raft::{ApplyResult, CommandOutcome, RejectReason};
use cairn_node::storage::{self, Violation};
use cairn_proto::storage::{
    Command, DeleteActivity, DeleteStateMachine, ExecutionStatus, PutActivity, PutStateMachine,
    command,
};
use openraft::EntryPayload;
use storage_support::*;

const SHARD: ShardId = ShardId(3);

fn transition(t: cairn_proto::storage::Transition) -> Command {
    cmd(command::Kind::Transition(t))
}

fn put_machine(name: &str, revision: &str, expected: &str) -> Command {
    cmd(command::Kind::PutStateMachine(PutStateMachine {
        record: Some(machine(name, revision)),
        expected_revision_id: expected.to_owned(),
    }))
}

fn outcomes(results: Vec<ApplyResult>) -> Vec<Vec<CommandOutcome>> {
    results.into_iter().map(|r| r.outcomes).collect()
}

#[test]
fn a_start_writes_record_events_indexes_timers_tasks_and_definition() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let reader = db.reader(SHARD);
    let a = key("orders", "a");
    let mut start = step(&a, 0, 3, ExecutionStatus::Running);
    start.timers_set = vec![timer(&a, 1, 9_000), timer(&a, 2, -5)];
    start.tasks_opened = vec![
        task(&a, 1, Some(ACTIVITY_ARN), false),
        task(&a, 2, None, false),
    ];
    start.definition = Some(definition("hash-1"));

    let results = sm
        .apply_entries(vec![entry(4, vec![transition(start.clone())])])
        .expect("applies");

    assert_eq!(outcomes(results), vec![vec![CommandOutcome::Applied]]);
    assert_eq!(reader.execution(&a).expect("reads"), start.record.clone());
    assert_eq!(
        reader.history(&a, 0, 10, false).expect("reads"),
        start.events
    );
    assert_eq!(
        reader.running_executions().expect("reads"),
        vec![(a.clone(), start.record.clone().expect("set"))]
    );
    let listing = reader
        .executions_by_state_machine("orders", None, 10)
        .expect("reads");
    assert_eq!(
        listing.items,
        vec![(a.clone(), start.record.clone().expect("set"))]
    );
    assert_eq!(listing.next, None);
    // Ordered by due time, negative first.
    assert_eq!(
        reader.timers().expect("reads"),
        vec![timer(&a, 2, -5), timer(&a, 1, 9_000)]
    );
    assert_eq!(reader.open_tasks().expect("reads"), start.tasks_opened);
    assert_eq!(
        reader.activity_queue(ACTIVITY_ARN).expect("reads"),
        vec![task(&a, 1, Some(ACTIVITY_ARN), false)]
    );
    assert_eq!(reader.activity_queue("arn:other").expect("reads"), vec![]);
    assert_eq!(
        reader.task(&a, 2).expect("reads"),
        Some(task(&a, 2, None, false))
    );
    assert_eq!(reader.task(&a, 3).expect("reads"), None);
    assert_eq!(
        reader.definition("hash-1").expect("reads"),
        Some(definition("hash-1"))
    );
    assert_eq!(reader.applied_index().expect("reads"), Some(4));
}

#[test]
fn a_stale_transition_is_rejected_counted_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let executions = must_populate(&db, SHARD);
    let sm = db.state_machine(SHARD);
    let reader = db.reader(SHARD);
    let before = must_dump(&reader, &executions);
    let a = &executions[0];

    // A retried start (expects no execution) and a deposed leader's step (expects event 1).
    let mut retried = step(a, 0, 2, ExecutionStatus::Running);
    retried.timers_set = vec![timer(a, 7, 1)];
    retried.tasks_opened = vec![task(a, 9, Some(ACTIVITY_ARN), false)];
    let mut late = step(a, 1, 1, ExecutionStatus::Failed);
    late.tasks_closed = vec![task(a, 1, Some(ACTIVITY_ARN), false)];
    late.definition = Some(definition("hash-2"));
    let results = sm
        .apply_entries(vec![entry(10, vec![transition(retried), transition(late)])])
        .expect("applies");

    assert_eq!(
        outcomes(results),
        vec![vec![
            CommandOutcome::Rejected(RejectReason::StaleTransition {
                expected: 0,
                actual: 2
            }),
            CommandOutcome::Rejected(RejectReason::StaleTransition {
                expected: 1,
                actual: 2
            }),
        ]]
    );
    assert_eq!(sm.counters().stale_transitions.load(Ordering::Relaxed), 2);
    assert_eq!(
        db.apply_counters(SHARD)
            .stale_transitions
            .load(Ordering::Relaxed),
        2
    );
    assert_eq!(
        db.apply_counters(ShardId(0))
            .stale_transitions
            .load(Ordering::Relaxed),
        0
    );
    assert_eq!(
        must_dump(&reader, &executions),
        before,
        "a rejected transition writes nothing"
    );
    // Only the applied position moves.
    assert_eq!(reader.applied_index().expect("reads"), Some(10));
}

#[test]
fn a_step_moves_timers_starts_and_closes_tasks_and_a_finish_leaves_the_running_index() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let executions = must_populate(&db, SHARD);
    let (a, b) = (&executions[0], &executions[1]);
    let sm = db.state_machine(SHARD);
    let reader = db.reader(SHARD);

    // a: its timer is re-armed later and its activity task is taken by a worker.
    let mut step_a = step(a, 2, 1, ExecutionStatus::Running);
    step_a.timers_cleared = vec![timer(a, 1, 9_000)];
    step_a.timers_set = vec![timer(a, 1, 12_000)];
    step_a.tasks_opened = vec![task(a, 1, Some(ACTIVITY_ARN), true)];
    // b: both tasks close and it succeeds.
    let mut finish_b = step(b, 3, 2, ExecutionStatus::Succeeded);
    finish_b.tasks_closed = vec![
        task(b, 1, Some(ACTIVITY_ARN), true),
        task(b, 2, None, false),
    ];
    sm.apply_entries(vec![entry(
        10,
        vec![transition(step_a), transition(finish_b.clone())],
    )])
    .expect("applies");

    assert_eq!(reader.timers().expect("reads"), vec![timer(a, 1, 12_000)]);
    assert_eq!(
        reader.activity_queue(ACTIVITY_ARN).expect("reads"),
        vec![],
        "a started task leaves the queue"
    );
    assert_eq!(
        reader.task(a, 1).expect("reads"),
        Some(task(a, 1, Some(ACTIVITY_ARN), true))
    );
    assert_eq!(reader.task(b, 1).expect("reads"), None);
    assert_eq!(reader.task(b, 2).expect("reads"), None);
    let running: Vec<_> = reader
        .running_executions()
        .expect("reads")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(running, vec![a.clone()]);
    assert_eq!(reader.execution(b).expect("reads"), finish_b.record);
    assert_eq!(reader.history(b, 0, 100, false).expect("reads").len(), 5);
    // The listing keeps finished executions.
    assert_eq!(
        reader
            .executions_by_state_machine("orders", None, 10)
            .expect("reads")
            .items
            .len(),
        2
    );
}

#[test]
fn transitions_of_one_execution_in_one_entry_see_each_other() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let a = key("m", "pure-run");
    let mut first = step(&a, 0, 2, ExecutionStatus::Running);
    first.tasks_opened = vec![task(&a, 1, Some(ACTIVITY_ARN), false)];
    let mut second = step(&a, 2, 2, ExecutionStatus::Running);
    second.tasks_opened = vec![task(&a, 1, Some(ACTIVITY_ARN), true)];
    let third = step(&a, 4, 1, ExecutionStatus::Succeeded);

    let results = sm
        .apply_entries(vec![entry(
            1,
            vec![transition(first), transition(second), transition(third)],
        )])
        .expect("applies");

    assert_eq!(outcomes(results), vec![vec![CommandOutcome::Applied; 3]]);
    let reader = db.reader(SHARD);
    let ids: Vec<u64> = reader
        .history(&a, 0, 100, false)
        .expect("reads")
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(reader.activity_queue(ACTIVITY_ARN).expect("reads"), vec![]);
    assert_eq!(reader.running_executions().expect("reads"), vec![]);
}

#[test]
fn the_activity_queue_serves_the_oldest_task_first_and_keeps_a_task_in_place() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let (late, early) = (key("m", "z-queued-first"), key("m", "a-queued-second"));
    let mut start_late = step(&late, 0, 1, ExecutionStatus::Running);
    start_late.tasks_opened = vec![task(&late, 1, Some(ACTIVITY_ARN), false)];
    let mut start_early = step(&early, 0, 1, ExecutionStatus::Running);
    start_early.tasks_opened = vec![task(&early, 1, Some(ACTIVITY_ARN), false)];
    // Re-put unstarted (e.g. with a new heartbeat): it keeps its place in the queue.
    let mut touch_late = step(&late, 1, 1, ExecutionStatus::Running);
    touch_late.tasks_opened = vec![TaskRowExt::with_heartbeat(
        task(&late, 1, Some(ACTIVITY_ARN), false),
        30,
    )];
    sm.apply_entries(vec![
        entry(1, vec![transition(start_late)]),
        entry(2, vec![transition(start_early)]),
        entry(3, vec![transition(touch_late)]),
    ])
    .expect("applies");

    let queue: Vec<_> = db
        .reader(SHARD)
        .activity_queue(ACTIVITY_ARN)
        .expect("reads");
    let order: Vec<&str> = queue.iter().map(|t| t.execution_key.as_str()).collect();
    assert_eq!(order, [late.as_str(), early.as_str()]);
    assert_eq!(queue[0].heartbeat_seconds, Some(30));
}

trait TaskRowExt {
    fn with_heartbeat(self, seconds: u64) -> Self;
}

impl TaskRowExt for cairn_proto::storage::TaskRow {
    fn with_heartbeat(mut self, seconds: u64) -> Self {
        self.heartbeat_seconds = Some(seconds);
        self
    }
}

fn must_fail_without_writing(entries: Vec<Entry>) -> storage::Error {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let executions = must_populate(&db, SHARD);
    let reader = db.reader(SHARD);
    let before = must_dump(&reader, &executions);
    let error = db
        .state_machine(SHARD)
        .apply_entries(entries)
        .expect_err("a broken entry does not apply");
    assert!(error.is_fatal_to_shard(), "{error}");
    assert_eq!(
        must_dump(&reader, &executions),
        before,
        "a failed apply writes nothing"
    );
    assert_eq!(
        reader.applied_index().expect("reads"),
        Some(3),
        "the failed call applied nothing"
    );
    error
}

#[test]
fn an_event_id_gap_stops_the_shard_and_writes_nothing() {
    let a = key("orders", "a");
    let mut gap = step(&a, 2, 2, ExecutionStatus::Running);
    gap.events[1].id = 5;
    gap.record.as_mut().expect("set").last_event_id = 5;
    let error = must_fail_without_writing(vec![blank(10), entry(11, vec![transition(gap)])]);
    assert!(
        matches!(
            error,
            storage::Error::Invariant {
                index: 11,
                violation: Violation::EventIdGap {
                    expected: 4,
                    found: 5,
                    ..
                },
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_record_that_does_not_end_at_the_last_event_stops_the_shard() {
    let a = key("orders", "a");
    let mut wrong = step(&a, 2, 1, ExecutionStatus::Running);
    wrong.record.as_mut().expect("set").last_event_id = 9;
    let error = must_fail_without_writing(vec![entry(10, vec![transition(wrong)])]);
    assert!(
        matches!(
            error,
            storage::Error::Invariant {
                violation: Violation::LastEventMismatch { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn rows_of_another_execution_stop_the_shard() {
    let a = key("orders", "a");
    let mut foreign = step(&a, 2, 1, ExecutionStatus::Running);
    foreign.timers_set = vec![timer(&key("orders", "b"), 1, 1)];
    let error = must_fail_without_writing(vec![entry(10, vec![transition(foreign)])]);
    assert!(
        matches!(
            error,
            storage::Error::Invariant {
                violation: Violation::ForeignRow { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_command_this_version_does_not_know_stops_the_shard() {
    let error = must_fail_without_writing(vec![entry(10, vec![Command { kind: None }])]);
    assert!(matches!(
        error,
        storage::Error::Invariant {
            violation: Violation::UnknownCommand { position: 0 },
            ..
        }
    ));
    let bad_key = cairn_proto::storage::Transition {
        execution_key: "no-separator".to_owned(),
        ..step(&key("m", "e"), 0, 1, ExecutionStatus::Running)
    };
    let error = must_fail_without_writing(vec![entry(10, vec![transition(bad_key)])]);
    assert!(matches!(
        error,
        storage::Error::Invariant {
            violation: Violation::BadExecutionKey { .. },
            ..
        }
    ));
}

#[test]
fn state_machine_puts_are_conditional_on_the_revision() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let results = sm
        .apply_entries(vec![
            entry(1, vec![put_machine("orders", "r1", "")]),
            entry(2, vec![put_machine("orders", "r2", "r1")]),
            entry(
                3,
                vec![
                    put_machine("orders", "r3", "r1"),
                    put_machine("orders", "rX", ""),
                ],
            ),
            entry(4, vec![put_machine("billing", "b1", "nope")]),
        ])
        .expect("applies");

    let stale = |expected: &str, actual: &str| {
        CommandOutcome::Rejected(RejectReason::StaleRevision {
            expected: expected.to_owned(),
            actual: actual.to_owned(),
        })
    };
    assert_eq!(
        outcomes(results),
        vec![
            vec![CommandOutcome::Applied],
            vec![CommandOutcome::Applied],
            vec![stale("r1", "r2"), stale("", "r2")],
            vec![stale("nope", "")],
        ]
    );
    assert_eq!(sm.counters().stale_revisions.load(Ordering::Relaxed), 3);
    let reader = db.reader(SHARD);
    assert_eq!(
        reader.state_machine("orders").expect("reads"),
        Some(machine("orders", "r2"))
    );
    assert_eq!(reader.state_machine("billing").expect("reads"), None);

    sm.apply_entries(vec![entry(
        5,
        vec![cmd(command::Kind::DeleteStateMachine(DeleteStateMachine {
            name: "orders".to_owned(),
        }))],
    )])
    .expect("applies");
    assert_eq!(reader.state_machine("orders").expect("reads"), None);
}

#[test]
fn activities_are_put_and_deleted_and_listings_page_by_name() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let names = ["w", "w2", "a", "w\u{1}", "b"];
    let puts = names
        .iter()
        .map(|n| {
            cmd(command::Kind::PutActivity(PutActivity {
                record: Some(activity(n)),
            }))
        })
        .collect();
    let machines = names.iter().map(|n| put_machine(n, "r", "")).collect();
    sm.apply_entries(vec![entry(1, puts), entry(2, machines)])
        .expect("applies");
    let reader = db.reader(SHARD);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = reader.activities(cursor.as_ref(), 2).expect("reads");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|a| a.name));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b", "w", "w\u{1}", "w2"]);
    let machines_page = reader.state_machines(None, 5).expect("reads");
    assert_eq!(machines_page.items.len(), 5);
    assert_eq!(
        machines_page.next, None,
        "an exactly full last page has no cursor"
    );

    sm.apply_entries(vec![entry(
        3,
        vec![cmd(command::Kind::DeleteActivity(DeleteActivity {
            name: "w".to_owned(),
        }))],
    )])
    .expect("applies");
    assert_eq!(reader.activity("w").expect("reads"), None);
    assert_eq!(reader.activity("w2").expect("reads"), Some(activity("w2")));
}

#[test]
fn executions_list_newest_first_per_machine_with_a_resumable_cursor() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let starts = [
        (key("m", "e1"), 300),
        (key("m", "e2"), 100),
        (key("m", "e3"), 500),
        (key("m", "e4"), 300),
    ];
    let mut commands: Vec<Command> = starts
        .iter()
        .map(|(k, start)| {
            let mut t = step(k, 0, 1, ExecutionStatus::Running);
            t.record.as_mut().expect("set").start_millis = *start;
            transition(t)
        })
        .collect();
    // A machine whose name extends "m" must not appear in m's listing.
    commands.push(transition(step(
        &key("m2", "x"),
        0,
        1,
        ExecutionStatus::Running,
    )));
    sm.apply_entries(vec![entry(1, commands)]).expect("applies");
    let reader = db.reader(SHARD);

    let first = reader
        .executions_by_state_machine("m", None, 3)
        .expect("reads");
    let names: Vec<&str> = first.items.iter().map(|(k, _)| k.execution()).collect();
    assert_eq!(names, ["e3", "e1", "e4"]);
    // A new execution that sorts before the cursor does not shift the next page.
    sm.apply_entries(vec![entry(
        2,
        vec![transition(step(
            &key("m", "e0"),
            0,
            1,
            ExecutionStatus::Running,
        ))],
    )])
    .expect("applies");
    let second = reader
        .executions_by_state_machine("m", first.next.as_ref(), 3)
        .expect("reads");
    let names: Vec<&str> = second.items.iter().map(|(k, _)| k.execution()).collect();
    assert_eq!(names, ["e2"]);
    assert_eq!(second.next, None);
}

#[test]
fn history_pages_forward_and_backward_from_a_cursor() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let a = key("m", "long");
    db.state_machine(SHARD)
        .apply_entries(vec![
            entry(
                1,
                vec![transition(step(&a, 0, 6, ExecutionStatus::Running))],
            ),
            entry(
                2,
                vec![transition(step(
                    &key("m", "longer"),
                    0,
                    2,
                    ExecutionStatus::Running,
                ))],
            ),
        ])
        .expect("applies");
    let reader = db.reader(SHARD);
    let ids = |after, limit, reverse| -> Vec<u64> {
        reader
            .history(&a, after, limit, reverse)
            .expect("reads")
            .iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(ids(0, 4, false), [1, 2, 3, 4]);
    assert_eq!(ids(4, 4, false), [5, 6]);
    assert_eq!(ids(6, 4, false), Vec::<u64>::new());
    assert_eq!(ids(0, 4, true), [6, 5, 4, 3]);
    assert_eq!(ids(3, 4, true), [2, 1]);
    assert_eq!(ids(1, 4, true), Vec::<u64>::new());
    assert_eq!(ids(u64::MAX, 4, false), Vec::<u64>::new());
    assert_eq!(ids(0, 0, false), Vec::<u64>::new());
}

#[test]
fn blank_and_membership_entries_only_advance_the_applied_state() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = must_open(dir.path());
    let sm = db.state_machine(SHARD);
    let membership = Membership::new(vec![BTreeSet::from([1, 2, 3])], ());
    let results = sm
        .apply_entries(vec![
            blank(1),
            Entry {
                log_id: log_id(1, 2),
                payload: EntryPayload::Membership(membership.clone()),
            },
            blank(3),
        ])
        .expect("applies");

    assert_eq!(results, vec![ApplyResult::default(); 3]);
    let (applied, stored) = sm.applied().expect("reads");
    assert_eq!(applied, Some(log_id(1, 3)));
    assert_eq!(stored.log_id(), &Some(log_id(1, 2)));
    assert_eq!(stored.membership(), &membership);
    let reader = db.reader(SHARD);
    assert_eq!(reader.applied_index().expect("reads"), Some(3));
    assert_eq!(
        reader.state_machines(None, 10).expect("reads").items,
        vec![]
    );
}
