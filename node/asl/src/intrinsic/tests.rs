//! Intrinsic functions: recorded cases that need more than one call, and the edge cases the
//! AWS documentation describes.

use serde_json::{Map, Value, json};

use super::*;
use crate::scope::NoVariables;

fn must_parse(text: &str) -> Intrinsic {
    Intrinsic::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn eval_with(
    text: &str,
    input: Value,
    context: Value,
    variables: &Map<String, Value>,
) -> Result<Value, Failure> {
    let scope = Scope::new(&input, &context, variables);
    must_parse(text).evaluate(&scope, &mut Rng::new(7))
}

/// Evaluates with the input also at `$$.Execution.Input`, as it is in a machine's first state.
fn eval(text: &str, input: Value) -> Result<Value, Failure> {
    let context = json!({"Execution": {"Input": input.clone()}});
    let scope = Scope::new(&input, &context, &NoVariables);
    must_parse(text).evaluate(&scope, &mut Rng::new(7))
}

fn must_eval(text: &str, input: Value) -> Value {
    eval(text, input).unwrap_or_else(|f| panic!("{text}: {f}"))
}

fn must_fail(text: &str, input: Value) -> String {
    match eval(text, input) {
        Ok(v) => panic!("{text} should fail but gave {v}"),
        Err(f) => {
            assert_eq!(f.error, "States.IntrinsicFailure", "{text}");
            f.cause.unwrap_or_default()
        }
    }
}

#[test]
fn format_prints_objects_as_java_maps() {
    // intrinsic_functions/test_format_2/exec_hist_resp_7 and test_context_json_path.
    let arg = json!({"Arg1": 1, "Arg2": []});
    assert_eq!(
        must_eval(
            "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)",
            json!({"FunctionInput": {"fst": arg, "snd": arg}})
        ),
        json!("Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.")
    );
    let context = json!({
        "Execution": {"Name": "exec-1"},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "Name": "sm"}
    });
    assert_eq!(
        eval_with(
            "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
            json!({"FunctionInput": null}),
            context,
            &Map::new()
        ),
        Ok(json!(
            "Formatting arguments fst=exec-1 and snd={Id=arn:aws:states:us-east-1:111111111111:stateMachine:sm, Name=sm}."
        ))
    );
}

#[test]
fn nested_calls_read_the_context_object() {
    // intrinsic_functions/test_nested_calls_1.
    let context = json!({"StateMachine": {"Name": "MyMachine-abc-123"}});
    assert_eq!(
        eval_with(
            "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
            json!({}),
            context,
            &Map::new()
        ),
        Ok(json!("MyMachine"))
    );
}

#[test]
fn string_literals_may_hold_raw_newlines() {
    // intrinsic_functions/test_escape_sequence.
    assert_eq!(
        must_eval("States.StringSplit('Hello\nWorld', '\n')", json!({})),
        json!(["Hello", "World"])
    );
}

#[test]
fn string_to_json_of_a_literal_merges_with_the_context_input() {
    // intrinsic_functions/test_json_merge_escaped_argument.
    let context = json!({"Execution": {"Input": {"input_field": {"constant_input_field": "constant_value"}}}});
    assert_eq!(
        eval_with(
            "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input.input_field, false)",
            json!({}),
            context,
            &Map::new()
        ),
        Ok(json!({"constant_in_literal": "false", "constant_input_field": "constant_value"}))
    );
}

