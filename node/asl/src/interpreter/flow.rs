//! The engine room: frames advance until each one waits on the outside world or ends, and
//! endings propagate to the Parallel/Map state or execution that started them.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Map, Value};

use super::context::{StateContext, context_object};
use super::effect::{Effect, TaskId, TimerId};
use super::eval::Evaluator;
use super::execution::{
    Active, At, Execution, ExecutionInfo, ExecutionStatus, Frame, FrameId, Limits, Outcome, Timer,
    Work,
};
use super::history::{ErrorDetails, EventDetails, HistoryEvent};
use super::{Input, InputError, Stamp, Step, TaskTokens};
use crate::definition::{ContextUse, GraphId, State, StateMachine};
use crate::error::{Failure, names};
use crate::rand::Rng;
use crate::scope::ScopeChain;
use crate::time::Timestamp;

/// How a state hands control back to its frame.
#[derive(Debug)]
pub(super) enum Flow {
    /// Enter `state` next, with `input`.
    Next { state: String, input: Value },
    /// The frame's graph ended with `output`.
    End { output: Value },
    /// The frame fails with this error (retriers and catchers were already consulted).
    Failed(Failure),
    /// The state waits for an input; the frame is `At::Active`.
    Blocked,
}

/// One transition in progress.
pub(super) struct Run<'a> {
    pub machine: &'a StateMachine,
    pub exec: &'a mut Execution,
    pub now: Timestamp,
    pub rng: Rng,
    pub tokens: &'a dyn TaskTokens,
    pub step: Step,
    ready: VecDeque<FrameId>,
}

pub(super) fn start(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    limits: Limits,
    stamp: Stamp,
    tokens: &dyn TaskTokens,
) -> (Execution, Step) {
    let root = Frame {
        graph: GraphId::ROOT,
        parent: None,
        variables: Map::new(),
        detached: false,
        last_event_id: 0,
        at: At::Entering {
            state: machine.root().start_at.clone(),
            input: input.clone(),
        },
    };
    let timeout_seconds = machine
        .timeout_seconds
        .unwrap_or(limits.execution_seconds_max);
    let timeout_timer = Timer {
        id: TimerId(0),
        due: stamp.now.plus_seconds(timeout_seconds as i64),
    };
    let mut execution = Execution {
        info,
        input: input.clone(),
        limits,
        status: ExecutionStatus::Running,
        outcome: None,
        last_event_id: 0,
        frames: BTreeMap::from([(FrameId::ROOT, root)]),
        next_frame_id: 1,
        next_task_id: 0,
        next_timer_id: 1,
        timeout_timer: Some(timeout_timer),
        transitions: 0,
    };
    let mut run = Run::new(machine, &mut execution, stamp, tokens);
    let role_arn = run.exec.info.role_arn.clone();
    run.emit(
        FrameId::ROOT,
        EventDetails::ExecutionStarted { input, role_arn },
    );
    run.step.effects.push(Effect::SetTimer {
        timer: timeout_timer.id,
        due: timeout_timer.due,
    });
    run.ready.push_back(FrameId::ROOT);
    run.drive();
    let step = run.step;
    (execution, step)
}

pub(super) fn apply(
    exec: &mut Execution,
    machine: &StateMachine,
    input: Input,
    stamp: Stamp,
    tokens: &dyn TaskTokens,
) -> Result<Step, InputError> {
    if exec.is_finished() {
        return Err(InputError::ExecutionFinished);
    }
    validate_input(exec, &input)?;
    let mut run = Run::new(machine, exec, stamp, tokens);
    match input {
        Input::TaskStarted { task, worker_name } => run.task_started(task, worker_name),
        Input::TaskSubmitted { task, output } => run.task_submitted(task, output),
        Input::TaskSucceeded { task, output } => run.task_succeeded(task, output),
        Input::TaskFailed { task, failure } => run.task_failed(task, failure),
        Input::TaskHeartbeat { task } => run.task_heartbeat(task),
        Input::TimerFired { timer } => run.timer_fired(timer),
        Input::Stop { error, cause } => {
            let failure = Failure {
                error: error.unwrap_or_default(),
                cause,
            };
            run.finish_execution(Outcome::Aborted(failure));
        }
    }
    run.drive();
    Ok(run.step)
}

