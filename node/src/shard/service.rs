//! The shard actor: the one task that owns a shard's executions while this node leads it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, OnceLock};

use asl::definition::{MachineType, StateMachine};
use asl::interpreter::{self, Effect, Execution, Input, InputError, Stamp};
use cairn_proto::storage::{
    self as pb, Command, DeleteActivity, DeleteStateMachine, ExecutionRecord, PutActivity,
    PutStateMachine, StoredEvent, command,
};
use openraft::Raft;
use tokio::sync::{broadcast, mpsc, oneshot};
use tracing::{Instrument, Span, debug, info, warn};

use super::Router;
use super::requests::{ActivityCommand, StartReply, StartRequest, StateMachineCommand};
use super::timers::Timers;
use super::{Error, Handle, Request};
use crate::clock::{Clock, random_seed};
use crate::config::NodeOptions;
use crate::engine::{DefinitionCache, StepContext, build_transition, interpreter_state};
use crate::ids::{Arns, ExecutionKey, NodeId, ShardId};
use crate::raft::{ApplyResult, CommandOutcome, TypeConfig};
use crate::storage::ShardReader;
use crate::tasks::activities::Dispatcher;
use crate::tasks::token::{Minter, Tokens};
use crate::telemetry::proposal::Proposal;
use crate::telemetry::spans;

/// What every shard of a node shares.
pub struct Deps {
    pub node_id: NodeId,
    pub options: Arc<NodeOptions>,
    pub arns: Arns,
    pub tokens: Tokens,
    pub definitions: Arc<DefinitionCache>,
    pub activities: Dispatcher,
    pub clock: Arc<dyn Clock>,
    /// Set once every shard exists; effects that cross shards go through it.
    pub router: Arc<OnceLock<Router>>,
    /// Applied transitions, for watchers and waiters.
    pub applied: broadcast::Sender<Arc<AppliedStep>>,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

/// A transition that reached storage, as watchers see it.
#[derive(Debug, Clone)]
pub struct AppliedStep {
    pub key: ExecutionKey,
    pub events: Vec<StoredEvent>,
    pub record: ExecutionRecord,
}

/// An execution as the leader last committed it.
#[derive(Debug, Clone)]
struct Cached {
    record: ExecutionRecord,
    state: Option<Execution>,
    machine: Arc<StateMachine>,
}

/// Where the answer to a proposed command goes.
enum Reply {
    Start(oneshot::Sender<Result<StartReply, Error>>, StartReply),
    Input(Option<oneshot::Sender<Result<(), Error>>>),
    Plain(oneshot::Sender<Result<(), Error>>),
}

/// A command in flight, with what to do once it is applied.
struct Pending {
    key: Option<ExecutionKey>,
    after: Option<Cached>,
    effects: Vec<Effect>,
    /// The requests of tasks this step cancels (to stop `.sync` children).
    cancelled: Vec<asl::interpreter::TaskRequest>,
    events: Vec<StoredEvent>,
    reply: Reply,
    /// The request's span; closes once it is answered.
    span: Span,
}

impl Pending {
    fn traced(mut self, span: Span) -> Pending {
        self.span = span;
        self
    }
}

/// The result of one proposal, sent back to the actor by the task that awaited Raft.
type ProposalResult = (u64, Result<ApplyResult, Error>);

pub struct Service {
    shard: ShardId,
    raft: Raft<TypeConfig>,
    reader: ShardReader,
    deps: Arc<Deps>,
    me: Handle,
    requests: mpsc::Receiver<Request>,
    /// True once this node leads the shard and has rebuilt its effects.
    ready: bool,
    /// Why the shard's Raft group stopped (a storage failure), if it did; every request is
    /// then answered with it.
    stopped: Option<String>,
    waiting_for_leadership: VecDeque<Request>,
    cache: HashMap<ExecutionKey, Cached>,
    in_flight: HashSet<ExecutionKey>,
    parked: HashMap<ExecutionKey, VecDeque<Request>>,
    /// Hashes of the definitions this shard is known to store. Definition rows are never
    /// deleted, so once seen a hash stays true, and a start need not read the row again.
    stored_definitions: HashSet<String>,
    timers: Timers,
    proposals: HashMap<u64, Vec<Pending>>,
    next_proposal: u64,
    results_tx: mpsc::UnboundedSender<ProposalResult>,
    results_rx: mpsc::UnboundedReceiver<ProposalResult>,
}

impl Service {
    /// Creates the actor and its handle; run it with [`Service::run`].
    pub fn new(
        shard: ShardId,
        raft: Raft<TypeConfig>,
        reader: ShardReader,
        deps: Arc<Deps>,
    ) -> (Service, Handle) {
        let (sender, requests) = mpsc::channel(deps.options.shard.queue_capacity);
        let me = Handle::new(shard, sender);
        let (results_tx, results_rx) = mpsc::unbounded_channel();
        let service = Service {
            shard,
            raft,
            reader,
            deps,
            me: me.clone(),
            requests,
            ready: false,
            stopped: None,
            waiting_for_leadership: VecDeque::new(),
            cache: HashMap::new(),
            in_flight: HashSet::new(),
            parked: HashMap::new(),
            stored_definitions: HashSet::new(),
            timers: Timers::default(),
            proposals: HashMap::new(),
            next_proposal: 0,
            results_tx,
            results_rx,
        };
        (service, me)
    }

