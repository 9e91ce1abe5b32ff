//! Behaviour tests for the whole evaluator, through the public API.

mod api;
mod limits;
