//! Readers for the dynamic parts of a definition: paths, payload templates, JSONata values,
//! `X`/`XPath` pairs and `Assign`.

use serde_json::Value;

use super::{Fields, Parser};
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::limits;
use crate::definition::model::{Assign, Dynamic, JsonataValue, PathField, QueryLanguage};
use crate::intrinsic::Intrinsic;
use crate::jsonata::Expression;
use crate::path::Path;
use crate::template::Template;

/// The inner text of a `{% … %}` string, if `text` is one.
pub fn jsonata_source(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}")
}

/// Bounds for an integer `X`/`XPath` pair.
#[derive(Clone, Copy)]
pub struct IntegerField<'a> {
    pub key: &'a str,
    pub path_key: Option<&'a str>,
    pub min: i64,
    pub max: i64,
}

impl Parser {
    /// `InputPath` / `OutputPath`: absent, `null`, or a Path.
    pub(super) fn path_field(&mut self, object: Fields<'_>, key: &str) -> PathField {
        match object.get(key) {
            None => PathField::Default,
            Some(Value::Null) => PathField::Null,
            Some(Value::String(text)) => match Path::parse(text) {
                Ok(path) => PathField::Path(path),
                Err(e) => {
                    self.error(
                        Code::InvalidJsonPath,
                        object.at(key),
                        format!("\"{key}\" is not a valid JSONPath ({e}): {text}"),
                    );
                    PathField::Default
                }
            },
            Some(_) => {
                self.error(
                    Code::InvalidType,
                    object.at(key),
                    format!("\"{key}\" must be a JSONPath string or null"),
                );
                PathField::Default
            }
        }
    }

    /// `ResultPath`: absent, `null`, or a reference path into the state input (not `$$`, not a
    /// variable).
    pub(super) fn result_path_field(&mut self, object: Fields<'_>, key: &str) -> PathField {
        match object.get(key) {
            None => PathField::Default,
            Some(Value::Null) => PathField::Null,
            Some(Value::String(_)) => match self.reference_path(object, key) {
                Some(path) if *path.root() == crate::path::Root::Input => PathField::Path(path),
                Some(_) => {
                    self.error(
                        Code::InvalidJsonPath,
                        object.at(key),
                        format!(
                            "\"{key}\" must start with \"$\" and point into the state input; it \
                             cannot write to the context object or a variable (use \"Assign\")"
                        ),
                    );
                    PathField::Default
                }
                None => PathField::Default,
            },
            Some(_) => {
                self.error(
                    Code::InvalidType,
                    object.at(key),
                    format!("\"{key}\" must be a reference path string or null"),
                );
                PathField::Default
            }
        }
    }

    /// A string field holding a reference path (`SecondsPath`, `ItemsPath`, …).
    pub(super) fn reference_path(&mut self, object: Fields<'_>, key: &str) -> Option<Path> {
        let text = self.optional_string(object, key)?;
        match Path::parse_reference(text) {
            Ok(path) => Some(path),
            Err(e) => {
                self.error(
                    Code::InvalidJsonPath,
                    object.at(key),
                    format!("\"{key}\" must be a reference path to a single value ({e}): {text}"),
                );
                None
            }
        }
    }

    /// A payload template field (`Parameters`, `ResultSelector`, `ItemSelector`).
    pub(super) fn template(&mut self, object: Fields<'_>, key: &str) -> Option<Template> {
        let value = object.get(key)?;
        self.template_value(value, object.at(key), key)
    }

    /// Any JSON value works as a template (AWS and the linters accept arrays and literals in
    /// `Parameters`); only `.$` fields are evaluated.
    pub(super) fn template_value(
        &mut self,
        value: &Value,
        pointer: String,
        _key: &str,
    ) -> Option<Template> {
        match Template::compile(value) {
            Ok(template) => Some(template),
            Err(problems) => {
                for problem in problems {
                    let code = if problem.message.contains("intrinsic") {
                        Code::InvalidIntrinsic
                    } else {
                        Code::InvalidJsonPath
                    };
                    self.error(
                        code,
                        format!("{pointer}{}", problem.pointer),
                        problem.message,
                    );
                }
                None
            }
        }
    }

