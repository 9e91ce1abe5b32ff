//! The StateMachines service: create, update, describe, list, delete, validate.

use cairn_proto::v1::{
    CreateStateMachineRequest, CreateStateMachineResponse, DeleteStateMachineRequest,
    DescribeStateMachineRequest, DescribeStateMachineResponse, ListStateMachinesRequest,
    ListStateMachinesResponse, StateMachineListItem, UpdateStateMachineRequest,
    UpdateStateMachineResponse, ValidateStateMachineDefinitionRequest,
    ValidateStateMachineDefinitionResponse,
};

use super::paging::all_pages;
use super::{Client, Result, request, unary};

impl Client {
    /// CreateStateMachine. Idempotent: the same name, definition and type return the existing
    /// machine; another definition under the name fails with `StateMachineAlreadyExists`.
    pub async fn create_state_machine(
        &self,
        create: CreateStateMachineRequest,
    ) -> Result<CreateStateMachineResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        unary(
            "CreateStateMachine",
            timeout,
            rpc.create_state_machine(request(create, timeout)),
        )
        .await
    }

    /// UpdateStateMachine: a new definition and/or role. Running executions keep the revision
    /// they started with.
    pub async fn update_state_machine(
        &self,
        update: UpdateStateMachineRequest,
    ) -> Result<UpdateStateMachineResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        unary(
            "UpdateStateMachine",
            timeout,
            rpc.update_state_machine(request(update, timeout)),
        )
        .await
    }

    /// DescribeStateMachine.
    pub async fn describe_state_machine(
        &self,
        state_machine_arn: &str,
    ) -> Result<DescribeStateMachineResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        let describe = DescribeStateMachineRequest {
            state_machine_arn: state_machine_arn.to_owned(),
        };
        unary(
            "DescribeStateMachine",
            timeout,
            rpc.describe_state_machine(request(describe, timeout)),
        )
        .await
    }

    /// ListStateMachines: one page. Pass the response's `next_token` back for the next one.
    pub async fn list_state_machines(
        &self,
        list: ListStateMachinesRequest,
    ) -> Result<ListStateMachinesResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        unary(
            "ListStateMachines",
            timeout,
            rpc.list_state_machines(request(list, timeout)),
        )
        .await
    }

    /// Every state machine from `list`'s page on, following page tokens (`max_results` is the
    /// page size).
    pub async fn list_state_machines_all(
        &self,
        list: ListStateMachinesRequest,
    ) -> Result<Vec<StateMachineListItem>> {
        all_pages(list, |page| async move {
            let response = self.list_state_machines(page).await?;
            Ok((response.state_machines, response.next_token))
        })
        .await
    }

    /// DeleteStateMachine. Deletion completes once the machine's running executions end.
    pub async fn delete_state_machine(&self, state_machine_arn: &str) -> Result<()> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        let delete = DeleteStateMachineRequest {
            state_machine_arn: state_machine_arn.to_owned(),
        };
        unary(
            "DeleteStateMachine",
            timeout,
            rpc.delete_state_machine(request(delete, timeout)),
        )
        .await?;
        Ok(())
    }

    /// ValidateStateMachineDefinition: the server's verdict on a definition, creating nothing.
    pub async fn validate_state_machine_definition(
        &self,
        validate: ValidateStateMachineDefinitionRequest,
    ) -> Result<ValidateStateMachineDefinitionResponse> {
        let timeout = self.options.request_timeout;
        let mut rpc = self.state_machines.clone();
        unary(
            "ValidateStateMachineDefinition",
            timeout,
            rpc.validate_state_machine_definition(request(validate, timeout)),
        )
        .await
    }
}
