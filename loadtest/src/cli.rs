//! The command line: every option, with its default, as `--help` shows it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use clap::{ArgGroup, Parser};

use crate::stats::seconds;
use crate::workload::WorkloadKind;

const ABOUT: &str = "Load generator for Cairn clusters (Amazon States Language executions)";

const LONG_ABOUT: &str = "\
Load generator for Cairn clusters (Amazon States Language executions).

Creates its own state machine (and activity) named after a fresh run id, runs executions
against any node for a warm-up and a measurement window, waits for the ones still running,
and reports accepted starts/s, completed executions/s, start-acknowledge and
start-to-complete latency (p50, p90, p99, p99.9, max), errors by gRPC code and Cairn error
name, backpressure, and committed transitions/s when the nodes' metrics offer them.

Two ways to drive the load:
  --rate N         open loop: N starts per second on a fixed schedule. A slow server shows up
                   as latency, measured from each start's scheduled time, never as a lower
                   offered rate. Starts that find --max-in-flight or --max-tracked reached are
                   not sent and are counted as backpressure.
  --concurrency N  closed loop: N clients, each starting its next execution when its last one
                   ended. Latency is measured from the moment each start is sent.

Figures count the executions scheduled inside the measurement window; the per-second series
(JSON and HTML) runs from the window's start through the drain.";

const AFTER_HELP: &str = "\
Examples:
  cairn-loadtest --workload pass3 --rate 200 --duration 30
  cairn-loadtest --workload activity3 --concurrency 8 --workers 16 --duration 30
  cairn-loadtest --endpoint http://10.0.0.1:7310 --endpoint http://10.0.0.2:7310 \\
      --workload wait --rate 500 --metrics-url http://10.0.0.1:9090/metrics \\
      --json run.json --html run.html
  cairn-loadtest --workload custom --definition flow.asl.json --input @input.json --rate 50";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "cairn-loadtest",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    group(ArgGroup::new("mode").required(true).args(["rate", "concurrency"])),
)]
pub struct Args {
    /// gRPC endpoint of a Cairn node, http://HOST:PORT. Repeat the option to spread the load
    /// over several nodes (any node accepts any request).
    #[arg(
        long = "endpoint",
        value_name = "URL",
        default_value = "http://127.0.0.1:7310",
        action = clap::ArgAction::Append
    )]
    pub endpoints: Vec<String>,

    /// HTTP/2 connections opened to each endpoint; calls are spread over them round-robin.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub connections: usize,

    /// Send every call round-robin over the endpoints instead of to the endpoint that leads
    /// the execution's shard (learned from GetClusterInfo every 2 s). The node that gets a
    /// call it does not lead forwards it, so this measures that extra hop.
    #[arg(long)]
    pub no_routing: bool,

    /// What each execution runs. The state machine (and activity) is created by the tool
    /// under a name unique to the run.
    #[arg(long, value_enum, default_value_t = WorkloadKind::Pass3)]
    pub workload: WorkloadKind,

    /// Open loop: starts per second on a fixed arrival schedule (fractions allowed).
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,

    /// Closed loop: the number of clients, each running one execution at a time.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// Seconds of load before measuring starts; executions started then are left out of
    /// every figure.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub warmup: f64,

    /// Seconds of measured load. The run then waits (up to --drain-timeout) for executions
    /// still running, reports and exits.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub duration: f64,

    /// The most StartExecution calls awaiting an answer at once.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_in_flight: usize,

    /// The most started executions followed to their end at once (each holds one
    /// DescribeExecution call or WatchExecution stream). Raise it for long executions at
    /// high rates: about rate × execution time is needed.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_tracked: usize,

    /// Built-in activity workers (activity3, or a custom definition using ${ACTIVITY_ARN}),
    /// each long-polling GetActivityTask and answering at once with the task's input.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub workers: usize,

    /// The state machine of --workload custom: an ASL JSON file. The text ${ACTIVITY_ARN}
    /// in it is replaced by an activity the built-in workers serve.
    #[arg(long, value_name = "FILE")]
    pub definition: Option<PathBuf>,

    /// Execution input: JSON text, or @FILE. Defaults to the workload's own input ({} for
    /// custom).
    #[arg(long, value_name = "JSON|@FILE")]
    pub input: Option<String>,

    /// Prometheus endpoint of a node, http://HOST:PORT/metrics, read every second for the
    /// counter cairn_transitions_committed_total. Repeat for every node of the cluster; the
    /// figure is left out (with the reason) when an endpoint or the counter is missing.
    #[arg(long = "metrics-url", value_name = "URL", action = clap::ArgAction::Append)]
    pub metrics_urls: Vec<String>,

    /// Write the report as JSON here, with the per-second time series.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write a self-contained HTML report here, with throughput and latency charts.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Seconds to wait after the window for executions still running; the rest are counted
    /// as unfinished.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub drain_timeout: f64,

    /// Seconds one execution is followed before it counts as lost (error WatchExecution
    /// DeadlineExceeded).
    #[arg(long, value_name = "SECS", default_value_t = 300.0)]
    pub completion_timeout: f64,

    /// Deadline in seconds of each unary call (StartExecution, DescribeExecution,
    /// SendTaskSuccess, setup calls).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub request_timeout: f64,

    /// Do not draw the live progress line (it is hidden anyway when stderr is not a
    /// terminal).
    #[arg(long)]
    pub no_progress: bool,
}

