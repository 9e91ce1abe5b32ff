//! Interpreter throughput: state transitions per second for whole executions computed in one
//! call (no tasks), the way a shard leader computes a run of effect-free states.
//!
//! Run with `cargo bench -p asl --bench interpreter`; figures go in docs/BENCHMARKS.md.

use std::hint::black_box;

use asl::Timestamp;
use asl::definition::{Definition, MachineType, ParseOptions, StateMachine};
use asl::interpreter::{self, ExecutionInfo, ExecutionStatus, Limits, Stamp, UnsignedTokens};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

fn must_parse(definition: Value) -> StateMachine {
    Definition::parse(&definition.to_string(), &ParseOptions::default())
        .expect("benchmark definitions are valid")
        .machine
}

fn info() -> ExecutionInfo {
    ExecutionInfo {
        id: "arn:aws:states:us-east-1:123456789012:execution:bench:e".into(),
        name: "e".into(),
        state_machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:bench".into(),
        state_machine_name: "bench".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        region: "us-east-1".into(),
        start_time: Timestamp(0),
        redrive_count: 0,
        machine_type: MachineType::Standard,
    }
}

/// Runs one execution to its end and returns the number of states it entered.
fn run_once(machine: &StateMachine, input: &Value) -> u64 {
    let (exec, _step) = interpreter::start(
        machine,
        info(),
        input.clone(),
        Limits::default(),
        Stamp {
            now: Timestamp(0),
            seed: 7,
        },
        &UnsignedTokens,
    );
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    exec.transitions
}

/// Ten states alternating Pass (with paths) and Choice.
fn pass_choice_chain() -> StateMachine {
    let mut states = serde_json::Map::new();
    for i in 0..10 {
        let name = format!("S{i}");
        let next = format!("S{}", i + 1);
        let state = if i == 9 {
            json!({"Type": "Pass", "Result": {"done": true}, "ResultPath": "$.result", "End": true})
        } else if i % 2 == 0 {
            json!({"Type": "Pass", "Parameters": {"count.$": "$.count", "step": i, "user.$": "$.user"}, "ResultPath": "$.last", "Next": next})
        } else {
            json!({"Type": "Choice", "Choices": [
                {"Variable": "$.count", "NumericGreaterThan": 100, "Next": "S9"},
                {"And": [{"Variable": "$.user.tier", "StringEquals": "gold"}, {"Variable": "$.count", "NumericLessThan": 0}], "Next": "S9"}
            ], "Default": next})
        };
        states.insert(name, state);
    }
    must_parse(json!({"StartAt": "S0", "States": states}))
}

/// An inline Map over 100 items, each shaped by an ItemSelector and a Pass.
fn inline_map() -> StateMachine {
    must_parse(json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "Shape", "States": {"Shape": {"Type": "Pass", "Parameters": {"v.$": "$.value.n", "i.$": "$.index"}, "End": true}}},
                "End": true
            }
        }
    }))
}

/// A JSONata machine that filters, aggregates and reshapes an order.
fn jsonata_heavy() -> StateMachine {
    must_parse(json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Totals",
        "States": {
            "Totals": {
                "Type": "Pass",
                "Assign": {"currency": "{% $states.input.currency %}"},
                "Output": {
                    "total": "{% $sum($states.input.lines.(price * qty)) %}",
                    "skus": "{% $states.input.lines[qty > 1].sku %}",
                    "names": "{% $join($map($states.input.lines, function($l) { $uppercase($l.name) }), ', ') %}",
                    "lines": "{% $states.input.lines %}"
                },
                "Next": "Route"
            },
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.total > 1000 %}", "Next": "Large"}],
                "Default": "Small"
            },
            "Large": {"Type": "Pass", "Output": "{% $merge([$states.input, {'size': 'large', 'currency': $currency}]) %}", "End": true},
            "Small": {"Type": "Pass", "Output": "{% $merge([$states.input, {'size': 'small', 'currency': $currency}]) %}", "End": true}
        }
    }))
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("interpreter");

    let chain = pass_choice_chain();
    let input = json!({"count": 3, "user": {"id": "u-1", "tier": "silver"}});
    let transitions = run_once(&chain, &input);
    group.throughput(Throughput::Elements(transitions));
    group.bench_function("pass_choice_chain_10", |b| {
        b.iter(|| black_box(run_once(&chain, &input)))
    });

    let map = inline_map();
    let items: Vec<Value> = (0..100)
        .map(|n| json!({"n": n, "tag": format!("item-{n}")}))
        .collect();
    let input = json!({"items": items});
    let transitions = run_once(&map, &input);
    group.throughput(Throughput::Elements(transitions));
    group.bench_function("inline_map_100", |b| {
        b.iter(|| black_box(run_once(&map, &input)))
    });

    let jsonata = jsonata_heavy();
    let lines: Vec<Value> = (0..20)
        .map(|n| json!({"sku": format!("sku-{n}"), "name": format!("item {n}"), "price": 10 + n, "qty": n % 3}))
        .collect();
    let input = json!({"currency": "EUR", "lines": lines});
    let transitions = run_once(&jsonata, &input);
    group.throughput(Throughput::Elements(transitions));
    group.bench_function("jsonata_order", |b| {
        b.iter(|| black_box(run_once(&jsonata, &input)))
    });

    group.finish();
}

criterion_group!(interpreter_benches, benches);
criterion_main!(interpreter_benches);
