//! Crash test for asynchronous Express starts: a real `cairn-node` process accepts starts of
//! an EXPRESS machine whose executions wait, then call an HTTP endpoint in this test with
//! their input. The node is killed with SIGKILL at random moments and restarted on the same
//! data directory. Every start it acknowledged must reach the endpoint at least once.

mod express_support;
mod node_process;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::{StartExecutionRequest, StateMachineType};
use express_support::{Recorder, must_create_machine};
use node_process::{Endpoint, NodeProcess};
use serde_json::json;

const KILLS: usize = 4;
const SHARDS: u32 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_no_acknowledged_express_start() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut process = NodeProcess::must_spawn(dir.path(), SHARDS);
    let endpoint = Endpoint::new(&process.endpoint);
    let recorder = Recorder::start().await;
    let machine = must_create_machine(
        endpoint.channel().await.expect("the node is up"),
        "express-crash",
        StateMachineType::Express,
        &json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Call"},
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                     "Parameters": {"ApiEndpoint.$": "$.url", "Method": "POST", "RequestBody.$": "$"},
                     "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}],
                     "End": true}
        }}),
    )
    .await;

    // Load: asynchronous starts in a loop; the acknowledged ones are remembered.
    let acknowledged: Arc<Mutex<BTreeSet<u64>>> = Arc::default();
    let unknown = Arc::new(Mutex::new(0usize));
    let stop_load = Arc::new(AtomicBool::new(false));
    let loader = {
        let (endpoint, machine, url) = (endpoint.clone(), machine.clone(), recorder.url.clone());
        let (acknowledged, unknown, stop) =
            (acknowledged.clone(), unknown.clone(), stop_load.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let Some(channel) = endpoint.channel().await else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let mut client = ExecutionsClient::new(channel);
                for _ in 0..20 {
                    let request = StartExecutionRequest {
                        state_machine_arn: machine.clone(),
                        name: format!("e{n}"),
                        input: json!({"n": n, "wait": n % 3, "url": url}).to_string(),
                    };
                    match client.start_execution(request).await {
                        Ok(_) => {
                            acknowledged.lock().expect("not poisoned").insert(n);
                        }
                        Err(_) => *unknown.lock().expect("not poisoned") += 1,
                    }
                    n += 1;
                }
            }
        })
    };

    // Faults: SIGKILL at irregular moments, restart on the same data directory.
    let mut rng = asl::Rng::new(0xe5_c4a5);
    for kill in 0..KILLS {
        let pause = 300 + rng.range_inclusive(0, 1200) as u64;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        process.kill();
        drop(process);
        process = NodeProcess::must_spawn(dir.path(), SHARDS);
        endpoint.set(&process.endpoint);
        eprintln!("kill {} of {KILLS} after {pause} ms", kill + 1);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_load.store(true, Ordering::SeqCst);
    let _ = loader.await;

    let acknowledged = acknowledged.lock().expect("not poisoned").clone();
    assert!(
        acknowledged.len() >= 40,
        "too little load got through: {}",
        acknowledged.len()
    );
    // Every acknowledged start ran to its call, whether before a kill or after a restart.
    let arrived = |bodies: &[serde_json::Value]| -> BTreeSet<u64> {
        bodies.iter().filter_map(|b| b["n"].as_u64()).collect()
    };
    let all_arrived = recorder
        .wait_until(Duration::from_secs(120), |bodies| {
            acknowledged.is_subset(&arrived(bodies))
        })
        .await;
    let bodies = recorder.bodies();
    let distinct = arrived(&bodies);
    let missing: Vec<&u64> = acknowledged.difference(&distinct).collect();
    assert!(
        all_arrived,
        "{} acknowledged Express starts never ran: {missing:?}",
        missing.len()
    );
    eprintln!(
        "express crash test: {KILLS} kills, {} acknowledged starts, {} unknown outcomes, {} calls received ({} distinct inputs)",
        acknowledged.len(),
        unknown.lock().expect("not poisoned"),
        bodies.len(),
        distinct.len()
    );
    drop(process);
}
