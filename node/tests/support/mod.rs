//! Shared helpers for the node's integration tests: an in-process node on port 0 with a
//! temporary data directory, and typed clients.

#![allow(dead_code)]

use std::time::Duration;

use cairn_node::config::NodeOptions;
use cairn_node::server::{self, RunningNode};
use cairn_proto::v1::activities_client::ActivitiesClient;
use cairn_proto::v1::executions_client::ExecutionsClient;
use cairn_proto::v1::state_machines_client::StateMachinesClient;
use cairn_proto::v1::*;
use tonic::transport::Channel;

pub struct TestNode {
    pub node: Option<RunningNode>,
    pub dir: tempfile::TempDir,
    pub endpoint: String,
}

pub fn options(dir: &std::path::Path) -> NodeOptions {
    let mut options = NodeOptions {
        data_dir: dir.to_owned(),
        listen: "127.0.0.1:0".parse().expect("a valid address"),
        ..NodeOptions::default()
    };
    options.cluster.shards = 4;
    // Many nodes run at once in tests; the metrics port must not collide either.
    options.metrics.listen = "127.0.0.1:0".parse().expect("a valid address");
    options.activities.poll_seconds_max = 5;
    options
}

impl TestNode {
    pub async fn start() -> TestNode {
        let dir = tempfile::tempdir().expect("a temp dir");
        let node = server::start(options(dir.path()))
            .await
            .expect("the node starts");
        let endpoint = format!("http://{}", node.local_addr);
        TestNode {
            node: Some(node),
            dir,
            endpoint,
        }
    }

    /// Stops the node and starts it again on the same data directory.
    pub async fn restart(&mut self) {
        if let Some(node) = self.node.take() {
            node.shutdown().await;
        }
        let node = server::start(options(self.dir.path()))
            .await
            .expect("the node restarts");
        self.endpoint = format!("http://{}", node.local_addr);
        self.node = Some(node);
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.endpoint.clone())
            .expect("a valid URI")
            .connect()
            .await
            .expect("connects")
    }

    pub async fn machines(&self) -> StateMachinesClient<Channel> {
        StateMachinesClient::new(self.channel().await)
    }

    pub async fn executions(&self) -> ExecutionsClient<Channel> {
        ExecutionsClient::new(self.channel().await)
    }

    pub async fn activities(&self) -> ActivitiesClient<Channel> {
        ActivitiesClient::new(self.channel().await)
    }

    pub async fn shutdown(mut self) {
        if let Some(node) = self.node.take() {
            node.shutdown().await;
        }
    }

    pub async fn create_machine(&self, name: &str, definition: serde_json::Value) -> String {
        self.machines()
            .await
            .create_state_machine(CreateStateMachineRequest {
                name: name.into(),
                definition: definition.to_string(),
                role_arn: String::new(),
                r#type: StateMachineType::Standard as i32,
            })
            .await
            .expect("the state machine is created")
            .into_inner()
            .state_machine_arn
    }

    /// Waits (with a deadline) until the execution is no longer RUNNING.
    pub async fn wait_done(
        &self,
        execution_arn: &str,
        deadline: Duration,
    ) -> DescribeExecutionResponse {
        let mut client = self.executions().await;
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let described = client
                .describe_execution(DescribeExecutionRequest {
                    execution_arn: execution_arn.into(),
                })
                .await
                .expect("describe works")
                .into_inner();
            if described.status != ExecutionStatus::Running as i32 {
                return described;
            }
            assert!(
                tokio::time::Instant::now() < until,
                "{execution_arn} still running after {deadline:?}"
            );
            // Polling describe is the condition wait; the interval only bounds its cost.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn history_types(&self, execution_arn: &str) -> Vec<String> {
        self.executions()
            .await
            .get_execution_history(GetExecutionHistoryRequest {
                execution_arn: execution_arn.into(),
                max_results: 1000,
                ..Default::default()
            })
            .await
            .expect("history works")
            .into_inner()
            .events
            .into_iter()
            .map(|e| e.r#type)
            .collect()
    }
}

pub fn error_name(status: &tonic::Status) -> String {
    status
        .metadata()
        .get("cairn-error")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
