pub mod conformance;
pub mod run;
pub mod validate;

/// `--output`: for people or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
}
