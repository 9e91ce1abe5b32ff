//! The values an expression computes with.
//!
//! JSONata runs on JavaScript values, and some of its semantics hang on details of them:
//! `undefined` as distinct from `null`, numbers as `f64`, functions as values, and arrays that
//! carry flags (a *sequence* is an array the evaluator built while navigating, which collapses to
//! its only item; a *cons* array came from an array constructor and is never flattened). This
//! module models exactly that. Containers are reference counted so that navigating a document
//! never copies it.
//!
//! Deeply nested values (an expression can build a million-level list in a loop) must not
//! overflow the stack when dropped, so containers hand their children to [`teardown`], which
//! drops them iteratively.

use std::ops::{Deref, DerefMut};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use super::errors::{Result, Thrown};
use super::function::Function;
use super::teardown;

pub(crate) type Map = IndexMap<Arc<str>, Value>;

/// The flags JSONata keeps on arrays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ArrayFlags(u8);

impl ArrayFlags {
    pub const PLAIN: ArrayFlags = ArrayFlags(0);
    /// Built by path navigation: a one-item sequence stands for its item.
    pub const SEQUENCE: ArrayFlags = ArrayFlags(1);
    /// A sequence that must stay an array even with one item (`expr[]`).
    pub const KEEP_SINGLETON: ArrayFlags = ArrayFlags(2);
    /// Built by an array constructor at the start or end of a path: never flattened.
    pub const CONS: ArrayFlags = ArrayFlags(4);
    /// The sequence wrapped around an array input document.
    pub const OUTER_WRAPPER: ArrayFlags = ArrayFlags(8);

    pub fn has(self, flag: ArrayFlags) -> bool {
        self.0 & flag.0 != 0
    }

    pub fn with(self, flag: ArrayFlags) -> ArrayFlags {
        ArrayFlags(self.0 | flag.0)
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    Array(Rc<Items>, ArrayFlags),
    Object(Rc<Object>),
    Function(Rc<Function>),
    /// A stream of tuples, while a path binds context (`@`), position (`#`) or parent (`%`)
    /// variables. It never leaves the path evaluator.
    Tuples(Rc<Vec<Tuple>>),
}

/// One tuple of a tuple stream: the context item and the variables bound alongside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tuple {
    pub focus: Value,
    pub bindings: Vec<(Arc<str>, Value)>,
}

impl Tuple {
    pub fn new(focus: Value) -> Tuple {
        Tuple {
            focus,
            bindings: Vec::new(),
        }
    }

    pub fn bind(&mut self, name: &Arc<str>, value: Value) {
        match self.bindings.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.bindings.push((name.clone(), value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }
}

/// The items of an array.
#[derive(Debug, Clone, Default)]
pub(crate) struct Items(pub Vec<Value>);

/// The members of an object, in insertion order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Object(pub Map);

impl Deref for Items {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl DerefMut for Items {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

impl Deref for Object {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.0
    }
}

impl DerefMut for Object {
    fn deref_mut(&mut self) -> &mut Map {
        &mut self.0
    }
}

impl Drop for Items {
    fn drop(&mut self) {
        if self.0.iter().any(Value::owns_container) {
            teardown::defer_values(std::mem::take(&mut self.0));
        }
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        if self.0.values().any(Value::owns_container) {
            teardown::defer_values(self.0.drain(..).map(|(_, v)| v).collect());
        }
    }
}

impl Value {
    pub fn string(text: impl Into<Arc<str>>) -> Value {
        Value::String(text.into())
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(Items(items)), ArrayFlags::PLAIN)
    }

    pub fn sequence(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(Items(items)), ArrayFlags::SEQUENCE)
    }

    pub fn array_with(items: Vec<Value>, flags: ArrayFlags) -> Value {
        Value::Array(Rc::new(Items(items)), flags)
    }

    pub fn object(map: Map) -> Value {
        Value::Object(Rc::new(Object(map)))
    }

    pub fn function(function: Function) -> Value {
        Value::Function(Rc::new(function))
    }

    pub(crate) fn owns_container(&self) -> bool {
        match self {
            Value::Array(items, _) => Rc::strong_count(items) == 1,
            Value::Object(object) => Rc::strong_count(object) == 1,
            Value::Function(function) => Rc::strong_count(function) == 1,
            Value::Tuples(tuples) => Rc::strong_count(tuples) == 1,
            _ => false,
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(..))
    }

    pub fn is_function(&self) -> bool {
        matches!(self, Value::Function(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self, Value::Array(_, flags) if flags.has(ArrayFlags::SEQUENCE))
    }

    pub fn flags(&self) -> ArrayFlags {
        match self {
            Value::Array(_, flags) => *flags,
            _ => ArrayFlags::PLAIN,
        }
    }

    pub fn with_flags(self, flags: ArrayFlags) -> Value {
        match self {
            Value::Array(items, _) => Value::Array(items, flags),
            other => other,
        }
    }

    pub fn as_items(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items, _) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// JSONata's `isNumeric`: a number that is not NaN. Infinite numbers are an error
    /// (`D1001`) wherever a number is tested for, so results like `1/0` cannot travel far.
    pub fn numeric(&self) -> Result<Option<f64>> {
        match self {
            Value::Number(n) if n.is_nan() => Ok(None),
            Value::Number(n) if n.is_infinite() => Err(Thrown::new("D1001").value(self.clone())),
            Value::Number(n) => Ok(Some(*n)),
            _ => Ok(None),
        }
    }

    /// The items of an array, or the value as a one-item list (nothing for `undefined`).
    pub fn to_items(&self) -> Vec<Value> {
        match self {
            Value::Array(items, _) => items.to_vec(),
            Value::Undefined => Vec::new(),
            other => vec![other.clone()],
        }
    }

    /// JSONata's `typeof`-like classification, as `$type` reports it.
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self {
            Value::Undefined => return None,
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(..) | Value::Tuples(_) => "array",
            Value::Object(_) => "object",
            Value::Function(_) => "function",
        })
    }

