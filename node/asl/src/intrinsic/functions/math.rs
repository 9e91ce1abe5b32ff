//! `States.MathRandom` and `States.MathAdd`.

use serde_json::Value;

use crate::error::Failure;
use crate::intrinsic::args::Args;
use crate::rand::Rng;

/// A random integer from `start` (inclusive) to `end` (exclusive), as AWS documents it. With a
/// seed the value depends on nothing but the seed and the bounds, so the same call gives the
/// same number; without one it comes from the caller's generator.
pub(super) fn random(args: &Args<'_>, rng: &mut Rng) -> Result<Value, Failure> {
    let start = args.integer(0)?;
    let end = args.integer(1)?;
    if start >= end {
        return Err(args.fail(format!(
            "the start ({start}) must be less than the end ({end})"
        )));
    }
    let high = end - 1;
    let value = if args.len() > 2 {
        let seed = args.integer(2)?;
        // Spread nearby seeds apart before the first draw.
        Rng::new((seed as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).range_inclusive(start, high)
    } else {
        rng.range_inclusive(start, high)
    };
    Ok(Value::from(value))
}

/// The sum of two integers in Java's `int` range (non-integers are rounded first).
pub(super) fn add(args: &Args<'_>) -> Result<Value, Failure> {
    let a = args.int32(0)?;
    let b = args.int32(1)?;
    Ok(Value::from(a + b))
}
