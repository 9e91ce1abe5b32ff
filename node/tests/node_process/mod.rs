//! A real `cairn-node` process on a port the OS picks, for tests that kill and restart it
//! on the same data directory, and the endpoint of whichever process is current.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tonic::transport::Channel;

pub struct NodeProcess {
    child: Child,
    pub endpoint: String,
}

impl NodeProcess {
    /// Starts a one-node cluster of `shards` shards on `data_dir`, serving gRPC and metrics
    /// on ports the OS picks, and waits until it says where it listens.
    pub fn must_spawn(data_dir: &Path, shards: u32) -> NodeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairn-node"))
            .args([
                "--data-dir",
                data_dir.to_str().expect("UTF-8 path"),
                "--listen",
                "127.0.0.1:0",
                "--shards",
                &shards.to_string(),
                "--metrics-listen",
                "127.0.0.1:0",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cairn-node starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the node prints its address");
        let address = line
            .trim()
            .rsplit(' ')
            .next()
            .expect("an address")
            .to_owned();
        assert!(address.contains(':'), "unexpected first line {line:?}");
        NodeProcess {
            child,
            endpoint: format!("http://{address}"),
        }
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL delivered");
        let _ = self.child.wait();
    }
}

/// A failing test must not leave its node running.
impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The endpoint of whichever node process is current; clients reconnect after a restart.
#[derive(Clone)]
pub struct Endpoint(Arc<Mutex<String>>);

impl Endpoint {
    pub fn new(endpoint: &str) -> Endpoint {
        Endpoint(Arc::new(Mutex::new(endpoint.to_owned())))
    }

    pub fn get(&self) -> String {
        self.0.lock().expect("not poisoned").clone()
    }

    pub fn set(&self, endpoint: &str) {
        *self.0.lock().expect("not poisoned") = endpoint.to_owned();
    }

    /// A connection to the current node, or `None` while it is down.
    pub async fn channel(&self) -> Option<Channel> {
        Channel::from_shared(self.get())
            .ok()?
            .connect_timeout(Duration::from_secs(1))
            .connect()
            .await
            .ok()
    }
}
