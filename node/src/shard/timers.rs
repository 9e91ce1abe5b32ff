//! The leader's in-memory index of a shard's armed timers, rebuilt from the timer rows when
//! it takes over. It keeps the node's timers-pending gauge current: each index adds its own
//! count, and takes it back when cleared or dropped.

use std::collections::{BTreeSet, HashMap};

use asl::Timestamp;

use crate::ids::ExecutionKey;

#[derive(Debug, Default)]
pub struct Timers {
    by_due: BTreeSet<(i64, ExecutionKey, u64)>,
    due_of: HashMap<(ExecutionKey, u64), i64>,
    /// The count last added to the gauge.
    published: usize,
}

impl Timers {
    /// Arms (or re-arms) a timer.
    pub fn set(&mut self, key: &ExecutionKey, timer: u64, due: Timestamp) {
        self.cancel(key, timer);
        self.by_due.insert((due.as_millis(), key.clone(), timer));
        self.due_of.insert((key.clone(), timer), due.as_millis());
        self.publish();
    }

    pub fn cancel(&mut self, key: &ExecutionKey, timer: u64) {
        if let Some(due) = self.due_of.remove(&(key.clone(), timer)) {
            self.by_due.remove(&(due, key.clone(), timer));
        }
        self.publish();
    }

    /// Forgets every timer of an execution that ended.
    pub fn cancel_execution(&mut self, key: &ExecutionKey) {
        let ids: Vec<u64> = self
            .due_of
            .keys()
            .filter(|(k, _)| k == key)
            .map(|(_, id)| *id)
            .collect();
        for id in ids {
            self.cancel(key, id);
        }
    }

    pub fn next_due(&self) -> Option<Timestamp> {
        self.by_due.first().map(|(due, _, _)| Timestamp(*due))
    }

    /// Removes and returns every timer due at or before `now`.
    pub fn take_due(&mut self, now: Timestamp) -> Vec<(ExecutionKey, u64)> {
        let mut due = Vec::new();
        while let Some((at, _, _)) = self.by_due.first() {
            if *at > now.as_millis() {
                break;
            }
            if let Some((_, key, id)) = self.by_due.pop_first() {
                self.due_of.remove(&(key.clone(), id));
                due.push((key, id));
            }
        }
        self.publish();
        due
    }

    pub fn clear(&mut self) {
        self.by_due.clear();
        self.due_of.clear();
        self.publish();
    }

    pub fn len(&self) -> usize {
        self.by_due.len()
    }

    fn publish(&mut self) {
        let now = self.by_due.len();
        if now != self.published {
            crate::metrics::record::timers_pending_changed(now as f64 - self.published as f64);
            self.published = now;
        }
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_due_order_and_rearming_moves_them() {
        let mut timers = Timers::default();
        let a = ExecutionKey::new("m", "a");
        let b = ExecutionKey::new("m", "b");
        timers.set(&a, 1, Timestamp(300));
        timers.set(&b, 1, Timestamp(100));
        timers.set(&a, 2, Timestamp(200));
        timers.set(&a, 1, Timestamp(50));
        assert_eq!(timers.next_due(), Some(Timestamp(50)));
        assert_eq!(
            timers.take_due(Timestamp(150)),
            vec![(a.clone(), 1), (b.clone(), 1)]
        );
        timers.cancel(&a, 2);
        assert_eq!(timers.len(), 0);
    }
}
