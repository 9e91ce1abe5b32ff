//! Payload templates (reference §2.2): JSON objects whose keys ending in `.$` take their value
//! from a path, a context path, a variable or an intrinsic function, at any depth (inside
//! arrays too). Other keys and values are copied as they are, in their order.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::Failure;
use crate::intrinsic::Intrinsic;
use crate::path::Path;
use crate::rand::Rng;
use crate::scope::Scope;

/// A problem found while compiling a template, at a JSON pointer relative to the template root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub pointer: String,
    pub message: String,
}

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A value copied as it is.
    Literal(Value),
    /// An object; each field keeps its output name (the `.$` suffix removed).
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// `"key.$": "$.path"`, `"$$.context"` or `"$variable"`; `field` is the key as written
    /// (`key.$`), which runtime causes name.
    Path {
        field: String,
        path: Path,
    },
    /// `"key.$": "States.Format(…)"`.
    Intrinsic {
        field: String,
        call: Intrinsic,
    },
}

/// Templates nest no deeper than this. Definitions are parsed with a lower JSON nesting limit,
/// so only values built in code can reach it; it keeps compilation off the stack limit.
const MAX_DEPTH: usize = 512;

impl Template {
    /// Compiles `value`, reporting every problem: a `.$` key whose value is not a string or
    /// not a valid path, context path, variable reference or intrinsic call, and two keys that
    /// are the same once `.$` is removed.
    pub fn compile(value: &Value) -> Result<Template, Vec<CompileError>> {
        let mut errors = Vec::new();
        let template = compile_at(value, "", 0, &mut errors);
        if errors.is_empty() {
            Ok(template)
        } else {
            Err(errors)
        }
    }

    /// True when the template has no `.$` field and evaluates to a constant.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }

    /// Builds the payload. Path failures are `States.Runtime` with AWS's cause (`The JSONPath
    /// '$.x' specified for the field 'x.$' could not be found in the input '…'`, recorded in
    /// scenarios/test_invalid_jsonpath); intrinsic failures are `States.IntrinsicFailure`.
    pub fn evaluate(&self, scope: &Scope<'_>, rng: &mut Rng) -> Result<Value, Failure> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (name, field) in fields {
                    out.insert(name.clone(), field.evaluate(scope, rng)?);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items
                .iter()
                .map(|item| item.evaluate(scope, rng))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Template::Path { field, path } => path.resolve_for_field(scope, field),
            Template::Intrinsic { call, .. } => call.evaluate(scope, rng),
        }
    }
}

fn compile_at(
    value: &Value,
    pointer: &str,
    depth: usize,
    errors: &mut Vec<CompileError>,
) -> Template {
    if !has_dynamic_field(value) {
        return Template::Literal(value.clone());
    }
    if depth >= MAX_DEPTH {
        errors.push(CompileError {
            pointer: pointer.to_string(),
            message: format!("the template is nested more than {MAX_DEPTH} levels deep"),
        });
        return Template::Literal(Value::Null);
    }
    match value {
        Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len());
            // Output name -> the key that produced it first.
            let mut names: HashMap<&str, &str> = HashMap::with_capacity(map.len());
            for (key, item) in map {
                let child = format!("{pointer}/{}", escape_pointer(key));
                let name = key.strip_suffix(".$").unwrap_or(key);
                if let Some(first) = names.insert(name, key) {
                    errors.push(CompileError {
                        pointer: child.clone(),
                        message: format!(
                            "the field '{key}' conflicts with the field '{first}': both give '{name}'"
                        ),
                    });
                    continue;
                }
                let compiled = if key.ends_with(".$") {
                    compile_dynamic(key, item, &child, errors)
                } else {
                    Some(compile_at(item, &child, depth + 1, errors))
                };
                if let Some(compiled) = compiled {
                    fields.push((name.to_string(), compiled));
                }
            }
            Template::Object(fields)
        }
        Value::Array(items) => Template::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| compile_at(item, &format!("{pointer}/{i}"), depth + 1, errors))
                .collect(),
        ),
        scalar => Template::Literal(scalar.clone()),
    }
}

