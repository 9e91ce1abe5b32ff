//! Finding the shard for an execution, state machine or activity, and the operations that
//! span shards (a start reads the state machine on its shard, then starts on the execution's).
//!
//! On a one-node cluster every shard is local; the multi-node cluster forwards to the shard
//! leader from here.

use std::sync::Arc;

use cairn_proto::storage::{DefinitionRow, ParentLink, StateMachineRecord};

use super::{Error, Handle, StartReply, StartRequest};
use crate::clock::random_uuid;
use crate::ids::{Arns, ExecutionKey, Resource, execution_shard, is_name, name_shard};
use crate::storage::ShardReader;

#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("shards", &self.inner.handles.len())
            .finish_non_exhaustive()
    }
}

struct Inner {
    handles: Vec<Handle>,
    readers: Vec<ShardReader>,
    arns: Arns,
    payload_bytes_max: u64,
}

impl Router {
    pub fn new(
        handles: Vec<Handle>,
        readers: Vec<ShardReader>,
        arns: Arns,
        payload_bytes_max: u64,
    ) -> Self {
        Router {
            inner: Arc::new(Inner {
                handles,
                readers,
                arns,
                payload_bytes_max,
            }),
        }
    }

    pub fn shard_count(&self) -> u32 {
        self.inner.handles.len() as u32
    }

    pub fn arns(&self) -> &Arns {
        &self.inner.arns
    }

    pub fn readers(&self) -> &[ShardReader] {
        &self.inner.readers
    }

    pub fn handles(&self) -> &[Handle] {
        &self.inner.handles
    }

    pub fn execution_handle(&self, key: &ExecutionKey) -> &Handle {
        &self.inner.handles[execution_shard(key, self.shard_count()).0 as usize]
    }

    pub fn execution_reader(&self, key: &ExecutionKey) -> &ShardReader {
        &self.inner.readers[execution_shard(key, self.shard_count()).0 as usize]
    }

    pub fn name_handle(&self, name: &str) -> &Handle {
        &self.inner.handles[name_shard(name, self.shard_count()).0 as usize]
    }

    pub fn name_reader(&self, name: &str) -> &ShardReader {
        &self.inner.readers[name_shard(name, self.shard_count()).0 as usize]
    }

    /// The execution an ARN names.
    pub fn execution_key(&self, arn: &str) -> Result<ExecutionKey, Error> {
        match self.inner.arns.parse(arn) {
            Some(Resource::Execution {
                state_machine,
                name,
            }) => Ok(ExecutionKey::new(&state_machine, &name)),
            _ => Err(Error::InvalidArn(format!(
                "{arn:?} is not an execution ARN of this cluster"
            ))),
        }
    }

    /// The state machine name an ARN names.
    pub fn state_machine_name(&self, arn: &str) -> Result<String, Error> {
        match self.inner.arns.parse(arn) {
            Some(Resource::StateMachine { name }) => Ok(name),
            _ => Err(Error::InvalidArn(format!(
                "{arn:?} is not a state machine ARN of this cluster"
            ))),
        }
    }

    pub fn state_machine(&self, name: &str) -> Result<Option<StateMachineRecord>, Error> {
        self.name_reader(name)
            .state_machine(name)
            .map_err(|e| Error::Storage(e.to_string()))
    }

    /// Starts an execution of a state machine (by ARN): validates name and input, copies the
    /// definition with the start, and answers once the start is committed.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: Option<String>,
        input_json: Option<String>,
        parent: Option<ParentLink>,
    ) -> Result<StartReply, Error> {
        let machine_name = self.state_machine_name(state_machine_arn)?;
        let record = self
            .state_machine(&machine_name)?
            .ok_or_else(|| Error::StateMachineDoesNotExist(state_machine_arn.to_owned()))?;
        if record.status == "DELETING" {
            return Err(Error::StateMachineDeleting(state_machine_arn.to_owned()));
        }
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) if is_name(&n) => n,
            Some(n) => {
                return Err(Error::InvalidName(format!(
                    "{n:?}: execution names are 1-80 characters without spaces, brackets, wildcards or control characters"
                )));
            }
            None => random_uuid(),
        };
        let input_json = input_json
            .filter(|i| !i.trim().is_empty())
            .unwrap_or_else(|| "{}".into());
        if input_json.len() as u64 > self.inner.payload_bytes_max {
            return Err(Error::InvalidExecutionInput(format!(
                "the input is {} bytes; the limit is {} bytes",
                input_json.len(),
                self.inner.payload_bytes_max
            )));
        }
        let parsed: serde_json::Value = serde_json::from_str(&input_json).map_err(|e| {
            Error::InvalidExecutionInput(format!("the input is not valid JSON: {e}"))
        })?;
        let input_json = asl::interpreter::compact(&parsed);
        let request = StartRequest {
            state_machine_name: machine_name.clone(),
            execution_name: name.clone(),
            input_json,
            definition: DefinitionRow {
                hash: record.definition_hash.clone(),
                definition: record.definition.clone(),
                state_machine_arn: record.arn.clone(),
                machine_type: record.machine_type.clone(),
                role_arn: record.role_arn.clone(),
            },
            parent,
        };
        let key = ExecutionKey::new(&machine_name, &name);
        self.execution_handle(&key).start(request).await
    }

    /// `StopExecution`.
    pub async fn stop_execution(
        &self,
        key: &ExecutionKey,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), Error> {
        self.execution_handle(key)
            .input(key.clone(), asl::interpreter::Input::Stop { error, cause })
            .await
    }
}
