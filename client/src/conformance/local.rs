//! Running one execution case in-process, with the case's mocks.

use asl::definition::{Definition, MachineType, ParseOptions};
use asl::local::{self, Mocks, NoMocks, StateMocks};
use serde_json::{Value, json};

use super::clock;
use crate::local::{local_info, now, outcome_fields};

/// The result line for one case: `{id, status, output, error, cause, events}`.
pub fn run_case(case: &Value, force_type: Option<MachineType>) -> Value {
    let id = case.get("id").cloned().unwrap_or(Value::Null);
    match try_run(case, force_type) {
        Ok(mut result) => {
            result["id"] = id;
            result
        }
        Err(problem) => {
            json!({"id": id, "status": "ERROR", "output": null, "error": "Runner", "cause": problem, "events": []})
        }
    }
}

fn try_run(case: &Value, force_type: Option<MachineType>) -> Result<Value, String> {
    let definition = case.get("definition").ok_or("the case has no definition")?;
    let machine_type = force_type.unwrap_or_else(|| {
        case.get("state_machine_type")
            .and_then(Value::as_str)
            .and_then(MachineType::parse)
            .unwrap_or_default()
    });
    let text = serde_json::to_string(definition).map_err(|e| e.to_string())?;
    let parsed =
        Definition::parse(&text, &ParseOptions { machine_type }).map_err(|diagnostics| {
            let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            format!("invalid definition: {}", lines.join("; "))
        })?;
    let start = now();
    let mut input = case.get("input").cloned().unwrap_or_else(|| json!({}));
    if let Some(reference) = case
        .get("clock_relative")
        .and_then(|c| c.get("reference_now"))
        .and_then(Value::as_str)
    {
        clock::shift_timestamps(&mut input, reference, start)?;
    }
    let mut mocks: Box<dyn Mocks> = match case.get("mocks") {
        Some(value) => Box::new(StateMocks::from_json(value).map_err(|e| e.to_string())?),
        None => Box::new(NoMocks),
    };
    let notes = case
        .get("notes")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let options = local::Options {
        start_time: start,
        seed: seed_of(case),
        stop_after_start: notes.contains("drove the execution from outside with: stop_execution"),
        ..local::Options::default()
    };
    let info = local_info(
        "ConformanceMachine",
        "conformance-execution",
        start,
        machine_type,
    );
    let run = local::run(&parsed.machine, info, input, mocks.as_mut(), &options)
        .map_err(|e| e.to_string())?;
    let (status, output, error, cause) = outcome_fields(&run.execution.outcome);
    let events: Vec<String> = run.history.iter().map(|e| e.event_type()).collect();
    Ok(
        json!({"status": status, "output": output, "error": error, "cause": cause, "events": events}),
    )
}

/// A stable seed per case, so reruns are reproducible.
fn seed_of(case: &Value) -> u64 {
    let id = case.get("id").and_then(Value::as_str).unwrap_or_default();
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
