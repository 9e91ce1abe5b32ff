//! Applies steps to a document the way Jayway JsonPath reads it.
//!
//! A definite path (every step selects at most one node) yields that node, or fails with the
//! message Jayway's `PathNotFoundException` carries, which AWS repeats in its causes
//! (`No results for path: $['NoSuchOutputPath']`, `Missing property in path $['no']`). An
//! indefinite path never fails: it gathers its matches, in document order, into an array, and
//! an array of none when nothing matches (recorded in the
//! base/test_json_path_array_wildcard_or_slice_with_no_input cases, where Jayway itself would
//! have thrown for a missing `$.items` before `[*]`).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::ast::{Function, Step, render};
use super::java;
use super::predicate;

/// True when the steps select at most one node, or end in a function (which turns whatever
/// came before into one value).
pub(crate) fn is_definite(steps: &[Step]) -> bool {
    if matches!(steps.last(), Some(Step::Function(_))) {
        return true;
    }
    let last = steps.len().saturating_sub(1);
    steps
        .iter()
        .enumerate()
        .all(|(i, step)| step.is_definite(i == last))
}

/// Reads `steps` from `doc`; `root` is what `$` means inside filters.
pub(crate) fn read(steps: &[Step], root: &Value, doc: &Value) -> Result<Value, String> {
    if let Some((Step::Function(function), prefix)) = steps.split_last()
        && !is_definite(prefix)
    {
        let matches = select_all(prefix, root, doc);
        let gathered = Value::Array(matches.into_iter().map(Cow::into_owned).collect());
        return apply_function(*function, &gathered);
    }
    if is_definite(steps) {
        read_definite(steps, root, doc).map(Cow::into_owned)
    } else {
        let matches = select_all(steps, root, doc);
        Ok(Value::Array(
            matches.into_iter().map(Cow::into_owned).collect(),
        ))
    }
}

/// Follows a definite path, failing with Jayway's messages.
pub(crate) fn read_definite<'a>(
    steps: &[Step],
    root: &Value,
    doc: &'a Value,
) -> Result<Cow<'a, Value>, String> {
    let no_results = || format!("No results for path: {}", render(steps));
    let mut current: Cow<'a, Value> = Cow::Borrowed(doc);
    let mut path = String::from("$");
    for (i, step) in steps.iter().enumerate() {
        let is_last = i + 1 == steps.len();
        match step {
            Step::Property { names, .. } => {
                let Value::Object(map) = current.as_ref() else {
                    return Err(format!(
                        "Expected to find an object with property {} in path {path} but found \
                         '{}'. This is not a json object according to the JsonProvider: '{}'.",
                        step.fragment(),
                        java::class_name(&current),
                        java::JSON_PROVIDER,
                    ));
                };
                if names.len() > 1 {
                    // Only reachable as the last step: Jayway merges the named properties.
                    current = Cow::Owned(merge_properties(map, names));
                } else {
                    let name = &names[0];
                    path.push_str(&step.fragment());
                    if !map.contains_key(name) {
                        return Err(if is_last {
                            no_results()
                        } else {
                            format!("Missing property in path {path}")
                        });
                    }
                    current = descend(current, |v| v.get(name)).ok_or_else(no_results)?;
                }
            }
            Step::Index(_) | Step::FromEnd(_) => {
                let len = match current.as_ref() {
                    Value::Array(items) => items.len(),
                    Value::Null => return Err(format!("The path {path} is null")),
                    other => {
                        return Err(format!(
                            "Filter: {} can only be applied to arrays. Current context is: {}",
                            render(&steps[i..]).trim_start_matches('$'),
                            java::to_string(other),
                        ));
                    }
                };
                let index = match step {
                    Step::Index(indexes) => resolve_index(indexes[0], len),
                    Step::FromEnd(n) => resolve_index(n.saturating_neg(), len),
                    _ => None,
                };
                path.push_str(&step.fragment());
                let Some(index) = index else {
                    return Err(no_results());
                };
                current = descend(current, |v| v.get(index)).ok_or_else(no_results)?;
            }
            Step::Function(function) => {
                current = Cow::Owned(apply_function(*function, &current)?);
            }
            // Not reachable for a definite path; treated as gathering steps for safety.
            Step::Slice { .. } | Step::Wildcard | Step::Scan(_) | Step::Filter(_) => {
                let rest = select_all(&steps[i..], root, &current);
                return Ok(Cow::Owned(Value::Array(
                    rest.into_iter().map(Cow::into_owned).collect(),
                )));
            }
        }
    }
    Ok(current)
}

