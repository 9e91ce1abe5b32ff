//! The run's two bounds, as semaphores whose permits executions hold.

use std::sync::Arc;

use anyhow::{Result, ensure};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::stats::Limit;

#[derive(Debug)]
pub struct Limits {
    in_flight: Arc<Semaphore>,
    tracked: Arc<Semaphore>,
    max_in_flight: u32,
    max_tracked: u32,
}

/// What one execution holds: the in-flight permit until its start is answered, the tracked
/// permit until it is seen to end.
#[derive(Debug)]
pub struct Permits {
    pub in_flight: OwnedSemaphorePermit,
    pub tracked: OwnedSemaphorePermit,
}

impl Limits {
    pub fn new(max_in_flight: usize, max_tracked: usize) -> Result<Limits> {
        let max_in_flight = u32::try_from(max_in_flight).unwrap_or(u32::MAX);
        let max_tracked = u32::try_from(max_tracked).unwrap_or(u32::MAX);
        ensure!(max_in_flight > 0, "--max-in-flight must be at least 1");
        ensure!(max_tracked > 0, "--max-tracked must be at least 1");
        Ok(Limits {
            in_flight: Arc::new(Semaphore::new(max_in_flight as usize)),
            tracked: Arc::new(Semaphore::new(max_tracked as usize)),
            max_in_flight,
            max_tracked,
        })
    }

    /// Both permits now, or the bound that is reached (open loop: never wait).
    pub fn try_acquire(&self) -> Result<Permits, Limit> {
        let tracked = Arc::clone(&self.tracked)
            .try_acquire_owned()
            .map_err(|_| Limit::Tracked)?;
        let in_flight = Arc::clone(&self.in_flight)
            .try_acquire_owned()
            .map_err(|_| Limit::InFlight)?;
        Ok(Permits { in_flight, tracked })
    }

    /// Both permits, waiting for them (closed loop).
    pub async fn acquire(&self) -> Permits {
        const NEVER_CLOSED: &str = "the limits' semaphores are never closed";
        let tracked = Arc::clone(&self.tracked)
            .acquire_owned()
            .await
            .expect(NEVER_CLOSED);
        let in_flight = Arc::clone(&self.in_flight)
            .acquire_owned()
            .await
            .expect(NEVER_CLOSED);
        Permits { in_flight, tracked }
    }

    /// StartExecution calls awaiting an answer now.
    pub fn in_flight(&self) -> u32 {
        self.max_in_flight - self.in_flight.available_permits() as u32
    }

    /// Executions started and not yet seen to end (or starting) now.
    pub fn tracked(&self) -> u32 {
        self.max_tracked - self.tracked.available_permits() as u32
    }

    /// Completes once no execution holds a tracked permit.
    pub async fn all_released(&self) {
        // Taking every permit proves none is held; giving them back at once keeps the limits
        // usable afterwards.
        if let Ok(all) = self.tracked.acquire_many(self.max_tracked).await {
            drop(all);
        }
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
}
