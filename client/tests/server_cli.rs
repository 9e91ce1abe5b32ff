//! The `cairn` binary's server commands, end to end against an in-process fake server.

mod fake;

use std::process::Output;

use cairn_client::proto::CreateStateMachineRequest;
use fake::Fake;
use fake::store::Answer;
use serde_json::{Value, json};

const PASS: &str = r#"{"StartAt": "Greet", "States": {"Greet": {"Type": "Pass", "Result": {"hello": "world"}, "End": true}}}"#;
const FAIL: &str = r#"{"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Nope", "Cause": "by design"}}}"#;
/// Held by the fake at its Wait state until released or stopped.
const WAIT: &str = r#"{"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 60, "Next": "Done"}, "Done": {"Type": "Pass", "End": true}}}"#;

fn stdout_json(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn must_create(fake: &Fake, name: &str, definition: &str) -> String {
    fake.client()
        .await
        .create_state_machine(CreateStateMachineRequest {
            name: name.into(),
            definition: definition.into(),
            ..Default::default()
        })
        .await
        .expect("the fake creates state machines")
        .state_machine_arn
}

fn is_iso8601(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|t| t.len() >= 25 && t.as_bytes()[10] == b'T' && t.ends_with("+00:00"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_machine_commands_print_aws_field_names() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.asl.json");
    std::fs::write(&file, PASS).unwrap();
    let definition = format!("@{}", file.display());

    let created = stdout_json(
        &fake
            .cairn(&[
                "state-machine",
                "create",
                "--name",
                "hello",
                "--definition",
                &definition,
                "--output",
                "json",
            ])
            .await,
    );
    let arn = created["stateMachineArn"].as_str().unwrap().to_owned();
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
    );
    assert!(is_iso8601(&created["creationDate"]), "{created}");

    let described = stdout_json(
        &fake
            .cairn(&["state-machine", "describe", "hello", "--output", "json"])
            .await,
    );
    assert_eq!(described["stateMachineArn"], arn.as_str());
    assert_eq!(described["name"], "hello");
    assert_eq!(described["status"], "ACTIVE");
    assert_eq!(described["type"], "STANDARD");
    assert_eq!(described["definition"], PASS);
    assert!(is_iso8601(&described["creationDate"]));

    let updated = stdout_json(
        &fake
            .cairn(&[
                "state-machine",
                "update",
                &arn,
                "--definition",
                FAIL,
                "--output",
                "json",
            ])
            .await,
    );
    assert_eq!(updated["revisionId"], "revision-2");
    assert!(is_iso8601(&updated["updateDate"]));

    let deleted = fake
        .cairn(&["state-machine", "delete", "hello", "--output", "json"])
        .await;
    assert_eq!(deleted.status.code(), Some(0), "{}", stderr(&deleted));
    assert!(
        deleted.stdout.is_empty(),
        "the AWS CLI prints nothing for a delete"
    );

    let gone = fake.cairn(&["state-machine", "describe", &arn]).await;
    assert_eq!(gone.status.code(), Some(2));
    assert!(
        stderr(&gone).contains("StateMachineDoesNotExist"),
        "{}",
        stderr(&gone)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_definition_is_reported_by_the_server_with_exit_2() {
    let fake = Fake::start().await;
    let out = fake
        .cairn(&[
            "state-machine",
            "create",
            "--name",
            "broken",
            "--definition",
            r#"{"StartAt": "Nowhere", "States": {}}"#,
        ])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: InvalidDefinition: "),
        "{}",
        stderr(&out)
    );

    let verdict = fake
        .cairn(&[
            "state-machine",
            "validate",
            "--definition",
            r#"{"StartAt": "Nowhere", "States": {}}"#,
            "--output",
            "json",
        ])
        .await;
    assert_eq!(
        verdict.status.code(),
        Some(1),
        "an invalid definition exits 1"
    );
    let verdict: Value = serde_json::from_slice(&verdict.stdout).unwrap();
    assert_eq!(verdict["result"], "FAIL");
    assert!(verdict["diagnostics"][0]["code"].is_string(), "{verdict}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_and_all_follows_every_token() {
    let fake = Fake::start().await;
    for name in ["m1", "m2", "m3", "m4", "m5"] {
        must_create(&fake, name, PASS).await;
    }
    let first = stdout_json(
        &fake
            .cairn(&[
                "state-machine",
                "list",
                "--max-results",
                "2",
                "--output",
                "json",
            ])
            .await,
    );
    let names: Vec<&str> = first["stateMachines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["m1", "m2"]);
    for item in first["stateMachines"].as_array().unwrap() {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["stateMachineArn", "name", "type", "creationDate"]);
    }
    let token = first["nextToken"].as_str().unwrap();

    let second = stdout_json(
        &fake
            .cairn(&[
                "state-machine",
                "list",
                "--max-results",
                "2",
                "--next-token",
                token,
                "--output",
                "json",
            ])
            .await,
    );
    assert_eq!(second["stateMachines"][0]["name"], "m3");

    let all = stdout_json(
        &fake
            .cairn(&[
                "state-machine",
                "list",
                "--max-results",
                "2",
                "--all",
                "--output",
                "json",
            ])
            .await,
    );
    assert_eq!(all["stateMachines"].as_array().unwrap().len(), 5);
    assert!(all.get("nextToken").is_none(), "{all}");

    let table = fake
        .cairn(&["state-machine", "list", "--max-results", "2"])
        .await;
    assert!(
        stderr(&table).contains("--next-token"),
        "a table says how to get more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_wait_prints_the_execution_exactly_as_describe_does() {
    let fake = Fake::start().await;
    must_create(&fake, "hello", PASS).await;
    let waited = fake
        .cairn(&[
            "execution",
            "start",
            "hello",
            "--name",
            "run-1",
            "--input",
            r#"{"a": 1}"#,
            "--wait",
            "--output",
            "json",
        ])
        .await;
    let finished = stdout_json(&waited);
    assert_eq!(finished["status"], "SUCCEEDED");
    assert_eq!(finished["name"], "run-1");
    assert_eq!(finished["input"], r#"{"a": 1}"#);
    assert_eq!(finished["output"], r#"{"hello":"world"}"#);
    assert!(
        is_iso8601(&finished["startDate"]) && is_iso8601(&finished["stopDate"]),
        "{finished}"
    );

    let arn = finished["executionArn"].as_str().unwrap();
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:execution:hello:run-1"
    );
    let described = fake
        .cairn(&["execution", "describe", arn, "--output", "json"])
        .await;
    assert_eq!(described.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&waited.stdout),
        String::from_utf8_lossy(&described.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_wait_exits_1_for_an_execution_that_failed() {
    let fake = Fake::start().await;
    must_create(&fake, "doomed", FAIL).await;
    let out = fake
        .cairn(&["execution", "start", "doomed", "--wait", "--output", "json"])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let finished: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finished["status"], "FAILED");
    assert_eq!(finished["error"], "Nope");
    assert_eq!(finished["cause"], "by design");
    assert!(finished.get("output").is_none(), "{finished}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_sync_prints_how_an_express_execution_ended() {
    let fake = Fake::start().await;
    for (name, definition) in [("quick", PASS), ("doomed", FAIL)] {
        fake.client()
            .await
            .create_state_machine(CreateStateMachineRequest {
                name: name.into(),
                definition: definition.into(),
                r#type: cairn_client::proto::StateMachineType::Express as i32,
                ..Default::default()
            })
            .await
            .expect("the fake creates state machines");
    }
    let ended = stdout_json(
        &fake
            .cairn(&[
                "execution",
                "start-sync",
                "quick",
                "--name",
                "once",
                "--input",
                r#"{"a": 1}"#,
                "--output",
                "json",
            ])
            .await,
    );
    let keys: Vec<&str> = ended
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "executionArn",
            "stateMachineArn",
            "name",
            "startDate",
            "stopDate",
            "status",
            "input",
            "inputDetails",
            "output",
            "outputDetails"
        ]
    );
    assert!(
        ended["executionArn"]
            .as_str()
            .unwrap()
            .contains(":express:quick:once:"),
        "{ended}"
    );
    assert_eq!(ended["status"], "SUCCEEDED");
    assert_eq!(ended["output"], r#"{"hello":"world"}"#);
    assert!(is_iso8601(&ended["stopDate"]), "{ended}");

    let failed = fake
        .cairn(&["execution", "start-sync", "doomed", "--output", "json"])
        .await;
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let failed: Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(
        (&failed["error"], &failed["cause"]),
        (&json!("Nope"), &json!("by design"))
    );

    must_create(&fake, "standard", PASS).await;
    let refused = fake.cairn(&["execution", "start-sync", "standard"]).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("StateMachineTypeNotSupported"),
        "{}",
        stderr(&refused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_execution_is_reported_by_its_aws_name_with_exit_2() {
    let fake = Fake::start().await;
    let arn = "arn:aws:states:us-east-1:123456789012:execution:nope:nothing";
    let out = fake
        .cairn(&["execution", "describe", arn, "--output", "json"])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out).trim(),
        format!("error: ExecutionDoesNotExist: Execution {arn} does not exist")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_without_wait_prints_the_arn_and_start_date() {
    let fake = Fake::start().await;
    must_create(&fake, "hello", PASS).await;
    let started = stdout_json(
        &fake
            .cairn(&["execution", "start", "hello", "--output", "json"])
            .await,
    );
    let keys: Vec<&str> = started
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["executionArn", "startDate"]);

    let bad_input = fake
        .cairn(&["execution", "start", "hello", "--input", "{nope"])
        .await;
    assert_eq!(bad_input.status.code(), Some(2));
    assert!(
        stderr(&bad_input).contains("--input is not valid JSON"),
        "{}",
        stderr(&bad_input)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_prints_events_with_their_details_in_either_order() {
    let fake = Fake::start().await;
    must_create(&fake, "hello", PASS).await;
    let started = stdout_json(
        &fake
            .cairn(&["execution", "start", "hello", "--output", "json"])
            .await,
    );
    let arn = started["executionArn"].as_str().unwrap();

    let history = stdout_json(
        &fake
            .cairn(&["execution", "history", arn, "--output", "json"])
            .await,
    );
    let events = history["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(events[0]["id"], 1);
    assert_eq!(events[0]["previousEventId"], 0);
    assert!(is_iso8601(&events[0]["timestamp"]));
    assert_eq!(events[0]["executionStartedEventDetails"]["input"], "{}");
    assert_eq!(events[1]["stateEnteredEventDetails"]["name"], "Greet");
    assert_eq!(
        events[3]["executionSucceededEventDetails"]["output"],
        r#"{"hello":"world"}"#
    );

    let reversed = stdout_json(
        &fake
            .cairn(&[
                "execution",
                "history",
                arn,
                "--reverse",
                "--max-results",
                "1",
                "--all",
                "--output",
                "json",
            ])
            .await,
    );
    let ids: Vec<u64> = reversed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [4, 3, 2, 1]);

    let table = fake.cairn(&["execution", "history", arn]).await;
    let text = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("TYPE"),
        "{text}"
    );
    assert!(
        lines[2].contains("PassStateEntered") && lines[2].ends_with("Greet"),
        "{text}"
    );
    let type_column = lines[0].find("TYPE").unwrap();
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|l| l[type_column..].starts_with(|c: char| c.is_ascii_uppercase())),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_wait_follows_a_running_execution_to_its_end() {
    let fake = Fake::start().await;
    must_create(&fake, "slow", WAIT).await;
    let waiting = fake
        .cairn_command(&["execution", "start", "slow", "--wait", "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let arn = fake.must_see_a_watcher().await;
    fake.release(&arn);
    let out = waiting.wait_with_output().await.unwrap();
    let finished = stdout_json(&out);
    assert_eq!(finished["executionArn"], arn.as_str());
    assert_eq!(finished["status"], "SUCCEEDED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_each_event_as_it_happens() {
    let fake = Fake::start().await;
    must_create(&fake, "slow", WAIT).await;
    let started = stdout_json(
        &fake
            .cairn(&["execution", "start", "slow", "--output", "json"])
            .await,
    );
    let arn = started["executionArn"].as_str().unwrap().to_owned();
    let watching = fake
        .cairn_command(&["execution", "watch", &arn, "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    fake.must_see_a_watcher().await;
    fake.release(&arn);
    let out = watching.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let types: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_aborts_a_running_execution_and_list_filters_by_status() {
    let fake = Fake::start().await;
    must_create(&fake, "slow", WAIT).await;
    let started = stdout_json(
        &fake
            .cairn(&["execution", "start", "slow", "--output", "json"])
            .await,
    );
    let arn = started["executionArn"].as_str().unwrap();
    stdout_json(
        &fake
            .cairn(&["execution", "start", "slow", "--output", "json"])
            .await,
    );

    let stopped = stdout_json(
        &fake
            .cairn(&[
                "execution",
                "stop",
                arn,
                "--error",
                "Operator",
                "--cause",
                "not needed",
                "--output",
                "json",
            ])
            .await,
    );
    assert!(is_iso8601(&stopped["stopDate"]), "{stopped}");

    let described = stdout_json(
        &fake
            .cairn(&["execution", "describe", arn, "--output", "json"])
            .await,
    );
    assert_eq!(described["status"], "ABORTED");
    assert_eq!(described["error"], "Operator");
    assert_eq!(described["cause"], "not needed");

    let aborted = stdout_json(
        &fake
            .cairn(&[
                "execution",
                "list",
                "slow",
                "--status-filter",
                "ABORTED",
                "--output",
                "json",
            ])
            .await,
    );
    let listed = aborted["executions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["executionArn"], arn);
    assert_eq!(listed[0]["status"], "ABORTED");

    let everything = stdout_json(
        &fake
            .cairn(&["execution", "list", "slow", "--all", "--output", "json"])
            .await,
    );
    assert_eq!(everything["executions"].as_array().unwrap().len(), 2);

    let waited = fake.cairn(&["execution", "watch", arn]).await;
    assert_eq!(
        waited.status.code(),
        Some(1),
        "an aborted execution is not a success"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_commands_hand_out_and_answer_tasks() {
    let fake = Fake::start().await;
    let created = stdout_json(
        &fake
            .cairn(&["activity", "create", "--name", "resize", "--output", "json"])
            .await,
    );
    let arn = created["activityArn"].as_str().unwrap().to_owned();
    assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:activity:resize");
    assert!(is_iso8601(&created["creationDate"]));

    let described = stdout_json(
        &fake
            .cairn(&["activity", "describe", "resize", "--output", "json"])
            .await,
    );
    assert_eq!(described["name"], "resize");
    let listed = stdout_json(&fake.cairn(&["activity", "list", "--output", "json"]).await);
    assert_eq!(listed["activities"][0]["activityArn"], arn.as_str());

    let token = fake.enqueue_task(&arn, r#"{"width": 640}"#);
    let task = stdout_json(
        &fake
            .cairn(&[
                "activity",
                "poll",
                "resize",
                "--worker-name",
                "w1",
                "--output",
                "json",
            ])
            .await,
    );
    assert_eq!(task["taskToken"], token.as_str());
    assert_eq!(task["input"], r#"{"width": 640}"#);

    let beat = fake.cairn(&["activity", "heartbeat", &token]).await;
    assert_eq!(beat.status.code(), Some(0), "{}", stderr(&beat));
    let answered = fake
        .cairn(&[
            "activity",
            "succeed",
            &token,
            "--task-output",
            r#"{"width": 320}"#,
        ])
        .await;
    assert_eq!(answered.status.code(), Some(0), "{}", stderr(&answered));
    let (answer, worker, heartbeats) = fake.shared.read(|store| {
        let task = &store.tasks[&token];
        (task.answer.clone(), task.worker.clone(), task.heartbeats)
    });
    assert_eq!(answer, Some(Answer::Success(r#"{"width": 320}"#.into())));
    assert_eq!(worker.as_deref(), Some("w1"));
    assert_eq!(heartbeats, 1);

    let again = fake
        .cairn(&["activity", "succeed", &token, "--task-output", "{}"])
        .await;
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("TaskDoesNotExist"),
        "{}",
        stderr(&again)
    );

    let forged = fake
        .cairn(&["activity", "fail", "forged", "--error", "E"])
        .await;
    assert_eq!(forged.status.code(), Some(2));
    assert!(
        stderr(&forged).contains("error: InvalidToken: "),
        "{}",
        stderr(&forged)
    );

    let second = fake.enqueue_task(&arn, "{}");
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{second}\n")).unwrap();
    let failed = fake
        .cairn(&[
            "activity",
            "fail",
            &format!("@{}", token_file.display()),
            "--error",
            "Resize.Failed",
            "--cause",
            "too big",
        ])
        .await;
    assert_eq!(failed.status.code(), Some(0), "{}", stderr(&failed));
    let answer = fake
        .shared
        .read(|store| store.tasks[&second].answer.clone());
    assert_eq!(
        answer,
        Some(Answer::Failure {
            error: Some("Resize.Failed".into()),
            cause: Some("too big".into())
        })
    );

    let deleted = fake.cairn(&["activity", "delete", "resize"]).await;
    assert_eq!(deleted.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&deleted.stdout).contains(&arn),
        "a table confirms the delete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_poll_prints_an_empty_object() {
    let fake = Fake::start_with_poll_window(std::time::Duration::ZERO).await;
    stdout_json(
        &fake
            .cairn(&["activity", "create", "--name", "idle", "--output", "json"])
            .await,
    );
    let empty = stdout_json(
        &fake
            .cairn(&["activity", "poll", "idle", "--output", "json"])
            .await,
    );
    assert_eq!(empty, json!({}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_info_shows_nodes_and_shards() {
    let fake = Fake::start().await;
    let info = stdout_json(&fake.cairn(&["cluster", "info", "--output", "json"]).await);
    assert_eq!(info["region"], "us-east-1");
    assert_eq!(info["account"], "123456789012");
    assert_eq!(info["shardCount"], 1);
    // Nodes report HOST:PORT, without a scheme.
    assert_eq!(
        info["nodes"][0]["address"],
        fake.endpoint.trim_start_matches("http://")
    );
    assert_eq!(info["shards"][0]["leaderNodeId"], 1);

    let table = fake.cairn(&["cluster", "info"]).await;
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("SHARD  LEADER  TERM"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_are_aligned_in_columns() {
    let fake = Fake::start().await;
    must_create(&fake, "a", PASS).await;
    must_create(&fake, "a-much-longer-name", PASS).await;
    let out = fake.cairn(&["state-machine", "list"]).await;
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let column = lines[0].find("TYPE").unwrap();
    assert!(
        lines[1][column..].starts_with("STANDARD") && lines[2][column..].starts_with("STANDARD"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_an_error_with_exit_2() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "cluster",
            "info",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!("error: cannot connect to http://127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
}
