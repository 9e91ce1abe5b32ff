//! Crash test: a real `cairn-node` process runs a mixed workload and is killed with SIGKILL
//! at random moments, then restarted on the same data directory. Afterwards every
//! acknowledged start must exist and finish with the right status and output, no history may
//! have a gap or a duplicate event, and no activity task may have reached two workers.

mod node_process;
mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use cairn_proto::v1::*;
use node_process::{Endpoint, NodeProcess};
use serde_json::{Value, json};

/// Kills per run: at least five.
const KILLS: usize = 6;
const SHARDS: u32 = 4;

/// What a kind of execution must end with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    PassChain,
    Wait,
    Activities,
    Nested,
}

fn definitions(activity: &str, child_machine: &str) -> Vec<(Kind, &'static str, Value)> {
    vec![
        (
            Kind::PassChain,
            "pass-chain",
            json!({"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Result": "a", "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": "C"}], "Default": "C"},
                "C": {"Type": "Pass", "Result": "c", "ResultPath": "$.c", "End": true}
            }}),
        ),
        (
            Kind::Wait,
            "waits",
            json!({"StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
                "P": {"Type": "Pass", "Result": "w", "ResultPath": "$.w", "End": true}
            }}),
        ),
        (
            Kind::Activities,
            "activities",
            json!({"StartAt": "T1", "States": {
                "T1": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 3, "ResultPath": "$.t1",
                       "Retry": [{"ErrorEquals": ["States.Timeout", "Transient"], "IntervalSeconds": 1, "MaxAttempts": 20, "BackoffRate": 1}],
                       "Next": "T2"},
                "T2": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 3, "ResultPath": "$.t2",
                       "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 20, "BackoffRate": 1}],
                       "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}],
                       "Next": "Done"},
                "Done": {"Type": "Pass", "End": true}
            }}),
        ),
        (
            Kind::Nested,
            "parent",
            json!({"StartAt": "Child", "States": {
                "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                          "Parameters": {"StateMachineArn": child_machine, "Input": {"n.$": "$.n"}},
                          "ResultSelector": {"out.$": "$.Output"}, "ResultPath": "$.child", "End": true}
            }}),
        ),
    ]
}

/// The output each kind must produce for input `{"n": n}`.
fn expected_output(kind: Kind, n: u64) -> Value {
    match kind {
        Kind::PassChain => json!({"n": n, "a": "a", "c": "c"}),
        Kind::Wait => json!({"n": n, "w": "w"}),
        Kind::Activities => json!({"n": n, "t1": {"done": n}, "t2": {"done": n}}),
        Kind::Nested => json!({"n": n, "child": {"out": {"n": n, "a": "a", "c": "c"}}}),
    }
}

