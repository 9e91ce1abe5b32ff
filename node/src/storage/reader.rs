//! `ShardReader`: the read API over one shard's applied state, for the shard actor, the
//! engine, timers, task dispatch and the gRPC API.
//!
//! Reads see every applied entry (relaxed writes are visible at once). Reads that combine
//! rows (an index and the records it points at) use one RocksDB snapshot, so they see a
//! single applied state. Only the shard's leader has applied everything committed; a
//! follower's reads may lag.

use std::sync::Arc;

use cairn_proto::storage::{
    ActivityRecord, DefinitionRow, ExecutionRecord, StateMachineRecord, StoredEvent, TaskRow,
    TimerRow,
};
use prost::Message;

use super::db::{Inner, View, corrupt};
use super::error::{Corruption, Error};
use super::keys::{self, KeyWriter, Table};
use super::state_machine::applied_state;
use crate::ids::{ExecutionKey, ShardId};
use crate::raft::codec::LogId;

/// Where a listing stopped. Opaque: pass it back unchanged to read the next page. It holds
/// the position of the last row returned, so rows inserted meanwhile never shift a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(Vec<u8>);

impl Cursor {
    /// Rebuilds a cursor from `as_bytes` (a page token). Any bytes are safe: a forged cursor
    /// still reads only the listing it is passed to.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Cursor(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// One page of a listing; `next` is `None` on the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// Reads one shard's applied state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ShardReader {
    inner: Arc<Inner>,
    shard: ShardId,
}

impl ShardReader {
    pub(crate) fn new(inner: Arc<Inner>, shard: ShardId) -> Self {
        ShardReader { inner, shard }
    }

    pub fn shard(&self) -> ShardId {
        self.shard
    }

