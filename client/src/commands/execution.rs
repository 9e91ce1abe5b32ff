//! `cairn execution start|start-sync|describe|list|history|stop|watch`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use cairn_client::aws_json::ToAwsJson;
use cairn_client::is_terminal_event;
use cairn_client::proto::{
    DescribeExecutionResponse, ExecutionStatus, GetExecutionHistoryRequest,
    GetExecutionHistoryResponse, ListExecutionsRequest, ListExecutionsResponse,
    StartExecutionRequest, StartSyncExecutionRequest, StopExecutionRequest,
};

use super::OutputFormat;
use super::output::{self, View};
use super::paging::PageArgs;
use super::session::Session;
use crate::input::text_arg;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Start an execution; with --wait, follow it to its end and print it as `describe` does
    /// (exit status 1 when it did not succeed).
    Start {
        /// ARN or name of the state machine.
        state_machine: String,
        /// The execution's name (a UUID when absent); the same name and input again return
        /// the running execution.
        #[arg(long)]
        name: Option<String>,
        /// The input: JSON inline or @file (`{}` when absent).
        #[arg(long)]
        input: Option<String>,
        /// Wait until the execution ends.
        #[arg(long)]
        wait: bool,
    },
    /// Run an execution of an EXPRESS state machine and print how it ended, as
    /// `aws stepfunctions start-sync-execution` does (exit status 1 when it did not succeed).
    StartSync {
        /// ARN or name of the state machine (EXPRESS).
        state_machine: String,
        /// The execution's name (a UUID when absent); Express names may repeat.
        #[arg(long)]
        name: Option<String>,
        /// The input: JSON inline or @file (`{}` when absent).
        #[arg(long)]
        input: Option<String>,
    },
    /// Show an execution: status, input, output, error.
    Describe { execution_arn: String },
    /// List a state machine's executions, newest first.
    List {
        /// ARN or name of the state machine.
        state_machine: String,
        /// Only executions with this status.
        #[arg(long, value_enum)]
        status_filter: Option<StatusArg>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Print an execution's history events.
    History {
        execution_arn: String,
        /// Newest event first.
        #[arg(long)]
        reverse: bool,
        /// Leave inputs and outputs out of the events.
        #[arg(long)]
        no_execution_data: bool,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Stop a running execution (it ends ABORTED).
    Stop {
        execution_arn: String,
        /// The error name recorded in ExecutionAborted.
        #[arg(long)]
        error: Option<String>,
        /// The cause recorded in ExecutionAborted.
        #[arg(long)]
        cause: Option<String>,
    },
    /// Print history events as they happen until the execution ends (JSON: one event per
    /// line). Exit status 1 when it did not succeed.
    Watch {
        execution_arn: String,
        /// Start after this event (0: from the first).
        #[arg(long, default_value_t = 0, value_name = "ID")]
        after_event_id: u64,
    },
}

/// Execution statuses, as the API spells them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusArg {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
    PendingRedrive,
}

impl From<StatusArg> for ExecutionStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Running => ExecutionStatus::Running,
            StatusArg::Succeeded => ExecutionStatus::Succeeded,
            StatusArg::Failed => ExecutionStatus::Failed,
            StatusArg::TimedOut => ExecutionStatus::TimedOut,
            StatusArg::Aborted => ExecutionStatus::Aborted,
            StatusArg::PendingRedrive => ExecutionStatus::PendingRedrive,
        }
    }
}

