//! Engine tests: feed one input at a time and assert the exact history events and effects
//! that come out (the openraft engine-test style).

use asl::Timestamp;
use asl::definition::{Definition, ParseOptions, StateMachine};
use asl::interpreter::{
    self, Effect, Execution, ExecutionInfo, ExecutionStatus, Input, InputError, Limits, Stamp,
    Step, TaskId, TimerId, UnsignedTokens,
};
use serde_json::{Value, json};

fn must_parse(definition: Value) -> StateMachine {
    let text = definition.to_string();
    match Definition::parse(&text, &ParseOptions::default()) {
        Ok(d) => d.machine,
        Err(diagnostics) => panic!("invalid test definition: {diagnostics:#?}"),
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
        start_time: Timestamp(1_000_000),
        redrive_count: 0,
        machine_type: Default::default(),
    }
}

fn at(ms: i64) -> Stamp {
    Stamp {
        now: Timestamp(1_000_000 + ms),
        seed: ms as u64,
    }
}

fn must_start(machine: &StateMachine, input: Value) -> (Execution, Step) {
    interpreter::start(
        machine,
        info(),
        input,
        Limits::default(),
        at(0),
        &UnsignedTokens,
    )
}

fn must_apply(exec: &mut Execution, machine: &StateMachine, input: Input, ms: i64) -> Step {
    exec.apply(machine, input, at(ms), &UnsignedTokens)
        .expect("input accepted")
}

fn types(step: &Step) -> Vec<String> {
    step.events.iter().map(|e| e.event_type()).collect()
}

fn run_task_ids(step: &Step) -> Vec<TaskId> {
    step.effects
        .iter()
        .filter_map(|e| match e {
            Effect::RunTask(r) => Some(r.task),
            _ => None,
        })
        .collect()
}

/// The execution timeout timer every execution arms at start (1 year by default).
const TIMEOUT_TIMER: TimerId = TimerId(0);

#[test]
fn pass_chain_finishes_in_one_transition_with_dense_event_ids() {
    let machine = must_parse(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "End": true}
        }
    }));
    let (exec, step) = must_start(&machine, json!({"in": true}));
    assert_eq!(
        types(&step),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let ids: Vec<u64> = step.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let previous: Vec<u64> = step.events.iter().map(|e| e.previous_event_id).collect();
    assert_eq!(previous, [0, 1, 2, 3, 4, 5]);
    assert_eq!(
        step.effects,
        [
            Effect::SetTimer {
                timer: TIMEOUT_TIMER,
                due: Timestamp(1_000_000 + 365 * 24 * 3600 * 1000)
            },
            Effect::CancelTimer {
                timer: TIMEOUT_TIMER
            },
        ]
    );
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Succeeded {
            output: json!({"in": true, "a": {"x": 1}})
        })
    );
}

#[test]
fn task_result_flows_through_result_path_after_commit() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": 30,
                "ResultPath": "$.result",
                "End": true
            }
        }
    }));
    let (mut exec, step) = must_start(&machine, json!({"n": 1}));
    assert_eq!(
        types(&step),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted"
        ]
    );
    let task = run_task_ids(&step)[0];
    match &step.effects[..] {
        [
            Effect::SetTimer {
                timer: TIMEOUT_TIMER,
                ..
            },
            Effect::SetTimer {
                timer: timeout,
                due,
            },
            Effect::RunTask(request),
        ] => {
            assert_eq!(*due, Timestamp(1_000_000 + 30_000));
            assert_eq!(request.resource, "arn:aws:states:::lambda:invoke");
            assert_eq!(request.input, json!({"n": 1}));
            assert_eq!(request.timeout_seconds, Some(30));
            assert_eq!(request.attempt, 0);
            assert_eq!(
                request.token.as_deref(),
                Some("arn:aws:states:us-east-1:123456789012:execution:m:e#0")
            );
            assert_ne!(*timeout, TIMEOUT_TIMER);
        }
        other => panic!("unexpected effects {other:#?}"),
    }
    assert_eq!(exec.status, ExecutionStatus::Running);

    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskSucceeded {
            task,
            output: json!(42),
        },
        5,
    );
    assert_eq!(
        types(&step),
        ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    );
    assert_eq!(step.events[0].timestamp, Timestamp(1_000_005));
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Succeeded {
            output: json!({"n": 1, "result": 42})
        })
    );
}

