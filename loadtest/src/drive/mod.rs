//! Generating the load: the open-loop schedule or the closed-loop clients, both running
//! executions through [`execute`] under the run's bounds, then draining.

mod closed_loop;
mod execute;
mod limits;
mod open_loop;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::shutdown::Shutdown;
use crate::stats::Stats;
use crate::tracking::Tracker;

pub use closed_loop::closed_loop;
pub use limits::Limits;
pub use open_loop::open_loop;

/// What every execution of the run shares.
#[derive(Debug)]
pub struct Context {
    pub tracker: Tracker,
    pub stats: Arc<Stats>,
    pub limits: Limits,
    /// How long one execution is followed before it counts as lost.
    pub completion_timeout: Duration,
    pub shutdown: Shutdown,
    names: Names,
}

impl Context {
    pub fn new(
        tracker: Tracker,
        stats: Arc<Stats>,
        limits: Limits,
        completion_timeout: Duration,
        shutdown: Shutdown,
        run_id: &str,
    ) -> Context {
        Context {
            tracker,
            stats,
            limits,
            completion_timeout,
            shutdown,
            names: Names::new(run_id),
        }
    }
}

/// Execution names: the run id and a sequence number, unique within the run (whose state
/// machine is itself unique to the run, so reruns never meet ExecutionAlreadyExists).
#[derive(Debug)]
struct Names {
    run_id: String,
    next: AtomicU64,
}

impl Names {
    fn new(run_id: &str) -> Names {
        Names {
            run_id: run_id.to_owned(),
            next: AtomicU64::new(0),
        }
    }

    fn next(&self) -> String {
        let sequence = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}-{sequence}", self.run_id)
    }
}

/// Waits up to `timeout` for every execution still being followed to end. Returns whether
/// all did; the caller stops the rest.
pub async fn drain(context: &Context, timeout: Duration) -> bool {
    tokio::time::timeout(timeout, context.limits.all_released())
        .await
        .is_ok()
}

/// After the shutdown signal: waits for every task to record how it was left.
pub async fn settle(context: &Context) {
    context.limits.all_released().await;
}
