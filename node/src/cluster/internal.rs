//! The `cairn.cluster.v1.Shards` service (commands and reads delivered to a shard's leader,
//! activity hand-over, shard membership and leadership) and the conversions its messages need.

use std::sync::Arc;
use std::time::Duration;

use cairn_proto::cluster::{self as pb, read_reply, read_request, submit_reply, submit_request};
use openraft::BasicNode;
use tonic::{Request, Response, Status};

use super::Cluster;
use crate::ids::{ExecutionKey, ShardId};
use crate::shard::{
    ActivityCommand, Answer, Command, Error, Outcome, Query, StartRequest, StateMachineCommand,
};
use crate::storage::{Cursor, Page};

// ---- commands ------------------------------------------------------------------------------

pub fn command_to_proto(command: &Command) -> submit_request::Command {
    use submit_request::Command as C;
    match command {
        Command::Start(start) => C::Start(pb::StartCommand {
            state_machine_name: start.state_machine_name.clone(),
            execution_name: start.execution_name.clone(),
            input_json: start.input_json.clone(),
            definition: Some(start.definition.clone()),
            parent: start.parent.clone(),
        }),
        Command::Input { key, input } => C::Input(pb::InputCommand {
            execution_key: key.as_str().to_owned(),
            input_json: serde_json::to_vec(input).expect("interpreter inputs always serialise"),
        }),
        Command::StateMachine(command) => match command.as_ref() {
            StateMachineCommand::Put {
                record,
                expected_revision_id,
            } => C::PutStateMachine(cairn_proto::storage::PutStateMachine {
                record: Some((**record).clone()),
                expected_revision_id: expected_revision_id.clone(),
            }),
            StateMachineCommand::Delete { name } => {
                C::DeleteStateMachine(cairn_proto::storage::DeleteStateMachine {
                    name: name.clone(),
                })
            }
        },
        Command::Activity(ActivityCommand::Put(record)) => {
            C::PutActivity(cairn_proto::storage::PutActivity {
                record: Some(record.clone()),
            })
        }
        Command::Activity(ActivityCommand::Delete { name }) => {
            C::DeleteActivity(cairn_proto::storage::DeleteActivity { name: name.clone() })
        }
    }
}

pub fn command_from_proto(command: submit_request::Command) -> Result<Command, String> {
    use submit_request::Command as C;
    Ok(match command {
        C::Start(start) => Command::Start(Box::new(StartRequest {
            state_machine_name: start.state_machine_name,
            execution_name: start.execution_name,
            input_json: start.input_json,
            definition: start.definition.ok_or("a start without its definition")?,
            parent: start.parent,
        })),
        C::Input(input) => Command::Input {
            key: ExecutionKey::from_stored(input.execution_key)
                .ok_or("a malformed execution key")?,
            input: serde_json::from_slice(&input.input_json)
                .map_err(|e| format!("a malformed input: {e}"))?,
        },
        C::PutStateMachine(put) => Command::StateMachine(Box::new(StateMachineCommand::Put {
            record: Box::new(put.record.ok_or("a state machine without its record")?),
            expected_revision_id: put.expected_revision_id,
        })),
        C::DeleteStateMachine(delete) => {
            Command::StateMachine(Box::new(StateMachineCommand::Delete { name: delete.name }))
        }
        C::PutActivity(put) => Command::Activity(ActivityCommand::Put(
            put.record.ok_or("an activity without its record")?,
        )),
        C::DeleteActivity(delete) => {
            Command::Activity(ActivityCommand::Delete { name: delete.name })
        }
    })
}

// ---- errors --------------------------------------------------------------------------------

