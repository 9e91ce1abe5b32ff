//! Everything the run records: counts, latency histograms, errors and the time series. One
//! lock around it is cheap next to a network round trip per recorded event.

pub mod latency;
pub mod series;
pub mod window;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::errors::ErrorKind;
use latency::{Latencies, Percentiles};
use series::{Point, Series};
use window::Window;

/// Which bound stopped an open-loop start from being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `--max-in-flight`: StartExecution calls awaiting an answer.
    InFlight,
    /// `--max-tracked`: started executions not yet seen to end.
    Tracked,
}

/// How a started execution ended, as far as the tool could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Succeeded,
    /// Ended in another terminal status (`ExecutionFailed`, `ExecutionTimedOut`, …).
    Unsuccessful(String),
    /// Following it failed (the watch broke for good, or the completion deadline passed).
    Lost(ErrorKind),
}

/// Counts over the executions scheduled in the measurement window. They add up:
/// `starts_offered = starts_accepted + start_errors + backpressure_*`, and
/// `starts_accepted = succeeded + unsuccessful + tracking_errors + unfinished`, where the
/// first sum also holds `starts_unanswered` when the run was cut short.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub starts_offered: u64,
    pub starts_accepted: u64,
    pub start_errors: u64,
    /// StartExecution calls still awaiting an answer when the run stopped.
    pub starts_unanswered: u64,
    pub backpressure_in_flight: u64,
    pub backpressure_tracked: u64,
    pub succeeded: u64,
    pub unsuccessful: u64,
    pub tracking_errors: u64,
    /// Still running when the drain timeout passed or the run was interrupted.
    pub unfinished: u64,
}

/// Counts since the run began, warm-up included, for the live progress line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Live {
    pub offered: u64,
    pub accepted: u64,
    pub completions: u64,
    pub errors: u64,
    pub backpressure: u64,
}

/// Everything recorded, handed to the report once the run is over.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub window: Window,
    pub totals: Totals,
    /// Executions that ended inside the window, whenever they started: the completion rate.
    pub completions_in_window: u64,
    /// Starts acknowledged inside the window, whenever they were due: the accepted-start rate.
    pub accepted_in_window: u64,
    pub activity_tasks: u64,
    pub start_ack: Percentiles,
    pub start_to_complete: Percentiles,
    pub errors: BTreeMap<ErrorKind, u64>,
    pub series: Vec<Point>,
}

#[derive(Debug)]
pub struct Stats {
    inner: Mutex<Recorder>,
}

#[derive(Debug)]
struct Recorder {
    window: Window,
    totals: Totals,
    live: Live,
    completions_in_window: u64,
    accepted_in_window: u64,
    activity_tasks: u64,
    start_ack: Latencies,
    start_to_complete: Latencies,
    errors: BTreeMap<ErrorKind, u64>,
    series: Series,
}

