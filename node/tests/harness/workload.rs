//! Load that a cluster must carry through faults, and the invariants checked afterwards:
//!
//! 1. every acknowledged start exists and finishes (an unacknowledged one may or may not);
//! 2. each finishes with the status and output its input determines;
//! 3. each history has dense event ids from 1, one `ExecutionStarted` and one end;
//! 4. no activity task reached two workers (tokens are unique across workers, and no task
//!    started more often than it was scheduled);
//! 5. no timer fired early (a one-second Wait state lasts at least a second).
//!
//! A sixth, at most one leader per shard and term, is watched while the scenario runs
//! ([`LeaderObserver`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use cairn_proto::v1::*;
use serde_json::{Value, json};
use tonic::transport::Channel;

/// The nodes clients may use; tests update it as nodes come and go.
#[derive(Clone, Default)]
pub struct Endpoints {
    list: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

impl Endpoints {
    pub fn new(list: Vec<String>) -> Endpoints {
        Endpoints {
            list: Arc::new(Mutex::new(list)),
            next: Arc::default(),
        }
    }

    pub fn set(&self, list: Vec<String>) {
        *self.list.lock().unwrap() = list;
    }

    /// A connection to the next endpoint in turn that accepts one.
    pub async fn channel(&self) -> Option<Channel> {
        let list = self.list.lock().unwrap().clone();
        for _ in 0..list.len() {
            let i = self.next.fetch_add(1, Ordering::Relaxed) as usize % list.len();
            let Ok(endpoint) = Channel::from_shared(list[i].clone()) else {
                continue;
            };
            if let Ok(channel) = endpoint
                .connect_timeout(Duration::from_secs(1))
                .timeout(Duration::from_secs(15))
                .connect()
                .await
            {
                return Some(channel);
            }
        }
        None
    }