pub fn error_to_proto(error: &Error) -> pb::ShardError {
    let (kind, detail, leader_hint) = match error {
        Error::ExecutionDoesNotExist(d) => ("ExecutionDoesNotExist", d.clone(), None),
        Error::ExecutionAlreadyExists(d) => ("ExecutionAlreadyExists", d.clone(), None),
        Error::ExecutionFinished => ("ExecutionFinished", String::new(), None),
        Error::InvalidDefinition(d) => ("InvalidDefinition", d.clone(), None),
        Error::TaskDoesNotExist(d) => ("TaskDoesNotExist", d.clone(), None),
        Error::TaskAlreadyStarted(d) => ("TaskAlreadyStarted", d.clone(), None),
        Error::Conflict(d) => ("Conflict", d.clone(), None),
        Error::NotLeader { leader_hint, .. } => ("NotLeader", String::new(), *leader_hint),
        Error::NotReady(_) => ("NotReady", String::new(), None),
        Error::ShuttingDown => ("ShuttingDown", String::new(), None),
        Error::Storage(d) => ("Storage", d.clone(), None),
        Error::StateMachineDoesNotExist(d) => ("StateMachineDoesNotExist", d.clone(), None),
        Error::StateMachineDeleting(d) => ("StateMachineDeleting", d.clone(), None),
        Error::ActivityDoesNotExist(d) => ("ActivityDoesNotExist", d.clone(), None),
        Error::InvalidArn(d) => ("InvalidArn", d.clone(), None),
        Error::InvalidName(d) => ("InvalidName", d.clone(), None),
        Error::InvalidExecutionInput(d) => ("InvalidExecutionInput", d.clone(), None),
        Error::Unreachable { reason, node } => ("Unreachable", reason.clone(), Some(*node)),
        Error::ShardStopped { reason, .. } => ("ShardStopped", reason.clone(), None),
    };
    pb::ShardError {
        kind: kind.into(),
        message: error.to_string(),
        leader_hint,
        detail,
    }
}

pub fn error_from_proto(error: &pb::ShardError) -> Error {
    let detail = error.detail.clone();
    match error.kind.as_str() {
        "ExecutionDoesNotExist" => Error::ExecutionDoesNotExist(detail),
        "ExecutionAlreadyExists" => Error::ExecutionAlreadyExists(detail),
        "ExecutionFinished" => Error::ExecutionFinished,
        "InvalidDefinition" => Error::InvalidDefinition(detail),
        "TaskDoesNotExist" => Error::TaskDoesNotExist(detail),
        "TaskAlreadyStarted" => Error::TaskAlreadyStarted(detail),
        "Conflict" => Error::Conflict(detail),
        // The shard number is not needed once the error is back with the caller.
        "NotLeader" => Error::NotLeader {
            shard: ShardId(0),
            leader_hint: error.leader_hint,
        },
        "NotReady" => Error::NotReady(ShardId(0)),
        "ShuttingDown" => Error::ShuttingDown,
        "StateMachineDoesNotExist" => Error::StateMachineDoesNotExist(detail),
        "StateMachineDeleting" => Error::StateMachineDeleting(detail),
        "ActivityDoesNotExist" => Error::ActivityDoesNotExist(detail),
        "InvalidArn" => Error::InvalidArn(detail),
        "InvalidName" => Error::InvalidName(detail),
        "InvalidExecutionInput" => Error::InvalidExecutionInput(detail),
        "Unreachable" => Error::Unreachable {
            node: error.leader_hint.unwrap_or_default(),
            reason: detail,
        },
        "ShardStopped" => Error::ShardStopped {
            shard: ShardId(0),
            reason: detail,
        },
        _ => Error::Storage(error.message.clone()),
    }
}

// ---- reads ---------------------------------------------------------------------------------

fn page_query(name: &str, cursor: &Option<Cursor>, limit: usize) -> pb::PageQuery {
    pb::PageQuery {
        name: name.to_owned(),
        cursor: cursor.as_ref().map(|c| c.as_bytes().to_vec()),
        limit: u32::try_from(limit).unwrap_or(u32::MAX),
    }
}

pub fn query_to_proto(query: &Query) -> read_request::Query {
    use read_request::Query as Q;
    match query {
        Query::Execution(key) => Q::Execution(key.as_str().to_owned()),
        Query::History {
            key,
            after_event_id,
            limit,
            reverse,
        } => Q::History(pb::HistoryQuery {
            execution_key: key.as_str().to_owned(),
            after_event_id: *after_event_id,
            limit: u32::try_from(*limit).unwrap_or(u32::MAX),
            reverse: *reverse,
        }),
        Query::ExecutionsByStateMachine {
            machine,
            cursor,
            limit,
        } => Q::ExecutionsByStateMachine(page_query(machine, cursor, *limit)),
        Query::StateMachine(name) => Q::StateMachine(name.clone()),
        Query::StateMachines { cursor, limit } => Q::StateMachines(page_query("", cursor, *limit)),
        Query::Activity(name) => Q::Activity(name.clone()),
        Query::Activities { cursor, limit } => Q::Activities(page_query("", cursor, *limit)),
    }
}

