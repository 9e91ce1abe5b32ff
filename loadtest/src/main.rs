//! `cairn-loadtest`: drives a Cairn cluster with open-loop or closed-loop load and reports
//! throughput, latency percentiles and errors (see `--help` and the README).

mod cli;
mod command_line;
mod connections;
mod drive;
mod errors;
mod metrics;
mod progress;
mod report;
mod routing;
mod run;
mod run_id;
mod schedule;
mod shutdown;
mod stats;
mod tracking;
mod workers;
mod workload;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let settings = match args.settings() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let command_line =
        command_line::quoted(std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let json_path = args.json.clone();
    let html_path = args.html.clone();
    let result = runtime
        .block_on(run::run(args, settings, command_line))
        .and_then(|report| write_outputs(&report, json_path.as_deref(), html_path.as_deref()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn write_outputs(report: &report::Report, json: Option<&Path>, html: Option<&Path>) -> Result<()> {
    print!("{}", report::text(report));
    if let Some(path) = json {
        let text = report::json(report).context("encoding the JSON report")?;
        write(path, &text)?;
        println!("json      {}", path.display());
    }
    if let Some(path) = html {
        write(path, &report::html(report)?)?;
        println!("html      {}", path.display());
    }
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}
