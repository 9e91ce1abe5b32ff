//! Expressions from state machines recorded on AWS Step Functions, with the results AWS gave.

use serde_json::{Map, Value as Json, json};

use crate::jsonata::{Environment, Error, Expression};
use crate::rand::Rng;
use crate::time::Timestamp;

/// Evaluates as Step Functions does: no input document, `$states` and workflow variables
/// passed in.
fn eval_with(source: &str, variables: Json) -> Result<Option<Json>, Error> {
    let variables: Map<String, Json> = variables.as_object().cloned().unwrap_or_default();
    let expression = Expression::parse(source)?;
    let mut rng = Rng::new(11);
    let mut env = Environment {
        variables: &variables,
        now: Timestamp(1_700_000_000_000),
        rng: &mut rng,
    };
    expression.evaluate(None, &mut env)
}

fn with_input(input: Json) -> Json {
    json!({"states": {"input": input, "context": {}}})
}

fn must(source: &str, variables: Json) -> Option<Json> {
    eval_with(source, variables).unwrap_or_else(|e| panic!("{source}: {e}"))
}

#[test]
fn partition_splits_into_chunks() {
    let cases = [
        (json!([0]), 2, json!([[0]])),
        (json!([0, 1, 2]), 2, json!([[0, 1], [2]])),
        (json!([0, 1, 2]), 5, json!([[0, 1, 2]])),
        (json!([0, 1, 2, 3]), 2, json!([[0, 1], [2, 3]])),
        (json!([0, 1, 2, 3]), 3, json!([[0, 1, 2], [3]])),
    ];
    for (array, size, expected) in cases {
        let vars = with_input(json!({"FunctionInput": {"fst": array, "snd": size}}));
        let source = "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)";
        assert_eq!(must(source, vars), Some(expected));
    }
}

#[test]
fn range_is_inclusive_and_a_single_item_stands_alone() {
    let source = "$range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, \
                  $states.input.FunctionInput.trd)";
    let vars = with_input(json!({"FunctionInput": {"fst": 0, "snd": 9, "trd": 3}}));
    assert_eq!(must(source, vars), Some(json!([0, 3, 6, 9])));
    let vars = with_input(json!({"FunctionInput": {"fst": 1, "snd": 9, "trd": 9}}));
    assert_eq!(must(source, vars), Some(json!(1)));
}

#[test]
fn parse_reads_json_text() {
    let cases = [
        ("-0", json!(0)),
        ("1", json!(1)),
        ("true", json!(true)),
        ("\"HelloWorld\"", json!("HelloWorld")),
        ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
    ];
    for (text, expected) in cases {
        let vars = with_input(json!({"FunctionInput": text}));
        assert_eq!(
            must("$parse($states.input.FunctionInput)", vars),
            Some(expected)
        );
    }
}

#[test]
fn unknown_functions_are_not_functions() {
    let vars = with_input(json!({"FunctionInput": "fst"}));
    let err = eval_with("$randomSeeded($states.input.FunctionInput.fst)", vars).unwrap_err();
    assert_eq!(err.to_string(), "T1006: Attempted to invoke a non-function");
    let err = eval_with("$eval('1')", json!({})).unwrap_err();
    assert_eq!(err.code, "T1006");
}

#[test]
fn regular_expressions_escape_dollar() {
    assert_eq!(
        must(r#"$contains("hello$world", /^hello\$/)"#, json!({})),
        Some(json!(true))
    );
    assert_eq!(
        must(r"$contains('hello$world', /^hello\$/)", json!({})),
        Some(json!(true))
    );
    assert_eq!(
        must(r#"$contains("hello$world", /^hello\ /)"#, json!({})),
        Some(json!(false))
    );
}

#[test]
fn states_and_workflow_variables() {
    let mut vars = with_input(json!({"input_values": [1, 2, 3], "value": 22, "type": "Private"}));
    vars["var_constant_1"] = json!(1);
    vars["varname"] = json!({"varfield": "x"});
    let check =
        |source: &str, expected: Json| assert_eq!(must(source, vars.clone()), Some(expected));
    check(
        "$sum($states.input.input_values) + $var_constant_1",
        json!(7),
    );
    check(
        "$states.input.value >= 20 and $states.input.value < 30",
        json!(true),
    );
    check("$not($states.input.type = 'Private')", json!(false));
    check("$varname.varfield", json!("x"));
    check("$number('2')", json!(2));
    check("$variable := 1", json!(1));
    check("[1, 'two', 3]", json!([1, "two", 3]));
    assert_eq!(must("$doesNotExist", vars.clone()), None);
}

#[test]
fn merge_combines_objects_from_the_input() {
    let vars = with_input(json!({"part1": {"hello": "world"}, "part2": {"foo": "bar"}}));
    let result = must("$merge([$states.input.part1, $states.input.part2])", vars);
    assert_eq!(result, Some(json!({"hello": "world", "foo": "bar"})));
}

#[test]
fn escaped_quotes_compare_equal() {
    let vars = with_input(json!("\""));
    assert_eq!(must("$states.input = '\"'", vars), Some(json!(true)));
}

#[test]
fn random_and_uuid_are_deterministic_for_a_seed() {
    let first = must("[$random(), $uuid(), $random(42)]", json!({}));
    let second = must("[$random(), $uuid(), $random(42)]", json!({}));
    assert_eq!(first, second);
    let items = first.unwrap();
    let n = items[0].as_f64().unwrap();
    assert!((0.0..1.0).contains(&n));
    assert_eq!(items[1].as_str().unwrap().len(), 36);
    assert_eq!(
        must("$random(42) = $random(42)", json!({})),
        Some(json!(true))
    );
}

#[test]
fn hash_supports_the_documented_algorithms() {
    let cases = [
        ("MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        (
            "SHA-256",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ),
    ];
    for (algorithm, digest) in cases {
        let source = format!("$hash('hello', '{algorithm}')");
        assert_eq!(must(&source, json!({})), Some(json!(digest)));
    }
    assert_eq!(
        eval_with("$hash('hello', 'SHA-3')", json!({}))
            .unwrap_err()
            .code,
        "D3152"
    );
}

#[test]
fn now_and_millis_report_the_callers_time() {
    assert_eq!(
        must("$millis()", json!({})),
        Some(json!(1_700_000_000_000_i64))
    );
    assert_eq!(
        must("$now()", json!({})),
        Some(json!("2023-11-14T22:13:20.000Z"))
    );
    assert_eq!(must("$now() = $now()", json!({})), Some(json!(true)));
}

#[test]
fn variable_references_lists_free_variables() {
    let expression =
        Expression::parse("($x := $states.input.a; $map($items, function($v){ $v + $x + $y }))")
            .unwrap();
    assert_eq!(expression.variable_references(), ["states", "items", "y"]);
    let expression = Expression::parse("Account.Order@$o#$i.Product[$i > $limit].$o").unwrap();
    assert_eq!(expression.variable_references(), ["limit"]);
}
