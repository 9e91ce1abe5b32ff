//! Iterative dropping of nested values and scopes.
//!
//! An expression can build structures nested a million levels deep (a list inside a list,
//! or a closure whose scope holds another closure) in a loop. Dropping such a structure the
//! ordinary way recurses once per level and overflows the stack. Containers and scopes
//! therefore hand their children here: the first drop on a thread drains a queue in a loop,
//! and any drop that happens meanwhile adds to the queue instead of recursing.

use std::cell::RefCell;
use std::rc::Rc;

use super::frame::Frame;
use super::value::Value;

enum Garbage {
    Values(Vec<Value>),
    Frame(Rc<Frame>),
}

thread_local! {
    static QUEUE: RefCell<Option<Vec<Garbage>>> = const { RefCell::new(None) };
}

pub(crate) fn defer_values(values: Vec<Value>) {
    defer(Garbage::Values(values));
}

pub(crate) fn defer_frame(frame: Rc<Frame>) {
    defer(Garbage::Frame(frame));
}

fn defer(garbage: Garbage) {
    let first = QUEUE.with(|queue| match queue.borrow_mut().as_mut() {
        Some(pending) => {
            pending.push(garbage);
            None
        }
        None => Some(garbage),
    });
    let Some(first) = first else { return };
    QUEUE.with(|queue| *queue.borrow_mut() = Some(vec![first]));
    // Should a drop panic, the next drop on this thread must start afresh.
    let _reset = Reset;
    loop {
        let next = QUEUE.with(|queue| queue.borrow_mut().as_mut().and_then(Vec::pop));
        match next {
            // Dropped outside the borrow: whatever it owns joins the queue.
            Some(Garbage::Values(mut values)) => {
                while let Some(value) = values.pop() {
                    drop(value);
                }
            }
            Some(Garbage::Frame(frame)) => drop(frame),
            None => break,
        }
    }
}

/// Marks the end of a drain, however it ends.
struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        let rest = QUEUE.with(|queue| queue.borrow_mut().take());
        // Whatever is left (only after a panic) is dropped the ordinary way.
        drop(rest);
    }
}