    /// JavaScript truthiness (used where JSONata relies on it rather than `$boolean`).
    pub fn is_js_truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            _ => true,
        }
    }

    /// Identity for containers and functions, value equality for the rest: JavaScript `===`.
    pub fn strict_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a, _), Value::Array(b, _)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            (Value::Function(a), Value::Function(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// JSONata's `isDeepEqual`: arrays item by item, objects by key set and values.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> Result<bool> {
    super::stack::check()?;
    Ok(match (a, b) {
        (Value::Array(x, _), Value::Array(y, _)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if x.len() != y.len() {
                return Ok(false);
            }
            for (l, r) in x.iter().zip(y.iter()) {
                if !deep_equal(l, r)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if x.len() != y.len() {
                return Ok(false);
            }
            for (key, l) in x.iter() {
                match y.get(key) {
                    Some(r) if deep_equal(l, r)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        _ => a.strict_equals(b),
    })
}

/// JSONata's effective boolean value (`$boolean`); `None` for `undefined`.
pub(crate) fn to_boolean(value: &Value) -> Result<Option<bool>> {
    super::stack::check()?;
    Ok(Some(match value {
        Value::Undefined => return Ok(None),
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(_) => value.numeric()?.is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items, _) => match items.len() {
            0 => false,
            1 => to_boolean(&items[0])?.unwrap_or(false),
            _ => {
                let mut any = false;
                for item in items.iter() {
                    if to_boolean(item)?.unwrap_or(false) {
                        any = true;
                    }
                }
                any
            }
        },
        Value::Tuples(tuples) => !tuples.is_empty(),
        Value::Object(object) => !object.is_empty(),
        Value::Function(_) => false,
    }))
}

/// `$boolean` where `undefined` counts as false (predicates, conditions, `and`/`or`).
pub(crate) fn is_truthy(value: &Value) -> Result<bool> {
    Ok(to_boolean(value)?.unwrap_or(false))
}

/// JSONata's `append`: concatenation that treats non-arrays as one-item arrays and ignores
/// `undefined`. The result is a plain array (JavaScript's `concat` drops the sequence flag).
pub(crate) fn append(first: Value, second: Value) -> Value {
    match (first, second) {
        (Value::Undefined, other) | (other, Value::Undefined) => other,
        (first, second) => {
            let mut items = first.to_items();
            match second {
                Value::Array(more, _) => items.extend(more.iter().cloned()),
                other => items.push(other),
            }
            Value::array(items)
        }
    }
}

/// Compares strings as JavaScript does: by UTF-16 code units.
pub(crate) fn compare_strings(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_deeply_nested_array_does_not_overflow_the_stack() {
        let mut value = Value::Null;
        for _ in 0..200_000 {
            value = Value::array(vec![value]);
        }
        drop(value);
    }

    #[test]
    fn dropping_a_deeply_nested_object_does_not_overflow_the_stack() {
        let mut value = Value::Null;
        for _ in 0..200_000 {
            let mut map = Map::new();
            map.insert("x".into(), value);
            value = Value::object(map);
        }
        drop(value);
    }

    #[test]
    fn strict_equality_is_identity_for_containers() {
        let a = Value::array(vec![Value::Number(1.0)]);
        let b = Value::array(vec![Value::Number(1.0)]);
        assert!(a.strict_equals(&a.clone()));
        assert!(!a.strict_equals(&b));
        assert!(deep_equal(&a, &b).unwrap());
    }

    #[test]
    fn boolean_of_arrays_is_any_item_true() {
        let arr = Value::array(vec![Value::Bool(false), Value::String("x".into())]);
        assert_eq!(to_boolean(&arr).unwrap(), Some(true));
        assert_eq!(to_boolean(&Value::array(vec![])).unwrap(), Some(false));
        assert_eq!(to_boolean(&Value::Undefined).unwrap(), None);
    }

    #[test]
    fn strings_compare_by_utf16_code_units() {
        // U+FF5E sorts after U+1F600 in UTF-16 (0xFF5E > 0xD83D) though not by code point.
        assert_eq!(
            compare_strings("\u{FF5E}", "\u{1F600}"),
            std::cmp::Ordering::Greater
        );
    }
}
