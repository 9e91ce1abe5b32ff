//! Latency histograms (HdrHistogram, microseconds) and the percentiles the report shows.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Significant digits of the run-wide histograms: 0.1 % resolution at any magnitude.
const RUN_SIGNIFICANT_DIGITS: u8 = 3;
/// Per-second histograms only feed the over-time chart, so 1 % resolution is plenty and keeps
/// an hour-long run's memory small.
const SECOND_SIGNIFICANT_DIGITS: u8 = 2;

/// A latency distribution in microseconds. The histogram grows as larger values arrive, so no
/// value is ever clamped or lost.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Latencies {
    /// For whole-run figures (p99.9 and max need the finer resolution).
    pub fn for_run() -> Latencies {
        Latencies::with_digits(RUN_SIGNIFICANT_DIGITS)
    }

    /// For one second of the time series.
    pub fn for_second() -> Latencies {
        Latencies::with_digits(SECOND_SIGNIFICANT_DIGITS)
    }

    fn with_digits(digits: u8) -> Latencies {
        let histogram = Histogram::new(digits).expect("1 to 5 significant digits are valid");
        Latencies { histogram }
    }

    pub fn record(&mut self, latency: Duration) {
        // A zero would be lost in the lowest bucket's rounding anyway; 1 µs keeps counts exact.
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        // `record` grows the histogram to fit; only a value beyond what it can ever hold
        // (centuries) is clamped to its top instead.
        if self.histogram.record(micros).is_err() {
            self.histogram.saturating_record(micros);
        }
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles::of(&self.histogram)
    }
}

/// The figures the report gives for one latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p99_9_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Percentiles {
    fn of(histogram: &Histogram<u64>) -> Percentiles {
        if histogram.is_empty() {
            return Percentiles::EMPTY;
        }
        let at = |quantile: f64| micros_to_ms(histogram.value_at_quantile(quantile));
        Percentiles {
            count: histogram.len(),
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            p99_9_ms: at(0.999),
            max_ms: micros_to_ms(histogram.max()),
            mean_ms: histogram.mean() / 1_000.0,
        }
    }

    pub const EMPTY: Percentiles = Percentiles {
        count: 0,
        p50_ms: 0.0,
        p90_ms: 0.0,
        p99_ms: 0.0,
        p99_9_ms: 0.0,
        max_ms: 0.0,
        mean_ms: 0.0,
    };
}

fn micros_to_ms(micros: u64) -> f64 {
    micros as f64 / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: u64) -> Duration {
        Duration::from_millis(value)
    }

    #[test]
    fn percentiles_of_one_to_a_thousand_milliseconds() {
        let mut latencies = Latencies::for_run();
        for value in 1..=1_000 {
            latencies.record(ms(value));
        }
        let p = latencies.percentiles();
        assert_eq!(p.count, 1_000);
        // HdrHistogram reports the upper end of a value's bucket: within 0.1 % at 3 digits.
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001 + 0.001;
        assert!(close(p.p50_ms, 500.0), "p50 {}", p.p50_ms);
        assert!(close(p.p90_ms, 900.0), "p90 {}", p.p90_ms);
        assert!(close(p.p99_ms, 990.0), "p99 {}", p.p99_ms);
        assert!(close(p.p99_9_ms, 999.0), "p99.9 {}", p.p99_9_ms);
        assert!(close(p.max_ms, 1_000.0), "max {}", p.max_ms);
        assert!(close(p.mean_ms, 500.5), "mean {}", p.mean_ms);
    }

    #[test]
    fn a_single_outlier_shows_in_max_and_the_extreme_percentile_only() {
        let mut latencies = Latencies::for_run();
        for _ in 0..999 {
            latencies.record(ms(2));
        }
        latencies.record(Duration::from_secs(30));
        let p = latencies.percentiles();
        assert!(p.p99_ms < 2.01);
        assert!(p.max_ms >= 29_990.0);
        assert!(p.p99_9_ms < 2.01, "the 999th of 1000 values is still 2 ms");
    }

    #[test]
    fn an_empty_distribution_reports_zeroes() {
        assert_eq!(Latencies::for_second().percentiles(), Percentiles::EMPTY);
    }

    #[test]
    fn values_far_beyond_the_first_range_are_kept() {
        let mut latencies = Latencies::for_second();
        latencies.record(Duration::from_micros(3));
        latencies.record(Duration::from_secs(3_600));
        let p = latencies.percentiles();
        assert_eq!(p.count, 2);
        assert!(p.max_ms >= 3_600_000.0 * 0.99);
    }
}
