//! Open loop: starts leave on a fixed schedule whatever the server does.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::Context;
use super::execute::execute;
use crate::schedule::Schedule;

/// Sends every start of `schedule` that falls within `span` of `begin`, then returns (the
/// executions it started may still be running). A start that finds a bound reached is counted
/// as backpressure and not sent: delaying it would lower the offered rate unseen.
pub async fn open_loop(context: Arc<Context>, schedule: Schedule, begin: Instant, span: Duration) {
    let total = schedule.count_within(span);
    let mut next = 0;
    while next < total {
        let due = begin + schedule.offset(next);
        tokio::select! {
            biased;
            () = context.shutdown.wait() => return,
            () = tokio::time::sleep_until(due) => {}
        }
        // The timer wakes at millisecond granularity, and late when the process is busy:
        // send everything due by now, each still measured from its own due time.
        let due_now = schedule.due_by(Instant::now().saturating_duration_since(begin));
        while next < due_now.min(total) {
            dispatch(&context, begin + schedule.offset(next));
            next += 1;
        }
    }
}

fn dispatch(context: &Arc<Context>, scheduled: Instant) {
    context.stats.offered(scheduled);
    match context.limits.try_acquire() {
        Ok(permits) => {
            tokio::spawn(execute(Arc::clone(context), scheduled, permits));
        }
        Err(limit) => context.stats.backpressure(limit, scheduled),
    }
}
