//! Operators: arithmetic, comparison, boolean, string concatenation, ranges, `in`, unary minus
//! and array constructors.

use std::cmp::Ordering;
use std::rc::Rc;

use super::Evaluator;
use crate::jsonata::ast::{BinaryOp, Kind, Node};
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::frame::Frame;
use crate::jsonata::functions::string::to_js_string;
use crate::jsonata::value::{ArrayFlags, Value, compare_strings, deep_equal, is_truthy};

/// JSONata caps ranges at ten million items.
const MAX_RANGE: f64 = 1e7;

impl Evaluator<'_, '_> {
    #[inline(never)]
    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &Node,
        rhs: &Node,
        position: usize,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let left = self.eval(lhs, input, frame)?;
        let locate = |err: Box<Thrown>| {
            let mut err = err;
            err.position = Some(position);
            err.token = Some(Value::string(op.symbol()));
            err
        };
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let left = is_truthy(&left).map_err(locate)?;
            let short_circuit = if op == BinaryOp::And { !left } else { left };
            if short_circuit {
                return Ok(Value::Bool(left));
            }
            let right = self.eval(rhs, input, frame)?;
            return Ok(Value::Bool(is_truthy(&right).map_err(locate)?));
        }
        let right = self.eval(rhs, input, frame)?;
        self.operate(op, left, right).map_err(locate)
    }

    #[inline(never)]
    fn operate(&mut self, op: BinaryOp, left: Value, right: Value) -> Result<Value> {
        match op {
            BinaryOp::Add
            | BinaryOp::Subtract
            | BinaryOp::Multiply
            | BinaryOp::Divide
            | BinaryOp::Modulo => arithmetic(op, &left, &right),
            BinaryOp::Equal | BinaryOp::NotEqual => {
                if left.is_undefined() || right.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                let equal = deep_equal(&left, &right)?;
                Ok(Value::Bool(if op == BinaryOp::Equal {
                    equal
                } else {
                    !equal
                }))
            }
            BinaryOp::Less
            | BinaryOp::LessOrEqual
            | BinaryOp::Greater
            | BinaryOp::GreaterOrEqual => compare(op, &left, &right),
            BinaryOp::Concat => {
                let mut text = String::new();
                if !left.is_undefined() {
                    text.push_str(&to_js_string(&left)?);
                }
                if !right.is_undefined() {
                    text.push_str(&to_js_string(&right)?);
                }
                self.charge(text.len() as u64 / 8)?;
                Ok(Value::string(text))
            }
            BinaryOp::Range => self.range(&left, &right),
            BinaryOp::In => {
                if left.is_undefined() || right.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                let found = match &right {
                    Value::Array(items, _) => items.iter().any(|item| item.strict_equals(&left)),
                    other => other.strict_equals(&left),
                };
                Ok(Value::Bool(found))
            }
            BinaryOp::And | BinaryOp::Or => Ok(Value::Undefined),
        }
    }

    /// `[a..b]`: the integers from `a` to `b` as a sequence.
    fn range(&mut self, left: &Value, right: &Value) -> Result<Value> {
        let integer =
            |v: &Value| matches!(v, Value::Number(n) if n.is_finite() && n.fract() == 0.0);
        if !left.is_undefined() && !integer(left) {
            return Err(Thrown::new("T2003").value(left.clone()));
        }
        if !right.is_undefined() && !integer(right) {
            return Err(Thrown::new("T2004").value(right.clone()));
        }
        let (Some(from), Some(to)) = (left.as_number(), right.as_number()) else {
            return Ok(Value::Undefined);
        };
        if from > to {
            return Ok(Value::Undefined);
        }
        let size = to - from + 1.0;
        if size > MAX_RANGE {
            return Err(Thrown::new("D2014").value(Value::Number(size)));
        }
        self.charge(size as u64)?;
        let items = (0..size as u64)
            .map(|i| Value::Number(from + i as f64))
            .collect();
        Ok(Value::sequence(items))
    }

    #[inline(never)]
    pub(super) fn negate(
        &mut self,
        inner: &Node,
        position: usize,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let value = self.eval(inner, input, frame)?;
        if value.is_undefined() {
            return Ok(Value::Undefined);
        }
        match value.numeric()? {
            Some(n) => Ok(Value::Number(-n)),
            None => Err(Thrown::new("D1002").at(position).token("-").value(value)),
        }
    }

    /// `[a, b, …]`: items are appended, so sequences and arrays from paths are spliced in,
    /// while nested array constructors stay nested.
    #[inline(never)]
    pub(super) fn array_constructor(
        &mut self,
        node: &Node,
        items: &[Node],
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let mut result = Vec::new();
        for item in items {
            let value = self.eval(item, input, frame)?;
            match value {
                Value::Undefined => {}
                Value::Array(inner, _) if !matches!(item.kind, Kind::Array(_)) => {
                    if result.is_empty() {
                        // Reuse a fresh sequence (a range, say) instead of copying it.
                        match Rc::try_unwrap(inner) {
                            Ok(mut owned) => result = std::mem::take(&mut owned.0),
                            Err(shared) => result.extend(shared.iter().cloned()),
                        }
                    } else {
                        self.charge(inner.len() as u64)?;
                        result.extend(inner.iter().cloned());
                    }
                }
                other => result.push(other),
            }
        }
        let flags = if node.consarray {
            ArrayFlags::CONS
        } else {
            ArrayFlags::PLAIN
        };
        Ok(Value::array_with(result, flags))
    }
}

fn arithmetic(op: BinaryOp, left: &Value, right: &Value) -> Result<Value> {
    let l = left.numeric()?;
    if !left.is_undefined() && l.is_none() {
        return Err(Thrown::new("T2001").value(left.clone()));
    }
    let r = right.numeric()?;
    if !right.is_undefined() && r.is_none() {
        return Err(Thrown::new("T2002").value(right.clone()));
    }
    let (Some(l), Some(r)) = (l, r) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::Number(match op {
        BinaryOp::Add => l + r,
        BinaryOp::Subtract => l - r,
        BinaryOp::Multiply => l * r,
        BinaryOp::Divide => l / r,
        _ => l % r,
    }))
}

fn compare(op: BinaryOp, left: &Value, right: &Value) -> Result<Value> {
    let comparable =
        |v: &Value| matches!(v, Value::Undefined | Value::String(_) | Value::Number(_));
    if !comparable(left) || !comparable(right) {
        let bad = if matches!(left, Value::String(_) | Value::Number(_)) {
            right
        } else {
            left
        };
        return Err(Thrown::new("T2010").value(bad.clone()));
    }
    if left.is_undefined() || right.is_undefined() {
        return Ok(Value::Undefined);
    }
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
        (Value::String(a), Value::String(b)) => Some(compare_strings(a, b)),
        _ => {
            return Err(Thrown::new("T2009")
                .value(left.clone())
                .value2(right.clone()));
        }
    };
    let result = match ordering {
        // NaN compares false every way, as in JavaScript.
        None => false,
        Some(ordering) => match op {
            BinaryOp::Less => ordering == Ordering::Less,
            BinaryOp::LessOrEqual => ordering != Ordering::Greater,
            BinaryOp::Greater => ordering == Ordering::Greater,
            _ => ordering != Ordering::Less,
        },
    };
    Ok(Value::Bool(result))
}
