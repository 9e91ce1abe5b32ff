//! The Prometheus endpoint end to end: a node in-process under a little load (starts and an
//! activity task), scraped over plain HTTP; and the Grafana dashboard, which may query only
//! metrics the node exports.

mod support;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use cairn_node::metrics::names;
use cairn_proto::v1::*;
use serde_json::json;
use support::TestNode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The dashboard, relative to this crate.
const DASHBOARD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/grafana/cairn-dashboard.json"
);

/// Sends one HTTP/1.1 request and returns the status line and the body.
async fn must_get(address: SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("the metrics endpoint accepts connections");
    let request = format!("GET {path} HTTP/1.1\r\nHost: cairn\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("the response is read");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("an HTTP response with a body");
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, body.to_owned())
}

/// Families present in a scrape, from their `# TYPE` lines.
fn families(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// The value of the one sample whose line starts with `series` (name and labels as printed).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn run_some_load(node: &TestNode) {
    let activity = node
        .activities()
        .await
        .create_activity(CreateActivityRequest {
            name: "metrics-work".into(),
        })
        .await
        .expect("the activity is created")
        .into_inner()
        .activity_arn;
    let machine = node
        .create_machine(
            "metrics-load",
            json!({
                "StartAt": "P",
                "States": {
                    "P": {"Type": "Pass", "Next": "T"},
                    "T": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 60, "End": true}
                }
            }),
        )
        .await;
    let mut executions = node.executions().await;
    let mut arns = Vec::new();
    for n in 0..3 {
        let started = executions
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.clone(),
                name: format!("load-{n}"),
                input: "{}".into(),
            })
            .await
            .expect("the execution starts")
            .into_inner();
        arns.push(started.execution_arn);
    }
    // A request the API refuses, so a code other than OK shows up too.
    let refused = executions
        .describe_execution(DescribeExecutionRequest {
            execution_arn: machine.replace(":stateMachine:", ":execution:") + ":missing",
        })
        .await
        .expect_err("a missing execution is refused");
    assert_eq!(refused.code(), tonic::Code::NotFound);

    let mut worker = node.activities().await;
    let task = worker
        .get_activity_task(GetActivityTaskRequest {
            activity_arn: activity,
            worker_name: "metrics-worker".into(),
        })
        .await
        .expect("the poll answers")
        .into_inner();
    assert!(!task.task_token.is_empty(), "a task was queued");
    worker
        .send_task_success(SendTaskSuccessRequest {
            task_token: task.task_token,
            output: "{\"done\":true}".into(),
        })
        .await
        .expect("the task result is accepted");
    // The task belonged to one of the three; that one finishes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    'waiting: loop {
        for arn in &arns {
            let described = executions
                .describe_execution(DescribeExecutionRequest {
                    execution_arn: arn.clone(),
                })
                .await
                .expect("describe works")
                .into_inner();
            if described.status == ExecutionStatus::Succeeded as i32 {
                break 'waiting;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no execution finished"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// The only test in this binary that starts a node: the recorder is per process, so the exact
// counts below hold only while no other node records into it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_family_is_served_after_some_load() {
    let node = TestNode::start().await;
    let address = node
        .node
        .as_ref()
        .and_then(|n| n.metrics_addr)
        .expect("metrics are on by default");
    run_some_load(&node).await;

    // Gauges appear at the sampler's first tick and histograms once drained into buckets:
    // scrape until every family is there, up to a deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let text = loop {
        let (status, text) = must_get(address, "/metrics").await;
        assert!(status.contains(" 200 "), "{status}");
        let present = families(&text);
        let missing: Vec<&str> = names::ALL
            .iter()
            .copied()
            .filter(|name| !present.contains(*name))
            .collect();
        if missing.is_empty() {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "families still missing: {missing:?}\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let starts = sample(
        &text,
        "cairn_api_requests_total{method=\"cairn.v1.Executions/StartExecution\",code=\"OK\"}",
    );
    assert_eq!(starts, Some(3.0), "{text}");
    let not_found = sample(
        &text,
        "cairn_api_requests_total{method=\"cairn.v1.Executions/DescribeExecution\",code=\"NotFound\"}",
    );
    assert_eq!(not_found, Some(1.0), "{text}");
    assert!(sample(&text, "cairn_transitions_committed_total").unwrap() >= 5.0);
    assert!(sample(&text, "cairn_states_entered_total").unwrap() >= 6.0);
    assert_eq!(sample(&text, "cairn_executions_started_total"), Some(3.0));
    assert_eq!(
        sample(&text, "cairn_executions_closed_total{status=\"succeeded\"}"),
        Some(1.0)
    );
    assert!(sample(&text, "cairn_raft_proposal_commands_count").unwrap() >= 1.0);
    assert!(sample(&text, "cairn_raft_log_append_duration_seconds_count").unwrap() >= 1.0);
    assert!(
        sample(
            &text,
            "cairn_activity_poll_wait_seconds_count{outcome=\"task\"}"
        )
        .unwrap()
            >= 1.0
    );
    assert!(text.contains("# HELP cairn_raft_propose_duration_seconds "));

    // The sampler's gauges settle on what the node holds: all four shards led here, and two
    // executions still waiting for a worker.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, text) = must_get(address, "/metrics").await;
        let leaders = sample(&text, "cairn_shard_leaders");
        let open = sample(&text, "cairn_executions_open{status=\"running\"}");
        let queued = sample(&text, "cairn_activity_tasks_queued");
        if leaders == Some(4.0) && open == Some(2.0) && queued == Some(2.0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "leaders {leaders:?}, open {open:?}, queued {queued:?}\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (status, _) = must_get(address, "/other").await;
    assert!(status.contains(" 404 "), "{status}");
    node.shutdown().await;
}

/// Metric names a PromQL expression mentions (`cairn_…` words).
fn metric_words(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("cairn_"))
        .map(str::to_owned)
        .collect()
}

fn expressions(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member) {
                    ("expr" | "query", serde_json::Value::String(expr)) => into.push(expr.clone()),
                    _ => expressions(member, into),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| expressions(item, into)),
        _ => {}
    }
}

#[test]
fn the_dashboard_queries_every_exported_metric_and_nothing_else() {
    let text = std::fs::read_to_string(DASHBOARD).expect("the dashboard is in deploy/grafana");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let mut queries = Vec::new();
    expressions(&dashboard, &mut queries);
    assert!(!queries.is_empty(), "the dashboard has no queries");

    let known: BTreeSet<&str> = names::ALL.iter().copied().collect();
    let mut used = BTreeSet::new();
    for query in &queries {
        for word in metric_words(query) {
            // A histogram is queried through its `_bucket`, `_sum` and `_count` series.
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| word.strip_suffix(suffix))
                .filter(|base| known.contains(base))
                .unwrap_or(&word);
            assert!(
                known.contains(base),
                "the dashboard queries {word}, which the node does not export: {query}"
            );
            used.insert(base.to_owned());
        }
    }
    let unused: Vec<&&str> = known.iter().filter(|n| !used.contains(**n)).collect();
    assert!(unused.is_empty(), "no panel shows {unused:?}");
}
