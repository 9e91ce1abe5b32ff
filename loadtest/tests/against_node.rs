//! The real `cairn-loadtest` binary against a real `cairn-node` process on an ephemeral port.
//!
//! The node binary is the one `cargo build -p cairn-node` (or `cargo test --workspace`) puts
//! beside this test's own target directory, or the one `CAIRN_NODE_BIN` names. Without it the
//! tests are skipped with a message, except under `CI=true`, where they fail.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// How long a node may take to open its port (a cold debug build on a busy machine).
const NODE_START_DEADLINE: Duration = Duration::from_secs(60);

struct Node {
    child: Child,
    endpoint: String,
    dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("node.log")).unwrap_or_default()
    }
}

fn node_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CAIRN_NODE_BIN") {
        return PathBuf::from(path);
    }
    // This test runs as target/<profile>/deps/against_node-<hash>; the node sits in
    // target/<profile>/.
    let test_exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in target/<profile>/deps");
    profile_dir.join(format!("cairn-node{}", std::env::consts::EXE_SUFFIX))
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// A running node, or `None` (after saying why) when the binary is absent outside CI.
fn must_start_node() -> Option<Node> {
    let binary = node_binary();
    if !binary.exists() {
        let message = format!(
            "cairn-node not found at {}: build it with `cargo build -p cairn-node` or set CAIRN_NODE_BIN",
            binary.display()
        );
        assert!(!in_ci(), "{message}");
        eprintln!("skipped: {message}");
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = std::fs::File::create(dir.path().join("node.log")).expect("the node's log file");
    let mut child = Command::new(&binary)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--shards", "4"])
        .args(["--metrics-listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let (address_sender, address) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(address) = line.strip_prefix("cairn-node listening on ") {
                let _ = address_sender.send(address.trim().to_owned());
            }
        }
    });
    let mut node = Node {
        child,
        endpoint: String::new(),
        dir,
    };
    match address.recv_timeout(NODE_START_DEADLINE) {
        Ok(address) => node.endpoint = format!("http://{address}"),
        Err(_) => panic!(
            "cairn-node did not report its address within {NODE_START_DEADLINE:?}; its log:\n{}",
            node.log()
        ),
    }
    Some(node)
}

/// Runs the load generator to its end and returns its JSON report.
fn must_run_loadtest(node: &Node, args: &[&str]) -> Value {
    let report_path = node.dir.path().join("report.json");
    let html_path = node.dir.path().join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_cairn-loadtest"))
        .args(["--endpoint", &node.endpoint, "--no-progress"])
        .args(["--drain-timeout", "30", "--completion-timeout", "60"])
        .arg("--json")
        .arg(&report_path)
        .arg("--html")
        .arg(&html_path)
        .args(args)
        .output()
        .expect("cairn-loadtest runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cairn-loadtest failed ({}):\n{stdout}\n{stderr}\nnode log:\n{}",
        output.status,
        node.log()
    );
    assert!(stdout.contains("start to complete"), "{stdout}");
    let html = std::fs::read_to_string(&html_path).expect("the HTML report was written");
    assert_eq!(html.matches("<svg").count(), 2);
    let json = std::fs::read_to_string(&report_path).expect("the JSON report was written");
    serde_json::from_str(&json).expect("the JSON report parses")
}

fn must_have_completed_without_errors(report: &Value) {
    let summary = &report["summary"];
    assert!(
        summary["succeeded"].as_u64().expect("a count") > 0,
        "no execution completed: {summary:#}"
    );
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{summary:#}");
    for key in [
        "start_errors",
        "unsuccessful",
        "tracking_errors",
        "unfinished",
        "starts_unanswered",
    ] {
        assert_eq!(summary[key], 0, "{key}: {summary:#}");
    }
    assert_eq!(summary["drained"], true);
    assert_eq!(
        summary["starts_accepted"], summary["succeeded"],
        "every accepted start was seen to succeed"
    );
    assert!(
        report["latency_ms"]["start_to_complete"]["count"]
            .as_u64()
            .expect("a count")
            > 0
    );
    assert!(!report["series"].as_array().expect("a list").is_empty());
}

#[test]
fn pass3_open_loop_completes_every_execution() {
    let Some(node) = must_start_node() else {
        return;
    };
    let report = must_run_loadtest(
        &node,
        &[
            "--workload",
            "pass3",
            "--rate",
            "20",
            "--warmup",
            "0.5",
            "--duration",
            "3",
        ],
    );
    must_have_completed_without_errors(&report);
    assert_eq!(report["config"]["mode"], "open-loop");
    // A one-node cluster (of 4 shards here) leads every shard: every call went straight to
    // its leader.
    assert_eq!(report["config"]["routed_shards"], 4);
    // The schedule offers exactly rate × window starts; none may be dropped unseen.
    let summary = &report["summary"];
    assert_eq!(summary["starts_offered"], 60);
    assert_eq!(summary["backpressure"], 0);
}

#[test]
fn express_sync_closed_loop_completes_every_execution() {
    let Some(node) = must_start_node() else {
        return;
    };
    let report = must_run_loadtest(
        &node,
        &[
            "--workload",
            "express-sync",
            "--concurrency",
            "4",
            "--warmup",
            "0.5",
            "--duration",
            "2",
        ],
    );
    must_have_completed_without_errors(&report);
    assert_eq!(report["config"]["workload"], "express-sync");
}

#[test]
fn activity3_closed_loop_is_served_by_the_built_in_workers() {
    let Some(node) = must_start_node() else {
        return;
    };
    let report = must_run_loadtest(
        &node,
        &[
            "--workload",
            "activity3",
            "--concurrency",
            "2",
            "--workers",
            "4",
            "--warmup",
            "0.5",
            "--duration",
            "2",
        ],
    );
    must_have_completed_without_errors(&report);
    assert_eq!(report["config"]["mode"], "closed-loop");
    let summary = &report["summary"];
    let succeeded = summary["succeeded"].as_u64().unwrap();
    assert!(
        summary["activity_tasks_answered"].as_u64().unwrap() >= 3 * succeeded,
        "three tasks per execution: {summary:#}"
    );
}