fn query_from_proto(query: read_request::Query) -> Result<Query, String> {
    use read_request::Query as Q;
    let key = |text: String| {
        ExecutionKey::from_stored(text).ok_or_else(|| "a malformed execution key".to_owned())
    };
    let cursor = |c: Option<Vec<u8>>| c.map(Cursor::from_bytes);
    Ok(match query {
        Q::Execution(k) => Query::Execution(key(k)?),
        Q::History(h) => Query::History {
            key: key(h.execution_key)?,
            after_event_id: h.after_event_id,
            limit: h.limit as usize,
            reverse: h.reverse,
        },
        Q::ExecutionsByStateMachine(p) => Query::ExecutionsByStateMachine {
            machine: p.name,
            cursor: cursor(p.cursor),
            limit: p.limit as usize,
        },
        Q::StateMachine(name) => Query::StateMachine(name),
        Q::StateMachines(p) => Query::StateMachines {
            cursor: cursor(p.cursor),
            limit: p.limit as usize,
        },
        Q::Activity(name) => Query::Activity(name),
        Q::Activities(p) => Query::Activities {
            cursor: cursor(p.cursor),
            limit: p.limit as usize,
        },
    })
}

fn answer_to_proto(answer: Answer) -> read_reply::Result {
    use read_reply::Result as R;
    let next = |p: &Option<Cursor>| p.as_ref().map(|c| c.as_bytes().to_vec());
    match answer {
        Answer::Execution(record) => R::Execution(read_reply::Execution { record }),
        Answer::History(events) => R::History(read_reply::History { events }),
        Answer::Executions(page) => R::Executions(read_reply::ExecutionPage {
            next: next(&page.next),
            records: page.items,
        }),
        Answer::StateMachine(record) => R::StateMachine(read_reply::StateMachine { record }),
        Answer::StateMachines(page) => R::StateMachines(read_reply::StateMachinePage {
            next: next(&page.next),
            records: page.items,
        }),
        Answer::Activity(record) => R::Activity(read_reply::Activity { record }),
        Answer::Activities(page) => R::Activities(read_reply::ActivityPage {
            next: next(&page.next),
            records: page.items,
        }),
    }
}

pub fn answer_from_proto(reply: pb::ReadReply) -> Result<Answer, Error> {
    use read_reply::Result as R;
    let next = |n: Option<Vec<u8>>| n.map(Cursor::from_bytes);
    Ok(match reply.result {
        Some(R::Execution(e)) => Answer::Execution(e.record),
        Some(R::History(h)) => Answer::History(h.events),
        Some(R::Executions(p)) => Answer::Executions(Page {
            items: p.records,
            next: next(p.next),
        }),
        Some(R::StateMachine(s)) => Answer::StateMachine(s.record),
        Some(R::StateMachines(p)) => Answer::StateMachines(Page {
            items: p.records,
            next: next(p.next),
        }),
        Some(R::Activity(a)) => Answer::Activity(a.record),
        Some(R::Activities(p)) => Answer::Activities(Page {
            items: p.records,
            next: next(p.next),
        }),
        Some(R::Error(e)) => return Err(error_from_proto(&e)),
        None => return Err(Error::Storage("an empty read answer".into())),
    })
}

// ---- the service ---------------------------------------------------------------------------

#[derive(Clone)]
pub struct ShardsService {
    pub cluster: Arc<Cluster>,
}

impl std::fmt::Debug for ShardsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardsService").finish_non_exhaustive()
    }
}

impl ShardsService {
    /// `NotLeader`, naming the leader this node knows of (never itself: a leader that just
    /// stepped down still names itself until the next election).
    fn not_leader(&self, shard: ShardId) -> Error {
        let leader_hint = self
            .cluster
            .leader(shard)
            .map(|l| l.node)
            .filter(|n| *n != self.cluster.node_id);
        Error::NotLeader { shard, leader_hint }
    }
}

#[tonic::async_trait]
impl pb::shards_server::Shards for ShardsService {
    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitReply>, Status> {
        let request = request.into_inner();
        let shard = ShardId(request.shard);
        let command = request
            .command
            .ok_or_else(|| Status::invalid_argument("a submit without a command"))?;
        let command = command_from_proto(command).map_err(Status::invalid_argument)?;
        // Delivered to the local actor only: the sender follows NotLeader hints itself, so a
        // request never bounces between nodes on its own.
        let result = match self.cluster.local(shard) {
            Some(local) => local.handle.dispatch(command).await,
            None => Err(self.not_leader(shard)),
        };
        let result = match result {
            Ok(Outcome::Done) => submit_reply::Result::Done(submit_reply::Done {}),
            Ok(Outcome::Started(s)) => submit_reply::Result::Started(pb::StartOutcome {
                execution_arn: s.execution_arn,
                start_millis: s.start_millis,
                created: s.created,
            }),
            Err(e) => submit_reply::Result::Error(error_to_proto(&e)),
        };
        Ok(Response::new(pb::SubmitReply {
            result: Some(result),
        }))
    }

