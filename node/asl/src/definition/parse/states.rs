//! The type-specific fields of Pass, Task, Wait, Fail, Parallel and Map states (Choice has
//! its own file).

use serde_json::Value;

use super::values::{IntegerField, jsonata_source};
use super::{Fields, Parser, fields};
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::limits;
use crate::definition::model::{
    Dynamic, Fail, GraphId, ItemSelector, MachineType, Map, Parallel, Pass, ProcessorMode,
    QueryLanguage, Task, Wait,
};
use crate::time::Timestamp;

/// Timeouts and heartbeats: positive, at most 99,999,999 seconds.
const TASK_SECONDS_MAX: i64 = 99_999_999;

impl Parser {
    pub(super) fn pass(&mut self, object: Fields<'_>) -> Pass {
        Pass {
            result: object.get("Result").cloned(),
        }
    }

    pub(super) fn task(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Task> {
        let resource = self.required_string(object, "Resource", "a Task state")?;
        self.check_resource(object, resource);
        let timeout_seconds = self.dynamic_integer(
            object,
            language,
            IntegerField {
                key: "TimeoutSeconds",
                path_key: Some("TimeoutSecondsPath"),
                min: 1,
                max: TASK_SECONDS_MAX,
            },
        );
        let heartbeat_seconds = self.dynamic_integer(
            object,
            language,
            IntegerField {
                key: "HeartbeatSeconds",
                path_key: Some("HeartbeatSecondsPath"),
                min: 1,
                max: TASK_SECONDS_MAX,
            },
        );
        if let (Some(Dynamic::Literal(t)), Some(Dynamic::Literal(h))) =
            (&timeout_seconds, &heartbeat_seconds)
            && h.as_i64() >= t.as_i64()
        {
            self.error(
                Code::InvalidValue,
                object.at("HeartbeatSeconds"),
                "\"HeartbeatSeconds\" must be smaller than \"TimeoutSeconds\"",
            );
        }
        let credentials = self.credentials(object, language);
        let retry = self.retriers(object);
        let catch = self.catchers(object, language);
        Some(Task {
            resource: resource.to_owned(),
            timeout_seconds,
            heartbeat_seconds,
            credentials,
            retry: retry?,
            catch: catch?,
        })
    }

    /// `Resource` is a URI; Lambda function ARNs may end in a version or alias qualifier,
    /// which must not be empty or contain anything but letters, digits, `-` and `_`
    /// (`$LATEST` aside).
    fn check_resource(&mut self, object: Fields<'_>, resource: &str) {
        if resource.trim().is_empty() {
            self.error(
                Code::InvalidValue,
                object.at("Resource"),
                "\"Resource\" must not be empty",
            );
            return;
        }
        // Deployment tools substitute `${name}` placeholders before a definition reaches the
        // service; an unterminated one is a typo that would never be replaced.
        if let Some(start) = resource.find("${")
            && !resource[start..].contains('}')
        {
            self.error(
                Code::InvalidValue,
                object.at("Resource"),
                format!("\"Resource\" has an unterminated ${{…}} placeholder: \"{resource}\""),
            );
            return;
        }
        let parts: Vec<&str> = resource.split(':').collect();
        if parts.len() >= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
            let qualifier = parts[7..].join(":");
            let valid = qualifier == "$LATEST"
                || (!qualifier.is_empty()
                    && qualifier
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            if !valid {
                self.error(
                    Code::InvalidValue,
                    object.at("Resource"),
                    format!(
                        "\"{qualifier}\" is not a valid Lambda version or alias; use a number, \
                         $LATEST, or letters, digits, '-' and '_'"
                    ),
                );
            }
        }
        if self.options.machine_type != MachineType::Express {
            return;
        }
        let unsupported = if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
            Some("'.sync' service integration")
        } else if resource.ends_with(".waitForTaskToken") {
            Some("'.waitForTaskToken' service integration")
        } else if resource.contains(":activity:") {
            Some("activities")
        } else {
            None
        };
        if let Some(what) = unsupported {
            self.error(
                Code::UnsupportedForExpress,
                object.at("Resource"),
                format!(
                    "Express state machine does not support {what}; use a STANDARD state machine"
                ),
            );
        }
    }