    /// Runs until every handle is dropped or Raft shuts down.
    pub async fn run(mut self) {
        let mut metrics = self.raft.metrics();
        let initial = metrics.borrow().clone();
        self.on_metrics(&initial).await;
        // Taking over can fail transiently (the read barrier of a brand-new term); a periodic
        // recheck retries it even when no further metrics change comes.
        let mut recheck = tokio::time::interval(std::time::Duration::from_millis(250));
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let timer_sleep = self.next_timer_sleep();
            let timer_armed = self.ready && timer_sleep.is_some();
            // Group commit: while enough entries are on their way, requests queue up in the
            // channel and the next batch takes them all into one entry.
            let room = self.proposals.len() < self.deps.options.shard.proposals_in_flight_max;
            tokio::select! {
                biased;
                Some((id, result)) = self.results_rx.recv() => self.on_proposal_result(id, result).await,
                changed = metrics.changed(), if self.stopped.is_none() => {
                    if changed.is_err() {
                        self.stop("Raft stopped".into());
                        continue;
                    }
                    let snapshot = metrics.borrow().clone();
                    self.on_metrics(&snapshot).await;
                }
                request = self.requests.recv(), if room => {
                    let Some(request) = request else { break };
                    let mut batch = vec![request];
                    while batch.len() < self.deps.options.shard.batch_commands_max {
                        match self.requests.try_recv() {
                            Ok(r) => batch.push(r),
                            Err(_) => break,
                        }
                    }
                    self.handle(batch).await;
                }
                _ = recheck.tick(), if !self.ready => {
                    let snapshot = metrics.borrow().clone();
                    self.on_metrics(&snapshot).await;
                }
                () = async { if let Some(s) = timer_sleep { s.await } }, if timer_armed => {
                    self.fire_due_timers().await;
                }
            }
        }
        debug!(shard = %self.shard, "shard actor stopped");
    }

    fn next_timer_sleep(&self) -> Option<tokio::time::Sleep> {
        let due = self.timers.next_due()?;
        let wait = due
            .as_millis()
            .saturating_sub(self.deps.clock.now().as_millis())
            .max(0);
        Some(tokio::time::sleep(std::time::Duration::from_millis(
            wait as u64,
        )))
    }

    // ---- leadership ---------------------------------------------------------------------------

    async fn on_metrics(&mut self, metrics: &openraft::RaftMetrics<NodeId, openraft::BasicNode>) {
        if let Err(fatal) = &metrics.running_state {
            self.stop(fatal.to_string());
            return;
        }
        let leading =
            metrics.current_leader == Some(self.deps.node_id) && metrics.state.is_leader();
        if leading && !self.ready {
            // Before acting as leader, make sure everything committed in earlier terms is
            // applied here: our own term's first entry must be applied (DESIGN invariant 4).
            if let Err(e) = self.raft.ensure_linearizable().await {
                debug!(shard = %self.shard, error = %e, "not leader after all");
                return;
            }
            if let Err(e) = self.rebuild_effects().await {
                warn!(shard = %self.shard, error = %e, "cannot rebuild effects; will retry on the next change");
                return;
            }
            self.ready = true;
            info!(shard = %self.shard, term = metrics.current_term, "leading shard");
            let waiting: Vec<Request> = self.waiting_for_leadership.drain(..).collect();
            if !waiting.is_empty() {
                self.handle(waiting).await;
            }
        } else if !leading && self.ready {
            info!(shard = %self.shard, leader = ?metrics.current_leader, "no longer leading shard");
            self.step_down(metrics.current_leader);
        } else if !leading && metrics.current_leader.is_some() {
            let hint = metrics.current_leader;
            for request in self.waiting_for_leadership.drain(..) {
                reply_error(
                    request,
                    Error::NotLeader {
                        shard: self.shard,
                        leader_hint: hint,
                    },
                );
            }
        }
    }

