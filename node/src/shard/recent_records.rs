//! The state machines (and activities) this node read lately for a start (or a worker's
//! poll), so that not every start reads its state machine from the state machine's shard.
//!
//! Without it every start is two shard operations (a linearizable read of the state machine,
//! often on another node, then the start on the execution's shard), and every poll reads its
//! activity the same way. A record is kept for [`FRESH_FOR`]; a create, update or delete sent
//! through this node forgets it at once, so changes made through the node a client starts
//! through are seen by its next start. A change made through another node can go unseen here
//! for up to [`FRESH_FOR`]: Step Functions documents the same ("executions started immediately
//! after calling UpdateStateMachine may use the previous state machine definition and
//! roleArn"). Absent records are never remembered, so a state machine created through another
//! node can be started at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a record read for a start (or poll) serves later ones.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Most state machines remembered; beyond it the memory starts over.
const ENTRIES_MAX: usize = 4096;

/// Records by name.
#[derive(Debug)]
pub struct RecentRecords<R> {
    inner: Mutex<Inner<R>>,
}

impl<R> Default for RecentRecords<R> {
    fn default() -> Self {
        RecentRecords {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                changes: 0,
            }),
        }
    }
}

#[derive(Debug)]
struct Inner<R> {
    entries: HashMap<String, Entry<R>>,
    /// Counts changes sent through this node, so a read that began before one is not
    /// remembered after it.
    changes: u64,
}

/// A read of a state machine about to be sent; [`RecentStateMachines::remember`] takes it
/// back with the record.
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket {
    at: Instant,
    changes: u64,
}

#[derive(Debug)]
struct Entry<R> {
    read_at: Instant,
    record: Arc<R>,
}

impl<R> RecentRecords<R> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<R>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The record of `name` if it was read less than [`FRESH_FOR`] before `now`.
    pub fn get(&self, name: &str, now: Instant) -> Option<Arc<R>> {
        let inner = self.lock();
        let entry = inner.entries.get(name)?;
        (now.saturating_duration_since(entry.read_at) < FRESH_FOR)
            .then(|| Arc::clone(&entry.record))
    }

    /// Taken just before a read is sent.
    pub fn ticket(&self, now: Instant) -> ReadTicket {
        ReadTicket {
            at: now,
            changes: self.lock().changes,
        }
    }

    /// Remembers `record` of `name`, read with `ticket`, unless a change went through this
    /// node since.
    pub fn remember(&self, name: &str, record: Arc<R>, ticket: ReadTicket) {
        let mut inner = self.lock();
        if inner.changes != ticket.changes {
            return;
        }
        if inner.entries.len() >= ENTRIES_MAX && !inner.entries.contains_key(name) {
            inner.entries.clear();
        }
        inner.entries.insert(
            name.to_owned(),
            Entry {
                read_at: ticket.at,
                record,
            },
        );
    }

    /// The record of `name`: remembered, or else what `read` (not polled when remembered)
    /// finds, remembered from then on. Absent records are not remembered.
    pub async fn get_or_read<E>(
        &self,
        name: &str,
        read: impl Future<Output = Result<Option<R>, E>>,
    ) -> Result<Option<Arc<R>>, E> {
        let now = Instant::now();
        if let Some(record) = self.get(name, now) {
            return Ok(Some(record));
        }
        let ticket = self.ticket(now);
        let Some(record) = read.await? else {
            return Ok(None);
        };
        let record = Arc::new(record);
        self.remember(name, Arc::clone(&record), ticket);
        Ok(Some(record))
    }

    /// Forgets `name`: a change to it is going, or has gone, through this node. Called both
    /// before the change is sent and after it is committed.
    pub fn forget(&self, name: &str) {
        let mut inner = self.lock();
        inner.changes += 1;
        inner.entries.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use cairn_proto::storage::StateMachineRecord;

    use super::*;

    type RecentStateMachines = RecentRecords<StateMachineRecord>;

    fn record(name: &str, revision: &str) -> Arc<StateMachineRecord> {
        Arc::new(StateMachineRecord {
            name: name.to_owned(),
            revision_id: revision.to_owned(),
            ..StateMachineRecord::default()
        })
    }

    #[test]
    fn a_record_serves_for_its_freshness_window_and_until_forgotten() {
        let recent = RecentStateMachines::default();
        let t0 = Instant::now();
        assert!(recent.get("orders", t0).is_none());
        recent.remember("orders", record("orders", "r1"), recent.ticket(t0));
        let seen = recent.get("orders", t0 + FRESH_FOR / 2).expect("fresh");
        assert_eq!(seen.revision_id, "r1");
        assert!(recent.get("orders", t0 + FRESH_FOR).is_none());
        recent.remember("orders", record("orders", "r2"), recent.ticket(t0));
        recent.forget("orders");
        assert!(recent.get("orders", t0).is_none());
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let recent = RecentStateMachines::default();
        let now = Instant::now();
        let ticket = recent.ticket(now);
        // An update goes through this node while the read is on its way.
        recent.forget("orders");
        recent.remember("orders", record("orders", "r-old"), ticket);
        assert!(recent.get("orders", now).is_none());
        recent.remember("orders", record("orders", "r-new"), recent.ticket(now));
        assert_eq!(
            recent.get("orders", now).expect("remembered").revision_id,
            "r-new"
        );
    }

    #[tokio::test]
    async fn get_or_read_reads_once_and_never_remembers_an_absent_record() {
        let recent = RecentStateMachines::default();
        let absent = recent
            .get_or_read("orders", async { Ok::<_, ()>(None) })
            .await;
        assert_eq!(absent, Ok(None));
        let read = recent
            .get_or_read("orders", async {
                Ok::<_, ()>(Some((*record("orders", "r1")).clone()))
            })
            .await;
        assert_eq!(read.expect("read").expect("found").revision_id, "r1");
        // Remembered: the second read is not even polled.
        let again = recent
            .get_or_read("orders", async {
                unreachable!("a remembered record is not read")
            })
            .await;
        assert_eq!(again, Ok::<_, ()>(Some(record("orders", "r1"))));
    }

    #[test]
    fn the_memory_is_bounded() {
        let recent = RecentStateMachines::default();
        let now = Instant::now();
        for i in 0..=ENTRIES_MAX {
            recent.remember(
                &format!("m{i}"),
                record(&format!("m{i}"), "r"),
                recent.ticket(now),
            );
        }
        let inner = recent.lock();
        assert!(inner.entries.len() <= ENTRIES_MAX);
        assert!(inner.entries.contains_key(&format!("m{ENTRIES_MAX}")));
    }
}
