//! The node's Express runtime: starts executions synchronously and asynchronously, bounds
//! how many run at once, and winds them down when the node stops.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use asl::interpreter::Outcome;
use cairn_proto::storage::StateMachineRecord;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};

use super::error::Error;
use super::launch::{definition_row, is_express};
use super::options::ExpressOptions;
use super::run::{Env, Finished, Launch, run};
use super::standard_machines::StandardMachines;
use crate::clock::Clock;
use crate::engine::DefinitionCache;
use crate::ids::Arns;
use crate::shard::Router;
use crate::storage::ExpressJournal;

/// The way into the runtime; cheap to clone.
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("express::Handle")
            .field("running", &self.running())
            .finish_non_exhaustive()
    }
}

pub(super) struct Inner {
    pub env: Env,
    pub arns: Arns,
    pub definitions: Arc<DefinitionCache>,
    /// Taken away when the node shuts down, so the storage can close even while a
    /// connection still holds the runtime.
    journal: RwLock<Option<ExpressJournal>>,
    /// Definitions already in the journal, so a start writes its definition only once.
    pub journaled_definitions: Mutex<HashSet<String>>,
    /// Spares STANDARD starts a second read of their state machine.
    standard_machines: StandardMachines,
    running_max: usize,
    permits: Arc<Semaphore>,
    stopping: watch::Sender<bool>,
    /// Executions and recoveries in progress, so a stopping node can wait for them to let go
    /// of the storage.
    tracker: Arc<Tracker>,
}

/// An execution started asynchronously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub execution_arn: String,
    pub start_millis: i64,
}

/// A synchronous execution, ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOutcome {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub start_millis: i64,
    pub stop_millis: i64,
    /// Compact JSON text of the input.
    pub input_json: String,
    pub outcome: Outcome,
}

