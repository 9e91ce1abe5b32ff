//! Work that Task states hand to the world outside the interpreter: activity queues, task
//! tokens and built-in integrations.

pub mod activities;
pub mod integrations;
pub mod token;