/// Rejects inputs about tasks that are not open, before anything changes.
fn validate_input(exec: &Execution, input: &Input) -> Result<(), InputError> {
    let task = match input {
        Input::TaskStarted { task, .. }
        | Input::TaskSubmitted { task, .. }
        | Input::TaskSucceeded { task, .. }
        | Input::TaskFailed { task, .. }
        | Input::TaskHeartbeat { task } => *task,
        Input::TimerFired { .. } | Input::Stop { .. } => return Ok(()),
    };
    let work = find_task(exec, task).ok_or(InputError::UnknownTask(task))?;
    match (input, work.started) {
        (Input::TaskStarted { .. }, true) => Err(InputError::TaskAlreadyStarted(task)),
        (Input::TaskStarted { .. }, false) => Ok(()),
        (_, false) => Err(InputError::TaskNotStarted(task)),
        (_, true) => Ok(()),
    }
}

pub(super) fn find_task(exec: &Execution, task: TaskId) -> Option<&super::execution::TaskWork> {
    exec.frames.values().find_map(|frame| match &frame.at {
        At::Active(Active {
            work: Work::Task(t),
            ..
        }) if t.task == task => Some(t),
        _ => None,
    })
}

pub(super) fn pending_effects(exec: &Execution) -> Vec<Effect> {
    if exec.is_finished() {
        return Vec::new();
    }
    let mut effects = Vec::new();
    if let Some(timer) = exec.timeout_timer {
        effects.push(Effect::SetTimer {
            timer: timer.id,
            due: timer.due,
        });
    }
    for frame in exec.frames.values() {
        let At::Active(active) = &frame.at else {
            continue;
        };
        match &active.work {
            Work::Task(task) => {
                effects.push(Effect::RunTask(super::states::task_request(active, task)));
                for timer in [task.timeout_timer, task.heartbeat_timer]
                    .into_iter()
                    .flatten()
                {
                    effects.push(Effect::SetTimer {
                        timer: timer.id,
                        due: timer.due,
                    });
                }
            }
            Work::Wait { timer } | Work::Backoff { timer } => {
                effects.push(Effect::SetTimer {
                    timer: timer.id,
                    due: timer.due,
                });
            }
            Work::Parallel(_) | Work::Map(_) => {}
        }
    }
    effects
}

impl<'a> Run<'a> {
    fn new(
        machine: &'a StateMachine,
        exec: &'a mut Execution,
        stamp: Stamp,
        tokens: &'a dyn TaskTokens,
    ) -> Self {
        Run {
            machine,
            exec,
            now: stamp.now,
            rng: Rng::new(stamp.seed),
            tokens,
            step: Step::default(),
            ready: VecDeque::new(),
        }
    }

    /// Runs ready frames until none is left.
    fn drive(&mut self) {
        while let Some(fid) = self.ready.pop_front() {
            if self.exec.is_finished() {
                break;
            }
            if self.exec.frames.contains_key(&fid) {
                self.run_frame(fid);
            }
        }
        if self.exec.is_finished() {
            self.ready.clear();
        }
    }

    fn run_frame(&mut self, fid: FrameId) {
        loop {
            let At::Entering { state, input } = &mut self.exec.frame_mut(fid).at else {
                return;
            };
            let state = std::mem::take(state);
            let input = std::mem::take(input);
            let flow = self.enter(fid, &state, input);
            if self.exec.is_finished() {
                return;
            }
            match flow {
                Flow::Next { state, input } => {
                    self.exec.frame_mut(fid).at = At::Entering { state, input };
                }
                other => return self.apply_flow(fid, other),
            }
        }
    }

