//! Evaluates filter expressions against one candidate node, with Jayway's comparison rules:
//! numbers compare by value (`1 == 1.0`), a numeric string equals the number it spells, a
//! missing operand makes every relation false except `!=` and `nin`.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::ast::Step;
use super::evaluate::{is_definite, read_definite, select_all};
use super::filter::{Expr, Op, Operand};

/// Whether `current` (the `@` node) passes `expr`; `root` is the `$` document.
pub(crate) fn test(expr: &Expr, current: &Value, root: &Value) -> bool {
    match expr {
        Expr::Or(a, b) => test(a, current, root) || test(b, current, root),
        Expr::And(a, b) => test(a, current, root) && test(b, current, root),
        Expr::Not(inner) => !test(inner, current, root),
        Expr::Exists(operand) => exists(operand, current, root),
        Expr::Compare { left, op, right } => compare(left, *op, right, current, root),
    }
}

fn exists(operand: &Operand, current: &Value, root: &Value) -> bool {
    let (steps, doc) = match operand {
        Operand::Current(steps) => (steps, current),
        Operand::Root(steps) => (steps, root),
        Operand::Literal(_) | Operand::Regex(_) => return true,
    };
    if is_definite(steps) {
        read_definite(steps, root, doc).is_ok()
    } else {
        !select_all(steps, root, doc).is_empty()
    }
}

/// The value of an operand; `None` when its path selects nothing.
fn value_of<'v>(
    operand: &'v Operand,
    current: &'v Value,
    root: &'v Value,
) -> Option<Cow<'v, Value>> {
    let (steps, doc): (&Vec<Step>, &'v Value) = match operand {
        Operand::Current(steps) => (steps, current),
        Operand::Root(steps) => (steps, root),
        Operand::Literal(value) => return Some(Cow::Borrowed(value)),
        Operand::Regex(_) => return None,
    };
    if is_definite(steps) {
        read_definite(steps, root, doc).ok()
    } else {
        let matches = select_all(steps, root, doc);
        Some(Cow::Owned(Value::Array(
            matches.into_iter().map(Cow::into_owned).collect(),
        )))
    }
}

fn compare(left: &Operand, op: Op, right: &Operand, current: &Value, root: &Value) -> bool {
    if op == Op::Matches {
        return regex_matches(left, right, current, root);
    }
    let l = value_of(left, current, root);
    let r = value_of(right, current, root);
    let (Some(l), Some(r)) = (l, r) else {
        return matches!(op, Op::Ne | Op::Nin);
    };
    let (l, r) = (l.as_ref(), r.as_ref());
    match op {
        Op::Eq => loosely_equal(l, r),
        Op::Ne => !loosely_equal(l, r),
        Op::Lt => order(l, r) == Some(Ordering::Less),
        Op::Le => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => order(l, r) == Some(Ordering::Greater),
        Op::Ge => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        Op::In => contains(r, l),
        Op::Nin => !contains(r, l),
        Op::Contains => match (l, r) {
            (Value::String(haystack), Value::String(needle)) => haystack.contains(needle.as_str()),
            (Value::Array(_), _) => contains(l, r),
            _ => false,
        },
        Op::SubsetOf => match (l, r) {
            (Value::Array(items), Value::Array(_)) => items.iter().all(|i| contains(r, i)),
            _ => false,
        },
        Op::AnyOf => match (l, r) {
            (Value::Array(items), Value::Array(_)) => items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        Op::NoneOf => match (l, r) {
            (Value::Array(items), Value::Array(_)) => !items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        Op::Size => {
            let size = match l {
                Value::Array(items) => items.len(),
                Value::String(s) => s.encode_utf16().count(),
                _ => return false,
            };
            r.as_f64().is_some_and(|n| n == size as f64)
        }
        Op::Empty => {
            let is_empty = match l {
                Value::Array(items) => items.is_empty(),
                Value::Object(map) => map.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => return false,
            };
            r.as_bool() == Some(is_empty)
        }
        Op::Matches => false,
    }
}

/// `=~`: one side is the pattern, the other a value Jayway turns into text.
fn regex_matches(left: &Operand, right: &Operand, current: &Value, root: &Value) -> bool {
    let (pattern, other) = match (left, right) {
        (Operand::Regex(p), other) | (other, Operand::Regex(p)) => (p, other),
        _ => return false,
    };
    let Some(value) = value_of(other, current, root) else {
        return false;
    };
    match value.as_ref() {
        Value::String(s) => pattern.regex.is_match(s),
        Value::Number(n) => pattern.regex.is_match(&n.to_string()),
        Value::Bool(b) => pattern.regex.is_match(&b.to_string()),
        _ => false,
    }
}

/// Whether the array `list` holds `item` (false when `list` is not an array).
fn contains(list: &Value, item: &Value) -> bool {
    match list {
        Value::Array(items) => items.iter().any(|i| loosely_equal(i, item)),
        _ => false,
    }
}

/// Equality as Jayway's value nodes see it.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => order(a, b) == Some(Ordering::Equal),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            match (s.trim().parse::<f64>(), n.as_f64()) {
                (Ok(x), Some(y)) => x == y,
                _ => false,
            }
        }
        _ => a == b,
    }
}

/// Numbers by value, strings by code point; anything else is not ordered.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}
