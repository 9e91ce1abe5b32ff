//! Runs one Express execution to its end, in memory, with the real clock.
//!
//! The loop is `asl::local::run` with real effects: tasks are performed by the same
//! integrations as Standard executions (each in its own task, aborted when the interpreter
//! cancels it), Waits, retry delays and timeouts are tokio sleeps until their due time, and
//! every step's events go to the log instead of storage. Nothing is committed between steps:
//! an Express execution that is interrupted simply never ends (at-most-once), unless the
//! asynchronous start's journal row runs it again.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use asl::Timestamp;
use asl::definition::StateMachine;
use asl::interpreter::{
    self, Effect, Execution, ExecutionInfo, Input, Limits, Outcome, Stamp, TaskId, TimerId,
    UnsignedTokens, classify_resource,
};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};

use super::history_log::log_events;
use super::options::LogLevel;
use crate::clock::{Clock, random_seed};
use crate::ids::ExecutionKey;
use crate::shard::Router;
use crate::tasks::integrations;

/// What every Express execution of a node runs with.
pub(super) struct Env {
    pub router: Router,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    /// The Express limit, whatever the definition's `TimeoutSeconds` says.
    pub duration_max_millis: i64,
    pub log_level: LogLevel,
}

/// One Express execution, ready to run.
pub(super) struct Launch {
    /// Its identity; `start_time` is set when it starts.
    pub info: ExecutionInfo,
    /// How integrations know it (child names derive from it).
    pub key: ExecutionKey,
    pub machine: Arc<StateMachine>,
    pub input: Value,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Finished {
    pub start: Timestamp,
    pub stop: Timestamp,
    pub outcome: Outcome,
}

/// Runs `launch` until it ends; `None` when the node stops first.
pub(super) async fn run(
    env: &Env,
    launch: Launch,
    mut stopping: watch::Receiver<bool>,
) -> Option<Finished> {
    let Launch {
        mut info,
        key,
        machine,
        input,
    } = launch;
    let execution_arn = info.id.clone();
    let start = env.clock.now();
    info.start_time = start;
    let stamp = Stamp {
        now: start,
        seed: random_seed(),
    };
    let (mut execution, step) =
        interpreter::start(&machine, info, input, env.limits, stamp, &UnsignedTokens);
    let deadline = start.plus_millis(env.duration_max_millis);
    cap_execution_timeout(&mut execution, deadline);
    let mut world = World::new(&execution);
    log_events(env.log_level, &execution_arn, &step.events);
    world.absorb(env, &key, step.effects);
    let mut last = start;
    while !execution.is_finished() {
        let next_due = world.next_due();
        let inputs = tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => return None,
            Some(joined) = world.tasks.join_next(), if !world.tasks.is_empty() => match joined {
                Ok(inputs) => inputs,
                Err(error) => match world.panicked_task(&error) {
                    Some(failed) => vec![failed],
                    // Aborted because the interpreter cancelled the task: nothing to report.
                    None => continue,
                },
            },
            () = sleep_until(next_due, env.clock.now()) => world.take_due_timers(env.clock.now()),
        };
        for input in inputs {
            // Stamps never go backwards, even if the wall clock does.
            last = last.max(env.clock.now());
            if let Input::TaskSucceeded { task, .. } | Input::TaskFailed { task, .. } = &input {
                world.running.remove(task);
            }
            let stamp = Stamp {
                now: last,
                seed: random_seed(),
            };
            // An input the interpreter refuses (the result of a task that timed out meanwhile)
            // changes nothing.
            let Ok(step) = execution.apply(&machine, input, stamp, &UnsignedTokens) else {
                continue;
            };
            log_events(env.log_level, &execution_arn, &step.events);
            world.absorb(env, &key, step.effects);
            if execution.is_finished() {
                break;
            }
        }
    }
    let outcome = execution.outcome?;
    Some(Finished {
        start,
        stop: last,
        outcome,
    })
}

/// Sleeps until `due` by the wall clock (forever when nothing is due).
async fn sleep_until(due: Option<Timestamp>, now: Timestamp) {
    match due {
        Some(due) => {
            let wait = due.as_millis().saturating_sub(now.as_millis()).max(0);
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        None => std::future::pending().await,
    }
}

/// The execution-wide timer fires at the Express limit at the latest, so the interpreter ends
/// the execution `States.Timeout` itself when a longer `TimeoutSeconds` would run past it.
fn cap_execution_timeout(execution: &mut Execution, deadline: Timestamp) {
    if let Some(timer) = execution.timeout_timer.as_mut()
        && timer.due > deadline
    {
        timer.due = deadline;
    }
}

/// The effects in flight: running tasks and armed timers.
struct World {
    tasks: JoinSet<Vec<Input>>,
    running: HashMap<TaskId, AbortHandle>,
    timers: BTreeMap<TimerId, Timestamp>,
    /// The execution-wide timer, already capped at the Express limit.
    execution_timeout: Option<(TimerId, Timestamp)>,
}

impl World {
    fn new(execution: &Execution) -> Self {
        World {
            tasks: JoinSet::new(),
            running: HashMap::new(),
            timers: BTreeMap::new(),
            execution_timeout: execution.timeout_timer.map(|t| (t.id, t.due)),
        }
    }

    fn absorb(&mut self, env: &Env, key: &ExecutionKey, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::RunTask(request) => {
                    let task = request.task;
                    let kind = classify_resource(&request.resource);
                    let (router, key) = (env.router.clone(), key.clone());
                    let handle = self.tasks.spawn(async move {
                        integrations::perform(&router, &key, &request, &kind).await
                    });
                    self.running.insert(task, handle);
                }
                Effect::CancelTask { task } => {
                    if let Some(handle) = self.running.remove(&task) {
                        handle.abort();
                    }
                }
                Effect::SetTimer { timer, due } => {
                    let due = match self.execution_timeout {
                        Some((id, capped)) if id == timer => capped,
                        _ => due,
                    };
                    self.timers.insert(timer, due);
                }
                Effect::CancelTimer { timer } => {
                    self.timers.remove(&timer);
                }
            }
        }
    }

    /// The failure of a task whose integration panicked (rather than was aborted), so the
    /// execution's Retry/Catch sees it instead of waiting for a result that never comes.
    fn panicked_task(&mut self, error: &tokio::task::JoinError) -> Option<Input> {
        if !error.is_panic() {
            return None;
        }
        let task = self
            .running
            .iter()
            .find(|(_, handle)| handle.id() == error.id())
            .map(|(task, _)| *task)?;
        self.running.remove(&task);
        Some(Input::TaskFailed {
            task,
            failure: asl::Failure::new(
                "States.TaskFailed",
                "the integration stopped unexpectedly before it reported a result",
            ),
        })
    }

    /// When the earliest armed timer is due.
    fn next_due(&self) -> Option<Timestamp> {
        self.timers.values().min().copied()
    }

    /// Disarms every timer due at `now` and returns their firings, earliest first.
    fn take_due_timers(&mut self, now: Timestamp) -> Vec<Input> {
        let mut due: Vec<(Timestamp, TimerId)> = self
            .timers
            .iter()
            .filter(|(_, due)| **due <= now)
            .map(|(id, due)| (*due, *id))
            .collect();
        due.sort();
        due.iter()
            .map(|(_, timer)| {
                self.timers.remove(timer);
                Input::TimerFired { timer: *timer }
            })
            .collect()
    }
}
