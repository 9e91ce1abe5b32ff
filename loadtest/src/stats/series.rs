//! The per-second time series: counts and latency percentiles for each second of the run.

use serde::Serialize;

use super::latency::{Latencies, Percentiles};

/// Seconds older than the newest one by more than this are reduced to their percentiles and
/// their histograms dropped; events arrive in time order give or take scheduling jitter.
const SEAL_AFTER_S: usize = 2;

/// What happened in one second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Starts due (open loop) or sent (closed loop).
    pub offered: u64,
    /// Starts the server acknowledged.
    pub accepted: u64,
    /// Executions seen to end, whatever their status.
    pub completions: u64,
    pub errors: u64,
    /// Open-loop starts not sent because a bound was reached.
    pub backpressure: u64,
}

#[derive(Debug, Clone)]
enum Digest {
    Open(Latencies),
    Sealed(Percentiles),
}

impl Digest {
    fn new() -> Digest {
        Digest::Open(Latencies::for_second())
    }

    fn record(&mut self, latency: std::time::Duration) {
        // A latency that arrives after its second was sealed is dropped from the chart only;
        // the run-wide histograms still hold it.
        if let Digest::Open(latencies) = self {
            latencies.record(latency);
        }
    }

    fn seal(&mut self) {
        if let Digest::Open(latencies) = self {
            *self = Digest::Sealed(latencies.percentiles());
        }
    }

    fn percentiles(&self) -> Percentiles {
        match self {
            Digest::Open(latencies) => latencies.percentiles(),
            Digest::Sealed(percentiles) => *percentiles,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Second {
    pub counts: Counts,
    start_ack: Digest,
    start_to_complete: Digest,
}

impl Second {
    fn new() -> Second {
        Second {
            counts: Counts::default(),
            start_ack: Digest::new(),
            start_to_complete: Digest::new(),
        }
    }

    pub fn record_start_ack(&mut self, latency: std::time::Duration) {
        self.start_ack.record(latency);
    }

    pub fn record_start_to_complete(&mut self, latency: std::time::Duration) {
        self.start_to_complete.record(latency);
    }

    fn seal(&mut self) {
        self.start_ack.seal();
        self.start_to_complete.seal();
    }
}

/// One point of the series as reports show it. Latencies are `None` in a second with no
/// sample; `transitions_per_s` is `None` when no metrics endpoint answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Seconds since the measurement window began.
    pub second: u64,
    /// Whether the second lies after the window, while outstanding executions finish.
    pub drain: bool,
    #[serde(flatten)]
    pub counts: Counts,
    pub start_ack_p50_ms: Option<f64>,
    pub start_ack_p99_ms: Option<f64>,
    pub start_to_complete_p50_ms: Option<f64>,
    pub start_to_complete_p99_ms: Option<f64>,
    pub transitions_per_s: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Series {
    seconds: Vec<Second>,
    sealed_below: usize,
}

impl Series {
    /// The bucket for `second`, creating it (and any gap before it) on first use.
    pub fn at(&mut self, second: usize) -> &mut Second {
        while self.seconds.len() <= second {
            self.seconds.push(Second::new());
        }
        let seal_below = second.saturating_sub(SEAL_AFTER_S);
        while self.sealed_below < seal_below {
            self.seconds[self.sealed_below].seal();
            self.sealed_below += 1;
        }
        &mut self.seconds[second]
    }

    /// The series as points; seconds at or after `window_s` are marked as the drain.
    pub fn points(&self, window_s: f64) -> Vec<Point> {
        let some = |p: Percentiles, value: f64| (p.count > 0).then_some(value);
        self.seconds
            .iter()
            .enumerate()
            .map(|(index, second)| {
                let ack = second.start_ack.percentiles();
                let complete = second.start_to_complete.percentiles();
                Point {
                    second: index as u64,
                    drain: index as f64 >= window_s,
                    counts: second.counts,
                    start_ack_p50_ms: some(ack, ack.p50_ms),
                    start_ack_p99_ms: some(ack, ack.p99_ms),
                    start_to_complete_p50_ms: some(complete, complete.p50_ms),
                    start_to_complete_p99_ms: some(complete, complete.p99_ms),
                    transitions_per_s: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn seconds_keep_their_own_latencies_after_sealing() {
        let mut series = Series::default();
        series
            .at(0)
            .record_start_to_complete(Duration::from_millis(4));
        series.at(0).counts.completions += 1;
        series
            .at(5)
            .record_start_to_complete(Duration::from_millis(40));
        series.at(5).counts.completions += 1;
        let points = series.points(5.0);
        assert_eq!(points.len(), 6);
        let close =
            |got: Option<f64>, want: f64| got.is_some_and(|v| (v - want).abs() < want * 0.01);
        assert!(close(points[0].start_to_complete_p50_ms, 4.0));
        assert!(close(points[5].start_to_complete_p99_ms, 40.0));
        assert_eq!(
            points[2].start_to_complete_p50_ms, None,
            "an empty second has no latency"
        );
        assert_eq!(points[2].counts, Counts::default());
        assert!(!points[4].drain);
        assert!(points[5].drain);
    }
}
