//! Crash test: a real `cairn-node` process runs a mixed workload (Pass chains, Waits, activity
//! tasks served by workers, `.sync` child executions) and is killed with SIGKILL at random
//! moments, then restarted on the same data directory. Afterwards the workload's invariants
//! must hold (see `harness::workload`): every acknowledged start exists and finishes with the
//! right status and output, no history has a gap or a duplicate event, no activity task
//! reached two workers, and no timer fired early.

mod harness;
mod node_process;

use std::time::Duration;

use harness::workload::{Endpoints, Workload};
use node_process::NodeProcess;

/// Kills per run: at least five.
const KILLS: usize = 6;
const SHARDS: u32 = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_nothing_acknowledged_and_runs_nothing_twice() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut process = NodeProcess::must_spawn(dir.path(), SHARDS);
    let endpoints = Endpoints::new(vec![process.endpoint.clone()]);
    let workload = Workload::start(endpoints.clone(), 1).await;

    // Faults: SIGKILL at irregular moments, restart on the same data directory.
    let mut rng = asl::Rng::new(0x5eed);
    for kill in 0..KILLS {
        let pause = 300 + rng.range_inclusive(0, 1200) as u64;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        process.kill();
        process = NodeProcess::must_spawn(dir.path(), SHARDS);
        endpoints.set(vec![process.endpoint.clone()]);
        eprintln!(
            "kill {} of {KILLS} after {pause} ms; restarted at {}",
            kill + 1,
            process.endpoint
        );
    }
    // The last restart takes load before the load stops.
    workload
        .wait_for_progress(20, Duration::from_secs(60))
        .await;

    let report = workload.stop_and_check(Duration::from_secs(120)).await;
    assert!(
        report.acknowledged >= 40,
        "too little load got through: {}",
        report.acknowledged
    );
    eprintln!("crash test: {KILLS} kills, {report}");
}
