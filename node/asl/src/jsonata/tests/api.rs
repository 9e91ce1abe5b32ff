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
