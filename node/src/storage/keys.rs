//! The on-disk layout: every key the node writes to its RocksDB is built and read here.
//!
//! A key is `table byte | shard (u32 BE) | the table's parts`. Table bytes are assigned once
//! and never reused, even when a table is dropped: an old row must never be read as a new
//! kind. Integers are big-endian so byte order is numeric order; signed integers flip their
//! sign bit first. Strings are escaped (`00` → `00 FF`) and end in `00 01`, so no encoded
//! string is a prefix of another and byte order is the strings' byte order. With those
//! rules, iterating a key range visits rows in the order of their parts.
//!
//! | table | byte | parts after the shard | value |
//! |---|---|---|---|
//! | raft log | 01 | index u64 | `LogEntry` |
//! | raft meta | 02 | field u8 (1 vote, 2 committed, 3 last purged) | `Vote` / `LogId` |
//! | state-machine meta | 03 | field u8 (1 last applied, 2 membership) | `LogId` / `StoredMembership` |
//! | snapshot | 04 | 00 (meta) or 01 + chunk u32 | `StoredSnapshot` / bytes |
//! | executions | 10 | execution key | `ExecutionRecord` |
//! | history | 11 | execution key, event id u64 | `StoredEvent` |
//! | timers | 12 | due ms i64, execution key, timer id u64 | `TimerRow` |
//! | open tasks | 13 | execution key, task id u64 | `TaskRow` |
//! | activity queue | 14 | activity ARN, queued at log index u64, execution key, task id u64 | empty |
//! | definitions | 15 | content hash | `DefinitionRow` |
//! | state machines | 16 | name | `StateMachineRecord` |
//! | activities | 17 | name | `ActivityRecord` |
//! | executions by state machine | 18 | machine name, !start ms, execution key | empty |
//! | running executions | 19 | execution key | empty |
//! | activity queue positions | 1A | execution key, task id u64 | its activity-queue key |
//! | express journal | 20 | accepted ms i64, execution ARN | `ExpressStart` |
//! | express definitions | 21 | content hash | `DefinitionRow` |
//!
//! Tables from 0x20 are node-local: they belong to no shard, never travel in the Raft log or a
//! snapshot, and are written under the shard field [`NODE_LOCAL`], which no real shard uses.
//! The express journal holds the asynchronous Express starts this node acknowledged and has
//! not finished, oldest first; the definitions they run sit beside them.
//!
//! The activity queue orders tasks by the log index that queued them, so workers get the
//! oldest first on every replica alike; the positions table finds a task's queue entry
//! when the task starts or closes.

use crate::ids::{ExecutionKey, ShardId};

/// One RocksDB key space per table. The discriminant is the key's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Table {
    RaftLog = 0x01,
    RaftMeta = 0x02,
    StateMachineMeta = 0x03,
    Snapshot = 0x04,
    Executions = 0x10,
    History = 0x11,
    Timers = 0x12,
    OpenTasks = 0x13,
    ActivityQueue = 0x14,
    Definitions = 0x15,
    StateMachines = 0x16,
    Activities = 0x17,
    ExecutionsByStateMachine = 0x18,
    RunningExecutions = 0x19,
    ActivityQueuePositions = 0x1A,
    ExpressJournal = 0x20,
    ExpressDefinitions = 0x21,
}

/// The shard field of node-local tables (shard counts stop far below it).
pub const NODE_LOCAL: ShardId = ShardId(u32::MAX);

impl Table {
    /// Every table, for lookups by byte.
    pub const ALL: [Table; 17] = [
        Table::RaftLog,
        Table::RaftMeta,
        Table::StateMachineMeta,
        Table::Snapshot,
        Table::Executions,
        Table::History,
        Table::Timers,
        Table::OpenTasks,
        Table::ActivityQueue,
        Table::Definitions,
        Table::StateMachines,
        Table::Activities,
        Table::ExecutionsByStateMachine,
        Table::RunningExecutions,
        Table::ActivityQueuePositions,
        Table::ExpressJournal,
        Table::ExpressDefinitions,
    ];

    /// The tables a state-machine snapshot carries: everything apply writes except its own
    /// meta, which travels as the snapshot's meta instead.
    pub const STATE: [Table; 11] = [
        Table::Executions,
        Table::History,
        Table::Timers,
        Table::OpenTasks,
        Table::ActivityQueue,
        Table::Definitions,
        Table::StateMachines,
        Table::Activities,
        Table::ExecutionsByStateMachine,
        Table::RunningExecutions,
        Table::ActivityQueuePositions,
    ];

