//! The process's metrics recorder: Prometheus, installed once.
//!
//! The `metrics` macros write to one global recorder per process. A process normally runs one
//! node; where tests run several in one process, they share this recorder and every node's
//! endpoint shows the same (summed) series.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::names;

/// Upper bounds of the latency buckets, in seconds: 100 µs (an fsync on an idle disk) up to
/// the 300 s longest activity poll.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

/// Upper bounds of the commands-per-entry buckets (powers of two up to the largest batch).
const COMMAND_BUCKETS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0,
];

/// Why the recorder could not be installed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot install the metrics recorder: {0}")]
pub struct InstallError(String);

static INSTALLED: OnceLock<Result<PrometheusHandle, InstallError>> = OnceLock::new();

/// Installs the Prometheus recorder the first time and registers every description; later
/// calls return the same handle.
pub fn install() -> Result<PrometheusHandle, InstallError> {
    INSTALLED
        .get_or_init(|| {
            let handle = build()?;
            names::describe();
            Ok(handle)
        })
        .clone()
}

fn build() -> Result<PrometheusHandle, InstallError> {
    let error = |e: &dyn std::fmt::Display| InstallError(e.to_string());
    let mut builder = PrometheusBuilder::new();
    // Buckets rather than summaries: bucket counts add up across nodes, quantiles do not.
    for name in names::LATENCY_HISTOGRAMS {
        builder = builder
            .set_buckets_for_metric(Matcher::Full((*name).to_owned()), LATENCY_BUCKETS)
            .map_err(|e| error(&e))?;
    }
    builder = builder
        .set_buckets_for_metric(
            Matcher::Full(names::PROPOSAL_COMMANDS.to_owned()),
            COMMAND_BUCKETS,
        )
        .map_err(|e| error(&e))?;
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|e| error(&e))?;
    Ok(handle)
}
