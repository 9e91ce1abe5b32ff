//! Property tests: no definition or input makes the parser or the interpreter panic, and
//! replaying the same inputs gives byte-identical state.

use asl::Timestamp;
use asl::definition::{Definition, MachineType, ParseOptions};
use asl::interpreter::{ExecutionInfo, TaskRequest};
use asl::local::{self, MockError, MockResponse, Mocks};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Arbitrary JSON, biased towards the shapes definitions use.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-zA-Z$.\\[\\]{}%*@?:0-9 ]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("$"),
            Just("$.a"),
            Just("$$.Execution.Id"),
            Just("$x"),
            Just("{% $states.input %}"),
            Just("States.Format('{}', $.a)"),
            Just("States.ALL"),
            Just("Pass"),
            Just("A"),
            Just("B"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Type"),
        Just("Next"),
        Just("End"),
        Just("Result"),
        Just("ResultPath"),
        Just("InputPath"),
        Just("OutputPath"),
        Just("Parameters"),
        Just("Choices"),
        Just("Default"),
        Just("Variable"),
        Just("StringEquals"),
        Just("Seconds"),
        Just("Branches"),
        Just("ItemProcessor"),
        Just("StartAt"),
        Just("States"),
        Just("Retry"),
        Just("Catch"),
        Just("ErrorEquals"),
        Just("Assign"),
        Just("Output"),
        Just("QueryLanguage"),
        Just("x.$"),
        Just("Items"),
        Just("Condition"),
        Just("a"),
    ]
    .prop_map(str::to_owned)
}

/// A state of a small, mostly valid machine whose transitions point at states 0..n.
fn state(n: usize) -> impl Strategy<Value = Value> {
    let next = (0..n).prop_map(|i| json!(format!("S{i}")));
    let end_or_next = prop_oneof![
        Just(json!({"End": true})),
        next.clone().prop_map(|n| json!({"Next": n}))
    ];
    let pass = (
        end_or_next.clone(),
        json_value(),
        prop::option::of(prop_oneof![Just("$.r"), Just("$"), Just("$.a.b")]),
    )
        .prop_map(|(t, result, rp)| {
            let mut s = json!({"Type": "Pass", "Result": result});
            merge(&mut s, t);
            if let Some(rp) = rp {
                s["ResultPath"] = json!(rp);
            }
            s
        });
    let choice = (next.clone(), next.clone(), "[ab]", -3i64..3).prop_map(|(a, b, field, n)| {
        json!({"Type": "Choice", "Choices": [{"Variable": format!("$.{field}"), "NumericGreaterThan": n, "Next": a}], "Default": b})
    });
    let wait = (end_or_next.clone(), 0u64..5).prop_map(|(t, s)| {
        let mut w = json!({"Type": "Wait", "Seconds": s});
        merge(&mut w, t);
        w
    });
    let task = (end_or_next.clone(), 0u64..3, any::<bool>()).prop_map(|(t, attempts, catch)| {
        let mut task = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": attempts, "JitterStrategy": "FULL"}],
        });
        if catch {
            task["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "S0"}]);
        }
        merge(&mut task, t);
        task
    });
    let terminal = prop_oneof![
        Just(json!({"Type": "Succeed"})),
        Just(json!({"Type": "Fail", "Error": "E", "Cause": "c"})),
    ];
    let parallel = end_or_next.clone().prop_map(|t| {
        let mut p = json!({"Type": "Parallel", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}},
            {"StartAt": "C", "States": {"C": {"Type": "Wait", "Seconds": 1, "End": true}}}
        ]});
        merge(&mut p, t);
        p
    });
    let map = (end_or_next, 0u64..3).prop_map(|(t, concurrency)| {
        let mut m = json!({"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": concurrency,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}});
        merge(&mut m, t);
        m
    });
    prop_oneof![pass, choice, wait, task, terminal, parallel, map]
}

fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}

fn machine() -> impl Strategy<Value = Value> {
    (1usize..6).prop_flat_map(|n| {
        prop::collection::vec(state(n), n).prop_map(|states| {
            let states: Map<String, Value> = states
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("S{i}"), s))
                .collect();
            json!({"StartAt": "S0", "States": states})
        })
    })
}

/// Task results drawn from a fixed list, so two runs see the same answers.
struct Scripted {
    answers: Vec<MockResponse>,
    next: usize,
}

impl Mocks for Scripted {
    fn respond(&mut self, _request: &TaskRequest) -> Result<MockResponse, MockError> {
        let answer = self
            .answers
            .get(self.next % self.answers.len().max(1))
            .cloned();
        self.next += 1;
        answer.ok_or(MockError::NotConfigured)
    }
}

fn info() -> ExecutionInfo {
    ExecutionInfo {
        id: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
        name: "e".into(),
        state_machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        state_machine_name: "m".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        region: "us-east-1".into(),
        start_time: Timestamp(0),
        redrive_count: 0,
        machine_type: MachineType::Standard,
    }
}

fn answers() -> impl Strategy<Value = Vec<MockResponse>> {
    prop::collection::vec(
        prop_oneof![
            json_value().prop_map(MockResponse::Return),
            Just(MockResponse::Throw(asl::Failure::new("Boom", "x"))),
        ],
        1..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn parsing_any_json_never_panics(value in json_value()) {
        let _ = Definition::parse(&value.to_string(), &ParseOptions::default());
        let _ = Definition::parse(&value.to_string(), &ParseOptions { machine_type: MachineType::Express });
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,200}") {
        let _ = Definition::parse(&text, &ParseOptions::default());
    }

    #[test]
    fn generated_machines_run_without_panicking_and_replay_identically(
        definition in machine(),
        input in json_value(),
        answers in answers(),
        seed in any::<u64>(),
    ) {
        let Ok(parsed) = Definition::parse(&definition.to_string(), &ParseOptions::default()) else {
            return Ok(());
        };
        let options = local::Options { seed, transitions_max: 2_000, ..local::Options::default() };
        let run = |answers: Vec<MockResponse>| {
            let mut mocks = Scripted { answers, next: 0 };
            local::run(&parsed.machine, info(), input.clone(), &mut mocks, &options)
                .map(|r| (serde_json::to_vec(&r.execution).unwrap(), serde_json::to_vec(&r.history).unwrap()))
        };
        let first = run(answers.clone());
        let second = run(answers);
        prop_assert_eq!(first, second);
    }
}