    /// Continues a frame after one of its states finished or failed.
    pub(super) fn apply_flow(&mut self, fid: FrameId, flow: Flow) {
        match flow {
            Flow::Next { state, input } => {
                self.exec.frame_mut(fid).at = At::Entering { state, input };
                self.ready.push_back(fid);
            }
            Flow::End { output } => self.frame_succeeded(fid, output),
            Flow::Failed(failure) => self.frame_failed(fid, failure),
            Flow::Blocked => {}
        }
    }

    pub(super) fn schedule(&mut self, fid: FrameId) {
        self.ready.push_back(fid);
    }

    fn frame_succeeded(&mut self, fid: FrameId, output: Value) {
        let frame = self.exec.frame(fid);
        match frame.parent {
            None => self.finish_execution(Outcome::Succeeded { output }),
            Some((parent, index)) => {
                self.exec.frames.remove(&fid);
                self.child_finished(parent, index, Ok(output));
            }
        }
    }

    fn frame_failed(&mut self, fid: FrameId, failure: Failure) {
        let frame = self.exec.frame(fid);
        match frame.parent {
            None => self.finish_execution(Outcome::Failed(failure)),
            Some((parent, index)) => {
                // A branch or iteration that fails while a state is still active (a Task whose
                // error nobody caught) records that state as aborted, as AWS does.
                if let At::Active(active) = &frame.at
                    && let Some(state) = self.state(fid, &active.state)
                {
                    let name = active.state.clone();
                    let state_type = super::states::state_type(state);
                    self.emit(fid, EventDetails::StateAborted { state_type, name });
                }
                self.exec.frames.remove(&fid);
                self.child_finished(parent, index, Err(failure));
            }
        }
    }

    /// A Parallel branch or Map iteration of `parent`'s active state ended.
    fn child_finished(&mut self, parent: FrameId, index: u64, result: Result<Value, Failure>) {
        let At::Active(active) = &self.exec.frame(parent).at else {
            return;
        };
        match &active.work {
            Work::Parallel(_) => self.parallel_child_finished(parent, index, result),
            Work::Map(_) => self.map_child_finished(parent, index, result),
            _ => {}
        }
    }

    /// Stops a frame and everything below it. With `events`, writes the `…StateAborted`
    /// events a sibling's failure produces; a stopped or timed-out execution writes none.
    pub(super) fn abort_frame(&mut self, fid: FrameId, events: bool) {
        let Some(frame) = self.exec.frames.get_mut(&fid) else {
            return;
        };
        let at = std::mem::replace(&mut frame.at, At::Aborted);
        let At::Active(active) = at else { return };
        let state_type = self
            .state(fid, &active.state)
            .map(super::states::state_type);
        match &active.work {
            Work::Task(task) => {
                self.step
                    .effects
                    .push(Effect::CancelTask { task: task.task });
                for timer in [task.timeout_timer, task.heartbeat_timer]
                    .into_iter()
                    .flatten()
                {
                    self.step
                        .effects
                        .push(Effect::CancelTimer { timer: timer.id });
                }
            }
            Work::Wait { timer } | Work::Backoff { timer } => {
                self.step
                    .effects
                    .push(Effect::CancelTimer { timer: timer.id });
            }
            Work::Parallel(container) => {
                for child in container.children.clone() {
                    self.abort_frame(child, events);
                    self.exec.frames.remove(&child);
                }
            }
            Work::Map(map) => {
                for (index, child) in map.running.clone() {
                    self.abort_frame(child, events);
                    self.exec.frames.remove(&child);
                    if events && !map.distributed {
                        let name = active.state.clone();
                        self.emit(fid, EventDetails::MapIterationAborted { name, index });
                    }
                }
            }
        }
        if let (true, Some(state_type)) = (events, state_type) {
            self.emit(
                fid,
                EventDetails::StateAborted {
                    state_type,
                    name: active.state.clone(),
                },
            );
        }
    }

