//! Wait: pauses until a number of seconds has passed or a timestamp is reached.

use serde_json::{Map, Value};

use super::states_object;
use crate::definition::{Dynamic, Io, State, Wait};
use crate::error::Failure;
use crate::interpreter::eval::Evaluator;
use crate::interpreter::execution::{At, FrameId, Work};
use crate::interpreter::flow::{Flow, Run};
use crate::rand::Rng;
use crate::time::Timestamp;

impl Run<'_> {
    pub(super) fn start_wait(
        &mut self,
        fid: FrameId,
        state: &State,
        wait: &Wait,
    ) -> Result<Flow, Failure> {
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Ok(Flow::Blocked);
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;
        let now = self.now;
        let due = self.evaluate(fid, &context, |ev, rng| {
            due_time(ev, rng, state, wait, &input, now)
        });
        let due = match due {
            Ok(due) => due,
            Err(failure) => {
                return Ok(Flow::Failed(
                    self.evaluation_failed(fid, failure, &name, entered),
                ));
            }
        };
        if due <= self.now {
            // Already due: the Wait completes within this transition (DESIGN invariant 6).
            return Ok(self.wait_finished(fid));
        }
        let timer = self.new_timer(due);
        if let At::Active(active) = &mut self.exec.frame_mut(fid).at {
            active.work = Work::Wait { timer };
        }
        Ok(Flow::Blocked)
    }

    /// The Wait is over: OutputPath (or Output) and Assign, then exit.
    pub(super) fn wait_finished(&mut self, fid: FrameId) -> Flow {
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
        let outcome = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Value, Option<Map<String, Value>>), Failure> {
                match &state.io {
                    Io::JsonPath(io) => {
                        let effective = ev.select_path(&io.input_path, &input)?;
                        let assigned = match &state.assign {
                            Some(a) => Some(ev.assign(a, &effective, &Value::Null, rng)?),
                            None => None,
                        };
                        Ok((ev.select_path(&io.output_path, &effective)?, assigned))
                    }
                    Io::Jsonata(io) => {
                        let states = states_object(&input, ev.context, None);
                        let assigned = match &state.assign {
                            Some(a) => Some(ev.assign(a, &Value::Null, &states, rng)?),
                            None => None,
                        };
                        let output = match &io.output {
                            Some(o) => ev.jsonata(o, &states, "Output", rng)?,
                            None => input.clone(),
                        };
                        Ok((output, assigned))
                    }
                }
            },
        );
        match outcome {
            Ok((output, assigned)) => self.exit_state(fid, state, None, output, assigned),
            Err(failure) => Flow::Failed(self.evaluation_failed(fid, failure, &name, entered)),
        }
    }
}

fn due_time(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    state: &State,
    wait: &Wait,
    input: &Value,
    now: Timestamp,
) -> Result<Timestamp, Failure> {
    let effective = match &state.io {
        Io::JsonPath(io) => ev.select_path(&io.input_path, input)?,
        Io::Jsonata(_) => input.clone(),
    };
    let states = states_object(input, ev.context, None);
    match wait {
        Wait::Seconds(Dynamic::Path(path)) => {
            let value = path.resolve(&ev.scope(&effective)).ok_or_else(|| {
                Failure::runtime(format!(
                    "The SecondsPath parameter does not reference an input value: {}",
                    path.as_str()
                ))
            })?;
            let seconds = seconds_of(&value).map_err(|problem| {
                Failure::runtime(format!(
                    "The SecondsPath parameter {problem}: {} == {}",
                    path.as_str(),
                    display(&value)
                ))
            })?;
            Ok(now.plus_seconds(seconds))
        }
        Wait::Seconds(dynamic) => {
            let value = ev.dynamic(dynamic, &effective, &states, "Seconds", rng)?;
            let seconds = seconds_of(&value).map_err(|problem| {
                Failure::query_evaluation(format!(
                    "The Seconds field {problem}: {}",
                    display(&value)
                ))
            })?;
            Ok(now.plus_seconds(seconds))
        }
        Wait::Timestamp(Dynamic::Path(path)) => {
            let value = path.resolve(&ev.scope(&effective)).ok_or_else(|| {
                Failure::runtime(format!(
                    "The TimestampPath parameter does not reference an input value: {}",
                    path.as_str()
                ))
            })?;
            value.as_str().and_then(Timestamp::parse_rfc3339).ok_or_else(|| {
                Failure::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                    path.as_str(),
                    display(&value)
                ))
            })
        }
        Wait::Timestamp(dynamic) => {
            let value = ev.dynamic(dynamic, &effective, &states, "Timestamp", rng)?;
            value.as_str().and_then(Timestamp::parse_rfc3339).ok_or_else(|| {
                Failure::query_evaluation(format!(
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                    display(&value)
                ))
            })
        }
    }
}

/// Seconds to wait: a non-negative integer, or why not.
fn seconds_of(value: &Value) -> Result<i64, &'static str> {
    match value.as_i64() {
        Some(n) if n < 0 => Err("references a negative value"),
        Some(n) => Ok(n),
        None => Err("cannot be parsed as a long value"),
    }
}

/// A value as AWS shows it in these messages: strings bare, everything else as JSON.
pub(super) fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => crate::interpreter::compact(other),
    }
}