pub async fn execute(command: Command, session: Session) -> Result<ExitCode> {
    let client = &session.client;
    let format = session.output;
    match command {
        Command::Start {
            state_machine,
            name,
            input,
            wait,
        } => {
            let input = input.as_deref().map(json_text).transpose()?;
            let started = client
                .start_execution(StartExecutionRequest {
                    state_machine_arn: session.state_machine_arn(&state_machine).await?,
                    name: name.unwrap_or_default(),
                    input: input.unwrap_or_default(),
                })
                .await?;
            if !wait {
                output::emit(format, &started.to_aws_json(), View::Fields)?;
                return Ok(ExitCode::SUCCESS);
            }
            let finished = client.wait_for_execution(&started.execution_arn).await?;
            output::emit(format, &finished.to_aws_json(), View::Fields)?;
            return Ok(exit_for(&finished));
        }
        Command::StartSync {
            state_machine,
            name,
            input,
        } => {
            let input = input.as_deref().map(json_text).transpose()?;
            let ended = client
                .start_sync_execution(StartSyncExecutionRequest {
                    state_machine_arn: session.state_machine_arn(&state_machine).await?,
                    name: name.unwrap_or_default(),
                    input: input.unwrap_or_default(),
                })
                .await?;
            output::emit(format, &ended.to_aws_json(), View::Fields)?;
            return Ok(if ended.status() == ExecutionStatus::Succeeded {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::Describe { execution_arn } => {
            let described = client.describe_execution(&execution_arn).await?;
            output::emit(format, &described.to_aws_json(), View::Fields)?;
        }
        Command::List {
            state_machine,
            status_filter,
            page,
        } => {
            let request = ListExecutionsRequest {
                state_machine_arn: session.state_machine_arn(&state_machine).await?,
                status_filter: status_filter.map_or(0, |s| ExecutionStatus::from(s) as i32),
                max_results: page.max_results(),
                next_token: page.next_token(),
            };
            let listed = if page.all {
                ListExecutionsResponse {
                    executions: client.list_executions_all(request).await?,
                    next_token: String::new(),
                }
            } else {
                client.list_executions(request).await?
            };
            let columns = [
                ("NAME", "name"),
                ("STATUS", "status"),
                ("STARTED", "startDate"),
                ("STOPPED", "stopDate"),
                ("ARN", "executionArn"),
            ];
            let view = View::List {
                items: "executions",
                columns: &columns,
            };
            output::emit(format, &listed.to_aws_json(), view)?;
        }
        Command::History {
            execution_arn,
            reverse,
            no_execution_data,
            page,
        } => {
            let request = GetExecutionHistoryRequest {
                execution_arn,
                max_results: page.max_results(),
                next_token: page.next_token(),
                reverse_order: reverse,
                include_execution_data: no_execution_data.then_some(false),
            };
            let history = if page.all {
                GetExecutionHistoryResponse {
                    events: client.get_execution_history_all(request).await?,
                    next_token: String::new(),
                }
            } else {
                client.get_execution_history(request).await?
            };
            output::emit(format, &history.to_aws_json(), View::Events)?;
        }
        Command::Stop {
            execution_arn,
            error,
            cause,
        } => {
            let stopped = client
                .stop_execution(StopExecutionRequest {
                    execution_arn,
                    error,
                    cause,
                })
                .await?;
            output::emit(format, &stopped.to_aws_json(), View::Fields)?;
        }
        Command::Watch {
            execution_arn,
            after_event_id,
        } => return watch(&session, &execution_arn, after_event_id).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints each event as it arrives: a JSON object per line, or a table row per line (with
/// fixed widths, since later rows are not known yet).
async fn watch(session: &Session, execution_arn: &str, after_event_id: u64) -> Result<ExitCode> {
    let mut watch = session
        .client
        .watch_execution(execution_arn, after_event_id)
        .await?;
    let row = |cells: &[String]| {
        let line = format!(
            "{:<5}  {:<5}  {:<28}  {:<32}  {}",
            cells[0], cells[1], cells[2], cells[3], cells[4]
        );
        println!("{}", line.trim_end());
    };
    if session.output == OutputFormat::Table {
        row(&["ID", "PREV", "TYPE", "TIMESTAMP", "DETAIL"].map(String::from));
    }
    let mut last_type = String::new();
    while let Some(event) = watch.next_event().await? {
        let rendered = event.to_aws_json();
        match session.output {
            OutputFormat::Json => println!("{}", serde_json::to_string(&rendered)?),
            OutputFormat::Table => row(&output::event_row(&rendered)),
        }
        last_type = event.r#type;
    }
    if is_terminal_event(&last_type) {
        return Ok(if last_type == "ExecutionSucceeded" {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    // Watching from after the last event shows nothing; the status still decides.
    let described = session.client.describe_execution(execution_arn).await?;
    Ok(exit_for(&described))
}

/// 0 for an execution that succeeded, 1 for one that ended otherwise.
fn exit_for(execution: &DescribeExecutionResponse) -> ExitCode {
    if execution.status() == ExecutionStatus::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// JSON given inline or as @file, checked here so a typo is reported before anything starts,
/// and sent as written.
fn json_text(arg: &str) -> Result<String> {
    let text = text_arg(arg)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text).context("--input is not valid JSON")?;
    Ok(text)
}