    /// Raft stopped for good (a storage failure): answer everything with the reason.
    fn stop(&mut self, reason: String) {
        if self.stopped.is_some() {
            return;
        }
        tracing::error!(shard = %self.shard, %reason, "shard stopped");
        self.stopped = Some(reason);
        self.step_down(None);
        let waiting: Vec<Request> = self.waiting_for_leadership.drain(..).collect();
        for request in waiting {
            reply_error(request, self.stopped_error());
        }
    }

    fn stopped_error(&self) -> Error {
        Error::ShardStopped {
            shard: self.shard,
            reason: self.stopped.clone().unwrap_or_default(),
        }
    }

    fn step_down(&mut self, leader_hint: Option<NodeId>) {
        self.ready = false;
        self.cache.clear();
        self.timers.clear();
        self.deps.activities.clear_shard(self.shard);
        for (_, queue) in self.parked.drain() {
            for request in queue {
                reply_error(
                    request,
                    Error::NotLeader {
                        shard: self.shard,
                        leader_hint,
                    },
                );
            }
        }
    }

    /// Rebuilds timers and task dispatch from the committed rows.
    async fn rebuild_effects(&mut self) -> Result<(), Error> {
        self.cache.clear();
        self.timers.clear();
        for row in self.reader.timers().map_err(storage_error)? {
            if let Some(key) = ExecutionKey::from_stored(row.execution_key.clone()) {
                self.timers
                    .set(&key, row.timer_id, asl::Timestamp(row.due_millis));
            }
        }
        let tasks = self.reader.open_tasks().map_err(storage_error)?;
        let count = tasks.len();
        for row in tasks {
            let Some(key) = ExecutionKey::from_stored(row.execution_key.clone()) else {
                continue;
            };
            let mut request = super::effects::request_from_row(&row);
            request.token = Some(self.deps.tokens.mint(&key, request.task));
            if row.activity_arn.is_some() && row.started {
                // A worker has it; its heartbeat and timeout timers watch over it.
                continue;
            }
            self.run_task(&key, request);
        }
        info!(shard = %self.shard, timers = self.timers.len(), tasks = count, "rebuilt pending effects");
        Ok(())
    }

    // ---- requests -----------------------------------------------------------------------------

    async fn handle(&mut self, requests: Vec<Request>) {
        if self.stopped.is_some() {
            for request in requests {
                reply_error(request, self.stopped_error());
            }
            return;
        }
        if !self.ready {
            self.waiting_for_leadership.extend(requests);
            return;
        }
        let mut commands = Vec::new();
        let mut pendings = Vec::new();
        for request in requests {
            if let Some(key) = request_key(&request)
                && self.in_flight.contains(&key)
            {
                self.parked.entry(key).or_default().push_back(request);
                continue;
            }
            if let Some((command, pending)) = self.prepare(request) {
                if let Some(key) = &pending.key {
                    self.in_flight.insert(key.clone());
                }
                commands.push(command);
                pendings.push(pending);
            }
        }
        if !commands.is_empty() {
            self.propose(commands, pendings);
        }
    }