/// The value of a `key.$` field: `$…` is a path (input, `$$` context or `$name` variable),
/// anything else must be an intrinsic call.
fn compile_dynamic(
    key: &str,
    value: &Value,
    pointer: &str,
    errors: &mut Vec<CompileError>,
) -> Option<Template> {
    let mut fail = |message: String| {
        errors.push(CompileError {
            pointer: pointer.to_string(),
            message,
        });
        None
    };
    let Value::String(text) = value else {
        return fail(format!(
            "the value of the field '{key}' must be a string holding a JSONPath or an intrinsic \
             function, not {value}"
        ));
    };
    if text.starts_with('$') {
        return match Path::parse(text) {
            Ok(path) => Some(Template::Path {
                field: key.to_string(),
                path,
            }),
            Err(e) => fail(format!(
                "the value of the field '{key}' is not a valid JSONPath: '{text}': {}",
                e.message
            )),
        };
    }
    match Intrinsic::parse(text) {
        Ok(call) => Some(Template::Intrinsic {
            field: key.to_string(),
            call,
        }),
        Err(e) => fail(format!(
            "the value of the field '{key}' is not a JSONPath or a valid intrinsic function call: \
             '{text}': {}",
            e.message
        )),
    }
}

/// Whether any object at or below `value` has a `.$` key. Iterative, so that it is safe on
/// values of any depth.
fn has_dynamic_field(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(current) = stack.pop() {
        match current {
            Value::Object(map) => {
                if map.keys().any(|k| k.ends_with(".$")) {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

/// RFC 6901: `~` becomes `~0` and `/` becomes `~1`.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scope::NoVariables;

    fn must_compile(value: Value) -> Template {
        Template::compile(&value).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn must_evaluate(template: &Template, input: &Value, context: &Value) -> Value {
        let variables = Map::new();
        let scope = Scope::new(input, context, &variables);
        template
            .evaluate(&scope, &mut Rng::new(1))
            .unwrap_or_else(|f| panic!("{f}"))
    }

    #[test]
    fn dynamic_fields_are_replaced_at_any_depth_keeping_order() {
        let template = must_compile(json!({
            "z": 1,
            "a.$": "$.x",
            "nested": [{"b.$": "$$.State.Name"}, "$.not_a_path", {"c": "States.UUID()"}],
            "m.$": "States.Format('{}-{}', $.x, $$.State.Name)",
            "y": {"deep": {"d.$": "$"}}
        }));
        let input = json!({"x": "X"});
        let context = json!({"State": {"Name": "S"}});
        let out = must_evaluate(&template, &input, &context);
        assert_eq!(
            out,
            json!({
                "z": 1,
                "a": "X",
                "nested": [{"b": "S"}, "$.not_a_path", {"c": "States.UUID()"}],
                "m": "X-S",
                "y": {"deep": {"d": {"x": "X"}}}
            })
        );
        let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "nested", "m", "y"]);
    }

    #[test]
    fn templates_without_dynamic_fields_are_literal() {
        let value = json!({"a": ["$.x", {"b": "States.UUID()"}]});
        assert_eq!(must_compile(value.clone()), Template::Literal(value));
    }

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        // validation/invalid: statelint/parameter-path-problems.
        let value = json!({
            "f0": 1,
            "good1.$": "$.g1",
            "bad1.$": 23,
            "bad2.$": "23",
            "f3": {
                "bad3.$": [1, 2, 3],
                "good2.$": "$.b[23]",
                "f5": ["f6", {"f7": {"bad4.$": {"f9": 1}, "good3.$": "$.x.y.z[2]"}}]
            },
            "good4.$": "$$",
            "good5.$": "$$.g5",
            "bad5.$": "$$23"
        });
        let errors = Template::compile(&value).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/bad1.$",
                "/bad2.$",
                "/f3/bad3.$",
                "/f3/f5/1/f7/bad4.$",
                "/bad5.$"
            ]
        );
        assert!(
            errors[1].message.contains("intrinsic"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[4].message.contains("JSONPath"),
            "{}",
            errors[4].message
        );
    }

    #[test]
    fn unknown_intrinsics_are_reported() {
        // validation/invalid: statelint/invalid-function-invocation.
        let errors = Template::compile(&json!({"abc.$": "States.Xyz($.result)"})).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .message
                .contains("not a JSONPath or intrinsic function expression")
        );
    }

    #[test]
    fn duplicate_fields_after_stripping_the_suffix_are_reported() {
        // validation/invalid: asl-validator/invalid-duplicate-fields(-nested).
        let errors = Template::compile(&json!({
            "slackMessage": {
                "channel.$": "$.slackErrorChannel",
                "channel": "conflicting field",
                "blocks": [{"text": {"type": "mrkdwn", "type.$": "$.m"}}]
            }
        }))
        .unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/slackMessage/channel",
                "/slackMessage/blocks/0/text/type.$"
            ]
        );
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let errors = Template::compile(&json!({"a/b": {"c~d.$": 1}})).unwrap_err();
        assert_eq!(errors[0].pointer, "/a~1b/c~0d.$");
    }

    #[test]
    fn missing_path_fails_with_the_recorded_runtime_cause() {
        // scenarios/test_invalid_jsonpath/INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH.
        let template = must_compile(json!({"value.$": "$$.Execution.Input.no_such_jsonpath"}));
        let input = json!({"int-literal": 0});
        let context = json!({"Execution": {"Input": {"int-literal": 0}}});
        let scope = Scope::new(&input, &context, &NoVariables);
        let failure = template.evaluate(&scope, &mut Rng::new(1)).unwrap_err();
        assert_eq!(failure.error, "States.Runtime");
        assert_eq!(
            failure.cause.as_deref(),
            Some(
                "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field \
                 'value.$' could not be found in the input '{\"int-literal\":0}'"
            )
        );
    }

    #[test]
    fn indefinite_paths_give_arrays_even_when_nothing_matches() {
        // base/test_json_path_array_wildcard_or_slice_with_no_input.
        let template = must_compile(json!({"item.$": "$.items[*].itemValue"}));
        assert_eq!(
            must_evaluate(&template, &json!({}), &json!({})),
            json!({"item": []})
        );
    }

    #[test]
    fn variables_are_read_by_name() {
        // assign_variables/test_reference_assign/BASE_REFERENCE_IN_PARAMETERS.
        let template = must_compile(json!({"result.$": "$result", "part.$": "$obj.list[1]"}));
        let mut variables = Map::new();
        variables.insert("result".into(), json!("foobar"));
        variables.insert("obj".into(), json!({"list": [1, 2]}));
        let (input, context) = (json!({}), json!({}));
        let scope = Scope::new(&input, &context, &variables);
        assert_eq!(
            template.evaluate(&scope, &mut Rng::new(1)),
            Ok(json!({"result": "foobar", "part": 2}))
        );
    }

    #[test]
    fn intrinsic_failures_keep_their_error_name() {
        let template = must_compile(json!({"x.$": "States.ArrayGetItem($.a, 5)"}));
        let (input, context) = (json!({"a": []}), json!({}));
        let scope = Scope::new(&input, &context, &NoVariables);
        let failure = template.evaluate(&scope, &mut Rng::new(1)).unwrap_err();
        assert_eq!(failure.error, "States.IntrinsicFailure");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn compiling_and_evaluating_any_template_never_panics(
            template in crate::path::proptests::json_value(),
            dynamic in proptest::collection::vec(
                ("[a-c]{1,2}", crate::path::proptests::path_text()), 0..4),
            input in crate::path::proptests::json_value(),
        ) {
            let mut value = template;
            if let Value::Object(map) = &mut value {
                for (key, text) in dynamic {
                    map.insert(format!("{key}.$"), Value::String(text));
                }
            }
            if let Ok(compiled) = Template::compile(&value) {
                let context = json!({});
                let scope = Scope::new(&input, &context, &NoVariables);
                let _ = compiled.evaluate(&scope, &mut Rng::new(3));
            }
        }
    }

    #[test]
    fn deeply_nested_templates_are_refused_not_overflowing() {
        let mut value = json!({"x.$": "$"});
        for _ in 0..600 {
            value = json!([value]);
        }
        assert!(Template::compile(&value).is_err());
    }
}
