//! What applying a committed proposal writes (DESIGN §2, invariants 2 and 3).
//!
//! Apply is mechanical: the leader already computed events and state, a replica only checks
//! that the transition fits (the execution's last event id is the one it expected) and
//! writes it. A transition that does not fit is a deposed leader's late proposal or a retry:
//! it is skipped, counted and reported, never written. A transition that fits but is
//! malformed (an event id gap, rows of another execution, a command this version does not
//! know) is a proposer bug that every replica would hit: it stops the shard.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use cairn_proto::storage::{
    ActivityRecord, Command, DefinitionRow, ExecutionRecord, ExecutionStatus, PutStateMachine,
    StateMachineRecord, TaskRow, Transition, command,
};
use prost::Message;
use rocksdb::WriteBatch;

use super::db::{View, corrupt, decode};
use super::error::{Corruption, Error, Violation};
use super::keys::{self, KeyError, Table};
use crate::ids::{ExecutionKey, ShardId};
use crate::raft::{ApplyResult, CommandOutcome, RejectReason};

/// Counts of commands apply skipped; the metrics layer reads them.
#[derive(Debug, Default)]
pub struct ApplyCounters {
    /// Transitions whose expected last event id did not hold (invariant 3).
    pub stale_transitions: AtomicU64,
    /// State-machine updates computed against a revision that has changed since.
    pub stale_revisions: AtomicU64,
}

/// The writes of one apply call, readable before they are committed: a later command of the
/// same call (a pure run of transitions of one execution) sees what an earlier one wrote.
pub(crate) struct PendingWrites<'a> {
    view: View<'a>,
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    batch: WriteBatch,
}

impl<'a> PendingWrites<'a> {
    pub(crate) fn new(view: View<'a>) -> Self {
        PendingWrites {
            view,
            overlay: BTreeMap::new(),
            batch: WriteBatch::default(),
        }
    }

    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        match self.overlay.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.view.get_raw(key),
        }
    }

    fn get<M: Message + Default>(&self, table: Table, key: &[u8]) -> Result<Option<M>, Error> {
        self.get_raw(key)?
            .map(|bytes| decode(self.view.shard, table, key, &bytes))
            .transpose()
    }

    pub(crate) fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.batch.put(&key, &value);
        self.overlay.insert(key, Some(value));
    }

    pub(crate) fn put_message(&mut self, key: Vec<u8>, message: &impl Message) {
        self.put(key, message.encode_to_vec());
    }

    pub(crate) fn delete(&mut self, key: Vec<u8>) {
        self.batch.delete(&key);
        self.overlay.insert(key, None);
    }

    pub(crate) fn into_batch(self) -> WriteBatch {
        self.batch
    }
}

/// Applies the commands of one proposal, in order, each on its own terms.
pub(crate) struct Applier<'a, 'w> {
    pub(crate) shard: ShardId,
    /// The log index being applied, for error messages.
    pub(crate) index: u64,
    pub(crate) writes: &'w mut PendingWrites<'a>,
    pub(crate) counters: &'w ApplyCounters,
}

