//! Pass: copies or shapes its input, optionally injecting a fixed `Result`.

use serde_json::{Map, Value};

use super::states_object;
use crate::definition::{Io, Pass, State};
use crate::error::Failure;
use crate::interpreter::context::StateContext;
use crate::interpreter::execution::FrameId;
use crate::interpreter::flow::{Flow, Run};

impl Run<'_> {
    pub(super) fn pass(
        &mut self,
        fid: FrameId,
        state: &State,
        pass: &Pass,
        input: Value,
        entered: u64,
    ) -> Flow {
        let context = StateContext {
            name: &state.name,
            entered_time: self.now,
            ..StateContext::default()
        };
        let payload_max = self.exec.limits.payload_bytes_max;
        let outcome = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Value, Option<Map<String, Value>>), Failure> {
                match &state.io {
                    Io::JsonPath(io) => {
                        let effective = ev.select_path(&io.input_path, &input)?;
                        let effective = match &io.parameters {
                            Some(t) => ev.template(t, &effective, rng)?,
                            None => effective,
                        };
                        let result = pass.result.clone().unwrap_or(effective);
                        let assigned = match &state.assign {
                            Some(a) => Some(ev.assign(a, &result, &Value::Null, rng)?),
                            None => None,
                        };
                        let combined = ev.result_path(&io.result_path, &input, result)?;
                        Ok((ev.select_path(&io.output_path, &combined)?, assigned))
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
        let outcome = outcome.and_then(|(output, assigned)| {
            crate::interpreter::eval::check_payload(&output, payload_max, "state output")
                .map(|()| (output, assigned))
        });
        match outcome {
            Ok((output, assigned)) => self.exit_state(fid, state, None, output, assigned),
            Err(failure) => {
                Flow::Failed(self.evaluation_failed(fid, failure, &state.name, entered))
            }
        }
    }
}
