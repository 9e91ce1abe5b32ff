//! What can stop an Express execution from being started or finished, in terms a client can
//! act on. Workflow failures are not errors here: they are the execution's outcome.

/// Why an Express start was refused or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Resolving the state machine, name or input failed as for any start.
    #[error(transparent)]
    Start(#[from] crate::shard::Error),
    #[error(
        "{0} is a STANDARD state machine; StartSyncExecution runs EXPRESS state machines only: \
         start it with StartExecution"
    )]
    StandardMachine(String),
    #[error(
        "{0} is an EXPRESS state machine; its executions cannot be listed: their history goes \
         to the node's log"
    )]
    ExpressMachine(String),
    #[error(
        "Invalid Arn: 'Resource type not valid in this context: express' ({0}): Express \
         executions cannot be described, stopped or read back; their history goes to the node's log"
    )]
    ExpressExecutionArn(String),
    #[error(
        "this node already runs {running_max} Express executions (express.running-max); retry \
         later with backoff"
    )]
    Throttled { running_max: usize },
    #[error("the definition of {arn} no longer parses: {problems}")]
    InvalidDefinition { arn: String, problems: String },
    #[error("the Express start could not be recorded, so it was not accepted: {0}")]
    Journal(#[from] crate::storage::Error),
    #[error("the node is shutting down; the Express execution did not finish")]
    ShuttingDown,
}
