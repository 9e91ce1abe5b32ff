//! Recorded conformance cases: finding them, and producing the result line the checker
//! (`check.py` beside the corpus) compares with the recording, by running each case
//! in-process ([`run_case`]) or on a server ([`run_case_remote`]).

mod clock;
mod local;
mod naming;
mod plan;
mod remote;
mod sync;

use std::path::{Path, PathBuf};

use asl::definition::{self, MachineType, ParseOptions, Severity};
use serde_json::{Value, json};

pub use clock::shift_timestamps;
pub use local::run_case;
pub use naming::state_machine_name;
pub use remote::{RemoteOptions, run_case_remote};

/// What a case file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An execution with its recorded outcome (`expect.status`).
    Execution,
    /// A definition with its recorded validity (`expect.valid`).
    Validation,
    Other,
}

pub fn case_kind(case: &Value) -> Kind {
    match case.get("expect") {
        Some(expect) if expect.get("valid").is_some() => Kind::Validation,
        Some(expect) if expect.get("status").is_some() => Kind::Execution,
        _ => Kind::Other,
    }
}

/// Every `*.json` file under `dir`, recursively, sorted.
pub fn case_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    Ok(())
}

/// The result line for a validation case: `{id, valid, diagnostics}`.
pub fn validate_case(case: &Value) -> Value {
    let id = case.get("id").cloned().unwrap_or(Value::Null);
    let text = case
        .get("definition_text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let machine_type = case
        .get("state_machine_type")
        .and_then(Value::as_str)
        .and_then(MachineType::parse)
        .unwrap_or_default();
    let diagnostics = definition::validate(text, &ParseOptions { machine_type });
    let valid = !diagnostics.iter().any(|d| d.severity == Severity::Error);
    json!({
        "id": id,
        "valid": valid,
        "diagnostics": diagnostics.iter().map(|d| json!({
            "severity": if d.is_error() { "ERROR" } else { "WARNING" },
            "code": d.code.as_str(),
            "location": d.pointer,
            "message": d.message,
        })).collect::<Vec<_>>(),
    })
}
