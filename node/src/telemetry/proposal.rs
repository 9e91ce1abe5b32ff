//! One Raft proposal as the shard actor sees it: the `raft.client_write` span and the
//! batch-size and propose-to-commit metrics.

use std::time::Instant;

use tracing::field::Empty;
use tracing::{Span, info_span};

use crate::ids::ShardId;
use crate::metrics::record;

/// Started when the actor proposes an entry; finished when `client_write` returns.
#[derive(Debug)]
pub struct Proposal {
    span: Span,
    requests: Vec<Span>,
    started: Instant,
}

impl Proposal {
    /// `requests` are the spans of the requests batched into the entry. The entry's span is a
    /// child of the first traced one and follows from the others, so every request's trace
    /// reaches it.
    pub fn begin<'a>(
        shard: ShardId,
        commands: usize,
        requests: impl IntoIterator<Item = &'a Span>,
    ) -> Proposal {
        record::proposal(commands);
        let requests: Vec<Span> = requests
            .into_iter()
            .filter(|span| !span.is_none())
            .cloned()
            .collect();
        let span = match requests.first() {
            Some(parent) => info_span!(
                parent: parent,
                "raft.client_write",
                shard = shard.0,
                commands,
                log_index = Empty,
            ),
            // Nobody traces this entry (timers firing): no root span of its own either.
            None => Span::none(),
        };
        for other in requests.iter().skip(1) {
            span.follows_from(other);
        }
        Proposal {
            span,
            requests,
            started: Instant::now(),
        }
    }

    /// The span to run `client_write` in.
    pub fn span(&self) -> Span {
        self.span.clone()
    }

    /// `client_write` returned: committed and applied at `log_index`, or failed (`None`).
    pub fn finish(self, log_index: Option<u64>) {
        record::proposal_done(self.started.elapsed());
        if let Some(index) = log_index {
            self.span.record("log_index", index);
            for request in &self.requests {
                request.record("log_index", index);
            }
        }
    }
}
