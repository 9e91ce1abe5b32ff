//! `cairn.v1.StateMachines`.

use asl::definition::{self, MachineType, ParseOptions, Severity};
use cairn_proto::storage::StateMachineRecord;
use cairn_proto::v1::state_machines_server::StateMachines;
use cairn_proto::v1::*;
use tonic::{Code, Request, Response, Status};

use super::error::status;
use super::{Context, page_size, timestamp};
use crate::clock::random_uuid;
use crate::engine::definition_hash;
use crate::ids::is_name;
use crate::shard::StateMachineCommand;

#[derive(Debug, Clone)]
pub struct StateMachinesService {
    pub context: Context,
}

fn machine_type(t: i32) -> MachineType {
    match StateMachineType::try_from(t) {
        Ok(StateMachineType::Express) => MachineType::Express,
        _ => MachineType::Standard,
    }
}

fn wire_type(text: &str) -> i32 {
    match MachineType::parse(text) {
        Some(MachineType::Express) => StateMachineType::Express as i32,
        _ => StateMachineType::Standard as i32,
    }
}

/// `InvalidDefinition` listing every error with its pointer.
fn check_definition(text: &str, machine_type: MachineType, chars_max: usize) -> Result<(), Status> {
    if text.chars().count() > chars_max {
        return Err(status(
            Code::InvalidArgument,
            "InvalidDefinition",
            format!("the definition is longer than {chars_max} characters"),
        ));
    }
    let errors: Vec<String> = definition::validate(text, &ParseOptions { machine_type })
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(status(
            Code::InvalidArgument,
            "InvalidDefinition",
            format!("Invalid State Machine Definition: {}", errors.join("; ")),
        ))
    }
}

impl StateMachinesService {
    async fn record(&self, arn: &str) -> Result<StateMachineRecord, Status> {
        let name = self.context.router.state_machine_name(arn)?;
        self.context
            .router
            .state_machine(&name)
            .await?
            .ok_or_else(|| {
                status(
                    Code::NotFound,
                    "StateMachineDoesNotExist",
                    format!("state machine {arn} does not exist"),
                )
            })
    }

    fn default_role(&self) -> String {
        format!(
            "arn:{}:iam::{}:role/cairn",
            self.context.options.identity.partition, self.context.options.identity.account
        )
    }
}

