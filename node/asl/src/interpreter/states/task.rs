//! Task: hands work to the outside world and waits for its result (reference §1.4, §7).

use serde_json::Value;

use super::states_object;
use crate::definition::{Dynamic, Io, State, Task};
use crate::error::{Failure, names};
use crate::interpreter::effect::{Effect, TaskId, TaskRequest, TimerId};
use crate::interpreter::eval::check_payload;
use crate::interpreter::execution::{Active, At, FrameId, TaskWork, Work};
use crate::interpreter::flow::{Flow, Run};
use crate::interpreter::history::{EventDetails, TaskEventFamily};
use crate::interpreter::task_resource::{ResourceKind, classify_resource};

/// What a Task's resolved fields came to.
struct Resolved {
    parameters: Value,
    timeout_seconds: Option<u64>,
    heartbeat_seconds: Option<u64>,
}

impl Run<'_> {
    pub(super) fn start_task(
        &mut self,
        fid: FrameId,
        state: &State,
        task: &Task,
    ) -> Result<Flow, Failure> {
        let kind = classify_resource(&task.resource);
        let task_id = TaskId(self.exec.next_task_id);
        self.exec.next_task_id += 1;
        // Every task attempt gets a token: callbacks and activities need it, and any
        // integration may pass `$$.Task.Token` on (a `.sync` child can answer through it).
        let token = Some(self.tokens.mint(&self.exec.info, task_id));
        let (name, mut context) = self.active_context(fid);
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Ok(Flow::Blocked);
        };
        let input = active.input.clone();
        let entered = active.entered_event_id;
        context.name = &state.name;
        context.task_token = token.as_deref();
        let payload_max = self.exec.limits.payload_bytes_max;
        let resolved = self.evaluate(fid, &context, |ev, rng| -> Result<Resolved, Failure> {
            let states = states_object(&input, ev.context, None);
            let (parameters, effective) = match &state.io {
                Io::JsonPath(io) => {
                    let effective = ev.select_path(&io.input_path, &input)?;
                    let parameters = match &io.parameters {
                        Some(t) => ev.template(t, &effective, rng)?,
                        None => effective.clone(),
                    };
                    (parameters, effective)
                }
                Io::Jsonata(io) => {
                    let arguments = match &io.arguments {
                        Some(a) => ev.jsonata(a, &states, "Arguments", rng)?,
                        None => input.clone(),
                    };
                    (arguments, input.clone())
                }
            };
            let mut seconds = |field: &Option<Dynamic>,
                               name: &str|
             -> Result<Option<u64>, Failure> {
                let Some(field) = field else { return Ok(None) };
                let value = match field {
                    Dynamic::Path(path) => path.resolve_for_path_field(&ev.scope(&effective))?,
                    other => ev.dynamic(other, &effective, &states, name, rng)?,
                };
                match value.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => {
                        let message = format!(
                            "The {name} value must be a positive integer, but was: {value}"
                        );
                        Err(match field {
                            Dynamic::Jsonata(_) => Failure::query_evaluation(message),
                            _ => Failure::runtime(message),
                        })
                    }
                }
            };
            let timeout_seconds = seconds(&task.timeout_seconds, "TimeoutSeconds")?;
            let heartbeat_seconds = seconds(&task.heartbeat_seconds, "HeartbeatSeconds")?;
            check_payload(&parameters, payload_max, "task input")?;
            Ok(Resolved {
                parameters,
                timeout_seconds,
                heartbeat_seconds,
            })
        });
        let resolved = match resolved {
            Ok(r) => r,
            Err(failure) => return Err(self.evaluation_failed(fid, failure, &name, entered)),
        };
        let family = kind.event_family();
        let region = self.exec.info.region.clone();
        self.emit(
            fid,
            EventDetails::TaskScheduled {
                family: family.clone(),
                region,
                parameters: resolved.parameters.clone(),
                timeout_seconds: resolved.timeout_seconds,
                heartbeat_seconds: resolved.heartbeat_seconds,
            },
        );
        let mut work = TaskWork {
            task: task_id,
            resource: task.resource.clone(),
            credentials: task.credentials.clone(),
            token,
            parameters: resolved.parameters,
            started: false,
            timeout_seconds: resolved.timeout_seconds,
            heartbeat_seconds: resolved.heartbeat_seconds,
            timeout_timer: None,
            heartbeat_timer: None,
        };
        // Integrations start as soon as they are scheduled; an activity starts when a worker
        // takes it (`TaskStarted` input), and its clocks start then.
        let starts_now = !matches!(kind, ResourceKind::Activity { .. });
        if starts_now {
            self.emit(
                fid,
                EventDetails::TaskStarted {
                    family,
                    worker_name: None,
                },
            );
            self.arm_task_timers(&mut work);
        }
        let request_attempt;
        {
            let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
                return Ok(Flow::Blocked);
            };
            request_attempt = active.retry_count;
            active.work = Work::Task(work);
        }
        let At::Active(active) = &self.exec.frame(fid).at else {
            return Ok(Flow::Blocked);
        };
        let Work::Task(work) = &active.work else {
            return Ok(Flow::Blocked);
        };
        let mut request = task_request(active, work);
        request.attempt = request_attempt;
        self.step.effects.push(Effect::RunTask(request));
        Ok(Flow::Blocked)
    }

    fn arm_task_timers(&mut self, work: &mut TaskWork) {
        work.started = true;
        if let Some(t) = work.timeout_seconds {
            work.timeout_timer = Some(self.new_timer(self.now.plus_seconds(t as i64)));
        }
        if let Some(h) = work.heartbeat_seconds {
            work.heartbeat_timer = Some(self.new_timer(self.now.plus_seconds(h as i64)));
        }
    }

    fn task_family(&self, fid: FrameId) -> TaskEventFamily {
        let At::Active(active) = &self.exec.frame(fid).at else {
            return TaskEventFamily::Activity;
        };
        match self.state(fid, &active.state).map(|s| &s.kind) {
            Some(crate::definition::StateKind::Task(task)) => {
                classify_resource(&task.resource).event_family()
            }
            _ => TaskEventFamily::Activity,
        }
    }

    fn take_task_work(&mut self, fid: FrameId) -> Option<TaskWork> {
        let At::Active(active) = &mut self.exec.frame_mut(fid).at else {
            return None;
        };
        let Work::Task(work) = &mut active.work else {
            return None;
        };
        Some(work.clone())
    }

    fn put_task_work(&mut self, fid: FrameId, work: TaskWork) {
        if let At::Active(Active {
            work: slot @ Work::Task(_),
            ..
        }) = &mut self.exec.frame_mut(fid).at
        {
            *slot = Work::Task(work);
        }
    }

    /// Cancels the task's timers; its work is over.
    fn close_task(&mut self, fid: FrameId) {
        if let Some(work) = self.take_task_work(fid) {
            for timer in [work.timeout_timer, work.heartbeat_timer]
                .into_iter()
                .flatten()
            {
                self.step
                    .effects
                    .push(Effect::CancelTimer { timer: timer.id });
            }
        }
    }

    pub(in crate::interpreter) fn on_task_started(
        &mut self,
        fid: FrameId,
        worker_name: Option<String>,
    ) {
        let family = self.task_family(fid);
        self.emit(
            fid,
            EventDetails::TaskStarted {
                family,
                worker_name,
            },
        );
        if let Some(mut work) = self.take_task_work(fid) {
            self.arm_task_timers(&mut work);
            self.put_task_work(fid, work);
        }
    }

    pub(in crate::interpreter) fn on_task_submitted(&mut self, fid: FrameId, output: Value) {
        let family = self.task_family(fid);
        self.emit(fid, EventDetails::TaskSubmitted { family, output });
    }

    pub(in crate::interpreter) fn on_task_heartbeat(&mut self, fid: FrameId) {
        let Some(mut work) = self.take_task_work(fid) else {
            return;
        };
        if let (Some(seconds), Some(timer)) =
            (work.heartbeat_seconds, work.heartbeat_timer.as_mut())
        {
            timer.due = self.now.plus_seconds(seconds as i64);
            self.step.effects.push(Effect::SetTimer {
                timer: timer.id,
                due: timer.due,
            });
        }
        self.put_task_work(fid, work);
    }

    pub(in crate::interpreter) fn on_task_succeeded(&mut self, fid: FrameId, output: Value) {
        self.close_task(fid);
        let family = self.task_family(fid);
        let too_big =
            check_payload(&output, self.exec.limits.payload_bytes_max, "task result").is_err();
        if too_big {
            let resource_type = match &family {
                TaskEventFamily::Service { resource_type, .. } => resource_type.clone(),
                TaskEventFamily::Activity => "activity".into(),
                TaskEventFamily::Lambda => "lambda".into(),
            };
            let failure = Failure::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{resource_type}' returned a result with a size exceeding the maximum number of bytes service limit."
                ),
            );
            self.emit(
                fid,
                EventDetails::TaskFailed {
                    family,
                    failure: super::super::flow::error_details(&failure),
                },
            );
            let flow = self.state_failed(fid, failure);
            return self.apply_flow(fid, flow);
        }
        self.emit(
            fid,
            EventDetails::TaskSucceeded {
                family,
                output: output.clone(),
            },
        );
        let flow = self.finish_with_result(fid, output);
        self.apply_flow(fid, flow);
    }

    pub(in crate::interpreter) fn on_task_failed(&mut self, fid: FrameId, failure: Failure) {
        self.close_task(fid);
        let family = self.task_family(fid);
        let details = super::super::flow::error_details(&failure);
        // A service that reports a timeout (a `.sync` job, a callback that never came) ends
        // the task the same way our own timers do.
        let timed_out =
            failure.error == names::TIMEOUT || failure.error == names::HEARTBEAT_TIMEOUT;
        if timed_out {
            self.emit(
                fid,
                EventDetails::TaskTimedOut {
                    family,
                    failure: details,
                },
            );
        } else {
            self.emit(
                fid,
                EventDetails::TaskFailed {
                    family,
                    failure: details,
                },
            );
        }
        let flow = self.state_failed(fid, failure);
        self.apply_flow(fid, flow);
    }

    /// The task's timeout or heartbeat timer fired.
    pub(super) fn task_timer_fired(&mut self, fid: FrameId, timer: TimerId) -> Flow {
        let Some(work) = self.take_task_work(fid) else {
            return Flow::Blocked;
        };
        let heartbeat = work.heartbeat_timer.is_some_and(|t| t.id == timer);
        self.close_task(fid);
        self.step
            .effects
            .push(Effect::CancelTask { task: work.task });
        let failure = if heartbeat {
            Failure::new(names::HEARTBEAT_TIMEOUT, "")
        } else {
            Failure::new(names::TIMEOUT, "")
        };
        let family = self.task_family(fid);
        self.emit(
            fid,
            EventDetails::TaskTimedOut {
                family,
                failure: super::super::flow::error_details(&failure),
            },
        );
        self.state_failed(fid, failure)
    }
}

/// The `RunTask` request for an open task (also used to rebuild effects after failover).
pub(in crate::interpreter) fn task_request(active: &Active, work: &TaskWork) -> TaskRequest {
    TaskRequest {
        task: work.task,
        state: active.state.clone(),
        resource: work.resource.clone(),
        input: work.parameters.clone(),
        token: work.token.clone(),
        timeout_seconds: work.timeout_seconds,
        heartbeat_seconds: work.heartbeat_seconds,
        credentials: work.credentials.clone(),
        attempt: active.retry_count,
    }
}