/// Moves from a node to one of its children, borrowing when the node is borrowed.
fn descend<'a>(
    current: Cow<'a, Value>,
    pick: impl for<'x> FnOnce(&'x Value) -> Option<&'x Value>,
) -> Option<Cow<'a, Value>> {
    match current {
        Cow::Borrowed(v) => pick(v).map(Cow::Borrowed),
        Cow::Owned(v) => pick(&v).cloned().map(Cow::Owned),
    }
}

/// Jayway's index rule: negative indexes count from the end; out of range selects nothing.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let effective = if index < 0 {
        len.checked_add(index)?
    } else {
        index
    };
    (0..len)
        .contains(&effective)
        .then(|| usize::try_from(effective).ok())
        .flatten()
}

/// `['a','b']` as the last step: an object with those of the properties that exist.
fn merge_properties(map: &Map<String, Value>, names: &[String]) -> Value {
    let mut merged = Map::new();
    for name in names {
        if let Some(value) = map.get(name) {
            merged.insert(name.clone(), value.clone());
        }
    }
    Value::Object(merged)
}

/// Every node the steps select, in document order; never fails.
pub(crate) fn select_all<'a>(steps: &[Step], root: &Value, doc: &'a Value) -> Vec<Cow<'a, Value>> {
    let mut current: Vec<Cow<'a, Value>> = vec![Cow::Borrowed(doc)];
    for (i, step) in steps.iter().enumerate() {
        let is_last = i + 1 == steps.len();
        if let Step::Function(function) = step {
            let gathered = Value::Array(current.into_iter().map(Cow::into_owned).collect());
            return apply_function(*function, &gathered)
                .map(Cow::Owned)
                .into_iter()
                .collect();
        }
        let mut next = Vec::new();
        for node in current {
            match node {
                Cow::Borrowed(v) => next.extend(step_matches(step, is_last, root, v)),
                Cow::Owned(v) => next.extend(
                    step_matches(step, is_last, root, &v)
                        .into_iter()
                        .map(|m| Cow::Owned(m.into_owned())),
                ),
            }
        }
        if next.is_empty() {
            return next;
        }
        current = next;
    }
    current
}

/// What one step selects from one node, leniently: mismatched types select nothing.
fn step_matches<'v>(
    step: &Step,
    is_last: bool,
    root: &Value,
    node: &'v Value,
) -> Vec<Cow<'v, Value>> {
    let mut out = Vec::new();
    match step {
        Step::Property { names, .. } => {
            if let Value::Object(map) = node {
                if names.len() > 1 && is_last {
                    out.push(Cow::Owned(merge_properties(map, names)));
                } else {
                    out.extend(names.iter().filter_map(|n| map.get(n)).map(Cow::Borrowed));
                }
            }
        }
        Step::Index(indexes) => {
            if let Value::Array(items) = node {
                for &index in indexes {
                    if let Some(i) = resolve_index(index, items.len()) {
                        out.push(Cow::Borrowed(&items[i]));
                    }
                }
            }
        }
        Step::FromEnd(n) => {
            if let Value::Array(items) = node
                && let Some(i) = resolve_index(n.saturating_neg(), items.len())
            {
                out.push(Cow::Borrowed(&items[i]));
            }
        }
        Step::Slice { start, end, step } => {
            if let Value::Array(items) = node {
                let picked = slice_indexes(items.len(), *start, *end, *step);
                out.extend(picked.into_iter().map(|i| Cow::Borrowed(&items[i])));
            }
        }
        Step::Wildcard => match node {
            Value::Object(map) => out.extend(map.values().map(Cow::Borrowed)),
            Value::Array(items) => out.extend(items.iter().map(Cow::Borrowed)),
            _ => {}
        },
        Step::Filter(expr) => match node {
            // AWS: "The @ operator … does not match scalar values. It only matches objects."
            Value::Array(items) => out.extend(
                items
                    .iter()
                    .filter(|item| item.is_object() && predicate::test(expr, item, root))
                    .map(Cow::Borrowed),
            ),
            // Jayway applies a filter to an object by testing the object itself.
            Value::Object(_) if predicate::test(expr, node, root) => out.push(Cow::Borrowed(node)),
            _ => {}
        },
        Step::Scan(inner) => scan(inner, is_last, root, node, &mut out),
        Step::Function(_) => {}
    }
    out
}

/// `..`: applies `inner` to `node` and to every container below it, depth first, parents
/// before children (Jayway's walk order). Iterative, so deep documents cannot exhaust the stack.
fn scan<'v>(
    inner: &Step,
    is_last: bool,
    root: &Value,
    node: &'v Value,
    out: &mut Vec<Cow<'v, Value>>,
) {
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        match inner {
            // Jayway's scan tests a filter against each object it walks past, not its elements.
            Step::Filter(expr) => {
                if current.is_object() && predicate::test(expr, current, root) {
                    out.push(Cow::Borrowed(current));
                }
            }
            _ => out.extend(step_matches(inner, is_last, root, current)),
        }
        match current {
            Value::Object(map) => stack.extend(map.values().rev().filter(|v| is_container(v))),
            Value::Array(items) => stack.extend(items.iter().rev().filter(|v| is_container(v))),
            _ => {}
        }
    }
}

