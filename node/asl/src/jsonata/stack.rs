//! A guard against running out of native stack.
//!
//! Recursion depth alone is a poor proxy for stack use: one level of the evaluator takes a few
//! hundred bytes in a release build and several kilobytes in a debug build, and callers run us
//! on threads with as little as 2 MiB of stack (tokio's default). So each evaluation records
//! the stack address where it starts, and every recursive step compares the current address
//! with it; past the budget it fails with JSONata's stack overflow error (`U1001`) instead of
//! crashing the process.

use std::cell::Cell;

use super::errors::{Result, STACK_OVERFLOW, with_message};

thread_local! {
    /// The address where the outermost active evaluation started, and its budget in bytes.
    static LIMIT: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Stack use allowed by default: half of the smallest thread stack we expect to run on.
pub(crate) const DEFAULT_BUDGET_BYTES: usize = 1024 * 1024;

/// Marks the start of an evaluation; the previous limit comes back when this is dropped.
pub(crate) struct Scope {
    previous: Option<(usize, usize)>,
}

pub(crate) fn enter(budget_bytes: usize) -> Scope {
    let previous = LIMIT.with(Cell::get);
    // A nested evaluation keeps the outer base: the budget covers the whole thread's use.
    let limit = match previous {
        Some((base, budget)) => (base, budget.min(budget_bytes)),
        None => (current_address(), budget_bytes),
    };
    LIMIT.with(|cell| cell.set(Some(limit)));
    Scope { previous }
}

impl Drop for Scope {
    fn drop(&mut self) {
        LIMIT.with(|cell| cell.set(self.previous));
    }
}

/// Fails with `U1001` when the current evaluation has used more stack than its budget.
#[inline]
pub(crate) fn check() -> Result<()> {
    match LIMIT.with(Cell::get) {
        Some((base, budget)) if base.abs_diff(current_address()) > budget => {
            Err(with_message("U1001", STACK_OVERFLOW))
        }
        _ => Ok(()),
    }
}

#[inline(always)]
fn current_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recurse(levels: usize) -> Result<usize> {
        check()?;
        let padding = std::hint::black_box([0u8; 256]);
        if levels == 0 {
            return Ok(padding[0] as usize);
        }
        Ok(recurse(levels - 1)? + padding[1] as usize)
    }

    #[test]
    fn deep_recursion_fails_cleanly_within_the_budget() {
        let _scope = enter(64 * 1024);
        let err = recurse(100_000).unwrap_err();
        assert_eq!(err.code, "U1001");
        assert!(recurse(10).is_ok());
    }

    #[test]
    fn no_limit_outside_an_evaluation() {
        assert!(check().is_ok());
    }
}
