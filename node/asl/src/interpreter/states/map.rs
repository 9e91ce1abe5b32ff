//! Map: runs the item processor once per item, up to `MaxConcurrency` at a time, and gathers
//! the outputs in item order (reference §1.10). A Distributed Map's iterations are child
//! executions: their events stay out of this history, which shows `MapRun*` events instead.

use std::collections::BTreeMap;

use serde_json::{Map as JsonMap, Value};

use super::states_object;
use super::wait::display;
use crate::definition::{Dynamic, Io, ItemSelector, Map, ProcessorMode, QueryLanguage, State};
use crate::error::{Failure, names};
use crate::interpreter::context::StateContext;
use crate::interpreter::eval::{Evaluator, json_type_name};
use crate::interpreter::execution::{At, Frame, FrameId, MapWork, Work};
use crate::interpreter::flow::{Flow, Run};
use crate::interpreter::history::EventDetails;
use crate::rand::Rng;

/// A Map's items: an array, or an object's entries (with their keys).
struct Items {
    values: Vec<Value>,
    keys: Option<Vec<String>>,
}

impl Run<'_> {
    pub(super) fn start_map(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
    ) -> Result<Flow, Failure> {
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Ok(Flow::Blocked);
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;

        // Items and MaxConcurrency come before MapStateStarted, the tolerated failure
        // thresholds after it, as the recorded histories show.
        let prepared = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Value, Items, u64), Failure> {
                let effective = match &state.io {
                    Io::JsonPath(io) => ev.select_path(&io.input_path, &input)?,
                    Io::Jsonata(_) => input.clone(),
                };
                let states = states_object(&input, ev.context, None);
                let items = items(ev, rng, map, state.query_language, &effective, &states)?;
                let max_concurrency = match &map.max_concurrency {
                    Some(field) => {
                        integer_field(ev, rng, field, &effective, &states, "MaxConcurrency")?
                    }
                    None => 0,
                };
                Ok((effective, items, max_concurrency))
            },
        );
        let (effective, items, max_concurrency) =
            prepared.map_err(|f| self.evaluation_failed(fid, f, &name, entered))?;
        let length = items.values.len() as u64;
        self.emit(fid, EventDetails::MapStateStarted { length });

        let thresholds = self.evaluate(
            fid,
            &context,
            |ev, rng| -> Result<(Option<u64>, Option<f64>), Failure> {
                let states = states_object(&input, ev.context, None);
                let count = match &map.tolerated_failure_count {
                    Some(field) => Some(tolerated_count(ev, rng, field, &effective, &states)?),
                    None => None,
                };
                let percentage = match &map.tolerated_failure_percentage {
                    Some(field) => Some(tolerated_percentage(ev, rng, field, &effective, &states)?),
                    None => None,
                };
                Ok((count, percentage))
            },
        );
        let (tolerated_failure_count, tolerated_failure_percentage) =
            thresholds.map_err(|f| self.evaluation_failed(fid, f, &name, entered))?;

        let distributed = map.mode == ProcessorMode::Distributed;
        if distributed {
            let map_run_arn = self.map_run_arn(map.label.as_deref().unwrap_or(&state.name));
            self.emit(fid, EventDetails::MapRunStarted { map_run_arn });
        }

        let inputs = self.iteration_inputs(fid, state, map, &context, &input, &effective, &items);
        let inputs = inputs.map_err(|f| self.evaluation_failed(fid, f, &name, entered))?;
        let work = MapWork {
            results: vec![None; inputs.len()],
            inputs,
            running: BTreeMap::new(),
            next_item: 0,
            max_concurrency,
            failed: 0,
            tolerated_failure_count,
            tolerated_failure_percentage,
            distributed,
        };
        if let At::Active(active) = &mut self.exec.frame_mut(fid).at {
            active.work = Work::Map(work);
        }
        Ok(self.launch_iterations(fid, state))
    }

    /// Each iteration's input: `ItemSelector` over the item, or the item itself.
    #[allow(clippy::too_many_arguments)]
    fn iteration_inputs(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        context: &StateContext<'_>,
        input: &Value,
        effective: &Value,
        items: &Items,
    ) -> Result<Vec<Value>, Failure> {
        let Some(selector) = &map.item_selector else {
            return Ok(items.values.clone());
        };
        let mut inputs = Vec::with_capacity(items.values.len());
        for (index, value) in items.values.iter().enumerate() {
            let key = items
                .keys
                .as_ref()
                .and_then(|k| k.get(index))
                .map(String::as_str);
            let item_context = StateContext {
                name: &state.name,
                map_item: Some((index as u64, value, key)),
                ..context.clone()
            };
            let selected = self.evaluate(fid, &item_context, |ev, rng| match selector {
                ItemSelector::JsonPath(template) => ev.template(template, effective, rng),
                ItemSelector::Jsonata(value) => ev.jsonata(
                    value,
                    &states_object(input, ev.context, None),
                    "ItemSelector",
                    rng,
                ),
            })?;
            inputs.push(selected);
        }
        Ok(inputs)
    }

    /// Starts iterations until `MaxConcurrency` are running or none is left; finishes the
    /// Map when all are done.
    fn launch_iterations(&mut self, fid: FrameId, state: &State) -> Flow {
        let crate::definition::StateKind::Map(map) = &state.kind else {
            return Flow::Blocked;
        };
        loop {
            let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
                return Flow::Blocked;
            };
            let Work::Map(work) = &mut active.work else {
                return Flow::Blocked;
            };
            let total = work.inputs.len() as u64;
            if work.next_item >= total {
                if work.running.is_empty() {
                    return self.map_succeeded(fid);
                }
                return Flow::Blocked;
            }
            if work.max_concurrency != 0 && work.running.len() as u64 >= work.max_concurrency {
                return Flow::Blocked;
            }
            let index = work.next_item;
            work.next_item += 1;
            let input = std::mem::take(&mut work.inputs[index as usize]);
            let distributed = work.distributed;
            let started = if distributed {
                self.exec.frame(fid).last_event_id
            } else {
                self.emit(
                    fid,
                    EventDetails::MapIterationStarted {
                        name: state.name.clone(),
                        index,
                    },
                )
            };
            let child = self.new_frame(Frame {
                graph: map.processor,
                parent: Some((fid, index)),
                variables: JsonMap::new(),
                detached: distributed,
                last_event_id: started,
                at: At::Entering {
                    state: self.machine.graph(map.processor).start_at.clone(),
                    input,
                },
            });
            if let At::Active(active) = &mut self.exec.frame_mut(fid).at
                && let Work::Map(work) = &mut active.work
            {
                work.running.insert(index, child);
            }
            self.schedule(child);
        }
    }

    fn map_succeeded(&mut self, fid: FrameId) -> Flow {
        let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
            return Flow::Blocked;
        };
        let Work::Map(work) = &mut active.work else {
            return Flow::Blocked;
        };
        let distributed = work.distributed;
        let results: Vec<Value> = work
            .results
            .iter_mut()
            .map(|r| r.take().unwrap_or(Value::Null))
            .collect();
        if distributed {
            self.emit(fid, EventDetails::MapRunSucceeded);
        }
        self.emit(fid, EventDetails::MapStateSucceeded);
        self.finish_with_result(fid, Value::Array(results))
    }

    pub(in crate::interpreter) fn map_child_finished(
        &mut self,
        fid: FrameId,
        index: u64,
        result: Result<Value, Failure>,
    ) {
        let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
            return;
        };
        let state_name = active.state.clone();
        let Work::Map(work) = &mut active.work else {
            return;
        };
        work.running.remove(&index);
        let distributed = work.distributed;
        let failure = match result {
            Ok(output) => {
                if let Some(slot) = work.results.get_mut(index as usize) {
                    *slot = Some(output);
                }
                if !distributed {
                    self.emit(
                        fid,
                        EventDetails::MapIterationSucceeded {
                            name: state_name.clone(),
                            index,
                        },
                    );
                }
                None
            }
            Err(failure) => {
                work.failed += 1;
                let verdict = tolerance_verdict(work, &failure);
                if verdict.is_none()
                    && let Some(slot) = work.results.get_mut(index as usize)
                {
                    *slot = Some(failure.to_error_output());
                }
                if !distributed {
                    self.emit(
                        fid,
                        EventDetails::MapIterationFailed {
                            name: state_name.clone(),
                            index,
                        },
                    );
                }
                verdict
            }
        };
        let Some(state) = self.state(fid, &state_name) else {
            return;
        };
        let flow = match failure {
            Some(failure) => {
                let running: Vec<(u64, FrameId)> = match &self.exec.frame(fid).at {
                    At::Active(active) => match &active.work {
                        Work::Map(work) => work.running.iter().map(|(i, f)| (*i, *f)).collect(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                for (index, child) in running {
                    self.abort_frame(child, true);
                    self.exec.frames.remove(&child);
                    if !distributed {
                        self.emit(
                            fid,
                            EventDetails::MapIterationAborted {
                                name: state_name.clone(),
                                index,
                            },
                        );
                    }
                }
                if let At::Active(active) = &mut self.exec.frame_mut(fid).at
                    && let Work::Map(work) = &mut active.work
                {
                    work.running.clear();
                }
                self.state_failed(fid, failure)
            }
            None => self.launch_iterations(fid, state),
        };
        self.apply_flow(fid, flow);
    }

    fn map_run_arn(&mut self, label: &str) -> String {
        let machine = &self.exec.info.state_machine_id;
        let base = machine.replacen(":stateMachine:", ":mapRun:", 1);
        let id = self.rng.uuid_v4();
        format!("{base}/{label}:{id}")
    }
}

/// `Some(error)` when this failure makes the Map fail: always without tolerance settings,
/// otherwise once a threshold is exceeded.
fn tolerance_verdict(work: &MapWork, failure: &Failure) -> Option<Failure> {
    if work.tolerated_failure_count.is_none() && work.tolerated_failure_percentage.is_none() {
        return Some(failure.clone());
    }
    let total = work.results.len() as f64;
    let over_count = work
        .tolerated_failure_count
        .is_some_and(|max| work.failed > max);
    let over_percentage = work
        .tolerated_failure_percentage
        .is_some_and(|max| total > 0.0 && (work.failed as f64) * 100.0 / total > max);
    let count_only_passes = work.tolerated_failure_percentage.is_none() && !over_count;
    let percentage_only_passes = work.tolerated_failure_count.is_none() && !over_percentage;
    let both_pass = !over_count && !over_percentage;
    if count_only_passes || percentage_only_passes || both_pass {
        return None;
    }
    Some(Failure::new(
        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    ))
}

fn items(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    map: &Map,
    language: QueryLanguage,
    effective: &Value,
    states: &Value,
) -> Result<Items, Failure> {
    let value = match &map.items {
        None => effective.clone(),
        Some(Dynamic::Path(path)) => path.resolve_for_path_field(&ev.scope(effective))?,
        Some(Dynamic::Jsonata(jsonata)) => {
            let value = ev.jsonata(jsonata, states, "Items", rng)?;
            if !value.is_array() {
                let source = match jsonata {
                    crate::definition::JsonataValue::Expression(e) => e.source().trim().to_owned(),
                    _ => crate::interpreter::compact(&value),
                };
                return Err(Failure::query_evaluation(format!(
                    "The JSONata expression '{source}' specified for the field 'Items' returned an unexpected result type. \
                     Expected 'array', but was '{}' for value: {}",
                    json_type_name(&value),
                    crate::interpreter::compact(&value)
                )));
            }
            value
        }
        Some(other) => ev.dynamic(other, effective, states, "Items", rng)?,
    };
    match value {
        Value::Array(values) => Ok(Items { values, keys: None }),
        Value::Object(entries) => {
            let (keys, values) = entries.into_iter().unzip();
            Ok(Items {
                values,
                keys: Some(keys),
            })
        }
        other if map.items.is_none() && language == QueryLanguage::Jsonata => {
            Err(Failure::query_evaluation(format!(
                "Map state input must be an array but was: {}",
                crate::interpreter::compact(&other)
            )))
        }
        other => Err(Failure::runtime(format!(
            "The Map state's items must be an array, but were: {}",
            crate::interpreter::compact(&other)
        ))),
    }
}

/// A non-negative integer field (`MaxConcurrency`), from a literal, a path or JSONata.
fn integer_field(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    field: &Dynamic,
    effective: &Value,
    states: &Value,
    name: &str,
) -> Result<u64, Failure> {
    let value = ev.dynamic(field, effective, states, name, rng)?;
    match (
        as_integer(&value).and_then(|n| u64::try_from(n).ok()),
        field,
    ) {
        (Some(n), _) => Ok(n),
        (None, Dynamic::Path(path)) => Err(Failure::runtime(format!(
            "The {name}Path field refers to value \"{}\" which is not a valid integer: {}",
            display(&value),
            path.as_str()
        ))),
        (None, _) => Err(Failure::query_evaluation(format!(
            "The {name} field must be a non-negative integer, but was: {}",
            crate::interpreter::compact(&value)
        ))),
    }
}

fn tolerated_count(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    field: &Dynamic,
    effective: &Value,
    states: &Value,
) -> Result<u64, Failure> {
    let value = ev.dynamic(field, effective, states, "ToleratedFailureCount", rng)?;
    match (as_integer(&value), field) {
        (Some(n), _) if n < 0 => Err(Failure::runtime(
            "ToleratedFailureCount cannot be negative.",
        )),
        (Some(n), _) => Ok(n as u64),
        (None, Dynamic::Path(path)) => Err(Failure::runtime(format!(
            "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {}",
            display(&value),
            path.as_str()
        ))),
        (None, _) => Err(Failure::query_evaluation(format!(
            "The ToleratedFailureCount field must be a non-negative integer, but was: {}",
            crate::interpreter::compact(&value)
        ))),
    }
}

fn tolerated_percentage(
    ev: &Evaluator<'_>,
    rng: &mut Rng,
    field: &Dynamic,
    effective: &Value,
    states: &Value,
) -> Result<f64, Failure> {
    let value = ev.dynamic(field, effective, states, "ToleratedFailurePercentage", rng)?;
    let number = value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse::<f64>().ok()));
    match (number.filter(|n| n.is_finite()), field) {
        (Some(p), _) if !(0.0..=100.0).contains(&p) => Err(Failure::runtime(
            "ToleratedFailurePercentage must be between 0 and 100.",
        )),
        (Some(p), _) => Ok(p),
        (None, Dynamic::Path(path)) => Err(Failure::runtime(format!(
            "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {}",
            display(&value),
            path.as_str()
        ))),
        (None, _) => Err(Failure::query_evaluation(format!(
            "The ToleratedFailurePercentage field must be a number between 0 and 100, but was: {}",
            crate::interpreter::compact(&value)
        ))),
    }
}

/// An integer, or a string holding one: AWS reads these fields' values leniently (a variable
/// assigned `"1"` works as `MaxConcurrencyPath`).
fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