    /// Computes the command for a request, or answers it directly when nothing must change.
    fn prepare(&mut self, request: Request) -> Option<(Command, Pending)> {
        match request {
            Request::Start {
                request,
                reply,
                span,
            } => traced(self.prepare_start(*request, reply), span),
            Request::Input {
                key,
                input,
                reply,
                span,
            } => traced(self.prepare_input(key, input, reply), span),
            Request::StateMachine { command, reply } => {
                let kind = match *command {
                    StateMachineCommand::Put {
                        record,
                        expected_revision_id,
                    } => command::Kind::PutStateMachine(PutStateMachine {
                        record: Some(*record),
                        expected_revision_id,
                    }),
                    StateMachineCommand::Delete { name } => {
                        command::Kind::DeleteStateMachine(DeleteStateMachine { name })
                    }
                };
                Some((Command { kind: Some(kind) }, plain(reply)))
            }
            Request::Activity { command, reply } => {
                let kind = match command {
                    ActivityCommand::Put(record) => command::Kind::PutActivity(PutActivity {
                        record: Some(record),
                    }),
                    ActivityCommand::Delete { name } => {
                        command::Kind::DeleteActivity(DeleteActivity { name })
                    }
                };
                Some((Command { kind: Some(kind) }, plain(reply)))
            }
        }
    }

    fn prepare_start(
        &mut self,
        request: StartRequest,
        reply: oneshot::Sender<Result<StartReply, Error>>,
    ) -> Option<(Command, Pending)> {
        let key = ExecutionKey::new(&request.state_machine_name, &request.execution_name);
        let arn = self
            .deps
            .arns
            .execution(&request.state_machine_name, &request.execution_name);
        match self.load(&key) {
            Err(e) => {
                let _ = reply.send(Err(e));
                return None;
            }
            Ok(Some(existing)) => {
                let _ = reply.send(idempotent_start(&existing.record, &request, arn));
                return None;
            }
            Ok(None) => {}
        }
        let definition = &request.definition;
        let machine_type = MachineType::parse(&definition.machine_type).unwrap_or_default();
        let machine =
            match self
                .deps
                .definitions
                .get(&definition.hash, &definition.definition, machine_type)
            {
                Ok(m) => m,
                Err(diagnostics) => {
                    let text = diagnostics
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ");
                    let _ = reply.send(Err(Error::InvalidDefinition(text)));
                    return None;
                }
            };
        let input: serde_json::Value = match serde_json::from_str(&request.input_json) {
            Ok(v) => v,
            Err(e) => {
                let _ = reply.send(Err(Error::InvalidDefinition(format!(
                    "input is not JSON: {e}"
                ))));
                return None;
            }
        };
        let now = self.deps.clock.now();
        let info = interpreter::ExecutionInfo {
            id: arn.clone(),
            name: request.execution_name.clone(),
            state_machine_id: definition.state_machine_arn.clone(),
            state_machine_name: request.state_machine_name.clone(),
            role_arn: definition.role_arn.clone(),
            region: self.deps.arns.region.clone(),
            start_time: now,
            redrive_count: 0,
            machine_type,
        };
        let minter = Minter {
            tokens: &self.deps.tokens,
            execution: &key,
        };
        let stamp = Stamp {
            now,
            seed: random_seed(),
        };
        let (after, step) = interpreter::start(
            &machine,
            info,
            input,
            self.deps.options.interpreter_limits(),
            stamp,
            &minter,
        );
        let template = ExecutionRecord {
            execution_arn: arn.clone(),
            state_machine_arn: definition.state_machine_arn.clone(),
            name: request.execution_name.clone(),
            status: pb::ExecutionStatus::Running as i32,
            start_millis: now.as_millis(),
            input_json: request.input_json.clone().into_bytes(),
            definition_hash: definition.hash.clone(),
            parent: request.parent.clone(),
            ..ExecutionRecord::default()
        };
        let context = StepContext {
            key: &key,
            before_record: None,
            before: None,
            template: &template,
            definition: (!self.definition_stored(&definition.hash)).then(|| definition.clone()),
            now_millis: now.as_millis(),
        };
        let transition = build_transition(context, &after, &step);
        let record = transition.record.clone().unwrap_or_default();
        let start_reply = StartReply {
            execution_arn: arn,
            start_millis: now.as_millis(),
            created: true,
        };
        let events = transition.events.clone();
        let pending = Pending {
            key: Some(key),
            after: Some(Cached {
                record,
                state: (!after.is_finished()).then_some(after),
                machine,
            }),
            effects: step.effects,
            cancelled: Vec::new(),
            events,
            reply: Reply::Start(reply, start_reply),
            span: Span::none(),
        };
        Some((
            Command {
                kind: Some(command::Kind::Transition(transition)),
            },
            pending,
        ))
    }

