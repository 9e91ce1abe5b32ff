//! At-least-once for asynchronous Express starts: each is recorded in the node's journal
//! (fsynced) before it is acknowledged and forgotten when it ends; after a restart every
//! start still recorded runs again from its start, under its original ARN.

use std::collections::HashSet;
use std::sync::PoisonError;

use cairn_proto::storage::{DefinitionRow, ExpressStart};
use tracing::{error, info, warn};

use super::error::Error;
use super::launch::Identity;
use super::runtime::Handle;

impl Handle {
    /// Durably records an accepted start, with its definition the first time this node
    /// records one of that content.
    pub(super) async fn record_start(
        &self,
        identity: &Identity,
        definition: &DefinitionRow,
        input_json: String,
        accepted_millis: i64,
    ) -> Result<(), Error> {
        let inner = self.inner();
        let journal = self.journal()?;
        let start = ExpressStart {
            execution_arn: identity.execution_arn.clone(),
            state_machine_arn: definition.state_machine_arn.clone(),
            state_machine_name: identity.state_machine_name.clone(),
            name: identity.name.clone(),
            definition_hash: definition.hash.clone(),
            input_json: input_json.into_bytes(),
            accepted_millis,
        };
        let known = inner
            .journaled_definitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&definition.hash);
        journal
            .record(&start, (!known).then_some(definition))
            .await?;
        if !known {
            inner
                .journaled_definitions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(definition.hash.clone());
        }
        Ok(())
    }

    /// Forgets a start whose execution ended. If this fails, the execution runs once more
    /// after a restart, which at-least-once allows.
    pub(super) async fn forget_start(&self, accepted_millis: i64, execution_arn: &str) {
        let finished = match self.journal() {
            Ok(journal) => journal.finish(accepted_millis, execution_arn).await,
            Err(_) => return,
        };
        if let Err(e) = finished {
            warn!(execution = execution_arn, error = %e, "cannot forget a finished Express start; it will run again after a restart");
        }
    }

    /// Runs again every start recorded but not finished before the node stopped, oldest
    /// first, as slots free up. Call once at startup, before serving requests: it also drops
    /// stored definitions that no recorded start needs any more.
    pub fn recover(&self) -> Result<usize, crate::storage::Error> {
        let Ok(journal) = self.journal() else {
            return Ok(0);
        };
        let starts = journal.unfinished()?;
        let needed: HashSet<String> = starts.iter().map(|s| s.definition_hash.clone()).collect();
        let kept = journal.prune_definitions(&needed)?;
        *self
            .inner()
            .journaled_definitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = kept;
        let count = starts.len();
        if count > 0 {
            info!(
                executions = count,
                "running again the Express executions accepted before the restart"
            );
            let tracked = self.track();
            let this = self.clone();
            tokio::spawn(async move {
                for start in starts {
                    if !this.rerun(start).await {
                        break;
                    }
                }
                drop(this);
                drop(tracked);
            });
        }
        Ok(count)
    }

    /// Starts one recorded execution again; false when the node is stopping.
    async fn rerun(&self, start: ExpressStart) -> bool {
        let Some(permit) = self.wait_for_permit().await else {
            return false;
        };
        let launch = self.recorded_launch(&start);
        match launch {
            Ok(launch) => self.spawn_recorded(launch, start.accepted_millis, permit),
            Err(e) => {
                // It can never run: keeping it would only fail again at every restart.
                error!(execution = %start.execution_arn, error = %e, "dropping a recorded Express start that cannot run");
                self.forget_start(start.accepted_millis, &start.execution_arn)
                    .await;
            }
        }
        true
    }

    fn recorded_launch(&self, start: &ExpressStart) -> Result<super::run::Launch, Error> {
        let definition = self
            .journal()?
            .definition(&start.definition_hash)?
            .ok_or_else(|| Error::InvalidDefinition {
                arn: start.state_machine_arn.clone(),
                problems: format!(
                    "the recorded definition {} is missing",
                    start.definition_hash
                ),
            })?;
        let identity = Identity {
            state_machine_name: start.state_machine_name.clone(),
            name: start.name.clone(),
            uuid: start
                .execution_arn
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_owned(),
            execution_arn: start.execution_arn.clone(),
        };
        let input = serde_json::from_slice(&start.input_json).map_err(|e| {
            crate::shard::Error::InvalidExecutionInput(format!(
                "the recorded input is not JSON: {e}"
            ))
        })?;
        self.launch(&definition, &identity, input)
    }
}
