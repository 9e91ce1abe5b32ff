//! `asl`: the deterministic core of Cairn.
//!
//! Everything that gives the Amazon States Language its meaning lives here, and nothing else:
//! no clock, no randomness source, no I/O, no async runtime. The shard leader (or the local
//! runner) feeds the [`interpreter`] an execution state, an event, the current time and a seed,
//! and gets back history events, the new state and the effects to perform.
//!
//! Layout, from the leaves up:
//! - [`time`], [`rand`], [`error`], [`scope`]: the small vocabulary everything shares;
//! - [`path`]: Step Functions JSONPath (paths and reference paths);
//! - [`intrinsic`]: the `States.*` intrinsic functions;
//! - [`template`]: payload templates (`"key.$": …`);
//! - [`jsonata`]: a JSONata 2.0 evaluator with the functions AWS adds;
//! - [`definition`]: the typed state machine model, its parser and validator;
//! - [`interpreter`]: executions, one pure transition at a time;
//! - [`local`]: runs an execution to its end in-process, with a virtual clock and mocks.

pub mod definition;
pub mod error;
pub mod interpreter;
pub mod intrinsic;
pub mod jsonata;
pub mod local;
pub mod path;
pub mod rand;
pub mod scope;
pub mod template;
pub mod time;

pub use error::Failure;
pub use rand::Rng;
pub use scope::{Scope, VariableLookup};
pub use time::Timestamp;