    /// Any JSON value of a JSONata state, with `{% … %}` strings at any depth compiled.
    pub(super) fn jsonata_value(&mut self, value: &Value, pointer: &str) -> Option<JsonataValue> {
        if let Some(text) = unterminated_jsonata(value) {
            self.error(
                Code::InvalidJsonata,
                pointer.to_owned(),
                format!(
                    "{text:?} opens a JSONata expression with {{% but does not close it with %}}"
                ),
            );
            return None;
        }
        if !contains_jsonata(value) {
            return Some(JsonataValue::Literal(value.clone()));
        }
        match value {
            Value::String(text) => {
                let source = jsonata_source(text).expect("contains_jsonata checked the delimiters");
                match Expression::parse(source) {
                    Ok(expression) => Some(JsonataValue::Expression(Box::new(expression))),
                    Err(e) => {
                        self.error(
                            Code::InvalidJsonata,
                            pointer.to_owned(),
                            format!("the JSONata expression {text:?} does not parse: {e}"),
                        );
                        None
                    }
                }
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.jsonata_value(item, &pointer_join(pointer, &i.to_string())) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(JsonataValue::Array(out))
            }
            Value::Object(map) => {
                let mut out = Vec::with_capacity(map.len());
                let mut ok = true;
                for (key, item) in map {
                    match self.jsonata_value(item, &pointer_join(pointer, key)) {
                        Some(v) => out.push((key.clone(), v)),
                        None => ok = false,
                    }
                }
                ok.then_some(JsonataValue::Object(out))
            }
            _ => Some(JsonataValue::Literal(value.clone())),
        }
    }

    pub(super) fn jsonata_field(&mut self, object: Fields<'_>, key: &str) -> Option<JsonataValue> {
        let value = object.get(key)?;
        self.jsonata_value(value, &object.at(key))
    }

    /// An integer `X` (or its `XPath` in JSONPath states, or a JSONata string in JSONata
    /// states).
    pub(super) fn dynamic_integer(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
        field: IntegerField<'_>,
    ) -> Option<Dynamic> {
        let literal = object.get(field.key);
        let path = field.path_key.filter(|k| object.has(k));
        if let (Some(_), Some(path_key)) = (literal, path) {
            self.error(
                Code::ConflictingFields,
                object.at(path_key),
                format!("use either \"{}\" or \"{path_key}\", not both", field.key),
            );
            return None;
        }
        if let Some(path_key) = path {
            return self.reference_path(object, path_key).map(Dynamic::Path);
        }
        let value = literal?;
        if language == QueryLanguage::Jsonata
            && let Some(text) = value.as_str()
        {
            if jsonata_source(text).is_some() {
                return self
                    .jsonata_value(value, &object.at(field.key))
                    .map(Dynamic::Jsonata);
            }
            self.error(
                Code::InvalidType,
                object.at(field.key),
                format!(
                    "\"{}\" must be an integer or a JSONata expression in {{% … %}}",
                    field.key
                ),
            );
            return None;
        }
        self.integer_value(value, object.at(field.key), field.key, field.min, field.max)
            .map(|n| Dynamic::Literal(Value::from(n)))
    }

    /// A number `X` (`ToleratedFailurePercentage`) with its path and JSONata forms.
    pub(super) fn dynamic_number(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
        key: &str,
        path_key: &str,
        range: (f64, f64),
    ) -> Option<Dynamic> {
        if object.has(key) && object.has(path_key) {
            self.error(
                Code::ConflictingFields,
                object.at(path_key),
                format!("use either \"{key}\" or \"{path_key}\", not both"),
            );
            return None;
        }
        if object.has(path_key) {
            return self.reference_path(object, path_key).map(Dynamic::Path);
        }
        let value = object.get(key)?;
        if language == QueryLanguage::Jsonata && value.as_str().and_then(jsonata_source).is_some() {
            return self
                .jsonata_value(value, &object.at(key))
                .map(Dynamic::Jsonata);
        }
        self.optional_number(object, key, range.0, range.1)
            .map(|n| Dynamic::Literal(Value::from(n)))
    }