    /// Ends the execution: writes its last event and cancels everything still running.
    pub(super) fn finish_execution(&mut self, outcome: Outcome) {
        if self.exec.is_finished() {
            return;
        }
        let ids: Vec<FrameId> = self.exec.frames.keys().copied().collect();
        for fid in ids {
            self.abort_frame(fid, false);
        }
        if let Some(timer) = self.exec.timeout_timer.take() {
            self.step
                .effects
                .push(Effect::CancelTimer { timer: timer.id });
        }
        let (status, details) = match &outcome {
            Outcome::Succeeded { output } => (
                ExecutionStatus::Succeeded,
                EventDetails::ExecutionSucceeded {
                    output: output.clone(),
                },
            ),
            Outcome::Failed(f) => (
                ExecutionStatus::Failed,
                EventDetails::ExecutionFailed(error_details(f)),
            ),
            Outcome::TimedOut(f) => (
                ExecutionStatus::TimedOut,
                EventDetails::ExecutionTimedOut(error_details(f)),
            ),
            Outcome::Aborted(f) => (
                ExecutionStatus::Aborted,
                EventDetails::ExecutionAborted(error_details(f)),
            ),
        };
        self.emit_root(details);
        self.exec.status = status;
        self.exec.outcome = Some(outcome);
        self.exec.frames.clear();
    }