    async fn read(
        &self,
        request: Request<pb::ReadRequest>,
    ) -> Result<Response<pb::ReadReply>, Status> {
        let request = request.into_inner();
        let shard = ShardId(request.shard);
        let query = request
            .query
            .ok_or_else(|| Status::invalid_argument("a read without a query"))?;
        let query = query_from_proto(query).map_err(Status::invalid_argument)?;
        let result = match self.cluster.local(shard) {
            Some(local) if self.cluster.leads(shard) => local.read(query).await,
            _ => Err(self.not_leader(shard)),
        };
        let result = match result {
            Ok(answer) => answer_to_proto(answer),
            Err(e) => read_reply::Result::Error(error_to_proto(&e)),
        };
        Ok(Response::new(pb::ReadReply {
            result: Some(result),
        }))
    }

    async fn take_activity_task(
        &self,
        request: Request<pb::TakeActivityTaskRequest>,
    ) -> Result<Response<pb::TakeActivityTaskReply>, Status> {
        let request = request.into_inner();
        let Some(router) = self.cluster.deps().router.get() else {
            return Ok(Response::new(pb::TakeActivityTaskReply::default()));
        };
        let wait = Duration::from_millis(request.wait_millis.min(60_000));
        let worker = (!request.worker_name.is_empty()).then_some(request.worker_name);
        let task = crate::tasks::activities::hand_over(
            router,
            &self.cluster.deps().activities,
            &request.activity_arn,
            worker,
            wait,
        )
        .await
        .map_err(Status::from)?;
        Ok(Response::new(match task {
            Some(task) => pb::TakeActivityTaskReply {
                task_token: task.token,
                input: task.input,
            },
            None => pb::TakeActivityTaskReply::default(),
        }))
    }

    async fn change_shard_membership(
        &self,
        request: Request<pb::ChangeShardMembershipRequest>,
    ) -> Result<Response<pb::ChangeShardMembershipReply>, Status> {
        let request = request.into_inner();
        let shard = ShardId(request.shard);
        let local = self
            .cluster
            .local(shard)
            .filter(|_| self.cluster.leads(shard))
            .ok_or_else(|| Status::from(self.not_leader(shard)))?;
        // New voters join as learners first and are promoted once caught up, so the shard
        // never depends on a replica that has not got the log yet.
        let current = local
            .raft
            .metrics()
            .borrow()
            .membership_config
            .membership()
            .clone();
        let voters: std::collections::BTreeSet<u64> =
            request.voters.iter().map(|m| m.node_id).collect();
        // A retried request whose change already happened.
        let settled = current.get_joint_config().len() == 1;
        if settled
            && current
                .voter_ids()
                .collect::<std::collections::BTreeSet<u64>>()
                == voters
        {
            return Ok(Response::new(pb::ChangeShardMembershipReply {
                voters: voters.into_iter().collect(),
            }));
        }
        for member in &request.voters {
            self.cluster
                .learn_node(member.node_id, member.address.clone());
            if current.get_node(&member.node_id).is_none() {
                local
                    .raft
                    .add_learner(
                        member.node_id,
                        BasicNode {
                            addr: member.address.clone(),
                        },
                        true,
                    )
                    .await
                    .map_err(|e| {
                        Status::unavailable(format!(
                            "cannot add node {} to shard {shard}: {e}",
                            member.node_id
                        ))
                    })?;
            }
        }
        local
            .raft
            .change_membership(voters.clone(), false)
            .await
            .map_err(|e| {
                Status::unavailable(format!("cannot change the voters of shard {shard}: {e}"))
            })?;
        Ok(Response::new(pb::ChangeShardMembershipReply {
            voters: voters.into_iter().collect(),
        }))
    }

    async fn campaign(
        &self,
        request: Request<pb::CampaignRequest>,
    ) -> Result<Response<pb::CampaignReply>, Status> {
        let shard = ShardId(request.into_inner().shard);
        let local = self.cluster.local(shard).ok_or_else(|| {
            Status::failed_precondition(format!("shard {shard} is not hosted here"))
        })?;
        local
            .raft
            .trigger()
            .elect()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        Ok(Response::new(pb::CampaignReply {}))
    }
}
