//! One execution from start to end, recorded against the time it was scheduled.

use std::sync::Arc;

use tokio::time::Instant;

use super::Context;
use super::limits::Permits;
use crate::errors::ErrorKind;
use crate::stats::Ending;

/// Starts an execution and follows it to its end. Latencies are measured from `scheduled`:
/// in the open loop that is the due time on the fixed schedule, so time spent waiting on a
/// slow server (or on this process) counts against the server rather than vanishing.
pub async fn execute(context: Arc<Context>, scheduled: Instant, permits: Permits) {
    let Permits { in_flight, tracked } = permits;
    let name = context.names.next();
    let started = tokio::select! {
        biased;
        () = context.shutdown.wait() => {
            context.stats.start_unanswered(scheduled);
            return;
        }
        started = context.tracker.start(name) => started,
    };
    drop(in_flight);
    let execution_arn = match started {
        Ok(started) => {
            context.stats.start_accepted(scheduled, Instant::now());
            if let Some(ending) = started.ending {
                // A synchronous start answers once the execution has ended.
                context.stats.finished(scheduled, Instant::now(), ending);
                drop(tracked);
                return;
            }
            started.execution_arn
        }
        Err(kind) => {
            context.stats.start_failed(scheduled, Instant::now(), kind);
            return;
        }
    };
    let followed = tokio::time::timeout(
        context.completion_timeout,
        context.tracker.follow(&execution_arn),
    );
    let ending = tokio::select! {
        biased;
        () = context.shutdown.wait() => {
            context.stats.unfinished(scheduled);
            return;
        }
        followed = followed => followed
            .unwrap_or_else(|_elapsed| Ending::Lost(ErrorKind::local_timeout("WatchExecution"))),
    };
    context.stats.finished(scheduled, Instant::now(), ending);
    drop(tracked);
}
