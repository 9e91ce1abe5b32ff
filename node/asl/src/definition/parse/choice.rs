//! Choice states and their rules (reference §1.5).

use serde_json::Value;

use super::values::jsonata_source;
use super::{Fields, Parser};
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::model::{
    Choice, ChoiceRule, Comparison, Condition, Operand, Ordering, QueryLanguage, TypeTest,
    ValueKind,
};
use crate::path::Path;
use crate::time::Timestamp;

/// What an operator compares.
#[derive(Clone, Copy)]
pub enum OperatorKind {
    Binary(ValueKind, Ordering, /* path operand */ bool),
    StringMatches,
    TypeTest(TypeTest),
}

/// Every data-test operator of a JSONPath Choice rule.
pub const OPERATORS: &[(&str, OperatorKind)] = {
    use OperatorKind::{Binary, StringMatches, TypeTest as T};
    use Ordering::*;
    use ValueKind::*;
    &[
        ("StringEquals", Binary(String, Equals, false)),
        ("StringEqualsPath", Binary(String, Equals, true)),
        ("StringLessThan", Binary(String, LessThan, false)),
        ("StringLessThanPath", Binary(String, LessThan, true)),
        ("StringGreaterThan", Binary(String, GreaterThan, false)),
        ("StringGreaterThanPath", Binary(String, GreaterThan, true)),
        (
            "StringLessThanEquals",
            Binary(String, LessThanEquals, false),
        ),
        (
            "StringLessThanEqualsPath",
            Binary(String, LessThanEquals, true),
        ),
        (
            "StringGreaterThanEquals",
            Binary(String, GreaterThanEquals, false),
        ),
        (
            "StringGreaterThanEqualsPath",
            Binary(String, GreaterThanEquals, true),
        ),
        ("StringMatches", StringMatches),
        ("NumericEquals", Binary(Numeric, Equals, false)),
        ("NumericEqualsPath", Binary(Numeric, Equals, true)),
        ("NumericLessThan", Binary(Numeric, LessThan, false)),
        ("NumericLessThanPath", Binary(Numeric, LessThan, true)),
        ("NumericGreaterThan", Binary(Numeric, GreaterThan, false)),
        ("NumericGreaterThanPath", Binary(Numeric, GreaterThan, true)),
        (
            "NumericLessThanEquals",
            Binary(Numeric, LessThanEquals, false),
        ),
        (
            "NumericLessThanEqualsPath",
            Binary(Numeric, LessThanEquals, true),
        ),
        (
            "NumericGreaterThanEquals",
            Binary(Numeric, GreaterThanEquals, false),
        ),
        (
            "NumericGreaterThanEqualsPath",
            Binary(Numeric, GreaterThanEquals, true),
        ),
        ("BooleanEquals", Binary(Boolean, Equals, false)),
        ("BooleanEqualsPath", Binary(Boolean, Equals, true)),
        ("TimestampEquals", Binary(Timestamp, Equals, false)),
        ("TimestampEqualsPath", Binary(Timestamp, Equals, true)),
        ("TimestampLessThan", Binary(Timestamp, LessThan, false)),
        ("TimestampLessThanPath", Binary(Timestamp, LessThan, true)),
        (
            "TimestampGreaterThan",
            Binary(Timestamp, GreaterThan, false),
        ),
        (
            "TimestampGreaterThanPath",
            Binary(Timestamp, GreaterThan, true),
        ),
        (
            "TimestampLessThanEquals",
            Binary(Timestamp, LessThanEquals, false),
        ),
        (
            "TimestampLessThanEqualsPath",
            Binary(Timestamp, LessThanEquals, true),
        ),
        (
            "TimestampGreaterThanEquals",
            Binary(Timestamp, GreaterThanEquals, false),
        ),
        (
            "TimestampGreaterThanEqualsPath",
            Binary(Timestamp, GreaterThanEquals, true),
        ),
        ("IsNull", T(TypeTest::IsNull)),
        ("IsPresent", T(TypeTest::IsPresent)),
        ("IsNumeric", T(TypeTest::IsNumeric)),
        ("IsString", T(TypeTest::IsString)),
        ("IsBoolean", T(TypeTest::IsBoolean)),
        ("IsTimestamp", T(TypeTest::IsTimestamp)),
    ]
};

