//! Property tests: whatever the expression text and the input, parsing and evaluating return
//! a value or an error; they never panic.

use proptest::prelude::*;
use serde_json::Value as Json;

use crate::jsonata::{Environment, Expression, Limits};
use crate::rand::Rng;
use crate::scope::NoVariables;
use crate::time::Timestamp;

const TOKENS: &[&str] = &[
    "a",
    "b",
    "$",
    "$$",
    "$x",
    "$f",
    ".",
    "..",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    ";",
    ":",
    ":=",
    "?",
    "*",
    "**",
    "%",
    "+",
    "-",
    "/",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&",
    "and",
    "or",
    "in",
    "~>",
    "^(",
    "@",
    "#",
    "|",
    "1",
    "0",
    "-1",
    "2.5",
    "1e3",
    "'s'",
    "\"t\"",
    "true",
    "false",
    "null",
    "function($v)",
    "function($a, $b)",
    "<n-:n>",
    "$sum",
    "$map",
    "$string",
    "$count",
    "$reduce",
    "$sort",
    "$filter",
    "$lookup",
    "$keys",
    "$substring",
    "$replace",
    "$split",
    "$match",
    "$formatNumber",
    "$fromMillis",
    "$toMillis",
    "$each",
    "$zip",
    "$spread",
    "/a+/",
    "/[b-d]/i",
    "$partition",
    "$range",
    "$hash",
    "$parse",
    "$random",
    "$uuid",
    "`k`",
    " ",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|tokens| tokens.concat())
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-1000i64..1000).prop_map(Json::from),
        (-1e6f64..1e6).prop_map(Json::from),
        "[a-c ]{0,4}".prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-c]", inner), 0..4)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

/// Well-formed expressions built from the grammar, so that evaluation (not just parsing)
/// gets exercised.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "a",
        "b.c",
        "$",
        "$$",
        "*",
        "**",
        "%.a",
        "1",
        "-2.5",
        "'x'",
        "true",
        "null",
        "[]",
        "{}",
        "$x",
        "[1..3]",
        "/b+/",
        "$now()",
        "$random()",
        "$uuid()",
    ])
    .prop_map(str::to_string);
    leaf.prop_recursive(4, 48, 3, |inner| {
        let two = (inner.clone(), inner.clone());
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["a", "b", "*", "$", "%"])
            )
                .prop_map(|(e, s)| format!("{e}.{s}")),
            (inner.clone(), inner.clone()).prop_map(|(e, p)| format!("{e}[{p}]")),
            (
                two.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "=", "<", "&", "and", "in", "..", "~>"
                ])
            )
                .prop_map(|((l, r), op)| format!("({l}) {op} ({r})")),
            inner.clone().prop_map(|e| format!("[{e}, {e}]")),
            two.clone().prop_map(|(k, v)| format!("{{{k}: {v}}}")),
            two.clone()
                .prop_map(|(e, k)| format!("({e}){{$string({k}): $}}")),
            inner.clone().prop_map(|e| format!("($x := {e}; $x.a)")),
            inner.clone().prop_map(|e| format!("{e}@$v#$i.$v")),
            inner.clone().prop_map(|e| format!("{e}^(>$)")),
            two.clone().prop_map(|(c, t)| format!("{c} ? {t} : {c}")),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "$string",
                    "$count",
                    "$sum",
                    "$keys",
                    "$reverse",
                    "$distinct",
                    "$sort",
                    "$spread",
                    "$uppercase",
                    "$number",
                    "$boolean",
                    "$type",
                    "$merge",
                    "$exists",
                    "$length",
                ])
            )
                .prop_map(|(e, f)| format!("{f}({e})")),
            inner
                .clone()
                .prop_map(|e| format!("$map({e}, function($v, $i){{ [$v, $i] }})")),
            inner
                .clone()
                .prop_map(|e| format!("$reduce({e}, function($a, $b){{ $a & $b }})")),
            inner
                .clone()
                .prop_map(|e| format!("$filter({e}, function($v){{ $v }})")),
            inner
                .clone()
                .prop_map(|e| format!("$replace($string({e}), /a|b/, '<$0>')")),
            inner
                .clone()
                .prop_map(|e| format!("$ ~> |{e}|{{'z': 1}}, ['a']|")),
            inner.clone().prop_map(|e| format!(
                "($f := function($n){{ $n > 0 ? $f($n - 1) : {e} }}; $f(3))"
            )),
            inner.prop_map(|e| format!("$formatNumber($count({e}), '#,##0.0')")),
        ]
    })
}

/// Every built-in with arguments of every kind, edge values included.
fn builtin_call() -> impl Strategy<Value = String> {
    const FUNCTIONS: &[&str] = &[
        "sum",
        "count",
        "max",
        "min",
        "average",
        "string",
        "substring",
        "substringBefore",
        "substringAfter",
        "lowercase",
        "uppercase",
        "length",
        "trim",
        "pad",
        "match",
        "contains",
        "replace",
        "split",
        "join",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "floor",
        "ceil",
        "round",
        "abs",
        "sqrt",
        "power",
        "random",
        "boolean",
        "not",
        "map",
        "zip",
        "filter",
        "single",
        "reduce",
        "sift",
        "keys",
        "lookup",
        "append",
        "exists",
        "spread",
        "merge",
        "reverse",
        "each",
        "error",
        "assert",
        "type",
        "sort",
        "shuffle",
        "distinct",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "toMillis",
        "fromMillis",
        "clone",
        "now",
        "millis",
        "partition",
        "range",
        "hash",
        "uuid",
        "parse",
    ];
    const ARGS: &[&str] = &[
        "1",
        "0",
        "-1",
        "2.5",
        "1e308",
        "-1e308",
        "1/0",
        "-1/0",
        "$number('0xZZ')",
        "9007199254740993",
        "'abc'",
        "''",
        "'[Y0001]-[M01]'",
        "'#,##0.00'",
        "'w'",
        "'I'",
        "'%ZZ'",
        "'{\"a\": 1}'",
        "'😀x'",
        "/a|b/",
        "/x*/",
        "true",
        "null",
        "[]",
        "[1, 2, 3]",
        "['b', 'a']",
        "[{'a': 1}]",
        "{'a': [1, {'b': 2}]}",
        "{}",
        "$",
        "a",
        "function($v){ $v }",
        "function($a, $b){ $a }",
        "$string",
        "$sum(?)",
        "function($s){ {'match': 'a', 'start': -5, 'end': 99} }",
    ];
    (
        prop::sample::select(FUNCTIONS),
        prop::collection::vec(prop::sample::select(ARGS), 0..5),
    )
        .prop_map(|(function, args)| format!("${function}({})", args.join(", ")))
}

fn run(source: &str, input: &Json) {
    let Ok(expression) = Expression::parse(source) else {
        return;
    };
    let mut rng = Rng::new(7);
    let mut env = Environment {
        variables: &NoVariables,
        now: Timestamp(0),
        rng: &mut rng,
    };
    let limits = Limits {
        max_steps: 50_000,
        ..Limits::default()
    };
    let _ = expression.evaluate_with_limits(Some(input), &mut env, limits);
    let _ = expression.variable_references();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,40}", input in json()) {
        run(&source, &input);
    }

    #[test]
    fn grammar_expressions_never_panic(source in expression(), input in json()) {
        run(&source, &input);
    }

    #[test]
    fn builtins_with_any_arguments_never_panic(source in builtin_call(), input in json()) {
        run(&source, &input);
    }

    #[test]
    fn token_soup_never_panics(source in token_soup(), input in json()) {
        run(&source, &input);
    }
}
