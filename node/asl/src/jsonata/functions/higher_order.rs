//! `$map`, `$filter`, `$single` and `$reduce`.

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::value::{Value, is_truthy};

/// The callback arguments JSONata offers: the item, its index and the whole array.
fn candidates(item: &Value, index: usize, array: &Value) -> Vec<Value> {
    vec![item.clone(), Value::Number(index as f64), array.clone()]
}

pub(super) fn map(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let array = arg(&args, 0).clone();
    let Some(items) = array.as_items() else {
        return Ok(Value::Undefined);
    };
    let function = arg(&args, 1);
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let value = ev.callback(function, candidates(item, index, &array))?;
        if !value.is_undefined() {
            results.push(value);
        }
    }
    Ok(Value::sequence(results))
}

pub(super) fn filter(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let array = arg(&args, 0).clone();
    let Some(items) = array.as_items() else {
        return Ok(Value::Undefined);
    };
    let function = arg(&args, 1);
    let mut results = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if is_truthy(&ev.callback(function, candidates(item, index, &array))?)? {
            results.push(item.clone());
        }
    }
    Ok(Value::sequence(results))
}

/// `$single`: the one item matching the function (or the only item), else D3138/D3139.
pub(super) fn single(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let array = arg(&args, 0).clone();
    let Some(items) = array.as_items() else {
        return Ok(Value::Undefined);
    };
    let function = arg(&args, 1);
    let mut found: Option<Value> = None;
    for (index, item) in items.iter().enumerate() {
        let matches = function.is_undefined()
            || is_truthy(&ev.callback(function, candidates(item, index, &array))?)?;
        if matches {
            if found.is_some() {
                return Err(Thrown::new("D3138").index(index));
            }
            found = Some(item.clone());
        }
    }
    found.ok_or_else(|| Thrown::new("D3139"))
}

/// `$reduce`: folds from the left; without an initial value the first item starts it.
pub(super) fn reduce(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let array = arg(&args, 0).clone();
    let Some(items) = array.as_items() else {
        return Ok(Value::Undefined);
    };
    let function = arg(&args, 1);
    let arity = match function {
        Value::Function(f) => f.arity(),
        _ => 0,
    };
    if arity < 2 {
        return Err(Thrown::new("D3050").index(1));
    }
    let initial = arg(&args, 2);
    let (mut accumulator, start) = if initial.is_undefined() && !items.is_empty() {
        (items[0].clone(), 1)
    } else {
        (initial.clone(), 0)
    };
    for (index, item) in items.iter().enumerate().skip(start) {
        let mut call_args = vec![accumulator, item.clone()];
        if arity >= 3 {
            call_args.push(Value::Number(index as f64));
        }
        if arity >= 4 {
            call_args.push(array.clone());
        }
        accumulator = ev.apply(function, call_args, &Value::Null)?;
    }
    Ok(accumulator)
}
