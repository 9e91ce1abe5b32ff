//! Multi-node fault tests: real `cairn-node` processes on loopback (see `harness`), load
//! through every node, faults (SIGKILL, SIGSTOP, SIGTERM, cut links, nodes joining and
//! leaving), then the invariants of `harness::workload` and replica agreement.
//!
//! Figures printed here (failover times) are measurements, never assertions.

#![allow(clippy::unwrap_used)]

mod harness;

use std::time::Duration;

use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::cluster_client::ClusterClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use cairn_proto::v1::*;
use harness::workload::{Endpoints, LeaderObserver, Report, Workload};
use harness::{Cluster, ONE_CLUSTER_AT_A_TIME, time_to_first_commit};
use serde_json::json;
use tonic::transport::Channel;

const SHARDS: u32 = 6;
/// How long executions get to finish once the faults are over.
const SETTLE: Duration = Duration::from_secs(180);

/// How long shards get to commit again after a fault, and load to flow again.
const RECOVERY: Duration = Duration::from_secs(60);

/// Load through every node, and the leader observer, until [`finish`].
async fn start_load(cluster: &Cluster) -> (Endpoints, Workload, LeaderObserver) {
    let endpoints = Endpoints::new(cluster.all_endpoints());
    let observer = LeaderObserver::start(cluster.node_endpoints());
    let workload = Workload::start(endpoints.clone(), 2).await;
    workload.wait_for_progress(50, RECOVERY).await;
    (endpoints, workload, observer)
}

/// Stops the load and runs every invariant check: the workload's, one leader per shard and
/// term, and replicas that agree.
async fn finish(
    cluster: &Cluster,
    workload: Workload,
    observer: LeaderObserver,
    scenario: &str,
) -> Report {
    let report = workload.stop_and_check(SETTLE).await;
    let claims = observer.finish().await;
    cluster.wait_for_replicas_to_agree(RECOVERY).await;
    eprintln!(
        "{scenario}: {report}; {claims} leader claims observed with at most one leader per shard and term; replicas agree"
    );
    report
}

/// The shards `node` leads now.
async fn led_by(cluster: &Cluster, node: u64) -> Vec<u32> {
    cluster
        .leaders()
        .await
        .into_iter()
        .filter(|(_, n)| *n == node)
        .map(|(s, _)| s)
        .collect()
}

/// The pass-chain machine of the workload, used to probe shards.
fn probe_machine(workload: &Workload) -> String {
    workload
        .activity
        .replace(":activity:cluster-work", ":stateMachine:pass-chain")
}