#[test]
fn variables_can_be_arguments() {
    // assign_variables/test_reference_assign/BASE_REFERENCE_IN_INTRINSIC_FUNCTION.
    let mut variables = Map::new();
    for (name, value) in [
        ("rawString", json!("Hello World")),
        ("encodedString", json!("SGVsbG8gV29ybGQ=")),
        ("inputString", json!("Hash this string")),
        ("json1", json!({"a": 1, "b": 2})),
        ("json2", json!({"c": 3, "d": 4})),
        ("jsonString", json!("{\"key\":\"value\"}")),
        ("jsonObject", json!({"test": "object"})),
        ("value1", json!(5)),
        ("value2", json!(3)),
        ("csvString", json!("a,b,c,d,e")),
        ("name", json!("John")),
        ("place", json!("LocalStack")),
    ] {
        variables.insert(name.into(), value);
    }
    let run = |text: &str| eval_with(text, json!({}), json!({}), &variables).unwrap();
    assert_eq!(
        run("States.Base64Encode($rawString)"),
        json!("SGVsbG8gV29ybGQ=")
    );
    assert_eq!(
        run("States.Base64Decode($encodedString)"),
        json!("Hello World")
    );
    assert_eq!(
        run("States.Hash($inputString, 'SHA-256')"),
        json!("1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e")
    );
    assert_eq!(
        run("States.JsonMerge($json1, $json2, false)"),
        json!({"a": 1, "b": 2, "c": 3, "d": 4})
    );
    assert_eq!(
        run("States.StringToJson($jsonString)"),
        json!({"key": "value"})
    );
    assert_eq!(
        run("States.JsonToString($jsonObject)"),
        json!("{\"test\":\"object\"}")
    );
    assert_eq!(run("States.MathAdd($value1, $value2)"), json!(8));
    assert_eq!(
        run("States.StringSplit($csvString, ',')"),
        json!(["a", "b", "c", "d", "e"])
    );
    assert_eq!(
        run("States.Format('Hello {}, welcome to {}!', $name, $place)"),
        json!("Hello John, welcome to LocalStack!")
    );
}

#[test]
fn literal_arguments_of_every_kind() {
    assert_eq!(
        must_eval(
            "States.Array('Foo', 2020, 2.3, -1, 1e2, null, true, false, 'it\\'s')",
            json!({})
        ),
        json!(["Foo", 2020, 2.3, -1, 100.0, null, true, false, "it's"])
    );
    assert_eq!(
        must_eval("States.Format('{} xyz {}', 1, 'def')", json!({})),
        json!("1 xyz def")
    );
    assert_eq!(
        must_eval(
            "States.Format('Welcome to {} {}\\'s playlist.', $.a, $.b)",
            json!({"a": "A", "b": "B"})
        ),
        json!("Welcome to A B's playlist.")
    );
    assert_eq!(
        must_eval("  States.UUID( )  ", json!({}))
            .as_str()
            .map(str::len),
        Some(36)
    );
    assert_eq!(
        must_eval(
            "States.MathAdd(States.ArrayLength($.machines),-1)",
            json!({"machines": [1, 2]})
        ),
        json!(1)
    );
}

#[test]
fn format_escaped_braces_are_literal() {
    assert_eq!(
        must_eval(
            "States.Format('\\{\"key\":\"{}\"\\}', $.value)",
            json!({"value": "test123"})
        ),
        json!("{\"key\":\"test123\"}")
    );
    assert_eq!(
        must_eval("States.Format('a\\\\b{}', 1)", json!({})),
        json!("a\\b1")
    );
}

#[test]
fn format_template_may_come_from_a_path() {
    // assign_variables/test_reference_in_map_state/MAP_STATE_REFERENCE_IN_ITEMS_PATH.
    assert_eq!(
        must_eval(
            "States.Format($.AnswerTemplate, $.v)",
            json!({"AnswerTemplate": "It's {}!", "v": "Pikachu"})
        ),
        json!("It's Pikachu!")
    );
}

#[test]
fn format_needs_one_value_per_placeholder() {
    assert!(must_fail("States.Format('{} {}', 1)", json!({})).contains("placeholder"));
    assert!(must_fail("States.Format('{}', 1, 2)", json!({})).contains("placeholder"));
    must_fail("States.Format($.t)", json!({"t": 5}));
}

#[test]
fn path_arguments_may_hold_brackets_commas_and_filters() {
    let input = json!({"a,b": 1, "list": [{"k": "x)"}, {"k": "y"}]});
    assert_eq!(
        must_eval(
            "States.Array($['a,b'], $.list[?(@.k == 'x)')].k, $.list[1:])",
            input
        ),
        json!([1, ["x)"], [{"k": "y"}]])
    );
}

