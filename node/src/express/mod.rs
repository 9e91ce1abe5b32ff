//! Express executions: the same interpreter as Standard, run in memory on the node that
//! received the start, with the real clock and no Raft (DESIGN §5).
//!
//! - StartSyncExecution ([`Handle::start_sync`]) runs the execution inside the request and
//!   answers with its outcome; it is at-most-once.
//! - StartExecution of an EXPRESS machine ([`Handle::start_async`]) answers at once with the
//!   ARN. It is at-least-once: the start is recorded in the node's journal (fsynced) before it
//!   is acknowledged, forgotten when the execution ends, and run again from its start after a
//!   restart ([`Handle::recover`]).
//! - Executions last at most `express.duration-seconds-max` (AWS: 5 minutes), then end
//!   TIMED_OUT with `States.Timeout`; at most `express.running-max` run at once, and a start
//!   beyond that is refused with `ThrottlingException`.
//! - There is no history API: events go to the log at `express.log-level` (target
//!   `cairn::express`). Describe, Stop, GetExecutionHistory and ListExecutions refuse Express
//!   executions as AWS does.
//! - Tasks use the Standard integrations (`http:invoke`, `states:startExecution`);
//!   activities, `.sync` and `.waitForTaskToken` never reach here: an EXPRESS definition that
//!   uses them does not validate.

mod arn;
mod error;
mod history_log;
mod launch;
mod options;
mod recovery;
mod run;
mod runtime;
mod standard_machines;

pub use arn::is_execution_arn;
pub use error::Error;
pub use history_log::TARGET as LOG_TARGET;
pub use options::{DURATION_SECONDS_MAX, ExpressOptions, LogLevel};
pub use runtime::{Handle, Started, SyncOutcome};
