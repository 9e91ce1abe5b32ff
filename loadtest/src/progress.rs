//! The live progress line on stderr while the run goes on (hidden when stderr is not a
//! terminal, so logs and CI output stay clean).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::time::Instant;

use crate::drive::Context;
use crate::shutdown::Shutdown;
use crate::stats::Live;
use crate::stats::window::Window;

const REFRESH: Duration = Duration::from_millis(500);
const RATE_SPAN: Duration = Duration::from_secs(1);

/// Updates the line until `shutdown`, then clears it.
pub async fn show(context: Arc<Context>, window: Window, shutdown: Shutdown, enabled: bool) {
    let bar = if enabled {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4))
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
        bar.set_style(style);
    }
    let mut ticks = tokio::time::interval(REFRESH);
    // Rates over the last second or so: a half-second delta would flicker with the timer.
    let mut history: VecDeque<(Instant, Live)> = VecDeque::new();
    loop {
        tokio::select! {
            biased;
            () = shutdown.wait() => break,
            _ = ticks.tick() => {}
        }
        let now = Instant::now();
        let (live, latency) = context.stats.live();
        history.push_back((now, live));
        while history.len() > 2 && now.duration_since(history[1].0) >= RATE_SPAN {
            history.pop_front();
        }
        let (then, before) = history.front().copied().unwrap_or((now, live));
        let seconds = now.duration_since(then).as_secs_f64();
        let rate = |current: u64, earlier: u64| {
            if seconds > 0.0 {
                current.saturating_sub(earlier) as f64 / seconds
            } else {
                0.0
            }
        };
        bar.set_message(format!(
            "{phase} | starts {starts:.0}/s | done {done:.0}/s | in flight {in_flight} | \
             tracked {tracked} | backpressure {backpressure} | errors {errors} | \
             p99 to complete {p99:.1} ms",
            phase = phase(now, &window),
            starts = rate(live.accepted, before.accepted),
            done = rate(live.completions, before.completions),
            in_flight = context.limits.in_flight(),
            tracked = context.limits.tracked(),
            backpressure = live.backpressure,
            errors = live.errors,
            p99 = latency.p99_ms,
        ));
        bar.tick();
    }
    bar.finish_and_clear();
}

fn phase(now: Instant, window: &Window) -> String {
    if now < window.measure_start {
        let left = window.measure_start.duration_since(now).as_secs_f64();
        format!("warm-up, {left:.0}s left")
    } else if now < window.measure_end {
        let done = now.duration_since(window.measure_start).as_secs_f64();
        format!("measuring {done:.0}/{:.0}s", window.length_s())
    } else {
        let over = now.duration_since(window.measure_end).as_secs_f64();
        format!("draining {over:.0}s")
    }
}
