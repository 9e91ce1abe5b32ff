//! `States.ArrayPartition`, `ArrayContains`, `ArrayRange`, `ArrayGetItem`, `ArrayLength` and
//! `ArrayUnique`. (`States.Array` needs no code of its own.)

use std::collections::HashSet;

use serde_json::Value;

use crate::error::Failure;
use crate::intrinsic::args::Args;

/// The most elements `States.ArrayRange` may produce (AWS documents 1000).
const RANGE_MAX_ITEMS: i128 = 1000;

/// Chunks of `size` elements; the last may be shorter.
pub(super) fn partition(args: &Args<'_>) -> Result<Value, Failure> {
    let items = args.array(0)?;
    let size = args.integer(1)?;
    let Ok(size) = usize::try_from(size) else {
        return Err(args.invalid(1, "a positive integer"));
    };
    if size == 0 {
        return Err(args.invalid(1, "a positive integer"));
    }
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect(),
    ))
}

/// Whether the array holds a value equal to the second argument.
pub(super) fn contains(args: &Args<'_>) -> Result<Value, Failure> {
    let items = args.array(0)?;
    let needle = args.value(1)?;
    Ok(Value::Bool(items.iter().any(|item| item == needle)))
}

/// `start`, `start + step`, … up to and including `end` when the steps land on it.
pub(super) fn range(args: &Args<'_>) -> Result<Value, Failure> {
    let start = args.integer(0)?;
    let end = args.integer(1)?;
    let step = args.integer(2)?;
    if step == 0 {
        return Err(args.invalid(2, "a non-zero integer"));
    }
    let (start_w, end_w, step_w) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        (end_w - start_w) / step_w + 1
    };
    if count > RANGE_MAX_ITEMS {
        return Err(args.fail(format!(
            "the range would have {count} elements, more than the {RANGE_MAX_ITEMS} allowed"
        )));
    }
    let items = (0..count).map(|i| Value::from(i64::try_from(start_w + i * step_w).unwrap_or(0)));
    Ok(Value::Array(items.collect()))
}

pub(super) fn get_item(args: &Args<'_>) -> Result<Value, Failure> {
    let items = args.array(0)?;
    let index = args.integer(1)?;
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| {
            args.fail(format!(
                "index {index} is out of bounds for an array of length {}",
                items.len()
            ))
        })
}

pub(super) fn length(args: &Args<'_>) -> Result<Value, Failure> {
    Ok(Value::from(args.array(0)?.len()))
}

/// Removes repeated values, keeping the first occurrence of each.
pub(super) fn unique(args: &Args<'_>) -> Result<Value, Failure> {
    let items = args.array(0)?;
    let mut seen = HashSet::with_capacity(items.len());
    let kept = items
        .iter()
        .filter(|item| seen.insert(canonical(item)))
        .cloned()
        .collect();
    Ok(Value::Array(kept))
}

/// A text that two values share exactly when they are equal as JSON values: object members
/// sorted, numbers as written (so `1` and `1.0` stay distinct, as Java's JSON nodes keep them).
fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (key, item) in entries {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
