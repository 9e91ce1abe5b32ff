//! `cairn conformance run DIR --endpoint URL`: each case driven through a (fake) server.

mod fake;

use std::collections::HashMap;
use std::path::Path;

use fake::Fake;
use serde_json::{Value, json};

fn write_case(dir: &Path, file: &str, case: Value) {
    std::fs::write(dir.join(file), case.to_string()).expect("the temp dir is writable");
}

/// A small corpus: one case per way a case can go on a server.
fn must_write_corpus(dir: &Path) {
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    write_case(
        dir,
        "pass.json",
        json!({
            "id": "base/pass/echo", "state_machine_type": "STANDARD", "definition": pass,
            "input": {"at": "2024-05-06T12:00:00Z", "n": 1},
            "clock_relative": {"reference_now": "2024-05-06T12:00:00+00:00"},
            "expect": {"status": "SUCCEEDED"},
        }),
    );
    write_case(
        dir,
        "fail.json",
        json!({
            "id": "base/fail", "definition": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}},
            "input": {}, "expect": {"status": "FAILED"},
        }),
    );
    write_case(
        dir,
        "stop.json",
        json!({
            "id": "sfn_api/test_stop_execution",
            "definition": {"StartAt": "State_1", "States": {
                "State_1": {"Type": "Wait", "Seconds": 60, "Next": "State_2"},
                "State_2": {"Type": "Pass", "End": true}}},
            "input": {}, "expect": {"status": "ABORTED"},
            "notes": "the test drove the execution from outside with: stop_execution",
        }),
    );
    write_case(
        dir,
        "mocked.json",
        json!({
            "id": "tasks/mocked", "definition": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
            "input": {}, "mocks": {"T": [{"Return": 1}]}, "expect": {"status": "SUCCEEDED"},
        }),
    );
    write_case(
        dir,
        "express.json",
        json!({
            "id": "express/pass", "state_machine_type": "EXPRESS", "definition": pass,
            "input": {"x": 1}, "expect": {"status": "SUCCEEDED"},
        }),
    );
    write_case(
        dir,
        "invalid.json",
        json!({
            "id": "base/invalid", "definition": {"StartAt": "Missing", "States": {}},
            "input": {}, "expect": {"status": "SUCCEEDED"},
        }),
    );
    write_case(
        dir,
        "validation.json",
        json!({
            "id": "validation/only", "definition_text": "{}", "expect": {"valid": false},
        }),
    );
}

fn must_read_results(path: &Path) -> HashMap<String, Value> {
    std::fs::read_to_string(path)
        .expect("the run wrote its results")
        .lines()
        .map(|line| {
            let result: Value = serde_json::from_str(line).expect("each result line is JSON");
            (
                result["id"]
                    .as_str()
                    .expect("each result has its case id")
                    .to_owned(),
                result,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_case_runs_through_the_server() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    must_write_corpus(dir.path());
    let out = dir.path().join("results.jsonl");
    let run = fake
        .cairn(&[
            "conformance",
            "run",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .await;
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results = must_read_results(&out);
    assert_eq!(
        results.len(),
        6,
        "validation cases are not executions: {results:?}"
    );

    let pass = &results["base/pass/echo"];
    assert_eq!(pass["status"], "SUCCEEDED");
    assert_eq!(pass["output"]["n"], 1);
    assert_ne!(
        pass["output"]["at"], "2024-05-06T12:00:00Z",
        "clock-relative input is shifted to now"
    );
    assert_eq!(
        pass["events"],
        json!([
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ])
    );

    let fail = &results["base/fail"];
    assert_eq!(
        (&fail["status"], &fail["error"], &fail["cause"]),
        (&json!("FAILED"), &json!("E"), &json!("C"))
    );
    assert_eq!(fail["output"], Value::Null);

    let stop = &results["sfn_api/test_stop_execution"];
    assert_eq!(stop["status"], "ABORTED");
    assert_eq!(
        stop["events"],
        json!(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"])
    );

    assert_eq!(results["tasks/mocked"]["status"], "SKIPPED");
    // EXPRESS cases run with StartSyncExecution, as AWS ran them: no history to report.
    let express = &results["express/pass"];
    assert_eq!(express["status"], "SUCCEEDED");
    assert_eq!(express["output"], json!({"x": 1}));
    assert_eq!(express["events"], Value::Null);
    assert_eq!(fake.shared.read(|store| store.started_sync.len()), 1);

    let invalid = &results["base/invalid"];
    assert_eq!(
        (&invalid["status"], &invalid["error"]),
        (&json!("ERROR"), &json!("InvalidDefinition"))
    );

    let left = fake.shared.read(|store| store.machines.len());
    assert_eq!(left, 0, "each case's state machine is deleted afterwards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn express_cases_run_as_standard_when_asked_and_machines_can_be_kept() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    must_write_corpus(dir.path());
    let out = dir.path().join("results.jsonl");
    let run = fake
        .cairn(&[
            "conformance",
            "run",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--express-as-standard",
            "--keep-state-machines",
            "--parallel",
            "2",
        ])
        .await;
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let express = &must_read_results(&out)["express/pass"];
    assert_eq!(express["status"], "SUCCEEDED");
    assert_eq!(express["output"], json!({"x": 1}));

    let names: Vec<String> = fake
        .shared
        .read(|store| store.machines.keys().cloned().collect());
    assert_eq!(
        names.len(),
        4,
        "one per case that reached the server: {names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("sfn_api-test_stop_execution-")),
        "{names:?}"
    );
    for name in &names {
        assert!(name.len() <= 80 && !name.contains('/'), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_express_runs_synchronously_where_aws_allows_and_says_when_it_does_not() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    must_write_corpus(dir.path());
    let out = dir.path().join("results.jsonl");
    let run = fake
        .cairn(&[
            "conformance",
            "run",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force-type",
            "EXPRESS",
        ])
        .await;
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results = must_read_results(&out);
    let pass = &results["base/pass/echo"];
    assert_eq!(pass["status"], "SUCCEEDED");
    assert_eq!(pass["events"], Value::Null);
    let fail = &results["base/fail"];
    assert_eq!(
        (&fail["status"], &fail["error"], &fail["cause"]),
        (&json!("FAILED"), &json!("E"), &json!("C"))
    );
    // Express executions cannot be stopped: that case runs STANDARD and says so.
    let stop = &results["sfn_api/test_stop_execution"];
    assert_eq!(stop["status"], "ABORTED");
    assert!(
        stop["notes"].as_str().unwrap().contains("run as STANDARD"),
        "{stop}"
    );
    assert_eq!(fake.shared.read(|store| store.started_sync.len()), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_from_the_environment_leaves_conformance_runs_local() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    must_write_corpus(dir.path());
    let out = dir.path().join("results.jsonl");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "conformance",
            "run",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("CAIRN_ENDPOINT", &fake.endpoint)
        .output()
        .await
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results = must_read_results(&out);
    assert_eq!(
        results["tasks/mocked"]["status"], "SUCCEEDED",
        "the local runner uses the mocks"
    );
    assert_eq!(fake.shared.read(|store| store.machines.len()), 0);
}
