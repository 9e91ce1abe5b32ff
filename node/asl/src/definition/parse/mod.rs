//! Builds the [`model`](super::model) from JSON, collecting every problem instead of stopping
//! at the first. Each helper that reads a field reports its own diagnostics and returns `None`
//! when the field is unusable, so one mistake never hides another.

mod checks;
mod choice;
mod errors;
mod fields;
mod graph;
mod states;
mod values;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::diagnostic::{Code, Diagnostic, pointer_join};
use super::model::{Graph, GraphId, QueryLanguage, StateMachine};
use super::{Definition, ParseOptions, limits};

pub(super) fn parse_text(
    text: &str,
    options: &ParseOptions,
) -> Result<Definition, Vec<Diagnostic>> {
    let chars = text.chars().count();
    if chars > limits::DEFINITION_CHARS_MAX {
        return Err(vec![Diagnostic::error(
            Code::LimitExceeded,
            "",
            format!(
                "the definition is {chars} characters long; the limit is {} characters",
                limits::DEFINITION_CHARS_MAX
            ),
        )]);
    }
    match super::json::parse_strict(text) {
        Ok(value) => parse_value(&value, options),
        Err(e) => Err(vec![Diagnostic::error(
            Code::InvalidJson,
            "",
            format!("the definition must be a valid JSON object: {e}"),
        )]),
    }
}

pub(super) fn parse_value(
    value: &Value,
    options: &ParseOptions,
) -> Result<Definition, Vec<Diagnostic>> {
    let Some(object) = value.as_object() else {
        return Err(vec![Diagnostic::error(
            Code::InvalidJson,
            "",
            "the definition must be a JSON object with \"StartAt\" and \"States\"",
        )]);
    };
    let mut parser = Parser::new(options.clone());
    let machine = parser.machine(object);
    let diagnostics = parser.diagnostics;
    let (mut errors, warnings): (Vec<_>, Vec<_>) =
        diagnostics.into_iter().partition(Diagnostic::is_error);
    match machine {
        Some(machine) if errors.is_empty() => Ok(Definition { machine, warnings }),
        _ => {
            errors.extend(warnings);
            Err(errors)
        }
    }
}

/// The parser's working state.
pub(super) struct Parser {
    options: ParseOptions,
    /// The machine's `QueryLanguage`, the default of every state.
    machine_language: QueryLanguage,
    diagnostics: Vec<Diagnostic>,
    /// Graphs in creation order; a slot is reserved before its states are parsed.
    graphs: Vec<Option<Graph>>,
    /// State name → pointer of its first definition, across the whole machine.
    state_names: HashMap<String, String>,
    /// Every state name declared in each graph, including states that failed to parse.
    declared_states: HashMap<GraphId, HashSet<String>>,
}

/// A JSON object being read, with its pointer.
#[derive(Clone, Copy)]
pub(super) struct Fields<'v> {
    pub map: &'v Map<String, Value>,
    pub pointer: &'v str,
}

impl<'v> Fields<'v> {
    pub fn new(map: &'v Map<String, Value>, pointer: &'v str) -> Self {
        Fields { map, pointer }
    }

    pub fn get(&self, key: &str) -> Option<&'v Value> {
        self.map.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn at(&self, key: &str) -> String {
        pointer_join(self.pointer, key)
    }
}

impl Parser {
    fn new(options: ParseOptions) -> Self {
        Parser {
            options,
            machine_language: QueryLanguage::JsonPath,
            diagnostics: Vec::new(),
            graphs: Vec::new(),
            state_names: HashMap::new(),
            declared_states: HashMap::new(),
        }
    }

    fn machine(&mut self, object: &Map<String, Value>) -> Option<StateMachine> {
        let top = Fields::new(object, "");
        self.allow_fields(top, fields::MACHINE, "a state machine");
        self.machine_language = match self.query_language(top) {
            Some(language) => language,
            None => QueryLanguage::JsonPath,
        };
        let comment = self.optional_string(top, "Comment").map(str::to_owned);
        if let Some(version) = self.optional_string(top, "Version")
            && version != "1.0"
        {
            self.error(
                Code::InvalidValue,
                top.at("Version"),
                "\"Version\" must be \"1.0\"",
            );
        }
        let timeout_seconds = self.optional_integer(top, "TimeoutSeconds", 0, i64::from(u32::MAX));
        let root = self.graph(top, None);
        self.check_graphs();
        let graphs: Option<Vec<Graph>> = std::mem::take(&mut self.graphs).into_iter().collect();
        let graphs = graphs?;
        (root == Some(GraphId::ROOT)).then_some(StateMachine {
            comment,
            query_language: self.machine_language,
            timeout_seconds: timeout_seconds.map(|t| t as u64),
            graphs,
        })
    }

