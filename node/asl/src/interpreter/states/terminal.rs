//! Succeed and Fail: the states that end their graph.

use serde_json::Value;

use super::states_object;
use crate::definition::{Fail, Io, State};
use crate::error::Failure;
use crate::interpreter::context::StateContext;
use crate::interpreter::execution::FrameId;
use crate::interpreter::flow::{Flow, Run};

impl Run<'_> {
    pub(super) fn succeed(
        &mut self,
        fid: FrameId,
        state: &State,
        input: Value,
        entered: u64,
    ) -> Flow {
        let context = StateContext {
            name: &state.name,
            entered_time: self.now,
            ..StateContext::default()
        };
        let outcome = self.evaluate(fid, &context, |ev, rng| -> Result<Value, Failure> {
            match &state.io {
                Io::JsonPath(io) => {
                    let effective = ev.select_path(&io.input_path, &input)?;
                    ev.select_path(&io.output_path, &effective)
                }
                Io::Jsonata(io) => match &io.output {
                    Some(o) => {
                        ev.jsonata(o, &states_object(&input, ev.context, None), "Output", rng)
                    }
                    None => Ok(input.clone()),
                },
            }
        });
        match outcome {
            Ok(output) => self.exit_state(fid, state, None, output, None),
            Err(failure) => {
                Flow::Failed(self.evaluation_failed(fid, failure, &state.name, entered))
            }
        }
    }

    pub(super) fn fail(
        &mut self,
        fid: FrameId,
        state: &State,
        fail: &Fail,
        input: Value,
        entered: u64,
    ) -> Flow {
        let context = StateContext {
            name: &state.name,
            entered_time: self.now,
            ..StateContext::default()
        };
        let outcome = self.evaluate(fid, &context, |ev, rng| -> Result<Failure, Failure> {
            let states = states_object(&input, ev.context, None);
            let mut text = |field: &Option<crate::definition::Dynamic>,
                            name: &str|
             -> Result<Option<String>, Failure> {
                let Some(field) = field else { return Ok(None) };
                let path_field = if matches!(field, crate::definition::Dynamic::Jsonata(_)) {
                    name.to_owned()
                } else {
                    format!("{name}Path")
                };
                match ev.dynamic(field, &input, &states, &path_field, rng)? {
                    Value::String(s) => Ok(Some(s)),
                    other => Err(Failure::runtime(format!(
                        "The value of the field '{path_field}' must be a string, but was: {other}"
                    ))),
                }
            };
            let error = text(&fail.error, "Error")?;
            let cause = text(&fail.cause, "Cause")?;
            Ok(Failure {
                error: error.unwrap_or_default(),
                cause,
            })
        });
        match outcome {
            Ok(failure) => Flow::Failed(failure),
            Err(failure) => {
                Flow::Failed(self.evaluation_failed(fid, failure, &state.name, entered))
            }
        }
    }
}
