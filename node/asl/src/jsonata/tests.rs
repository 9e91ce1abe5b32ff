//! Behaviour tests for the whole evaluator, through the public API.

mod api;
mod language;
mod limits;
mod robustness;
mod step_functions;
