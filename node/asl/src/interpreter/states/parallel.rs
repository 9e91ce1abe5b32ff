//! Parallel: runs every branch on the same input and gathers their outputs in branch order.

use serde_json::{Map, Value};

use super::states_object;
use crate::definition::{Io, Parallel, State};
use crate::error::Failure;
use crate::interpreter::execution::{At, ContainerWork, Frame, FrameId, Work};
use crate::interpreter::flow::{Flow, Run};
use crate::interpreter::history::EventDetails;

impl Run<'_> {
    pub(super) fn start_parallel(
        &mut self,
        fid: FrameId,
        state: &State,
        parallel: &Parallel,
    ) -> Result<Flow, Failure> {
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Ok(Flow::Blocked);
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;
        let branch_input = self.evaluate(fid, &context, |ev, rng| -> Result<Value, Failure> {
            match &state.io {
                Io::JsonPath(io) => {
                    let effective = ev.select_path(&io.input_path, &input)?;
                    match &io.parameters {
                        Some(t) => ev.template(t, &effective, rng),
                        None => Ok(effective),
                    }
                }
                Io::Jsonata(io) => match &io.arguments {
                    Some(a) => ev.jsonata(
                        a,
                        &states_object(&input, ev.context, None),
                        "Arguments",
                        rng,
                    ),
                    None => Ok(input.clone()),
                },
            }
        });
        let branch_input =
            branch_input.map_err(|f| self.evaluation_failed(fid, f, &name, entered))?;
        let started = self.emit(fid, EventDetails::ParallelStateStarted);
        let mut children = Vec::with_capacity(parallel.branches.len());
        for (index, graph) in parallel.branches.iter().enumerate() {
            let child = self.new_frame(Frame {
                graph: *graph,
                parent: Some((fid, index as u64)),
                variables: Map::new(),
                detached: false,
                last_event_id: started,
                at: At::Entering {
                    state: self.machine.graph(*graph).start_at.clone(),
                    input: branch_input.clone(),
                },
            });
            self.schedule(child);
            children.push(child);
        }
        let results = vec![None; children.len()];
        if let At::Active(active) = &mut self.exec.frame_mut(fid).at {
            active.work = Work::Parallel(ContainerWork { children, results });
        }
        Ok(Flow::Blocked)
    }

    pub(in crate::interpreter) fn parallel_child_finished(
        &mut self,
        fid: FrameId,
        index: u64,
        result: Result<Value, Failure>,
    ) {
        match result {
            Ok(output) => {
                let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
                    return;
                };
                let Work::Parallel(container) = &mut active.work else {
                    return;
                };
                if let Some(slot) = container.results.get_mut(index as usize) {
                    *slot = Some(output);
                }
                if container.results.iter().any(Option::is_none) {
                    return;
                }
                let outputs: Vec<Value> = container
                    .results
                    .iter_mut()
                    .filter_map(Option::take)
                    .collect();
                self.emit(fid, EventDetails::ParallelStateSucceeded);
                let flow = self.finish_with_result(fid, Value::Array(outputs));
                self.apply_flow(fid, flow);
            }
            Err(failure) => {
                let siblings = match &self.exec.frame(fid).at {
                    At::Active(active) => match &active.work {
                        Work::Parallel(container) => container.children.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                for sibling in siblings {
                    if self.exec.frames.contains_key(&sibling) {
                        self.abort_frame(sibling, true);
                        self.exec.frames.remove(&sibling);
                    }
                }
                let flow = self.state_failed(fid, failure);
                self.apply_flow(fid, flow);
            }
        }
    }
}
