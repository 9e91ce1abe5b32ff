//! Reads of a shard's committed state, run on its leader (locally, or through the peer that
//! leads it).

use cairn_proto::storage::{ActivityRecord, ExecutionRecord, StateMachineRecord, StoredEvent};

use crate::ids::ExecutionKey;
use crate::storage::{Cursor, Page, ShardReader};

#[derive(Debug, Clone)]
pub enum Query {
    Execution(ExecutionKey),
    History {
        key: ExecutionKey,
        after_event_id: u64,
        limit: usize,
        reverse: bool,
    },
    ExecutionsByStateMachine {
        machine: String,
        cursor: Option<Cursor>,
        limit: usize,
    },
    StateMachine(String),
    StateMachines {
        cursor: Option<Cursor>,
        limit: usize,
    },
    Activity(String),
    Activities {
        cursor: Option<Cursor>,
        limit: usize,
    },
}

#[derive(Debug, Clone)]
pub enum Answer {
    Execution(Option<ExecutionRecord>),
    History(Vec<StoredEvent>),
    Executions(Page<ExecutionRecord>),
    StateMachine(Option<StateMachineRecord>),
    StateMachines(Page<StateMachineRecord>),
    Activity(Option<ActivityRecord>),
    Activities(Page<ActivityRecord>),
}

/// Answers a query from a shard's local state.
pub fn run(reader: &ShardReader, query: Query) -> Result<Answer, crate::storage::Error> {
    Ok(match query {
        Query::Execution(key) => Answer::Execution(reader.execution(&key)?),
        Query::History {
            key,
            after_event_id,
            limit,
            reverse,
        } => Answer::History(reader.history(&key, after_event_id, limit, reverse)?),
        Query::ExecutionsByStateMachine {
            machine,
            cursor,
            limit,
        } => {
            let page = reader.executions_by_state_machine(&machine, cursor.as_ref(), limit)?;
            Answer::Executions(Page {
                items: page.items.into_iter().map(|(_, r)| r).collect(),
                next: page.next,
            })
        }
        Query::StateMachine(name) => Answer::StateMachine(reader.state_machine(&name)?),
        Query::StateMachines { cursor, limit } => {
            Answer::StateMachines(reader.state_machines(cursor.as_ref(), limit)?)
        }
        Query::Activity(name) => Answer::Activity(reader.activity(&name)?),
        Query::Activities { cursor, limit } => {
            Answer::Activities(reader.activities(cursor.as_ref(), limit)?)
        }
    })
}
