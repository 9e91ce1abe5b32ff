//! Turning a start request into a [`Launch`]: the state machine it names, a checked name and
//! input, the parsed definition and the execution's identity.

use std::sync::Arc;

use asl::definition::MachineType;
use asl::interpreter::ExecutionInfo;
use cairn_proto::storage::{DefinitionRow, StateMachineRecord};
use serde_json::Value;

use super::arn;
use super::error::Error;
use super::run::Launch;
use super::runtime::Handle;
use crate::clock::random_uuid;
use crate::ids::is_name;
use crate::shard;

/// A checked execution input: parsed, and as compact JSON text.
pub(super) struct CheckedInput {
    pub value: Value,
    pub json: String,
}

/// Who an Express execution is.
pub(super) struct Identity {
    pub state_machine_name: String,
    pub name: String,
    pub execution_arn: String,
    pub uuid: String,
}

impl Handle {
    /// Whether the ARN names an existing EXPRESS state machine (being deleted or not).
    pub async fn is_express_machine(&self, state_machine_arn: &str) -> bool {
        matches!(self.record(state_machine_arn).await, Ok(record) if is_express(&record))
    }

    /// The state machine an ARN names, if it exists and is not being deleted.
    pub async fn state_machine(
        &self,
        state_machine_arn: &str,
    ) -> Result<Arc<StateMachineRecord>, Error> {
        let record = self.record(state_machine_arn).await?;
        if record.status == "DELETING" {
            return Err(shard::Error::StateMachineDeleting(state_machine_arn.to_owned()).into());
        }
        Ok(record)
    }

    async fn record(&self, state_machine_arn: &str) -> Result<Arc<StateMachineRecord>, Error> {
        let router = &self.inner().env.router;
        let name = router.state_machine_name(state_machine_arn)?;
        let record = router
            .state_machine_to_start(&name)
            .await?
            .ok_or_else(|| shard::Error::StateMachineDoesNotExist(state_machine_arn.to_owned()))?;
        Ok(record)
    }

    /// A new execution of `record`: its name (a UUID when empty) and a unique ARN.
    pub(super) fn identity(
        &self,
        record: &StateMachineRecord,
        name: String,
    ) -> Result<Identity, Error> {
        let name = checked_name(name)?;
        let uuid = random_uuid();
        Ok(Identity {
            execution_arn: arn::execution_arn(&self.inner().arns, &record.name, &name, &uuid),
            state_machine_name: record.name.clone(),
            name,
            uuid,
        })
    }

    /// Checks an input as StartExecution does: `{}` when empty, valid JSON, within the limit.
    pub(super) fn checked_input(&self, input: String) -> Result<CheckedInput, Error> {
        let text = if input.trim().is_empty() {
            "{}".to_owned()
        } else {
            input
        };
        let limit = self.inner().env.limits.payload_bytes_max;
        if text.len() as u64 > limit {
            return Err(shard::Error::InvalidExecutionInput(format!(
                "the input is {} bytes; the limit is {limit} bytes",
                text.len()
            ))
            .into());
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            shard::Error::InvalidExecutionInput(format!("the input is not valid JSON: {e}"))
        })?;
        let json = asl::interpreter::compact(&value);
        Ok(CheckedInput { value, json })
    }

    /// Parses the definition (once per content hash) and builds the launch.
    pub(super) fn launch(
        &self,
        definition: &DefinitionRow,
        identity: &Identity,
        input: Value,
    ) -> Result<Launch, Error> {
        let inner = self.inner();
        let machine = inner
            .definitions
            .get(
                &definition.hash,
                &definition.definition,
                MachineType::Express,
            )
            .map_err(|diagnostics| Error::InvalidDefinition {
                arn: definition.state_machine_arn.clone(),
                problems: diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        let info = ExecutionInfo {
            id: identity.execution_arn.clone(),
            name: identity.name.clone(),
            state_machine_id: definition.state_machine_arn.clone(),
            state_machine_name: identity.state_machine_name.clone(),
            role_arn: definition.role_arn.clone(),
            region: inner.arns.region.clone(),
            // Set when the execution starts running.
            start_time: asl::Timestamp::EPOCH,
            redrive_count: 0,
            machine_type: MachineType::Express,
        };
        Ok(Launch {
            info,
            key: arn::execution_key(&identity.state_machine_name, &identity.name, &identity.uuid),
            machine,
            input,
        })
    }
}

/// Whether a state machine record is of an EXPRESS machine.
pub(super) fn is_express(record: &StateMachineRecord) -> bool {
    MachineType::parse(&record.machine_type) == Some(MachineType::Express)
}

/// The definition row an execution of `record` runs.
pub(super) fn definition_row(record: &StateMachineRecord) -> DefinitionRow {
    DefinitionRow {
        hash: record.definition_hash.clone(),
        definition: record.definition.clone(),
        state_machine_arn: record.arn.clone(),
        machine_type: record.machine_type.clone(),
        role_arn: record.role_arn.clone(),
    }
}

fn checked_name(name: String) -> Result<String, Error> {
    if name.is_empty() {
        return Ok(random_uuid());
    }
    if is_name(&name) {
        Ok(name)
    } else {
        Err(shard::Error::InvalidName(format!(
            "{name:?}: execution names are 1-80 characters without spaces, brackets, wildcards or control characters"
        ))
        .into())
    }
}
