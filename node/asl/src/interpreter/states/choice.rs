//! Choice: picks the first rule whose condition holds (reference §1.5).

use serde_json::{Map, Value};

use super::states_object;
use crate::definition::{
    Choice, ChoiceRule, Comparison, Condition, Io, Operand, Ordering, State, TypeTest, ValueKind,
};
use crate::error::{Failure, names};
use crate::interpreter::context::StateContext;
use crate::interpreter::eval::{Evaluator, json_type_name};
use crate::interpreter::execution::FrameId;
use crate::interpreter::flow::{Flow, Run};
use crate::rand::Rng;
use crate::scope::Scope;
use crate::time::Timestamp;

/// Where a Choice goes and with what.
struct Decision {
    next: String,
    output: Value,
    assigned: Option<Map<String, Value>>,
}

impl Run<'_> {
    pub(super) fn choice(
        &mut self,
        fid: FrameId,
        state: &State,
        choice: &Choice,
        input: Value,
        entered: u64,
    ) -> Flow {
        let context = StateContext {
            name: &state.name,
            entered_time: self.now,
            ..StateContext::default()
        };
        let outcome = self.evaluate(fid, &context, |ev, rng| {
            decide(ev, rng, state, choice, &input)
        });
        match outcome {
            Ok(decision) => self.exit_state(
                fid,
                state,
                Some(&decision.next),
                decision.output,
                decision.assigned,
            ),
            Err(failure) if failure.error == names::NO_CHOICE_MATCHED => Flow::Failed(failure),
            Err(failure) => {
                Flow::Failed(self.evaluation_failed(fid, failure, &state.name, entered))
            }
        }
    }
}

fn decide(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    state: &State,
    choice: &Choice,
    input: &Value,
) -> Result<Decision, Failure> {
    match &state.io {
        Io::JsonPath(io) => {
            let effective = ev.select_path(&io.input_path, input)?;
            let scope = ev.scope(&effective);
            let mut chosen: Option<&ChoiceRule> = None;
            for rule in &choice.choices {
                if holds_jsonpath(&rule.condition, &scope)? {
                    chosen = Some(rule);
                    break;
                }
            }
            let (next, assign) = match chosen {
                Some(rule) => (rule.next.clone(), rule.assign.as_ref()),
                None => (default_or_fail(choice)?, state.assign.as_ref()),
            };
            let assigned = match assign {
                Some(a) => Some(ev.assign(a, &effective, &Value::Null, rng)?),
                None => None,
            };
            let output = ev.select_path(&io.output_path, &effective)?;
            Ok(Decision {
                next,
                output,
                assigned,
            })
        }
        Io::Jsonata(io) => {
            let states = states_object(input, ev.context, None);
            for (i, rule) in choice.choices.iter().enumerate() {
                let Condition::Jsonata(condition) = &rule.condition else {
                    continue;
                };
                let field = format!("Choices[{i}].Condition");
                match ev.jsonata(condition, &states, &field, rng)? {
                    Value::Bool(true) => {
                        let assigned = match &rule.assign {
                            Some(a) => Some(ev.assign(a, &Value::Null, &states, rng)?),
                            None => None,
                        };
                        let output = match &rule.output {
                            Some(o) => ev.jsonata(o, &states, "Output", rng)?,
                            None => input.clone(),
                        };
                        return Ok(Decision {
                            next: rule.next.clone(),
                            output,
                            assigned,
                        });
                    }
                    Value::Bool(false) => {}
                    other => {
                        return Err(Failure::query_evaluation(format!(
                            "The JSONata expression specified for the field '{field}' returned an unexpected result type. \
                             Expected 'boolean', but was '{}' for value: {}",
                            json_type_name(&other),
                            crate::interpreter::compact(&other)
                        )));
                    }
                }
            }
            let next = default_or_fail(choice)?;
            let assigned = match &state.assign {
                Some(a) => Some(ev.assign(a, &Value::Null, &states, rng)?),
                None => None,
            };
            let output = match &io.output {
                Some(o) => ev.jsonata(o, &states, "Output", rng)?,
                None => input.clone(),
            };
            Ok(Decision {
                next,
                output,
                assigned,
            })
        }
    }
}

fn default_or_fail(choice: &Choice) -> Result<String, Failure> {
    choice
        .default
        .clone()
        .ok_or_else(|| Failure::new(names::NO_CHOICE_MATCHED, "No Matches!"))
}

