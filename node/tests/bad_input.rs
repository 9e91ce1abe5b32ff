//! Bad input gets a clear error and leaves what was already accepted intact: oversized
//! inputs, unknown configuration keys, an unusable data directory and a full disk.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use cairn_proto::v1::*;
use serde_json::json;
use support::{TestNode, error_name};

fn node_binary() -> &'static str {
    env!("CARGO_BIN_EXE_cairn-node")
}

#[tokio::test]
async fn an_oversized_input_is_refused_and_earlier_executions_are_intact() {
    let node = TestNode::start().await;
    let machine = node
        .create_machine(
            "m",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
        )
        .await;
    let mut executions = node.executions().await;
    let first = executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.clone(),
            name: "ok".into(),
            input: "{\"a\":1}".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let big = json!({"blob": "x".repeat(300_000)}).to_string();
    let err = executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.clone(),
            name: "big".into(),
            input: big,
        })
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidExecutionInput");
    assert!(err.message().contains("262144"), "{}", err.message());
    let done = node
        .wait_done(&first.execution_arn, Duration::from_secs(10))
        .await;
    assert_eq!(done.output.as_deref(), Some("{\"a\":1}"));
    node.shutdown().await;
}

#[test]
fn unknown_config_keys_stop_the_node_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("node.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\n[cluster]\nshard = 4\n").unwrap();
    let out = Command::new(node_binary())
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shard") && err.contains("node.toml"), "{err}");
}

#[test]
fn an_unusable_data_directory_stops_the_node_with_the_path_named() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the data directory should be: no directory can be made there, whoever runs
    // the test (root included).
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let data_dir = blocker.join("data");
    let out = Command::new(node_binary())
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-a-dir"), "{err}");
}

/// Mounts a small tmpfs (needs root); `None` when this machine does not allow it.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str, read_only: bool) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let mut options = format!("size={size}");
        if read_only {
            options.push_str(",ro");
        }
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &options, "tmpfs", dir.path().to_str()?])
            .stderr(Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_read_only_data_directory_stops_the_node_with_a_clear_error() {
    let Some(fs) = Tmpfs::mount("4m", true) else {
        eprintln!("skipping: cannot mount a read-only tmpfs here (needs root)");
        return;
    };
    let out = Command::new(node_binary())
        .args([
            "--data-dir",
            fs.path().join("data").to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Read-only") || err.contains("read-only"),
        "{err}"
    );
    assert!(err.contains(fs.path().to_str().unwrap()), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_a_clear_error_and_loses_nothing_accepted_before() {
    let Some(fs) = Tmpfs::mount("96m", false) else {
        eprintln!("skipping: cannot mount a tmpfs here (needs root)");
        return;
    };
    let data_dir = fs.path().join("data");
    let spawn = || {
        let mut child = Command::new(node_binary())
            .args([
                "--data-dir",
                data_dir.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--shards",
                "2",
                "--metrics-listen",
                "127.0.0.1:0",
            ])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let endpoint = format!("http://{}", line.trim().rsplit(' ').next().unwrap());
        (child, endpoint)
    };
    let (mut child, endpoint) = spawn();
    let channel = tonic::transport::Channel::from_shared(endpoint)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut machines =
        cairn_proto::v1::state_machines_client::StateMachinesClient::new(channel.clone());
    let machine = machines
        .create_state_machine(CreateStateMachineRequest {
            name: "m".into(),
            definition: json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}})
                .to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .state_machine_arn;
    let mut executions = cairn_proto::v1::executions_client::ExecutionsClient::new(channel);
    let mut accepted = Vec::new();
    for i in 0..20 {
        let reply = executions
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.clone(),
                name: format!("before-{i}"),
                input: format!("{{\"i\":{i}}}"),
            })
            .await
            .unwrap();
        accepted.push(reply.into_inner().execution_arn);
    }
    // Fill the disk.
    let filler = fs.path().join("filler");
    let _ = Command::new("dd")
        .args([
            "if=/dev/zero",
            &format!("of={}", filler.display()),
            "bs=1M",
            "count=200",
        ])
        .stderr(Stdio::null())
        .status();
    let mut refused = None;
    // RocksDB preallocates its write-ahead log, so it takes more than the free space to run
    // into the end of the disk.
    for i in 0..1000 {
        let input = json!({"pad": "y".repeat(200_000), "i": i}).to_string();
        match executions
            .start_execution(StartExecutionRequest {
                state_machine_arn: machine.clone(),
                name: format!("after-{i}"),
                input,
            })
            .await
        {
            Ok(_) => continue,
            Err(status) => {
                refused = Some(status);
                break;
            }
        }
    }
    let status = refused.expect("a start is refused once the disk is full");
    eprintln!(
        "refused once the disk was full: {:?}: {}",
        status.code(),
        status.message()
    );
    let message = status.message().to_lowercase();
    assert!(
        message.contains("space") || message.contains("disk") || message.contains("full"),
        "unclear error: {status:?}"
    );

    // Make room and restart: everything accepted before the disk filled is still there.
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_file(&filler).unwrap();
    let (mut child, endpoint) = spawn();
    let channel = tonic::transport::Channel::from_shared(endpoint)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut executions = cairn_proto::v1::executions_client::ExecutionsClient::new(channel);
    for arn in &accepted {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let described = executions
                .describe_execution(DescribeExecutionRequest {
                    execution_arn: arn.clone(),
                })
                .await
                .unwrap()
                .into_inner();
            if described.status == ExecutionStatus::Succeeded as i32 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{arn} did not finish after the restart"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
