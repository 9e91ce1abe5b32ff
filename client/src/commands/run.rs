//! `cairn run FILE --input JSON`: runs a definition in-process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use asl::definition::{Definition, MachineType, ParseOptions};
use asl::local::{self, Mocks, NoMocks, StateMocks};
use serde_json::{Value, json};

use super::OutputFormat;
use cairn_client::local::{local_info, now, outcome_fields};

use crate::input::{json_arg, read_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The definition file (Amazon States Language JSON).
    file: PathBuf,
    /// The execution input: inline JSON or @file.
    #[arg(long, default_value = "{}")]
    input: String,
    /// Canned Task results: either `{"State": [{"Return": …} | {"Throw": {"Error", "Cause"}}]}`
    /// or a Step Functions Local mock configuration (with --test-case).
    #[arg(long)]
    mock: Option<PathBuf>,
    /// The test case to use from a Step Functions Local mock configuration.
    #[arg(long)]
    test_case: Option<String>,
    /// Print the execution history.
    #[arg(long)]
    history: bool,
    /// Seed for everything random (UUIDs, jitter); the same seed gives the same run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

pub fn execute(args: Args, format: OutputFormat) -> Result<ExitCode> {
    let text = read_file(&args.file)?;
    let definition = match Definition::parse(&text, &ParseOptions::default()) {
        Ok(d) => d,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            bail!("{} is not a valid definition", args.file.display());
        }
    };
    let input = json_arg(&args.input, "--input")?;
    let machine_name = args
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("local")
        .to_owned();
    let mut mocks = load_mocks(
        args.mock.as_deref(),
        args.test_case.as_deref(),
        &machine_name,
    )?;
    let start = now();
    let options = local::Options {
        start_time: start,
        seed: args.seed,
        ..local::Options::default()
    };
    let info = local_info(&machine_name, "local-run", start, MachineType::Standard);
    let run = local::run(&definition.machine, info, input, mocks.as_mut(), &options)?;
    let (status, output, error, cause) = outcome_fields(&run.execution.outcome);
    match format {
        OutputFormat::Json => {
            let mut report =
                json!({"status": status, "output": output, "error": error, "cause": cause});
            if args.history {
                report["history"] =
                    Value::Array(run.history.iter().map(|e| e.to_aws_json()).collect());
            }
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        OutputFormat::Table => {
            if args.history {
                for event in &run.history {
                    println!(
                        "{:>5}  {:<28} {}",
                        event.id,
                        event.event_type(),
                        event.timestamp.to_rfc3339()
                    );
                }
                println!();
            }
            println!("status: {status}");
            if let Some(output) = &output {
                println!("output: {}", serde_json::to_string_pretty(output)?);
            }
            if let Some(error) = &error {
                println!("error:  {error}");
            }
            if let Some(cause) = &cause {
                println!("cause:  {cause}");
            }
        }
    }
    Ok(if status == "SUCCEEDED" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_mocks(
    path: Option<&Path>,
    test_case: Option<&str>,
    machine: &str,
) -> Result<Box<dyn Mocks>> {
    let Some(path) = path else {
        return Ok(Box::new(NoMocks));
    };
    let value: Value = serde_json::from_str(&read_file(path)?)
        .with_context(|| format!("{} is not JSON", path.display()))?;
    let mocks = if value.get("MockedResponses").is_some() {
        let case = test_case.context("a Step Functions Local mock file needs --test-case NAME")?;
        let machines = value.get("StateMachines").and_then(Value::as_object);
        let name = machines
            .filter(|m| m.contains_key(machine))
            .map(|_| machine);
        StateMocks::from_sfn_local(&value, name, case)?
    } else {
        StateMocks::from_json(&value)?
    };
    Ok(Box::new(mocks))
}
