//! The open-loop arrival schedule: start `n` is due `n / rate` seconds after the schedule
//! begins, whatever happened to the starts before it. A slow server therefore shows up as
//! latency measured from these due times, never as a lower offered rate.

use std::time::Duration;

use anyhow::{Result, bail};

const NANOS_PER_SECOND: f64 = 1e9;

/// Fixed-rate arrival times. Each offset is computed from `n` directly (never by adding
/// intervals), so the schedule does not drift however long it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    rate_per_s: f64,
}

impl Schedule {
    pub fn new(rate_per_s: f64) -> Result<Schedule> {
        if !rate_per_s.is_finite() || rate_per_s <= 0.0 {
            bail!("the rate must be a positive number of starts per second, not {rate_per_s}");
        }
        Ok(Schedule { rate_per_s })
    }

    /// When start `n` (counting from 0) is due, after the schedule's beginning.
    pub fn offset(&self, n: u64) -> Duration {
        let nanos = (n as f64 * NANOS_PER_SECOND / self.rate_per_s).round();
        Duration::from_nanos(nanos as u64)
    }

    /// How many starts are due once `elapsed` has passed: those with `offset(n) <= elapsed`.
    pub fn due_by(&self, elapsed: Duration) -> u64 {
        let estimate = (elapsed.as_secs_f64() * self.rate_per_s).floor() as u64 + 1;
        self.settle(estimate, |offset| offset <= elapsed)
    }

    /// How many starts fall in a span of `length` from the beginning: those with
    /// `offset(n) < length`.
    pub fn count_within(&self, length: Duration) -> u64 {
        let estimate = (length.as_secs_f64() * self.rate_per_s).ceil() as u64;
        self.settle(estimate, |offset| offset < length)
    }

    /// The number of leading starts whose offset satisfies `included` (a condition that holds
    /// for a prefix of the schedule), starting from a float estimate that may be off by one
    /// either way because of rounding.
    fn settle(&self, estimate: u64, included: impl Fn(Duration) -> bool) -> u64 {
        let mut count = estimate;
        while count > 0 && !included(self.offset(count - 1)) {
            count -= 1;
        }
        while included(self.offset(count)) {
            count += 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_evenly_spaced_at_the_rate() {
        let schedule = Schedule::new(200.0).unwrap();
        assert_eq!(schedule.offset(0), Duration::ZERO);
        assert_eq!(schedule.offset(1), Duration::from_millis(5));
        assert_eq!(schedule.offset(200), Duration::from_secs(1));
    }

    #[test]
    fn the_schedule_does_not_drift_over_a_long_run() {
        let schedule = Schedule::new(3.0).unwrap();
        // 1/3 s is not representable; summing intervals would drift, computing from n does not.
        assert_eq!(schedule.offset(3_000_000), Duration::from_secs(1_000_000));
        assert_eq!(schedule.offset(1), Duration::from_nanos(333_333_333));
        assert_eq!(schedule.offset(2), Duration::from_nanos(666_666_667));
    }

    #[test]
    fn due_by_counts_every_start_whose_time_has_come() {
        let schedule = Schedule::new(200.0).unwrap();
        assert_eq!(schedule.due_by(Duration::ZERO), 1);
        assert_eq!(schedule.due_by(Duration::from_micros(4_999)), 1);
        assert_eq!(schedule.due_by(Duration::from_millis(5)), 2);
        assert_eq!(schedule.due_by(Duration::from_secs(1)), 201);
    }

    #[test]
    fn due_by_agrees_with_offset_for_awkward_rates() {
        for rate in [0.5, 1.0, 3.0, 7.3, 333.0, 999.9, 12_345.6] {
            let schedule = Schedule::new(rate).unwrap();
            for n in (0..5_000).step_by(7) {
                let at = schedule.offset(n);
                assert_eq!(schedule.due_by(at), n + 1, "rate {rate}, start {n}");
                if at > Duration::ZERO {
                    let just_before = at - Duration::from_nanos(1);
                    assert_eq!(schedule.due_by(just_before), n, "rate {rate}, start {n}");
                }
            }
        }
    }

    #[test]
    fn a_window_holds_rate_times_length_starts() {
        let schedule = Schedule::new(200.0).unwrap();
        assert_eq!(schedule.count_within(Duration::from_secs(10)), 2_000);
        assert_eq!(schedule.count_within(Duration::ZERO), 0);
        let slow = Schedule::new(0.5).unwrap();
        // Due at 0 s, 2 s and 4 s: three within 5 s, two within 4 s.
        assert_eq!(slow.count_within(Duration::from_secs(5)), 3);
        assert_eq!(slow.count_within(Duration::from_secs(4)), 2);
    }

    #[test]
    fn a_rate_must_be_positive_and_finite() {
        assert!(Schedule::new(0.0).is_err());
        assert!(Schedule::new(-1.0).is_err());
        assert!(Schedule::new(f64::NAN).is_err());
        assert!(Schedule::new(f64::INFINITY).is_err());
    }
}