    /// `Assign` of a state, choice rule or catcher.
    pub(super) fn assign(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Assign> {
        let map = self.optional_object(object, "Assign")?;
        let pointer = object.at("Assign");
        for key in map.keys() {
            let name = match language {
                QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
                QueryLanguage::Jsonata => key.as_str(),
            };
            if let Err(problem) = check_variable_name(name) {
                self.error(Code::InvalidName, pointer_join(&pointer, key), problem);
            }
        }
        match language {
            QueryLanguage::JsonPath => {
                let value = object.get("Assign").expect("optional_object found it");
                self.template_value(value, pointer, "Assign")
                    .map(Assign::JsonPath)
            }
            QueryLanguage::Jsonata => {
                let mut out = Vec::with_capacity(map.len());
                let mut ok = true;
                for (key, value) in map {
                    match self.jsonata_value(value, &pointer_join(&pointer, key)) {
                        Some(v) => out.push((key.clone(), v)),
                        None => ok = false,
                    }
                }
                ok.then_some(Assign::Jsonata(out))
            }
        }
    }

    /// A literal string, a reference path or intrinsic (`ErrorPath`), or a JSONata string.
    pub(super) fn dynamic_string(
        &mut self,
        object: Fields<'_>,
        language: QueryLanguage,
        key: &str,
        path_key: &str,
    ) -> Option<Dynamic> {
        if object.has(key) && object.has(path_key) {
            self.error(
                Code::ConflictingFields,
                object.at(path_key),
                format!("use either \"{key}\" or \"{path_key}\", not both"),
            );
            return None;
        }
        if object.has(path_key) {
            let text = self.optional_string(object, path_key)?;
            if text.starts_with('$') {
                return self.reference_path(object, path_key).map(Dynamic::Path);
            }
            return match Intrinsic::parse(text) {
                Ok(call) => Some(Dynamic::Intrinsic(call)),
                Err(e) => {
                    self.error(
                        Code::InvalidIntrinsic,
                        object.at(path_key),
                        format!(
                            "\"{path_key}\" must be a reference path or an intrinsic function \
                             call ({e}): {text}"
                        ),
                    );
                    None
                }
            };
        }
        let value = object.get(key)?;
        let text = self.optional_string(object, key)?;
        if language == QueryLanguage::Jsonata && jsonata_source(text).is_some() {
            return self
                .jsonata_value(value, &object.at(key))
                .map(Dynamic::Jsonata);
        }
        Some(Dynamic::Literal(value.clone()))
    }
}

/// A string anywhere in `value` that starts a JSONata expression but never ends it: almost
/// certainly a typo, which would otherwise pass as a literal string.
fn unterminated_jsonata(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => {
            (text.starts_with("{%") && !text.ends_with("%}")).then_some(text.as_str())
        }
        Value::Array(items) => items.iter().find_map(unterminated_jsonata),
        Value::Object(map) => map.values().find_map(unterminated_jsonata),
        _ => None,
    }
}

/// True when `value` holds a `{% … %}` string anywhere.
pub fn contains_jsonata(value: &Value) -> bool {
    match value {
        Value::String(text) => jsonata_source(text).is_some(),
        Value::Array(items) => items.iter().any(contains_jsonata),
        Value::Object(map) => map.values().any(contains_jsonata),
        _ => false,
    }
}

/// Variable names are identifiers (a letter or `_` first, then letters, digits, `_`), at most
/// 80 characters, and not the reserved `states`.
pub fn check_variable_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!(
            "\"{name}\" is not a valid variable name: use letters, digits and '_', starting \
             with a letter or '_'"
        ));
    }
    if name.chars().count() > limits::VARIABLE_NAME_CHARS_MAX {
        return Err(format!(
            "the variable name \"{name}\" is longer than {} characters",
            limits::VARIABLE_NAME_CHARS_MAX
        ));
    }
    if name == "states" {
        return Err("\"states\" is reserved for $states; choose another variable name".into());
    }
    Ok(())
}