    fn prepare_input(
        &mut self,
        key: ExecutionKey,
        input: Input,
        reply: Option<oneshot::Sender<Result<(), Error>>>,
    ) -> Option<(Command, Pending)> {
        let answer = |reply: Option<oneshot::Sender<Result<(), Error>>>, result| {
            if let Some(reply) = reply {
                let _ = reply.send(result);
            }
        };
        let cached = match self.load(&key) {
            Ok(Some(c)) => c,
            Ok(None) => {
                answer(reply, Err(Error::ExecutionDoesNotExist(key.to_string())));
                return None;
            }
            Err(e) => {
                answer(reply, Err(e));
                return None;
            }
        };
        let Some(before) = cached.state.as_ref() else {
            answer(reply, Err(finished_error(&input, &key)));
            return None;
        };
        let mut after = before.clone();
        let now = self.deps.clock.now();
        let minter = Minter {
            tokens: &self.deps.tokens,
            execution: &key,
        };
        let step = match after.apply(
            &cached.machine,
            input.clone(),
            Stamp {
                now,
                seed: random_seed(),
            },
            &minter,
        ) {
            Ok(step) => step,
            Err(e) => {
                answer(reply, Err(input_error(e, &key)));
                return None;
            }
        };
        if step.events.is_empty() && step.effects.is_empty() && after == *before {
            // A timer that was re-armed or cancelled in the meantime: nothing to record.
            answer(reply, Ok(()));
            return None;
        }
        let context = StepContext {
            key: &key,
            before_record: Some(&cached.record),
            before: Some(before),
            template: &cached.record,
            definition: None,
            now_millis: now.as_millis(),
        };
        let transition = build_transition(context, &after, &step);
        let record = transition.record.clone().unwrap_or_default();
        let events = transition.events.clone();
        let cancelled = cancelled_requests(before, &step.effects);
        let pending = Pending {
            key: Some(key),
            after: Some(Cached {
                record,
                state: (!after.is_finished()).then_some(after),
                machine: cached.machine,
            }),
            effects: step.effects,
            cancelled,
            events,
            reply: Reply::Input(reply),
            span: Span::none(),
        };
        Some((
            Command {
                kind: Some(command::Kind::Transition(transition)),
            },
            pending,
        ))
    }

    /// The committed execution, from the cache or storage.
    fn load(&mut self, key: &ExecutionKey) -> Result<Option<Cached>, Error> {
        if let Some(cached) = self.cache.get(key) {
            return Ok(Some(cached.clone()));
        }
        let Some(record) = self.reader.execution(key).map_err(storage_error)? else {
            return Ok(None);
        };
        let definition = self
            .reader
            .definition(&record.definition_hash)
            .map_err(storage_error)?
            .ok_or_else(|| Error::Storage(format!("the definition of {key} is missing")))?;
        let machine_type = MachineType::parse(&definition.machine_type).unwrap_or_default();
        let machine = self
            .deps
            .definitions
            .get(&definition.hash, &definition.definition, machine_type)
            .map_err(|d| Error::InvalidDefinition(format!("{} problem(s)", d.len())))?;
        let state =
            interpreter_state(&record).map_err(|e| Error::Storage(format!("{key}: {e}")))?;
        let cached = Cached {
            record,
            state,
            machine,
        };
        if cached.state.is_some() {
            self.cache.insert(key.clone(), cached.clone());
        }
        Ok(Some(cached))
    }

    /// Whether the shard stores the definition `hash` already (a start carries it otherwise;
    /// apply keeps the first copy, so carrying it twice is harmless, and so is a failed read).
    fn definition_stored(&mut self, hash: &str) -> bool {
        if self.stored_definitions.contains(hash) {
            return true;
        }
        let stored = matches!(self.reader.definition(hash), Ok(Some(_)));
        if stored {
            self.stored_definitions.insert(hash.to_owned());
        }
        stored
    }

