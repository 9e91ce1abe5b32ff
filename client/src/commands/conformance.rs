//! `cairn conformance run|validate DIR --out FILE.jsonl`: runs every case file under DIR and
//! writes one result line per case, in the format the conformance checker reads. With
//! `--endpoint URL` on the command line, `run` drives each case through that server instead
//! of running it in-process.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use asl::definition::MachineType;
use cairn_client::Client;
use cairn_client::conformance::{self, Kind, RemoteOptions};
use serde_json::Value;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Execute every execution case under DIR: in-process, or on the server given with
    /// --endpoint (each case gets its own state machine, deleted afterwards).
    Run {
        dir: PathBuf,
        /// Where to write the results, one JSON object per line.
        #[arg(long)]
        out: PathBuf,
        /// Run each case with the state machine type forced to this one. With --endpoint,
        /// EXPRESS cases run with StartSyncExecution; a case AWS would not run as EXPRESS (its
        /// definition does not validate for EXPRESS, or it stops its execution) runs as
        /// STANDARD, and its result line's `notes` say so.
        #[arg(long = "force-type", value_enum)]
        force_type: Option<super::validate::TypeArg>,
        /// With --endpoint: run EXPRESS cases as STANDARD machines, followed through their
        /// history, instead of with StartSyncExecution as AWS ran them.
        #[arg(long)]
        express_as_standard: bool,
        /// With --endpoint: how many cases run at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        parallel: usize,
        /// With --endpoint: seconds one case may run before it is stopped and reported as an
        /// ERROR (cases with Wait states take real time on a server).
        #[arg(long, default_value_t = 300, value_name = "SECONDS")]
        case_timeout_s: u64,
        /// With --endpoint: keep each case's state machine for inspection.
        #[arg(long)]
        keep_state_machines: bool,
    },
    /// Validate the definition of every validation case under DIR.
    Validate {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

/// `endpoint` is the server named on the command line, if any.
pub fn execute(command: Command, endpoint: Option<&str>) -> Result<ExitCode> {
    match command {
        Command::Run {
            dir,
            out,
            force_type,
            express_as_standard,
            parallel,
            case_timeout_s,
            keep_state_machines,
        } => {
            let cases = load_cases(&dir, Kind::Execution)?;
            let force_type = force_type.map(MachineType::from);
            let results = match endpoint {
                None => cases
                    .iter()
                    .map(|case| conformance::run_case(case, force_type))
                    .collect(),
                Some(endpoint) => {
                    let options = RemoteOptions {
                        force_type,
                        express_as_standard,
                        case_timeout: Duration::from_secs(case_timeout_s),
                        keep_state_machines,
                        run_tag: run_tag(),
                        ..RemoteOptions::default()
                    };
                    run_remote(endpoint, cases, options, parallel.max(1))?
                }
            };
            write_results(&out, &results)
        }
        Command::Validate { dir, out } => {
            let cases = load_cases(&dir, Kind::Validation)?;
            let results: Vec<Value> = cases.iter().map(conformance::validate_case).collect();
            write_results(&out, &results)
        }
    }
}

/// Every case of `kind` under `dir`, in file name order. Files that are not JSON are not
/// cases and are passed over.
fn load_cases(dir: &Path, kind: Kind) -> Result<Vec<Value>> {
    let files =
        conformance::case_files(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if conformance::case_kind(&case) == kind {
            cases.push(case);
        }
    }
    Ok(cases)
}

/// Runs the cases on the server, `parallel` at a time, and returns their lines in case order.
fn run_remote(
    endpoint: &str,
    cases: Vec<Value>,
    options: RemoteOptions,
    parallel: usize,
) -> Result<Vec<Value>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let client = Client::connect(endpoint).await?;
        let options = Arc::new(options);
        let permits = Arc::new(tokio::sync::Semaphore::new(parallel));
        let mut running = tokio::task::JoinSet::new();
        for (index, case) in cases.into_iter().enumerate() {
            let (client, options, permits) = (client.clone(), options.clone(), permits.clone());
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (
                    index,
                    conformance::run_case_remote(&client, &case, &options).await,
                )
            });
        }
        let mut results = BTreeMap::new();
        while let Some(done) = running.join_next().await {
            let (index, line) = done.context("a case runner panicked")?;
            results.insert(index, line);
        }
        Ok(results.into_values().collect())
    })
}

/// Sets this run's state machines apart from earlier runs': the start time in base 36.
fn run_tag() -> String {
    let mut millis = cairn_client::local::now().as_millis().unsigned_abs();
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut tag = Vec::new();
    while millis > 0 {
        tag.push(digits[(millis % 36) as usize]);
        millis /= 36;
    }
    tag.reverse();
    String::from_utf8(tag).expect("base-36 digits are ASCII")
}

fn write_results(out: &Path, results: &[Value]) -> Result<ExitCode> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
    for line in results {
        writeln!(writer, "{}", serde_json::to_string(line)?)?;
        if let Some(status) = line.get("status").and_then(Value::as_str) {
            *statuses.entry(status).or_default() += 1;
        }
    }
    writer.flush()?;
    let tally: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
    if tally.is_empty() {
        eprintln!("wrote {} result(s) to {}", results.len(), out.display());
    } else {
        eprintln!(
            "wrote {} result(s) to {} ({})",
            results.len(),
            out.display(),
            tally.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