impl Parser {
    pub(super) fn choice(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Choice> {
        let default = self.optional_string(object, "Default").map(str::to_owned);
        let value = self.required(object, "Choices", "a Choice state")?;
        let Some(items) = value.as_array() else {
            self.error(
                Code::InvalidType,
                object.at("Choices"),
                "\"Choices\" must be an array of rules",
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                Code::InvalidValue,
                object.at("Choices"),
                "\"Choices\" needs at least one rule",
            );
            return None;
        }
        let choices_pointer = object.at("Choices");
        let mut choices = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            match self.top_rule(
                item,
                &pointer_join(&choices_pointer, &i.to_string()),
                language,
            ) {
                Some(rule) => choices.push(rule),
                None => complete = false,
            }
        }
        complete.then_some(Choice { choices, default })
    }

    fn top_rule(
        &mut self,
        value: &Value,
        pointer: &str,
        language: QueryLanguage,
    ) -> Option<ChoiceRule> {
        let Some(map) = value.as_object() else {
            self.error(
                Code::InvalidType,
                pointer.to_owned(),
                "a Choice rule must be a JSON object",
            );
            return None;
        };
        let rule = Fields::new(map, pointer);
        let next = self
            .required_string(rule, "Next", "a top-level Choice rule")
            .map(str::to_owned);
        let assign = if rule.has("Assign") {
            self.assign(rule, language)
        } else {
            None
        };
        let (condition, output) = match language {
            QueryLanguage::JsonPath => (self.condition(rule, true), None),
            QueryLanguage::Jsonata => {
                self.allow_fields(
                    rule,
                    &["Condition", "Next", "Output", "Assign", "Comment"],
                    "a JSONata Choice rule",
                );
                let condition = self.jsonata_condition(rule);
                let output = if rule.has("Output") {
                    Some(self.jsonata_field(rule, "Output")?)
                } else {
                    None
                };
                (condition, output)
            }
        };
        Some(ChoiceRule {
            condition: condition?,
            next: next?,
            assign,
            output,
        })
    }

    fn jsonata_condition(&mut self, rule: Fields<'_>) -> Option<Condition> {
        let value = self.required(rule, "Condition", "a JSONata Choice rule")?;
        let is_expression = value.as_str().and_then(jsonata_source).is_some();
        if !(value.is_boolean() || is_expression) {
            self.error(
                Code::InvalidType,
                rule.at("Condition"),
                "\"Condition\" must be true, false or a JSONata expression in {% … %}",
            );
            return None;
        }
        self.jsonata_value(value, &rule.at("Condition"))
            .map(Condition::Jsonata)
    }

    /// A JSONPath rule: a boolean combination or a `Variable` with exactly one operator.
    fn condition(&mut self, rule: Fields<'_>, top_level: bool) -> Option<Condition> {
        let mut allowed: Vec<&str> = vec!["Variable", "And", "Or", "Not", "Comment"];
        allowed.extend(OPERATORS.iter().map(|(name, _)| *name));
        if top_level {
            allowed.extend(["Next", "Assign"]);
        } else {
            for key in ["Next", "Assign"] {
                if rule.has(key) {
                    self.error(
                        Code::UnknownField,
                        rule.at(key),
                        format!("\"{key}\" is only allowed on top-level Choice rules, not inside And/Or/Not"),
                    );
                }
            }
            allowed.extend(["Next", "Assign"]);
        }
        self.allow_fields(rule, &allowed, "a JSONPath Choice rule");

        let combinators: Vec<&str> = ["And", "Or", "Not"]
            .into_iter()
            .filter(|k| rule.has(k))
            .collect();
        let operators: Vec<(&str, OperatorKind)> = OPERATORS
            .iter()
            .filter(|(name, _)| rule.has(name))
            .copied()
            .collect();
        let has_variable = rule.has("Variable");

        if combinators.len() + operators.len() == 0 {
            self.error(
                Code::MissingField,
                rule.pointer.to_owned(),
                "a Choice rule needs a comparison (\"Variable\" with an operator such as \
                 \"StringEquals\") or a combination (\"And\", \"Or\", \"Not\")",
            );
            return None;
        }
        if combinators.len() + operators.len() > 1 {
            let mut names: Vec<&str> = combinators.clone();
            names.extend(operators.iter().map(|(n, _)| *n));
            self.error(
                Code::ConflictingFields,
                rule.pointer.to_owned(),
                format!(
                    "each Choice rule can only have one comparison operator or combinator; found {}",
                    names.join(", ")
                ),
            );
            return None;
        }
        if let Some(combinator) = combinators.first() {
            if has_variable {
                self.error(
                    Code::UnknownField,
                    rule.at("Variable"),
                    format!("\"Variable\" cannot be combined with \"{combinator}\""),
                );
            }
            return self.combination(rule, combinator);
        }
        let (name, kind) = operators[0];
        let variable = self.required_string(rule, "Variable", "a Choice comparison")?;
        let variable = match Path::parse(variable) {
            Ok(path) => path,
            Err(e) => {
                self.error(
                    Code::InvalidJsonPath,
                    rule.at("Variable"),
                    format!("\"Variable\" must be a valid JSONPath ({e}): {variable}"),
                );
                return None;
            }
        };
        let comparison = self.comparison(rule, name, kind)?;
        Some(Condition::Compare {
            variable,
            comparison,
        })
    }

