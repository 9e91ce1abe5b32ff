//! `cairn`: the command-line tool for Cairn.
//!
//! Local commands work without a server: `validate` checks a definition, `run` executes one
//! in-process with a virtual clock, and `conformance` runs recorded cases. The others
//! (`state-machine`, `execution`, `activity`, `cluster`) call a Cairn server's API.
//!
//! Exit status: 0 on success; 1 when the command worked but the answer is "no" (an invalid
//! definition, an execution that did not succeed); 2 on errors, with the AWS error name and
//! message on stderr.

mod commands;
mod input;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use commands::OutputFormat;
use commands::session::{self, DEFAULT_ENDPOINT};

#[derive(Debug, Parser)]
#[command(
    name = "cairn",
    version,
    about = "Run and manage Amazon States Language workflows with Cairn"
)]
struct Cli {
    /// The Cairn server (any node of the cluster).
    #[arg(
        long,
        global = true,
        env = "CAIRN_ENDPOINT",
        default_value = DEFAULT_ENDPOINT,
        value_name = "URL"
    )]
    endpoint: String,
    /// `table` for people; `json` for programs, with the AWS CLI's field names.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    output: OutputFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a state machine definition and report every problem with its location.
    Validate(commands::validate::Args),
    /// Run a definition in-process (no server): Waits complete at once on a virtual clock and
    /// Task states answer from a mock file.
    Run(commands::run::Args),
    /// Run recorded conformance cases and write one result line per case.
    #[command(subcommand)]
    Conformance(commands::conformance::Command),
    /// State machines on the server: create, update, describe, list, delete, validate.
    #[command(subcommand)]
    StateMachine(commands::state_machine::Command),
    /// Executions: start (and wait), describe, list, history, stop, watch.
    #[command(subcommand)]
    Execution(commands::execution::Command),
    /// Activities and task tokens: create, describe, list, delete, poll, succeed, fail,
    /// heartbeat.
    #[command(subcommand)]
    Activity(commands::activity::Command),
    /// The cluster: nodes, shards and leaders; adding and removing nodes.
    #[command(subcommand)]
    Cluster(commands::cluster::Command),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // Conformance runs go to a server only when one is named on the command line, so a
    // CAIRN_ENDPOINT set for everyday use does not turn local runs into remote ones.
    let endpoint_given = matches.value_source("endpoint") == Some(ValueSource::CommandLine);
    let (endpoint, output) = (cli.endpoint.as_str(), cli.output);
    let result = match cli.command {
        Command::Validate(args) => commands::validate::execute(args, output),
        Command::Run(args) => commands::run::execute(args, output),
        Command::Conformance(command) => {
            commands::conformance::execute(command, endpoint_given.then_some(endpoint))
        }
        Command::StateMachine(command) => session::run(endpoint, output, |session| {
            commands::state_machine::execute(command, session)
        }),
        Command::Execution(command) => session::run(endpoint, output, |session| {
            commands::execution::execute(command, session)
        }),
        Command::Activity(command) => session::run(endpoint, output, |session| {
            commands::activity::execute(command, session)
        }),
        Command::Cluster(command) => session::run(endpoint, output, |session| {
            commands::cluster::execute(command, session)
        }),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each cause once (transport errors tend to wrap a
/// cause in a copy of itself).
fn describe(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
