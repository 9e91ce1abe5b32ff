//! The run's two bounds, as semaphores whose permits executions hold.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Result, ensure};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::stats::Limit;

const NEVER_CLOSED: &str = "the limits' semaphores are never closed";

#[derive(Debug)]
pub struct Limits {
    in_flight: Bound,
    tracked: Bound,
}

/// What one execution holds: the in-flight permit until its start is answered, the tracked
/// permit until it is seen to end.
#[derive(Debug)]
pub struct Permits {
    pub in_flight: Held,
    pub tracked: Held,
}

/// One bound: a semaphore, plus a count of holders for display. The semaphore alone cannot
/// tell: a drain waiting for every permit takes them over one by one as they come back.
#[derive(Debug)]
struct Bound {
    permits: Arc<Semaphore>,
    max: u32,
    held: Arc<AtomicU32>,
}

/// A permit of one bound, given back when dropped.
#[derive(Debug)]
pub struct Held {
    _permit: OwnedSemaphorePermit,
    held: Arc<AtomicU32>,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.held.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Bound {
    fn new(max: usize, option: &str) -> Result<Bound> {
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        ensure!(max > 0, "{option} must be at least 1");
        Ok(Bound {
            permits: Arc::new(Semaphore::new(max as usize)),
            max,
            held: Arc::default(),
        })
    }

    fn hold(&self, permit: OwnedSemaphorePermit) -> Held {
        self.held.fetch_add(1, Ordering::Relaxed);
        Held {
            _permit: permit,
            held: Arc::clone(&self.held),
        }
    }

    fn try_acquire(&self) -> Option<Held> {
        let permit = Arc::clone(&self.permits).try_acquire_owned().ok()?;
        Some(self.hold(permit))
    }

    async fn acquire(&self) -> Held {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect(NEVER_CLOSED);
        self.hold(permit)
    }

    fn held(&self) -> u32 {
        self.held.load(Ordering::Relaxed)
    }
}

impl Limits {
    pub fn new(max_in_flight: usize, max_tracked: usize) -> Result<Limits> {
        Ok(Limits {
            in_flight: Bound::new(max_in_flight, "--max-in-flight")?,
            tracked: Bound::new(max_tracked, "--max-tracked")?,
        })
    }

    /// Both permits now, or the bound that is reached (open loop: never wait).
    pub fn try_acquire(&self) -> Result<Permits, Limit> {
        let tracked = self.tracked.try_acquire().ok_or(Limit::Tracked)?;
        let in_flight = self.in_flight.try_acquire().ok_or(Limit::InFlight)?;
        Ok(Permits { in_flight, tracked })
    }

    /// Both permits, waiting for them (closed loop).
    pub async fn acquire(&self) -> Permits {
        let tracked = self.tracked.acquire().await;
        let in_flight = self.in_flight.acquire().await;
        Permits { in_flight, tracked }
    }

    /// StartExecution calls awaiting an answer now.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.held()
    }

    /// Executions started and not yet seen to end (or starting) now.
    pub fn tracked(&self) -> u32 {
        self.tracked.held()
    }

    /// Completes once no execution holds a tracked permit.
    pub async fn all_released(&self) {
        // Taking every permit proves none is held; giving them back at once keeps the limits
        // usable afterwards.
        let all = self.tracked.permits.acquire_many(self.tracked.max).await;
        drop(all.expect(NEVER_CLOSED));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tracked_bound_is_reported_before_the_in_flight_bound() {
        let limits = Limits::new(2, 1).unwrap();
        let held = limits.try_acquire().unwrap();
        assert_eq!(limits.try_acquire().unwrap_err(), Limit::Tracked);
        assert_eq!((limits.in_flight(), limits.tracked()), (1, 1));
        drop(held);
        assert_eq!((limits.in_flight(), limits.tracked()), (0, 0));
    }

    #[test]
    fn in_flight_is_released_on_its_own_when_a_start_is_answered() {
        let limits = Limits::new(1, 5).unwrap();
        let first = limits.try_acquire().unwrap();
        assert_eq!(limits.try_acquire().unwrap_err(), Limit::InFlight);
        drop(first.in_flight);
        let second = limits.try_acquire().unwrap();
        assert_eq!(limits.tracked(), 2);
        drop((first.tracked, second));
    }

    #[tokio::test]
    async fn waiting_for_every_permit_completes_once_all_are_back() {
        let limits = Arc::new(Limits::new(4, 4).unwrap());
        let held = limits.try_acquire().unwrap();
        let waiter = tokio::spawn({
            let limits = Arc::clone(&limits);
            async move { limits.all_released().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        assert_eq!(
            limits.tracked(),
            1,
            "a waiting drain does not count as held"
        );
        drop(held);
        waiter.await.unwrap();
        assert!(limits.try_acquire().is_ok(), "the permits are usable again");
    }
}
