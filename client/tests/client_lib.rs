//! The client library against an in-process fake server: error names, waiting, watching,
//! paging and the activity worker.

mod fake;

use std::time::Duration;

use cairn_client::proto::{
    CreateStateMachineRequest, ExecutionStatus, ListActivitiesRequest, StartExecutionRequest,
};
use cairn_client::{Client, ClientOptions, Error, TaskFailure, Worker};
use fake::store::Answer;
use fake::{DEADLINE, Fake};
use serde_json::json;

const WAIT: &str = r#"{"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 60, "Next": "Done"}, "Done": {"Type": "Pass", "Result": {"done": true}, "End": true}}}"#;

async fn must_create_waiting_machine(client: &Client) -> String {
    client
        .create_state_machine(CreateStateMachineRequest {
            name: "slow".into(),
            definition: WAIT.into(),
            ..Default::default()
        })
        .await
        .expect("the fake creates state machines")
        .state_machine_arn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_execution_fails_with_its_aws_error_name() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let error = client
        .describe_execution("arn:aws:states:us-east-1:123456789012:execution:x:y")
        .await
        .unwrap_err();
    assert!(error.is("ExecutionDoesNotExist"), "{error:?}");
    assert_eq!(error.code(), Some(tonic::Code::NotFound));
    assert!(!error.is_transient());
    let Error::Status { message, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("does not exist"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_execution_and_wait_returns_once_the_execution_has_ended() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let machine = must_create_waiting_machine(&client).await;
    let waiting = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .start_execution_and_wait(StartExecutionRequest {
                    state_machine_arn: machine,
                    name: "first".into(),
                    input: r#"{"n": 1}"#.into(),
                })
                .await
        }
    });
    let arn = fake.must_see_a_watcher().await;
    assert!(!waiting.is_finished(), "it waits while the execution runs");
    fake.release(&arn);
    let finished = waiting.await.unwrap().unwrap();
    assert_eq!(finished.execution_arn, arn);
    assert_eq!(finished.status(), ExecutionStatus::Succeeded);
    assert_eq!(finished.output.as_deref(), Some(r#"{"done":true}"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_yields_each_event_once_in_order_and_then_ends() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let machine = must_create_waiting_machine(&client).await;
    let started = client
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut watch = client
        .watch_execution(&started.execution_arn, 0)
        .await
        .unwrap();
    let first = watch.next_event().await.unwrap().unwrap();
    let second = watch.next_event().await.unwrap().unwrap();
    assert_eq!(
        (first.r#type.as_str(), second.r#type.as_str()),
        ("ExecutionStarted", "WaitStateEntered")
    );
    fake.release(&started.execution_arn);
    let mut ids = vec![first.id, second.id];
    while let Some(event) = watch.next_event().await.unwrap() {
        ids.push(event.id);
    }
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    assert_eq!(watch.last_event_id(), 6);
    assert!(watch.next_event().await.unwrap().is_none());

    let mut later = client
        .watch_execution(&started.execution_arn, 4)
        .await
        .unwrap();
    let next = later.next_event().await.unwrap().unwrap();
    assert_eq!(next.id, 5, "a watch starts after the event it is given");

    let missing = client.watch_execution("arn:nope", 0).await.unwrap_err();
    assert!(missing.is("ExecutionDoesNotExist"), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_follows_on_when_its_stream_breaks_off_early() {
    let fake = Fake::start().await;
    fake.shared
        .change(|store| store.watch_stream_events_max = Some(2));
    let client = fake.client().await;
    let machine = must_create_waiting_machine(&client).await;
    let started = client
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine,
            ..Default::default()
        })
        .await
        .unwrap();
    fake.release(&started.execution_arn);
    let mut watch = client
        .watch_execution(&started.execution_arn, 0)
        .await
        .unwrap();
    let mut ids = Vec::new();
    while let Some(event) = watch.next_event().await.unwrap() {
        ids.push(event.id);
    }
    assert_eq!(ids, [1, 2, 3, 4, 5, 6], "no gaps, no repeats");
    let opened = fake
        .shared
        .read(|store| store.executions[&started.execution_arn].watches);
    assert_eq!(opened, 3, "two events per stream");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_follows_every_page_token() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    for name in ["a", "b", "c"] {
        client.create_activity(name).await.unwrap();
    }
    let all = client
        .list_activities_all(ListActivitiesRequest {
            max_results: 1,
            next_token: String::new(),
        })
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_answers_each_task_with_its_handlers_result() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let activity = client.create_activity("double").await.unwrap().activity_arn;
    let doubled = fake.enqueue_task(&activity, r#"{"n": 21}"#);
    let refused = fake.enqueue_task(&activity, r#"{"n": -1}"#);
    let not_json = fake.enqueue_task(&activity, "not json");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(client, activity, "doubler");
    let running = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        worker
            .run_until(shutdown, |task| async move {
                match task.input["n"].as_i64() {
                    Some(n) if n >= 0 => Ok(json!({"n": n * 2})),
                    _ => Err(TaskFailure::new("Negative", "n must not be negative")),
                }
            })
            .await
    });

    let answers = fake
        .must_see("three answers", |store| {
            let answer = |token: &str| store.tasks[token].answer.clone();
            Some((answer(&doubled)?, answer(&refused)?, answer(&not_json)?))
        })
        .await;
    assert_eq!(answers.0, Answer::Success(r#"{"n":42}"#.into()));
    assert_eq!(
        answers.1,
        Answer::Failure {
            error: Some("Negative".into()),
            cause: Some("n must not be negative".into())
        }
    );
    let Answer::Failure { error, .. } = answers.2 else {
        panic!("a task whose input is not JSON fails: {:?}", answers.2)
    };
    assert_eq!(error.as_deref(), Some(cairn_client::INVALID_TASK_INPUT));
    let workers = fake
        .shared
        .read(|store| store.tasks[&doubled].worker.clone());
    assert_eq!(workers.as_deref(), Some("doubler"));

    stop.send(()).unwrap();
    tokio::time::timeout(DEADLINE, running)
        .await
        .expect("the worker stops when asked")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_heartbeats_while_its_handler_runs() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let activity = client.create_activity("slow").await.unwrap().activity_arn;
    let token = fake.enqueue_task(&activity, "{}");
    let worker = Worker::new(client, activity, "w").heartbeat_every(Duration::from_millis(10));
    let shared = fake.shared.clone();
    let mut handler = |task: cairn_client::Task| {
        let shared = shared.clone();
        async move {
            // Finish only once the server has seen heartbeats for this very task.
            let beats = shared
                .wait_for(DEADLINE, |store| {
                    let beats = store.tasks[&task.task_token].heartbeats;
                    (beats >= 2).then_some(beats)
                })
                .await;
            Ok(json!({"heartbeats_seen": beats.is_some()}))
        }
    };
    let handled = worker.poll_once(&mut handler).await.unwrap().unwrap();
    assert_eq!(handled.task_token, token);
    assert!(handled.succeeded);
    handled.delivered.unwrap();
    let answer = fake.shared.read(|store| store.tasks[&token].answer.clone());
    assert_eq!(
        answer,
        Some(Answer::Success(r#"{"heartbeats_seen":true}"#.into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stops_on_an_activity_that_does_not_exist() {
    let fake = Fake::start().await;
    let client = fake.client().await;
    let worker = Worker::new(
        client,
        "arn:aws:states:us-east-1:123456789012:activity:none",
        "w",
    );
    let error = worker
        .run(|_task| async { Ok(json!({})) })
        .await
        .unwrap_err();
    assert!(error.is("ActivityDoesNotExist"), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_long_poll_is_none() {
    let fake = Fake::start_with_poll_window(Duration::ZERO).await;
    let client = fake.client().await;
    let activity = client.create_activity("idle").await.unwrap().activity_arn;
    assert_eq!(
        client.get_activity_task(&activity, "w").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_long_poll_deadline_shorter_than_the_server_poll_is_refused() {
    let options = ClientOptions {
        long_poll_timeout: Duration::from_secs(60),
        ..ClientOptions::default()
    };
    let error = Client::connect_lazy("http://127.0.0.1:1", options).unwrap_err();
    assert!(
        matches!(error, Error::LongPollTimeoutTooShort { .. }),
        "{error:?}"
    );
    assert!(ClientOptions::default().long_poll_timeout >= Duration::from_secs(65));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lazy_client_connects_on_its_first_call() {
    let fake = Fake::start().await;
    let client = Client::connect_lazy(&fake.endpoint, ClientOptions::default()).unwrap();
    let info = client.get_cluster_info().await.unwrap();
    assert_eq!(info.region, "us-east-1");
    assert_eq!(client.endpoint(), fake.endpoint);
}
