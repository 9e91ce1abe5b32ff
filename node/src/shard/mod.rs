//! A shard: one Raft group and, on its leader, the actor that owns its executions.
//!
//! Other parts of the node talk to a shard only through its cloneable [`Handle`] (a bounded
//! channel with oneshot replies). The actor ([`service`]) runs the interpreter, batches the
//! resulting transitions of many executions into one Raft entry, and runs effects only after
//! the entry is applied (DESIGN invariants 1–4).

mod effects;
mod error;
pub mod query;
mod recent_records;
mod requests;
mod router;
mod service;
mod timers;

use tokio::sync::{mpsc, oneshot};

pub use error::Error;
pub use query::{Answer, Query};
pub use requests::{ActivityCommand, StartReply, StartRequest, StateMachineCommand};
pub use router::Router;
pub use service::{AppliedStep, Deps, Service};

use crate::ids::{ExecutionKey, ShardId};
use crate::telemetry::spans;

/// A request to a shard's actor.
#[derive(Debug)]
pub(crate) enum Request {
    Start {
        request: Box<StartRequest>,
        reply: oneshot::Sender<Result<StartReply, Error>>,
        /// The caller's side of the request, for traces (see `telemetry::spans`).
        span: tracing::Span,
    },
    Input {
        key: ExecutionKey,
        input: asl::interpreter::Input,
        reply: Option<oneshot::Sender<Result<(), Error>>>,
        span: tracing::Span,
    },
    StateMachine {
        command: Box<StateMachineCommand>,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    Activity {
        command: ActivityCommand,
        reply: oneshot::Sender<Result<(), Error>>,
    },
}

/// A command for a shard, wherever its leader runs.
#[derive(Debug, Clone)]
pub enum Command {
    Start(Box<StartRequest>),
    Input {
        key: ExecutionKey,
        input: asl::interpreter::Input,
    },
    StateMachine(Box<StateMachineCommand>),
    Activity(ActivityCommand),
}

/// What a command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Started(StartReply),
    Done,
}

/// The way into a shard.
#[derive(Debug, Clone)]
pub struct Handle {
    pub shard: ShardId,
    sender: mpsc::Sender<Request>,
}

impl Handle {
    pub(crate) fn new(shard: ShardId, sender: mpsc::Sender<Request>) -> Self {
        Handle { shard, sender }
    }

    /// Starts an execution; answers once the start is committed.
    pub async fn start(&self, request: StartRequest) -> Result<StartReply, Error> {
        let (reply, answer) = oneshot::channel();
        let key = ExecutionKey::new(&request.state_machine_name, &request.execution_name);
        let span = spans::shard_request(self.shard, spans::SHARD_START, &key);
        self.send(Request::Start {
            request: Box::new(request),
            reply,
            span,
        })
        .await?;
        answer.await.map_err(|_| Error::ShuttingDown)?
    }

    /// Feeds an input (task result, heartbeat, stop, …) to an execution; answers once the
    /// resulting transition is committed.
    pub async fn input(
        &self,
        key: ExecutionKey,
        input: asl::interpreter::Input,
    ) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        let span = spans::shard_request(self.shard, spans::SHARD_INPUT, &key);
        self.send(Request::Input {
            key,
            input,
            reply: Some(reply),
            span,
        })
        .await?;
        answer.await.map_err(|_| Error::ShuttingDown)?
    }

    /// Feeds an input without waiting for the outcome.
    pub async fn notify(
        &self,
        key: ExecutionKey,
        input: asl::interpreter::Input,
    ) -> Result<(), Error> {
        let span = spans::shard_request(self.shard, spans::SHARD_INPUT, &key);
        self.send(Request::Input {
            key,
            input,
            reply: None,
            span,
        })
        .await
    }

    pub async fn state_machine(&self, command: StateMachineCommand) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::StateMachine {
            command: Box::new(command),
            reply,
        })
        .await?;
        answer.await.map_err(|_| Error::ShuttingDown)?
    }

    pub async fn activity(&self, command: ActivityCommand) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Activity { command, reply }).await?;
        answer.await.map_err(|_| Error::ShuttingDown)?
    }

    /// Delivers a command and waits for its outcome.
    pub async fn dispatch(&self, command: Command) -> Result<Outcome, Error> {
        match command {
            Command::Start(request) => self.start(*request).await.map(Outcome::Started),
            Command::Input { key, input } => self.input(key, input).await.map(|()| Outcome::Done),
            Command::StateMachine(command) => {
                self.state_machine(*command).await.map(|()| Outcome::Done)
            }
            Command::Activity(command) => self.activity(command).await.map(|()| Outcome::Done),
        }
    }

    async fn send(&self, request: Request) -> Result<(), Error> {
        self.sender
            .send(request)
            .await
            .map_err(|_| Error::ShuttingDown)
    }
}
