//! The gRPC server layer: opens each request's span, continuing the caller's trace when the
//! request carries `traceparent`, and records the API metrics (requests by method and status
//! code, and latency by method).
//!
//! The status code of a gRPC call is known only at its end: in the headers of an error that
//! is answered at once, otherwise in the trailers after the last message. The response body
//! is wrapped to read them; a body dropped before its trailers counts as `Canceled` (the
//! client went away). Latency is measured until the response starts, which for a unary call
//! is the whole call and for a stream (`WatchExecution`) its setup.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http_body::{Body, Frame, SizeHint};
use tonic::Code;
use tracing::{Instrument, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{extract, has_trace_context, spans};
use crate::metrics::{names, record};

/// Services whose requests open a span even without a caller's trace: the public API and
/// node-to-node commands. Raft heartbeats and health checks would drown the traces; they are
/// traced only when their caller sends a trace context.
const TRACED_PREFIXES: &[&str] = &["/cairn.v1.", "/cairn.cluster.v1."];

/// Wraps the node's gRPC server; add it with `Server::builder().layer(Layer)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layer;

impl<S> tower_layer::Layer<S> for Layer {
    type Service = Service<S>;

    fn layer(&self, inner: S) -> Service<S> {
        Service { inner }
    }
}

#[derive(Debug, Clone)]
pub struct Service<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>> for Service<S>
where
    S: tower_service::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = http::Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let path = request.uri().path();
        let remote_parent = has_trace_context(request.headers());
        let span = if remote_parent || TRACED_PREFIXES.iter().any(|p| path.starts_with(p)) {
            let span = spans::grpc_request(path);
            if remote_parent {
                // Fails only when no OpenTelemetry layer is installed: nothing to continue.
                let _ = span.set_parent(extract(request.headers()));
            }
            span
        } else {
            Span::none()
        };
        let call = Call {
            method: path.strip_prefix('/').unwrap_or(path).to_owned(),
            span: span.clone(),
            started: Instant::now(),
        };
        let response = self.inner.call(request).instrument(span);
        Box::pin(async move { Ok(call.respond(response.await?)) })
    }
}

/// A request being answered.
struct Call {
    /// `package.Service/Method`, as the request named it.
    method: String,
    span: Span,
    started: Instant,
}

impl Call {
    fn respond<B>(mut self, response: http::Response<B>) -> http::Response<ObservedBody<B>> {
        let immediate = status_code(response.headers());
        if immediate == Some(Code::Unimplemented) {
            // Not a method this server serves: never a label value of its own, so unknown
            // paths cannot grow the series count.
            names::METHOD_UNKNOWN.clone_into(&mut self.method);
        }
        record::api_request_duration(&self.method, self.started.elapsed());
        let pending = match immediate {
            Some(code) => {
                self.finish(code);
                None
            }
            None => Some(self),
        };
        response.map(|inner| ObservedBody { inner, pending })
    }

    fn finish(self, code: Code) {
        record::api_request(&self.method, code_name(code));
        self.span.record("rpc.grpc.status_code", code as i32);
        if is_server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
    }
}

/// A response body that records the call's status code from its trailers.
pub struct ObservedBody<B> {
    inner: B,
    pending: Option<Call>,
}

impl<B> ObservedBody<B> {
    fn finish(&mut self, code: Code) {
        if let Some(call) = self.pending.take() {
            call.finish(code);
        }
    }
}

impl<B> Drop for ObservedBody<B> {
    fn drop(&mut self) {
        self.finish(Code::Cancelled);
    }
}

impl<B: Body + Unpin> Body for ObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    let code = status_code(trailers).unwrap_or(Code::Unknown);
                    self.finish(code);
                }
            }
            Poll::Ready(Some(Err(_))) => self.finish(Code::Internal),
            // Every gRPC response ends with trailers; one without is not a success.
            Poll::Ready(None) => self.finish(Code::Unknown),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

fn status_code(headers: &http::HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?;
    value.parse::<i32>().ok().map(Code::from)
}

/// Status codes that mean the server failed (OpenTelemetry's rule for gRPC server spans);
/// the others are the caller's errors.
fn is_server_error(code: Code) -> bool {
    matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    )
}

/// The status code names gRPC libraries print (`OK`, `NotFound`, …), as metric label values.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_read_from_headers_and_trailers() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(status_code(&headers), None);
        headers.insert("grpc-status", "5".parse().unwrap());
        assert_eq!(status_code(&headers), Some(Code::NotFound));
        assert_eq!(code_name(Code::NotFound), "NotFound");
        assert_eq!(code_name(Code::Ok), "OK");
        assert!(!is_server_error(Code::NotFound) && is_server_error(Code::Internal));
    }
}
