//! The `cairn` subcommands. Local ones (`validate`, `run`, `conformance` without an
//! endpoint) need no server; the others talk to one through [`session`].

pub mod activity;
pub mod cluster;
pub mod conformance;
pub mod execution;
pub mod output;
pub mod paging;
pub mod run;
pub mod session;
pub mod state_machine;
pub mod validate;

/// `--output`: for people or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
}