    // ---- reporting ------------------------------------------------------------------------

    pub(super) fn error(&mut self, code: Code, pointer: String, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, pointer, message));
    }

    pub(super) fn warning(&mut self, code: Code, pointer: String, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, pointer, message));
    }

    /// Reports every field of `object` that is not in `allowed`, explaining when the field
    /// belongs to the other query language.
    pub(super) fn allow_fields(&mut self, object: Fields<'_>, allowed: &[&str], what: &str) {
        for key in object.map.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            if let Some(language) = fields::language_of(key) {
                self.error(
                    Code::QueryLanguageMismatch,
                    object.at(key),
                    format!(
                        "\"{key}\" is a {language} field; set \"QueryLanguage\": \"{language}\" \
                         on this state or remove the field"
                    ),
                );
            } else {
                self.error(
                    Code::UnknownField,
                    object.at(key),
                    format!("\"{key}\" is not a field of {what}; remove it or check its spelling"),
                );
            }
        }
    }

    // ---- primitive readers ----------------------------------------------------------------

    pub(super) fn required<'v>(
        &mut self,
        object: Fields<'v>,
        key: &str,
        what: &str,
    ) -> Option<&'v Value> {
        let value = object.get(key);
        if value.is_none() {
            let pointer = object.pointer.to_owned();
            self.error(
                Code::MissingField,
                pointer,
                format!("{what} requires the field \"{key}\""),
            );
        }
        value
    }

    pub(super) fn optional_string<'v>(&mut self, object: Fields<'v>, key: &str) -> Option<&'v str> {
        let value = object.get(key)?;
        let text = value.as_str();
        if text.is_none() {
            self.error(
                Code::InvalidType,
                object.at(key),
                format!("\"{key}\" must be a string"),
            );
        }
        text
    }

    pub(super) fn required_string<'v>(
        &mut self,
        object: Fields<'v>,
        key: &str,
        what: &str,
    ) -> Option<&'v str> {
        self.required(object, key, what)?;
        self.optional_string(object, key)
    }

    pub(super) fn optional_bool(&mut self, object: Fields<'_>, key: &str) -> Option<bool> {
        let value = object.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.error(
                Code::InvalidType,
                object.at(key),
                format!("\"{key}\" must be true or false"),
            );
        }
        flag
    }

    /// An integer literal in `[min, max]`.
    pub(super) fn optional_integer(
        &mut self,
        object: Fields<'_>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let value = object.get(key)?;
        self.integer_value(value, object.at(key), key, min, max)
    }

    pub(super) fn integer_value(
        &mut self,
        value: &Value,
        pointer: String,
        key: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        match integer_of(value) {
            Some(n) if n >= min && n <= max => Some(n),
            Some(_) => {
                self.error(
                    Code::InvalidValue,
                    pointer,
                    format!("\"{key}\" must be between {min} and {max}"),
                );
                None
            }
            None => {
                self.error(
                    Code::InvalidType,
                    pointer,
                    format!("\"{key}\" must be an integer"),
                );
                None
            }
        }
    }

    /// A number literal in `[min, max]`.
    pub(super) fn optional_number(
        &mut self,
        object: Fields<'_>,
        key: &str,
        min: f64,
        max: f64,
    ) -> Option<f64> {
        let value = object.get(key)?;
        match value.as_f64() {
            Some(n) if n >= min && n <= max => Some(n),
            Some(_) => {
                self.error(
                    Code::InvalidValue,
                    object.at(key),
                    format!("\"{key}\" must be between {min} and {max}"),
                );
                None
            }
            None => {
                self.error(
                    Code::InvalidType,
                    object.at(key),
                    format!("\"{key}\" must be a number"),
                );
                None
            }
        }
    }

    pub(super) fn optional_object<'v>(
        &mut self,
        object: Fields<'v>,
        key: &str,
    ) -> Option<&'v Map<String, Value>> {
        let value = object.get(key)?;
        let map = value.as_object();
        if map.is_none() {
            self.error(
                Code::InvalidType,
                object.at(key),
                format!("\"{key}\" must be a JSON object"),
            );
        }
        map
    }

    /// `QueryLanguage` of a machine or state, if present and valid.
    pub(super) fn query_language(&mut self, object: Fields<'_>) -> Option<QueryLanguage> {
        let text = self.optional_string(object, "QueryLanguage")?;
        match text {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            other => {
                self.error(
                    Code::InvalidValue,
                    object.at("QueryLanguage"),
                    format!(
                        "\"QueryLanguage\" must be \"JSONPath\" or \"JSONata\", not \"{other}\""
                    ),
                );
                None
            }
        }
    }
}

/// The value as an integer, accepting integral floats such as `3.0`.
pub(super) fn integer_of(value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let f = value.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}
