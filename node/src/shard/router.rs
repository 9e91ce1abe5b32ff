//! Finding the shard for an execution, state machine or activity, and reaching its leader:
//! this node's own shard actor when it leads the shard, the leading peer otherwise (following
//! `NotLeader` hints within a hop budget).
//!
//! Every operation that spans shards goes through here too: a start reads the state machine
//! on its shard, then starts the execution on the execution's shard; a child execution reports
//! to its parent's shard.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use cairn_proto::cluster::shards_client::ShardsClient;
use cairn_proto::storage::{
    ActivityRecord, DefinitionRow, ExecutionRecord, ParentLink, StateMachineRecord, StoredEvent,
};

use super::query::{Answer, Query};
use super::recent_records::RecentRecords;
use super::{
    ActivityCommand, Command, Error, Outcome, StartReply, StartRequest, StateMachineCommand,
};
use crate::clock::random_uuid;
use crate::cluster::internal::{
    answer_from_proto, command_to_proto, error_from_proto, query_to_proto,
};
use crate::cluster::{Cluster, Leader};
use crate::ids::{
    Arns, ExecutionKey, NodeId, Resource, ShardId, execution_shard, is_name, name_shard,
};
use crate::storage::{Cursor, Page, ShardReader};

/// How many `NotLeader` hints a request follows before it gives up with `NotLeader` (a bound
/// on hints that point around in a circle; waiting out an election is bounded by the
/// deadline instead).
const HOPS_MAX: u32 = 8;
/// How long a request keeps trying to reach a shard's leader while it changes.
const ROUTE_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

struct Inner {
    cluster: Arc<Cluster>,
    arns: Arns,
    payload_bytes_max: u64,
    recent_state_machines: RecentRecords<StateMachineRecord>,
    recent_activities: RecentRecords<ActivityRecord>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("shards", &self.shard_count())
            .finish_non_exhaustive()
    }
}

/// A request [`Router::on_leader`] carries to a shard's leader: run on this node's replica
/// when it leads, or sent to the node that does.
trait LeaderCall: Sync {
    type Output;

