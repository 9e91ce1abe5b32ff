//! `--max-results`, `--next-token` and `--all`, shared by every list command.

/// Which page(s) of a list to print.
#[derive(Debug, Clone, clap::Args)]
pub struct PageArgs {
    /// Items per page (1–1000; the server's default when absent).
    #[arg(long, value_name = "N")]
    pub max_results: Option<u32>,
    /// Start at this page: the `nextToken` an earlier call printed.
    #[arg(long, value_name = "TOKEN")]
    pub next_token: Option<String>,
    /// Follow `nextToken` through every page and print one combined list.
    #[arg(long)]
    pub all: bool,
}

impl PageArgs {
    /// The page size to send (0 asks for the server's default).
    pub fn max_results(&self) -> u32 {
        self.max_results.unwrap_or(0)
    }

    /// The token to send (empty for the first page).
    pub fn next_token(&self) -> String {
        self.next_token.clone().unwrap_or_default()
    }
}