#[tonic::async_trait]
impl StateMachines for StateMachinesService {
    async fn create_state_machine(
        &self,
        request: Request<CreateStateMachineRequest>,
    ) -> Result<Response<CreateStateMachineResponse>, Status> {
        let request = request.into_inner();
        if !is_name(&request.name) {
            return Err(status(
                Code::InvalidArgument,
                "InvalidName",
                format!("{:?} is not a valid state machine name", request.name),
            ));
        }
        let machine_type = machine_type(request.r#type);
        check_definition(
            &request.definition,
            machine_type,
            self.context.options.limits.definition_chars_max,
        )?;
        let router = &self.context.router;
        let arn = router.arns().state_machine(&request.name);
        let hash = definition_hash(&request.definition, machine_type);
        if let Some(existing) = router.state_machine(&request.name).await? {
            // Idempotent on name, definition and type; the role does not matter (as AWS).
            if existing.definition_hash == hash && existing.machine_type == machine_type.as_str() {
                return Ok(Response::new(CreateStateMachineResponse {
                    state_machine_arn: existing.arn,
                    creation_date: timestamp(existing.creation_millis),
                }));
            }
            return Err(status(
                Code::AlreadyExists,
                "StateMachineAlreadyExists",
                format!("state machine {arn} already exists with another definition"),
            ));
        }
        let now = self.context.clock.now().as_millis();
        let record = StateMachineRecord {
            name: request.name.clone(),
            arn: arn.clone(),
            definition: request.definition,
            definition_hash: hash,
            role_arn: if request.role_arn.is_empty() {
                self.default_role()
            } else {
                request.role_arn
            },
            machine_type: machine_type.as_str().to_owned(),
            creation_millis: now,
            update_millis: now,
            revision_id: random_uuid(),
            status: "ACTIVE".into(),
        };
        router
            .state_machine_command(
                &request.name,
                StateMachineCommand::Put {
                    record: Box::new(record),
                    expected_revision_id: String::new(),
                },
            )
            .await?;
        Ok(Response::new(CreateStateMachineResponse {
            state_machine_arn: arn,
            creation_date: timestamp(now),
        }))
    }

    async fn update_state_machine(
        &self,
        request: Request<UpdateStateMachineRequest>,
    ) -> Result<Response<UpdateStateMachineResponse>, Status> {
        let request = request.into_inner();
        if request.definition.is_none() && request.role_arn.is_none() {
            return Err(status(
                Code::InvalidArgument,
                "MissingRequiredParameter",
                "give a new definition, a new role ARN, or both",
            ));
        }
        let mut record = self.record(&request.state_machine_arn).await?;
        let expected = record.revision_id.clone();
        if let Some(text) = request.definition {
            let machine_type = MachineType::parse(&record.machine_type).unwrap_or_default();
            check_definition(
                &text,
                machine_type,
                self.context.options.limits.definition_chars_max,
            )?;
            record.definition_hash = definition_hash(&text, machine_type);
            record.definition = text;
        }
        if let Some(role) = request.role_arn {
            record.role_arn = role;
        }
        let now = self.context.clock.now().as_millis();
        record.update_millis = now;
        record.revision_id = random_uuid();
        let revision_id = record.revision_id.clone();
        let name = record.name.clone();
        self.context
            .router
            .state_machine_command(
                &name,
                StateMachineCommand::Put {
                    record: Box::new(record),
                    expected_revision_id: expected,
                },
            )
            .await?;
        Ok(Response::new(UpdateStateMachineResponse {
            update_date: timestamp(now),
            revision_id,
        }))
    }

    async fn describe_state_machine(
        &self,
        request: Request<DescribeStateMachineRequest>,
    ) -> Result<Response<DescribeStateMachineResponse>, Status> {
        let record = self.record(&request.into_inner().state_machine_arn).await?;
        Ok(Response::new(DescribeStateMachineResponse {
            state_machine_arn: record.arn,
            name: record.name,
            status: record.status,
            definition: record.definition,
            role_arn: record.role_arn,
            r#type: wire_type(&record.machine_type),
            creation_date: timestamp(record.creation_millis),
            revision_id: record.revision_id,
        }))
    }

    async fn list_state_machines(
        &self,
        request: Request<ListStateMachinesRequest>,
    ) -> Result<Response<ListStateMachinesResponse>, Status> {
        let request = request.into_inner();
        let limit = page_size(request.max_results);
        // State machines are few: gather every shard's, order by name, and page by name.
        let mut all: Vec<StateMachineRecord> = Vec::new();
        for shard in (0..self.context.router.shard_count()).map(crate::ids::ShardId) {
            all.extend(
                self.context
                    .router
                    .state_machines_page(shard, None, usize::MAX)
                    .await?
                    .items,
            );
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let after = request.next_token;
        let page: Vec<StateMachineRecord> = all
            .into_iter()
            .filter(|r| after.is_empty() || r.name > after)
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        let page: Vec<StateMachineRecord> = page.into_iter().take(limit).collect();
        let next_token = if more {
            page.last().map(|r| r.name.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListStateMachinesResponse {
            state_machines: page
                .into_iter()
                .map(|r| StateMachineListItem {
                    state_machine_arn: r.arn,
                    name: r.name,
                    r#type: wire_type(&r.machine_type),
                    creation_date: timestamp(r.creation_millis),
                })
                .collect(),
            next_token,
        }))
    }

    async fn delete_state_machine(
        &self,
        request: Request<DeleteStateMachineRequest>,
    ) -> Result<Response<DeleteStateMachineResponse>, Status> {
        let arn = request.into_inner().state_machine_arn;
        let name = self.context.router.state_machine_name(&arn)?;
        // Running executions keep their own copy of the definition and finish normally.
        self.context
            .router
            .state_machine_command(&name, StateMachineCommand::Delete { name: name.clone() })
            .await?;
        Ok(Response::new(DeleteStateMachineResponse {}))
    }

    async fn validate_state_machine_definition(
        &self,
        request: Request<ValidateStateMachineDefinitionRequest>,
    ) -> Result<Response<ValidateStateMachineDefinitionResponse>, Status> {
        let request = request.into_inner();
        let diagnostics = definition::validate(
            &request.definition,
            &ParseOptions {
                machine_type: machine_type(request.r#type),
            },
        );
        let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
        Ok(Response::new(ValidateStateMachineDefinitionResponse {
            result: if failed { "FAIL" } else { "OK" }.into(),
            diagnostics: diagnostics
                .into_iter()
                .map(|d| ValidationDiagnostic {
                    severity: match d.severity {
                        Severity::Error => "ERROR",
                        Severity::Warning => "WARNING",
                    }
                    .into(),
                    code: d.code.as_str().into(),
                    message: d.message,
                    location: if d.pointer.is_empty() {
                        "/".into()
                    } else {
                        d.pointer
                    },
                })
                .collect(),
        }))
    }
}
