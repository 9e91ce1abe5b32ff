//! The `cairn` binary's local commands, run as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .output()
        .expect("cairn runs")
}

fn must_write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file is writable");
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

fn examples(name: &str) -> String {
    format!("{}/../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn validate_reports_all_three_mistakes_with_pointers_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = must_write(
        dir.path(),
        "broken.json",
        r#"{
          "StartAt": "Check",
          "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Missing"}], "Default": "Done"},
            "Done": {"Type": "Pass", "Reslt": 1, "End": true},
            "Wait": {"Type": "Wait", "SecondsPath": "$.a[*]", "End": true}
          }
        }"#,
    );
    let out = cairn(&["validate", &file]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for pointer in [
        "/States/Check/Choices/0/Next",
        "/States/Done/Reslt",
        "/States/Wait/SecondsPath",
    ] {
        assert!(text.contains(pointer), "missing {pointer} in:\n{text}");
    }
    assert!(text.contains("invalid (3 error(s)"), "{text}");

    let out = cairn(&["validate", &file, "--output", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["result"], "FAIL");
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 3);
}

#[test]
fn validate_accepts_the_example_and_exits_0() {
    let out = cairn(&["validate", &examples("order.asl.json")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn run_executes_the_example_with_mocks_and_prints_history() {
    let out = cairn(&[
        "run",
        &examples("order.asl.json"),
        "--input",
        &format!("@{}", examples("order.input.json")),
        "--mock",
        &examples("order.mocks.json"),
        "--history",
        "--output",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "SUCCEEDED");
    assert_eq!(report["output"]["total"], 155);
    assert_eq!(report["output"]["charge"]["receipt"], "r-1001");
    let types: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.iter().filter(|t| **t == "TaskFailed").count(),
        1,
        "{types:?}"
    );
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    // The retry waited two virtual seconds and the Wait an hour; timestamps show it.
    let history = report["history"].as_array().unwrap();
    let first = history.first().unwrap()["timestamp"].as_str().unwrap();
    let last = history.last().unwrap()["timestamp"].as_str().unwrap();
    assert!(last > first);
}

#[test]
fn run_fails_clearly_when_a_task_has_no_mock() {
    let out = cairn(&[
        "run",
        &examples("order.asl.json"),
        "--input",
        &format!("@{}", examples("order.input.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Task state 'Charge'") && err.contains("mock"),
        "{err}"
    );
}

#[test]
fn run_reports_a_failed_execution_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = must_write(
        dir.path(),
        "fail.json",
        r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "by design"}}}"#,
    );
    let out = cairn(&["run", &file, "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "Nope");
    assert_eq!(report["cause"], "by design");
}