#[test]
fn seeded_random_repeats_and_stays_in_range() {
    // intrinsic_functions/test_math_operations.test_math_random_seeded and test_math_random.
    let first = must_eval("States.MathRandom(0, 999, 3)", json!({}));
    for seed_rng in [1, 2, 3] {
        let context = json!({});
        let input = json!({});
        let scope = Scope::new(&input, &context, &NoVariables);
        let again =
            must_parse("States.MathRandom(0, 999, 3)").evaluate(&scope, &mut Rng::new(seed_rng));
        assert_eq!(again, Ok(first.clone()));
    }
    let n = first.as_i64().unwrap();
    assert!((0..999).contains(&n));
    let mut rng = Rng::new(11);
    let input = json!({"start": 12.5, "end": 44.51});
    let context = json!({});
    let scope = Scope::new(&input, &context, &NoVariables);
    let call = must_parse("States.MathRandom($.start, $.end)");
    for _ in 0..200 {
        let n = call.evaluate(&scope, &mut rng).unwrap().as_i64().unwrap();
        assert!((13..45).contains(&n), "{n}");
    }
    must_fail("States.MathRandom(5, 5)", json!({}));
    must_fail("States.MathRandom('a', 5)", json!({}));
}

#[test]
fn uuid_comes_from_the_callers_generator() {
    let a = must_eval("States.UUID()", json!({}));
    let b = must_eval("States.UUID()", json!({}));
    assert_eq!(a, b);
    assert_eq!(a.as_str().unwrap().as_bytes()[14], b'4');
}

