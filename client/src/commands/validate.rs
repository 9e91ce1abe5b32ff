//! `cairn validate FILE`: every problem in a definition, each with a JSON pointer.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use asl::definition::{self, Diagnostic, MachineType, ParseOptions, Severity};
use serde_json::json;

use super::OutputFormat;
use crate::input::read_file;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The definition file (Amazon States Language JSON).
    file: PathBuf,
    /// Validate for this state machine type (EXPRESS rejects `.sync`, callbacks, activities).
    #[arg(long = "type", value_enum, default_value_t = TypeArg::Standard)]
    machine_type: TypeArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum TypeArg {
    Standard,
    Express,
}

impl From<TypeArg> for MachineType {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Standard => MachineType::Standard,
            TypeArg::Express => MachineType::Express,
        }
    }
}

pub fn execute(args: Args, output: OutputFormat) -> Result<ExitCode> {
    let text = read_file(&args.file)?;
    let options = ParseOptions {
        machine_type: args.machine_type.into(),
    };
    let diagnostics = definition::validate(&text, &options);
    let valid = !diagnostics.iter().any(Diagnostic::is_error);
    match output {
        OutputFormat::Json => {
            let report = json!({
                "result": if valid { "OK" } else { "FAIL" },
                "diagnostics": diagnostics.iter().map(|d| json!({
                    "severity": match d.severity { Severity::Error => "ERROR", Severity::Warning => "WARNING" },
                    "code": d.code.as_str(),
                    "location": if d.pointer.is_empty() { "/" } else { d.pointer.as_str() },
                    "message": d.message,
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        OutputFormat::Table => {
            for d in &diagnostics {
                println!("{d}");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            if valid {
                println!("{}: valid ({warnings} warning(s))", args.file.display());
            } else {
                println!(
                    "{}: invalid ({errors} error(s), {warnings} warning(s))",
                    args.file.display()
                );
            }
        }
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
