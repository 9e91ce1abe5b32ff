//! The typed state machine model, its parser and validator.
