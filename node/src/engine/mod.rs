//! Between the interpreter and storage: turning an interpreter step into the storage
//! [`Transition`](cairn_proto::storage::Transition) a shard proposes, and back.
//!
//! Nothing here performs I/O or reads a clock: the shard actor passes everything in.

mod definitions;
mod record;
mod transition;

pub use definitions::{DefinitionCache, definition_hash};
pub use record::{ExecutionView, interpreter_state, record_status};
pub use transition::{StepContext, build_transition, stored_event};
