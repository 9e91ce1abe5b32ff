//! The process's `tracing` subscriber: log lines (text or JSON) on stderr, plus OpenTelemetry
//! export when `tracing.otlp-endpoint` is set. Each has its own filter (`log.filter`, which
//! `RUST_LOG` overrides, and `tracing.filter`), so quieting the logs never silences traces.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use super::otlp;
use crate::config::{LogFormat, NodeOptions};

/// Why the subscriber could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("cannot set up the OTLP exporter for {endpoint}: {message}")]
    Exporter { endpoint: String, message: String },
    #[error("cannot install the tracing subscriber: {0}")]
    Install(String),
}

/// Keeps the exporter running; dropping it exports the spans still buffered (blocking, up
/// to the export timeout) and stops it.
#[derive(Debug)]
pub struct Guard {
    provider: Option<SdkTracerProvider>,
}

impl Guard {
    /// Exports every finished span now; blocks until the collector answered or the export
    /// timed out. Call it outside async code, or with a multi-threaded runtime.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(e) = provider.force_flush()
        {
            tracing::warn!(error = %e, "cannot export spans");
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("warning: the span exporter did not stop cleanly: {e}");
        }
    }
}

/// The modules that make the spans of the write path (`telemetry::spans`, `telemetry::proposal`).
/// They exist to be exported: log lines carry their own fields.
const TRACE_SPAN_TARGETS: [&str; 2] = [
    "cairn_node::telemetry::spans",
    "cairn_node::telemetry::proposal",
];

/// `filter` with the write path's spans turned off for log lines. Formatting a span's
/// fields for the log costs on every request (a few per cent of a loaded node's CPU); with
/// no exporter installed either, the spans are then not created at all.
fn without_trace_spans(filter: EnvFilter) -> EnvFilter {
    TRACE_SPAN_TARGETS.iter().fold(filter, |filter, target| {
        filter.add_directive(
            format!("{target}=off")
                .parse()
                .expect("a target with a level is a directive"),
        )
    })
}

/// Installs the global subscriber for `options.log` and `options.tracing`. With an OTLP
/// endpoint it must run inside a Tokio runtime (the exporter's gRPC channel lives there).
pub fn init(options: &NodeOptions) -> Result<Guard, InitError> {
    let log_filter = without_trace_spans(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&options.log.filter)),
    );
    let provider = match &options.tracing.otlp_endpoint {
        Some(endpoint) => Some(otlp::provider(endpoint, &options.tracing, options.node_id)?),
        None => None,
    };
    let export = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("cairn-node"))
            .with_tracked_inactivity(false)
            .with_filter(EnvFilter::new(&options.tracing.filter))
    });
    let registry = tracing_subscriber::registry().with(export);
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let installed = match options.log.format {
        LogFormat::Json => registry
            .with(stderr.json().with_filter(log_filter))
            .try_init(),
        LogFormat::Text => registry.with(stderr.with_filter(log_filter)).try_init(),
    };
    installed.map_err(|e| InitError::Install(e.to_string()))?;
    Ok(Guard { provider })
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn log_lines_do_not_create_the_write_path_spans_but_keep_other_spans() {
        let logs = tracing_subscriber::fmt::layer()
            .with_writer(std::io::sink)
            .with_filter(without_trace_spans(EnvFilter::new("info")));
        let subscriber = tracing_subscriber::registry().with(logs);
        tracing::subscriber::with_default(subscriber, || {
            assert!(
                crate::telemetry::spans::grpc_request("/cairn.v1.Executions/Start").is_disabled()
            );
            assert!(!tracing::info_span!("elsewhere").is_disabled());
        });
    }
}
