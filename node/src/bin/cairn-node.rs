//! `cairn-node`: runs one Cairn node.
//!
//! With no arguments it starts a one-node cluster with its data in `./cairn-data`, listening
//! on 127.0.0.1:7310.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use cairn_node::config::{LogFormat, NodeOptions};
use cairn_node::telemetry;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "cairn-node", version, about = "Run a Cairn node")]
struct Args {
    /// A TOML configuration file (see docs/OPERATIONS.md for every key).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where this node keeps its data (overrides `data-dir`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// gRPC listen address, HOST:PORT (overrides `listen`).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Number of shards, fixed when the cluster first starts (overrides `cluster.shards`).
    #[arg(long)]
    shards: Option<u32>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
    /// Prometheus `/metrics` address, HOST:PORT (overrides `metrics.listen`).
    #[arg(long)]
    metrics_listen: Option<std::net::SocketAddr>,
    /// OTLP/gRPC collector that traces go to, such as http://127.0.0.1:4317 (overrides
    /// `tracing.otlp-endpoint`).
    #[arg(long)]
    otlp_endpoint: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = match options(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    // Dropped before the runtime: it exports the last spans through the runtime's tasks.
    let _telemetry = match init_logging(&runtime, &options) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn options(args: &Args) -> anyhow::Result<NodeOptions> {
    let mut options = match &args.config {
        Some(path) => NodeOptions::from_file(path)?,
        None => NodeOptions::default(),
    };
    if let Some(dir) = &args.data_dir {
        options.data_dir = dir.clone();
    }
    if let Some(listen) = args.listen {
        options.listen = listen;
    }
    if let Some(shards) = args.shards {
        options.cluster.shards = shards;
    }
    if args.log_json {
        options.log.format = LogFormat::Json;
    }
    if let Some(listen) = args.metrics_listen {
        options.metrics.listen = listen;
    }
    if let Some(endpoint) = &args.otlp_endpoint {
        options.tracing.otlp_endpoint = Some(endpoint.clone());
    }
    options.validate().context("invalid configuration")?;
    Ok(options)
}

/// Logs, and traces when an OTLP endpoint is configured; inside the runtime, where the span
/// exporter's gRPC channel runs.
fn init_logging(
    runtime: &tokio::runtime::Runtime,
    options: &NodeOptions,
) -> Result<telemetry::Guard, telemetry::InitError> {
    let _entered = runtime.enter();
    telemetry::init(options)
}

async fn run(options: NodeOptions) -> anyhow::Result<()> {
    let node = cairn_node::server::start(options).await?;
    // Printed on stdout so scripts and tests can find the port when listening on port 0.
    println!("cairn-node listening on {}", node.local_addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    node.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