    fn credentials(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Value> {
        let map = self.optional_object(object, "Credentials")?;
        let pointer = object.at("Credentials");
        let has_role = match language {
            QueryLanguage::JsonPath => map.contains_key("RoleArn") || map.contains_key("RoleArn.$"),
            QueryLanguage::Jsonata => map.contains_key("RoleArn"),
        };
        if !has_role {
            self.error(
                Code::MissingField,
                pointer.clone(),
                "The field 'RoleArn' is required but was missing",
            );
        }
        let credentials = Fields::new(map, &pointer);
        let allowed: &[&str] = match language {
            QueryLanguage::JsonPath => &["RoleArn", "RoleArn.$"],
            QueryLanguage::Jsonata => &["RoleArn"],
        };
        self.allow_fields(credentials, allowed, "\"Credentials\"");
        let value = Value::Object(map.clone());
        if language == QueryLanguage::JsonPath {
            self.template_value(&value, pointer, "Credentials")?;
        }
        Some(value)
    }

    pub(super) fn wait(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Wait> {
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|k| object.has(k))
            .collect();
        match present.as_slice() {
            [] => {
                self.error(
                    Code::MissingField,
                    object.pointer.to_owned(),
                    "a Wait state needs exactly one of \"Seconds\", \"Timestamp\", \"SecondsPath\" \
                     or \"TimestampPath\"",
                );
                return None;
            }
            [_] => {}
            [_, second, ..] => {
                self.error(
                    Code::ConflictingFields,
                    object.at(second),
                    format!("a Wait state takes exactly one of {}", present.join(", ")),
                );
                return None;
            }
        }
        let field = IntegerField {
            key: "Seconds",
            path_key: Some("SecondsPath"),
            min: 0,
            max: TASK_SECONDS_MAX,
        };
        if object.has("Seconds") || object.has("SecondsPath") {
            return self
                .dynamic_integer(object, language, field)
                .map(Wait::Seconds);
        }
        if object.has("TimestampPath") {
            return self
                .reference_path(object, "TimestampPath")
                .map(|p| Wait::Timestamp(Dynamic::Path(p)));
        }
        let value = object
            .get("Timestamp")
            .expect("one of the four fields is present");
        let text = self.optional_string(object, "Timestamp")?;
        if language == QueryLanguage::Jsonata && jsonata_source(text).is_some() {
            return self
                .jsonata_value(value, &object.at("Timestamp"))
                .map(|v| Wait::Timestamp(Dynamic::Jsonata(v)));
        }
        if Timestamp::parse_rfc3339(text).is_none() {
            self.error(
                Code::InvalidValue,
                object.at("Timestamp"),
                format!("\"Timestamp\" must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z, not \"{text}\""),
            );
            return None;
        }
        Some(Wait::Timestamp(Dynamic::Literal(value.clone())))
    }

    pub(super) fn fail(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Fail> {
        let error = self.dynamic_string(object, language, "Error", "ErrorPath");
        let cause = self.dynamic_string(object, language, "Cause", "CausePath");
        let broken = (object.has("Error") || object.has("ErrorPath")) && error.is_none()
            || (object.has("Cause") || object.has("CausePath")) && cause.is_none();
        (!broken).then_some(Fail { error, cause })
    }

    pub(super) fn parallel(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
        graph: GraphId,
    ) -> Option<Parallel> {
        let value = self.required(object, "Branches", "a Parallel state")?;
        let Some(items) = value.as_array() else {
            self.error(
                Code::InvalidType,
                object.at("Branches"),
                "\"Branches\" must be an array of branches",
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                Code::InvalidValue,
                object.at("Branches"),
                "\"Branches\" needs at least one branch",
            );
            return None;
        }
        let mut branches = Vec::with_capacity(items.len());
        let mut complete = true;
        let branches_pointer = object.at("Branches");
        for (i, item) in items.iter().enumerate() {
            let pointer = pointer_join(&branches_pointer, &i.to_string());
            let Some(map) = item.as_object() else {
                self.error(
                    Code::InvalidType,
                    pointer,
                    "a branch must be an object with \"StartAt\" and \"States\"",
                );
                complete = false;
                continue;
            };
            let branch = Fields::new(map, &pointer);
            self.allow_fields(branch, fields::BRANCH, "a Parallel branch");
            match self.graph(branch, Some(graph)) {
                Some(id) => branches.push(id),
                None => complete = false,
            }
        }
        let retry = self.retriers(object);
        let catch = self.catchers(object, language);
        if !complete {
            return None;
        }
        Some(Parallel {
            branches,
            retry: retry?,
            catch: catch?,
        })
    }

    pub(super) fn map(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
        graph: GraphId,
    ) -> Option<Map> {
        let processor_key = match (object.has("ItemProcessor"), object.has("Iterator")) {
            (true, true) => {
                self.error(
                    Code::ConflictingFields,
                    object.at("Iterator"),
                    "use \"ItemProcessor\" (or the older \"Iterator\"), not both",
                );
                return None;
            }
            (true, false) => "ItemProcessor",
            (false, true) => "Iterator",
            (false, false) => {
                self.error(
                    Code::MissingField,
                    object.pointer.to_owned(),
                    "a Map state requires the field \"ItemProcessor\"",
                );
                return None;
            }
        };
        let processor_map = self.optional_object(object, processor_key)?;
        let processor_pointer = object.at(processor_key);
        let processor_fields = Fields::new(processor_map, &processor_pointer);
        self.allow_fields(
            processor_fields,
            fields::ITEM_PROCESSOR,
            "an item processor",
        );
        let (mode, execution_type) = self.processor_config(processor_fields)?;
        let processor = self.graph(processor_fields, Some(graph));

        // ItemReader, ItemBatcher, ResultWriter and Label are Distributed Map features, but
        // definitions without a ProcessorConfig that use them are accepted (as the linters do)
        // and run as a Distributed Map would.
        self.check_item_reader(object);
        self.check_item_batcher(object);
        let label = self.label(object);
        let items = match language {
            QueryLanguage::JsonPath if object.has("ItemsPath") => {
                Some(Dynamic::Path(self.reference_path(object, "ItemsPath")?))
            }
            QueryLanguage::Jsonata if object.has("Items") => {
                let value = object.get("Items").expect("checked");
                if !(value.is_array() || value.as_str().and_then(jsonata_source).is_some()) {
                    self.error(
                        Code::InvalidType,
                        object.at("Items"),
                        "\"Items\" must be an array or a JSONata expression in {% … %}",
                    );
                    return None;
                }
                Some(Dynamic::Jsonata(self.jsonata_field(object, "Items")?))
            }
            _ => None,
        };
        let item_selector = self.item_selector(object, language)?;
        let max_concurrency = self.dynamic_integer(
            object,
            language,
            IntegerField {
                key: "MaxConcurrency",
                path_key: Some("MaxConcurrencyPath"),
                min: 0,
                max: i64::from(u32::MAX),
            },
        );
        let tolerated_failure_count = self.dynamic_integer(
            object,
            language,
            IntegerField {
                key: "ToleratedFailureCount",
                path_key: Some("ToleratedFailureCountPath"),
                min: 0,
                max: i64::from(u32::MAX),
            },
        );
        let tolerated_failure_percentage = self.dynamic_number(
            object,
            language,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            (0.0, 100.0),
        );
        let item_reader = self
            .optional_object(object, "ItemReader")
            .map(|m| Value::Object(m.clone()));
        let item_batcher = self
            .optional_object(object, "ItemBatcher")
            .map(|m| Value::Object(m.clone()));
        let result_writer = self
            .optional_object(object, "ResultWriter")
            .map(|m| Value::Object(m.clone()));
        let retry = self.retriers(object);
        let catch = self.catchers(object, language);
        Some(Map {
            processor: processor?,
            mode,
            execution_type,
            items,
            item_selector,
            max_concurrency,
            tolerated_failure_count,
            tolerated_failure_percentage,
            label,
            item_reader,
            item_batcher,
            result_writer,
            retry: retry?,
            catch: catch?,
        })
    }

    /// `ItemReader.ReaderConfig`: `MaxItems` or `MaxItemsPath`, not both.
    fn check_item_reader(&mut self, object: Fields<'_>) {
        let Some(reader) = self.optional_object(object, "ItemReader") else {
            return;
        };
        let pointer = object.at("ItemReader");
        let reader = Fields::new(reader, &pointer);
        if self
            .required_string(reader, "Resource", "an ItemReader")
            .is_none()
        {
            return;
        }
        if let Some(config) = self.optional_object(reader, "ReaderConfig") {
            let config_pointer = reader.at("ReaderConfig");
            let config = Fields::new(config, &config_pointer);
            if config.has("MaxItems") && config.has("MaxItemsPath") {
                self.error(
                    Code::ConflictingFields,
                    config.at("MaxItemsPath"),
                    "use either \"MaxItems\" or \"MaxItemsPath\", not both",
                );
            }
        }
    }

    /// `ItemBatcher`: each size limit as a value or a path, not both.
    fn check_item_batcher(&mut self, object: Fields<'_>) {
        let Some(batcher) = self.optional_object(object, "ItemBatcher") else {
            return;
        };
        let pointer = object.at("ItemBatcher");
        let batcher = Fields::new(batcher, &pointer);
        for key in ["MaxItemsPerBatch", "MaxInputBytesPerBatch"] {
            let path_key = format!("{key}Path");
            if batcher.has(key) && batcher.has(&path_key) {
                self.error(
                    Code::ConflictingFields,
                    batcher.at(&path_key),
                    format!("use either \"{key}\" or \"{path_key}\", not both"),
                );
            }
        }
    }

    fn processor_config(
        &mut self,
        processor: Fields<'_>,
    ) -> Option<(ProcessorMode, Option<MachineType>)> {
        let Some(config) = self.optional_object(processor, "ProcessorConfig") else {
            return Some((ProcessorMode::Inline, None));
        };
        let pointer = processor.at("ProcessorConfig");
        let config = Fields::new(config, &pointer);
        self.allow_fields(config, fields::PROCESSOR_CONFIG, "\"ProcessorConfig\"");
        let mode = match self.optional_string(config, "Mode") {
            None | Some("INLINE") => ProcessorMode::Inline,
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            Some(other) => {
                self.error(
                    Code::InvalidValue,
                    config.at("Mode"),
                    format!("\"Mode\" must be \"INLINE\" or \"DISTRIBUTED\", not \"{other}\""),
                );
                return None;
            }
        };
        let execution_type = match self.optional_string(config, "ExecutionType") {
            None => None,
            Some(text) => {
                match MachineType::parse(text) {
                    Some(t) => Some(t),
                    None => {
                        self.error(
                        Code::InvalidValue,
                        config.at("ExecutionType"),
                        format!("\"ExecutionType\" must be \"STANDARD\" or \"EXPRESS\", not \"{text}\""),
                    );
                        return None;
                    }
                }
            }
        };
        if mode == ProcessorMode::Inline && execution_type.is_some() {
            self.error(
                Code::InvalidValue,
                config.at("ExecutionType"),
                "\"ExecutionType\" is only allowed when \"Mode\" is \"DISTRIBUTED\"",
            );
        }
        Some((mode, execution_type))
    }

    fn label(&mut self, object: Fields<'_>) -> Option<String> {
        let label = self.optional_string(object, "Label")?;
        if label.is_empty() {
            self.error(
                Code::InvalidName,
                object.at("Label"),
                "Label cannot be empty",
            );
            return None;
        }
        if label.chars().count() > limits::LABEL_CHARS_MAX {
            self.error(
                Code::InvalidName,
                object.at("Label"),
                format!("a Label has at most {} characters", limits::LABEL_CHARS_MAX),
            );
            return None;
        }
        if let Some(bad) = label.chars().find(|c| is_forbidden_in_label(*c)) {
            self.error(
                Code::InvalidName,
                object.at("Label"),
                format!("Label contains invalid character: {}", describe_char(bad)),
            );
            return None;
        }
        Some(label.to_owned())
    }

    fn item_selector(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
    ) -> Option<Option<ItemSelector>> {
        let key = match (object.has("ItemSelector"), object.has("Parameters")) {
            (true, true) => {
                self.error(
                    Code::ConflictingFields,
                    object.at("Parameters"),
                    "use \"ItemSelector\" (or the older \"Parameters\"), not both",
                );
                return None;
            }
            (true, false) => "ItemSelector",
            (false, true) => "Parameters",
            (false, false) => return Some(None),
        };
        Some(Some(match language {
            QueryLanguage::JsonPath => ItemSelector::JsonPath(self.template(object, key)?),
            QueryLanguage::Jsonata => ItemSelector::Jsonata(self.jsonata_field(object, key)?),
        }))
    }
}

/// Characters a Distributed Map label may not contain (reference §1.10).
fn is_forbidden_in_label(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || "?*<>{}[]:;,\\|^~$#%&`\"".contains(c)
        || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// `'^'`, or an escape such as `'\x01'` for invisible characters.
fn describe_char(c: char) -> String {
    match c {
        '\t' => "'\\t'".into(),
        '\r' => "'\\r'".into(),
        '\n' => "'\\n'".into(),
        c if c.is_control() || ('\u{7f}'..='\u{9f}').contains(&c) => {
            format!("'\\x{:02x}'", c as u32)
        }
        c => format!("'{c}'"),
    }
}
