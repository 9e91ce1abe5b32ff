//! Object functions, the boolean functions, `$type`, `$error`, `$assert` and `$clone`.

use std::sync::Arc;

use indexmap::IndexSet;

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::{Evaluator, lookup as lookup_field};
use crate::jsonata::number_format::round_to_15_digits;
use crate::jsonata::stack;
use crate::jsonata::value::{Map, Value, append, is_truthy, to_boolean};

pub(super) fn keys(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let mut names: IndexSet<Arc<str>> = IndexSet::new();
    match arg(&args, 0) {
        Value::Array(items, _) => {
            for item in items.iter() {
                if let Value::Object(object) = item {
                    names.extend(object.keys().cloned());
                }
            }
        }
        Value::Object(object) => names.extend(object.keys().cloned()),
        _ => {}
    }
    Ok(Value::sequence(
        names.into_iter().map(Value::String).collect(),
    ))
}

pub(super) fn lookup(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let key = arg(&args, 1).as_str().unwrap_or("undefined");
    lookup_field(arg(&args, 0), key)
}

/// `$spread`: an object as an array of one-member objects (arrays: of all their objects).
pub(super) fn spread(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    spread_value(arg(&args, 0))
}

fn spread_value(value: &Value) -> Result<Value> {
    stack::check()?;
    Ok(match value {
        Value::Array(items, _) => {
            let mut result = Value::sequence(Vec::new());
            for item in items.iter() {
                result = append(result, spread_value(item)?);
            }
            result
        }
        Value::Object(object) => Value::sequence(
            object
                .iter()
                .map(|(key, member)| {
                    let mut single = Map::with_capacity(1);
                    single.insert(key.clone(), member.clone());
                    Value::object(single)
                })
                .collect(),
        ),
        other => other.clone(),
    })
}

pub(super) fn merge(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(items) = arg(&args, 0).as_items() else {
        return Ok(Value::Undefined);
    };
    let mut merged = Map::new();
    for item in items {
        if let Value::Object(object) = item {
            for (key, member) in object.iter() {
                merged.insert(key.clone(), member.clone());
            }
        }
    }
    Ok(Value::object(merged))
}

/// `$each`: the function's results for every member (value, key, object).
pub(super) fn each(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let object = arg(&args, 0).clone();
    let function = arg(&args, 1).clone();
    let mut results = Vec::new();
    if let Value::Object(members) = &object {
        for (key, member) in members.iter() {
            let candidates = vec![member.clone(), Value::String(key.clone()), object.clone()];
            let value = ev.callback(&function, candidates)?;
            if !value.is_undefined() {
                results.push(value);
            }
        }
    }
    Ok(Value::sequence(results))
}

/// `$sift`: the members for which the function is true; nothing if none are.
pub(super) fn sift(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let object = arg(&args, 0).clone();
    let function = arg(&args, 1).clone();
    if !function.is_function() {
        return Err(Thrown::new("T1006"));
    }
    let mut kept = Map::new();
    if let Value::Object(members) = &object {
        for (key, member) in members.iter() {
            let candidates = vec![member.clone(), Value::String(key.clone()), object.clone()];
            if is_truthy(&ev.callback(&function, candidates)?)? {
                kept.insert(key.clone(), member.clone());
            }
        }
    }
    Ok(if kept.is_empty() {
        Value::Undefined
    } else {
        Value::object(kept)
    })
}

pub(super) fn exists(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(Value::Bool(!arg(&args, 0).is_undefined()))
}

pub(super) fn boolean(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(to_boolean(arg(&args, 0))?.map_or(Value::Undefined, Value::Bool))
}

pub(super) fn not(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(to_boolean(arg(&args, 0))?.map_or(Value::Undefined, |b| Value::Bool(!b)))
}

pub(super) fn error(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let message = match arg(&args, 0).as_str() {
        Some(message) if !message.is_empty() => message.to_string(),
        _ => "$error() function evaluated".to_string(),
    };
    Err(Thrown::new("D3137").text(message))
}

pub(super) fn assert(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    if arg(&args, 0).is_js_truthy() {
        return Ok(Value::Undefined);
    }
    let message = match arg(&args, 1).as_str() {
        Some(message) if !message.is_empty() => message.to_string(),
        _ => "$assert() statement failed".to_string(),
    };
    Err(Thrown::new("D3141").text(message))
}

pub(super) fn type_of(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    // JSONata classifies NaN, which is not numeric, by falling through to "object".
    if matches!(value, Value::Number(n) if n.is_nan()) {
        return Ok(Value::string("object"));
    }
    value.numeric()?;
    Ok(value.type_name().map_or(Value::Undefined, Value::string))
}

/// `$clone`: a deep copy through JSON text, so numbers are rounded to 15 significant digits
/// and functions become empty strings, as in JSONata.
pub(super) fn clone(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    if value.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut nodes = 0;
    let copy = deep_copy(value, &mut nodes)?;
    ev.charge(nodes)?;
    Ok(copy)
}

fn deep_copy(value: &Value, nodes: &mut u64) -> Result<Value> {
    stack::check()?;
    *nodes += 1;
    Ok(match value {
        Value::Undefined => Value::Undefined,
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => match value.numeric()? {
            Some(_) => Value::Number(round_to_15_digits(*n)),
            None => Value::Null,
        },
        Value::String(s) => Value::String(s.clone()),
        Value::Function(_) => Value::string(""),
        Value::Array(items, _) => Value::array(
            items
                .iter()
                .map(|item| {
                    Ok(match deep_copy(item, nodes)? {
                        Value::Undefined => Value::Null,
                        copy => copy,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        ),
        Value::Tuples(tuples) => Value::array(
            tuples
                .iter()
                .map(|t| deep_copy(&t.focus, nodes))
                .collect::<Result<Vec<_>>>()?,
        ),
        Value::Object(object) => {
            let mut copy = Map::with_capacity(object.len());
            for (key, member) in object.iter() {
                let member = deep_copy(member, nodes)?;
                if !member.is_undefined() {
                    copy.insert(key.clone(), member);
                }
            }
            Value::object(copy)
        }
    })
}