    fn local(
        &self,
        local: &crate::cluster::LocalShard,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;

    fn remote(
        &self,
        router: &Router,
        leader: &Leader,
        shard: ShardId,
        hops: u32,
        deadline: tokio::time::Instant,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

impl LeaderCall for Command {
    type Output = Outcome;

    fn local(
        &self,
        local: &crate::cluster::LocalShard,
    ) -> impl Future<Output = Result<Outcome, Error>> + Send {
        local.handle.dispatch(self.clone())
    }

    fn remote(
        &self,
        router: &Router,
        leader: &Leader,
        shard: ShardId,
        hops: u32,
        deadline: tokio::time::Instant,
    ) -> impl Future<Output = Result<Outcome, Error>> + Send {
        router.submit_remote(leader, shard, self, hops, deadline)
    }
}

impl LeaderCall for Query {
    type Output = Answer;

    fn local(
        &self,
        local: &crate::cluster::LocalShard,
    ) -> impl Future<Output = Result<Answer, Error>> + Send {
        local.read(self.clone())
    }

    fn remote(
        &self,
        router: &Router,
        leader: &Leader,
        shard: ShardId,
        hops: u32,
        deadline: tokio::time::Instant,
    ) -> impl Future<Output = Result<Answer, Error>> + Send {
        router.query_remote(leader, shard, self, hops, deadline)
    }
}

/// Where a request for a shard goes next.
enum Route {
    Local(crate::cluster::LocalShard),
    Remote(Leader),
}

impl Router {
    pub fn new(cluster: Arc<Cluster>, arns: Arns, payload_bytes_max: u64) -> Self {
        Router {
            inner: Arc::new(Inner {
                cluster,
                arns,
                payload_bytes_max,
                recent_state_machines: RecentRecords::default(),
                recent_activities: RecentRecords::default(),
            }),
        }
    }

    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.inner.cluster
    }

    pub fn shard_count(&self) -> u32 {
        self.inner.cluster.shard_count()
    }

    pub fn arns(&self) -> &Arns {
        &self.inner.arns
    }

    pub fn execution_shard(&self, key: &ExecutionKey) -> ShardId {
        execution_shard(key, self.shard_count())
    }

    pub fn name_shard(&self, name: &str) -> ShardId {
        name_shard(name, self.shard_count())
    }

    /// The local reader of `shard` if this node leads it (reads there are up to date).
    pub fn leading_reader(&self, shard: ShardId) -> Option<ShardReader> {
        let cluster = &self.inner.cluster;
        cluster
            .leads(shard)
            .then(|| cluster.local(shard).map(|l| l.reader))
            .flatten()
    }

    /// Where to send a request for `shard` next: the hinted leader, else this node's own
    /// replica or the leader it knows of, else any other node not yet found unreachable (which
    /// answers with a hint); `None` when no node is left to ask.
    fn route(
        &self,
        shard: ShardId,
        hint: Option<Leader>,
        unreachable: &BTreeSet<NodeId>,
    ) -> Option<Route> {
        let cluster = &self.inner.cluster;
        if let Some(hint) = hint {
            if hint.node == cluster.node_id {
                if let Some(local) = cluster.member(shard) {
                    return Some(Route::Local(local));
                }
            } else if !unreachable.contains(&hint.node) {
                return Some(Route::Remote(hint));
            }
        }
        match (cluster.member(shard), cluster.leader(shard)) {
            (Some(local), Some(leader)) if leader.node == cluster.node_id => {
                Some(Route::Local(local))
            }
            (_, Some(leader)) if !unreachable.contains(&leader.node) => Some(Route::Remote(leader)),
            (Some(local), None) => Some(Route::Local(local)),
            _ => cluster
                .nodes()
                .into_iter()
                .find(|(node, _)| *node != cluster.node_id && !unreachable.contains(node))
                .map(|(node, address)| Route::Remote(Leader { node, address })),
        }
    }

    /// The leader a `NotLeader` error points at, with its address.
    fn hinted(&self, error: &Error) -> Option<Leader> {
        let Error::NotLeader {
            leader_hint: Some(node),
            ..
        } = error
        else {
            return None;
        };
        let address = self.inner.cluster.node_address(*node)?;
        Some(Leader {
            node: *node,
            address,
        })
    }

    /// Delivers a command to the leader of `shard`.
    pub async fn submit(&self, shard: ShardId, command: Command) -> Result<Outcome, Error> {
        self.on_leader(shard, &command).await
    }

    /// Carries `call` to the leader of `shard` as far as this node can tell, and again to the
    /// next candidate while the answer is transient: a `NotLeader` hint is followed at once,
    /// an unreachable node is skipped, and otherwise leadership gets a moment to settle. At
    /// most [`HOPS_MAX`] hints followed, all within [`ROUTE_DEADLINE`].
    async fn on_leader<C: LeaderCall>(&self, shard: ShardId, call: &C) -> Result<C::Output, Error> {
        let deadline = tokio::time::Instant::now() + ROUTE_DEADLINE;
        let mut hint = None;
        let mut unreachable = BTreeSet::new();
        let not_leader = Error::NotLeader {
            shard,
            leader_hint: None,
        };
        let mut hops = 0;
        loop {
            let result = match self.route(shard, hint.take(), &unreachable) {
                Some(Route::Local(local)) => call.local(&local).await,
                Some(Route::Remote(leader)) => {
                    call.remote(self, &leader, shard, hops, deadline).await
                }
                None => Err(not_leader.clone()),
            };
            match result {
                Err(error) if error.is_transient() => {
                    if let Error::Unreachable { node, .. } = &error {
                        unreachable.insert(*node);
                        self.inner.cluster.forget_leader(shard, *node);
                    }
                    hint = self.hinted(&error);
                    let go_on = if hint.is_some() {
                        hops += 1;
                        hops < HOPS_MAX && tokio::time::Instant::now() < deadline
                    } else {
                        // An election takes one to two seconds: wait it out.
                        self.pause_before_retry(deadline, &mut unreachable).await
                    };
                    if !go_on {
                        return Err(error);
                    }
                }
                other => return other,
            }
        }
    }

    async fn submit_remote(
        &self,
        leader: &Leader,
        shard: ShardId,
        command: &Command,
        hops: u32,
        deadline: tokio::time::Instant,
    ) -> Result<Outcome, Error> {
        let mut client = ShardsClient::new(self.inner.cluster.peers.channel(&leader.address));
        let request = cairn_proto::cluster::SubmitRequest {
            shard: shard.0,
            hops,
            command: Some(command_to_proto(command)),
        };
        let reply = client
            .submit(within(request, deadline))
            .await
            .map_err(|status| Error::Unreachable {
                node: leader.node,
                reason: status.message().to_owned(),
            })?;
        use cairn_proto::cluster::submit_reply::Result as R;
        match reply.into_inner().result {
            Some(R::Done(_)) => Ok(Outcome::Done),
            Some(R::Started(s)) => Ok(Outcome::Started(StartReply {
                execution_arn: s.execution_arn,
                start_millis: s.start_millis,
                created: s.created,
            })),
            Some(R::Error(e)) => Err(error_from_proto(&e)),
            None => Err(Error::Unreachable {
                node: leader.node,
                reason: "empty answer".into(),
            }),
        }
    }

    /// Waits a little while leadership settles (and gives unreachable nodes another chance);
    /// false once the deadline has passed.
    async fn pause_before_retry(
        &self,
        deadline: tokio::time::Instant,
        unreachable: &mut BTreeSet<NodeId>,
    ) -> bool {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        // The election takes a few hundred milliseconds; retrying faster only adds load.
        tokio::time::sleep(Duration::from_millis(100)).await;
        unreachable.clear();
        true
    }

    /// Runs a read on the leader of `shard`.
    pub async fn query(&self, shard: ShardId, query: Query) -> Result<Answer, Error> {
        self.on_leader(shard, &query).await
    }

    async fn query_remote(
        &self,
        leader: &Leader,
        shard: ShardId,
        query: &Query,
        hops: u32,
        deadline: tokio::time::Instant,
    ) -> Result<Answer, Error> {
        let mut client = ShardsClient::new(self.inner.cluster.peers.channel(&leader.address))
            .max_decoding_message_size(64 * 1024 * 1024);
        let request = cairn_proto::cluster::ReadRequest {
            shard: shard.0,
            hops,
            query: Some(query_to_proto(query)),
        };
        let reply = client
            .read(within(request, deadline))
            .await
            .map_err(|status| Error::Unreachable {
                node: leader.node,
                reason: status.message().to_owned(),
            })?;
        answer_from_proto(reply.into_inner())
    }

    // ---- ARNs ---------------------------------------------------------------------------------

    /// The execution an ARN names.
    pub fn execution_key(&self, arn: &str) -> Result<ExecutionKey, Error> {
        match self.inner.arns.parse(arn) {
            Some(Resource::Execution {
                state_machine,
                name,
            }) => Ok(ExecutionKey::new(&state_machine, &name)),
            _ => Err(Error::InvalidArn(format!(
                "{arn:?} is not an execution ARN of this cluster"
            ))),
        }
    }

    /// The state machine name an ARN names.
    pub fn state_machine_name(&self, arn: &str) -> Result<String, Error> {
        match self.inner.arns.parse(arn) {
            Some(Resource::StateMachine { name }) => Ok(name),
            _ => Err(Error::InvalidArn(format!(
                "{arn:?} is not a state machine ARN of this cluster"
            ))),
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    pub async fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, Error> {
        match self
            .query(self.execution_shard(key), Query::Execution(key.clone()))
            .await?
        {
            Answer::Execution(record) => Ok(record),
            other => Err(unexpected(other)),
        }
    }

    pub async fn history(
        &self,
        key: &ExecutionKey,
        after_event_id: u64,
        limit: usize,
        reverse: bool,
    ) -> Result<Vec<StoredEvent>, Error> {
        let query = Query::History {
            key: key.clone(),
            after_event_id,
            limit,
            reverse,
        };
        match self.query(self.execution_shard(key), query).await? {
            Answer::History(events) => Ok(events),
            other => Err(unexpected(other)),
        }
    }

    pub async fn executions_page(
        &self,
        shard: ShardId,
        machine: &str,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<ExecutionRecord>, Error> {
        let query = Query::ExecutionsByStateMachine {
            machine: machine.to_owned(),
            cursor,
            limit,
        };
        match self.query(shard, query).await? {
            Answer::Executions(page) => Ok(page),
            other => Err(unexpected(other)),
        }
    }

    pub async fn state_machine(&self, name: &str) -> Result<Option<StateMachineRecord>, Error> {
        match self
            .query(self.name_shard(name), Query::StateMachine(name.to_owned()))
            .await?
        {
            Answer::StateMachine(record) => Ok(record),
            other => Err(unexpected(other)),
        }
    }

    /// The state machine `name` for starting an execution of it: read from its shard, or, for
    /// a second after such a read, remembered (see [`super::recent_records`]).
    pub async fn state_machine_to_start(
        &self,
        name: &str,
    ) -> Result<Option<Arc<StateMachineRecord>>, Error> {
        self.inner
            .recent_state_machines
            .get_or_read(name, self.state_machine(name))
            .await
    }

    pub async fn state_machines_page(
        &self,
        shard: ShardId,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<StateMachineRecord>, Error> {
        match self
            .query(shard, Query::StateMachines { cursor, limit })
            .await?
        {
            Answer::StateMachines(page) => Ok(page),
            other => Err(unexpected(other)),
        }
    }

    pub async fn activity(&self, name: &str) -> Result<Option<ActivityRecord>, Error> {
        match self
            .query(self.name_shard(name), Query::Activity(name.to_owned()))
            .await?
        {
            Answer::Activity(record) => Ok(record),
            other => Err(unexpected(other)),
        }
    }

    /// The activity `name` for a worker's poll: read from its shard, or, for a second after
    /// such a read, remembered (see [`super::recent_records`]).
    pub async fn activity_to_poll(&self, name: &str) -> Result<Option<Arc<ActivityRecord>>, Error> {
        self.inner
            .recent_activities
            .get_or_read(name, self.activity(name))
            .await
    }

    pub async fn activities_page(
        &self,
        shard: ShardId,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page<ActivityRecord>, Error> {
        match self
            .query(shard, Query::Activities { cursor, limit })
            .await?
        {
            Answer::Activities(page) => Ok(page),
            other => Err(unexpected(other)),
        }
    }

    // ---- commands -----------------------------------------------------------------------------

    /// Feeds an input to an execution and waits until its transition is committed.
    pub async fn input(
        &self,
        key: &ExecutionKey,
        input: asl::interpreter::Input,
    ) -> Result<(), Error> {
        let command = Command::Input {
            key: key.clone(),
            input,
        };
        self.submit(self.execution_shard(key), command)
            .await
            .map(|_| ())
    }

    pub async fn state_machine_command(
        &self,
        name: &str,
        command: StateMachineCommand,
    ) -> Result<(), Error> {
        let recent = &self.inner.recent_state_machines;
        recent.forget(name);
        let submitted = self
            .submit(
                self.name_shard(name),
                Command::StateMachine(Box::new(command)),
            )
            .await;
        recent.forget(name);
        submitted.map(|_| ())
    }

    pub async fn activity_command(
        &self,
        name: &str,
        command: ActivityCommand,
    ) -> Result<(), Error> {
        let recent = &self.inner.recent_activities;
        recent.forget(name);
        let submitted = self
            .submit(self.name_shard(name), Command::Activity(command))
            .await;
        recent.forget(name);
        submitted.map(|_| ())
    }

    /// Starts an execution of a state machine (by ARN): validates name and input, copies the
    /// definition with the start, and answers once the start is committed.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: Option<String>,
        input_json: Option<String>,
        parent: Option<ParentLink>,
    ) -> Result<StartReply, Error> {
        let machine_name = self.state_machine_name(state_machine_arn)?;
        let record = self
            .state_machine_to_start(&machine_name)
            .await?
            .ok_or_else(|| Error::StateMachineDoesNotExist(state_machine_arn.to_owned()))?;
        if record.status == "DELETING" {
            return Err(Error::StateMachineDeleting(state_machine_arn.to_owned()));
        }
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) if is_name(&n) => n,
            Some(n) => {
                return Err(Error::InvalidName(format!(
                    "{n:?}: execution names are 1-80 characters without spaces, brackets, wildcards or control characters"
                )));
            }
            None => random_uuid(),
        };
        let input_json = input_json
            .filter(|i| !i.trim().is_empty())
            .unwrap_or_else(|| "{}".into());
        if input_json.len() as u64 > self.inner.payload_bytes_max {
            return Err(Error::InvalidExecutionInput(format!(
                "the input is {} bytes; the limit is {} bytes",
                input_json.len(),
                self.inner.payload_bytes_max
            )));
        }
        let parsed: serde_json::Value = serde_json::from_str(&input_json).map_err(|e| {
            Error::InvalidExecutionInput(format!("the input is not valid JSON: {e}"))
        })?;
        let request = StartRequest {
            state_machine_name: machine_name.clone(),
            execution_name: name.clone(),
            input_json: asl::interpreter::compact(&parsed),
            definition: DefinitionRow {
                hash: record.definition_hash.clone(),
                definition: record.definition.clone(),
                state_machine_arn: record.arn.clone(),
                machine_type: record.machine_type.clone(),
                role_arn: record.role_arn.clone(),
            },
            parent,
        };
        let key = ExecutionKey::new(&machine_name, &name);
        match self
            .submit(
                self.execution_shard(&key),
                Command::Start(Box::new(request)),
            )
            .await?
        {
            Outcome::Started(reply) => Ok(reply),
            Outcome::Done => Err(Error::Storage(
                "a start answered without its outcome".into(),
            )),
        }
    }

    /// `StopExecution`.
    pub async fn stop_execution(
        &self,
        key: &ExecutionKey,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), Error> {
        self.input(key, asl::interpreter::Input::Stop { error, cause })
            .await
    }
}

/// A request that gives up at the routing deadline (at least a second from now), so a frozen
/// node cannot hold it forever.
fn within<T>(message: T, deadline: tokio::time::Instant) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
    request.set_timeout(remaining.max(Duration::from_secs(1)));
    request
}

fn unexpected(answer: Answer) -> Error {
    Error::Storage(format!(
        "a read answered with the wrong kind of result: {answer:?}"
    ))
}