/// The options as the run uses them, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub warmup: Duration,
    pub duration: Duration,
    pub drain_timeout: Duration,
    pub completion_timeout: Duration,
    pub request_timeout: Duration,
}

impl Args {
    pub fn settings(&self) -> Result<Settings> {
        let positive = |value: f64, option: &str| -> Result<Duration> {
            let duration = seconds(value)
                .with_context(|| format!("{option} must be a number of seconds, not {value}"))?;
            Ok(duration)
        };
        if let Some(rate) = self.rate {
            ensure!(rate.is_finite() && rate > 0.0, "--rate must be above 0");
        }
        if let Some(clients) = self.concurrency {
            ensure!(clients > 0, "--concurrency must be at least 1");
        }
        let settings = Settings {
            warmup: positive(self.warmup, "--warmup")?,
            duration: positive(self.duration, "--duration")?,
            drain_timeout: positive(self.drain_timeout, "--drain-timeout")?,
            completion_timeout: positive(self.completion_timeout, "--completion-timeout")?,
            request_timeout: positive(self.request_timeout, "--request-timeout")?,
        };
        ensure!(!settings.duration.is_zero(), "--duration must be above 0");
        ensure!(
            !settings.request_timeout.is_zero(),
            "--request-timeout must be above 0"
        );
        ensure!(
            self.workload == WorkloadKind::Custom || self.definition.is_none(),
            "--definition is only for --workload custom"
        );
        ensure!(
            self.workload != WorkloadKind::Custom || self.definition.is_some(),
            "--workload custom needs --definition FILE"
        );
        Ok(settings)
    }

    pub fn mode_name(&self) -> &'static str {
        if self.rate.is_some() {
            "open-loop"
        } else {
            "closed-loop"
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("cairn-loadtest").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn exactly_one_of_rate_and_concurrency_is_required() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--rate", "10", "--concurrency", "2"]).is_err());
        let open = parse(&["--rate", "10"]).unwrap();
        assert_eq!(open.mode_name(), "open-loop");
        assert_eq!(open.endpoints, vec!["http://127.0.0.1:7310".to_owned()]);
        let closed = parse(&["--concurrency", "2"]).unwrap();
        assert_eq!(closed.mode_name(), "closed-loop");
    }

    #[test]
    fn endpoints_and_metrics_urls_repeat() {
        let args = parse(&[
            "--rate",
            "1",
            "--endpoint",
            "http://a:1",
            "--endpoint",
            "http://b:2",
            "--metrics-url",
            "http://a:9/metrics",
        ])
        .unwrap();
        assert_eq!(args.endpoints, vec!["http://a:1", "http://b:2"]);
        assert_eq!(args.metrics_urls, vec!["http://a:9/metrics"]);
    }

    #[test]
    fn nonsense_values_are_refused_before_the_run() {
        for bad in [
            vec!["--rate", "0"],
            vec!["--rate", "5", "--duration=-1"],
            vec!["--rate", "5", "--duration", "0"],
            vec!["--concurrency", "0"],
            vec!["--rate", "5", "--workload", "custom"],
            vec!["--rate", "5", "--definition", "x.json"],
        ] {
            let args = parse(&bad).unwrap();
            assert!(args.settings().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn express_sync_is_a_workload_like_the_others() {
        let args = parse(&["--rate", "5", "--workload", "express-sync"]).unwrap();
        assert!(args.settings().is_ok());
    }

    #[test]
    fn every_option_is_documented() {
        let command = Args::command();
        for arg in command.get_arguments() {
            assert!(
                arg.get_help().is_some() || arg.get_long_help().is_some(),
                "--{} has no help",
                arg.get_id()
            );
        }
    }
}