    /// Appends an event to the history, on `fid`'s thread. Events of detached frames (a
    /// Distributed Map's children) belong to the child's own history and are not kept.
    pub(super) fn emit(&mut self, fid: FrameId, details: EventDetails) -> u64 {
        if self.is_detached(fid) {
            return 0;
        }
        if self.exec.last_event_id + 1 >= self.exec.limits.history_events_max
            && !matches!(
                details,
                EventDetails::ExecutionFailed(_)
                    | EventDetails::ExecutionSucceeded { .. }
                    | EventDetails::ExecutionAborted(_)
                    | EventDetails::ExecutionTimedOut(_)
            )
        {
            let max = self.exec.limits.history_events_max;
            self.finish_execution(Outcome::Failed(Failure::runtime(format!(
                "The execution history reached the limit of {max} events."
            ))));
            return 0;
        }
        let previous = self
            .exec
            .frames
            .get(&fid)
            .map_or(self.exec.last_event_id, |f| f.last_event_id);
        self.exec.last_event_id += 1;
        let id = self.exec.last_event_id;
        if let Some(frame) = self.exec.frames.get_mut(&fid) {
            frame.last_event_id = id;
        }
        self.step.events.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp: self.now,
            details,
        });
        id
    }

    fn emit_root(&mut self, details: EventDetails) {
        let previous = self.exec.last_event_id;
        self.exec.last_event_id += 1;
        let id = self.exec.last_event_id;
        self.step.events.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp: self.now,
            details,
        });
    }

    fn is_detached(&self, fid: FrameId) -> bool {
        let mut current = Some(fid);
        while let Some(id) = current {
            let Some(frame) = self.exec.frames.get(&id) else {
                return false;
            };
            if frame.detached {
                return true;
            }
            current = frame.parent.map(|(p, _)| p);
        }
        false
    }

    pub(super) fn new_timer(&mut self, due: Timestamp) -> Timer {
        let timer = Timer {
            id: TimerId(self.exec.next_timer_id),
            due,
        };
        self.exec.next_timer_id += 1;
        self.step.effects.push(Effect::SetTimer {
            timer: timer.id,
            due,
        });
        timer
    }

    pub(super) fn new_frame(&mut self, frame: Frame) -> FrameId {
        let id = FrameId(self.exec.next_frame_id);
        self.exec.next_frame_id += 1;
        self.exec.frames.insert(id, frame);
        id
    }

    /// The definition of `name` in `fid`'s graph.
    pub(super) fn state(&self, fid: FrameId, name: &str) -> Option<&'a State> {
        let machine: &'a StateMachine = self.machine;
        machine.graph(self.exec.frame(fid).graph).state(name)
    }

    /// Runs `f` with an evaluator for `fid`'s scope and the given state context.
    pub(super) fn evaluate<R>(
        &mut self,
        fid: FrameId,
        state: &StateContext<'_>,
        f: impl FnOnce(&Evaluator<'_>, &mut Rng) -> R,
    ) -> R {
        let exec: &Execution = self.exec;
        let chain = scope_chain(exec, fid);
        // Build only as much of the context object as the state can read.
        let context_use = self
            .state(fid, state.name)
            .map_or(ContextUse::Full, |s| s.context_use);
        let context = match context_use {
            ContextUse::None => Value::Null,
            ContextUse::WithoutInput => context_object(&exec.info, &Value::Null, state),
            ContextUse::Full => context_object(&exec.info, &exec.input, state),
        };
        let evaluator = Evaluator {
            context: &context,
            variables: &chain,
            now: self.now,
        };
        f(&evaluator, &mut self.rng)
    }

    // ---- inputs ---------------------------------------------------------------------------

    fn task_frame(&self, task: TaskId) -> Option<FrameId> {
        self.exec
            .frames
            .iter()
            .find_map(|(fid, frame)| match &frame.at {
                At::Active(Active {
                    work: Work::Task(t),
                    ..
                }) if t.task == task => Some(*fid),
                _ => None,
            })
    }

    fn timer_fired(&mut self, timer: TimerId) {
        if let Some(t) = self.exec.timeout_timer {
            if t.id == timer && self.now >= t.due {
                let failure = Failure::bare(names::TIMEOUT);
                self.finish_execution(Outcome::TimedOut(failure));
            }
            if t.id == timer {
                return;
            }
        }
        let owner = self.exec.frames.iter().find_map(|(fid, frame)| {
            let At::Active(active) = &frame.at else {
                return None;
            };
            let fired = match &active.work {
                Work::Wait { timer: t } | Work::Backoff { timer: t } => {
                    t.id == timer && self.now >= t.due
                }
                Work::Task(task) => [task.timeout_timer, task.heartbeat_timer]
                    .into_iter()
                    .flatten()
                    .any(|t| t.id == timer && self.now >= t.due),
                _ => false,
            };
            fired.then_some(*fid)
        });
        // A timer that was cancelled or re-armed may still fire: it changes nothing.
        if let Some(fid) = owner {
            self.active_timer_fired(fid, timer);
        }
    }

    fn task_started(&mut self, task: TaskId, worker_name: Option<String>) {
        if let Some(fid) = self.task_frame(task) {
            self.on_task_started(fid, worker_name);
        }
    }

    fn task_submitted(&mut self, task: TaskId, output: Value) {
        if let Some(fid) = self.task_frame(task) {
            self.on_task_submitted(fid, output);
        }
    }

    fn task_succeeded(&mut self, task: TaskId, output: Value) {
        if let Some(fid) = self.task_frame(task) {
            self.on_task_succeeded(fid, output);
        }
    }

    fn task_failed(&mut self, task: TaskId, failure: Failure) {
        if let Some(fid) = self.task_frame(task) {
            self.on_task_failed(fid, failure);
        }
    }

    fn task_heartbeat(&mut self, task: TaskId) {
        if let Some(fid) = self.task_frame(task) {
            self.on_task_heartbeat(fid);
        }
    }
}

/// Variables visible in `fid`: its own scope and its ancestors', up to a detached frame.
pub(super) fn scope_chain(exec: &Execution, fid: FrameId) -> ScopeChain<'_> {
    let mut layers = Vec::new();
    let mut current = Some(fid);
    while let Some(id) = current {
        let Some(frame) = exec.frames.get(&id) else {
            break;
        };
        layers.push(&frame.variables);
        if frame.detached {
            break;
        }
        current = frame.parent.map(|(p, _)| p);
    }
    layers.reverse();
    ScopeChain::new(layers)
}

pub(super) fn error_details(failure: &Failure) -> ErrorDetails {
    ErrorDetails {
        error: (!failure.error.is_empty()).then(|| failure.error.clone()),
        cause: failure.cause.clone(),
    }
}
