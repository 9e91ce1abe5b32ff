//! Behaviour of paths, mostly as recorded against AWS in the conformance cases (ids in names or
//! comments).

use serde_json::{Map, Value, json};

use super::*;
use crate::scope::NoVariables;

fn must_parse(text: &str) -> Path {
    Path::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn read(text: &str, doc: Value) -> Result<Value, String> {
    must_parse(text).read(&doc).map_err(|e| e.message)
}

fn must_read(text: &str, doc: Value) -> Value {
    read(text, doc).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn books() -> Value {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Rees", "title": "Sayings", "price": 8.95},
                {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99},
                {"category": "fiction", "author": "Melville", "title": "Moby", "isbn": "0-553",
                 "price": 8.99},
                {"category": "fiction", "author": "Tolkien", "title": "Lord", "isbn": "0-395",
                 "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })
}

#[test]
fn roots_are_input_context_and_variables() {
    assert_eq!(must_parse("$").root(), &Root::Input);
    assert_eq!(must_parse("$.a").root(), &Root::Input);
    assert_eq!(must_parse("$['a']").root(), &Root::Input);
    assert_eq!(must_parse("$$").root(), &Root::Context);
    assert_eq!(must_parse("$$.Execution.Id").root(), &Root::Context);
    assert_eq!(must_parse("$x").root(), &Root::Variable("x".into()));
    assert_eq!(
        must_parse("$constant_obj.in_obj_constant_lst").root(),
        &Root::Variable("constant_obj".into())
    );
    assert_eq!(
        must_parse("$order.items[0]").root(),
        &Root::Variable("order".into())
    );
}

#[test]
fn invalid_paths_are_rejected() {
    // validation/invalid: asl-validator/invalid-json-path, statelint/parameter-path-problems,
    // asl-validator/invalid-exercise-ajv.asl.
    for bad in [
        ".guid",
        "..guid",
        "()",
        "$...",
        "$$23",
        "23",
        "bug$.library.movies",
        "not a path",
        "",
        "$.",
        "$..",
        "$[",
        "$[]",
        "$['a'",
        "$.a b",
        "$[0:1:0]",
        "$.a.nosuchfunction()",
        "$.length().a",
        "$[?(@.a ==)]",
        "$[?(@.a =~ /[/)]",
    ] {
        assert!(Path::parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn valid_paths_from_the_validation_cases_parse() {
    for good in [
        "$.input-foo-bar",
        "$.delivery-partner",
        "$$.Execution.Input.input-value",
        "$.b[23]",
        "$.x.y.z[2]",
        "$$.g5",
        "$.books[-2]",
        "$[(@.length-1)].bar",
        "$.DescribeRecord.RecordOutputs[?(@.OutputKey == FooBar)].OutputValue",
        "$.abc.['def ghi']",
        "$..book[?(@.price < 10 && @.category == 'fiction')].title",
        "$.a[?(!@.b || (@.c =~ /x.*/i))]",
        "$[1:5:2]",
        "$['a', 'b']",
        "$[\"a\",\"b\"]",
        "$.arr.length()",
        " $.a ",
    ] {
        assert!(
            Path::parse(good).is_ok(),
            "{good:?} should parse: {:?}",
            Path::parse(good)
        );
    }
}

#[test]
fn definite_array_access_reads_the_element() {
    // base/test_json_path_array_access/$.items[0] and $.items[10].
    let items: Vec<Value> = (0..=10).map(|i| json!({"item_key": i})).collect();
    let doc = json!({"items": items});
    assert_eq!(must_read("$.items[0]", doc.clone()), json!({"item_key": 0}));
    assert_eq!(
        must_read("$.items[10]", doc.clone()),
        json!({"item_key": 10})
    );
    assert_eq!(must_read("$.items[-1]", doc), json!({"item_key": 10}));
}

#[test]
fn indefinite_paths_over_missing_data_give_an_empty_array() {
    // base/test_json_path_array_wildcard_or_slice_with_no_input/*.
    for text in [
        "$[*]",
        "$.items[*]",
        "$.items[*].itemValue",
        "$.items[:1]",
        "$.items[1:]",
        "$.items[1:].itemValue",
        "$.items[:1].itemValue",
        "$.item.items[:1]",
        "$.item.items[1:5]",
        "$.item.items[1:5].itemValue",
    ] {
        assert!(!must_parse(text).is_definite(), "{text}");
        assert_eq!(must_read(text, json!({})), json!([]), "{text}");
    }
}

#[test]
fn filter_selects_matching_objects() {
    // base/test_state_pass_regex_json_path_base.
    let doc = json!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
    assert_eq!(
        must_read("$.users[?(@.status == 0)]", doc),
        json!([{"year": 1997, "status": 0}])
    );
}

#[test]
fn bracket_names_keep_backslashes_verbatim() {
    // scenarios/test_escape_sequence_parsing/ESCAPE_SEQUENCES_JSONPATH.
    let doc = json!({"Test\\\"\"Name\"": "Value\"\\"});
    assert_eq!(must_read("$['Test\\\"\"Name\"']", doc), json!("Value\"\\"));
}

#[test]
fn missing_leaf_reports_no_results_with_the_normalised_path() {
    // scenarios/test_invalid_jsonpath/ST.INVALID_JSONPATH_IN_OUTPUTPATH.
    assert_eq!(
        read("$.NoSuchOutputPath", json!({"int-literal": 0})),
        Err("No results for path: $['NoSuchOutputPath']".into())
    );
    assert_eq!(
        read("$.a.b", json!({"a": {}})),
        Err("No results for path: $['a']['b']".into())
    );
    assert_eq!(
        read("$.a[3]", json!({"a": [1]})),
        Err("No results for path: $['a'][3]".into())
    );
}

#[test]
fn missing_intermediate_reports_missing_property() {
    // error_handling/test_catch_states_runtime (cases-tasks).
    assert_eq!(
        read("$.no.such.result.path", json!({})),
        Err("Missing property in path $['no']".into())
    );
}

#[test]
fn descending_into_a_scalar_reports_the_java_class() {
    assert_eq!(
        read("$.a.b", json!({"a": "text"})),
        Err(
            "Expected to find an object with property ['b'] in path $['a'] but found \
             'java.lang.String'. This is not a json object according to the JsonProvider: \
             'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."
                .into()
        )
    );
    assert_eq!(
        read("$.a[0].b", json!({"a": {"x": 1}})),
        Err("Filter: [0]['b'] can only be applied to arrays. Current context is: {\"x\":1}".into())
    );
    assert_eq!(
        read("$.a[0]", json!({"a": null})),
        Err("The path $['a'] is null".into())
    );
}

#[test]
fn resolve_for_path_field_words_the_cause_as_aws_does() {
    // scenarios/test_invalid_jsonpath/ST.INVALID_JSONPATH_IN_OUTPUTPATH and
    // ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH (cases-tasks).
    let input = json!({"int-literal": 0});
    let context = json!({});
    let scope = Scope::new(&input, &context, &NoVariables);
    let failure = must_parse("$.NoSuchOutputPath")
        .resolve_for_path_field(&scope)
        .unwrap_err();
    assert_eq!(failure.error, "States.Runtime");
    assert_eq!(
        failure.cause.as_deref(),
        Some("Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']")
    );
}

#[test]
fn resolve_for_field_quotes_the_compact_input() {
    // scenarios/test_invalid_jsonpath/INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH and
    // ST.INVALID_JSONPATH_IN_CAUSEPATH.
    let input = json!({"int-literal": 0});
    let context = json!({"Execution": {"Input": {"int-literal": 0}}});
    let scope = Scope::new(&input, &context, &NoVariables);
    let failure = must_parse("$$.Execution.Input.no_such_jsonpath")
        .resolve_for_field(&scope, "value.$")
        .unwrap_err();
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
fn paths_over_a_null_input_fail_with_the_null_input_cause() {
    let input = Value::Null;
    let context = json!({"State": {"Name": "s"}});
    let scope = Scope::new(&input, &context, &NoVariables);
    let failure = must_parse("$")
        .resolve_for_field(&scope, "Input.$")
        .unwrap_err();
    assert_eq!(failure.cause.as_deref(), Some(NULL_INPUT_CAUSE));
    assert_eq!(
        must_parse("$").resolve_for_path_field(&scope),
        Ok(Value::Null)
    );
    assert!(must_parse("$.a").resolve_for_path_field(&scope).is_err());
    assert_eq!(
        must_parse("$$.State.Name").resolve_for_field(&scope, "n.$"),
        Ok(json!("s"))
    );
}

#[test]
fn context_and_variable_roots_read_their_documents() {
    // context_object/test_input_path, assign_variables/test_base_cases/BASE_VAR.
    let input = json!({"input-value": 0});
    let context = json!({"Execution": {"Input": {"input-value": 0}}, "State": {"Name": "S"}});
    let mut variables = Map::new();
    variables.insert(
        "constant_obj".into(),
        json!({"in_obj_constant_lst": [null, 0]}),
    );
    let scope = Scope::new(&input, &context, &variables);
    assert_eq!(must_parse("$$").resolve(&scope), Some(context.clone()));
    assert_eq!(
        must_parse("$$.Execution.Input").resolve(&scope),
        Some(input.clone())
    );
    assert_eq!(
        must_parse("$$.Execution.Input.input-value").resolve(&scope),
        Some(json!(0))
    );
    assert_eq!(
        must_parse("$constant_obj.in_obj_constant_lst").resolve(&scope),
        Some(json!([null, 0]))
    );
    assert_eq!(
        must_parse("$constant_obj").resolve(&scope),
        variables.get("constant_obj").cloned()
    );
    assert_eq!(must_parse("$noSuchVar").resolve(&scope), None);
    assert_eq!(must_parse("$noSuchVar.noSuchMember").resolve(&scope), None);
}

#[test]
fn union_of_names_as_the_last_step_merges_into_an_object() {
    // As AWS answers `InputPath: "$['a', 'b']"` (Jayway's multi-property merge).
    let doc = json!({"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}});
    assert!(must_parse("$['a', 'b']").is_definite());
    assert_eq!(
        must_read("$['a', 'b']", doc.clone()),
        json!({"a": {"v": 1}, "b": {"v": 2}})
    );
    assert_eq!(must_read("$['a', 'b'].v", doc), json!([1, 2]));
}

#[test]
fn wildcards_slices_unions_and_deep_scans_gather_in_document_order() {
    let doc = books();
    assert_eq!(
        must_read("$.store.book[*].author", doc.clone()),
        json!(["Rees", "Waugh", "Melville", "Tolkien"])
    );
    assert_eq!(
        must_read("$..author", doc.clone()),
        json!(["Rees", "Waugh", "Melville", "Tolkien"])
    );
    assert_eq!(must_read("$.store.*.color", doc.clone()), json!(["red"]));
    assert_eq!(
        must_read("$..price", doc.clone()),
        json!([8.95, 12.99, 8.99, 22.99, 19.95])
    );
    assert_eq!(must_read("$..book[2].title", doc.clone()), json!(["Moby"]));
    assert_eq!(
        must_read("$..book[-1:].title", doc.clone()),
        json!(["Lord"])
    );
    assert_eq!(
        must_read("$..book[0,1].title", doc.clone()),
        json!(["Sayings", "Sword"])
    );
    assert_eq!(
        must_read("$.store.book[:2].title", doc.clone()),
        json!(["Sayings", "Sword"])
    );
    assert_eq!(
        must_read("$.store.book[::2].title", doc.clone()),
        json!(["Sayings", "Moby"])
    );
    assert_eq!(
        must_read("$..book[?(@.isbn)].title", doc.clone()),
        json!(["Moby", "Lord"])
    );
    assert_eq!(
        must_read("$.store.book[?(@.price < $.expensive)].title", doc.clone()),
        json!(["Sayings", "Moby"])
    );
    assert_eq!(
        must_read("$..[?(@.color)].price", doc.clone()),
        json!([19.95])
    );
    assert_eq!(must_read("$.store..color", doc), json!(["red"]));
}

#[test]
fn deep_scan_visits_parents_before_children() {
    let doc = json!({"a": {"x": 1, "b": {"x": 2}}, "c": [{"x": 3}, [{"x": 4}]], "x": 0});
    assert_eq!(must_read("$..x", doc), json!([0, 1, 2, 3, 4]));
}

#[test]
fn filter_operators_follow_jayway() {
    let doc = json!({"items": [
        {"n": 1, "s": "a", "tags": ["x", "y"]},
        {"n": 2.0, "s": "bc", "tags": []},
        {"n": "3", "s": "Bd"},
        {"s": "e"}
    ]});
    let titles =
        |filter: &str| -> Value { must_read(&format!("$.items[?({filter})].s"), doc.clone()) };
    assert_eq!(titles("@.n == 2"), json!(["bc"]));
    assert_eq!(titles("@.n == 3"), json!(["Bd"]));
    assert_eq!(titles("@.n != 1"), json!(["bc", "Bd", "e"]));
    assert_eq!(titles("@.n >= 2"), json!(["bc"]));
    assert_eq!(titles("@.s > 'b'"), json!(["bc", "e"]));
    assert_eq!(titles("@.s =~ /b.*/i"), json!(["bc", "Bd"]));
    assert_eq!(titles("@.s =~ /b/"), json!([]));
    assert_eq!(titles("@.s in ['a', 'e']"), json!(["a", "e"]));
    assert_eq!(titles("@.s nin ['a', 'e']"), json!(["bc", "Bd"]));
    assert_eq!(titles("@.tags contains 'x'"), json!(["a"]));
    assert_eq!(titles("@.tags size 2"), json!(["a"]));
    assert_eq!(titles("@.tags empty true"), json!(["bc"]));
    assert_eq!(
        titles("@.tags subsetof ['x', 'y', 'z']"),
        json!(["a", "bc"])
    );
    assert_eq!(titles("@.tags anyof ['y']"), json!(["a"]));
    assert_eq!(titles("@.tags noneof ['y']"), json!(["bc"]));
    assert_eq!(titles("!@.n"), json!(["e"]));
    assert_eq!(
        titles("@.n && (@.s == 'a' || @.s == 'Bd')"),
        json!(["a", "Bd"])
    );
}

#[test]
fn filter_current_node_matches_objects_only() {
    // AWS documents that `@` "does not match scalar values. It only matches objects."
    assert_eq!(
        must_read("$.a[?(@ > 1)]", json!({"a": [1, 2, 3]})),
        json!([])
    );
}

#[test]
fn path_functions_apply_to_what_precedes_them() {
    let doc = json!({"arr": [1, 2, 3, 4], "obj": {"a": 1, "b": 2}, "s": "héllo"});
    assert_eq!(must_read("$.arr.length()", doc.clone()), json!(4));
    assert_eq!(must_read("$.obj.keys()", doc.clone()), json!(["a", "b"]));
    assert_eq!(must_read("$.s.length()", doc.clone()), json!(5));
    assert_eq!(must_read("$.arr.sum()", doc.clone()), json!(10.0));
    assert_eq!(must_read("$.arr.avg()", doc.clone()), json!(2.5));
    assert_eq!(must_read("$.arr.max()", doc.clone()), json!(4.0));
    assert_eq!(must_read("$.arr.first()", doc.clone()), json!(1));
    assert_eq!(must_read("$.obj.*.length()", doc.clone()), json!(2));
    assert!(read("$.obj.min()", doc).is_err());
}

#[test]
fn script_index_counts_from_the_end() {
    // validation/valid: asl-validator/valid-path-array-context.
    assert_eq!(
        must_read("$[(@.length-1)].bar", json!([{"bar": 1}, {"bar": 2}])),
        json!(2)
    );
}

#[test]
fn reference_paths_reject_what_can_select_several_nodes() {
    for (text, word) in [
        ("$.a[*]", "wildcards"),
        ("$.a.*", "wildcards"),
        ("$..a", "deep scans"),
        ("$.a[0,1]", "unions"),
        ("$['a','b']", "unions"),
        ("$.a[1:2]", "slices"),
        ("$.a[?(@.b)]", "filters"),
        ("$.a.length()", "functions"),
    ] {
        let err = Path::parse_reference(text).unwrap_err();
        assert!(err.message.contains(word), "{text}: {}", err.message);
    }
    for good in [
        "$",
        "$.a",
        "$['a b'].c[0]",
        "$.books[-2]",
        "$$.Execution.Id",
        "$var.x",
    ] {
        assert!(Path::parse_reference(good).is_ok(), "{good}");
    }
}

#[test]
fn assign_replaces_or_creates_members() {
    let mut doc = json!({"a": 1});
    must_parse("$").assign(&mut doc, json!("all")).unwrap();
    assert_eq!(doc, json!("all"));

    let mut doc = json!({"a": 1});
    must_parse("$.b.c.d").assign(&mut doc, json!(2)).unwrap();
    assert_eq!(doc, json!({"a": 1, "b": {"c": {"d": 2}}}));

    let mut doc = json!({"a": {"keep": true, "x": 0}});
    must_parse("$.a.x").assign(&mut doc, json!([1])).unwrap();
    assert_eq!(doc, json!({"a": {"keep": true, "x": [1]}}));

    let mut doc = json!({"arr": [1, 2, 3]});
    must_parse("$.arr[-1]")
        .assign(&mut doc, json!("z"))
        .unwrap();
    assert_eq!(doc, json!({"arr": [1, 2, "z"]}));

    let mut doc = json!({});
    must_parse("$['with space']")
        .assign(&mut doc, json!(1))
        .unwrap();
    assert_eq!(doc, json!({"with space": 1}));
}

#[test]
fn result_path_into_string_input_fails_with_a_reference_path_conflict() {
    let mut doc = json!("input1");
    let err = must_parse("$.someTaskResult")
        .assign(&mut doc, json!(1))
        .unwrap_err();
    // The wording AWS uses for this situation.
    assert_eq!(
        err.message,
        "Unable to apply ReferencePath $.someTaskResult to input \"input1\""
    );
    assert_eq!(err.to_failure().error, "States.ReferencePathConflict");
    assert_eq!(doc, json!("input1"));
}

#[test]
fn assign_fails_without_changing_the_target_when_it_meets_a_non_object() {
    for (path, doc) in [
        ("$.a.b", json!({"a": 1})),
        ("$.a.b.c", json!({"a": {"b": "s"}})),
        ("$.a[5]", json!({"a": [1]})),
        ("$.a[0]", json!({})),
        ("$.a[0].b", json!({"a": {}})),
        ("$$.x", json!({})),
        ("$v.x", json!({})),
    ] {
        let mut target = doc.clone();
        assert!(
            must_parse(path).assign(&mut target, json!(0)).is_err(),
            "{path}"
        );
        assert_eq!(target, doc, "{path}");
    }
}
