//! The workloads: what each execution runs, and creating its state machine and activities on
//! the server under names unique to the run.

mod definitions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use cairn_proto::v1::{CreateActivityRequest, CreateStateMachineRequest, StateMachineType};
use clap::ValueEnum;
use serde_json::Value;

use crate::connections::{Pool, with_deadline};

/// The placeholder a custom definition may use for an activity the tool creates and serves
/// with its built-in workers.
pub const ACTIVITY_PLACEHOLDER: &str = "${ACTIVITY_ARN}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadKind {
    /// Pass → Choice → Pass.
    Pass3,
    /// One 1 s Wait state.
    Wait,
    /// Three activity tasks in sequence, served by the built-in workers (--workers).
    Activity3,
    /// An inline Map over 100 items.
    Map100,
    /// pass3 as an Express machine through StartSyncExecution.
    ExpressSync,
    /// Your own definition (--definition FILE, --input JSON|@FILE).
    Custom,
}

impl WorkloadKind {
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Pass3 => "pass3",
            WorkloadKind::Wait => "wait",
            WorkloadKind::Activity3 => "activity3",
            WorkloadKind::Map100 => "map100",
            WorkloadKind::ExpressSync => "express-sync",
            WorkloadKind::Custom => "custom",
        }
    }
}

/// What the user chose, before anything exists on the server.
#[derive(Debug, Clone)]
pub struct Spec {
    pub kind: WorkloadKind,
    pub definition: Option<PathBuf>,
    /// JSON text, or `@FILE`.
    pub input: Option<String>,
}

/// A workload created on the server: what every start sends.
#[derive(Debug, Clone)]
pub struct Target {
    pub state_machine_arn: String,
    /// The name in `state_machine_arn`, which places executions on shards.
    pub state_machine_name: String,
    /// JSON text.
    pub input: String,
    /// Activities the built-in workers serve (empty when the workload has none).
    pub activity_arns: Vec<String>,
    /// Started with StartSyncExecution, which answers when the execution has ended.
    pub sync: bool,
}

/// Creates the workload's state machine (and activity) named after `run_id`.
pub async fn prepare(pool: &Pool, spec: &Spec, run_id: &str, deadline: Duration) -> Result<Target> {
    let prefix = format!("cairn-loadtest-{run_id}");
    let mut activity_arns = Vec::new();
    let (definition, default_input) = match spec.kind {
        WorkloadKind::Pass3 => (definitions::pass3(), definitions::pass3_input()),
        WorkloadKind::Wait => (definitions::wait(), Value::Object(Default::default())),
        WorkloadKind::Map100 => (definitions::map100(), definitions::map100_input()),
        WorkloadKind::Activity3 => {
            let activity = create_activity(pool, &format!("{prefix}-task"), deadline).await?;
            let definition = definitions::activity3(&activity);
            activity_arns.push(activity);
            (definition, Value::Object(Default::default()))
        }
        WorkloadKind::ExpressSync => (definitions::pass3(), definitions::pass3_input()),
        WorkloadKind::Custom => {
            let path = spec
                .definition
                .as_deref()
                .context("workload custom needs --definition FILE")?;
            let mut text = read(path)?;
            if text.contains(ACTIVITY_PLACEHOLDER) {
                let activity = create_activity(pool, &format!("{prefix}-task"), deadline).await?;
                text = text.replace(ACTIVITY_PLACEHOLDER, &activity);
                activity_arns.push(activity);
            }
            let definition: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a JSON definition", path.display()))?;
            (definition, Value::Object(Default::default()))
        }
    };
    let input = match &spec.input {
        Some(arg) => input_text(arg)?,
        None => default_input.to_string(),
    };
    let sync = spec.kind == WorkloadKind::ExpressSync;
    let machine_type = if sync {
        StateMachineType::Express
    } else {
        StateMachineType::Standard
    };
    let state_machine_name = format!("{prefix}-{}", spec.kind.name());
    let state_machine_arn = create_state_machine(
        pool,
        &state_machine_name,
        &definition.to_string(),
        machine_type,
        deadline,
    )
    .await?;
    Ok(Target {
        state_machine_arn,
        state_machine_name,
        input,
        activity_arns,
        sync,
    })
}

/// `--input`: JSON given inline or as `@FILE`, checked here so a typo fails before the run.
fn input_text(arg: &str) -> Result<String> {
    let text = match arg.strip_prefix('@') {
        Some(path) => read(Path::new(path))?,
        None => arg.to_owned(),
    };
    serde_json::from_str::<Value>(&text).context("--input is not valid JSON")?;
    Ok(text)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

async fn create_activity(pool: &Pool, name: &str, deadline: Duration) -> Result<String> {
    let request = CreateActivityRequest {
        name: name.to_owned(),
    };
    let created = pool
        .activities()
        .create_activity(with_deadline(request, deadline))
        .await
        .with_context(|| format!("CreateActivity {name}"))?;
    Ok(created.into_inner().activity_arn)
}

async fn create_state_machine(
    pool: &Pool,
    name: &str,
    definition: &str,
    machine_type: StateMachineType,
    deadline: Duration,
) -> Result<String> {
    let request = CreateStateMachineRequest {
        name: name.to_owned(),
        definition: definition.to_owned(),
        role_arn: String::new(),
        r#type: machine_type as i32,
    };
    let created = pool
        .state_machines()
        .create_state_machine(with_deadline(request, deadline))
        .await
        .with_context(|| format!("CreateStateMachine {name}"))?;
    Ok(created.into_inner().state_machine_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_checked_as_json_inline_or_from_a_file() {
        assert_eq!(input_text(r#"{"a":1}"#).unwrap(), r#"{"a":1}"#);
        assert!(input_text("{not json").is_err());
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "[1,2]").unwrap();
        assert_eq!(
            input_text(&format!("@{}", file.path().display())).unwrap(),
            "[1,2]"
        );
    }
}