    pub fn byte(self) -> u8 {
        self as u8
    }

    pub fn from_byte(byte: u8) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.byte() == byte)
    }

    pub fn is_state(self) -> bool {
        Table::STATE.contains(&self)
    }
}

/// Fields of the raft meta table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RaftMeta {
    Vote = 1,
    Committed = 2,
    LastPurged = 3,
}

/// Fields of the state-machine meta table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StateMachineMeta {
    LastApplied = 1,
    Membership = 2,
}

/// Why a stored key does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key ends inside a part")]
    Truncated,
    #[error("key has bytes after its last part")]
    Trailing,
    #[error("string part has a bad escape byte {0:#04x}")]
    BadEscape(u8),
    #[error("string part is not UTF-8")]
    NotUtf8,
    #[error("key belongs to table byte {found:#04x}, not {expected:?}")]
    WrongTable { expected: Table, found: u8 },
    #[error("execution key has no NUL between machine and execution")]
    BadExecutionKey,
    #[error("no table has the byte {0:#04x}")]
    UnknownTable(u8),
    #[error("key belongs to shard {found}, not {expected}")]
    WrongShard { expected: ShardId, found: ShardId },
}

// ---- Encoding ------------------------------------------------------------------------------

/// Appends key parts in the layout's encoding.
#[derive(Debug, Clone)]
pub struct KeyWriter(Vec<u8>);

impl KeyWriter {
    /// Starts a key of `table` on `shard`.
    pub fn new(table: Table, shard: ShardId) -> Self {
        let mut bytes = Vec::with_capacity(48);
        bytes.push(table.byte());
        bytes.extend_from_slice(&shard.0.to_be_bytes());
        KeyWriter(bytes)
    }

    pub fn u8(mut self, value: u8) -> Self {
        self.0.push(value);
        self
    }

