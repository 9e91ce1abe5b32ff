//! Which state machine ARNs were just seen to be STANDARD, so that StartExecution of a
//! STANDARD machine does not read the state machine twice (once here to learn its type, once
//! more on the Standard path, which may be a call to another node in a cluster).
//!
//! An entry is trusted for [`TRUSTED_FOR`]. A type cannot change, but a machine can be deleted
//! and created again as EXPRESS under the same name: for at most that long, its starts would
//! still take the Standard path (and run durably) instead of the Express one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// How long an ARN seen to be STANDARD is trusted without reading it again.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);
/// Past this many entries the cache starts over (machines are few; this only bounds memory).
const ENTRIES_MAX: usize = 10_000;

#[derive(Debug, Default)]
pub struct StandardMachines {
    seen: Mutex<HashMap<String, Instant>>,
}

impl StandardMachines {
    /// Whether `arn` was seen to be STANDARD within the last [`TRUSTED_FOR`].
    pub fn is_standard(&self, arn: &str) -> bool {
        self.lock()
            .get(arn)
            .is_some_and(|seen| seen.elapsed() < TRUSTED_FOR)
    }

    pub fn remember(&self, arn: &str) {
        let mut seen = self.lock();
        if seen.len() >= ENTRIES_MAX {
            seen.clear();
        }
        seen.insert(arn.to_owned(), Instant::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // A panic while holding this lock leaves only a cache behind: keep using it.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_arn_is_trusted_to_be_standard_for_a_short_while() {
        let cache = StandardMachines::default();
        assert!(!cache.is_standard("arn:m"));
        cache.remember("arn:m");
        assert!(cache.is_standard("arn:m"));
        assert!(!cache.is_standard("arn:other"));
        tokio::time::advance(TRUSTED_FOR).await;
        assert!(!cache.is_standard("arn:m"));
    }
}