    async fn channel_eventually(&self) -> Channel {
        for _ in 0..200 {
            if let Some(channel) = self.channel().await {
                return channel;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no node accepts connections");
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
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
                "T1": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 5, "ResultPath": "$.t1",
                       "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 30, "BackoffRate": 1}],
                       "Next": "T2"},
                "T2": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 5, "ResultPath": "$.t2",
                       "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 30, "BackoffRate": 1}],
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

fn expected_output(kind: Kind, n: u64) -> Value {
    match kind {
        Kind::PassChain => json!({"n": n, "a": "a", "c": "c"}),
        Kind::Wait => json!({"n": n, "w": "w"}),
        Kind::Activities => json!({"n": n, "t1": {"done": n}, "t2": {"done": n}}),
        Kind::Nested => json!({"n": n, "child": {"out": {"n": n, "a": "a", "c": "c"}}}),
    }
}

/// A running workload: a loader starting executions and activity workers.
pub struct Workload {
    pub endpoints: Endpoints,
    pub activity: String,
    machines: Vec<(Kind, String)>,
    acknowledged: Arc<Mutex<HashMap<String, (Kind, u64)>>>,
    unknown: Arc<Mutex<Vec<(String, Kind, u64)>>>,
    seen: Vec<Arc<Mutex<Vec<String>>>>,
    stop_load: Arc<AtomicBool>,
    stop_workers: Arc<AtomicBool>,
    loaders: Vec<tokio::task::JoinHandle<()>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

/// What the checks found.
#[derive(Debug, Default)]
pub struct Report {
    pub acknowledged: usize,
    pub unknown: usize,
    pub checked: usize,
    pub events: usize,
    pub tasks_handed_out: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} acknowledged starts, {} unknown outcomes, {} executions checked, {} events checked, {} activity tasks handed out",
            self.acknowledged, self.unknown, self.checked, self.events, self.tasks_handed_out
        )
    }
}

impl Workload {
    /// Creates the activity and state machines, then starts `loaders` loaders and two workers.
    pub async fn start(endpoints: Endpoints, loaders: usize) -> Workload {
        let channel = endpoints.channel_eventually().await;
        let activity = ActivitiesClient::new(channel.clone())
            .create_activity(CreateActivityRequest {
                name: "cluster-work".into(),
            })
            .await
            .expect("activity created")
            .into_inner()
            .activity_arn;
        let child_arn = activity.replace(":activity:cluster-work", ":stateMachine:pass-chain");
        let mut machines = Vec::new();
        for (kind, name, definition) in definitions(&activity, &child_arn) {
            let arn = StateMachinesClient::new(channel.clone())
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
        let mut workload = Workload {
            endpoints,
            activity,
            machines,
            acknowledged: Arc::default(),
            unknown: Arc::default(),
            seen: (0..2).map(|_| Arc::default()).collect(),
            stop_load: Arc::default(),
            stop_workers: Arc::default(),
            loaders: Vec::new(),
            workers: Vec::new(),
        };
        for (i, seen) in workload.seen.iter().enumerate() {
            workload.workers.push(tokio::spawn(worker(
                workload.endpoints.clone(),
                workload.activity.clone(),
                format!("worker-{i}"),
                seen.clone(),
                workload.stop_workers.clone(),
            )));
        }
        for loader in 0..loaders {
            workload.loaders.push(tokio::spawn(load(
                workload.endpoints.clone(),
                workload.machines.clone(),
                loader as u64,
                loaders as u64,
                workload.acknowledged.clone(),
                workload.unknown.clone(),
                workload.stop_load.clone(),
            )));
        }
        workload
    }

    pub fn acknowledged(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Waits until `more` further starts are acknowledged: the cluster makes progress.
    pub async fn wait_for_progress(&self, more: usize, deadline: Duration) -> Duration {
        let started = tokio::time::Instant::now();
        let target = self.acknowledged() + more;
        while self.acknowledged() < target {
            assert!(
                started.elapsed() < deadline,
                "no progress: {} of {target} starts acknowledged after {deadline:?}",
                self.acknowledged()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        started.elapsed()
    }

    /// Stops the load, lets every execution finish, and checks the invariants.
    pub async fn stop_and_check(mut self, deadline: Duration) -> Report {
        self.stop_load.store(true, Ordering::SeqCst);
        for loader in self.loaders.drain(..) {
            let _ = loader.await;
        }
        let acknowledged = self.acknowledged.lock().unwrap().clone();
        let unknown = self.unknown.lock().unwrap().clone();
        let mut report = Report {
            acknowledged: acknowledged.len(),
            unknown: unknown.len(),
            ..Report::default()
        };
        let mut all: Vec<(String, Kind, u64, bool)> = acknowledged
            .iter()
            .map(|(arn, (k, n))| (arn.clone(), *k, *n, true))
            .collect();
        all.extend(
            unknown
                .iter()
                .map(|(arn, k, n)| (arn.clone(), *k, *n, false)),
        );
        all.sort_by_key(|(_, _, n, _)| *n);
        let until = tokio::time::Instant::now() + deadline;
        for (arn, kind, n, was_acknowledged) in all {
            let Some(described) = self.finished(&arn, was_acknowledged, until).await else {
                continue;
            };
            check_outcome(&arn, &described, kind, n);
            report.events += self.check_history(&arn).await;
            report.checked += 1;
        }
        self.stop_workers.store(true, Ordering::SeqCst);
        for worker in self.workers.drain(..) {
            let _ = worker.await;
        }
        report.tasks_handed_out = check_no_task_twice(&self.seen);
        report
    }

    /// Invariant 1: the execution exists (if acknowledged) and leaves RUNNING.
    async fn finished(
        &self,
        arn: &str,
        was_acknowledged: bool,
        until: tokio::time::Instant,
    ) -> Option<DescribeExecutionResponse> {
        loop {
            let channel = self.endpoints.channel_eventually().await;
            match ExecutionsClient::new(channel)
                .describe_execution(DescribeExecutionRequest {
                    execution_arn: arn.into(),
                })
                .await
            {
                Ok(d) if d.get_ref().status != ExecutionStatus::Running as i32 => {
                    return Some(d.into_inner());
                }
                Ok(_) => {}
                Err(status) if status.code() == tonic::Code::NotFound => {
                    assert!(
                        !was_acknowledged,
                        "invariant 1 broken: acknowledged start {arn} is lost: {status}"
                    );
                    return None;
                }
                // Unavailable while leadership moves: ask again.
                Err(_) => {}
            }
            assert!(
                tokio::time::Instant::now() < until,
                "{arn} still running (or unreadable) at the deadline"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Invariant 3: dense history with one start and one end; returns the event count.
    async fn check_history(&self, arn: &str) -> usize {
        let history = loop {
            let channel = self.endpoints.channel_eventually().await;
            match ExecutionsClient::new(channel)
                .get_execution_history(GetExecutionHistoryRequest {
                    execution_arn: arn.into(),
                    max_results: 1000,
                    ..Default::default()
                })
                .await
            {
                Ok(reply) => break reply.into_inner().events,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let ids: Vec<u64> = history.iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            (1..=history.len() as u64).collect::<Vec<_>>(),
            "invariant 3 broken: {arn} has ids {ids:?}"
        );
        let types: Vec<&str> = history.iter().map(|e| e.r#type.as_str()).collect();
        assert_eq!(
            types.iter().filter(|t| **t == "ExecutionStarted").count(),
            1,
            "invariant 3 broken: {arn}: {types:?}"
        );
        assert_eq!(
            types.last(),
            Some(&"ExecutionSucceeded"),
            "invariant 3 broken: {arn}: {types:?}"
        );
        check_no_timer_early(arn, &history);
        let scheduled = types.iter().filter(|t| **t == "ActivityScheduled").count();
        let started = types.iter().filter(|t| **t == "ActivityStarted").count();
        assert!(
            started <= scheduled,
            "invariant 4 broken: {arn}: {started} ActivityStarted for {scheduled} ActivityScheduled"
        );
        history.len()
    }
}

impl Drop for Workload {
    fn drop(&mut self) {
        self.stop_load.store(true, Ordering::SeqCst);
        self.stop_workers.store(true, Ordering::SeqCst);
    }
}

/// Invariant 2: the status and output the input determines.
fn check_outcome(arn: &str, described: &DescribeExecutionResponse, kind: Kind, n: u64) {
    assert_eq!(
        described.status,
        ExecutionStatus::Succeeded as i32,
        "invariant 2 broken: {arn} ended {:?}: {:?} {:?}",
        described.status,
        described.error,
        described.cause
    );
    let output: Value = serde_json::from_str(described.output.as_deref().unwrap_or("null"))
        .expect("output is JSON");
    assert_eq!(
        output,
        expected_output(kind, n),
        "invariant 2 broken: {arn}"
    );
}

/// Invariant 5: every Wait state (one second in these machines) lasted at least that long.
fn check_no_timer_early(arn: &str, history: &[HistoryEvent]) {
    let millis = |e: &HistoryEvent| e.timestamp.as_ref().map_or(0, |t| t.epoch_millis);
    let mut entered = None;
    for event in history {
        match event.r#type.as_str() {
            "WaitStateEntered" => entered = Some(millis(event)),
            "WaitStateExited" => {
                let started = entered.take().expect("a Wait state exits after it enters");
                let waited = millis(event) - started;
                assert!(
                    waited >= 1000,
                    "invariant 5 broken: {arn} waited {waited} ms in a 1 s Wait state"
                );
            }
            _ => {}
        }
    }
}

/// Invariant 4 across workers: no token was handed out twice. Returns how many were.
fn check_no_task_twice(seen: &[Arc<Mutex<Vec<String>>>]) -> usize {
    let mut tokens = HashSet::new();
    let mut handed = 0;
    for list in seen {
        for token in list.lock().unwrap().iter() {
            handed += 1;
            assert!(
                tokens.insert(token.clone()),
                "invariant 4 broken: a task token reached two workers (or one twice)"
            );
        }
    }
    handed
}

/// Starts executions in turn over the machines, through whichever node answers; a start that
/// gets no answer is an unknown outcome (it may or may not have happened).
async fn load(
    endpoints: Endpoints,
    machines: Vec<(Kind, String)>,
    first: u64,
    step: u64,
    acknowledged: Arc<Mutex<HashMap<String, (Kind, u64)>>>,
    unknown: Arc<Mutex<Vec<(String, Kind, u64)>>>,
    stop: Arc<AtomicBool>,
) {
    let mut n = first;
    while !stop.load(Ordering::SeqCst) {
        let Some(channel) = endpoints.channel().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let mut client = ExecutionsClient::new(channel);
        for _ in 0..10 {
            if stop.load(Ordering::SeqCst) {
                break;
            }
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
                        .unwrap()
                        .insert(reply.into_inner().execution_arn, (*kind, n));
                }
                Err(_) => {
                    unknown.lock().unwrap().push((
                        arn.replace(":stateMachine:", ":execution:") + ":" + &name,
                        *kind,
                        n,
                    ));
                    n += step;
                    break;
                }
            }
            n += step;
        }
    }
}

/// An activity worker that moves between nodes as they fail, recording every token it got.
async fn worker(
    endpoints: Endpoints,
    activity: String,
    name: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::SeqCst) {
        let Some(channel) = endpoints.channel().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let task = match ActivitiesClient::new(channel)
            .get_activity_task(GetActivityTaskRequest {
                activity_arn: activity.clone(),
                worker_name: name.clone(),
            })
            .await
        {
            Ok(reply) => reply.into_inner(),
            Err(_) => continue,
        };
        if task.task_token.is_empty() {
            continue;
        }
        seen.lock().unwrap().push(task.task_token.clone());
        let input: Value = serde_json::from_str(&task.input).expect("task input is JSON");
        let n = input["n"].as_u64().expect("n");
        // Answer until the answer lands or the task is gone (timed out meanwhile).
        for _ in 0..100 {
            let Some(channel) = endpoints.channel().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            match ActivitiesClient::new(channel)
                .send_task_success(SendTaskSuccessRequest {
                    task_token: task.task_token.clone(),
                    output: json!({"done": n}).to_string(),
                })
                .await
            {
                Ok(_) => break,
                Err(status) if status.code() == tonic::Code::NotFound => break,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// Watches every node's view of its shards while a scenario runs and checks that no two nodes
/// ever claimed to lead the same shard in the same term (Raft's election safety).
pub struct LeaderObserver {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<usize>,
}

impl LeaderObserver {
    /// `nodes`: every node's id and client endpoint, including nodes that are down now.
    pub fn start(nodes: Vec<(u64, String)>) -> LeaderObserver {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(observe(nodes, stop.clone()));
        LeaderObserver { stop, task }
    }

    /// Stops watching; returns how many leader claims were seen. Panics (invariant 6) if two
    /// nodes led one shard in one term.
    pub async fn finish(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        match self.task.await {
            Ok(claims) => claims,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

async fn observe(nodes: Vec<(u64, String)>, stop: Arc<AtomicBool>) -> usize {
    use cairn_proto::v1::cluster_client::ClusterClient;
    let mut leaders: HashMap<(u32, u64), u64> = HashMap::new();
    let mut claims = 0;
    while !stop.load(Ordering::SeqCst) {
        for (node, endpoint) in &nodes {
            let Ok(endpoint) = Channel::from_shared(endpoint.clone()) else {
                continue;
            };
            let Ok(channel) = endpoint
                .connect_timeout(Duration::from_millis(300))
                .timeout(Duration::from_millis(500))
                .connect()
                .await
            else {
                continue;
            };
            let Ok(info) = ClusterClient::new(channel)
                .get_cluster_info(GetClusterInfoRequest {})
                .await
            else {
                continue;
            };
            for shard in info
                .into_inner()
                .shards
                .iter()
                .filter(|s| s.leader_node_id == *node)
            {
                claims += 1;
                let first = *leaders.entry((shard.shard_id, shard.term)).or_insert(*node);
                assert_eq!(
                    first, *node,
                    "invariant 6 broken: nodes {first} and {node} both led shard {} in term {}",
                    shard.shard_id, shard.term
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    claims
}