    fn propose(&mut self, commands: Vec<Command>, pendings: Vec<Pending>) {
        let id = self.next_proposal;
        self.next_proposal += 1;
        let proposal =
            Proposal::begin(self.shard, commands.len(), pendings.iter().map(|p| &p.span));
        self.proposals.insert(id, pendings);
        let raft = self.raft.clone();
        let results = self.results_tx.clone();
        let shard = self.shard;
        tokio::spawn(async move {
            let written = raft
                .client_write(pb::Proposal { commands })
                .instrument(proposal.span())
                .await;
            proposal.finish(written.as_ref().ok().map(|r| r.log_id.index));
            let outcome = match written {
                Ok(response) => Ok(response.data),
                Err(e) => Err(write_error(shard, e)),
            };
            // The actor may be gone during shutdown; then nobody waits for the answer.
            let _ = results.send((id, outcome));
        });
    }

    async fn on_proposal_result(&mut self, id: u64, result: Result<ApplyResult, Error>) {
        let Some(pendings) = self.proposals.remove(&id) else {
            return;
        };
        let mut released = Vec::new();
        match result {
            Ok(applied) => {
                for (pending, outcome) in pendings.into_iter().zip(applied.outcomes) {
                    if let Some(key) = &pending.key {
                        released.push(key.clone());
                    }
                    match outcome {
                        CommandOutcome::Applied => {
                            if pending.key.is_some() {
                                crate::metrics::record::transition_committed(&pending.events);
                            }
                            let span =
                                spans::effects(&pending.span, self.shard, pending.effects.len());
                            span.in_scope(|| self.on_applied(pending));
                        }
                        CommandOutcome::Rejected(reason) => {
                            if let Some(key) = &pending.key {
                                self.cache.remove(key);
                            }
                            warn!(shard = %self.shard, ?reason, "command rejected at apply");
                            reply_pending(
                                pending.reply,
                                Err(Error::Conflict(format!("{reason:?}"))),
                            );
                        }
                    }
                }
            }
            Err(error) => {
                for pending in pendings {
                    if let Some(key) = &pending.key {
                        self.cache.remove(key);
                        released.push(key.clone());
                    }
                    reply_pending(pending.reply, Err(error.clone()));
                }
            }
        }
        let mut resumed = Vec::new();
        for key in released {
            self.in_flight.remove(&key);
            if let Some(mut queue) = self.parked.remove(&key)
                && let Some(next) = queue.pop_front()
            {
                resumed.push(next);
                if !queue.is_empty() {
                    self.parked.insert(key, queue);
                }
            }
        }
        if !resumed.is_empty() {
            self.handle(resumed).await;
        }
    }

    /// A command is committed and applied: now its effects may run.
    fn on_applied(&mut self, pending: Pending) {
        let Pending {
            key,
            after,
            effects,
            cancelled,
            events,
            reply,
            // Held until the request is answered, below.
            span: _request,
        } = pending;
        if let (Some(key), Some(after)) = (key, after) {
            let finished = after.state.is_none();
            let record = after.record.clone();
            if finished {
                self.cache.remove(&key);
                self.timers.cancel_execution(&key);
            } else {
                self.cache.insert(key.clone(), after);
            }
            self.run_effects(&key, effects, &cancelled);
            if finished {
                self.notify_parent(&record);
            }
            let _ = self.deps.applied.send(Arc::new(AppliedStep {
                key,
                events,
                record,
            }));
        }
        reply_pending(reply, Ok(()));
    }

    async fn fire_due_timers(&mut self) {
        let due = self.timers.take_due(self.deps.clock.now());
        let requests = due
            .into_iter()
            .map(|(key, timer)| Request::Input {
                key,
                input: Input::TimerFired {
                    timer: asl::interpreter::TimerId(timer),
                },
                reply: None,
                span: Span::none(),
            })
            .collect();
        self.handle(requests).await;
    }

    pub(super) fn shard(&self) -> ShardId {
        self.shard
    }

    pub(super) fn deps(&self) -> &Deps {
        &self.deps
    }

    pub(super) fn me(&self) -> &Handle {
        &self.me
    }

    pub(super) fn timers_mut(&mut self) -> &mut Timers {
        &mut self.timers
    }

    pub(super) fn router(&self) -> Option<&Router> {
        self.deps.router.get()
    }
}

fn request_key(request: &Request) -> Option<ExecutionKey> {
    match request {
        Request::Start { request, .. } => Some(ExecutionKey::new(
            &request.state_machine_name,
            &request.execution_name,
        )),
        Request::Input { key, .. } => Some(key.clone()),
        Request::StateMachine { .. } | Request::Activity { .. } => None,
    }
}