impl Applier<'_, '_> {
    pub(crate) fn apply(&mut self, commands: Vec<Command>) -> Result<ApplyResult, Error> {
        let outcomes = commands
            .into_iter()
            .enumerate()
            .map(|(position, command)| match command.kind {
                Some(command::Kind::Transition(transition)) => self.transition(transition),
                Some(command::Kind::PutStateMachine(put)) => self.put_state_machine(put),
                Some(command::Kind::DeleteStateMachine(delete)) => {
                    self.writes
                        .delete(keys::state_machine(self.shard, &delete.name));
                    Ok(CommandOutcome::Applied)
                }
                Some(command::Kind::PutActivity(put)) => {
                    let record: ActivityRecord = put
                        .record
                        .ok_or_else(|| self.missing("PutActivity", "record"))?;
                    self.writes
                        .put_message(keys::activity(self.shard, &record.name), &record);
                    Ok(CommandOutcome::Applied)
                }
                Some(command::Kind::DeleteActivity(delete)) => {
                    self.writes.delete(keys::activity(self.shard, &delete.name));
                    Ok(CommandOutcome::Applied)
                }
                None => Err(self.violation(Violation::UnknownCommand { position })),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(ApplyResult { outcomes })
    }

    fn violation(&self, violation: Violation) -> Error {
        Error::Invariant {
            shard: self.shard,
            index: self.index,
            violation,
        }
    }

    fn missing(&self, command: &'static str, field: &'static str) -> Error {
        self.violation(Violation::Missing { command, field })
    }

    fn transition(&mut self, transition: Transition) -> Result<CommandOutcome, Error> {
        let key = ExecutionKey::from_stored(transition.execution_key.clone()).ok_or_else(|| {
            self.violation(Violation::BadExecutionKey {
                key: transition.execution_key.clone(),
            })
        })?;
        let record_key = keys::execution(self.shard, &key);
        let stored: Option<ExecutionRecord> = self.writes.get(Table::Executions, &record_key)?;
        let actual = stored.as_ref().map_or(0, |record| record.last_event_id);
        let expected = transition.expected_last_event_id;
        if actual != expected {
            self.counters
                .stale_transitions
                .fetch_add(1, Ordering::Relaxed);
            tracing::debug!(shard = %self.shard, execution = %key, expected, actual, "skipped a stale transition");
            return Ok(CommandOutcome::Rejected(RejectReason::StaleTransition {
                expected,
                actual,
            }));
        }
        let record = transition
            .record
            .clone()
            .ok_or_else(|| self.missing("Transition", "record"))?;
        self.check_transition(&transition, &record)?;

        for event in &transition.events {
            self.writes
                .put_message(keys::history(self.shard, &key, event.id), event);
        }
        // Clear before set: a re-armed timer appears in both, under its old and new due time.
        for timer in &transition.timers_cleared {
            self.writes.delete(keys::timer(
                self.shard,
                timer.due_millis,
                &key,
                timer.timer_id,
            ));
        }
        for timer in &transition.timers_set {
            self.writes.put_message(
                keys::timer(self.shard, timer.due_millis, &key, timer.timer_id),
                timer,
            );
        }
        for task in &transition.tasks_closed {
            self.close_task(&key, task.task_id)?;
        }
        for task in &transition.tasks_opened {
            self.put_task(&key, task)?;
        }
        if let Some(definition) = &transition.definition {
            self.put_definition_once(definition)?;
        }
        if stored.is_none() {
            let listing = keys::execution_by_state_machine(
                self.shard,
                key.state_machine(),
                record.start_millis,
                &key,
            );
            self.writes.put(listing, Vec::new());
        }
        let running = keys::running_execution(self.shard, &key);
        if record.status() == ExecutionStatus::Running {
            self.writes.put(running, Vec::new());
        } else {
            self.writes.delete(running);
        }
        self.writes.put_message(record_key, &record);
        Ok(CommandOutcome::Applied)
    }

    /// Event ids continue densely from the expected one, the record ends where the events
    /// end, and every row belongs to the execution.
    fn check_transition(
        &self,
        transition: &Transition,
        record: &ExecutionRecord,
    ) -> Result<(), Error> {
        let execution = &transition.execution_key;
        let mut next = transition.expected_last_event_id;
        for event in &transition.events {
            next += 1;
            if event.id != next {
                let violation = Violation::EventIdGap {
                    execution: execution.clone(),
                    expected: next,
                    found: event.id,
                };
                return Err(self.violation(violation));
            }
        }
        if record.last_event_id != next {
            let violation = Violation::LastEventMismatch {
                execution: execution.clone(),
                record: record.last_event_id,
                events: next,
            };
            return Err(self.violation(violation));
        }
        let timers = transition
            .timers_set
            .iter()
            .chain(&transition.timers_cleared)
            .map(|t| (&t.execution_key, Table::Timers));
        let tasks = transition
            .tasks_opened
            .iter()
            .chain(&transition.tasks_closed)
            .map(|t| (&t.execution_key, Table::OpenTasks));
        if let Some((row_execution, table)) = timers
            .chain(tasks)
            .find(|(row_execution, _)| *row_execution != execution)
        {
            let violation = Violation::ForeignRow {
                execution: execution.clone(),
                row_execution: row_execution.clone(),
                table,
            };
            return Err(self.violation(violation));
        }
        Ok(())
    }

    /// Removes a task row and its queue entry.
    fn close_task(&mut self, key: &ExecutionKey, task_id: u64) -> Result<(), Error> {
        self.unqueue(key, task_id)?;
        self.writes
            .delete(keys::open_task(self.shard, key, task_id));
        Ok(())
    }

    /// Writes a task row (new, or re-put as started) and keeps its queue entry in step: an
    /// activity task waits in its activity's queue until a worker starts it. A task that
    /// stays queued keeps its place.
    fn put_task(&mut self, key: &ExecutionKey, task: &TaskRow) -> Result<(), Error> {
        let queue = task.activity_arn.as_deref().filter(|_| !task.started);
        let position_key = keys::activity_queue_position(self.shard, key, task.task_id);
        let position = self.writes.get_raw(&position_key)?;
        let in_place = match (queue, &position) {
            (Some(arn), Some(queue_key)) => {
                queue_key.starts_with(&keys::activity_queue_prefix(self.shard, arn))
            }
            _ => false,
        };
        if !in_place {
            self.unqueue(key, task.task_id)?;
            if let Some(arn) = queue {
                let queue_key =
                    keys::activity_queue(self.shard, arn, self.index, key, task.task_id);
                self.writes.put(queue_key.clone(), Vec::new());
                self.writes.put(position_key, queue_key);
            }
        }
        self.writes
            .put_message(keys::open_task(self.shard, key, task.task_id), task);
        Ok(())
    }

    /// Removes a task's queue entry, if it has one.
    fn unqueue(&mut self, key: &ExecutionKey, task_id: u64) -> Result<(), Error> {
        let position_key = keys::activity_queue_position(self.shard, key, task_id);
        if let Some(queue_key) = self.writes.get_raw(&position_key)? {
            // The value is a key this code wrote; deleting anything else would lose a row.
            let decoded = keys::decode_activity_queue(&queue_key).and_then(|queued| {
                if queued.shard == self.shard {
                    Ok(queued)
                } else {
                    Err(KeyError::WrongShard {
                        expected: self.shard,
                        found: queued.shard,
                    })
                }
            });
            if let Err(e) = decoded {
                let table = Table::ActivityQueuePositions;
                return Err(corrupt(
                    self.shard,
                    table,
                    &position_key,
                    Corruption::Key(e),
                ));
            }
            self.writes.delete(queue_key);
            self.writes.delete(position_key);
        }
        Ok(())
    }

    /// Definitions are immutable by content hash: the first copy stays.
    fn put_definition_once(&mut self, definition: &DefinitionRow) -> Result<(), Error> {
        let key = keys::definition(self.shard, &definition.hash);
        if self
            .writes
            .get::<DefinitionRow>(Table::Definitions, &key)?
            .is_none()
        {
            self.writes.put_message(key, definition);
        }
        Ok(())
    }

    fn put_state_machine(&mut self, put: PutStateMachine) -> Result<CommandOutcome, Error> {
        let record = put
            .record
            .ok_or_else(|| self.missing("PutStateMachine", "record"))?;
        let key = keys::state_machine(self.shard, &record.name);
        let stored: Option<StateMachineRecord> = self.writes.get(Table::StateMachines, &key)?;
        let expected = put.expected_revision_id;
        // "" means "must not exist yet"; otherwise the stored revision must be the expected one.
        let fits = match &stored {
            None => expected.is_empty(),
            Some(stored) => !expected.is_empty() && stored.revision_id == expected,
        };
        if !fits {
            self.counters
                .stale_revisions
                .fetch_add(1, Ordering::Relaxed);
            let actual = stored.map(|s| s.revision_id).unwrap_or_default();
            return Ok(CommandOutcome::Rejected(RejectReason::StaleRevision {
                expected,
                actual,
            }));
        }
        self.writes.put_message(key, &record);
        Ok(CommandOutcome::Applied)
    }
}
