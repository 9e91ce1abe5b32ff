//! `cairn state-machine create|update|describe|list|delete|validate`.

use std::process::ExitCode;

use anyhow::Result;
use cairn_client::aws_json::ToAwsJson;
use cairn_client::proto::{
    CreateStateMachineRequest, ListStateMachinesRequest, ListStateMachinesResponse,
    StateMachineType, UpdateStateMachineRequest, ValidateStateMachineDefinitionRequest,
};

use super::OutputFormat;
use super::output::{self, View};
use super::paging::PageArgs;
use super::session::Session;
use super::validate::TypeArg;
use crate::input::text_arg;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a state machine (the same name, definition and type again is not an error).
    Create {
        /// The state machine's name (1–80 characters).
        #[arg(long)]
        name: String,
        /// The definition: Amazon States Language JSON, inline or @file.
        #[arg(long)]
        definition: String,
        /// The IAM role executions run as (recorded, for AWS compatibility).
        #[arg(long, value_name = "ARN")]
        role_arn: Option<String>,
        #[arg(long = "type", value_enum, default_value_t = TypeArg::Standard)]
        machine_type: TypeArg,
    },
    /// Replace a state machine's definition and/or role; running executions keep theirs.
    #[command(group = clap::ArgGroup::new("change").required(true).multiple(true))]
    Update {
        /// ARN or name of the state machine.
        state_machine: String,
        /// The new definition, inline or @file.
        #[arg(long, group = "change")]
        definition: Option<String>,
        #[arg(long, value_name = "ARN", group = "change")]
        role_arn: Option<String>,
    },
    /// Show a state machine and its definition.
    Describe {
        /// ARN or name of the state machine.
        state_machine: String,
    },
    /// List state machines.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Delete a state machine (it goes once its running executions have ended).
    Delete {
        /// ARN or name of the state machine.
        state_machine: String,
    },
    /// Have the server check a definition, creating nothing. Exits 1 when it is invalid.
    Validate {
        /// The definition, inline or @file.
        #[arg(long)]
        definition: String,
        #[arg(long = "type", value_enum, default_value_t = TypeArg::Standard)]
        machine_type: TypeArg,
    },
}

pub async fn execute(command: Command, session: Session) -> Result<ExitCode> {
    let client = &session.client;
    let format = session.output;
    match command {
        Command::Create {
            name,
            definition,
            role_arn,
            machine_type,
        } => {
            let created = client
                .create_state_machine(CreateStateMachineRequest {
                    name,
                    definition: text_arg(&definition)?,
                    role_arn: role_arn.unwrap_or_default(),
                    r#type: proto_type(machine_type) as i32,
                })
                .await?;
            output::emit(format, &created.to_aws_json(), View::Fields)?;
        }
        Command::Update {
            state_machine,
            definition,
            role_arn,
        } => {
            let updated = client
                .update_state_machine(UpdateStateMachineRequest {
                    state_machine_arn: session.state_machine_arn(&state_machine).await?,
                    definition: definition.as_deref().map(text_arg).transpose()?,
                    role_arn,
                })
                .await?;
            output::emit(format, &updated.to_aws_json(), View::Fields)?;
        }
        Command::Describe { state_machine } => {
            let arn = session.state_machine_arn(&state_machine).await?;
            let described = client.describe_state_machine(&arn).await?;
            output::emit(format, &described.to_aws_json(), View::Fields)?;
        }
        Command::List { page } => {
            let request = ListStateMachinesRequest {
                max_results: page.max_results(),
                next_token: page.next_token(),
            };
            let listed = if page.all {
                ListStateMachinesResponse {
                    state_machines: client.list_state_machines_all(request).await?,
                    next_token: String::new(),
                }
            } else {
                client.list_state_machines(request).await?
            };
            let columns = [
                ("NAME", "name"),
                ("TYPE", "type"),
                ("CREATED", "creationDate"),
                ("ARN", "stateMachineArn"),
            ];
            let view = View::List {
                items: "stateMachines",
                columns: &columns,
            };
            output::emit(format, &listed.to_aws_json(), view)?;
        }
        Command::Delete { state_machine } => {
            let arn = session.state_machine_arn(&state_machine).await?;
            client.delete_state_machine(&arn).await?;
            output::done(format, &format!("deleting {arn}"));
        }
        Command::Validate {
            definition,
            machine_type,
        } => return validate(&session, &definition, machine_type).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn validate(session: &Session, definition: &str, machine_type: TypeArg) -> Result<ExitCode> {
    let verdict = session
        .client
        .validate_state_machine_definition(ValidateStateMachineDefinitionRequest {
            definition: text_arg(definition)?,
            r#type: proto_type(machine_type) as i32,
        })
        .await?;
    match session.output {
        OutputFormat::Json => output::emit(session.output, &verdict.to_aws_json(), View::Fields)?,
        OutputFormat::Table => {
            let mut table = output::Table::new(&["SEVERITY", "CODE", "LOCATION", "MESSAGE"]);
            for d in &verdict.diagnostics {
                table.row(vec![
                    d.severity.clone(),
                    d.code.clone(),
                    d.location.clone(),
                    d.message.clone(),
                ]);
            }
            if !verdict.diagnostics.is_empty() {
                print!("{}", table.render());
            }
            println!("result: {}", verdict.result);
        }
    }
    Ok(if verdict.result == "OK" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn proto_type(machine_type: TypeArg) -> StateMachineType {
    match machine_type {
        TypeArg::Standard => StateMachineType::Standard,
        TypeArg::Express => StateMachineType::Express,
    }
}
