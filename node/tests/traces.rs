//! OTLP trace export end to end: an in-process OTLP/gRPC receiver on port 0, a node that
//! exports to it, and a StartExecution whose spans must arrive linked from the API request
//! down to the Raft proposal and the effects after it.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_node::server;
use cairn_proto::v1::*;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::json;
use support::TestNode;

/// Collects every span exported to it.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().expect("no test thread panicked");
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

async fn start_receiver() -> (SocketAddr, Receiver) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let receiver = Receiver::default();
    let service = TraceServiceServer::new(receiver.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .expect("the receiver serves");
    });
    (address, receiver)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span
        .attributes
        .iter()
        .find(|a| a.key == key)?
        .value
        .as_ref()?;
    match value.value.as_ref()? {
        Value::StringValue(s) => Some(s.clone()),
        Value::IntValue(i) => Some(i.to_string()),
        other => Some(format!("{other:?}")),
    }
}

/// The spans received so far, by span id.
fn received(receiver: &Receiver) -> HashMap<String, Span> {
    receiver
        .spans
        .lock()
        .expect("no test thread panicked")
        .iter()
        .map(|s| (hex(&s.span_id), s.clone()))
        .collect()
}

/// Walks up from `span` through the parents received; the names on the way, nearest first.
fn ancestry(spans: &HashMap<String, Span>, span: &Span) -> Vec<String> {
    let mut names = Vec::new();
    let mut parent = hex(&span.parent_span_id);
    while let Some(up) = spans.get(&parent) {
        assert_eq!(up.trace_id, span.trace_id, "a parent in another trace");
        names.push(up.name.clone());
        parent = hex(&up.parent_span_id);
    }
    names
}

/// Waits (with a deadline) until a `raft.client_write` span of the given trace has arrived
/// with all its ancestors and an effects span; returns every span received.
async fn must_receive_trace(
    receiver: &Receiver,
    trace_id: impl Fn(&Span) -> bool,
) -> (HashMap<String, Span>, Span) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let spans = received(receiver);
        let write = spans
            .values()
            .find(|s| s.name == "raft.client_write" && trace_id(s))
            .cloned();
        let effects = spans
            .values()
            .any(|s| s.name == "shard.effects" && trace_id(s));
        if let Some(write) = write
            && effects
            && ancestry(&spans, &write)
                .iter()
                .any(|name| name == "cairn.v1.Executions/StartExecution")
        {
            return (spans, write);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the trace did not arrive; received: {:?}",
            spans.values().map(|s| &s.name).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_execution_trace_runs_from_the_api_to_the_proposal_and_its_effects() {
    let (collector, receiver) = start_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let mut options = support::options(dir.path());
    options.tracing.otlp_endpoint = Some(format!("http://{collector}"));
    options.tracing.service_name = "cairn-trace-test".into();
    // Batches go out within a tenth of a second, so the test waits on spans, not a timer.
    options.tracing.export_delay_ms = 100;
    options.log.filter = "info,openraft=warn".into();
    let telemetry = cairn_node::telemetry::init(&options).expect("the subscriber installs");
    let running = server::start(options).await.expect("the node starts");
    let node = TestNode {
        endpoint: format!("http://{}", running.local_addr),
        node: Some(running),
        dir,
    };
    let machine = node
        .create_machine(
            "traced",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}),
        )
        .await;

    // 1. A request without a trace context opens a trace of its own.
    let mut executions = node.executions().await;
    executions
        .start_execution(StartExecutionRequest {
            state_machine_arn: machine.clone(),
            name: "first".into(),
            input: "{}".into(),
        })
        .await
        .unwrap();
    let (spans, write) = must_receive_trace(&receiver, |_| true).await;
    let path = ancestry(&spans, &write);
    assert_eq!(
        path,
        ["shard.start", "cairn.v1.Executions/StartExecution"],
        "raft.client_write → shard.start → the API span"
    );
    let api = spans
        .values()
        .find(|s| s.name == "cairn.v1.Executions/StartExecution" && s.trace_id == write.trace_id)
        .unwrap();
    assert!(api.parent_span_id.is_empty(), "the API span is the root");
    assert_eq!(attribute(api, "rpc.system").as_deref(), Some("grpc"));
    assert_eq!(attribute(api, "rpc.grpc.status_code").as_deref(), Some("0"));
    let shard = attribute(&write, "shard").expect("the proposal names its shard");
    let log_index = attribute(&write, "log_index").expect("the proposal names its log index");
    let request = spans.get(&hex(&write.parent_span_id)).unwrap();
    assert_eq!(attribute(request, "shard"), Some(shard.clone()));
    assert_eq!(attribute(request, "log_index"), Some(log_index));
    assert_eq!(
        attribute(request, "execution").as_deref(),
        Some("traced:first")
    );
    let effects = spans
        .values()
        .find(|s| s.name == "shard.effects" && s.trace_id == write.trace_id)
        .unwrap();
    assert_eq!(
        effects.parent_span_id, request.span_id,
        "effects run in the request"
    );
    assert_eq!(attribute(effects, "shard"), Some(shard));

    // 2. A request that carries `traceparent` (as a forwarding node sends it) continues the
    //    caller's trace: its API span is a child of the caller's span.
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let mut request = tonic::Request::new(StartExecutionRequest {
        state_machine_arn: machine,
        name: "second".into(),
        input: "{}".into(),
    });
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{caller_trace}-{caller_span}-01")
            .parse()
            .unwrap(),
    );
    executions.start_execution(request).await.unwrap();
    let (spans, write) = must_receive_trace(&receiver, |s| hex(&s.trace_id) == caller_trace).await;
    let api = spans
        .values()
        .find(|s| {
            s.name == "cairn.v1.Executions/StartExecution" && hex(&s.trace_id) == caller_trace
        })
        .unwrap();
    assert_eq!(hex(&api.parent_span_id), caller_span);
    assert_eq!(
        ancestry(&spans, &write),
        ["shard.start", "cairn.v1.Executions/StartExecution"]
    );

    node.shutdown().await;
    // Stopping the exporter blocks until its last export; keep it off the async workers.
    tokio::task::spawn_blocking(move || drop(telemetry))
        .await
        .unwrap();
}
