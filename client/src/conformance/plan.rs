//! Which type a case's state machine is created as on a server, and why when it is not the
//! type asked for.

use asl::definition::{self, MachineType, ParseOptions, Severity};
use serde_json::Value;

use super::remote::{RemoteOptions, stops_from_outside};
use crate::proto::StateMachineType;

/// How one case runs on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    pub machine_type: StateMachineType,
    /// Set when the case runs as another type than asked for: what the result line says.
    pub notes: Option<String>,
}

impl Plan {
    fn standard(notes: Option<String>) -> Plan {
        Plan {
            machine_type: StateMachineType::Standard,
            notes,
        }
    }
}

/// The case's own type, or the forced one; EXPRESS only where AWS would accept it.
pub(super) fn plan(case: &Value, definition: &Value, options: &RemoteOptions) -> Plan {
    let wanted = options.force_type.unwrap_or_else(|| {
        case.get("state_machine_type")
            .and_then(Value::as_str)
            .and_then(MachineType::parse)
            .unwrap_or_default()
    });
    if wanted == MachineType::Standard {
        return Plan::standard(None);
    }
    if options.express_as_standard {
        return Plan::standard(Some(
            "EXPRESS case run as STANDARD (--express-as-standard)".to_owned(),
        ));
    }
    if stops_from_outside(case) {
        return Plan::standard(Some(
            "run as STANDARD: the case stops its execution from outside, and Express \
             executions cannot be stopped"
                .to_owned(),
        ));
    }
    let text = definition.to_string();
    let problems = |machine_type| -> Vec<String> {
        definition::validate(&text, &ParseOptions { machine_type })
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect()
    };
    let problems = problems(MachineType::Express);
    // A definition that is invalid either way goes to the server as asked, which refuses it.
    let standard_only = !problems.is_empty() && {
        let standard = ParseOptions::default();
        !definition::validate(&text, &standard)
            .iter()
            .any(|d| d.severity == Severity::Error)
    };
    if standard_only {
        return Plan::standard(Some(format!(
            "run as STANDARD: the definition is not valid for EXPRESS: {}",
            problems.join("; ")
        )));
    }
    Plan {
        machine_type: StateMachineType::Express,
        notes: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn forced_express() -> RemoteOptions {
        RemoteOptions {
            force_type: Some(MachineType::Express),
            ..RemoteOptions::default()
        }
    }

    #[test]
    fn forced_express_falls_back_to_standard_only_where_aws_would_refuse_it() {
        let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        let case = json!({"id": "a", "definition": pass});
        assert_eq!(
            plan(&case, &pass, &forced_express()).machine_type,
            StateMachineType::Express
        );

        let callback = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}});
        let fallback = plan(&case, &callback, &forced_express());
        assert_eq!(fallback.machine_type, StateMachineType::Standard);
        assert!(
            fallback
                .notes
                .as_deref()
                .unwrap()
                .contains("not valid for EXPRESS"),
            "{fallback:?}"
        );

        let stopped = json!({"id": "s", "notes": "the test drove the execution from outside with: stop_execution"});
        let fallback = plan(&stopped, &pass, &forced_express());
        assert_eq!(fallback.machine_type, StateMachineType::Standard);
        assert!(fallback.notes.unwrap().contains("cannot be stopped"));

        let broken = json!({"StartAt": "Missing", "States": {}});
        assert_eq!(
            plan(&case, &broken, &forced_express()).machine_type,
            StateMachineType::Express,
            "invalid either way: the server says so"
        );

        let express_case = json!({"id": "e", "state_machine_type": "EXPRESS"});
        assert_eq!(
            plan(&express_case, &pass, &RemoteOptions::default()),
            Plan {
                machine_type: StateMachineType::Express,
                notes: None
            }
        );
    }
}