fn is_container(value: &Value) -> bool {
    value.is_object() || value.is_array()
}

/// The indexes a slice selects, with Python's rules for negative and out-of-range bounds.
fn slice_indexes(
    len: usize,
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
) -> Vec<usize> {
    let Ok(len) = i64::try_from(len) else {
        return Vec::new();
    };
    let step = step.unwrap_or(1);
    let clamp = |bound: i64, low: i64, high: i64| {
        let b = if bound < 0 {
            bound.saturating_add(len)
        } else {
            bound
        };
        b.clamp(low, high)
    };
    let mut picked = Vec::new();
    if step > 0 {
        let from = start.map_or(0, |s| clamp(s, 0, len));
        let to = end.map_or(len, |e| clamp(e, 0, len));
        let mut i = from;
        while i < to {
            picked.extend(usize::try_from(i).ok());
            i = i.saturating_add(step);
        }
    } else if step < 0 {
        let from = start.map_or(len - 1, |s| clamp(s, -1, len - 1));
        let to = end.map_or(-1, |e| clamp(e, -1, len - 1));
        let mut i = from;
        while i > to {
            picked.extend(usize::try_from(i).ok());
            i = i.saturating_add(step);
        }
    }
    picked
}

/// Jayway's path functions. Aggregations return doubles, as Jayway's do.
pub(crate) fn apply_function(function: Function, value: &Value) -> Result<Value, String> {
    let unsupported = || {
        format!(
            "Invalid function: {}() cannot be applied to {}",
            function.name(),
            java::to_string(value)
        )
    };
    match function {
        Function::Length => match value {
            Value::Array(items) => Ok(Value::from(items.len())),
            Value::Object(map) => Ok(Value::from(map.len())),
            Value::String(s) => Ok(Value::from(s.encode_utf16().count())),
            _ => Err(unsupported()),
        },
        Function::Keys => match value {
            Value::Object(map) => Ok(Value::Array(
                map.keys().cloned().map(Value::String).collect(),
            )),
            _ => Err(unsupported()),
        },
        Function::First | Function::Last => {
            let Value::Array(items) = value else {
                return Err(unsupported());
            };
            let item = if function == Function::First {
                items.first()
            } else {
                items.last()
            };
            item.cloned().ok_or_else(unsupported)
        }
        Function::Min | Function::Max | Function::Avg | Function::Sum | Function::StdDev => {
            let Value::Array(items) = value else {
                return Err(unsupported());
            };
            let numbers: Vec<f64> = items.iter().filter_map(Value::as_f64).collect();
            if numbers.is_empty() {
                return Err(
                    "Aggregation function attempted to calculate value using empty array"
                        .to_string(),
                );
            }
            let n = numbers.len() as f64;
            let sum: f64 = numbers.iter().sum();
            let result = match function {
                Function::Min => numbers.iter().copied().fold(f64::INFINITY, f64::min),
                Function::Max => numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Function::Sum => sum,
                Function::Avg => sum / n,
                _ => {
                    let mean = sum / n;
                    (numbers.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
                }
            };
            serde_json::Number::from_f64(result)
                .map(Value::Number)
                .ok_or_else(unsupported)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_python_bounds() {
        assert_eq!(slice_indexes(5, Some(1), None, None), vec![1, 2, 3, 4]);
        assert_eq!(slice_indexes(5, None, Some(2), None), vec![0, 1]);
        assert_eq!(slice_indexes(5, Some(-2), None, None), vec![3, 4]);
        assert_eq!(slice_indexes(5, None, Some(-1), None), vec![0, 1, 2, 3]);
        assert_eq!(slice_indexes(5, Some(1), Some(100), Some(2)), vec![1, 3]);
        assert_eq!(slice_indexes(5, None, None, Some(-2)), vec![4, 2, 0]);
        assert_eq!(
            slice_indexes(0, Some(1), Some(5), None),
            Vec::<usize>::new()
        );
        assert_eq!(
            slice_indexes(3, Some(i64::MIN), Some(i64::MAX), Some(i64::MAX)),
            vec![0]
        );
    }

    #[test]
    fn negative_indexes_count_from_the_end() {
        assert_eq!(resolve_index(-1, 3), Some(2));
        assert_eq!(resolve_index(-4, 3), None);
        assert_eq!(resolve_index(3, 3), None);
        assert_eq!(resolve_index(i64::MIN, 3), None);
    }
}
