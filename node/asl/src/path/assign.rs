//! Writing a value at a Reference Path: the `ResultPath` operation.
//!
//! `$` replaces the whole document. Otherwise the path is walked from the root: missing object
//! members are created as empty objects, an existing array element may be replaced, and the
//! walk fails when it meets anything that is not an object (or, for an index, an array with
//! that element), e.g. a string input under `ResultPath: "$.x"`.

use serde_json::{Map, Value};

use super::ast::Step;

/// Why the walk cannot be applied, checked before anything is changed so that a failed
/// assignment leaves the target as it was.
fn check(steps: &[Step], target: &Value) -> bool {
    let mut node = Some(target);
    for step in steps {
        match (step, node) {
            // Below a member that does not exist yet: only names can be created.
            (Step::Property { names, .. }, None) if names.len() == 1 => {}
            (Step::Property { names, .. }, Some(Value::Object(map))) if names.len() == 1 => {
                node = map.get(&names[0]);
            }
            (Step::Index(indexes), Some(Value::Array(items))) if indexes.len() == 1 => {
                let Some(index) = index_of(indexes[0], items.len()) else {
                    return false;
                };
                node = items.get(index);
            }
            _ => return false,
        }
    }
    true
}

/// Writes `value` at `steps` inside `target`; `false` (with `target` untouched) when the path
/// cannot be applied to it.
pub(crate) fn assign(steps: &[Step], target: &mut Value, value: Value) -> bool {
    if !check(steps, target) {
        return false;
    }
    let mut node = target;
    let Some((last, parents)) = steps.split_last() else {
        *node = value;
        return true;
    };
    for step in parents {
        node = match (step, node) {
            (Step::Property { names, .. }, Value::Object(map)) => map
                .entry(names[0].clone())
                .or_insert_with(|| Value::Object(Map::new())),
            (Step::Index(indexes), Value::Array(items)) => {
                match index_of(indexes[0], items.len()).and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    match (last, node) {
        (Step::Property { names, .. }, Value::Object(map)) => {
            map.insert(names[0].clone(), value);
            true
        }
        (Step::Index(indexes), Value::Array(items)) => {
            match index_of(indexes[0], items.len()).and_then(|i| items.get_mut(i)) {
                Some(item) => {
                    *item = value;
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

/// Negative indexes count from the end, as they do when reading.
fn index_of(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let effective = if index < 0 {
        len.checked_add(index)?
    } else {
        index
    };
    if (0..len).contains(&effective) {
        usize::try_from(effective).ok()
    } else {
        None
    }
}