/// An activity worker that survives node restarts. It records every token it received; a
/// token seen twice (by it or another worker) means a task reached two workers.
async fn worker(
    endpoint: Endpoint,
    activity: String,
    name: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    let mut transient_failures = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let Some(channel) = endpoint.channel().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let mut client = ActivitiesClient::new(channel);
        let task = match client
            .get_activity_task(GetActivityTaskRequest {
                activity_arn: activity.clone(),
                worker_name: name.clone(),
            })
            .await
        {
            Ok(r) => r.into_inner(),
            Err(_) => continue,
        };
        if task.task_token.is_empty() {
            continue;
        }
        seen.lock()
            .expect("not poisoned")
            .push(task.task_token.clone());
        let input: Value = serde_json::from_str(&task.input).expect("task input is JSON");
        let n = input["n"].as_u64().expect("n");
        // Now and then fail transiently, so retries run too.
        if transient_failures < 3 && n % 7 == 3 && input.get("t1").is_none() {
            transient_failures += 1;
            let _ = client
                .send_task_failure(SendTaskFailureRequest {
                    task_token: task.task_token,
                    error: Some("Transient".into()),
                    cause: Some("try again".into()),
                })
                .await;
            continue;
        }
        // Answer until the answer lands or the task is gone (timed out meanwhile).
        for _ in 0..50 {
            let Some(channel) = endpoint.channel().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let output = json!({"done": n}).to_string();
            match ActivitiesClient::new(channel)
                .send_task_success(SendTaskSuccessRequest {
                    task_token: task.task_token.clone(),
                    output,
                })
                .await
            {
                Ok(_) => break,
                Err(status) if support::error_name(&status) == "TaskDoesNotExist" => break,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_nothing_acknowledged_and_runs_nothing_twice() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut process = NodeProcess::must_spawn(dir.path(), SHARDS);
    let endpoint = Endpoint::new(&process.endpoint);

    // Setup: an activity and the four state machines.
    let channel = endpoint.channel().await.expect("the node is up");
    let activity = ActivitiesClient::new(channel.clone())
        .create_activity(CreateActivityRequest {
            name: "crash-work".into(),
        })
        .await
        .expect("activity created")
        .into_inner()
        .activity_arn;
    let mut machines_client = StateMachinesClient::new(channel.clone());
    let child_arn = activity.replace(":activity:crash-work", ":stateMachine:pass-chain");
    let mut machines = Vec::new();
    for (kind, name, definition) in definitions(&activity, &child_arn) {
        let arn = machines_client
            .create_state_machine(CreateStateMachineRequest {
                name: name.into(),
                definition: definition.to_string(),
                ..Default::default()
            })
            .await
            .expect("state machine created")
            .into_inner()
            .state_machine_arn;
        machines.push((kind, arn));
    }

    // Workers.
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Vec<Arc<Mutex<Vec<String>>>> =
        (0..2).map(|_| Arc::new(Mutex::new(Vec::new()))).collect();
    let workers: Vec<_> = seen
        .iter()
        .enumerate()
        .map(|(i, seen)| {
            tokio::spawn(worker(
                endpoint.clone(),
                activity.clone(),
                format!("worker-{i}"),
                seen.clone(),
                stop.clone(),
            ))
        })
        .collect();

    // Load: starts in a loop; acknowledged ones are recorded, unknown outcomes too.
    let acknowledged: Arc<Mutex<HashMap<String, (Kind, u64)>>> = Arc::default();
    let unknown: Arc<Mutex<Vec<(String, Kind, u64)>>> = Arc::default();
    let stop_load = Arc::new(AtomicBool::new(false));
    let loader = {
        let (endpoint, machines, acknowledged, unknown, stop) = (
            endpoint.clone(),
            machines.clone(),
            acknowledged.clone(),
            unknown.clone(),
            stop_load.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let Some(channel) = endpoint.channel().await else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let mut client = ExecutionsClient::new(channel);
                for _ in 0..20 {
                    let (kind, arn) = &machines[(n % machines.len() as u64) as usize];
                    let name = format!("e{n}");
                    let request = StartExecutionRequest {
                        state_machine_arn: arn.clone(),
                        name: name.clone(),
                        input: json!({"n": n}).to_string(),
                    };
                    match client.start_execution(request).await {
                        Ok(reply) => {
                            acknowledged
                                .lock()
                                .expect("not poisoned")
                                .insert(reply.into_inner().execution_arn, (*kind, n));
                        }
                        Err(_) => unknown.lock().expect("not poisoned").push((
                            arn.replace(":stateMachine:", ":execution:") + ":" + &name,
                            *kind,
                            n,
                        )),
                    }
                    n += 1;
                }
            }
        })
    };

    // Faults: SIGKILL at irregular moments, restart on the same data directory.
    let mut rng = asl::Rng::new(0x5eed);
    for kill in 0..KILLS {
        let pause = 300 + rng.range_inclusive(0, 1200) as u64;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        process.kill();
        process = NodeProcess::must_spawn(dir.path(), SHARDS);
        endpoint.set(&process.endpoint);
        eprintln!(
            "kill {} of {KILLS} after {pause} ms; restarted at {}",
            kill + 1,
            process.endpoint
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_load.store(true, Ordering::SeqCst);
    let _ = loader.await;

    // The workers keep serving what is left; they stop once every execution is checked.
    let acknowledged = acknowledged.lock().expect("not poisoned").clone();
    let unknown = unknown.lock().expect("not poisoned").clone();
    assert!(
        acknowledged.len() >= 40,
        "too little load got through: {}",
        acknowledged.len()
    );

    let channel = endpoint.channel().await.expect("the node is up");
    let mut executions = ExecutionsClient::new(channel);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut checked = 0;
    let mut events_checked = 0;
    let mut all: Vec<(String, Kind, u64, bool)> = acknowledged
        .iter()
        .map(|(arn, (k, n))| (arn.clone(), *k, *n, true))
        .collect();
    all.extend(
        unknown
            .iter()
            .map(|(arn, k, n)| (arn.clone(), *k, *n, false)),
    );
    for (arn, kind, n, was_acknowledged) in all {
        // Invariant 1: every acknowledged start exists (an unknown outcome may or may not).
        let described = loop {
            match executions
                .describe_execution(DescribeExecutionRequest {
                    execution_arn: arn.clone(),
                })
                .await
            {
                Ok(d) if d.get_ref().status == ExecutionStatus::Running as i32 => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{arn} still running at the deadline"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(d) => break Some(d.into_inner()),
                Err(status) => {
                    assert!(
                        !was_acknowledged,
                        "acknowledged start {arn} is lost: {status}"
                    );
                    break None;
                }
            }
        };
        let Some(described) = described else { continue };
        // Invariant 2: the right terminal status and output.
        assert_eq!(
            described.status,
            ExecutionStatus::Succeeded as i32,
            "{arn} ended {:?}: {:?} {:?}",
            described.status,
            described.error,
            described.cause
        );
        let output: Value = serde_json::from_str(described.output.as_deref().unwrap_or("null"))
            .expect("output is JSON");
        assert_eq!(output, expected_output(kind, n), "{arn}");
        // Invariant 3: history ids dense from 1, no duplicate, one start and one end.
        let history = executions
            .get_execution_history(GetExecutionHistoryRequest {
                execution_arn: arn.clone(),
                max_results: 1000,
                ..Default::default()
            })
            .await
            .expect("history")
            .into_inner()
            .events;
        let ids: Vec<u64> = history.iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            (1..=history.len() as u64).collect::<Vec<_>>(),
            "{arn}: ids not dense"
        );
        let types: Vec<&str> = history.iter().map(|e| e.r#type.as_str()).collect();
        assert_eq!(
            types.iter().filter(|t| **t == "ExecutionStarted").count(),
            1,
            "{arn}: {types:?}"
        );
        assert_eq!(
            types.last(),
            Some(&"ExecutionSucceeded"),
            "{arn}: {types:?}"
        );
        // Invariant 4 (per execution): each scheduled activity task was started at most once.
        let scheduled = types.iter().filter(|t| **t == "ActivityScheduled").count();
        let started = types.iter().filter(|t| **t == "ActivityStarted").count();
        assert!(
            started <= scheduled,
            "{arn}: {started} ActivityStarted for {scheduled} ActivityScheduled"
        );
        checked += 1;
        events_checked += history.len();
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.await;
    }
    // Invariant 4 (across workers): no token was handed out twice.
    let mut tokens = HashSet::new();
    let mut handed = 0;
    for list in &seen {
        for token in list.lock().expect("not poisoned").iter() {
            handed += 1;
            assert!(
                tokens.insert(token.clone()),
                "a task token reached two workers (or one worker twice)"
            );
        }
    }
    eprintln!(
        "crash test: {KILLS} kills, {} acknowledged starts, {} unknown outcomes, {checked} executions checked, {events_checked} events checked, {handed} activity tasks handed out",
        acknowledged.len(),
        unknown.len()
    );
    drop(process);
}
