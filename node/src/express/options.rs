//! `[express]`: how this node runs Express executions.

use serde::Deserialize;

/// AWS's hard limit on an Express execution's duration, in seconds.
pub const DURATION_SECONDS_MAX: u64 = 300;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ExpressOptions {
    /// Most Express executions running at once on this node, synchronous and asynchronous
    /// together; a start beyond it is refused with `ThrottlingException`. Default 10000.
    pub running_max: usize,
    /// Longest an Express execution may run, in seconds, whatever its `TimeoutSeconds`; it
    /// then ends TIMED_OUT with `States.Timeout`. 1 to 300. Default 300 (AWS's limit).
    pub duration_seconds_max: u64,
    /// Which history events are written to the log (target `cairn::express`), as AWS's
    /// logging levels: `ALL`, `ERROR` (failed, timed-out and aborted events), `FATAL` (only
    /// an execution that failed, timed out or was aborted) or `OFF`. Default `ERROR`.
    pub log_level: LogLevel,
}

impl Default for ExpressOptions {
    fn default() -> Self {
        ExpressOptions {
            running_max: 10_000,
            duration_seconds_max: DURATION_SECONDS_MAX,
            log_level: LogLevel::Error,
        }
    }
}

impl ExpressOptions {
    /// The field at fault and why, when the options cannot work.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.running_max == 0 {
            return Some(("express.running-max", "must be at least 1".into()));
        }
        if !(1..=DURATION_SECONDS_MAX).contains(&self.duration_seconds_max) {
            return Some((
                "express.duration-seconds-max",
                format!(
                    "must be between 1 and {DURATION_SECONDS_MAX}, not {}",
                    self.duration_seconds_max
                ),
            ));
        }
        None
    }
}

/// Which history events of an Express execution reach the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum LogLevel {
    #[serde(rename = "ALL", alias = "all")]
    All,
    #[default]
    #[serde(rename = "ERROR", alias = "error")]
    Error,
    #[serde(rename = "FATAL", alias = "fatal")]
    Fatal,
    #[serde(rename = "OFF", alias = "off")]
    Off,
}

impl LogLevel {
    /// Whether an event of `event_type` is logged at this level.
    pub fn includes(self, event_type: &str) -> bool {
        match self {
            LogLevel::All => true,
            LogLevel::Error => is_error_event(event_type),
            LogLevel::Fatal => is_fatal_event(event_type),
            LogLevel::Off => false,
        }
    }
}

/// The events that end an execution unsuccessfully.
fn is_fatal_event(event_type: &str) -> bool {
    matches!(
        event_type,
        "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted"
    )
}

/// Every event that reports something going wrong: a failure, a timeout or an abort, of a
/// task, a state, a branch, an iteration or the execution.
fn is_error_event(event_type: &str) -> bool {
    ["Failed", "TimedOut", "Aborted"]
        .iter()
        .any(|suffix| event_type.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_select_events_as_aws_logging_does() {
        for (level, logged) in [
            (LogLevel::All, [true, true, true, true]),
            (LogLevel::Error, [false, true, true, true]),
            (LogLevel::Fatal, [false, false, true, true]),
            (LogLevel::Off, [false, false, false, false]),
        ] {
            let events = [
                "PassStateEntered",
                "TaskFailed",
                "ExecutionFailed",
                "ExecutionTimedOut",
            ];
            for (event, expected) in events.iter().zip(logged) {
                assert_eq!(level.includes(event), expected, "{level:?} {event}");
            }
        }
    }

    #[test]
    fn options_parse_with_aws_level_names_and_check_ranges() {
        let options: ExpressOptions =
            toml::from_str("running-max = 5\nlog-level = \"ALL\"").expect("valid");
        assert_eq!(options.running_max, 5);
        assert_eq!(options.log_level, LogLevel::All);
        assert_eq!(options.duration_seconds_max, 300);
        assert!(options.problem().is_none());
        assert!(toml::from_str::<ExpressOptions>("log-level = \"LOUD\"").is_err());
        let too_long = ExpressOptions {
            duration_seconds_max: 301,
            ..ExpressOptions::default()
        };
        assert_eq!(
            too_long.problem().map(|p| p.0),
            Some("express.duration-seconds-max")
        );
    }

    #[test]
    fn node_config_files_carry_an_express_section() {
        let mut node: crate::config::NodeOptions =
            toml::from_str("[express]\nlog-level = \"OFF\"\nduration-seconds-max = 2")
                .expect("valid");
        assert_eq!(node.express.log_level, LogLevel::Off);
        node.validate().expect("valid");
        node.express.running_max = 0;
        let error = node.validate().expect_err("zero slots cannot run anything");
        assert!(error.to_string().contains("express.running-max"), "{error}");
    }
}
