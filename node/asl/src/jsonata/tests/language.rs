//! Language features over a small order document, with the results JSONata 2.0.6 gives.

use serde_json::{Value as Json, json};

use super::api::try_eval;

fn document() -> Json {
    serde_json::from_str(DOCUMENT).expect("the test document is JSON")
}

const DOCUMENT: &str = r#"{
  "shop": "Cairn Outfitters",
  "orders": [
    {
      "id": "A-1",
      "items": [
        {
          "name": "Rope",
          "sku": "R10",
          "price": 12.5,
          "qty": 2,
          "spec": {
            "length": 30,
            "colour": "red"
          }
        },
        {
          "name": "Lamp",
          "sku": "L20",
          "price": 40,
          "qty": 1,
          "spec": {
            "length": 0.2,
            "colour": "black"
          }
        }
      ]
    },
    {
      "id": "A-2",
      "items": [
        {
          "name": "Rope",
          "sku": "R10",
          "price": 12.5,
          "qty": 3,
          "spec": {
            "length": 30,
            "colour": "red"
          }
        },
        {
          "name": "Tent",
          "sku": "T30",
          "price": 150,
          "qty": 1,
          "spec": {
            "length": 2.5,
            "colour": "green"
          }
        }
      ]
    },
    {
      "id": "A-3",
      "items": {
        "name": "Map",
        "sku": "M40",
        "price": 8,
        "qty": 4,
        "spec": {
          "colour": "white"
        }
      }
    }
  ]
}"#;

fn check(cases: &[(&str, Option<Json>)]) {
    for (source, expected) in cases {
        let got = try_eval(source, document()).unwrap_or_else(|e| panic!("{source}: {e}"));
        assert_eq!(&got, expected, "{source}");
    }
}