    fn view(&self) -> View<'_> {
        self.inner.view(self.shard)
    }

    pub fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, Error> {
        self.view()
            .get(Table::Executions, &keys::execution(self.shard, key))
    }

    /// Up to `limit` events of an execution. `after_event_id` is the id of the last event the
    /// caller already has (0: none). Forward: events with id > `after_event_id`, oldest
    /// first. `reverse`: events with id < `after_event_id`, newest first, and 0 starts at
    /// the newest. The next page starts after the last id returned, in either direction.
    pub fn history(
        &self,
        key: &ExecutionKey,
        after_event_id: u64,
        limit: usize,
        reverse: bool,
    ) -> Result<Vec<StoredEvent>, Error> {
        let prefix = keys::history_prefix(self.shard, key);
        let end_of_history = keys::prefix_end(&prefix);
        let (start, end) = match (reverse, after_event_id) {
            (false, after) => match after.checked_add(1) {
                Some(first) => (keys::history(self.shard, key, first), end_of_history),
                None => return Ok(Vec::new()),
            },
            (true, 0) => (prefix, end_of_history),
            (true, before) => (prefix, keys::history(self.shard, key, before)),
        };
        let view = self.view();
        view.scan(&start, &end, reverse)
            .take(limit)
            .map(|row| {
                row.and_then(|(key, value)| {
                    super::db::decode(self.shard, Table::History, &key, &value)
                })
            })
            .collect()
    }

    /// Every execution with status RUNNING, with its record (a new leader rebuilds their
    /// effects from these).
    pub fn running_executions(&self) -> Result<Vec<(ExecutionKey, ExecutionRecord)>, Error> {
        let view = self.inner.snapshot_view(self.shard);
        let (start, end) = keys::shard_range(Table::RunningExecutions, self.shard);
        view.scan(&start, &end, false)
            .map(|row| {
                let (key, _) = row?;
                let execution = keys::decode_running_execution(&key)
                    .map_err(|e| corrupt(self.shard, Table::RunningExecutions, &key, e.into()))?;
                let record = self.must_get(
                    &view,
                    Table::Executions,
                    &keys::execution(self.shard, &execution),
                    &key,
                )?;
                Ok((execution, record))
            })
            .collect()
    }

    /// How many executions are RUNNING, counted from their index without reading records
    /// (for metrics).
    pub fn running_execution_count(&self) -> Result<u64, Error> {
        let (start, end) = keys::shard_range(Table::RunningExecutions, self.shard);
        self.view()
            .scan(&start, &end, false)
            .try_fold(0, |count, row| row.map(|_| count + 1))
    }

    /// Executions of one state machine, newest start first (ties by execution name).
    pub fn executions_by_state_machine(
        &self,
        machine: &str,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<(ExecutionKey, ExecutionRecord)>, Error> {
        let view = self.inner.snapshot_view(self.shard);
        let prefix = keys::executions_by_state_machine_prefix(self.shard, machine);
        self.page(&view, &prefix, cursor, limit, |key, _| {
            let (_, _, execution) = keys::decode_execution_by_state_machine(key)
                .map_err(|e| corrupt(self.shard, Table::ExecutionsByStateMachine, key, e.into()))?;
            let record = self.must_get(
                &view,
                Table::Executions,
                &keys::execution(self.shard, &execution),
                key,
            )?;
            Ok((execution, record))
        })
    }

    /// Every armed timer, earliest due first.
    pub fn timers(&self) -> Result<Vec<TimerRow>, Error> {
        self.scan_table(Table::Timers)
    }

    /// Every open task (activity, callback or integration task not yet closed).
    pub fn open_tasks(&self) -> Result<Vec<TaskRow>, Error> {
        self.scan_table(Table::OpenTasks)
    }

    /// Activity tasks no worker has started yet, for one activity ARN, oldest first (by the
    /// log entry that queued them; tasks queued by one entry by execution key and task id).
    pub fn activity_queue(&self, activity_arn: &str) -> Result<Vec<TaskRow>, Error> {
        let view = self.inner.snapshot_view(self.shard);
        let prefix = keys::activity_queue_prefix(self.shard, activity_arn);
        view.scan(&prefix, &keys::prefix_end(&prefix), false)
            .map(|row| {
                let (key, _) = row?;
                let queued = keys::decode_activity_queue(&key)
                    .map_err(|e| corrupt(self.shard, Table::ActivityQueue, &key, e.into()))?;
                let task_key = keys::open_task(self.shard, &queued.execution, queued.task_id);
                self.must_get(&view, Table::OpenTasks, &task_key, &key)
            })
            .collect()
    }

    pub fn task(&self, key: &ExecutionKey, task_id: u64) -> Result<Option<TaskRow>, Error> {
        self.view()
            .get(Table::OpenTasks, &keys::open_task(self.shard, key, task_id))
    }

    pub fn definition(&self, hash: &str) -> Result<Option<DefinitionRow>, Error> {
        self.view()
            .get(Table::Definitions, &keys::definition(self.shard, hash))
    }

    pub fn state_machine(&self, name: &str) -> Result<Option<StateMachineRecord>, Error> {
        self.view()
            .get(Table::StateMachines, &keys::state_machine(self.shard, name))
    }

    /// State machines of this shard by name.
    pub fn state_machines(
        &self,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<StateMachineRecord>, Error> {
        let view = self.view();
        let prefix = KeyWriter::new(Table::StateMachines, self.shard).finish();
        self.page(&view, &prefix, cursor, limit, |key, value| {
            super::db::decode(self.shard, Table::StateMachines, key, value)
        })
    }

    pub fn activity(&self, name: &str) -> Result<Option<ActivityRecord>, Error> {
        self.view()
            .get(Table::Activities, &keys::activity(self.shard, name))
    }

    /// Activities of this shard by name.
    pub fn activities(
        &self,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<ActivityRecord>, Error> {
        let view = self.view();
        let prefix = KeyWriter::new(Table::Activities, self.shard).finish();
        self.page(&view, &prefix, cursor, limit, |key, value| {
            super::db::decode(self.shard, Table::Activities, key, value)
        })
    }

    /// The index of the last applied log entry (`None` before the first).
    pub fn applied_index(&self) -> Result<Option<u64>, Error> {
        Ok(self.applied_log_id()?.map(|id| id.index))
    }

    pub fn applied_log_id(&self) -> Result<Option<LogId>, Error> {
        Ok(applied_state(&self.view())?.0)
    }

    fn scan_table<M: Message + Default>(&self, table: Table) -> Result<Vec<M>, Error> {
        let (start, end) = keys::shard_range(table, self.shard);
        let view = self.view();
        view.scan(&start, &end, false)
            .map(|row| {
                row.and_then(|(key, value)| super::db::decode(self.shard, table, &key, &value))
            })
            .collect()
    }

    /// Reads the row an index row points at; its absence is corruption of the index.
    fn must_get<M: Message + Default>(
        &self,
        view: &View<'_>,
        table: Table,
        key: &[u8],
        index_key: &[u8],
    ) -> Result<M, Error> {
        let index_table = keys::split_shard(index_key).map_or(table, |(t, _, _)| t);
        view.get(table, key)?.ok_or_else(|| {
            corrupt(
                self.shard,
                index_table,
                index_key,
                Corruption::Dangling { table },
            )
        })
    }

    /// Up to `limit` rows under `prefix` after `cursor`, and a cursor if more remain.
    fn page<T>(
        &self,
        view: &View<'_>,
        prefix: &[u8],
        cursor: Option<&Cursor>,
        limit: usize,
        item: impl Fn(&[u8], &[u8]) -> Result<T, Error>,
    ) -> Result<Page<T>, Error> {
        // The first key after the cursor's: keys are prefix-free, so appending a zero byte
        // skips exactly the cursor's row.
        let start = match cursor {
            Some(cursor) => [prefix, cursor.as_bytes(), &[0]].concat(),
            None => prefix.to_vec(),
        };
        let mut items = Vec::new();
        let mut last_key: Option<Box<[u8]>> = None;
        let mut rows = view.scan(&start, &keys::prefix_end(prefix), false);
        for row in rows.by_ref().take(limit) {
            let (key, value) = row?;
            items.push(item(&key, &value)?);
            last_key = Some(key);
        }
        let more = rows.next().transpose()?.is_some();
        let next = match (more, last_key) {
            (true, Some(key)) => Some(Cursor(key[prefix.len()..].to_vec())),
            _ => None,
        };
        Ok(Page { items, next })
    }
}