/// Describes `arn` until it has ended (within 30 s).
async fn must_end(
    client: &mut ExecutionsClient<Channel>,
    arn: &str,
) -> cairn_proto::v1::DescribeExecutionResponse {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let described = client
            .describe_execution(DescribeExecutionRequest {
                execution_arn: arn.to_owned(),
            })
            .await
            .unwrap()
            .into_inner();
        if described.status != ExecutionStatus::Running as i32 {
            return described;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{arn} still running after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn channel(endpoint: &str) -> Channel {
    Channel::from_shared(endpoint.to_owned())
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_serves_every_request() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let cluster = Cluster::start(3, SHARDS).await;
    let endpoints = cluster.all_endpoints();

    // Every shard has three voters, and leadership is spread over the nodes.
    let leaders = cluster.leaders().await;
    for id in 1..=3 {
        let info = cluster.info(id).await.unwrap();
        assert_eq!(info.node_id, id);
        assert_eq!(info.nodes.len(), 3, "node {id} knows {:?}", info.nodes);
        for shard in &info.shards {
            assert_eq!(
                shard.voters.len(),
                3,
                "shard {} on node {id}: {:?}",
                shard.shard_id,
                shard.voters
            );
        }
    }
    assert_eq!(leaders.len(), SHARDS as usize);

    // A state machine created through node 1 is visible through nodes 2 and 3.
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}});
    let machine = StateMachinesClient::new(channel(&endpoints[0]).await)
        .create_state_machine(CreateStateMachineRequest {
            name: "everywhere".into(),
            definition: definition.to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .state_machine_arn;
    for endpoint in &endpoints[1..] {
        let described = StateMachinesClient::new(channel(endpoint).await)
            .describe_state_machine(DescribeStateMachineRequest {
                state_machine_arn: machine.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(described.name, "everywhere");
    }

    // Executions started through each node land on every shard, and each is readable from
    // every node.
    let mut arns = Vec::new();
    for i in 0..24 {
        let reply = ExecutionsClient::new(channel(&endpoints[i % 3]).await)
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.clone(),
                name: format!("x{i}"),
                input: "{}".into(),
            })
            .await
            .unwrap()
            .into_inner();
        arns.push(reply.execution_arn);
    }
    for (i, arn) in arns.iter().enumerate() {
        let endpoint = &endpoints[(i + 1) % 3];
        let mut client = ExecutionsClient::new(channel(endpoint).await);
        let described = must_end(&mut client, arn).await;
        assert_eq!(described.status, ExecutionStatus::Succeeded as i32);
        assert_eq!(described.output.as_deref(), Some(r#"{"ok":true}"#));
        let history = client
            .get_execution_history(GetExecutionHistoryRequest {
                execution_arn: arn.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .events;
        assert_eq!(
            history.first().map(|e| e.r#type.as_str()),
            Some("ExecutionStarted")
        );
    }
    // Listing merges every shard, whichever node is asked.
    for endpoint in &endpoints {
        let mut listed = Vec::new();
        let mut next_token = String::new();
        loop {
            let page = ExecutionsClient::new(channel(endpoint).await)
                .list_executions(ListExecutionsRequest {
                    state_machine_arn: machine.clone(),
                    max_results: 5,
                    next_token: next_token.clone(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            listed.extend(page.executions.into_iter().map(|e| e.execution_arn));
            if page.next_token.is_empty() {
                break;
            }
            next_token = page.next_token;
        }
        listed.sort();
        let mut expected = arns.clone();
        expected.sort();
        assert_eq!(listed, expected, "listing through {endpoint}");
    }

    // An activity task queued on one node reaches a worker polling another, once.
    let activity = ActivitiesClient::new(channel(&endpoints[0]).await)
        .create_activity(CreateActivityRequest {
            name: "far-away".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .activity_arn;
    let tasks = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": true}}});
    let task_machine = StateMachinesClient::new(channel(&endpoints[1]).await)
        .create_state_machine(CreateStateMachineRequest {
            name: "tasks".into(),
            definition: tasks.to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .state_machine_arn;
    let mut task_arns = Vec::new();
    for i in 0..6 {
        let arn = ExecutionsClient::new(channel(&endpoints[0]).await)
            .start_execution(StartExecutionRequest {
                state_machine_arn: task_machine.clone(),
                name: format!("t{i}"),
                input: json!({"i": i}).to_string(),
            })
            .await
            .unwrap()
            .into_inner()
            .execution_arn;
        task_arns.push(arn);
    }
    let mut tokens = std::collections::HashSet::new();
    while tokens.len() < 6 {
        // Only node 3 is polled: tasks of shards led by nodes 1 and 2 must travel.
        let task = ActivitiesClient::new(channel(&endpoints[2]).await)
            .get_activity_task(GetActivityTaskRequest {
                activity_arn: activity.clone(),
                worker_name: "w".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            !task.task_token.is_empty(),
            "a queued task did not reach a worker on another node"
        );
        assert!(
            tokens.insert(task.task_token.clone()),
            "a task reached a worker twice"
        );
        // Answered through node 2: the token is good on every node.
        ActivitiesClient::new(channel(&endpoints[1]).await)
            .send_task_success(SendTaskSuccessRequest {
                task_token: task.task_token,
                output: task.input,
            })
            .await
            .unwrap();
    }
    for (i, arn) in task_arns.iter().enumerate() {
        let mut client = ExecutionsClient::new(channel(&endpoints[0]).await);
        let described = must_end(&mut client, arn).await;
        assert_eq!(described.output, Some(json!({"i": i}).to_string()));
    }
    cluster
        .wait_for_replicas_to_agree(Duration::from_secs(30))
        .await;

    // The client library sees the whole cluster and sends execution calls to shard leaders.
    let client = cairn_client::Client::connect(endpoints[0].clone())
        .await
        .unwrap();
    let status = client.cluster_status().await.unwrap();
    assert_eq!(status.nodes.len(), 3);
    assert!(
        status.nodes.iter().all(|n| n.unreachable.is_none()),
        "{:?}",
        status.nodes
    );
    assert_eq!(status.shards.len(), SHARDS as usize);
    for shard in &status.shards {
        assert_ne!(
            shard.leader_node_id, 0,
            "shard {} has no leader",
            shard.shard_id
        );
        assert_eq!(shard.voters.len(), 3);
    }
    for arn in &arns {
        let (machine, name) = arn
            .rsplit_once(':')
            .map(|(rest, name)| (rest.rsplit(':').next().unwrap(), name))
            .unwrap();
        let shard = cairn_client::execution_shard(machine, name, SHARDS);
        // The shard's leader as the status just fetched reports it (the client's shard map
        // was fetched at the same moment).
        let leader = status
            .shards
            .iter()
            .find(|s| s.shard_id == shard)
            .unwrap()
            .leader_node_id;
        assert_eq!(
            client.routed_endpoint(arn).await,
            format!("http://{}", cluster.nodes[&leader].peer_address)
        );
        let described = client.describe_execution(arn).await.unwrap();
        assert_eq!(described.status, ExecutionStatus::Succeeded as i32);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_leader_loses_nothing_acknowledged() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, SHARDS).await;
    let (endpoints, workload, observer) = start_load(&cluster).await;
    for round in 1..=2 {
        let victim = cluster.busiest_leader().await;
        let shards = led_by(&cluster, victim).await;
        cluster.kill(victim);
        let killed_at = tokio::time::Instant::now();
        endpoints.set(cluster.live_endpoints());
        let recovered = time_to_first_commit(
            &endpoints,
            &probe_machine(&workload),
            &shards,
            SHARDS,
            killed_at,
            RECOVERY,
        )
        .await;
        eprintln!(
            "fault {round}: node {victim} SIGKILLed while leading shards {shards:?}; each committed again under a new leader within {} ms",
            recovered.as_millis()
        );
        workload.wait_for_progress(20, RECOVERY).await;
        cluster.spawn(victim);
        endpoints.set(cluster.all_endpoints());
        workload.wait_for_progress(20, RECOVERY).await;
    }
    let report = finish(&cluster, workload, observer, "leader SIGKILL").await;
    assert!(
        report.acknowledged >= 100,
        "too little load got through: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_frozen_followers_do_not_stop_the_cluster() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, SHARDS).await;
    let (endpoints, workload, observer) = start_load(&cluster).await;

    // The node leading the fewest shards is frozen (SIGSTOP): what it led moves away.
    let leaders = cluster.leaders().await;
    let quiet = (1..=3)
        .min_by_key(|id| leaders.values().filter(|n| *n == id).count())
        .unwrap();
    let shards = led_by(&cluster, quiet).await;
    cluster.freeze(quiet);
    let frozen_at = tokio::time::Instant::now();
    endpoints.set(cluster.live_endpoints());
    let recovered = time_to_first_commit(
        &endpoints,
        &probe_machine(&workload),
        &shards,
        SHARDS,
        frozen_at,
        RECOVERY,
    )
    .await;
    eprintln!(
        "fault 1: node {quiet} frozen (SIGSTOP) while leading shards {shards:?}; each committed again within {} ms",
        recovered.as_millis()
    );
    workload.wait_for_progress(30, RECOVERY).await;
    cluster.thaw(quiet);
    endpoints.set(cluster.all_endpoints());
    workload.wait_for_progress(20, RECOVERY).await;

    // Then a node that leads nothing, if there is one, is SIGKILLed and restarted: only
    // followers go away, so no shard should stall.
    let leaders = cluster.leaders().await;
    let follower = (1..=3)
        .find(|id| !leaders.values().any(|n| n == id))
        .unwrap_or(quiet);
    let shards = led_by(&cluster, follower).await;
    cluster.kill(follower);
    let killed_at = tokio::time::Instant::now();
    endpoints.set(cluster.live_endpoints());
    let all: Vec<u32> = (0..SHARDS).collect();
    let committed = time_to_first_commit(
        &endpoints,
        &probe_machine(&workload),
        &all,
        SHARDS,
        killed_at,
        RECOVERY,
    )
    .await;
    eprintln!(
        "fault 2: node {follower} SIGKILLed leading shards {shards:?}; every shard committed within {} ms",
        committed.as_millis()
    );
    workload.wait_for_progress(30, RECOVERY).await;
    cluster.spawn(follower);
    endpoints.set(cluster.all_endpoints());
    workload.wait_for_progress(20, RECOVERY).await;
    finish(&cluster, workload, observer, "follower faults").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partitioned_leader_acknowledges_nothing_and_the_majority_carries_on() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let cluster = Cluster::start(3, SHARDS).await;
    let (endpoints, workload, observer) = start_load(&cluster).await;

    let minority = cluster.busiest_leader().await;
    let shards = led_by(&cluster, minority).await;
    cluster.isolate(&[minority]);
    let cut_at = tokio::time::Instant::now();
    let majority: Vec<String> = cluster
        .nodes
        .values()
        .filter(|n| n.id != minority)
        .map(|n| n.endpoint())
        .collect();
    endpoints.set(majority);
    let recovered = time_to_first_commit(
        &endpoints,
        &probe_machine(&workload),
        &shards,
        SHARDS,
        cut_at,
        RECOVERY,
    )
    .await;
    eprintln!(
        "fault 1: node {minority} cut off from the others while leading shards {shards:?}; each committed again on the majority side within {} ms",
        recovered.as_millis()
    );
    workload.wait_for_progress(30, RECOVERY).await;

    // The isolated node still takes client calls, but acknowledges no start: it cannot reach
    // a quorum for any shard, nor the leaders on the other side.
    let isolated = cluster.nodes[&minority].endpoint();
    let mut client = ExecutionsClient::new(
        Channel::from_shared(isolated)
            .unwrap()
            .timeout(Duration::from_secs(5))
            .connect()
            .await
            .unwrap(),
    );
    let machine = probe_machine(&workload);
    for i in 0..5 {
        let result = client
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.clone(),
                name: format!("minority-{i}"),
                input: json!({"n": 0}).to_string(),
            })
            .await;
        assert!(
            result.is_err(),
            "the isolated node acknowledged minority-{i}: {result:?}"
        );
    }

    cluster.heal();
    endpoints.set(cluster.all_endpoints());
    workload.wait_for_progress(20, RECOVERY).await;
    finish(&cluster, workload, observer, "leader partition").await;

    // A start the isolated node refused may still have committed after the cut healed (the
    // request was in flight); if so it ran exactly once.
    let mut client = ExecutionsClient::new(channel(&cluster.all_endpoints()[0]).await);
    for i in 0..5 {
        let arn = machine.replace(":stateMachine:", ":execution:") + &format!(":minority-{i}");
        let history = client
            .get_execution_history(GetExecutionHistoryRequest {
                execution_arn: arn,
                ..Default::default()
            })
            .await;
        if let Ok(history) = history {
            let events = history.into_inner().events;
            assert_eq!(
                events
                    .iter()
                    .filter(|e| e.r#type == "ExecutionStarted")
                    .count(),
                1
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_loses_nothing() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, SHARDS).await;
    let (endpoints, workload, observer) = start_load(&cluster).await;
    for id in 1..=3 {
        let shards = led_by(&cluster, id).await;
        cluster.terminate(id);
        let stopped_at = tokio::time::Instant::now();
        endpoints.set(cluster.live_endpoints());
        let recovered = time_to_first_commit(
            &endpoints,
            &probe_machine(&workload),
            &shards,
            SHARDS,
            stopped_at,
            RECOVERY,
        )
        .await;
        eprintln!(
            "fault {id}: node {id} stopped (SIGTERM) while leading shards {shards:?}; each committed again within {} ms",
            recovered.as_millis()
        );
        workload.wait_for_progress(20, RECOVERY).await;
        cluster.spawn(id);
        endpoints.set(cluster.all_endpoints());
        // The restarted node catches up before the next one goes.
        cluster.wait_for_replicas_to_agree(RECOVERY).await;
        workload.wait_for_progress(20, RECOVERY).await;
    }
    finish(&cluster, workload, observer, "rolling restart").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_join_and_leave_under_load() {
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, SHARDS).await;
    let (endpoints, workload, observer) = start_load(&cluster).await;

    // Node 4 joins: replicas move to it while load runs.
    cluster.start_joining_node(4).await;
    let peer = cluster.nodes[&4].peer_address.to_string();
    let joined_at = tokio::time::Instant::now();
    let added = ClusterClient::new(channel(&cluster.nodes[&1].endpoint()).await)
        .add_node(AddNodeRequest {
            node_id: 4,
            address: peer,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!added.shards.is_empty(), "no replica moved to the new node");
    eprintln!(
        "node 4 joined: shards {:?} moved to it in {} ms",
        added.shards,
        joined_at.elapsed().as_millis()
    );
    endpoints.set(cluster.all_endpoints());
    workload.wait_for_progress(30, RECOVERY).await;
    let info = cluster.info(4).await.unwrap();
    let mut hosted: Vec<u32> = info.shards.iter().map(|s| s.shard_id).collect();
    hosted.sort_unstable();
    assert_eq!(
        hosted, added.shards,
        "node 4 hosts other shards than were moved to it"
    );

    // Node 1 leaves: its replicas move to the others, then it stops.
    let leaving_at = tokio::time::Instant::now();
    let removed = ClusterClient::new(channel(&cluster.nodes[&2].endpoint()).await)
        .remove_node(RemoveNodeRequest { node_id: 1 })
        .await
        .unwrap()
        .into_inner();
    assert!(!removed.shards.is_empty());
    eprintln!(
        "node 1 left: shards {:?} moved off it in {} ms",
        removed.shards,
        leaving_at.elapsed().as_millis()
    );
    cluster.terminate(1);
    endpoints.set(cluster.live_endpoints());
    cluster.wait_for_leaders(RECOVERY).await;
    workload.wait_for_progress(30, RECOVERY).await;
    for id in [2, 3, 4] {
        let info = cluster.info(id).await.unwrap();
        for shard in info.shards.iter().filter(|s| s.leader_node_id == id) {
            assert!(
                !shard.voters.contains(&1),
                "shard {} still counts node 1 as a voter",
                shard.shard_id
            );
            assert_eq!(
                shard.voters.len(),
                3,
                "shard {} has voters {:?}",
                shard.shard_id,
                shard.voters
            );
        }
    }
    finish(&cluster, workload, observer, "join and leave").await;
}