#[test]
fn array_functions_check_their_arguments() {
    assert_eq!(
        must_eval("States.ArrayRange(1, 9, 2)", json!({})),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        must_eval("States.ArrayRange(5, 1, -2)", json!({})),
        json!([5, 3, 1])
    );
    assert_eq!(
        must_eval("States.ArrayRange(5, 1, 2)", json!({})),
        json!([])
    );
    assert_eq!(
        must_eval("States.ArrayRange(1.4, 2.6, 1)", json!({})),
        json!([1, 2, 3])
    );
    assert_eq!(
        must_eval("States.ArrayRange(0, 999, 1)", json!({}))
            .as_array()
            .map(Vec::len),
        Some(1000)
    );
    assert!(must_fail("States.ArrayRange(0, 1000, 1)", json!({})).contains("1000"));
    must_fail("States.ArrayRange(0, 10, 0)", json!({}));
    must_fail("States.ArrayRange('0', 10, 1)", json!({}));
    assert_eq!(
        must_eval(
            "States.ArrayPartition($.a, 4)",
            json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
        ),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    must_fail("States.ArrayPartition($.a, 0)", json!({"a": [1]}));
    must_fail("States.ArrayPartition($.a, -1)", json!({"a": [1]}));
    must_fail("States.ArrayPartition($.a, 1)", json!({"a": "x"}));
    assert!(
        must_fail("States.ArrayGetItem($.a, 3)", json!({"a": [1, 2, 3]})).contains("out of bounds")
    );
    must_fail("States.ArrayGetItem($.a, -1)", json!({"a": [1, 2, 3]}));
    assert_eq!(
        must_eval("States.ArrayContains($.a, 5)", json!({"a": [1, 5]})),
        json!(true)
    );
    assert_eq!(
        must_eval("States.ArrayContains($.a, 'null')", json!({"a": [null]})),
        json!(false)
    );
    assert_eq!(
        must_eval(
            "States.ArrayUnique($.a)",
            json!({"a": [1, 2, 2, 3, 3, 4, 1.0, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [null], [null]]})
        ),
        json!([1, 2, 3, 4, 1.0, {"a": 1, "b": 2}, [null]])
    );
    must_fail("States.ArrayLength($.a)", json!({"a": {}}));
}

#[test]
fn encoding_and_hashing_limits_and_algorithms() {
    assert_eq!(
        must_eval("States.Hash('input data', 'MD5')", json!({})),
        json!("812f45842bc6d66ee14572ce20db8e86")
    );
    assert!(must_fail("States.Hash('x', 'SHA-3')", json!({})).contains("SHA-256"));
    assert_eq!(
        must_eval("States.Hash($.d, 'SHA-1')", json!({"d": {"a": 1}})),
        must_eval("States.Hash('{\"a\":1}', 'SHA-1')", json!({}))
    );
    let long = "x".repeat(10_001);
    must_fail("States.Base64Encode($.s)", json!({"s": long}));
    must_fail("States.Hash($.s, 'MD5')", json!({"s": long}));
    must_eval("States.Base64Encode($.s)", json!({"s": "x".repeat(10_000)}));
    must_fail("States.Base64Decode('***')", json!({}));
    assert_eq!(
        must_eval("States.Base64Decode('RGF0YQ')", json!({})),
        json!("Data")
    );
}

#[test]
fn json_functions_check_their_arguments() {
    must_fail(
        "States.JsonMerge($.a, $.b, true)",
        json!({"a": {}, "b": {}}),
    );
    must_fail(
        "States.JsonMerge($.a, $.b, false)",
        json!({"a": [], "b": {}}),
    );
    must_fail(
        "States.JsonMerge($.a, $.b, 'false')",
        json!({"a": {}, "b": {}}),
    );
    must_fail("States.StringToJson('{')", json!({}));
    must_fail("States.StringToJson($.a)", json!({"a": 1}));
    assert_eq!(
        must_eval(
            "States.JsonToString($.a)",
            json!({"a": [1, "x", {"b": null}]})
        ),
        json!("[1,\"x\",{\"b\":null}]")
    );
}

#[test]
fn math_add_rounds_and_stays_within_java_int() {
    assert_eq!(
        must_eval("States.MathAdd($.Iterations, -1)", json!({"Iterations": 3})),
        json!(2)
    );
    assert_eq!(
        must_eval("States.MathAdd(2147483647, 1)", json!({})),
        json!(2_147_483_648i64)
    );
    must_fail("States.MathAdd(2147483648, 1)", json!({}));
    must_fail("States.MathAdd('1', 1)", json!({}));
}

#[test]
fn arity_is_checked_when_the_call_runs() {
    assert_eq!(
        must_fail("States.ArrayGetItem($.a)", json!({"a": [1]})),
        "States.ArrayGetItem expects 2 arguments but received 1"
    );
    assert_eq!(
        must_fail("States.UUID(1)", json!({})),
        "States.UUID expects 0 arguments but received 1"
    );
    assert_eq!(
        must_fail("States.MathRandom(1)", json!({})),
        "States.MathRandom expects between 2 and 3 arguments but received 1"
    );
    assert_eq!(
        must_fail("States.Format()", json!({})),
        "States.Format expects at least 1 argument but received 0"
    );
}

#[test]
fn a_missing_path_argument_is_an_intrinsic_failure() {
    assert_eq!(
        must_fail("States.Format('{}', $.missing)", json!({"a": 1})),
        "The JSONPath '$.missing' given to States.Format could not be found in the input '{\"a\":1}'"
    );
}

#[test]
fn an_open_escape_fails_when_the_call_runs() {
    assert!(Intrinsic::parse("States.Format('a\\nb')").is_ok());
    assert!(must_fail("States.Format('a\\nb')", json!({})).contains("backslash"));
}

#[test]
fn malformed_calls_do_not_parse() {
    for bad in [
        "States.Xyz($.result)",
        "States.Format",
        "States.Format(",
        "States.Format('abc)",
        "States.Format('a') extra",
        "States.Format('a',)",
        "States.Array(1 2)",
        "States.Array(nul)",
        "States.Array($$23)",
        "States.Array(-)",
        "States.Array(1.)",
        "23",
        "not a path",
        "",
        "()",
        "states.Array()",
    ] {
        assert!(Intrinsic::parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn nesting_is_limited_to_ten_calls() {
    let nest = |depth: usize| format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
    assert!(Intrinsic::parse(&nest(10)).is_ok());
    assert!(Intrinsic::parse(&nest(11)).is_err());
    assert!(Intrinsic::parse(&nest(100_000)).is_err());
}
