//! No expression or input may crash the caller: runaway recursion, loops and allocations end
//! in JSONata's `U1001` (or the specific error JSONata has) instead.

use serde_json::json;

use super::api::{must_eval, try_eval};
use crate::jsonata::{Environment, Expression, Limits};
use crate::rand::Rng;
use crate::scope::NoVariables;
use crate::time::Timestamp;

/// Evaluates with a small step budget, so that runaway loops stop quickly in tests.
fn code_with_few_steps(source: &str) -> &'static str {
    let expression = Expression::parse(source).expect("parses");
    let mut rng = Rng::new(1);
    let mut env = Environment {
        variables: &NoVariables,
        now: Timestamp(0),
        rng: &mut rng,
    };
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    match expression.evaluate_with_limits(None, &mut env, limits) {
        Ok(value) => panic!("{source}: expected an error, got {value:?}"),
        Err(err) => err.code,
    }
}

fn code_of(source: &str) -> &'static str {
    match try_eval(source, json!(null)) {
        Ok(value) => panic!("{source}: expected an error, got {value:?}"),
        Err(err) => err.code,
    }
}

#[test]
fn infinite_recursion_is_a_stack_overflow_error() {
    assert_eq!(
        code_of("($f := function($n){ $n + $f($n + 1) }; $f(0))"),
        "U1001"
    );
    assert_eq!(code_of("($f := function(){ [$f()] }; $f())"), "U1001");
}

#[test]
fn infinite_tail_recursion_runs_out_of_steps() {
    assert_eq!(
        code_with_few_steps("($f := function($n){ $f($n + 1) }; $f(0))"),
        "U1001"
    );
    assert_eq!(
        code_with_few_steps("$reduce([1..1000000], function($a, $b){ $a + $b })"),
        "U1001"
    );
}

#[test]
fn tail_recursion_runs_in_constant_stack() {
    let source = "($even := function($n) { $n = 0 ? true : $odd($n-1) };
                   $odd := function($n) { $n = 0 ? false : $even($n-1) };
                   $odd(5001))";
    assert_eq!(must_eval(source, json!(null)), Some(json!(true)));
}

#[test]
fn deeply_nested_source_is_refused() {
    let nested = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(code_of(&nested), "U1001");
    let chain = vec!["1"; 200_000].join("+");
    assert_eq!(code_of(&chain), "U1001");
    let negations = format!("{}1", "-".repeat(100_000));
    assert_eq!(code_of(&negations), "U1001");
}

#[test]
fn deeply_nested_values_built_in_a_loop_are_dropped_safely() {
    let source = "$reduce([1..50000], function($acc, $x){ {'next': $acc} }, {})";
    let result = try_eval(source, json!(null));
    // Too deep to turn into JSON, but neither the evaluation nor dropping it may crash.
    assert_eq!(result.unwrap_err().code, "U1001");
}

#[test]
fn ranges_are_bounded() {
    assert_eq!(code_of("[1..10000001]"), "D2014");
    assert_eq!(code_with_few_steps("[1..99999].[1..99999]"), "U1001");
}

#[test]
fn huge_padding_runs_out_of_steps_before_allocating() {
    assert_eq!(code_of("$pad('x', 1e15)"), "U1001");
    assert_eq!(code_of("$formatInteger(1e15, 'I')"), "U1001");
}

#[test]
fn closures_in_cycles_do_not_leak_or_crash() {
    let source = "($f := function($n){ $n > 0 ? $f($n - 1) : 'done' }; $f(100))";
    assert_eq!(must_eval(source, json!(null)), Some(json!("done")));
}

#[test]
fn evaluation_fits_in_a_small_thread_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let deep = "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))";
            try_eval(deep, json!(null)).map_err(|e| e.code)
        })
        .expect("spawning a thread");
    assert_eq!(handle.join().expect("no panic"), Err("U1001"));
}

#[test]
fn numbers_that_never_end_in_words_or_numerals_are_refused() {
    for picture in ["w", "I", "a", "0"] {
        let source = format!("$formatInteger(1/0, '{picture}')");
        assert_eq!(code_of(&source), "D1001", "{source}");
    }
}

#[test]
fn huge_date_picture_widths_are_capped() {
    let result = must_eval("$fromMillis(0, '[Y,99999999]')", json!(null));
    assert_eq!(result.unwrap().as_str().map(str::len), Some(100));
}
