//! Turning counter samples into rates, over the measurement window and per second.

use tokio::time::Instant;

use crate::stats::window::Window;

/// The cluster-wide counter at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at: Instant,
    pub value: f64,
}

/// How much a counter grew from `earlier` to `later`. A drop means a node restarted and its
/// counter began again from zero, so the later value is all that is known to have been added.
fn increase(earlier: f64, later: f64) -> f64 {
    if later >= earlier {
        later - earlier
    } else {
        later
    }
}

/// The rate over the measurement window, from the sample nearest before (or at) its start to
/// the last sample before (or at) its end. `None` with fewer than two usable samples.
pub fn window_rate(samples: &[Sample], window: &Window) -> Option<f64> {
    let first = samples
        .iter()
        .rposition(|s| s.at <= window.measure_start)
        .or_else(|| samples.iter().position(|s| s.at >= window.measure_start))?;
    let last = samples.iter().rposition(|s| s.at <= window.measure_end)?;
    if last <= first {
        return None;
    }
    let grown: f64 = samples[first..=last]
        .windows(2)
        .map(|pair| increase(pair[0].value, pair[1].value))
        .sum();
    let seconds = samples[last]
        .at
        .duration_since(samples[first].at)
        .as_secs_f64();
    (seconds > 0.0).then(|| grown / seconds)
}

/// The rate for each of the first `seconds` seconds of the series: each pair of consecutive
/// samples gives the rate for the second its later sample fell in.
pub fn per_second(samples: &[Sample], window: &Window, seconds: usize) -> Vec<Option<f64>> {
    let mut rates = vec![None; seconds];
    for pair in samples.windows(2) {
        let elapsed = pair[1].at.duration_since(pair[0].at).as_secs_f64();
        if elapsed <= 0.0 {
            continue;
        }
        let Some(second) = window.second_of(pair[1].at) else {
            continue;
        };
        if let Some(slot) = rates.get_mut(second) {
            *slot = Some(increase(pair[0].value, pair[1].value) / elapsed);
        }
    }
    rates
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn samples(begin: Instant, values: &[(u64, f64)]) -> Vec<Sample> {
        values
            .iter()
            .map(|&(ms, value)| Sample {
                at: begin + Duration::from_millis(ms),
                value,
            })
            .collect()
    }

    #[test]
    fn the_window_rate_spans_its_start_to_its_end() {
        let begin = Instant::now();
        let window = Window::new(begin, Duration::from_secs(1), Duration::from_secs(2));
        let points = samples(
            begin,
            &[
                (0, 0.0),
                (1_000, 100.0),
                (2_000, 400.0),
                (3_000, 700.0),
                (4_000, 900.0),
            ],
        );
        assert_eq!(window_rate(&points, &window), Some(300.0));
    }

    #[test]
    fn a_counter_reset_does_not_count_as_negative_throughput() {
        let begin = Instant::now();
        let window = Window::new(begin, Duration::ZERO, Duration::from_secs(2));
        let points = samples(begin, &[(0, 1_000.0), (1_000, 1_200.0), (2_000, 50.0)]);
        assert_eq!(window_rate(&points, &window), Some(125.0));
    }

    #[test]
    fn too_few_samples_give_no_rate() {
        let begin = Instant::now();
        let window = Window::new(begin, Duration::ZERO, Duration::from_secs(2));
        assert_eq!(window_rate(&[], &window), None);
        assert_eq!(window_rate(&samples(begin, &[(500, 3.0)]), &window), None);
    }

    #[test]
    fn each_second_gets_the_rate_of_the_pair_ending_in_it() {
        let begin = Instant::now();
        let window = Window::new(begin, Duration::ZERO, Duration::from_secs(3));
        let points = samples(begin, &[(100, 0.0), (1_100, 50.0), (2_100, 150.0)]);
        assert_eq!(
            per_second(&points, &window, 3),
            vec![None, Some(50.0), Some(100.0)]
        );
    }
}
