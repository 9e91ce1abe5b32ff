//! Following an execution's history as it grows.

use std::time::Duration;

use cairn_proto::v1::{ExecutionStatus, HistoryEvent, WatchExecutionRequest};

use super::{Client, Error, Result, is_terminal_event, unary};

/// How often in a row a broken stream is reopened before the error is handed to the caller.
const REOPENS_MAX: u32 = 12;
/// The pause before the second reopen in a row; it doubles up to [`REOPEN_PAUSE_MAX`].
const REOPEN_PAUSE_FIRST: Duration = Duration::from_millis(100);
const REOPEN_PAUSE_MAX: Duration = Duration::from_secs(2);

/// An execution's history as a stream of events, from [`Client::watch_execution`].
///
/// Each event is yielded once, in id order. When the connection breaks (a node restarts, a
/// shard changes leader) the watch reopens the stream after the last event it yielded, so
/// callers see neither gaps nor repeats. It ends after the execution's terminal event.
///
/// ```no_run
/// # async fn demo(client: cairn_client::Client, arn: &str) -> Result<(), cairn_client::Error> {
/// let mut watch = client.watch_execution(arn, 0).await?;
/// while let Some(event) = watch.next_event().await? {
///     println!("{:>4} {}", event.id, event.r#type);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Watch {
    client: Client,
    execution_arn: String,
    last_event_id: u64,
    stream: Option<tonic::Streaming<HistoryEvent>>,
    finished: bool,
    /// Reopens since the last event arrived.
    reopens: u32,
}

impl Watch {
    pub(super) async fn open(
        client: Client,
        execution_arn: String,
        after_event_id: u64,
    ) -> Result<Watch> {
        let mut watch = Watch {
            client,
            execution_arn,
            last_event_id: after_event_id,
            stream: None,
            finished: false,
            reopens: 0,
        };
        // Opening now reports a wrong ARN (ExecutionDoesNotExist) to the caller at once.
        watch.stream = Some(watch.subscribe().await?);
        Ok(watch)
    }

    /// The execution being watched.
    pub fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    /// The id of the last event yielded (or the starting point, before the first).
    pub fn last_event_id(&self) -> u64 {
        self.last_event_id
    }

    /// The next event; `None` once the execution has ended and its last event was yielded.
    pub async fn next_event(&mut self) -> Result<Option<HistoryEvent>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let Some(stream) = self.stream.as_mut() else {
                self.reopen().await?;
                continue;
            };
            match stream.message().await {
                Ok(Some(event)) if event.id <= self.last_event_id => continue,
                Ok(Some(event)) => {
                    self.last_event_id = event.id;
                    self.finished = is_terminal_event(&event.r#type);
                    self.reopens = 0;
                    return Ok(Some(event));
                }
                // The server ends the stream after the terminal event; an earlier end means the
                // node went away, so follow on from where we were.
                Ok(None) => self.stream = None,
                Err(status) => {
                    let error = Error::from(status);
                    if !error.is_transient() || self.reopens >= REOPENS_MAX {
                        return Err(error);
                    }
                    self.stream = None;
                }
            }
        }
    }

    /// Opens a new stream after the last event. After a stream that yielded nothing it
    /// pauses first, and once a second one in a row yields nothing it asks whether the
    /// execution is still running: an execution that ended has nothing more to show.
    async fn reopen(&mut self) -> Result<()> {
        if self.reopens > 0 {
            let doublings = (self.reopens - 1).min(5);
            tokio::time::sleep((REOPEN_PAUSE_FIRST * 2u32.pow(doublings)).min(REOPEN_PAUSE_MAX))
                .await;
        }
        if self.reopens > 1 {
            match self.client.describe_execution(&self.execution_arn).await {
                Ok(described) if described.status() != ExecutionStatus::Running => {
                    self.finished = true;
                    return Ok(());
                }
                Ok(_) => {}
                Err(error) if error.is_transient() && self.reopens < REOPENS_MAX => {}
                Err(error) => return Err(error),
            }
        }
        self.reopens += 1;
        match self.subscribe().await {
            Ok(stream) => {
                self.stream = Some(stream);
                Ok(())
            }
            Err(error) if error.is_transient() && self.reopens < REOPENS_MAX => Ok(()),
            Err(error) => Err(error),
        }
    }

    async fn subscribe(&self) -> Result<tonic::Streaming<HistoryEvent>> {
        let timeout = self.client.options.request_timeout;
        // The leader streams the events as it commits them.
        let mut rpc = self.client.executions_for_arn(&self.execution_arn).await;
        let watch = WatchExecutionRequest {
            execution_arn: self.execution_arn.clone(),
            after_event_id: self.last_event_id,
        };
        // Only the opening is bounded; the stream lasts as long as the execution.
        unary(
            "WatchExecution",
            timeout,
            rpc.watch_execution(tonic::Request::new(watch)),
        )
        .await
    }
}