    fn combination(&mut self, rule: Fields<'_>, combinator: &str) -> Option<Condition> {
        let value = rule.get(combinator).expect("caller saw the key");
        let pointer = rule.at(combinator);
        if combinator == "Not" {
            let Some(map) = value.as_object() else {
                self.error(
                    Code::InvalidType,
                    pointer,
                    "\"Not\" must be a single Choice rule object",
                );
                return None;
            };
            let inner = self.condition(Fields::new(map, &pointer), false)?;
            return Some(Condition::Not(Box::new(inner)));
        }
        let Some(items) = value.as_array().filter(|a| !a.is_empty()) else {
            self.error(
                Code::InvalidType,
                pointer,
                format!("\"{combinator}\" must be a non-empty array of Choice rules"),
            );
            return None;
        };
        let mut rules = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_pointer = pointer_join(&pointer, &i.to_string());
            match item.as_object() {
                Some(map) => match self.condition(Fields::new(map, &item_pointer), false) {
                    Some(c) => rules.push(c),
                    None => complete = false,
                },
                None => {
                    self.error(
                        Code::InvalidType,
                        item_pointer,
                        "a Choice rule must be a JSON object",
                    );
                    complete = false;
                }
            }
        }
        if !complete {
            return None;
        }
        Some(if combinator == "And" {
            Condition::And(rules)
        } else {
            Condition::Or(rules)
        })
    }

    fn comparison(
        &mut self,
        rule: Fields<'_>,
        name: &str,
        kind: OperatorKind,
    ) -> Option<Comparison> {
        let value = rule.get(name).expect("caller saw the key");
        let pointer = rule.at(name);
        match kind {
            OperatorKind::TypeTest(test) => match value.as_bool() {
                Some(expected) => Some(Comparison::TypeTest { test, expected }),
                None => {
                    self.error(
                        Code::InvalidType,
                        pointer,
                        format!("\"{name}\" must be true or false"),
                    );
                    None
                }
            },
            OperatorKind::StringMatches => match value.as_str() {
                Some(pattern) => Some(Comparison::StringMatches(pattern.to_owned())),
                None => {
                    self.error(
                        Code::InvalidType,
                        pointer,
                        "\"StringMatches\" must be a string pattern",
                    );
                    None
                }
            },
            OperatorKind::Binary(kind, op, true) => {
                let Some(text) = value.as_str() else {
                    self.error(
                        Code::InvalidType,
                        pointer,
                        format!("\"{name}\" must be a JSONPath string"),
                    );
                    return None;
                };
                match Path::parse(text) {
                    Ok(path) => Some(Comparison::Binary {
                        kind,
                        op,
                        operand: Operand::Path(path),
                    }),
                    Err(e) => {
                        self.error(
                            Code::InvalidJsonPath,
                            pointer,
                            format!("\"{name}\" must be a valid JSONPath ({e}): {text}"),
                        );
                        None
                    }
                }
            }
            OperatorKind::Binary(kind, op, false) => {
                let ok = match kind {
                    ValueKind::String => value.is_string(),
                    ValueKind::Numeric => value.is_number(),
                    ValueKind::Boolean => value.is_boolean(),
                    ValueKind::Timestamp => {
                        value.as_str().and_then(Timestamp::parse_rfc3339).is_some()
                    }
                };
                if !ok {
                    let expected = match kind {
                        ValueKind::String => "a string",
                        ValueKind::Numeric => "a number",
                        ValueKind::Boolean => "true or false",
                        ValueKind::Timestamp => {
                            "an RFC 3339 timestamp string such as 2026-01-31T12:00:00Z"
                        }
                    };
                    self.error(
                        Code::InvalidType,
                        pointer,
                        format!("\"{name}\" must be {expected}"),
                    );
                    return None;
                }
                Some(Comparison::Binary {
                    kind,
                    op,
                    operand: Operand::Literal(value.clone()),
                })
            }
        }
    }
}
