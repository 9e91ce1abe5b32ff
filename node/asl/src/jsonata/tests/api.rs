use serde_json::{Value as Json, json};

use crate::jsonata::{Environment, Error, Expression};
use crate::rand::Rng;
use crate::scope::NoVariables;
use crate::time::Timestamp;

pub(super) fn try_eval(source: &str, input: Json) -> Result<Option<Json>, Error> {
    let expression = Expression::parse(source)?;
    let mut rng = Rng::new(1);
    let mut env = Environment {
        variables: &NoVariables,
        now: Timestamp(0),
        rng: &mut rng,
    };
    expression.evaluate(Some(&input), &mut env)
}

pub(super) fn must_eval(source: &str, input: Json) -> Option<Json> {
    try_eval(source, input).unwrap_or_else(|e| panic!("{source}: {e}"))
}

#[test]
fn paths_navigate_objects_and_arrays() {
    let input = json!({"a": [{"b": 1}, {"b": [2, 3]}]});
    assert_eq!(must_eval("a.b", input.clone()), Some(json!([1, 2, 3])));
    assert_eq!(must_eval("a[0].b", input), Some(json!(1)));
}

#[test]
fn compiled_expressions_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Expression>();
}

#[test]
fn array_input_is_treated_as_one_value() {
    let input = json!([{"a": 1}, {"a": 2}]);
    assert_eq!(must_eval("a", input.clone()), Some(json!([1, 2])));
    assert_eq!(must_eval("$[0]", input.clone()), Some(json!({"a": 1})));
    assert_eq!(must_eval("$count($)", input), Some(json!(2)));
}

#[test]
fn no_input_means_undefined_context() {
    let expression = Expression::parse("[$, a, $$]").unwrap();
    let mut rng = Rng::new(1);
    let mut env = Environment {
        variables: &NoVariables,
        now: Timestamp(0),
        rng: &mut rng,
    };
    assert_eq!(
        expression.evaluate(None, &mut env).unwrap(),
        Some(json!([]))
    );
}

#[test]
fn results_follow_json_conventions() {
    assert_eq!(must_eval("3.0", json!(null)), Some(json!(3)));
    assert_eq!(must_eval("-0", json!(null)), Some(json!(0)));
    assert_eq!(must_eval("[1, $x, 2]", json!(null)), Some(json!([1, 2])));
    assert_eq!(
        must_eval("{'a': $x, 'b': 1}", json!(null)),
        Some(json!({"b": 1}))
    );
    assert_eq!(must_eval("$sum", json!(null)), None);
    assert_eq!(try_eval("1/0", json!(null)).unwrap_err().code, "D1001");
    let keys = must_eval("{'z': 1, 'a': 2, '1': 3}", json!(null)).unwrap();
    let order: Vec<&String> = keys.as_object().unwrap().keys().collect();
    assert_eq!(order, ["z", "a", "1"]);
}

#[test]
fn syntax_errors_report_position() {
    let err = Expression::parse("a.(b").unwrap_err();
    assert_eq!((err.code, err.position), ("S0203", Some(4)));
    assert_eq!(
        err.to_string(),
        "S0203: Expected \")\" before end of expression"
    );
}
