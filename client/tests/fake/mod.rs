//! An in-memory stand-in for a Cairn node, for end-to-end tests of the client and the CLI.
//!
//! It serves the real `cairn.v1` services on an ephemeral port. Executions run through the
//! `asl` interpreter in one go (no Task states); an execution that reaches a Wait state is
//! held there, RUNNING, until the test calls [`Fake::release`] or a client stops it, so tests
//! can observe and drive running executions. Every change bumps a version that waiters
//! follow, so tests wait on conditions, never on time.

// Each test binary uses a different part of the fake.
#![allow(dead_code)]

mod activities;
mod cluster;
mod errors;
mod executions;
mod state_machines;
pub mod store;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_client::proto::activities_server::ActivitiesServer;
use cairn_client::proto::cluster_server::ClusterServer;
use cairn_client::proto::executions_server::ExecutionsServer;
use cairn_client::proto::state_machines_server::StateMachinesServer;
use tokio::sync::watch;

use store::Store;

/// How long a test waits for a condition before it fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The store and the version counter that announces its changes.
pub struct Shared {
    store: Mutex<Store>,
    changes: watch::Sender<u64>,
    /// How long GetActivityTask waits for a task before answering "none".
    poll_window: Duration,
}

impl Shared {
    /// Runs `change` on the store and wakes everyone waiting for a change.
    pub fn change<T>(&self, change: impl FnOnce(&mut Store) -> T) -> T {
        let result = change(
            &mut self
                .store
                .lock()
                .expect("no test panicked holding the store"),
        );
        self.changes.send_modify(|version| *version += 1);
        result
    }

    /// Reads the store.
    pub fn read<T>(&self, read: impl FnOnce(&Store) -> T) -> T {
        read(
            &self
                .store
                .lock()
                .expect("no test panicked holding the store"),
        )
    }

    /// Waits until `check` finds what it looks for, or `deadline` passes (`None`).
    pub async fn wait_for<T>(
        &self,
        deadline: Duration,
        mut check: impl FnMut(&Store) -> Option<T>,
    ) -> Option<T> {
        // Subscribing before the first look means no change can slip in between.
        let mut changes = self.changes.subscribe();
        let waiting = async {
            loop {
                if let Some(found) = self.read(&mut check) {
                    return found;
                }
                if changes.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(deadline, waiting).await.ok()
    }
}

/// A running fake server; it stops when dropped.
pub struct Fake {
    pub endpoint: String,
    pub shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Fake {
    /// Serves on 127.0.0.1, on a port the OS picks.
    pub async fn start() -> Fake {
        Fake::start_with_poll_window(Duration::from_secs(60)).await
    }

    pub async fn start_with_poll_window(poll_window: Duration) -> Fake {
        let incoming =
            tonic::transport::server::TcpIncoming::bind("127.0.0.1:0".parse().expect("an address"))
                .expect("an ephemeral port is free");
        let address = incoming
            .local_addr()
            .expect("a bound socket has an address");
        let endpoint = format!("http://{address}");
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::new(&endpoint)),
            changes: watch::channel(0).0,
            poll_window,
        });
        let service = Service(shared.clone());
        let server = tokio::spawn(async move {
            let served = tonic::transport::Server::builder()
                .add_service(StateMachinesServer::new(service.clone()))
                .add_service(ExecutionsServer::new(service.clone()))
                .add_service(ActivitiesServer::new(service.clone()))
                .add_service(ClusterServer::new(service))
                .serve_with_incoming(incoming)
                .await;
            served.expect("the fake server runs until the test ends");
        });
        Fake {
            endpoint,
            shared,
            server,
        }
    }

    /// Waits for `check` to find something; panics with `what` at the deadline.
    pub async fn must_see<T>(&self, what: &str, check: impl FnMut(&Store) -> Option<T>) -> T {
        match self.shared.wait_for(DEADLINE, check).await {
            Some(found) => found,
            None => panic!("timed out waiting for {what}"),
        }
    }

    /// Runs the `cairn` binary against this server and waits for it to exit.
    pub async fn cairn(&self, args: &[&str]) -> std::process::Output {
        self.cairn_command(args)
            .output()
            .await
            .expect("the cairn binary runs")
    }

    /// The `cairn` binary with `args`, pointed at this server, for tests that run it in the
    /// background.
    pub fn cairn_command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cairn"));
        command
            .args(args)
            .args(["--endpoint", &self.endpoint])
            .env_remove("CAIRN_ENDPOINT")
            .kill_on_drop(true);
        command
    }

    /// A library client connected to this server.
    pub async fn client(&self) -> cairn_client::Client {
        cairn_client::Client::connect(&self.endpoint)
            .await
            .expect("the fake accepts connections")
    }

    /// Waits until some execution is being watched and returns its ARN.
    pub async fn must_see_a_watcher(&self) -> String {
        self.must_see("a client watching an execution", |store| {
            store
                .executions
                .values()
                .find(|e| e.watches > 0)
                .map(|e| e.arn.clone())
        })
        .await
    }

    /// Lets a held execution run to its end.
    pub fn release(&self, execution_arn: &str) {
        self.shared.change(|store| store.release(execution_arn));
    }

    /// Queues a task for the activity and returns its token.
    pub fn enqueue_task(&self, activity_arn: &str, input: &str) -> String {
        self.shared
            .change(|store| store.enqueue_task(activity_arn, input))
    }
}

/// The gRPC services, all over one shared store.
#[derive(Clone)]
pub struct Service(Arc<Shared>);
