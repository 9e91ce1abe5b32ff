//! The live progress line on stderr while the run goes on (hidden when stderr is not a
//! terminal, so logs and CI output stay clean).

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::time::Instant;

use crate::drive::Context;
use crate::shutdown::Shutdown;
use crate::stats::Live;
use crate::stats::window::Window;

const REFRESH: Duration = Duration::from_millis(500);

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
    let mut previous = (Instant::now(), Live::default());
    loop {
        tokio::select! {
            biased;
            () = shutdown.wait() => break,
            _ = ticks.tick() => {}
        }
        let now = Instant::now();
        let (live, latency) = context.stats.live();
        let seconds = now.duration_since(previous.0).as_secs_f64().max(1e-3);
        let rate = |current: u64, before: u64| current.saturating_sub(before) as f64 / seconds;
        bar.set_message(format!(
            "{phase} | starts {starts:.0}/s | done {done:.0}/s | in flight {in_flight} | \
             tracked {tracked} | backpressure {backpressure} | errors {errors} | p99 {p99:.1} ms",
            phase = phase(now, &window),
            starts = rate(live.accepted, previous.1.accepted),
            done = rate(live.completions, previous.1.completions),
            in_flight = context.limits.in_flight(),
            tracked = context.limits.tracked(),
            backpressure = live.backpressure,
            errors = live.errors,
            p99 = latency.p99_ms,
        ));
        bar.tick();
        previous = (now, live);
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