    pub fn u32(mut self, value: u32) -> Self {
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub fn u64(mut self, value: u64) -> Self {
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Flips the sign bit so negative values sort before positive ones.
    pub fn i64(self, value: i64) -> Self {
        self.u64(order_i64(value))
    }

    pub fn str(mut self, value: &str) -> Self {
        for &b in value.as_bytes() {
            self.0.push(b);
            if b == 0 {
                self.0.push(0xFF);
            }
        }
        self.0.extend_from_slice(&[0x00, 0x01]);
        self
    }

    /// Appends bytes already in the layout's encoding (a cursor's key suffix).
    pub fn raw(mut self, encoded: &[u8]) -> Self {
        self.0.extend_from_slice(encoded);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.0
    }
}

fn order_i64(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

fn unorder_i64(value: u64) -> i64 {
    (value ^ (1 << 63)) as i64
}

/// Reads key parts back, in the order they were written.
#[derive(Debug, Clone)]
pub struct KeyReader<'a> {
    rest: &'a [u8],
}

impl<'a> KeyReader<'a> {
    /// Reads a key of `table`, skipping its shard.
    pub fn new(table: Table, key: &'a [u8]) -> Result<Self, KeyError> {
        let (&first, rest) = key.split_first().ok_or(KeyError::Truncated)?;
        if first != table.byte() {
            return Err(KeyError::WrongTable {
                expected: table,
                found: first,
            });
        }
        let mut reader = KeyReader { rest };
        reader.take(4)?;
        Ok(reader)
    }

    /// Reads the parts after a table's key prefix (a cursor's suffix).
    pub fn suffix(rest: &'a [u8]) -> Self {
        KeyReader { rest }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], KeyError> {
        if self.rest.len() < n {
            return Err(KeyError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub fn u8(&mut self) -> Result<u8, KeyError> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, KeyError> {
        let bytes = self
            .take(4)?
            .try_into()
            .expect("take(4) returns four bytes");
        Ok(u32::from_be_bytes(bytes))
    }

    pub fn u64(&mut self) -> Result<u64, KeyError> {
        let bytes = self
            .take(8)?
            .try_into()
            .expect("take(8) returns eight bytes");
        Ok(u64::from_be_bytes(bytes))
    }

    pub fn i64(&mut self) -> Result<i64, KeyError> {
        Ok(unorder_i64(self.u64()?))
    }

    pub fn str(&mut self) -> Result<String, KeyError> {
        let mut out = Vec::new();
        loop {
            match self.u8()? {
                0x00 => match self.u8()? {
                    0xFF => out.push(0x00),
                    0x01 => break,
                    other => return Err(KeyError::BadEscape(other)),
                },
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| KeyError::NotUtf8)
    }

    pub fn execution_key(&mut self) -> Result<ExecutionKey, KeyError> {
        ExecutionKey::from_stored(self.str()?).ok_or(KeyError::BadExecutionKey)
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Fails if anything is left: every key is read to its end.
    pub fn finish(self) -> Result<(), KeyError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(KeyError::Trailing)
        }
    }
}

/// The first key after every key that starts with `prefix` (exclusive upper bound).
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return end;
        }
    }
    // Only 0xFF bytes: no key is greater; an empty upper bound means "to the end".
    Vec::new()
}

/// `[start, end)` of every row of `table` on `shard`.
pub fn shard_range(table: Table, shard: ShardId) -> (Vec<u8>, Vec<u8>) {
    let start = KeyWriter::new(table, shard).finish();
    let end = prefix_end(&start);
    (start, end)
}

/// The shard and the parts after it, for a key of any table.
pub fn split_shard(key: &[u8]) -> Result<(Table, ShardId, &[u8]), KeyError> {
    let (&byte, rest) = key.split_first().ok_or(KeyError::Truncated)?;
    let table = Table::from_byte(byte).ok_or(KeyError::UnknownTable(byte))?;
    let mut reader = KeyReader::suffix(rest);
    let shard = ShardId(reader.u32()?);
    Ok((table, shard, reader.remaining()))
}

// ---- Raft log and meta ---------------------------------------------------------------------

pub fn log(shard: ShardId, index: u64) -> Vec<u8> {
    KeyWriter::new(Table::RaftLog, shard).u64(index).finish()
}

pub fn log_index(key: &[u8]) -> Result<u64, KeyError> {
    let mut reader = KeyReader::new(Table::RaftLog, key)?;
    let index = reader.u64()?;
    reader.finish()?;
    Ok(index)
}

pub fn raft_meta(shard: ShardId, field: RaftMeta) -> Vec<u8> {
    KeyWriter::new(Table::RaftMeta, shard)
        .u8(field as u8)
        .finish()
}

pub fn state_machine_meta(shard: ShardId, field: StateMachineMeta) -> Vec<u8> {
    KeyWriter::new(Table::StateMachineMeta, shard)
        .u8(field as u8)
        .finish()
}

pub fn snapshot_meta(shard: ShardId) -> Vec<u8> {
    KeyWriter::new(Table::Snapshot, shard).u8(0).finish()
}

pub fn snapshot_chunk(shard: ShardId, chunk: u32) -> Vec<u8> {
    KeyWriter::new(Table::Snapshot, shard)
        .u8(1)
        .u32(chunk)
        .finish()
}

// ---- State tables --------------------------------------------------------------------------

pub fn execution(shard: ShardId, key: &ExecutionKey) -> Vec<u8> {
    KeyWriter::new(Table::Executions, shard)
        .str(key.as_str())
        .finish()
}

pub fn history(shard: ShardId, key: &ExecutionKey, event_id: u64) -> Vec<u8> {
    KeyWriter::new(Table::History, shard)
        .str(key.as_str())
        .u64(event_id)
        .finish()
}

/// Every event of one execution.
pub fn history_prefix(shard: ShardId, key: &ExecutionKey) -> Vec<u8> {
    KeyWriter::new(Table::History, shard)
        .str(key.as_str())
        .finish()
}

pub fn timer(shard: ShardId, due_millis: i64, key: &ExecutionKey, timer_id: u64) -> Vec<u8> {
    KeyWriter::new(Table::Timers, shard)
        .i64(due_millis)
        .str(key.as_str())
        .u64(timer_id)
        .finish()
}

pub fn open_task(shard: ShardId, key: &ExecutionKey, task_id: u64) -> Vec<u8> {
    KeyWriter::new(Table::OpenTasks, shard)
        .str(key.as_str())
        .u64(task_id)
        .finish()
}

pub fn activity_queue(
    shard: ShardId,
    activity_arn: &str,
    queued_at_index: u64,
    key: &ExecutionKey,
    task_id: u64,
) -> Vec<u8> {
    KeyWriter::new(Table::ActivityQueue, shard)
        .str(activity_arn)
        .u64(queued_at_index)
        .str(key.as_str())
        .u64(task_id)
        .finish()
}

/// Every queued task of one activity.
pub fn activity_queue_prefix(shard: ShardId, activity_arn: &str) -> Vec<u8> {
    KeyWriter::new(Table::ActivityQueue, shard)
        .str(activity_arn)
        .finish()
}

/// The parts of an activity-queue key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedTask {
    pub shard: ShardId,
    pub activity_arn: String,
    pub queued_at_index: u64,
    pub execution: ExecutionKey,
    pub task_id: u64,
}

pub fn decode_activity_queue(key: &[u8]) -> Result<QueuedTask, KeyError> {
    let (table, shard, parts) = split_shard(key)?;
    if table != Table::ActivityQueue {
        return Err(KeyError::WrongTable {
            expected: Table::ActivityQueue,
            found: table.byte(),
        });
    }
    let mut reader = KeyReader::suffix(parts);
    let queued = QueuedTask {
        shard,
        activity_arn: reader.str()?,
        queued_at_index: reader.u64()?,
        execution: reader.execution_key()?,
        task_id: reader.u64()?,
    };
    reader.finish()?;
    Ok(queued)
}

/// Where a queued task sits in its activity queue (the value is the queue key).
pub fn activity_queue_position(shard: ShardId, key: &ExecutionKey, task_id: u64) -> Vec<u8> {
    KeyWriter::new(Table::ActivityQueuePositions, shard)
        .str(key.as_str())
        .u64(task_id)
        .finish()
}

pub fn definition(shard: ShardId, hash: &str) -> Vec<u8> {
    KeyWriter::new(Table::Definitions, shard).str(hash).finish()
}

pub fn state_machine(shard: ShardId, name: &str) -> Vec<u8> {
    KeyWriter::new(Table::StateMachines, shard)
        .str(name)
        .finish()
}

pub fn activity(shard: ShardId, name: &str) -> Vec<u8> {
    KeyWriter::new(Table::Activities, shard).str(name).finish()
}

/// Newest first: the start time is stored inverted, so ascending keys run from the latest
/// start to the earliest; equal starts order by execution key.
pub fn execution_by_state_machine(
    shard: ShardId,
    machine: &str,
    start_millis: i64,
    key: &ExecutionKey,
) -> Vec<u8> {
    KeyWriter::new(Table::ExecutionsByStateMachine, shard)
        .str(machine)
        .u64(!order_i64(start_millis))
        .str(key.as_str())
        .finish()
}

/// Every listed execution of one state machine.
pub fn executions_by_state_machine_prefix(shard: ShardId, machine: &str) -> Vec<u8> {
    KeyWriter::new(Table::ExecutionsByStateMachine, shard)
        .str(machine)
        .finish()
}

/// The start time and execution a by-state-machine key names.
pub fn decode_execution_by_state_machine(
    key: &[u8],
) -> Result<(String, i64, ExecutionKey), KeyError> {
    let mut reader = KeyReader::new(Table::ExecutionsByStateMachine, key)?;
    let machine = reader.str()?;
    let start_millis = unorder_i64(!reader.u64()?);
    let execution = reader.execution_key()?;
    reader.finish()?;
    Ok((machine, start_millis, execution))
}

pub fn running_execution(shard: ShardId, key: &ExecutionKey) -> Vec<u8> {
    KeyWriter::new(Table::RunningExecutions, shard)
        .str(key.as_str())
        .finish()
}

pub fn decode_running_execution(key: &[u8]) -> Result<ExecutionKey, KeyError> {
    let mut reader = KeyReader::new(Table::RunningExecutions, key)?;
    let execution = reader.execution_key()?;
    reader.finish()?;
    Ok(execution)
}

// ---- Node-local tables ---------------------------------------------------------------------

pub fn express_start(accepted_millis: i64, execution_arn: &str) -> Vec<u8> {
    KeyWriter::new(Table::ExpressJournal, NODE_LOCAL)
        .i64(accepted_millis)
        .str(execution_arn)
        .finish()
}

pub fn decode_express_start(key: &[u8]) -> Result<(i64, String), KeyError> {
    let mut reader = KeyReader::new(Table::ExpressJournal, key)?;
    let accepted_millis = reader.i64()?;
    let execution_arn = reader.str()?;
    reader.finish()?;
    Ok((accepted_millis, execution_arn))
}

pub fn express_definition(hash: &str) -> Vec<u8> {
    KeyWriter::new(Table::ExpressDefinitions, NODE_LOCAL)
        .str(hash)
        .finish()
}

pub fn decode_express_definition(key: &[u8]) -> Result<String, KeyError> {
    let mut reader = KeyReader::new(Table::ExpressDefinitions, key)?;
    let hash = reader.str()?;
    reader.finish()?;
    Ok(hash)
}

#[cfg(test)]
mod tests;
