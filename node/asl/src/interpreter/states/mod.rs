//! One file per state type; this module holds what they share: entering, exiting, result
//! processing, Retry and Catch.

mod choice;
mod map;
mod parallel;
mod pass;
mod task;
mod terminal;
mod wait;

use serde_json::{Map, Value};

use super::context::StateContext;
use super::execution::{Active, At, FrameId, Work};
use super::flow::{Flow, Run};
use super::history::{EventDetails, StateType, compact};
use crate::definition::{
    Catcher, Io, JitterStrategy, QueryLanguage, Retrier, State, StateKind, Transition,
};
use crate::error::{Failure, names};

pub(super) use task::task_request;

pub(super) fn state_type(state: &State) -> StateType {
    match state.kind {
        StateKind::Pass(_) => StateType::Pass,
        StateKind::Task(_) => StateType::Task,
        StateKind::Choice(_) => StateType::Choice,
        StateKind::Wait(_) => StateType::Wait,
        StateKind::Succeed => StateType::Succeed,
        StateKind::Fail(_) => StateType::Fail,
        StateKind::Parallel(_) => StateType::Parallel,
        StateKind::Map(_) => StateType::Map,
    }
}

/// Does `error` match one `ErrorEquals` list? `States.ALL` matches everything but
/// `States.Runtime`; `States.TaskFailed` everything but `States.Timeout` and `States.Runtime`;
/// `States.Timeout` also matches heartbeat timeouts.
pub(super) fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_equals.iter().any(|name| {
        name == error
            || (name == names::ALL && error != names::RUNTIME)
            || (name == names::TASK_FAILED && error != names::TIMEOUT && error != names::RUNTIME)
            || (name == names::TIMEOUT && error == names::HEARTBEAT_TIMEOUT)
    })
}

/// The `$states` object a JSONata field sees.
pub(super) fn states_object(
    input: &Value,
    context: &Value,
    extra: Option<(&str, &Value)>,
) -> Value {
    let mut states = Map::new();
    states.insert("input".into(), input.clone());
    states.insert("context".into(), context.clone());
    if let Some((key, value)) = extra {
        states.insert(key.into(), value.clone());
    }
    Value::Object(states)
}

