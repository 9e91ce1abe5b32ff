//! Runs an execution to completion in-process, with a virtual clock and canned task results.
//!
//! This is what `cairn run` and the conformance runner use: the same interpreter as the node,
//! with the node's effects served locally. Waits and retry delays complete at once, but the
//! virtual clock still advances to each timer's due time, so timestamps stay meaningful.

mod mocks;

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

pub use mocks::{MockError, MockResponse, Mocks, NoMocks, StateMocks};

use crate::definition::StateMachine;
use crate::interpreter::{
    self, Effect, Execution, ExecutionInfo, HistoryEvent, Input, IntegrationPattern, Limits,
    ResourceKind, Stamp, TaskRequest, TaskTokens, TimerId, UnsignedTokens, classify_resource,
};
use crate::time::Timestamp;

/// How a local run behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// The virtual clock's start.
    pub start_time: Timestamp,
    /// Seed for the first transition; later transitions derive theirs from it.
    pub seed: u64,
    pub limits: Limits,
    /// Stop the execution (`StopExecution`) as soon as it has entered its first state.
    pub stop_after_start: bool,
    /// Give up after this many transitions (a guard against definitions that loop forever).
    pub transitions_max: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            start_time: Timestamp(0),
            seed: 0,
            limits: Limits::default(),
            stop_after_start: false,
            transitions_max: 1_000_000,
        }
    }
}

/// Why a local run could not finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("Task state '{state}' ({resource}) needs a mocked result, but {problem}")]
    NoMock {
        state: String,
        resource: String,
        problem: String,
    },
    #[error("the execution did not finish within {0} transitions")]
    TooManyTransitions(u64),
    #[error("the interpreter rejected an input: {0}")]
    Rejected(String),
}

/// A finished local run.
#[derive(Debug, Clone)]
pub struct Run {
    pub execution: Execution,
    pub history: Vec<HistoryEvent>,
}

/// Runs `machine` on `input` until the execution ends.
pub fn run(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    mocks: &mut dyn Mocks,
    options: &Options,
) -> Result<Run, Error> {
    let tokens = UnsignedTokens;
    let mut clock = options.start_time;
    let mut seeds = SeedSequence(options.seed);
    let (mut execution, step) = interpreter::start(
        machine,
        info,
        input,
        options.limits,
        Stamp {
            now: clock,
            seed: seeds.next(),
        },
        &tokens,
    );
    let mut history = step.events;
    let mut world = World::default();
    world.absorb(step.effects);
    if options.stop_after_start && !execution.is_finished() {
        world.inputs.push_back(Input::Stop {
            error: None,
            cause: None,
        });
    }
    let mut transitions = 0u64;
    while !execution.is_finished() {
        transitions += 1;
        if transitions > options.transitions_max {
            return Err(Error::TooManyTransitions(options.transitions_max));
        }
        let input = match world.next_task() {
            Some(request) => {
                world.task_inputs(&request, mocks)?;
                continue;
            }
            None => match world.inputs.pop_front() {
                Some(input) => input,
                None => match world.earliest_timer() {
                    Some((timer, due)) => {
                        clock = clock.max(due);
                        world.timers.remove(&timer);
                        Input::TimerFired { timer }
                    }
                    // Nothing can move the execution on: only its timeout remains, which
                    // `earliest_timer` always finds, so this is unreachable in practice.
                    None => {
                        return Err(Error::Rejected(
                            "no effect can advance the execution".into(),
                        ));
                    }
                },
            },
        };
        // Every transition happens a millisecond after the previous one on the virtual clock.
        clock = clock.plus_millis(1);
        let step = execution
            .apply(
                machine,
                input,
                Stamp {
                    now: clock,
                    seed: seeds.next(),
                },
                &tokens as &dyn TaskTokens,
            )
            .map_err(|e| Error::Rejected(e.to_string()))?;
        history.extend(step.events);
        world.absorb(step.effects);
    }
    Ok(Run { execution, history })
}

/// The runtime side of a local run: open tasks, armed timers and inputs waiting to be fed.
#[derive(Default)]
struct World {
    tasks: VecDeque<TaskRequest>,
    timers: BTreeMap<TimerId, Timestamp>,
    inputs: VecDeque<Input>,
}

impl World {
    fn absorb(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::RunTask(request) => self.tasks.push_back(request),
                Effect::CancelTask { task } => self.tasks.retain(|t| t.task != task),
                Effect::SetTimer { timer, due } => {
                    self.timers.insert(timer, due);
                }
                Effect::CancelTimer { timer } => {
                    self.timers.remove(&timer);
                }
            }
        }
    }

    fn next_task(&mut self) -> Option<TaskRequest> {
        self.tasks.pop_front()
    }

    /// Queues the inputs a task produces: an activity is first taken by a worker, then the
    /// mocked outcome arrives.
    fn task_inputs(&mut self, request: &TaskRequest, mocks: &mut dyn Mocks) -> Result<(), Error> {
        let response = mocks.respond(request).map_err(|e| Error::NoMock {
            state: request.state.clone(),
            resource: request.resource.clone(),
            problem: e.to_string(),
        })?;
        if matches!(
            classify_resource(&request.resource),
            ResourceKind::Activity { .. }
        ) {
            self.inputs.push_back(Input::TaskStarted {
                task: request.task,
                worker_name: Some("local".into()),
            });
        }
        let kind = classify_resource(&request.resource);
        let submits = !matches!(kind, ResourceKind::Activity { .. })
            && kind.pattern() != IntegrationPattern::RequestResponse;
        if submits {
            self.inputs.push_back(Input::TaskSubmitted {
                task: request.task,
                output: Value::Object(Default::default()),
            });
        }
        self.inputs.push_back(match response {
            MockResponse::Return(output) => Input::TaskSucceeded {
                task: request.task,
                output,
            },
            MockResponse::Throw(failure) => Input::TaskFailed {
                task: request.task,
                failure,
            },
        });
        Ok(())
    }

    fn earliest_timer(&self) -> Option<(TimerId, Timestamp)> {
        self.timers
            .iter()
            .min_by_key(|(id, due)| (**due, **id))
            .map(|(id, due)| (*id, *due))
    }
}

/// Distinct, reproducible seeds for successive transitions.
struct SeedSequence(u64);

impl SeedSequence {
    fn next(&mut self) -> u64 {
        let mut rng = crate::rand::Rng::new(self.0);
        self.0 = rng.next_u64();
        self.0
    }
}
