//! A small report built from recorded events, for the report tests.

use std::time::Duration;

use tokio::time::Instant;

use super::{Identity, Outcome, Report, RunConfig, build};
use crate::errors::ErrorKind;
use crate::stats::window::Window;
use crate::stats::{Ending, Stats};

pub fn report() -> Report {
    let begin = Instant::now();
    let window = Window::new(begin, Duration::from_secs(1), Duration::from_secs(2));
    let stats = Stats::new(window);
    let at = |ms: u64| begin + Duration::from_millis(ms);
    for (due, took) in [(1_000, 4), (1_500, 6), (2_100, 30)] {
        stats.offered(at(due));
        stats.start_accepted(at(due), at(due + 1));
        stats.finished(at(due), at(due + took), Ending::Succeeded);
    }
    stats.offered(at(2_900));
    stats.start_failed(
        at(2_900),
        at(2_901),
        ErrorKind::from_status("StartExecution", &tonic::Status::unavailable("down")),
    );
    // A drain second, so the series runs past the window.
    stats.offered(at(2_950));
    stats.start_accepted(at(2_950), at(2_951));
    stats.finished(at(2_950), at(3_100), Ending::Succeeded);
    build(
        Identity {
            run_id: "lt-test".to_owned(),
            command_line: "cairn-loadtest --rate 2 --duration 2 --html 'my report.html'".to_owned(),
            started_at: "2026-01-01T00:00:00Z".to_owned(),
        },
        RunConfig {
            mode: "open-loop",
            rate: Some(2.0),
            concurrency: None,
            workload: "pass3",
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".to_owned(),
            endpoints: vec!["http://127.0.0.1:7310".to_owned()],
            routed_shards: 16,
            connections_per_endpoint: 4,
            warmup_s: 1.0,
            duration_s: 2.0,
            max_in_flight: 1_000,
            max_tracked: 10_000,
            workers: 16,
            drain_timeout_s: 30.0,
            completion_timeout_s: 300.0,
            request_timeout_s: 30.0,
            metrics_urls: Vec::new(),
        },
        stats.recorded(),
        None,
        Outcome {
            interrupted: false,
            drained: true,
        },
    )
}
