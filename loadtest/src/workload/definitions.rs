//! The Amazon States Language documents of the built-in workloads, with the input each starts
//! with.

use serde_json::{Value, json};

/// Pass → Choice → Pass: no task and no timer, so a node can run it as one pure run and commit
/// it together with the start. Measures the write path itself.
pub fn pass3() -> Value {
    json!({
        "Comment": "cairn-loadtest pass3: Pass, Choice, Pass",
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Pass",
                "Result": {"prepared": true},
                "ResultPath": "$.prepared",
                "Next": "Decide"
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.value", "NumericGreaterThan": 5, "Next": "Large"}
                ],
                "Default": "Small"
            },
            "Large": {"Type": "Pass", "Result": "large", "ResultPath": "$.size", "End": true},
            "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": true}
        }
    })
}

pub fn pass3_input() -> Value {
    json!({"value": 7})
}

/// One Wait of 1 s: every execution arms a timer, so this measures the timer path and how many
/// executions the cluster holds open at once.
pub fn wait() -> Value {
    json!({
        "Comment": "cairn-loadtest wait: one 1 s Wait",
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": 1, "End": true}
        }
    })
}

/// Three activity tasks in a row on `activity_arn`: task dispatch, long polls and task-token
/// answers, each a committed transition.
pub fn activity3(activity_arn: &str) -> Value {
    let step = |next: Option<&str>| {
        let mut state = json!({
            "Type": "Task",
            "Resource": activity_arn,
            // A task whose worker vanished fails the execution instead of holding it forever.
            "TimeoutSeconds": 300
        });
        match next {
            Some(next) => state["Next"] = json!(next),
            None => state["End"] = json!(true),
        }
        state
    };
    json!({
        "Comment": "cairn-loadtest activity3: three activity tasks in sequence",
        "StartAt": "First",
        "States": {
            "First": step(Some("Second")),
            "Second": step(Some("Third")),
            "Third": step(None)
        }
    })
}

/// An inline Map over 100 items, each a Pass: one large pure run with a long history.
pub fn map100() -> Value {
    json!({
        "Comment": "cairn-loadtest map100: inline Map of 100 items",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Touch",
                    "States": {
                        "Touch": {"Type": "Pass", "End": true}
                    }
                },
                "End": true
            }
        }
    })
}

pub fn map100_input() -> Value {
    json!({"items": (0..100).collect::<Vec<u32>>()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity3_runs_three_tasks_on_the_activity() {
        let definition = activity3("arn:aws:states:us-east-1:123456789012:activity:a");
        let states = definition["States"].as_object().unwrap();
        assert_eq!(states.len(), 3);
        assert!(
            states
                .values()
                .all(|s| s["Resource"] == "arn:aws:states:us-east-1:123456789012:activity:a")
        );
        assert_eq!(states["Third"]["End"], true);
    }

    #[test]
    fn map100_input_has_a_hundred_items() {
        assert_eq!(map100_input()["items"].as_array().unwrap().len(), 100);
    }
}