#[test]
fn activity_starts_only_when_a_worker_takes_it_and_heartbeats_push_its_deadline() {
    let machine = must_parse(json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:work",
                "HeartbeatSeconds": 10,
                "End": true
            }
        }
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    assert_eq!(
        types(&step),
        ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled"]
    );
    let request = step
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::RunTask(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the activity is dispatched");
    assert_eq!(
        request.token.as_deref(),
        Some("arn:aws:states:us-east-1:123456789012:execution:m:e#0")
    );

    // Results before a worker took the task are refused and change nothing.
    let before = exec.clone();
    let refused = exec.apply(
        &machine,
        Input::TaskSucceeded {
            task: request.task,
            output: json!(1),
        },
        at(1),
        &UnsignedTokens,
    );
    assert_eq!(refused, Err(InputError::TaskNotStarted(request.task)));
    assert_eq!(exec, before);

    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskStarted {
            task: request.task,
            worker_name: Some("w1".into()),
        },
        100,
    );
    assert_eq!(types(&step), ["ActivityStarted"]);
    let Effect::SetTimer {
        timer: heartbeat,
        due,
    } = step.effects[0]
    else {
        panic!("{:?}", step.effects)
    };
    assert_eq!(due, Timestamp(1_000_000 + 100 + 10_000));

    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskHeartbeat { task: request.task },
        5_000,
    );
    assert!(step.events.is_empty(), "heartbeats add no history event");
    assert_eq!(
        step.effects,
        [Effect::SetTimer {
            timer: heartbeat,
            due: Timestamp(1_000_000 + 15_000)
        }]
    );

    // The old deadline passes without effect: a timer never fires early.
    let step = must_apply(
        &mut exec,
        &machine,
        Input::TimerFired { timer: heartbeat },
        10_200,
    );
    assert!(step.events.is_empty() && step.effects.is_empty());

    let step = must_apply(
        &mut exec,
        &machine,
        Input::TimerFired { timer: heartbeat },
        15_000,
    );
    assert_eq!(types(&step), ["ActivityTimedOut", "ExecutionFailed"]);
    assert!(
        step.effects
            .contains(&Effect::CancelTask { task: request.task })
    );
    assert_eq!(exec.status, ExecutionStatus::Failed);
}

#[test]
fn retry_waits_with_backoff_then_catch_takes_over_when_attempts_run_out() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": true
            },
            "Handled": {"Type": "Succeed"}
        }
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    let mut task = run_task_ids(&step)[0];
    let boom = asl::Failure::new("Boom", "it broke");
    let mut now = 0;
    for expected_delay_ms in [2_000, 6_000] {
        let step = must_apply(
            &mut exec,
            &machine,
            Input::TaskFailed {
                task,
                failure: boom.clone(),
            },
            now + 1,
        );
        assert_eq!(types(&step), ["TaskFailed"]);
        let [Effect::SetTimer { timer, due }] = step.effects[..] else {
            panic!("{:?}", step.effects)
        };
        assert_eq!(due, Timestamp(1_000_000 + now + 1 + expected_delay_ms));
        now = due.as_millis() - 1_000_000;
        let step = must_apply(&mut exec, &machine, Input::TimerFired { timer }, now);
        assert_eq!(types(&step), ["TaskScheduled", "TaskStarted"]);
        let Effect::RunTask(request) = &step.effects[0] else {
            panic!("{:?}", step.effects)
        };
        assert!(request.attempt > 0);
        task = request.task;
    }
    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskFailed {
            task,
            failure: boom,
        },
        now + 1,
    );
    assert_eq!(
        types(&step),
        [
            "TaskFailed",
            "TaskStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Succeeded {
            output: json!({"error": {"Error": "Boom", "Cause": "it broke"}})
        })
    );
}

