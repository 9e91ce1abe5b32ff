//! Traces: OpenTelemetry export over OTLP, W3C trace context across gRPC hops, and the spans
//! of the write path.
//!
//! A `StartExecution` trace runs: the API request's span ([`grpc`], continuing a remote
//! parent from `traceparent` when the request was forwarded), the shard request
//! (`shard.request`: queued, proposed, committed, applied), the Raft write of the entry that
//! carries it (`raft.client_write`, with `log_index`), and the effects run after apply
//! (`shard.effects`). See [`spans`].
//!
//! Propagation: the node that forwards a request calls [`inject_current`] on the outgoing
//! metadata, or builds its client with the [`propagate`] interceptor
//! (`ShardsClient::with_interceptor(channel, telemetry::propagate)`); the receiving node's
//! gRPC layer calls [`extract`] on the incoming headers. Both use the W3C
//! `traceparent`/`tracestate` headers, so other tools' spans join in too.

pub mod grpc;
pub mod proposal;
pub mod spans;

mod otlp;
mod subscriber;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tracing_opentelemetry::OpenTelemetrySpanExt;

pub use subscriber::{Guard, InitError, init};

/// Writes `span`'s trace context into outgoing gRPC metadata, so the receiving node continues
/// the trace. Writes nothing when traces are not exported (the span has no trace id).
pub fn inject(span: &tracing::Span, metadata: &mut MetadataMap) {
    TraceContextPropagator::new().inject_context(&span.context(), &mut MetadataInjector(metadata));
}

/// [`inject`] for the span the caller is in.
pub fn inject_current(metadata: &mut MetadataMap) {
    inject(&tracing::Span::current(), metadata);
}

/// A tonic client interceptor that sends the calling span's trace context with every
/// request (interceptors run where the call is made, inside the caller's span).
pub fn propagate(mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
    inject_current(request.metadata_mut());
    Ok(request)
}

/// The trace context that incoming request headers carry; an empty context without one.
pub fn extract(headers: &http::HeaderMap) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// Whether incoming headers carry a trace context at all.
pub fn has_trace_context(headers: &http::HeaderMap) -> bool {
    headers.contains_key("traceparent")
}

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagator writes only `traceparent` and `tracestate`, both valid ASCII keys.
        if let (Ok(key), Ok(value)) = (
            MetadataKey::from_bytes(key.as_bytes()),
            MetadataValue::try_from(value.as_str()),
        ) {
            self.0.insert(key, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::TraceContextExt;

    use super::*;

    #[test]
    fn a_traceparent_header_is_extracted_and_written_back_unchanged() {
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let mut headers = http::HeaderMap::new();
        headers.insert("traceparent", traceparent.parse().unwrap());
        assert!(has_trace_context(&headers));
        let context = extract(&headers);
        let span = context.span();
        let span_context = span.span_context();
        assert!(span_context.is_remote() && span_context.is_sampled());
        assert_eq!(
            span_context.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );

        let mut metadata = MetadataMap::new();
        TraceContextPropagator::new()
            .inject_context(&context, &mut MetadataInjector(&mut metadata));
        assert_eq!(metadata.get("traceparent").unwrap(), traceparent);
    }

    #[test]
    fn without_an_exported_trace_nothing_is_injected() {
        let mut metadata = MetadataMap::new();
        inject(&tracing::Span::none(), &mut metadata);
        assert!(metadata.is_empty());
        assert!(!has_trace_context(&http::HeaderMap::new()));
        let request = propagate(tonic::Request::new(())).unwrap();
        assert!(request.metadata().is_empty());
    }
}
