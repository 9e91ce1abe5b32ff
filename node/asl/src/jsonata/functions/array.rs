//! Array functions.

use std::collections::HashSet;

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::{Evaluator, merge_sort};
use crate::jsonata::value::{Value, append as append_values, compare_strings, deep_equal};

pub(super) fn count(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(Value::Number(match arg(&args, 0) {
        Value::Undefined => 0.0,
        Value::Array(items, _) => items.len() as f64,
        _ => 1.0,
    }))
}

pub(super) fn append(ev: &mut Evaluator<'_, '_>, mut args: Vec<Value>, _: &Value) -> Result<Value> {
    args.resize(2, Value::Undefined);
    let second = args.pop().unwrap_or_default();
    let first = args.pop().unwrap_or_default();
    let size =
        first.as_items().map_or(1, <[Value]>::len) + second.as_items().map_or(1, <[Value]>::len);
    ev.charge(size as u64)?;
    Ok(append_values(first, second))
}

pub(super) fn reverse(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    match value.as_items() {
        Some(items) if items.len() > 1 => Ok(Value::array(items.iter().rev().cloned().collect())),
        _ => Ok(value.clone()),
    }
}

/// Fisher–Yates ("inside-out"), drawing from the evaluation's seeded generator.
pub(super) fn shuffle(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    let Some(items) = value.as_items().filter(|items| items.len() > 1) else {
        return Ok(value.clone());
    };
    let mut result: Vec<Value> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let j = (ev.env.rng.next_f64() * (i + 1) as f64).floor() as usize;
        if j == i {
            result.push(item.clone());
        } else {
            let displaced = std::mem::replace(&mut result[j], item.clone());
            result.push(displaced);
        }
    }
    Ok(Value::array(result))
}

/// `$distinct`: the first of each group of deep-equal items, in order.
pub(super) fn distinct(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    let Some(items) = value.as_items().filter(|items| items.len() > 1) else {
        return Ok(value.clone());
    };
    let mut seen_scalars: HashSet<String> = HashSet::new();
    let mut seen_containers: Vec<Value> = Vec::new();
    let mut result = Vec::new();
    for item in items {
        let new = match scalar_key(item) {
            Some(key) => seen_scalars.insert(key),
            None => {
                let mut found = false;
                for seen in &seen_containers {
                    ev.charge(1)?;
                    if deep_equal(seen, item)? {
                        found = true;
                        break;
                    }
                }
                if !found {
                    seen_containers.push(item.clone());
                }
                !found
            }
        };
        if new {
            result.push(item.clone());
        }
    }
    Ok(if value.is_sequence() {
        Value::sequence(result)
    } else {
        Value::array(result)
    })
}

/// A key under which deep-equal scalars coincide (NaN equals nothing, so it gets none).
fn scalar_key(value: &Value) -> Option<String> {
    Some(match value {
        Value::Undefined => "u".into(),
        Value::Null => "l".into(),
        Value::Bool(b) => format!("b{b}"),
        Value::Number(n) if n.is_nan() => return None,
        Value::Number(n) => format!("n{}", if *n == 0.0 { 0.0 } else { *n }),
        Value::String(s) => format!("s{s}"),
        _ => return None,
    })
}

/// `$zip`: the i-th items of every array, up to the shortest.
pub(super) fn zip(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let arrays: Vec<Vec<Value>> = args.iter().map(Value::to_items).collect();
    let length = arrays.iter().map(Vec::len).min().unwrap_or(0);
    ev.charge((length * arrays.len()) as u64)?;
    let tuples = (0..length)
        .map(|i| Value::array(arrays.iter().map(|array| array[i].clone()).collect()))
        .collect();
    Ok(Value::array(tuples))
}

/// `$sort`: numbers or strings in ascending order, or by a comparator `function($a, $b)`
/// that returns true when `$a` belongs after `$b`.
pub(super) fn sort(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    let Some(items) = value.as_items() else {
        return Ok(value.clone());
    };
    if items.len() <= 1 {
        return Ok(value.clone());
    }
    let items = items.to_vec();
    let comparator = arg(&args, 1).clone();
    let sorted = if comparator.is_undefined() {
        let all_numbers = items
            .iter()
            .all(|i| matches!(i, Value::Number(n) if !n.is_nan()));
        let all_strings = items.iter().all(|i| matches!(i, Value::String(_)));
        for item in &items {
            item.numeric()?;
        }
        if !all_numbers && !all_strings {
            return Err(Thrown::new("D3070").index(1));
        }
        merge_sort(items, &mut |a, b| {
            Ok(match (a, b) {
                (Value::Number(x), Value::Number(y)) => x > y,
                (Value::String(x), Value::String(y)) => compare_strings(x, y).is_gt(),
                _ => false,
            })
        })?
    } else {
        merge_sort(items, &mut |a, b| {
            ev.charge(1)?;
            Ok(ev
                .apply(&comparator, vec![a.clone(), b.clone()], &Value::Null)?
                .is_js_truthy())
        })?
    };
    Ok(Value::array(sorted))
}
