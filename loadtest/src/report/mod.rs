//! The run's report: one value built once the run is over, written as text, JSON and HTML.

mod charts;
mod html;
mod text;

use serde::Serialize;

use crate::errors::ErrorKind;
use crate::metrics::{self, Scraped};
use crate::stats::latency::Percentiles;
use crate::stats::series::Point;
use crate::stats::{Recorded, Totals, per_second};

pub use html::render as html;
pub use text::render as text;

/// What produced the figures: enough to rerun it and to read the figures right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunConfig {
    /// `open-loop` or `closed-loop`.
    pub mode: &'static str,
    /// Open loop: starts per second.
    pub rate: Option<f64>,
    /// Closed loop: clients.
    pub concurrency: Option<usize>,
    pub workload: &'static str,
    pub state_machine_arn: String,
    pub endpoints: Vec<String>,
    pub connections_per_endpoint: usize,
    /// Shards whose leader was among the endpoints when the run began: calls about their
    /// executions went straight to it (0 with `--no-routing`).
    pub routed_shards: usize,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub max_in_flight: usize,
    pub max_tracked: usize,
    pub workers: usize,
    pub drain_timeout_s: f64,
    pub completion_timeout_s: f64,
    pub request_timeout_s: f64,
    pub metrics_urls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub tool: &'static str,
    pub version: &'static str,
    pub run_id: String,
    /// The command line as given, quoted for a POSIX shell.
    pub command_line: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub config: RunConfig,
    pub summary: Summary,
    pub latency_ms: LatencyReport,
    /// Every kind of failure seen, most frequent first.
    pub errors: Vec<ErrorCount>,
    /// One point per second from the start of the measurement window, drain included.
    pub series: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The measurement window's length (shorter than asked if the run was interrupted).
    pub measured_s: f64,
    pub interrupted: bool,
    /// Whether every started execution was seen to end before the drain timeout.
    pub drained: bool,
    /// Counts over the executions scheduled in the window.
    #[serde(flatten)]
    pub totals: Totals,
    pub backpressure: u64,
    pub errors: u64,
    /// Starts acknowledged during the window, per second.
    pub accepted_starts_per_s: f64,
    /// Executions that ended during the window, per second.
    pub completed_per_s: f64,
    pub activity_tasks_answered: u64,
    pub transitions: Transitions,
}

/// Committed transitions per second from the nodes' metrics, when they offer them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transitions {
    pub per_s: Option<f64>,
    /// Why `per_s` is missing (no --metrics-url, endpoint down, counter absent).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyReport {
    /// From the scheduled send time to the StartExecution answer.
    pub start_ack: Percentiles,
    /// From the scheduled send time to the moment the execution was seen to end.
    pub start_to_complete: Percentiles,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCount {
    #[serde(flatten)]
    pub kind: ErrorKind,
    pub count: u64,
}

/// How the run went, beside what was recorded.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub interrupted: bool,
    pub drained: bool,
}

/// Where and when the run happened.
#[derive(Debug, Clone)]
pub struct Identity {
    pub run_id: String,
    pub command_line: String,
    pub started_at: String,
}

pub fn build(
    identity: Identity,
    config: RunConfig,
    recorded: Recorded,
    scraped: Option<Scraped>,
    outcome: Outcome,
) -> Report {
    let measured_s = recorded.window.length_s();
    let mut series = recorded.series;
    let transitions = match scraped {
        None => Transitions {
            per_s: None,
            note: Some("no --metrics-url given".to_owned()),
        },
        Some(scraped) => {
            let rates = metrics::per_second(&scraped.samples, &recorded.window, series.len());
            for (point, rate) in series.iter_mut().zip(rates) {
                point.transitions_per_s = rate.map(round3);
            }
            let per_s = metrics::window_rate(&scraped.samples, &recorded.window).map(round3);
            let note = match (&per_s, scraped.problem) {
                (Some(_), problem) => problem.map(|p| format!("some scrapes failed: {p}")),
                (None, Some(problem)) => Some(problem),
                (None, None) => Some("too few metric samples in the window".to_owned()),
            };
            Transitions { per_s, note }
        }
    };
    let mut errors: Vec<ErrorCount> = recorded
        .errors
        .into_iter()
        .map(|(kind, count)| ErrorCount { kind, count })
        .collect();
    errors.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
    let totals = recorded.totals;
    Report {
        tool: "cairn-loadtest",
        version: env!("CARGO_PKG_VERSION"),
        run_id: identity.run_id,
        command_line: identity.command_line,
        started_at: identity.started_at,
        config,
        summary: Summary {
            measured_s,
            interrupted: outcome.interrupted,
            drained: outcome.drained,
            totals,
            backpressure: totals.backpressure_in_flight + totals.backpressure_tracked,
            errors: errors.iter().map(|e| e.count).sum(),
            accepted_starts_per_s: per_second(recorded.accepted_in_window, measured_s),
            completed_per_s: per_second(recorded.completions_in_window, measured_s),
            activity_tasks_answered: recorded.activity_tasks,
            transitions,
        },
        latency_ms: LatencyReport {
            start_ack: recorded.start_ack,
            start_to_complete: recorded.start_to_complete,
        },
        errors,
        series,
    }
}

fn round3(value: f64) -> f64 {
    (value * 1_000.0).round() / 1_000.0
}

/// The JSON report, pretty-printed.
pub fn json(report: &Report) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report)
}

#[cfg(test)]
pub(crate) mod sample;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn the_json_report_has_the_documented_shape() {
        let report = sample::report();
        let value: Value = serde_json::from_str(&json(&report).unwrap()).unwrap();
        for key in [
            "tool",
            "version",
            "run_id",
            "command_line",
            "started_at",
            "config",
            "summary",
            "latency_ms",
            "errors",
            "series",
        ] {
            assert!(value.get(key).is_some(), "missing {key}");
        }
        let summary = &value["summary"];
        for key in [
            "measured_s",
            "starts_offered",
            "starts_accepted",
            "backpressure",
            "backpressure_in_flight",
            "backpressure_tracked",
            "accepted_starts_per_s",
            "completed_per_s",
            "succeeded",
            "unfinished",
        ] {
            assert!(summary.get(key).is_some(), "summary lacks {key}");
        }
        assert!(summary["transitions"]["per_s"].is_null());
        assert!(summary["transitions"]["note"].is_string());
        for name in ["start_ack", "start_to_complete"] {
            let latency = &value["latency_ms"][name];
            for key in [
                "count", "p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms", "mean_ms",
            ] {
                assert!(latency[key].is_number(), "{name} lacks {key}");
            }
        }
        let error = &value["errors"][0];
        assert_eq!(error["operation"], "StartExecution");
        assert_eq!(error["code"], "Unavailable");
        assert!(error["name"].is_null());
        assert_eq!(error["count"], 1);
        let point = &value["series"][0];
        for key in [
            "second",
            "drain",
            "offered",
            "accepted",
            "completions",
            "errors",
            "backpressure",
            "start_ack_p50_ms",
            "start_ack_p99_ms",
            "start_to_complete_p50_ms",
            "start_to_complete_p99_ms",
            "transitions_per_s",
        ] {
            assert!(point.get(key).is_some(), "series point lacks {key}");
        }
        assert_eq!(value["series"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn rates_come_from_the_window_and_errors_are_summed() {
        let report = sample::report();
        assert_eq!(report.summary.errors, 1);
        assert_eq!(report.summary.measured_s, 2.0);
        assert_eq!(report.summary.completed_per_s, 1.5);
    }
}