#[test]
fn paths_predicates_constructors_and_operators_behave_as_in_jsonata() {
    check(&[
        (
            r#"orders.items.price"#,
            Some(json!([12.5, 40, 12.5, 150, 8])),
        ),
        (r#"orders[0].items[0].price"#, Some(json!(12.5))),
        (r#"orders.items[0].price"#, Some(json!([12.5, 12.5, 8]))),
        (r#"orders[0].id[]"#, Some(json!(["A-1"]))),
        (
            r#"orders.items[price > 30].name"#,
            Some(json!(["Lamp", "Tent"])),
        ),
        (r#"*.id"#, Some(json!(["A-1", "A-2", "A-3"]))),
        (
            r#"**.sku"#,
            Some(json!(["R10", "L20", "R10", "T30", "M40"])),
        ),
        (
            r#"orders.items.{ 'name': name, 'order': %.id }"#,
            Some(
                json!([{"name": "Rope", "order": "A-1"}, {"name": "Lamp", "order": "A-1"}, {"name": "Rope", "order": "A-2"}, {"name": "Tent", "order": "A-2"}, {"name": "Map", "order": "A-3"}]),
            ),
        ),
        (r#"orders@$o.items@$p.{ 'o': $o.id, 'p': $p.sku }"#, None),
        (
            r#"orders#$i.items.{ 'i': $i, 'sku': sku }"#,
            Some(
                json!([{"i": 0, "sku": "R10"}, {"i": 0, "sku": "L20"}, {"i": 1, "sku": "R10"}, {"i": 1, "sku": "T30"}, {"i": 2, "sku": "M40"}]),
            ),
        ),
        (
            r#"orders.items{ name: $sum(price) }"#,
            Some(json!({"Rope": 25, "Lamp": 40, "Tent": 150, "Map": 8})),
        ),
        (
            r#"orders.items^(>price).sku"#,
            Some(json!(["T30", "L20", "R10", "R10", "M40"])),
        ),
        (
            r#"orders.items^(qty, >price).price"#,
            Some(json!([150, 40, 12.5, 12.5, 8])),
        ),
        (r#"[orders.items.price][[0, 2]]"#, Some(json!([12.5, 12.5]))),
        (
            r#"orders.items[-1].sku"#,
            Some(json!(["L20", "T30", "M40"])),
        ),
        (r#"[1..5].($ * $)"#, Some(json!([1, 4, 9, 16, 25]))),
        (r#"[1, [2, 3], [[4]]]"#, Some(json!([1, [2, 3], [[4]]]))),
        (
            r#"[1, 2, 3].[$, $ * 10]"#,
            Some(json!([[1, 10], [2, 20], [3, 30]])),
        ),
        (r#"{ 'a': 1, 'b': [1, 2] }.b"#, Some(json!([1, 2]))),
        (r#"orders.items.price ~> $sum()"#, Some(json!(223))),
        (
            r#"($f := function($x, $y) { $x * $y }; $f(3, 4))"#,
            Some(json!(12)),
        ),
        (
            r#"($add := function($x) { function($y) { $x + $y } }; $add(2)(3))"#,
            Some(json!(5)),
        ),
        (
            r#"($double := $map(?, function($v) { $v * 2 }); $double([1, 2, 3]))"#,
            Some(json!([2, 4, 6])),
        ),
        (
            r#"($fact := function($n) { $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(10))"#,
            Some(json!(3628800)),
        ),
        (
            r#"orders[0].items[0].price > 30 ? 'expensive' : 'cheap'"#,
            Some(json!("cheap")),
        ),
        (
            r#"'Hello' & ' ' & 42 & true & null"#,
            Some(json!("Hello 42truenull")),
        ),
        (r#"1 in [1, 2, 3]"#, Some(json!(true))),
        (r#""b" in "abc""#, Some(json!(false))),
        (
            r#"orders.items ~> |$|{'Total': price * qty}, ['spec']|"#,
            Some(
                json!([{"name": "Rope", "sku": "R10", "price": 12.5, "qty": 2, "Total": 25}, {"name": "Lamp", "sku": "L20", "price": 40, "qty": 1, "Total": 40}, {"name": "Rope", "sku": "R10", "price": 12.5, "qty": 3, "Total": 37.5}, {"name": "Tent", "sku": "T30", "price": 150, "qty": 1, "Total": 150}, {"name": "Map", "sku": "M40", "price": 8, "qty": 4, "Total": 32}]),
            ),
        ),
        (
            r#"$ ~> |orders.items|{'price': price * 2}|"#,
            Some(
                json!({"shop": "Cairn Outfitters", "orders": [{"id": "A-1", "items": [{"name": "Rope", "sku": "R10", "price": 25, "qty": 2, "spec": {"length": 30, "colour": "red"}}, {"name": "Lamp", "sku": "L20", "price": 80, "qty": 1, "spec": {"length": 0.2, "colour": "black"}}]}, {"id": "A-2", "items": [{"name": "Rope", "sku": "R10", "price": 25, "qty": 3, "spec": {"length": 30, "colour": "red"}}, {"name": "Tent", "sku": "T30", "price": 300, "qty": 1, "spec": {"length": 2.5, "colour": "green"}}]}, {"id": "A-3", "items": {"name": "Map", "sku": "M40", "price": 16, "qty": 4, "spec": {"colour": "white"}}}]}),
            ),
        ),
        (r#"[1..3, 5]"#, Some(json!([1, 2, 3, 5]))),
        (
            r#"orders.items.(price * 2)[0]"#,
            Some(json!([25, 80, 25, 300, 16])),
        ),
        (r#"(orders.items)[0].sku"#, Some(json!("R10"))),
        (
            r#"orders.items.sku[0]"#,
            Some(json!(["R10", "L20", "R10", "T30", "M40"])),
        ),
        (
            r#"orders{id: $count(items)}"#,
            Some(json!({"A-1": 2, "A-2": 2, "A-3": 1})),
        ),
        (r#"$.shop"#, Some(json!("Cairn Outfitters"))),
        (r#"$$.orders[0].id"#, Some(json!("A-1"))),
        (r#"0.1 + 0.2"#, Some(json!(0.30000000000000004))),
        (r#"10 % 3 & ',' & -10 % 3"#, Some(json!("1,-1"))),
        (
            r#"orders[id = 'A-1'].items.spec.colour"#,
            Some(json!(["red", "black"])),
        ),
        (
            r#"orders.items[spec.length > 1][0].sku"#,
            Some(json!(["R10", "R10"])),
        ),
    ]);
}

#[test]
fn built_in_functions_behave_as_in_jsonata() {
    check(&[
        (r#"$count(orders.items)"#, Some(json!(5))),
        (r#"$sum(orders.items.(price * qty))"#, Some(json!(284.5))),
        (
            r#"$string(orders[0].items[0])"#,
            Some(json!(
                "{\"name\":\"Rope\",\"sku\":\"R10\",\"price\":12.5,\"qty\":2,\"spec\":{\"length\":30,\"colour\":\"red\"}}"
            )),
        ),
        (
            r#"$string({'a': 1.0, 'b': [true, null]}, true)"#,
            Some(json!(
                "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}"
            )),
        ),
        (
            r#"$uppercase(shop) ~> $substring(0, 4)"#,
            Some(json!("CAIR")),
        ),
        (
            r#"$replace('2023-01-15', /(\d+)-(\d+)-(\d+)/, '$3/$2/$1')"#,
            Some(json!("15/01/2023")),
        ),
        (
            r#"$match('a1b22c333', /\d+/).match"#,
            Some(json!(["1", "22", "333"])),
        ),
        (r#"$split('a, b,c', /,\s*/)"#, Some(json!(["a", "b", "c"]))),
        (
            r#"$sort(orders.items.price)"#,
            Some(json!([8, 12.5, 12.5, 40, 150])),
        ),
        (
            r#"$reduce([1, 2, 3, 4], function($acc, $v) { $acc + $v }, 10)"#,
            Some(json!(20)),
        ),
        (
            r#"$filter(orders.items, function($p) { $p.qty > 1 }).sku"#,
            Some(json!(["R10", "R10", "M40"])),
        ),
        (
            r#"$each({'a': 1, 'b': 2}, function($v, $k) { $k & '=' & $v })"#,
            Some(json!(["a=1", "b=2"])),
        ),
        (
            r#"$keys(orders.items)"#,
            Some(json!(["name", "sku", "price", "qty", "spec"])),
        ),
        (
            r#"$lookup(orders.items, 'sku')"#,
            Some(json!(["R10", "L20", "R10", "T30", "M40"])),
        ),
        (
            r#"$spread({'a': 1, 'b': 2})"#,
            Some(json!([{"a": 1}, {"b": 2}])),
        ),
        (
            r#"$merge([{'a': 1}, {'b': 2}, {'a': 3}])"#,
            Some(json!({"a": 3, "b": 2})),
        ),
        (
            r#"$zip([1, 2, 3], ['a', 'b'])"#,
            Some(json!([[1, "a"], [2, "b"]])),
        ),
        (
            r#"$distinct([1, 2, 1, 'a', 'a', {'x': 1}, {'x': 1}])"#,
            Some(json!([1, 2, "a", {"x": 1}])),
        ),
        (r#"$type(orders)"#, Some(json!("array"))),
        (r#"$boolean([0, ''])"#, Some(json!(false))),
        (r#"$exists(Account.Missing)"#, Some(json!(false))),
        (
            r#"$formatNumber(1234567.891, '#,##0.00')"#,
            Some(json!("1,234,567.89")),
        ),
        (r#"$formatInteger(2024, 'I')"#, Some(json!("MMXXIV"))),
        (
            r#"$fromMillis(1700000000000, '[FNn], [D1o] [MNn] [Y] at [h]:[m01][P]')"#,
            Some(json!("Tuesday, 14th November 2023 at 10:13pm")),
        ),
        (
            r#"$toMillis('2023-11-14T22:13:20Z')"#,
            Some(json!(1_700_000_000_000_i64)),
        ),
        (
            r#"$round(2.5) & ',' & $round(3.5) & ',' & $round(1.2345, 2)"#,
            Some(json!("2,4,1.23")),
        ),
        (r#"$pad('7', -3, '0')"#, Some(json!("007"))),
        (r#"$trim('  a   b  ')"#, Some(json!("a b"))),
        (r#"$substringAfter('key=value', '=')"#, Some(json!("value"))),
        (
            r#"$base64encode('Hello') & ' ' & $base64decode('SGVsbG8=')"#,
            Some(json!("SGVsbG8= Hello")),
        ),
        (
            r#"$encodeUrlComponent('a b&c') & ' ' & $decodeUrl('a%20b')"#,
            Some(json!("a%20b%26c a b")),
        ),
        (
            r#"$single([1, 2, 3], function($v) { $v = 2 })"#,
            Some(json!(2)),
        ),
        (r#"$number('0x10') + $number('1e2')"#, Some(json!(116))),
        (
            r#"$sift({'a': 1, 'b': null, 'c': 'x'}, function($v) { $v })"#,
            Some(json!({"a": 1, "c": "x"})),
        ),
        (r#"$string(1/3)"#, Some(json!("0.333333333333333"))),
        (r#"$string(0.1 + 0.2)"#, Some(json!("0.3"))),
        (r#"$max([1, 5, 3]) - $min([4, 2])"#, Some(json!(3))),
        (r#"$average([1, 2, 3, 4])"#, Some(json!(2.5))),
        (r#"$abs(-5) + $floor(2.7) + $ceil(2.1)"#, Some(json!(10))),
        (r#"$formatBase(255, 2)"#, Some(json!("11111111"))),
        (
            r#"$parseInteger('twelve thousand', 'w')"#,
            Some(json!(12000)),
        ),
        (r#"$length('😀ab')"#, Some(json!(3))),
        (r#"$contains('abc', 'bc')"#, Some(json!(true))),
        (r#"$count([]) & $count(undefined)"#, Some(json!("00"))),
    ]);
}

#[test]
fn errors_carry_jsonata_codes_and_messages() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"($inc := function($n)<n:n> { $n + 1 }; $inc('a'))"#,
            "T0410",
            r#"Argument 1 of function "inc" does not match function signature"#,
        ),
        (r#"$assert(false, 'nope')"#, "D3141", r#"nope"#),
        (r#"$error('custom failure')"#, "D3137", r#"custom failure"#),
        (
            r#"1 + 'a'"#,
            "T2002",
            r#"The right side of the "+" operator must evaluate to a number"#,
        ),
        (
            r#"orders.items.price + 1"#,
            "T2001",
            r#"The left side of the "+" operator must evaluate to a number"#,
        ),
        (
            r#"$unknown(1)"#,
            "T1006",
            r#"Attempted to invoke a non-function"#,
        ),
        (
            r#"sum(1)"#,
            "T1005",
            r#"Attempted to invoke a non-function. Did you mean $sum?"#,
        ),
        (
            r#"{'a': 1, 'a': 2}"#,
            "D1009",
            r#"Multiple key definitions evaluate to same key: "a""#,
        ),
        (
            r#"{1: 2}"#,
            "T1003",
            r#"Key in object structure must evaluate to a string; got: 1"#,
        ),
        (
            r#"$sqrt(-1)"#,
            "D3060",
            r#"The sqrt function cannot be applied to a negative number: -1"#,
        ),
        (
            r#"$power(10, 400)"#,
            "D3061",
            r#"The power function has resulted in a value that cannot be represented as a JSON number: base=10, exponent=400"#,
        ),
        (
            r#"-'a'"#,
            "D1002",
            r#"Cannot negate a non-numeric value: "a""#,
        ),
        (
            r#"1 < 'a'"#,
            "T2009",
            r#"The values 1 and "a" either side of operator "<" must be of the same data type"#,
        ),
        (
            r#"[1, 2] < 3"#,
            "T2010",
            r#"The expressions either side of operator "<" must evaluate to numeric or string values"#,
        ),
        (
            r#"$substring(1)"#,
            "T0411",
            r#"Context value is not a compatible type with argument 1 of function "substring""#,
        ),
        (
            r#"$join(['a', 1])"#,
            "T0412",
            r#"Argument 1 of function "join" must be an array of "strings""#,
        ),
    ];
    for (source, code, message) in cases {
        let err = try_eval(source, document()).expect_err(source);
        assert_eq!(
            (err.code, err.message.as_str()),
            (*code, *message),
            "{source}"
        );
    }
}
