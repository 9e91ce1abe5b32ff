//! The phases of a run in time: warm-up, then the measurement window, then draining.

use std::time::Duration;

use tokio::time::Instant;

/// When measuring starts and ends. Whole-run figures count the executions *scheduled* inside
/// the window; the time series buckets events by the second they happened in, counted from
/// the window's start (seconds past its end are the drain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub measure_start: Instant,
    pub measure_end: Instant,
}

impl Window {
    pub fn new(run_start: Instant, warmup: Duration, duration: Duration) -> Window {
        let measure_start = run_start + warmup;
        Window {
            measure_start,
            measure_end: measure_start + duration,
        }
    }

    /// Whether an execution scheduled at `scheduled` is one the run measures.
    pub fn measures(&self, scheduled: Instant) -> bool {
        scheduled >= self.measure_start && scheduled < self.measure_end
    }

    /// The time-series second `at` falls in; `None` during the warm-up.
    pub fn second_of(&self, at: Instant) -> Option<usize> {
        let since = at.checked_duration_since(self.measure_start)?;
        usize::try_from(since.as_secs()).ok()
    }

    /// The length of the measurement window in seconds.
    pub fn length_s(&self) -> f64 {
        self.measure_end
            .saturating_duration_since(self.measure_start)
            .as_secs_f64()
    }

    /// Ends the window at `at` if that is earlier (the run was interrupted).
    pub fn cut_at(&mut self, at: Instant) {
        self.measure_end = self.measure_end.min(at.max(self.measure_start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_starts_scheduled_inside_the_window_are_measured() {
        let run_start = Instant::now();
        let window = Window::new(run_start, Duration::from_secs(2), Duration::from_secs(10));
        assert!(!window.measures(run_start + Duration::from_millis(1_999)));
        assert!(window.measures(run_start + Duration::from_secs(2)));
        assert!(window.measures(run_start + Duration::from_millis(11_999)));
        assert!(!window.measures(run_start + Duration::from_secs(12)));
        assert_eq!(window.second_of(run_start + Duration::from_secs(1)), None);
        assert_eq!(
            window.second_of(run_start + Duration::from_millis(3_500)),
            Some(1)
        );
        assert_eq!(window.length_s(), 10.0);
    }

    #[test]
    fn an_interrupted_window_ends_early_but_never_before_it_began() {
        let run_start = Instant::now();
        let mut window = Window::new(run_start, Duration::from_secs(2), Duration::from_secs(10));
        window.cut_at(run_start + Duration::from_secs(5));
        assert_eq!(window.length_s(), 3.0);
        window.cut_at(run_start);
        assert_eq!(window.length_s(), 0.0);
    }
}