/// Evaluates a JSONPath Choice rule's condition against the effective input.
fn holds_jsonpath(condition: &Condition, scope: &Scope<'_>) -> Result<bool, Failure> {
    match condition {
        Condition::And(rules) => {
            for rule in rules {
                if !holds_jsonpath(rule, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(rules) => {
            for rule in rules {
                if holds_jsonpath(rule, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(rule) => Ok(!holds_jsonpath(rule, scope)?),
        Condition::Compare {
            variable,
            comparison,
        } => {
            let value = variable.resolve(scope);
            if let Comparison::TypeTest {
                test: TypeTest::IsPresent,
                expected,
            } = comparison
            {
                return Ok(value.is_some() == *expected);
            }
            let Some(value) = value else {
                return Err(Failure::runtime(format!(
                    "Invalid path '{}': The choice state's condition path references an invalid value.",
                    variable.as_str()
                )));
            };
            compare(&value, comparison, scope)
        }
        // A JSONata condition never appears in a JSONPath state (the parser guarantees it).
        Condition::Jsonata(_) => Ok(false),
    }
}

fn compare(value: &Value, comparison: &Comparison, scope: &Scope<'_>) -> Result<bool, Failure> {
    match comparison {
        Comparison::TypeTest { test, expected } => {
            let actual = match test {
                TypeTest::IsNull => value.is_null(),
                TypeTest::IsPresent => true,
                TypeTest::IsNumeric => value.is_number(),
                TypeTest::IsString => value.is_string(),
                TypeTest::IsBoolean => value.is_boolean(),
                TypeTest::IsTimestamp => {
                    value.as_str().and_then(Timestamp::parse_rfc3339).is_some()
                }
            };
            Ok(actual == *expected)
        }
        Comparison::StringMatches(pattern) => Ok(match value.as_str() {
            Some(text) => string_matches(text, pattern)?,
            None => false,
        }),
        Comparison::Binary { kind, op, operand } => {
            let operand = match operand {
                Operand::Literal(v) => v.clone(),
                Operand::Path(path) => path.resolve(scope).ok_or_else(|| {
                    Failure::runtime(format!(
                        "Invalid path '{}': The choice state's condition path references an invalid value.",
                        path.as_str()
                    ))
                })?,
            };
            Ok(binary(*kind, *op, value, &operand))
        }
    }
}

/// A typed comparison; values of the wrong type make it false, not an error.
fn binary(kind: ValueKind, op: Ordering, left: &Value, right: &Value) -> bool {
    use std::cmp::Ordering as Cmp;
    let ordering: Option<Cmp> = match kind {
        ValueKind::String => match (left.as_str(), right.as_str()) {
            (Some(a), Some(b)) => Some(a.cmp(b)),
            _ => None,
        },
        ValueKind::Numeric => match (number(left), number(right)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
        ValueKind::Boolean => match (left.as_bool(), right.as_bool()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        },
        ValueKind::Timestamp => {
            let parse = |v: &Value| v.as_str().and_then(Timestamp::parse_rfc3339);
            match (parse(left), parse(right)) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => None,
            }
        }
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Ordering::Equals => ordering == Cmp::Equal,
        Ordering::LessThan => ordering == Cmp::Less,
        Ordering::GreaterThan => ordering == Cmp::Greater,
        Ordering::LessThanEquals => ordering != Cmp::Greater,
        Ordering::GreaterThanEquals => ordering != Cmp::Less,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a
/// literal backslash.
pub(super) fn string_matches(text: &str, pattern: &str) -> Result<bool, Failure> {
    #[derive(PartialEq)]
    enum Token {
        Star,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => {
                    return Err(Failure::runtime(format!(
                        "The StringMatches pattern '{pattern}' ends with an unfinished escape"
                    )));
                }
            },
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    // Classic wildcard matching with backtracking to the last star: linear in practice.
    let text: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return Ok(false),
            },
        }
    }
    while tokens.get(p) == Some(&Token::Star) {
        p += 1;
    }
    Ok(p == tokens.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_matches_handles_wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt").unwrap());
        assert!(string_matches("", "*").unwrap());
        assert!(!string_matches("log.csv", "log-*.txt").unwrap());
        assert!(string_matches("a*b", "a\\*b").unwrap());
        assert!(!string_matches("axb", "a\\*b").unwrap());
        assert!(string_matches("a\\b", "a\\\\b").unwrap());
        assert!(string_matches("abcabc", "*abc").unwrap());
        assert!(string_matches("mississippi", "m*iss*ppi").unwrap());
        assert!(string_matches("x", "x\\").is_err());
    }

    #[test]
    fn mismatched_types_compare_false() {
        assert!(!binary(
            ValueKind::Numeric,
            Ordering::Equals,
            &json!("1"),
            &json!(1)
        ));
        assert!(binary(
            ValueKind::Numeric,
            Ordering::Equals,
            &json!(1),
            &json!(1.0)
        ));
        assert!(binary(
            ValueKind::String,
            Ordering::LessThan,
            &json!("A"),
            &json!("a")
        ));
        assert!(binary(
            ValueKind::Timestamp,
            Ordering::Equals,
            &json!("2016-03-14T01:59:00Z"),
            &json!("2016-03-14T02:59:00+01:00")
        ));
        assert!(!binary(
            ValueKind::Timestamp,
            Ordering::Equals,
            &json!("yesterday"),
            &json!("yesterday")
        ));
    }
}
