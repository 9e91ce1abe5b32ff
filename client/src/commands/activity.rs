//! `cairn activity create|describe|list|delete|poll|succeed|fail|heartbeat`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use cairn_client::aws_json::ToAwsJson;
use cairn_client::proto::{GetActivityTaskResponse, ListActivitiesRequest, ListActivitiesResponse};

use super::output::{self, View};
use super::paging::PageArgs;
use super::session::Session;
use crate::input::text_arg;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an activity (the same name again returns it).
    Create {
        #[arg(long)]
        name: String,
    },
    /// Show an activity.
    Describe {
        /// ARN or name of the activity.
        activity: String,
    },
    /// List activities.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Delete an activity.
    Delete {
        /// ARN or name of the activity.
        activity: String,
    },
    /// Wait up to 60 s for a task of the activity and print its token and input; `{}` when
    /// none came. The task is then yours: answer it with succeed or fail.
    Poll {
        /// ARN or name of the activity.
        activity: String,
        /// Recorded in the ActivityStarted event.
        #[arg(long, default_value = "cairn-cli")]
        worker_name: String,
    },
    /// Complete a task (an activity's or a .waitForTaskToken callback's) with an output.
    Succeed {
        /// The task token, inline or @file.
        task_token: String,
        /// The task's result: JSON inline or @file.
        #[arg(long, value_name = "JSON")]
        task_output: String,
    },
    /// Fail a task; the state's Retry and Catch see the error.
    Fail {
        /// The task token, inline or @file.
        task_token: String,
        #[arg(long)]
        error: Option<String>,
        #[arg(long)]
        cause: Option<String>,
    },
    /// Tell the server the task is still being worked on (restarts its heartbeat clock).
    Heartbeat {
        /// The task token, inline or @file.
        task_token: String,
    },
}

pub async fn execute(command: Command, session: Session) -> Result<ExitCode> {
    let client = &session.client;
    let format = session.output;
    match command {
        Command::Create { name } => {
            let created = client.create_activity(&name).await?;
            output::emit(format, &created.to_aws_json(), View::Fields)?;
        }
        Command::Describe { activity } => {
            let arn = session.activity_arn(&activity).await?;
            let described = client.describe_activity(&arn).await?;
            output::emit(format, &described.to_aws_json(), View::Fields)?;
        }
        Command::List { page } => {
            let request = ListActivitiesRequest {
                max_results: page.max_results(),
                next_token: page.next_token(),
            };
            let listed = if page.all {
                ListActivitiesResponse {
                    activities: client.list_activities_all(request).await?,
                    next_token: String::new(),
                }
            } else {
                client.list_activities(request).await?
            };
            let columns = [
                ("NAME", "name"),
                ("CREATED", "creationDate"),
                ("ARN", "activityArn"),
            ];
            let view = View::List {
                items: "activities",
                columns: &columns,
            };
            output::emit(format, &listed.to_aws_json(), view)?;
        }
        Command::Delete { activity } => {
            let arn = session.activity_arn(&activity).await?;
            client.delete_activity(&arn).await?;
            output::done(format, &format!("deleted {arn}"));
        }
        Command::Poll {
            activity,
            worker_name,
        } => {
            let arn = session.activity_arn(&activity).await?;
            match client.get_activity_task(&arn, &worker_name).await? {
                Some(task) => output::emit(format, &task.to_aws_json(), View::Fields)?,
                None if format == super::OutputFormat::Json => {
                    output::emit(
                        format,
                        &GetActivityTaskResponse::default().to_aws_json(),
                        View::Fields,
                    )?;
                }
                None => eprintln!("no task arrived"),
            }
        }
        Command::Succeed {
            task_token,
            task_output,
        } => {
            let task_output = text_arg(&task_output)?;
            serde_json::from_str::<serde::de::IgnoredAny>(&task_output)
                .context("--task-output is not valid JSON")?;
            client
                .send_task_success(&token(&task_token)?, &task_output)
                .await?;
            output::done(format, "task succeeded");
        }
        Command::Fail {
            task_token,
            error,
            cause,
        } => {
            client
                .send_task_failure(&token(&task_token)?, error.as_deref(), cause.as_deref())
                .await?;
            output::done(format, "task failed");
        }
        Command::Heartbeat { task_token } => {
            client.send_task_heartbeat(&token(&task_token)?).await?;
            output::done(format, "heartbeat sent");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A token given inline or as @file (tokens are long); a file's trailing newline is not
/// part of it.
fn token(arg: &str) -> Result<String> {
    Ok(text_arg(arg)?.trim().to_owned())
}
