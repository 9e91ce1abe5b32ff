//! Closed loop: a fixed number of clients, each starting its next execution when the last
//! one ended.

use std::sync::Arc;

use tokio::time::Instant;

use super::Context;
use super::execute::execute;

/// Runs `clients` clients until `until`, then returns once each has seen its last execution
/// end (or the shutdown signal).
pub async fn closed_loop(context: Arc<Context>, clients: usize, until: Instant) {
    let running: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client(Arc::clone(&context), until)))
        .collect();
    for client in running {
        // A client only ends by returning; a panic inside one is already reported by tokio.
        let _ = client.await;
    }
}

async fn client(context: Arc<Context>, until: Instant) {
    loop {
        if Instant::now() >= until {
            return;
        }
        let permits = tokio::select! {
            biased;
            () = context.shutdown.wait() => return,
            permits = context.limits.acquire() => permits,
        };
        // Closed-loop latency starts when the request leaves: there is no schedule to fall
        // behind, the clients simply slow down with the server.
        let sent = Instant::now();
        if sent >= until {
            return;
        }
        context.stats.offered(sent);
        execute(Arc::clone(&context), sent, permits).await;
        if context.shutdown.is_fired() {
            return;
        }
    }
}
