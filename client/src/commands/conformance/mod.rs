//! `cairn conformance run|validate DIR --out FILE.jsonl`: runs every case file under DIR and
//! writes one result line per case, in the format the conformance checker reads.

mod clock;
mod execute;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use asl::definition::{self, MachineType, ParseOptions, Severity};
use serde_json::{Value, json};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Execute every execution case under DIR in-process.
    Run {
        dir: PathBuf,
        /// Where to write the results, one JSON object per line.
        #[arg(long)]
        out: PathBuf,
        /// Run each case with the state machine type forced to this one.
        #[arg(long = "force-type", value_enum)]
        force_type: Option<super::validate::TypeArg>,
    },
    /// Validate the definition of every validation case under DIR.
    Validate {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::Run {
            dir,
            out,
            force_type,
        } => {
            let force = force_type.map(MachineType::from);
            write_results(
                &dir,
                &out,
                |case| case_kind(case) == Kind::Execution,
                |case| execute::run_case(case, force),
            )
        }
        Command::Validate { dir, out } => write_results(
            &dir,
            &out,
            |case| case_kind(case) == Kind::Validation,
            validate_case,
        ),
    }
}

#[derive(PartialEq)]
enum Kind {
    Execution,
    Validation,
    Other,
}

fn case_kind(case: &Value) -> Kind {
    match case.get("expect") {
        Some(expect) if expect.get("valid").is_some() => Kind::Validation,
        Some(expect) if expect.get("status").is_some() => Kind::Execution,
        _ => Kind::Other,
    }
}

/// Runs `each` over every matching case file under `dir` (sorted, recursive) and writes the
/// result lines to `out`.
fn write_results(
    dir: &Path,
    out: &Path,
    select: impl Fn(&Value) -> bool,
    each: impl Fn(&Value) -> Value,
) -> Result<ExitCode> {
    let mut files = Vec::new();
    collect_json_files(dir, &mut files)?;
    files.sort();
    let mut writer = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    let mut count = 0usize;
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if !select(&case) {
            continue;
        }
        let result = each(&case);
        writeln!(writer, "{}", serde_json::to_string(&result)?)?;
        count += 1;
    }
    writer.flush()?;
    eprintln!("wrote {count} result(s) to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn collect_json_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect_json_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    Ok(())
}

fn validate_case(case: &Value) -> Value {
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
