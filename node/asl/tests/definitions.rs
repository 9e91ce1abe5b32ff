//! Definition validation: every problem reported at once, each with a JSON pointer and a
//! stable code.

use asl::definition::{self, Code, Definition, Diagnostic, MachineType, ParseOptions, Severity};
use serde_json::{Value, json};

fn diagnostics(definition: Value) -> Vec<Diagnostic> {
    definition::validate(&definition.to_string(), &ParseOptions::default())
}

fn errors(definition: Value) -> Vec<(Code, String)> {
    diagnostics(definition)
        .into_iter()
        .filter(Diagnostic::is_error)
        .map(|d| (d.code, d.pointer))
        .collect()
}

#[test]
fn three_mistakes_are_all_reported_with_their_pointers() {
    let found = errors(json!({
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Missing"}],
                "Default": "Done"
            },
            "Done": {"Type": "Pass", "Reslt": 1, "End": true},
            "Bad": {"Type": "Pass", "InputPath": "$.[", "End": true}
        }
    }));
    assert!(
        found.contains(&(
            Code::MissingTransitionTarget,
            "/States/Check/Choices/0/Next".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(Code::UnknownField, "/States/Done/Reslt".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&(Code::InvalidJsonPath, "/States/Bad/InputPath".into())),
        "{found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn a_valid_definition_parses_with_warnings_for_unreachable_states() {
    let text = json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Pass", "End": true}}
    })
    .to_string();
    let parsed = Definition::parse(&text, &ParseOptions::default()).expect("valid");
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].severity, Severity::Warning);
    assert_eq!(parsed.warnings[0].code, Code::UnreachableState);
    assert_eq!(parsed.warnings[0].pointer, "/States/Orphan");
}

#[test]
fn state_names_must_be_unique_across_branches() {
    let found = errors(json!({
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}
            ]}
        }
    }));
    assert_eq!(
        found,
        [(
            Code::DuplicateStateName,
            "/States/P/Branches/0/States/P".into()
        )]
    );
}

#[test]
fn transitions_cannot_leave_their_branch() {
    let found = errors(json!({
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Next": "After", "Branches": [
                {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "After"}}}
            ]},
            "After": {"Type": "Succeed"}
        }
    }));
    assert!(
        found.contains(&(
            Code::MissingTransitionTarget,
            "/States/P/Branches/0/States/In/Next".into()
        )),
        "{found:?}"
    );
}

#[test]
fn states_all_must_be_alone_and_last() {
    let found = errors(json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}],
                "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "T"}]
            }
        }
    }));
    assert_eq!(
        found,
        [
            (
                Code::InvalidErrorName,
                "/States/T/Retry/0/ErrorEquals/0".into()
            ),
            (
                Code::InvalidErrorName,
                "/States/T/Catch/0/ErrorEquals/0".into()
            ),
        ]
    );
}

#[test]
fn fields_of_the_other_query_language_are_named_as_such() {
    let found = diagnostics(json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": {}, "End": true}}
    }));
    assert_eq!(found[0].code, Code::QueryLanguageMismatch);
    assert_eq!(found[0].pointer, "/States/A/Output");
    assert!(found[0].message.contains("JSONata"), "{}", found[0].message);
}

#[test]
fn a_jsonata_machine_cannot_hold_jsonpath_states() {
    let found = errors(json!({
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}
    }));
    assert_eq!(
        found,
        [(
            Code::QueryLanguageMismatch,
            "/States/A/QueryLanguage".into()
        )]
    );
}

#[test]
fn express_machines_reject_callbacks_sync_and_activities() {
    let text = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", "End": true}
        }
    })
    .to_string();
    let express = ParseOptions {
        machine_type: MachineType::Express,
    };
    let found: Vec<String> = definition::validate(&text, &express)
        .into_iter()
        .map(|d| d.pointer)
        .collect();
    assert_eq!(
        found,
        [
            "/States/A/Resource",
            "/States/B/Resource",
            "/States/C/Resource"
        ]
    );
    assert!(definition::validate(&text, &ParseOptions::default()).is_empty());
}

#[test]
fn duplicate_json_keys_are_rejected() {
    let text = r#"{"StartAt": "A", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#;
    let found = definition::validate(text, &ParseOptions::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::InvalidJson);
    assert!(
        found[0].message.contains("duplicate key"),
        "{}",
        found[0].message
    );
}

#[test]
fn limits_on_names_and_definition_size_are_enforced() {
    let long = "x".repeat(81);
    let found = errors(json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}));
    assert_eq!(found, [(Code::InvalidName, format!("/States/{long}"))]);

    let padding = "y".repeat(1_048_577);
    let text = json!({"Comment": padding, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        .to_string();
    let found = definition::validate(&text, &ParseOptions::default());
    assert_eq!(found[0].code, Code::LimitExceeded);
}

#[test]
fn templates_report_every_bad_field() {
    let found = errors(json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"a.$": "not a path", "b": {"c.$": 3}}, "End": true}}
    }));
    let pointers: Vec<&str> = found.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        pointers,
        ["/States/A/Parameters/a.$", "/States/A/Parameters/b/c.$"]
    );
}

#[test]
fn wait_needs_exactly_one_duration_field() {
    let found = errors(json!({
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 1, "TimestampPath": "$.t", "End": true}}
    }));
    assert_eq!(
        found,
        [(Code::ConflictingFields, "/States/W/TimestampPath".into())]
    );
}