/// Attaches the request's span to what `prepare` made of it.
fn traced(prepared: Option<(Command, Pending)>, span: Span) -> Option<(Command, Pending)> {
    prepared.map(|(command, pending)| (command, pending.traced(span)))
}

fn plain(reply: oneshot::Sender<Result<(), Error>>) -> Pending {
    Pending {
        key: None,
        after: None,
        effects: Vec::new(),
        cancelled: Vec::new(),
        events: Vec::new(),
        reply: Reply::Plain(reply),
        span: Span::none(),
    }
}

/// The requests, as they stood before the step, of the tasks the step cancels.
fn cancelled_requests(
    before: &Execution,
    effects: &[Effect],
) -> Vec<asl::interpreter::TaskRequest> {
    let open = before.open_tasks();
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::CancelTask { task } => open
                .iter()
                .find(|(r, _)| r.task == *task)
                .map(|(r, _)| r.clone()),
            _ => None,
        })
        .collect()
}

fn reply_pending(reply: Reply, result: Result<(), Error>) {
    match reply {
        Reply::Start(sender, answer) => {
            let _ = sender.send(result.map(|()| answer));
        }
        Reply::Input(Some(sender)) | Reply::Plain(sender) => {
            let _ = sender.send(result);
        }
        Reply::Input(None) => {}
    }
}

fn reply_error(request: Request, error: Error) {
    match request {
        Request::Start { reply, .. } => {
            let _ = reply.send(Err(error));
        }
        Request::Input {
            reply: Some(reply), ..
        } => {
            let _ = reply.send(Err(error));
        }
        Request::Input { reply: None, .. } => {}
        Request::StateMachine { reply, .. } | Request::Activity { reply, .. } => {
            let _ = reply.send(Err(error));
        }
    }
}

/// Starting a name that exists: the same execution if it is running with the same input (or
/// was started by the same parent task), else ExecutionAlreadyExists.
fn idempotent_start(
    record: &ExecutionRecord,
    request: &StartRequest,
    arn: String,
) -> Result<StartReply, Error> {
    let running = record.status == pb::ExecutionStatus::Running as i32;
    let same_parent = request.parent.is_some() && record.parent == request.parent;
    if same_parent || (running && record.input_json == request.input_json.as_bytes()) {
        Ok(StartReply {
            execution_arn: arn,
            start_millis: record.start_millis,
            created: false,
        })
    } else {
        Err(Error::ExecutionAlreadyExists(arn))
    }
}

fn finished_error(input: &Input, key: &ExecutionKey) -> Error {
    match input {
        Input::TaskStarted { task, .. }
        | Input::TaskSubmitted { task, .. }
        | Input::TaskSucceeded { task, .. }
        | Input::TaskFailed { task, .. }
        | Input::TaskHeartbeat { task } => Error::TaskDoesNotExist(format!("{key}#{}", task.0)),
        Input::TimerFired { .. } | Input::Stop { .. } => Error::ExecutionFinished,
    }
}

fn input_error(error: InputError, key: &ExecutionKey) -> Error {
    match error {
        InputError::ExecutionFinished => Error::ExecutionFinished,
        InputError::UnknownTask(t) | InputError::TaskNotStarted(t) => {
            Error::TaskDoesNotExist(format!("{key}#{}", t.0))
        }
        InputError::TaskAlreadyStarted(t) => Error::TaskAlreadyStarted(format!("{key}#{}", t.0)),
    }
}

fn storage_error(error: crate::storage::Error) -> Error {
    Error::Storage(error.to_string())
}

fn write_error(
    shard: ShardId,
    error: openraft::error::RaftError<
        NodeId,
        openraft::error::ClientWriteError<NodeId, openraft::BasicNode>,
    >,
) -> Error {
    use openraft::error::{ClientWriteError, RaftError};
    match error {
        RaftError::APIError(ClientWriteError::ForwardToLeader(forward)) => Error::NotLeader {
            shard,
            leader_hint: forward.leader_id,
        },
        RaftError::APIError(ClientWriteError::ChangeMembershipError(e)) => {
            Error::Storage(e.to_string())
        }
        RaftError::Fatal(e) => Error::ShardStopped {
            shard,
            reason: e.to_string(),
        },
    }
}
