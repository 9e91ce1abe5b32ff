//! Responses as the AWS CLI prints them: the Step Functions API's member names
//! (`stateMachineArn`, `startDate`, `nextToken`, …), payloads as JSON text, and timestamps as
//! ISO-8601 strings in UTC (`2024-05-06T12:59:34.123000+00:00`). Members a response lacks are
//! left out, as the AWS CLI leaves them out.
//!
//! Tools and scripts written against `aws stepfunctions … --output json` read this output.

mod activities;
mod cluster;
mod executions;
mod state_machines;

use cairn_proto::v1::{ExecutionStatus, StateMachineType, Timestamp};
use serde_json::{Map, Value};

pub use executions::event_details;

/// A response rendered with the AWS API's member names.
pub trait ToAwsJson {
    fn to_aws_json(&self) -> Value;
}

/// `epoch_millis` as the AWS CLI prints a timestamp: Python's `isoformat()` in UTC, with
/// microseconds only when the instant has a fraction of a second.
pub fn iso8601(epoch_millis: i64) -> String {
    let Ok(instant) = jiff::Timestamp::from_millisecond(epoch_millis) else {
        // Out of the calendar's range: still say something true.
        return format!("{epoch_millis}ms since the Unix epoch");
    };
    let civil = jiff::tz::Offset::UTC.to_datetime(instant);
    let seconds = civil.strftime("%Y-%m-%dT%H:%M:%S");
    match civil.subsec_nanosecond() / 1_000 {
        0 => format!("{seconds}+00:00"),
        micros => format!("{seconds}.{micros:06}+00:00"),
    }
}

/// Builds a JSON object member by member, leaving out what is absent.
#[derive(Debug, Default)]
struct Object(Map<String, Value>);

impl Object {
    fn new() -> Object {
        Object::default()
    }

    fn value(mut self, key: &str, value: impl Into<Value>) -> Object {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    fn text(self, key: &str, text: &str) -> Object {
        self.value(key, text)
    }

    /// `text`, unless it is empty (proto3 cannot tell "empty" from "absent").
    fn text_if_any(self, key: &str, text: &str) -> Object {
        if text.is_empty() {
            self
        } else {
            self.text(key, text)
        }
    }

    fn optional_text(self, key: &str, text: Option<&str>) -> Object {
        match text {
            Some(text) => self.text(key, text),
            None => self,
        }
    }

    fn date(self, key: &str, timestamp: Option<&Timestamp>) -> Object {
        match timestamp {
            Some(t) => self.text(key, &iso8601(t.epoch_millis)),
            None => self,
        }
    }

    fn machine_type(self, key: &str, machine_type: StateMachineType) -> Object {
        match machine_type {
            StateMachineType::Unspecified => self,
            known => self.text(key, known.as_str_name()),
        }
    }

    fn status(self, key: &str, status: ExecutionStatus) -> Object {
        match status {
            ExecutionStatus::Unspecified => self,
            known => self.text(key, known.as_str_name()),
        }
    }

    fn list<T: ToAwsJson>(self, key: &str, items: &[T]) -> Object {
        self.value(
            key,
            items.iter().map(ToAwsJson::to_aws_json).collect::<Vec<_>>(),
        )
    }

    fn merge(mut self, members: Map<String, Value>) -> Object {
        self.0.extend(members);
        self
    }

    fn build(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_the_aws_cli_prints_them() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(
            iso8601(1_714_999_174_123),
            "2024-05-06T12:39:34.123000+00:00"
        );
    }
}
