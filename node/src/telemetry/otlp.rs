//! The OpenTelemetry tracer provider that batches finished spans and exports them over
//! OTLP/gRPC.

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};

use super::InitError;
use crate::config::TracingOptions;
use crate::ids::NodeId;

/// How long one export may take before it is given up: the batch is dropped rather than
/// retried forever, so a missing collector never holds spans in memory without bound (the
/// batch queue is bounded too).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the provider; must run inside a Tokio runtime, whose tasks carry the gRPC channel.
pub(super) fn provider(
    endpoint: &str,
    options: &TracingOptions,
    node_id: NodeId,
) -> Result<SdkTracerProvider, InitError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| InitError::Exporter {
            endpoint: endpoint.to_owned(),
            message: e.to_string(),
        })?;
    let batching = BatchConfigBuilder::default()
        .with_scheduled_delay(Duration::from_millis(options.export_delay_ms))
        .build();
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(batching)
        .build();
    let resource = Resource::builder()
        .with_service_name(options.service_name.clone())
        .with_attribute(KeyValue::new("service.instance.id", node_id.to_string()))
        .build();
    // A forwarded request keeps the decision of the node that received it first.
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(options.sample_ratio)));
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(sampler)
        .with_resource(resource)
        .build())
}