#[test]
fn wait_arms_a_timer_and_exits_when_it_fires() {
    let machine = must_parse(json!({
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}
    }));
    let (mut exec, step) = must_start(&machine, json!({"k": "v"}));
    assert_eq!(types(&step), ["ExecutionStarted", "WaitStateEntered"]);
    let Effect::SetTimer { timer, due } = step.effects[1] else {
        panic!("{:?}", step.effects)
    };
    assert_eq!(due, Timestamp(1_000_000 + 60_000));
    let step = must_apply(&mut exec, &machine, Input::TimerFired { timer }, 60_000);
    assert_eq!(types(&step), ["WaitStateExited", "ExecutionSucceeded"]);
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Succeeded {
            output: json!({"k": "v"})
        })
    );
}

#[test]
fn a_wait_already_due_completes_in_the_same_transition() {
    let machine = must_parse(json!({
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "1970-01-01T00:00:00Z", "End": true}}
    }));
    let (exec, step) = must_start(&machine, json!({}));
    assert_eq!(
        types(&step),
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
}

#[test]
fn stop_aborts_the_execution_and_cancels_its_task_and_timers() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5, "End": true}}
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    let task = run_task_ids(&step)[0];
    let step = must_apply(
        &mut exec,
        &machine,
        Input::Stop {
            error: Some("Operator".into()),
            cause: Some("maintenance".into()),
        },
        1,
    );
    assert_eq!(types(&step), ["ExecutionAborted"]);
    assert!(step.effects.contains(&Effect::CancelTask { task }));
    assert!(step.effects.contains(&Effect::CancelTimer {
        timer: TIMEOUT_TIMER
    }));
    assert_eq!(exec.status, ExecutionStatus::Aborted);
    assert_eq!(
        exec.apply(
            &machine,
            Input::TaskSucceeded {
                task,
                output: json!(1)
            },
            at(2),
            &UnsignedTokens
        ),
        Err(InputError::ExecutionFinished)
    );
}

#[test]
fn execution_timeout_times_the_execution_out() {
    let machine = must_parse(json!({
        "TimeoutSeconds": 3,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    assert_eq!(
        step.effects[0],
        Effect::SetTimer {
            timer: TIMEOUT_TIMER,
            due: Timestamp(1_003_000)
        }
    );
    let step = must_apply(
        &mut exec,
        &machine,
        Input::TimerFired {
            timer: TIMEOUT_TIMER,
        },
        3_000,
    );
    assert_eq!(types(&step), ["ExecutionTimedOut"]);
    assert_eq!(exec.status, ExecutionStatus::TimedOut);
}

#[test]
fn failing_parallel_branch_aborts_its_running_sibling() {
    let machine = must_parse(json!({
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
                    {"StartAt": "Fast", "States": {"Fast": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
                ]
            }
        }
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    let tasks = run_task_ids(&step);
    assert_eq!(
        tasks.len(),
        2,
        "both branches start in the first transition"
    );
    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskFailed {
            task: tasks[1],
            failure: asl::Failure::new("Bad", "x"),
        },
        1,
    );
    // The failed branch's task and the running sibling's task are both recorded as aborted.
    assert_eq!(
        types(&step),
        [
            "TaskFailed",
            "TaskStateAborted",
            "TaskStateAborted",
            "ParallelStateFailed",
            "ExecutionFailed"
        ]
    );
    assert!(
        step.effects
            .contains(&Effect::CancelTask { task: tasks[0] })
    );
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Failed(asl::Failure::new("Bad", "x")))
    );
}

#[test]
fn map_with_max_concurrency_one_runs_a_single_task_at_a_time_in_order() {
    let machine = must_parse(json!({
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "End": true,
                "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
            }
        }
    }));
    let (mut exec, step) = must_start(&machine, json!(["a", "b", "c"]));
    let mut outputs = Vec::new();
    let mut requests: Vec<_> = step
        .effects
        .iter()
        .filter_map(|e| {
            if let Effect::RunTask(r) = e {
                Some(r.clone())
            } else {
                None
            }
        })
        .collect();
    for round in 0..3 {
        assert_eq!(
            requests.len(),
            1,
            "round {round}: exactly one iteration runs"
        );
        let request = requests.remove(0);
        outputs.push(request.input.clone());
        let step = must_apply(
            &mut exec,
            &machine,
            Input::TaskSucceeded {
                task: request.task,
                output: json!(round),
            },
            round + 1,
        );
        requests = step
            .effects
            .iter()
            .filter_map(|e| {
                if let Effect::RunTask(r) = e {
                    Some(r.clone())
                } else {
                    None
                }
            })
            .collect();
    }
    assert_eq!(outputs, [json!("a"), json!("b"), json!("c")]);
    assert_eq!(
        exec.outcome,
        Some(interpreter::Outcome::Succeeded {
            output: json!([0, 1, 2])
        })
    );
}

