//! `cairn conformance run|validate DIR --out FILE.jsonl`: runs every case file under DIR and
//! writes one result line per case, in the format the conformance checker reads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use asl::definition::MachineType;
use cairn_client::conformance::{self, Kind};
use serde_json::Value;

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
            write_results(&dir, &out, Kind::Execution, |case| {
                conformance::run_case(case, force)
            })
        }
        Command::Validate { dir, out } => {
            write_results(&dir, &out, Kind::Validation, conformance::validate_case)
        }
    }
}

/// Runs `each` over every case of `kind` under `dir` and writes the result lines to `out`.
fn write_results(
    dir: &Path,
    out: &Path,
    kind: Kind,
    each: impl Fn(&Value) -> Value,
) -> Result<ExitCode> {
    let files =
        conformance::case_files(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let mut count = 0usize;
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if conformance::case_kind(&case) != kind {
            continue;
        }
        writeln!(writer, "{}", serde_json::to_string(&each(&case))?)?;
        count += 1;
    }
    writer.flush()?;
    eprintln!("wrote {count} result(s) to {}", out.display());
    Ok(ExitCode::SUCCESS)
}
