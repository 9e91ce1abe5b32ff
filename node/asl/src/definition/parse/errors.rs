//! `Retry` and `Catch` (reference §5.2, §5.3).

use serde_json::Value;

use super::{Fields, Parser, fields};
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::model::{Catcher, JitterStrategy, PathField, QueryLanguage, Retrier};
use crate::error::names;

impl Parser {
    pub(super) fn retriers(&mut self, object: Fields<'_>) -> Option<Vec<Retrier>> {
        let Some(items) = self.error_handler_list(object, "Retry") else {
            return Some(Vec::new());
        };
        let pointer = object.at("Retry");
        let mut retriers = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_pointer = pointer_join(&pointer, &i.to_string());
            let Some(map) = item.as_object() else {
                self.error(
                    Code::InvalidType,
                    item_pointer,
                    "a retrier must be a JSON object",
                );
                complete = false;
                continue;
            };
            let retrier = Fields::new(map, &item_pointer);
            self.allow_fields(retrier, fields::RETRIER, "a retrier");
            let error_equals = self.error_equals(retrier, i + 1 == items.len());
            let interval_seconds = self.optional_integer(retrier, "IntervalSeconds", 1, 99_999_999);
            let max_attempts = self.optional_integer(retrier, "MaxAttempts", 0, 99_999_999);
            let backoff_rate = self.optional_number(retrier, "BackoffRate", 1.0, f64::MAX);
            let max_delay_seconds =
                self.optional_integer(retrier, "MaxDelaySeconds", 1, 31_622_400);
            let jitter_strategy = match self.optional_string(retrier, "JitterStrategy") {
                None | Some("NONE") => JitterStrategy::None,
                Some("FULL") => JitterStrategy::Full,
                Some(other) => {
                    self.error(
                        Code::InvalidValue,
                        retrier.at("JitterStrategy"),
                        format!("\"JitterStrategy\" must be \"FULL\" or \"NONE\", not \"{other}\""),
                    );
                    JitterStrategy::None
                }
            };
            let numbers_ok = [
                ("IntervalSeconds", interval_seconds.is_some()),
                ("MaxAttempts", max_attempts.is_some()),
                ("BackoffRate", backoff_rate.is_some()),
                ("MaxDelaySeconds", max_delay_seconds.is_some()),
            ]
            .iter()
            .all(|(key, ok)| *ok || !retrier.has(key));
            match error_equals {
                Some(error_equals) if numbers_ok => retriers.push(Retrier {
                    error_equals,
                    interval_seconds: interval_seconds
                        .map_or(Retrier::DEFAULT_INTERVAL_SECONDS, |n| n as u64),
                    max_attempts: max_attempts.map_or(Retrier::DEFAULT_MAX_ATTEMPTS, |n| n as u64),
                    backoff_rate: backoff_rate.unwrap_or(Retrier::DEFAULT_BACKOFF_RATE),
                    max_delay_seconds: max_delay_seconds.map(|n| n as u64),
                    jitter_strategy,
                }),
                _ => complete = false,
            }
        }
        complete.then_some(retriers)
    }

    pub(super) fn catchers(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
    ) -> Option<Vec<Catcher>> {
        let Some(items) = self.error_handler_list(object, "Catch") else {
            return Some(Vec::new());
        };
        let pointer = object.at("Catch");
        let mut catchers = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_pointer = pointer_join(&pointer, &i.to_string());
            let Some(map) = item.as_object() else {
                self.error(
                    Code::InvalidType,
                    item_pointer,
                    "a catcher must be a JSON object",
                );
                complete = false;
                continue;
            };
            let catcher = Fields::new(map, &item_pointer);
            self.allow_fields(catcher, fields::catcher(language), "a catcher");
            let error_equals = self.error_equals(catcher, i + 1 == items.len());
            let next = self
                .required_string(catcher, "Next", "a catcher")
                .map(str::to_owned);
            let result_path = match language {
                QueryLanguage::JsonPath => self.result_path_field(catcher, "ResultPath"),
                QueryLanguage::Jsonata => PathField::Default,
            };
            let output = match (language, catcher.has("Output")) {
                (QueryLanguage::Jsonata, true) => match self.jsonata_field(catcher, "Output") {
                    Some(v) => Some(v),
                    None => {
                        complete = false;
                        None
                    }
                },
                _ => None,
            };
            let assign = if catcher.has("Assign") {
                self.assign(catcher, language)
            } else {
                None
            };
            match (error_equals, next) {
                (Some(error_equals), Some(next)) => catchers.push(Catcher {
                    error_equals,
                    next,
                    result_path,
                    output,
                    assign,
                }),
                _ => complete = false,
            }
        }
        complete.then_some(catchers)
    }

    fn error_handler_list<'v>(&mut self, object: Fields<'v>, key: &str) -> Option<&'v Vec<Value>> {
        let value = object.get(key)?;
        let list = value.as_array();
        if list.is_none() {
            self.error(
                Code::InvalidType,
                object.at(key),
                format!("\"{key}\" must be an array"),
            );
        }
        list
    }

    /// `ErrorEquals`: a non-empty array of error names; `States.ALL` alone and only in the
    /// last retrier or catcher; names starting with `States.` must be predefined.
    fn error_equals(&mut self, handler: Fields<'_>, is_last: bool) -> Option<Vec<String>> {
        let value = self.required(handler, "ErrorEquals", "a retrier or catcher")?;
        let pointer = handler.at("ErrorEquals");
        let Some(items) = value.as_array().filter(|a| !a.is_empty()) else {
            self.error(
                Code::InvalidType,
                pointer,
                "\"ErrorEquals\" must be a non-empty array of error names",
            );
            return None;
        };
        let mut names_out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_pointer = pointer_join(&pointer, &i.to_string());
            let Some(name) = item.as_str() else {
                self.error(
                    Code::InvalidType,
                    item_pointer,
                    "error names must be strings",
                );
                ok = false;
                continue;
            };
            if name.starts_with("States.")
                && !names::PREDEFINED.contains(&name)
                && !name.starts_with("States.Http.StatusCode.")
            {
                self.error(
                    Code::InvalidErrorName,
                    item_pointer.clone(),
                    format!("\"{name}\" is not a predefined error; names starting with \"States.\" are reserved"),
                );
                ok = false;
            }
            if name == names::ALL && (items.len() > 1 || !is_last) {
                self.error(
                    Code::InvalidErrorName,
                    item_pointer,
                    "\"States.ALL\" must appear alone in \"ErrorEquals\" and only in the last retrier or catcher",
                );
                ok = false;
            }
            names_out.push(name.to_owned());
        }
        ok.then_some(names_out)
    }
}