#[test]
fn unknown_task_is_refused_and_changes_nothing() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}
    }));
    let (mut exec, _) = must_start(&machine, json!({}));
    let before = exec.clone();
    let result = exec.apply(
        &machine,
        Input::TaskSucceeded {
            task: TaskId(99),
            output: json!(1),
        },
        at(1),
        &UnsignedTokens,
    );
    assert_eq!(result, Err(InputError::UnknownTask(TaskId(99))));
    assert_eq!(exec, before);
}

#[test]
fn oversized_task_result_fails_with_data_limit_exceeded_which_catchers_can_handle() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Pass", "End": true}
        }
    }));
    let (mut exec, step) = must_start(&machine, json!({}));
    let task = run_task_ids(&step)[0];
    let big = json!("x".repeat(300_000));
    let step = must_apply(
        &mut exec,
        &machine,
        Input::TaskSucceeded { task, output: big },
        1,
    );
    assert_eq!(
        types(&step),
        [
            "TaskFailed",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let Some(interpreter::Outcome::Succeeded { output }) = &exec.outcome else {
        panic!("{:?}", exec.outcome)
    };
    assert_eq!(output["Error"], "States.DataLimitExceeded");
}

#[test]
fn history_limit_fails_the_execution() {
    let machine = must_parse(json!({
        "StartAt": "Loop",
        "States": {
            "Loop": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "IsPresent": true, "Next": "Done"}],
                "Default": "Loop"
            },
            "Done": {"Type": "Succeed"}
        }
    }));
    let limits = Limits {
        history_events_max: 50,
        ..Limits::default()
    };
    let (exec, step) =
        interpreter::start(&machine, info(), json!({}), limits, at(0), &UnsignedTokens);
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(step.events.len(), 50);
    assert_eq!(
        step.events.last().map(|e| e.event_type()).as_deref(),
        Some("ExecutionFailed")
    );
}

#[test]
fn pending_effects_rebuild_open_tasks_and_timers_after_failover() {
    let machine = must_parse(json!({
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 9, "End": true}}},
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}}
                ]
            }
        }
    }));
    let (exec, step) = must_start(&machine, json!({}));
    let mut rebuilt = exec.pending_effects();
    let mut original: Vec<Effect> = step.effects.clone();
    let key = |e: &Effect| format!("{e:?}");
    rebuilt.sort_by_key(key);
    original.sort_by_key(key);
    assert_eq!(
        rebuilt, original,
        "every effect of the committed state can be rebuilt from it"
    );
}

#[test]
fn replaying_the_same_inputs_gives_byte_identical_state() {
    let machine = must_parse(json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL", "MaxAttempts": 5}],
                "End": true
            }
        }
    }));
    let run = || {
        let (mut exec, step) = must_start(&machine, json!({"a": [1, 2, 3]}));
        let mut log = vec![serde_json::to_string(&step).unwrap()];
        let mut task = run_task_ids(&step)[0];
        for i in 1..4 {
            let step = must_apply(
                &mut exec,
                &machine,
                Input::TaskFailed {
                    task,
                    failure: asl::Failure::bare("E"),
                },
                i * 10,
            );
            log.push(serde_json::to_string(&step).unwrap());
            let Effect::SetTimer { timer, due } = step.effects[0] else {
                panic!()
            };
            let step = must_apply(
                &mut exec,
                &machine,
                Input::TimerFired { timer },
                due.as_millis() - 1_000_000,
            );
            log.push(serde_json::to_string(&step).unwrap());
            task = run_task_ids(&step)[0];
        }
        (serde_json::to_vec(&exec).unwrap(), log)
    };
    assert_eq!(run(), run());
}
