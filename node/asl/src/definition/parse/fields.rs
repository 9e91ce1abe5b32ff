//! Which fields each object of a definition may have (reference §1.2 tables).

use crate::definition::model::QueryLanguage;

pub const MACHINE: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "Version",
    "TimeoutSeconds",
    "QueryLanguage",
];
pub const BRANCH: &[&str] = &["Comment", "StartAt", "States"];
pub const ITEM_PROCESSOR: &[&str] = &["Comment", "StartAt", "States", "ProcessorConfig"];
pub const PROCESSOR_CONFIG: &[&str] = &["Mode", "ExecutionType"];

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Fields that exist only in JSONPath states.
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
    "Variable",
];

/// Fields that exist only in JSONata states.
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

/// The query language a field belongs to exclusively, if any.
pub fn language_of(key: &str) -> Option<&'static str> {
    if JSONPATH_ONLY.contains(&key) || key.ends_with("Path") && is_choice_operator(key) {
        Some("JSONPath")
    } else if JSONATA_ONLY.contains(&key) {
        Some("JSONata")
    } else {
        None
    }
}

fn is_choice_operator(key: &str) -> bool {
    super::choice::OPERATORS
        .iter()
        .any(|(name, ..)| *name == key)
}

/// The fields a state of `type_name` may have in `language`, or `None` for an unknown type.
pub fn state_fields(type_name: &str, language: QueryLanguage) -> Option<Vec<&'static str>> {
    use QueryLanguage::{JsonPath, Jsonata};
    let specific: &[&str] = match (type_name, language) {
        ("Pass", JsonPath) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "Result",
            "ResultPath",
            "Assign",
        ],
        ("Pass", Jsonata) => &["Next", "End", "Output", "Assign"],
        ("Task", JsonPath) => &[
            "Resource",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Assign",
        ],
        ("Task", Jsonata) => &[
            "Resource",
            "Next",
            "End",
            "Arguments",
            "Output",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
            "Assign",
        ],
        ("Choice", JsonPath) => &["Choices", "Default", "InputPath", "OutputPath", "Assign"],
        ("Choice", Jsonata) => &["Choices", "Default", "Output", "Assign"],
        ("Wait", JsonPath) => &[
            "Next",
            "End",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "InputPath",
            "OutputPath",
            "Assign",
        ],
        ("Wait", Jsonata) => &["Next", "End", "Seconds", "Timestamp", "Output", "Assign"],
        ("Succeed", JsonPath) => &["InputPath", "OutputPath"],
        ("Succeed", Jsonata) => &["Output"],
        ("Fail", JsonPath) => &["Error", "Cause", "ErrorPath", "CausePath"],
        ("Fail", Jsonata) => &["Error", "Cause"],
        ("Parallel", JsonPath) => &[
            "Branches",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Parallel", Jsonata) => &[
            "Branches",
            "Next",
            "End",
            "Arguments",
            "Output",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Map", JsonPath) => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "Parameters",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Assign",
        ],
        ("Map", Jsonata) => &[
            "ItemProcessor",
            "Iterator",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailurePercentage",
            "ToleratedFailureCount",
            "Label",
            "Next",
            "End",
            "Output",
            "Retry",
            "Catch",
            "Assign",
        ],
        _ => return None,
    };
    Some(COMMON.iter().chain(specific).copied().collect())
}

pub const RETRIER: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

pub fn catcher(language: QueryLanguage) -> &'static [&'static str] {
    match language {
        QueryLanguage::JsonPath => &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
        QueryLanguage::Jsonata => &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
    }
}

pub const STATE_TYPES: &[&str] = &[
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];