impl Handle {
    /// A runtime whose executions use `router` for integrations and `journal` for the
    /// asynchronous starts. Call [`Handle::recover`] once, before serving requests.
    pub fn new(
        options: &ExpressOptions,
        limits: asl::interpreter::Limits,
        arns: Arns,
        router: Router,
        clock: Arc<dyn Clock>,
        definitions: Arc<DefinitionCache>,
        journal: ExpressJournal,
    ) -> Handle {
        let duration_seconds = options.duration_seconds_max;
        let env = Env {
            router,
            clock,
            limits: asl::interpreter::Limits {
                execution_seconds_max: duration_seconds,
                ..limits
            },
            duration_max_millis: i64::try_from(duration_seconds.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            log_level: options.log_level,
        };
        Handle {
            inner: Arc::new(Inner {
                env,
                arns,
                definitions,
                journal: RwLock::new(Some(journal)),
                journaled_definitions: Mutex::new(HashSet::new()),
                standard_machines: StandardMachines::default(),
                running_max: options.running_max,
                permits: Arc::new(Semaphore::new(options.running_max)),
                stopping: watch::Sender::new(false),
                tracker: Arc::default(),
            }),
        }
    }

    pub(super) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The journal, until the node shuts down.
    pub(super) fn journal(&self) -> Result<ExpressJournal, Error> {
        self.inner
            .journal
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(Error::ShuttingDown)
    }

    /// Express executions running now.
    pub fn running(&self) -> usize {
        self.inner.running_max - self.inner.permits.available_permits()
    }

    /// The state machine an ARN names when it is EXPRESS; `None` for a STANDARD one.
    pub async fn express_machine(
        &self,
        state_machine_arn: &str,
    ) -> Result<Option<Arc<StateMachineRecord>>, Error> {
        let standard = &self.inner.standard_machines;
        if standard.is_standard(state_machine_arn) {
            return Ok(None);
        }
        let record = self.state_machine(state_machine_arn).await?;
        if is_express(&record) {
            return Ok(Some(record));
        }
        standard.remember(state_machine_arn);
        Ok(None)
    }

    /// StartSyncExecution: runs an execution of an EXPRESS machine to its end and returns how
    /// it ended. Nothing is recorded: if the node stops first, the execution is lost
    /// (at-most-once, as AWS's synchronous Express).
    pub async fn start_sync(
        &self,
        state_machine_arn: &str,
        name: String,
        input: String,
    ) -> Result<SyncOutcome, Error> {
        let record = self.state_machine(state_machine_arn).await?;
        if !is_express(&record) {
            return Err(Error::StandardMachine(state_machine_arn.to_owned()));
        }
        let identity = self.identity(&record, name)?;
        let input = self.checked_input(input)?;
        let launch = self.launch(&definition_row(&record), &identity, input.value)?;
        let _permit = self.permit()?;
        let _tracked = self.inner.tracker.enter();
        let finished = self.execute(launch).await.ok_or(Error::ShuttingDown)?;
        Ok(SyncOutcome {
            execution_arn: identity.execution_arn,
            state_machine_arn: record.arn.clone(),
            name: identity.name,
            start_millis: finished.start.as_millis(),
            stop_millis: finished.stop.as_millis(),
            input_json: input.json,
            outcome: finished.outcome,
        })
    }

    /// StartExecution of an EXPRESS machine: records the start durably, then runs it in the
    /// background and answers at once. If the node stops before it ends, it runs again from
    /// its start after the restart (at-least-once, as AWS's asynchronous Express).
    pub async fn start_async(
        &self,
        record: &StateMachineRecord,
        name: String,
        input: String,
    ) -> Result<Started, Error> {
        let _tracked = self.inner.tracker.enter();
        let identity = self.identity(record, name)?;
        let input = self.checked_input(input)?;
        let definition = definition_row(record);
        let launch = self.launch(&definition, &identity, input.value)?;
        let permit = self.permit()?;
        let accepted_millis = self.inner.env.clock.now().as_millis();
        self.record_start(&identity, &definition, input.json, accepted_millis)
            .await?;
        self.spawn_recorded(launch, accepted_millis, permit);
        Ok(Started {
            execution_arn: identity.execution_arn,
            start_millis: accepted_millis,
        })
    }

    /// Runs a recorded start in the background and forgets it once it has ended.
    pub(super) fn spawn_recorded(
        &self,
        launch: Launch,
        accepted_millis: i64,
        permit: OwnedSemaphorePermit,
    ) {
        let tracked = self.inner.tracker.enter();
        let this = self.clone();
        tokio::spawn(async move {
            this.run_recorded(launch, accepted_millis).await;
            // After the handle (and with it the storage) is released: see `wait_idle`.
            drop(permit);
            drop(tracked);
        });
    }

    async fn run_recorded(self, launch: Launch, accepted_millis: i64) {
        let execution_arn = launch.info.id.clone();
        if self.execute(launch).await.is_some() {
            self.forget_start(accepted_millis, &execution_arn).await;
        }
    }

    /// Runs one execution until it ends or the node stops.
    pub(super) async fn execute(&self, launch: Launch) -> Option<Finished> {
        run(&self.inner.env, launch, self.inner.stopping.subscribe()).await
    }

    /// A slot for one more running execution, or `ThrottlingException`.
    fn permit(&self) -> Result<OwnedSemaphorePermit, Error> {
        self.inner
            .permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| Error::Throttled {
                running_max: self.inner.running_max,
            })
    }

    /// A slot for a recovered execution: waits for one (recovery is never throttled away);
    /// `None` when the node stops first.
    pub(super) async fn wait_for_permit(&self) -> Option<OwnedSemaphorePermit> {
        let mut stopping = self.inner.stopping.subscribe();
        tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => None,
            permit = self.inner.permits.clone().acquire_owned() => permit.ok(),
        }
    }

    pub(super) fn track(&self) -> TrackGuard {
        self.inner.tracker.enter()
    }

    /// Tells every running execution to stop where it is (the node is shutting down).
    /// Asynchronous ones stay recorded and run again after the restart.
    pub fn stop(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Stops every execution, waits until they and any recovery have ended, and lets go of
    /// the storage.
    pub async fn shutdown(&self) {
        self.stop();
        self.inner.tracker.wait_idle().await;
        self.inner
            .journal
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// Counts work in progress and wakes waiters when there is none.
#[derive(Debug, Default)]
struct Tracker {
    live: AtomicUsize,
    idle: Notify,
}

impl Tracker {
    fn enter(self: &Arc<Self>) -> TrackGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        TrackGuard(self.clone())
    }

    async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            // Registered before the check, so a guard dropped in between still wakes us.
            notified.as_mut().enable();
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// One unit of work in progress; it ends when the guard is dropped.
#[derive(Debug)]
pub(super) struct TrackGuard(Arc<Tracker>);

impl Drop for TrackGuard {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