impl Run<'_> {
    /// Enters `name` in frame `fid` with `input`.
    pub(super) fn enter(&mut self, fid: FrameId, name: &str, input: Value) -> Flow {
        let Some(state) = self.state(fid, name) else {
            // The definition was validated, so this means corrupt state: fail loudly but
            // deterministically rather than panic inside a shard.
            return Flow::Failed(Failure::runtime(format!("state '{name}' does not exist")));
        };
        self.exec.transitions += 1;
        let entered = self.emit(
            fid,
            EventDetails::StateEntered {
                state_type: state_type(state),
                name: name.to_owned(),
                input: input.clone(),
            },
        );
        if self.exec.is_finished() {
            return Flow::Blocked;
        }
        let entered_time = self.now;
        match &state.kind {
            StateKind::Pass(pass) => self.pass(fid, state, pass, input, entered),
            StateKind::Choice(choice) => self.choice(fid, state, choice, input, entered),
            StateKind::Succeed => self.succeed(fid, state, input, entered),
            StateKind::Fail(fail) => self.fail(fid, state, fail, input, entered),
            StateKind::Wait(_)
            | StateKind::Task(_)
            | StateKind::Parallel(_)
            | StateKind::Map(_) => {
                let active = Active {
                    state: name.to_owned(),
                    input,
                    entered_event_id: entered,
                    entered_time,
                    retry_counts: vec![0; retriers(state).len()],
                    retry_count: 0,
                    // Placeholder until the state's work starts below.
                    work: Work::Backoff {
                        timer: super::execution::Timer {
                            id: super::effect::TimerId(0),
                            due: entered_time,
                        },
                    },
                };
                self.exec.frame_mut(fid).at = At::Active(active);
                self.start_work(fid)
            }
        }
    }

    /// Starts (or, after a retry delay, restarts) the work of the frame's active state.
    pub(super) fn start_work(&mut self, fid: FrameId) -> Flow {
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Flow::Blocked;
        };
        let Some(state) = self.state(fid, &active.state) else {
            return Flow::Blocked;
        };
        let result = match &state.kind {
            StateKind::Wait(wait) => self.start_wait(fid, state, wait),
            StateKind::Task(task) => self.start_task(fid, state, task),
            StateKind::Parallel(parallel) => self.start_parallel(fid, state, parallel),
            StateKind::Map(map) => self.start_map(fid, state, map),
            _ => Ok(Flow::Blocked),
        };
        match result {
            Ok(flow) => flow,
            Err(failure) => self.state_failed(fid, failure),
        }
    }

    /// The active state's timer fired: a Wait ends, a retry starts, or a task times out.
    pub(super) fn active_timer_fired(&mut self, fid: FrameId, timer: super::effect::TimerId) {
        let At::Active(active) = &self.exec.frame(fid).at else {
            return;
        };
        let flow = match &active.work {
            Work::Wait { .. } => self.wait_finished(fid),
            Work::Backoff { .. } => self.start_work(fid),
            Work::Task(_) => self.task_timer_fired(fid, timer),
            _ => return,
        };
        self.apply_flow(fid, flow);
    }

    /// The state context for `fid`'s active state.
    pub(super) fn active_context(&self, fid: FrameId) -> (String, StateContext<'static>) {
        let At::Active(active) = &self.exec.frame(fid).at else {
            return (String::new(), StateContext::default());
        };
        let with_retry = self.state(fid, &active.state).is_some_and(|s| {
            matches!(
                s.kind,
                StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_)
            )
        });
        let context = StateContext {
            name: "",
            entered_time: active.entered_time,
            retry_count: with_retry.then_some(active.retry_count),
            task_token: None,
            map_item: None,
        };
        (active.state.clone(), context)
    }

    /// Prefixes an evaluation error's cause the way AWS does.
    pub(super) fn decorate(
        &self,
        mut failure: Failure,
        state: &str,
        entered_event_id: u64,
    ) -> Failure {
        let prefix = format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered_event_id}). "
        );
        failure.cause = Some(format!("{prefix}{}", failure.cause.unwrap_or_default()));
        failure
    }

    /// Decorates an evaluation failure and, for JSONata errors, writes `EvaluationFailed`.
    pub(super) fn evaluation_failed(
        &mut self,
        fid: FrameId,
        failure: Failure,
        state: &str,
        entered: u64,
    ) -> Failure {
        let failure = self.decorate(failure, state, entered);
        if failure.error == names::QUERY_EVALUATION_ERROR {
            let cause = failure.cause.clone().unwrap_or_default();
            let location = cause
                .split("specified for the field '")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_default()
                .to_owned();
            self.emit(
                fid,
                EventDetails::EvaluationFailed {
                    failure: super::flow::error_details(&failure),
                    location,
                    state: state.to_owned(),
                },
            );
        }
        failure
    }

    /// Leaves a state: stores its assignments, writes `…StateExited` and follows its
    /// transition.
    pub(super) fn exit_state(
        &mut self,
        fid: FrameId,
        state: &State,
        next: Option<&str>,
        output: Value,
        assigned: Option<Map<String, Value>>,
    ) -> Flow {
        let assigned_text = assigned.as_ref().map(|vars| {
            vars.iter()
                .map(|(k, v)| (k.clone(), Value::String(compact(v))))
                .collect::<Map<_, _>>()
        });
        if let Some(vars) = assigned {
            self.exec.frame_mut(fid).variables.extend(vars);
        }
        self.emit(
            fid,
            EventDetails::StateExited {
                state_type: state_type(state),
                name: state.name.clone(),
                output: output.clone(),
                assigned_variables: assigned_text,
            },
        );
        let next = next.map(str::to_owned).or_else(|| match &state.transition {
            Some(Transition::Next(n)) => Some(n.clone()),
            _ => None,
        });
        match next {
            Some(state) => Flow::Next {
                state,
                input: output,
            },
            None => Flow::End { output },
        }
    }

    /// Completes the active Task, Parallel or Map state with its result: ResultSelector,
    /// ResultPath, OutputPath (or Output), Assign, then exit.
    pub(super) fn finish_with_result(&mut self, fid: FrameId, result: Value) -> Flow {
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Flow::Blocked;
        };
        let Some(state) = self.state(fid, &name) else {
            return Flow::Blocked;
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;
        let payload_max = self.exec.limits.payload_bytes_max;
        let outcome = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Value, Option<Map<String, Value>>), Failure> {
                match &state.io {
                    Io::JsonPath(io) => {
                        let selected = match &io.result_selector {
                            Some(t) => ev.template(t, &result, rng)?,
                            None => result,
                        };
                        let assigned = match &state.assign {
                            Some(a) => Some(ev.assign(a, &selected, &Value::Null, rng)?),
                            None => None,
                        };
                        let combined = ev.result_path(&io.result_path, &input, selected)?;
                        let output = ev.select_path(&io.output_path, &combined)?;
                        Ok((output, assigned))
                    }
                    Io::Jsonata(io) => {
                        let states = states_object(&input, ev.context, Some(("result", &result)));
                        let assigned = match &state.assign {
                            Some(a) => Some(ev.assign(a, &Value::Null, &states, rng)?),
                            None => None,
                        };
                        let output = match &io.output {
                            Some(o) => ev.jsonata(o, &states, "Output", rng)?,
                            None => result,
                        };
                        Ok((output, assigned))
                    }
                }
            },
        );
        let checked = outcome.and_then(|(output, assigned)| {
            super::eval::check_payload(&output, payload_max, "state output")
                .map(|()| (output, assigned))
        });
        match checked {
            Ok((output, assigned)) => self.exit_state(fid, state, None, output, assigned),
            Err(failure) => {
                let failure = self.evaluation_failed(fid, failure, &name, entered);
                self.state_failed(fid, failure)
            }
        }
    }

    /// The active state failed: retry it, catch the error, or fail the frame.
    pub(super) fn state_failed(&mut self, fid: FrameId, failure: Failure) -> Flow {
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Flow::Failed(failure);
        };
        let Some(state) = self.state(fid, &active.state) else {
            return Flow::Failed(failure);
        };
        if failure.is_terminal() {
            return Flow::Failed(failure);
        }
        if let Some(flow) = self.retry(fid, state, &failure) {
            return flow;
        }
        self.container_failed_event(fid, state, &failure);
        match self.catch(fid, state, &failure) {
            Some(flow) => flow,
            None => Flow::Failed(failure),
        }
    }

    /// `ParallelStateFailed` / `MapStateFailed` once a container gives up.
    fn container_failed_event(&mut self, fid: FrameId, state: &State, failure: &Failure) {
        let details = super::flow::error_details(failure);
        match &state.kind {
            StateKind::Parallel(_) => {
                self.emit(fid, EventDetails::ParallelStateFailed(details));
            }
            StateKind::Map(map) => {
                if map.mode == crate::definition::ProcessorMode::Distributed
                    && self.map_run_started(fid)
                {
                    self.emit(fid, EventDetails::MapRunFailed(details.clone()));
                }
                self.emit(fid, EventDetails::MapStateFailed(details));
            }
            _ => {}
        }
    }

    fn map_run_started(&self, fid: FrameId) -> bool {
        matches!(
            &self.exec.frame(fid).at,
            At::Active(Active {
                work: Work::Map(_),
                ..
            })
        )
    }

    fn retry(&mut self, fid: FrameId, state: &State, failure: &Failure) -> Option<Flow> {
        let retriers = retriers(state);
        let index = retriers
            .iter()
            .position(|r| error_matches(&r.error_equals, &failure.error))?;
        let retrier = &retriers[index];
        let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
            return None;
        };
        let attempts = active.retry_counts.get(index).copied().unwrap_or(0);
        if attempts >= retrier.max_attempts {
            return None;
        }
        if let Some(count) = active.retry_counts.get_mut(index) {
            *count += 1;
        }
        active.retry_count += 1;
        let delay_ms = self.retry_delay_ms(retrier, attempts);
        let timer = self.new_timer(self.now.plus_millis(delay_ms));
        if let At::Active(active) = &mut self.exec.frame_mut(fid).at {
            active.work = Work::Backoff { timer };
        }
        Some(Flow::Blocked)
    }

    /// `IntervalSeconds × BackoffRate^attempt`, capped by `MaxDelaySeconds`, with full jitter
    /// drawn from the transition's seed.
    fn retry_delay_ms(&mut self, retrier: &Retrier, attempt: u64) -> i64 {
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let mut seconds = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
        if let Some(max) = retrier.max_delay_seconds {
            seconds = seconds.min(max as f64);
        }
        // Bounded by the longest execution, so the conversion below cannot overflow.
        seconds = seconds.min(self.exec.limits.execution_seconds_max as f64);
        if retrier.jitter_strategy == JitterStrategy::Full {
            seconds *= self.rng.next_f64();
        }
        (seconds * 1000.0).round() as i64
    }

    fn catch(&mut self, fid: FrameId, state: &State, failure: &Failure) -> Option<Flow> {
        let catcher: &Catcher = catchers(state)
            .iter()
            .find(|c| error_matches(&c.error_equals, &failure.error))?;
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return None;
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;
        let error_output = failure.to_error_output();
        let outcome = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Value, Option<Map<String, Value>>), Failure> {
                match state.query_language {
                    QueryLanguage::JsonPath => {
                        let assigned = match &catcher.assign {
                            Some(a) => Some(ev.assign(a, &error_output, &Value::Null, rng)?),
                            None => None,
                        };
                        let output =
                            ev.result_path(&catcher.result_path, &input, error_output.clone())?;
                        Ok((output, assigned))
                    }
                    QueryLanguage::Jsonata => {
                        let states =
                            states_object(&input, ev.context, Some(("errorOutput", &error_output)));
                        let assigned = match &catcher.assign {
                            Some(a) => Some(ev.assign(a, &Value::Null, &states, rng)?),
                            None => None,
                        };
                        let output = match &catcher.output {
                            Some(o) => ev.jsonata(o, &states, "Output", rng)?,
                            None => error_output.clone(),
                        };
                        Ok((output, assigned))
                    }
                }
            },
        );
        Some(match outcome {
            Ok((output, assigned)) => {
                self.exit_state(fid, state, Some(&catcher.next), output, assigned)
            }
            Err(failure) => Flow::Failed(self.evaluation_failed(fid, failure, &name, entered)),
        })
    }
}

fn retriers(state: &State) -> &[Retrier] {
    match &state.kind {
        StateKind::Task(t) => &t.retry,
        StateKind::Parallel(p) => &p.retry,
        StateKind::Map(m) => &m.retry,
        _ => &[],
    }
}

fn catchers(state: &State) -> &[Catcher] {
    match &state.kind {
        StateKind::Task(t) => &t.catch,
        StateKind::Parallel(p) => &p.catch,
        StateKind::Map(m) => &m.catch,
        _ => &[],
    }
}
