//! Cairn's client library.
//!
//! - [`conformance`]: loading recorded conformance cases and running them, in-process today.
//! - [`local`]: helpers for running definitions in-process (what `cairn run` does).

pub mod conformance;
pub mod local;
