use asl::definition::{self, Diagnostic, ParseOptions};
use cairn_client::proto::state_machines_server::StateMachines;
use cairn_client::proto::{
    CreateStateMachineRequest, CreateStateMachineResponse, DeleteStateMachineRequest,
    DeleteStateMachineResponse, DescribeStateMachineRequest, DescribeStateMachineResponse,
    ListStateMachinesRequest, ListStateMachinesResponse, StateMachineListItem, StateMachineType,
    Timestamp, UpdateStateMachineRequest, UpdateStateMachineResponse,
    ValidateStateMachineDefinitionRequest, ValidateStateMachineDefinitionResponse,
    ValidationDiagnostic,
};
use tonic::{Request, Response, Status};

use super::Service;
use super::errors::{invalid, page};
use super::store::{Machine, machine_arn, now_millis};

fn check_definition(text: &str) -> Result<(), Status> {
    let diagnostics = definition::validate(text, &ParseOptions::default());
    match diagnostics.iter().find(|d| d.is_error()) {
        Some(problem) => Err(invalid("InvalidDefinition", problem.to_string())),
        None => Ok(()),
    }
}

fn date(millis: i64) -> Option<Timestamp> {
    Some(Timestamp {
        epoch_millis: millis,
    })
}

#[tonic::async_trait]
impl StateMachines for Service {
    async fn create_state_machine(
        &self,
        request: Request<CreateStateMachineRequest>,
    ) -> Result<Response<CreateStateMachineResponse>, Status> {
        let create = request.into_inner();
        check_definition(&create.definition)?;
        let machine_type = match create.r#type() {
            StateMachineType::Unspecified => StateMachineType::Standard as i32,
            given => given as i32,
        };
        self.0.change(|store| {
            if let Some(existing) = store.machines.get(&create.name) {
                if existing.definition != create.definition || existing.machine_type != machine_type
                {
                    return Err(invalid(
                        "StateMachineAlreadyExists",
                        format!("State Machine Already Exists: '{}'", existing.arn),
                    ));
                }
                return Ok(Response::new(CreateStateMachineResponse {
                    state_machine_arn: existing.arn.clone(),
                    creation_date: date(existing.created_millis),
                }));
            }
            let machine = Machine {
                arn: machine_arn(&create.name),
                name: create.name.clone(),
                definition: create.definition,
                role_arn: create.role_arn,
                machine_type,
                created_millis: now_millis(),
                revision: 1,
            };
            let response = CreateStateMachineResponse {
                state_machine_arn: machine.arn.clone(),
                creation_date: date(machine.created_millis),
            };
            store.machines.insert(create.name, machine);
            Ok(Response::new(response))
        })
    }

    async fn update_state_machine(
        &self,
        request: Request<UpdateStateMachineRequest>,
    ) -> Result<Response<UpdateStateMachineResponse>, Status> {
        let update = request.into_inner();
        if let Some(definition) = &update.definition {
            check_definition(definition)?;
        }
        self.0.change(|store| {
            let name = store
                .machine_by_arn(&update.state_machine_arn)?
                .name
                .clone();
            let machine = store.machines.get_mut(&name).expect("found above");
            if let Some(definition) = update.definition {
                machine.definition = definition;
            }
            if let Some(role_arn) = update.role_arn {
                machine.role_arn = role_arn;
            }
            machine.revision += 1;
            Ok(Response::new(UpdateStateMachineResponse {
                update_date: date(now_millis()),
                revision_id: format!("revision-{}", machine.revision),
            }))
        })
    }

    async fn describe_state_machine(
        &self,
        request: Request<DescribeStateMachineRequest>,
    ) -> Result<Response<DescribeStateMachineResponse>, Status> {
        let arn = request.into_inner().state_machine_arn;
        self.0.read(|store| {
            let machine = store.machine_by_arn(&arn)?;
            Ok(Response::new(DescribeStateMachineResponse {
                state_machine_arn: machine.arn.clone(),
                name: machine.name.clone(),
                status: "ACTIVE".into(),
                definition: machine.definition.clone(),
                role_arn: machine.role_arn.clone(),
                r#type: machine.machine_type,
                creation_date: date(machine.created_millis),
                revision_id: format!("revision-{}", machine.revision),
            }))
        })
    }

    async fn list_state_machines(
        &self,
        request: Request<ListStateMachinesRequest>,
    ) -> Result<Response<ListStateMachinesResponse>, Status> {
        let list = request.into_inner();
        self.0.read(|store| {
            let items: Vec<StateMachineListItem> = store
                .machines
                .values()
                .map(|m| StateMachineListItem {
                    state_machine_arn: m.arn.clone(),
                    name: m.name.clone(),
                    r#type: m.machine_type,
                    creation_date: date(m.created_millis),
                })
                .collect();
            let (state_machines, next_token) = page(&items, list.max_results, &list.next_token)?;
            Ok(Response::new(ListStateMachinesResponse {
                state_machines,
                next_token,
            }))
        })
    }

    async fn delete_state_machine(
        &self,
        request: Request<DeleteStateMachineRequest>,
    ) -> Result<Response<DeleteStateMachineResponse>, Status> {
        let arn = request.into_inner().state_machine_arn;
        self.0.change(|store| {
            let name = store.machine_by_arn(&arn)?.name.clone();
            store.machines.remove(&name);
            Ok(Response::new(DeleteStateMachineResponse {}))
        })
    }

    async fn validate_state_machine_definition(
        &self,
        request: Request<ValidateStateMachineDefinitionRequest>,
    ) -> Result<Response<ValidateStateMachineDefinitionResponse>, Status> {
        let text = request.into_inner().definition;
        let diagnostics = definition::validate(&text, &ParseOptions::default());
        let valid = !diagnostics.iter().any(Diagnostic::is_error);
        Ok(Response::new(ValidateStateMachineDefinitionResponse {
            result: if valid { "OK" } else { "FAIL" }.into(),
            diagnostics: diagnostics
                .iter()
                .map(|d| ValidationDiagnostic {
                    severity: if d.is_error() { "ERROR" } else { "WARNING" }.into(),
                    code: d.code.as_str().into(),
                    message: d.message.clone(),
                    location: d.pointer.clone(),
                })
                .collect(),
        }))
    }
}
