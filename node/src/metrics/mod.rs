//! Prometheus metrics: every name in [`names`], the measurements taken on the write path in
//! [`record`], gauges sampled on an interval, and the `/metrics` endpoint.
//!
//! Start-up order: [`Endpoint::bind`] first, which installs the recorder (so that storage and
//! Raft record from their first write) and binds the listener; then [`Endpoint::serve`] once
//! the shards exist, which starts serving scrapes and sampling gauges. [`Running::stop`] stops
//! both once the node is down.

pub mod names;
pub mod record;

mod endpoint;
mod recorder;
mod sampler;

use std::net::SocketAddr;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use recorder::InstallError;
pub use sampler::{HostedShard, HostedShards, Sources};

use crate::config::MetricsOptions;

/// Why metrics could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error("cannot listen for metrics on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// The metrics endpoint, bound but not serving yet; inert when metrics are disabled.
#[derive(Debug)]
pub struct Endpoint {
    bound: Option<Bound>,
}

#[derive(Debug)]
struct Bound {
    listener: TcpListener,
    handle: PrometheusHandle,
    sample_interval: Duration,
}

impl Endpoint {
    /// Installs the recorder and binds `metrics.listen`, unless metrics are disabled.
    pub async fn bind(options: &MetricsOptions) -> Result<Endpoint, Error> {
        if !options.enabled {
            return Ok(Endpoint { bound: None });
        }
        let handle = recorder::install()?;
        record::register_known_series();
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|source| Error::Listen {
                address: options.listen,
                source,
            })?;
        Ok(Endpoint {
            bound: Some(Bound {
                listener,
                handle,
                sample_interval: Duration::from_millis(options.sample_interval_ms),
            }),
        })
    }

    /// Starts serving scrapes and sampling `sources`.
    pub fn serve(self, sources: Sources) -> Running {
        let Some(bound) = self.bound else {
            return Running {
                local_addr: None,
                endpoint: None,
                sampler: None,
                stop: None,
            };
        };
        let local_addr = bound.listener.local_addr().ok();
        let (stop, stopped) = watch::channel(false);
        let endpoint = tokio::spawn(endpoint::serve(bound.listener, bound.handle.clone()));
        let sampler = tokio::spawn(sampler::run(
            sources,
            bound.handle,
            bound.sample_interval,
            stopped,
        ));
        if let Some(address) = local_addr {
            tracing::info!(%address, "serving metrics at /metrics");
        }
        Running {
            local_addr,
            endpoint: Some(endpoint),
            sampler: Some(sampler),
            stop: Some(stop),
        }
    }
}

/// The serving endpoint and the sampler.
#[derive(Debug)]
pub struct Running {
    local_addr: Option<SocketAddr>,
    endpoint: Option<JoinHandle<()>>,
    sampler: Option<JoinHandle<()>>,
    stop: Option<watch::Sender<bool>>,
}

impl Running {
    /// Where `/metrics` is served; `None` when metrics are disabled.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// Stops serving and sampling, and waits for a sample in progress: it reads the
    /// database, which must be closed when the node has stopped (a restart reopens it).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(sampler) = self.sampler.take() {
            let _ = sampler.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in [&self.endpoint, &self.sampler].into_iter().flatten() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{DEFAULT_METRICS_LISTEN, NodeOptions};

    #[test]
    fn metrics_and_tracing_keys_parse_with_documented_defaults() {
        let defaults = NodeOptions::default();
        assert!(defaults.metrics.enabled);
        assert_eq!(defaults.metrics.listen.to_string(), DEFAULT_METRICS_LISTEN);
        assert_eq!(defaults.tracing.otlp_endpoint, None);
        assert_eq!(defaults.tracing.service_name, "cairn-node");

        let options: NodeOptions = toml::from_str(
            "[metrics]\nlisten = \"0.0.0.0:9100\"\n\
             [tracing]\notlp-endpoint = \"http://collector:4317\"\nsample-ratio = 0.25",
        )
        .unwrap();
        options.validate().unwrap();
        assert_eq!(options.metrics.listen.port(), 9100);
        assert_eq!(
            options.tracing.otlp_endpoint.as_deref(),
            Some("http://collector:4317")
        );
        let disabled: NodeOptions = toml::from_str("[metrics]\nenabled = false").unwrap();
        assert!(!disabled.metrics.enabled);
    }

    #[test]
    fn invalid_tracing_settings_name_their_key() {
        let mut options = NodeOptions::default();
        options.tracing.sample_ratio = 1.5;
        let error = options.validate().unwrap_err().to_string();
        assert!(error.contains("tracing.sample-ratio"), "{error}");

        let mut options = NodeOptions::default();
        options.tracing.otlp_endpoint = Some("collector:4317".into());
        let error = options.validate().unwrap_err().to_string();
        assert!(error.contains("tracing.otlp-endpoint"), "{error}");

        let mut options = NodeOptions::default();
        options.tracing.filter = "cairn_node=loud".into();
        let error = options.validate().unwrap_err().to_string();
        assert!(error.contains("tracing.filter"), "{error}");
    }
}
