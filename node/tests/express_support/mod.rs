//! Helpers for the Express tests: creating EXPRESS machines, and an HTTP endpoint that records
//! what `http:invoke` tasks send it, so a test can see that an execution ran.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_proto::v1::state_machines_client::StateMachinesClient;
use cairn_proto::v1::{CreateStateMachineRequest, StateMachineType};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

/// Creates a state machine of the given type and returns its ARN.
pub async fn must_create_machine(
    channel: Channel,
    name: &str,
    machine_type: StateMachineType,
    definition: &Value,
) -> String {
    StateMachinesClient::new(channel)
        .create_state_machine(CreateStateMachineRequest {
            name: name.into(),
            definition: definition.to_string(),
            role_arn: String::new(),
            r#type: machine_type as i32,
        })
        .await
        .expect("the state machine is created")
        .into_inner()
        .state_machine_arn
}

/// An HTTP endpoint that answers every request `200 {}` and keeps each request body (JSON).
#[derive(Clone)]
pub struct Recorder {
    pub url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Recorder {
    pub async fn start() -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
        let kept = bodies.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, kept.clone()));
            }
        });
        Recorder { url, bodies }
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("not poisoned").clone()
    }

    /// Waits until `done` holds for the bodies received, or panics at the deadline.
    pub async fn must_see(&self, deadline: Duration, done: impl Fn(&[Value]) -> bool) {
        assert!(
            self.wait_until(deadline, done).await,
            "the endpoint did not receive what was expected within {deadline:?}; it got {:?}",
            self.bodies()
        );
    }

    /// Waits until `done` holds for the bodies received; false if the deadline passes first.
    pub async fn wait_until(&self, deadline: Duration, done: impl Fn(&[Value]) -> bool) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        while !done(&self.bodies()) {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            // Polling the recorded bodies is the condition wait; the interval bounds its cost.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

/// Reads one request (headers, then `content-length` bytes), records its body, answers.
async fn answer(mut socket: tokio::net::TcpStream, bodies: Arc<Mutex<Vec<Value>>>) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 8192];
    let body_start = loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(end) = find(&request, b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..body_start]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while request.len() < body_start + length {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let body = &request[body_start..body_start + length];
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        bodies.lock().expect("not poisoned").push(value);
    }
    let response = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
    let _ = socket.write_all(response.as_bytes()).await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
