//! The spans of the write path, in one place so their names and fields stay consistent.
//!
//! Each carries `shard`, and where it concerns one execution, `execution` (its state machine
//! and execution names: identifiers, never payloads) and `log_index` once the entry is known.
//! All are at INFO so that the configured log filter also decides what is exported.

use tracing::field::Empty;
use tracing::{Span, info_span};

use crate::ids::{ExecutionKey, ShardId};

/// A gRPC request served by this node; `path` is `/package.Service/Method`.
pub fn grpc_request(path: &str) -> Span {
    let name = path.strip_prefix('/').unwrap_or(path);
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    info_span!(
        "grpc.request",
        otel.name = name,
        otel.kind = "server",
        otel.status_code = Empty,
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        rpc.grpc.status_code = Empty,
    )
}

/// What a shard request does, as its exported span is named.
pub const SHARD_START: &str = "shard.start";
pub const SHARD_INPUT: &str = "shard.input";

/// A request to a shard's actor, from the caller's side: it waits in the shard's queue, is
/// proposed, committed and applied, and answered. `operation` is [`SHARD_START`] or
/// [`SHARD_INPUT`]. Traced only inside a traced caller (an API request, a traced effect):
/// a background task's request would otherwise open a trace of its own each time.
pub fn shard_request(shard: ShardId, operation: &'static str, execution: &ExecutionKey) -> Span {
    if Span::current().is_none() {
        return Span::none();
    }
    info_span!(
        "shard.request",
        otel.name = operation,
        shard = shard.0,
        execution = %execution,
        log_index = Empty,
    )
}

/// The effects of one committed transition, run on the leader after apply, inside the
/// request's span; none for requests nobody traces (timers).
pub fn effects(request: &Span, shard: ShardId, effects: usize) -> Span {
    if request.is_none() {
        return Span::none();
    }
    info_span!(parent: request, "shard.effects", shard = shard.0, effects)
}
