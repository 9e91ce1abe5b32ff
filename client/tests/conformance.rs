//! Every recorded conformance case runs to a terminal status without a runner error (the
//! pass rates themselves are held by `.ci/run` with the corpus's own checker).
//!
//! The corpus lives beside the project in `../shared/conformance`; without it these tests
//! skip with a message, except under CI (`CI=true`), where its absence is a failure.

use std::path::{Path, PathBuf};

use cairn_client::conformance::{Kind, case_files, case_kind, run_case, validate_case};
use serde_json::Value;

fn corpus(folder: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CAIRN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    let dir = root.join("conformance").join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "the conformance corpus is missing at {} (set CAIRN_SHARED)",
        dir.display()
    );
    eprintln!(
        "skipping: the conformance corpus is not at {} (set CAIRN_SHARED)",
        dir.display()
    );
    None
}

fn must_load(dir: &Path) -> Vec<Value> {
    case_files(dir)
        .expect("the corpus folder is readable")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("case files are readable");
            serde_json::from_str(&text).expect("case files are JSON")
        })
        .collect()
}

fn assert_all_run(folder: &str) {
    let Some(dir) = corpus(folder) else { return };
    let cases = must_load(&dir);
    let mut ran = 0;
    for case in cases.iter().filter(|c| case_kind(c) == Kind::Execution) {
        let result = run_case(case, None);
        let status = result["status"].as_str().unwrap_or_default();
        assert!(
            ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].contains(&status),
            "case {} did not run: {result}",
            case["id"]
        );
        ran += 1;
    }
    assert!(ran > 50, "only {ran} cases found in {}", dir.display());
}

#[test]
fn every_public_case_runs_to_a_terminal_status() {
    assert_all_run("cases-public");
}

#[test]
fn every_task_case_runs_to_a_terminal_status_with_its_mocks() {
    assert_all_run("cases-tasks");
}

#[test]
fn every_validation_case_gets_a_verdict_and_aws_rejections_carry_pointers() {
    let Some(dir) = corpus("validation") else {
        return;
    };
    for case in must_load(&dir)
        .iter()
        .filter(|c| case_kind(c) == Kind::Validation)
    {
        let result = validate_case(case);
        let valid = result["valid"].as_bool().expect("a verdict");
        if !valid {
            let diagnostics = result["diagnostics"].as_array().unwrap();
            assert!(
                !diagnostics.is_empty(),
                "{} is invalid without a diagnostic",
                case["id"]
            );
            for d in diagnostics {
                assert!(
                    d["location"].is_string() && d["code"].is_string() && d["message"].is_string()
                );
            }
        }
    }
}
