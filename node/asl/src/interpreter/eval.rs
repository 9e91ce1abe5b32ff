//! Evaluating a state's dynamic fields: the JSONPath pipeline pieces and JSONata values, with
//! the exact error names and causes AWS reports.

use serde_json::{Map, Value, json};

use crate::definition::{Assign, Dynamic, JsonataValue, PathField};
use crate::error::{Failure, names};
use crate::jsonata::Environment;
use crate::rand::Rng;
use crate::scope::{Scope, ScopeChain, VariableLookup};
use crate::template::Template;
use crate::time::Timestamp;

/// Variables as a JSONata expression sees them: `$states` plus the workflow variables.
pub struct JsonataVariables<'a> {
    pub states: &'a Value,
    pub chain: &'a ScopeChain<'a>,
}

impl VariableLookup for JsonataVariables<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        if name == "states" {
            Some(self.states)
        } else {
            self.chain.lookup(name)
        }
    }
}

/// Everything needed to evaluate one state's fields.
pub struct Evaluator<'a> {
    pub context: &'a Value,
    pub variables: &'a ScopeChain<'a>,
    pub now: Timestamp,
}

impl Evaluator<'_> {
    pub fn scope<'s>(&'s self, input: &'s Value) -> Scope<'s> {
        Scope::new(input, self.context, self.variables)
    }

    /// `InputPath` / `OutputPath`: absent keeps the value, `null` gives `{}`.
    pub fn select_path(&self, field: &PathField, value: &Value) -> Result<Value, Failure> {
        match field {
            PathField::Default => Ok(value.clone()),
            PathField::Null => Ok(json!({})),
            PathField::Path(path) => path.resolve_for_path_field(&self.scope(value)),
        }
    }

    /// `ResultPath`: combines `result` into the raw `input`.
    pub fn result_path(
        &self,
        field: &PathField,
        input: &Value,
        result: Value,
    ) -> Result<Value, Failure> {
        match field {
            PathField::Default => Ok(result),
            PathField::Null => Ok(input.clone()),
            PathField::Path(path) => {
                let mut combined = input.clone();
                path.assign(&mut combined, result)
                    .map_err(|e| e.to_failure())?;
                Ok(combined)
            }
        }
    }

    pub fn template(
        &self,
        template: &Template,
        input: &Value,
        rng: &mut Rng,
    ) -> Result<Value, Failure> {
        template.evaluate(&self.scope(input), rng)
    }

    /// Evaluates a JSONata value; `field` names it in messages (`Output`, `Arguments/x`).
    pub fn jsonata(
        &self,
        value: &JsonataValue,
        states: &Value,
        field: &str,
        rng: &mut Rng,
    ) -> Result<Value, Failure> {
        match value {
            JsonataValue::Literal(v) => Ok(v.clone()),
            JsonataValue::Expression(expression) => {
                let variables = JsonataVariables {
                    states,
                    chain: self.variables,
                };
                let mut env = Environment {
                    variables: &variables,
                    now: self.now,
                    rng,
                };
                match expression.evaluate(None, &mut env) {
                    Ok(Some(v)) => Ok(v),
                    Ok(None) => Err(Failure::query_evaluation(format!(
                        "The JSONata expression '{}' specified for the field '{field}' returned nothing (undefined).",
                        expression.source().trim()
                    ))),
                    Err(e) => Err(Failure::query_evaluation(format!(
                        "The JSONata expression '{}' specified for the field '{field}' threw an error during evaluation. {e}",
                        expression.source().trim()
                    ))),
                }
            }
            JsonataValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.jsonata(item, states, &format!("{field}[{i}]"), rng)?);
                }
                Ok(Value::Array(out))
            }
            JsonataValue::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (key, item) in fields {
                    out.insert(
                        key.clone(),
                        self.jsonata(item, states, &format!("{field}/{key}"), rng)?,
                    );
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// Evaluates an `Assign` block into the new variable values (not yet stored). JSONPath
    /// blocks read `$` from `input`; JSONata blocks read `$states`.
    pub fn assign(
        &self,
        assign: &Assign,
        input: &Value,
        states: &Value,
        rng: &mut Rng,
    ) -> Result<Map<String, Value>, Failure> {
        match assign {
            Assign::JsonPath(template) => match self.template(template, input, rng)? {
                Value::Object(map) => Ok(map),
                other => Err(Failure::runtime(format!(
                    "Assign produced {other} instead of an object"
                ))),
            },
            Assign::Jsonata(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (name, value) in fields {
                    out.insert(
                        name.clone(),
                        self.jsonata(value, states, &format!("Assign/{name}"), rng)?,
                    );
                }
                Ok(out)
            }
        }
    }

    /// A `Dynamic` field's value: literal, `XPath` against `input`, intrinsic, or JSONata.
    pub fn dynamic(
        &self,
        value: &Dynamic,
        input: &Value,
        states: &Value,
        field: &str,
        rng: &mut Rng,
    ) -> Result<Value, Failure> {
        match value {
            Dynamic::Literal(v) => Ok(v.clone()),
            Dynamic::Path(path) => path.resolve_for_field(&self.scope(input), field),
            Dynamic::Intrinsic(call) => call.evaluate(&self.scope(input), rng),
            Dynamic::Jsonata(v) => self.jsonata(v, states, field, rng),
        }
    }
}

/// The JSON text size of a payload, for the 256 KiB limit.
pub fn payload_bytes(value: &Value) -> u64 {
    super::history::compact(value).len() as u64
}

/// `States.DataLimitExceeded` when `value` is larger than `max` bytes.
pub fn check_payload(value: &Value, max: u64, what: &str) -> Result<(), Failure> {
    let size = payload_bytes(value);
    if size > max {
        return Err(Failure::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The {what} has a size of {size} bytes, which exceeds the maximum of {max} bytes"
            ),
        ));
    }
    Ok(())
}

/// The type name AWS uses in "Expected 'array', but was 'string'".
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
