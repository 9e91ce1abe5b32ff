//! `cairn`: the command-line tool for Cairn.
//!
//! Local commands work without a server: `validate` checks a definition, `run` executes one
//! in-process with a virtual clock, and `conformance` runs recorded cases.

mod commands;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cairn",
    version,
    about = "Run and manage Amazon States Language workflows with Cairn"
)]
struct Cli {
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => commands::validate::execute(args),
        Command::Run(args) => commands::run::execute(args),
        Command::Conformance(command) => commands::conformance::execute(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