impl Stats {
    pub fn new(window: Window) -> Stats {
        Stats {
            inner: Mutex::new(Recorder {
                window,
                totals: Totals::default(),
                live: Live::default(),
                completions_in_window: 0,
                accepted_in_window: 0,
                activity_tasks: 0,
                start_ack: Latencies::for_run(),
                start_to_complete: Latencies::for_run(),
                errors: BTreeMap::new(),
                series: Series::default(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Recorder> {
        // A panic while holding the lock leaves plain counters behind, still worth reporting.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A start is due (open loop) or about to be sent (closed loop).
    pub fn offered(&self, scheduled: Instant) {
        let mut r = self.lock();
        r.live.offered += 1;
        if r.window.measures(scheduled) {
            r.totals.starts_offered += 1;
        }
        if let Some(second) = r.window.second_of(scheduled) {
            r.series.at(second).counts.offered += 1;
        }
    }

    /// An open-loop start was not sent because `limit` was reached.
    pub fn backpressure(&self, limit: Limit, scheduled: Instant) {
        let mut r = self.lock();
        r.live.backpressure += 1;
        if r.window.measures(scheduled) {
            match limit {
                Limit::InFlight => r.totals.backpressure_in_flight += 1,
                Limit::Tracked => r.totals.backpressure_tracked += 1,
            }
        }
        if let Some(second) = r.window.second_of(scheduled) {
            r.series.at(second).counts.backpressure += 1;
        }
    }

    /// The server acknowledged a start at `acked`.
    pub fn start_accepted(&self, scheduled: Instant, acked: Instant) {
        let latency = acked.saturating_duration_since(scheduled);
        let mut r = self.lock();
        r.live.accepted += 1;
        let measured = r.window.measures(scheduled);
        if measured {
            r.totals.starts_accepted += 1;
            r.start_ack.record(latency);
        }
        if r.window.measures(acked) {
            r.accepted_in_window += 1;
        }
        if let Some(second) = r.window.second_of(acked) {
            let bucket = r.series.at(second);
            bucket.counts.accepted += 1;
            if measured {
                bucket.record_start_ack(latency);
            }
        }
    }

    pub fn start_failed(&self, scheduled: Instant, at: Instant, kind: ErrorKind) {
        let mut r = self.lock();
        if r.window.measures(scheduled) {
            r.totals.start_errors += 1;
        }
        r.count_error(scheduled, at, kind);
    }

    /// A started execution ended (or was lost) at `at`.
    pub fn finished(&self, scheduled: Instant, at: Instant, ending: Ending) {
        let latency = at.saturating_duration_since(scheduled);
        let mut r = self.lock();
        let measured = r.window.measures(scheduled);
        let ended = !matches!(ending, Ending::Lost(_));
        if ended {
            r.live.completions += 1;
            if r.window.measures(at) {
                r.completions_in_window += 1;
            }
            if measured {
                r.start_to_complete.record(latency);
            }
            if let Some(second) = r.window.second_of(at) {
                let bucket = r.series.at(second);
                bucket.counts.completions += 1;
                if measured {
                    bucket.record_start_to_complete(latency);
                }
            }
        }
        match ending {
            Ending::Succeeded => {
                if measured {
                    r.totals.succeeded += 1;
                }
            }
            Ending::Unsuccessful(terminal) => {
                if measured {
                    r.totals.unsuccessful += 1;
                }
                r.count_error(scheduled, at, ErrorKind::execution_ended(&terminal));
            }
            Ending::Lost(kind) => {
                if measured {
                    r.totals.tracking_errors += 1;
                }
                r.count_error(scheduled, at, kind);
            }
        }
    }

    /// A start was still awaiting its answer when the run stopped.
    pub fn start_unanswered(&self, scheduled: Instant) {
        let mut r = self.lock();
        if r.window.measures(scheduled) {
            r.totals.starts_unanswered += 1;
        }
    }

    /// A started execution was still running when the tool stopped following it.
    pub fn unfinished(&self, scheduled: Instant) {
        let mut r = self.lock();
        if r.window.measures(scheduled) {
            r.totals.unfinished += 1;
        }
    }

    /// A built-in activity worker answered a task.
    pub fn activity_task_done(&self) {
        self.lock().activity_tasks += 1;
    }

    /// A failure not tied to one execution's start (an activity worker's poll or answer).
    /// Counted once the measurement window has begun.
    pub fn background_error(&self, at: Instant, kind: ErrorKind) {
        self.lock().count_error(at, at, kind);
    }

    /// Ends the measurement window now: the run was interrupted.
    pub fn cut_window(&self, at: Instant) {
        self.lock().window.cut_at(at);
    }

    pub fn live(&self) -> (Live, Percentiles) {
        let r = self.lock();
        (r.live, r.start_to_complete.percentiles())
    }

    pub fn recorded(&self) -> Recorded {
        let r = self.lock();
        Recorded {
            window: r.window,
            totals: r.totals,
            completions_in_window: r.completions_in_window,
            accepted_in_window: r.accepted_in_window,
            activity_tasks: r.activity_tasks,
            start_ack: r.start_ack.percentiles(),
            start_to_complete: r.start_to_complete.percentiles(),
            errors: r.errors.clone(),
            series: r.series.points(r.window.length_s()),
        }
    }
}

impl Recorder {
    fn count_error(&mut self, scheduled: Instant, at: Instant, kind: ErrorKind) {
        self.live.errors += 1;
        if let Some(second) = self.window.second_of(at) {
            self.series.at(second).counts.errors += 1;
        }
        // Errors of warm-up executions are not part of the measured run.
        if scheduled >= self.window.measure_start {
            *self.errors.entry(kind).or_default() += 1;
        }
    }
}

/// Rounds a rate for display and JSON: three decimals are beyond any real precision here.
pub fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds <= 0.0 {
        return 0.0;
    }
    (count as f64 / seconds * 1_000.0).round() / 1_000.0
}

/// Converts a seconds option to a duration, rejecting what `Duration` cannot hold.
pub fn seconds(value: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window_from(run_start: Instant) -> Window {
        Window::new(run_start, Duration::from_secs(1), Duration::from_secs(10))
    }

    #[test]
    fn warmup_executions_are_left_out_of_the_totals_and_histograms() {
        let run_start = Instant::now();
        let stats = Stats::new(window_from(run_start));
        let warm = run_start + Duration::from_millis(500);
        stats.offered(warm);
        stats.start_accepted(warm, warm + Duration::from_millis(2));
        stats.finished(warm, warm + Duration::from_millis(9), Ending::Succeeded);
        let recorded = stats.recorded();
        assert_eq!(recorded.totals, Totals::default());
        assert_eq!(recorded.start_to_complete.count, 0);
        assert!(recorded.series.is_empty());
    }

    #[test]
    fn measured_executions_add_up() {
        let run_start = Instant::now();
        let stats = Stats::new(window_from(run_start));
        let at = |ms: u64| run_start + Duration::from_millis(ms);
        for due in [1_000, 1_100, 1_200, 1_300] {
            stats.offered(at(due));
        }
        stats.start_accepted(at(1_000), at(1_003));
        stats.finished(at(1_000), at(1_010), Ending::Succeeded);
        stats.start_accepted(at(1_100), at(1_104));
        stats.finished(
            at(1_100),
            at(1_150),
            Ending::Unsuccessful("ExecutionFailed".into()),
        );
        stats.start_failed(
            at(1_200),
            at(1_201),
            ErrorKind::from_status("StartExecution", &tonic::Status::unavailable("down")),
        );
        stats.backpressure(Limit::InFlight, at(1_300));

        let recorded = stats.recorded();
        let t = recorded.totals;
        assert_eq!(t.starts_offered, 4);
        assert_eq!(t.starts_accepted, 2);
        assert_eq!(t.start_errors, 1);
        assert_eq!(t.backpressure_in_flight, 1);
        assert_eq!(t.succeeded, 1);
        assert_eq!(t.unsuccessful, 1);
        assert_eq!(recorded.completions_in_window, 2);
        assert_eq!(recorded.start_ack.count, 2);
        assert_eq!(recorded.start_to_complete.count, 2);
        assert_eq!(recorded.errors.len(), 2);
        assert_eq!(recorded.series.len(), 1);
        assert_eq!(recorded.series[0].counts.completions, 2);
        assert_eq!(recorded.series[0].counts.errors, 2);
    }

    #[test]
    fn rates_are_rounded_and_safe_for_an_empty_window() {
        assert_eq!(per_second(1, 3.0), 0.333);
        assert_eq!(per_second(5, 0.0), 0.0);
    }
}
