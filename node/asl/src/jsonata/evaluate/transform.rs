//! `|pattern|update, delete|`: copies its argument, then changes the parts `pattern` selects.
//!
//! JSONata mutates the matched objects of the copy in place. Values here are immutable and
//! shared, so the same effect is reached in two passes: each matched object (identified by
//! its allocation in the fresh copy) gets an updated version, then the copy is rebuilt with
//! every object replaced by its updated version. An object the update makes contain itself
//! keeps its un-updated form at the inner occurrence, since JSON cannot hold a cycle.

use std::collections::HashMap;
use std::rc::Rc;

use super::Evaluator;
use crate::jsonata::ast::TransformDef;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::frame::Frame;
use crate::jsonata::stack;
use crate::jsonata::value::{Map, Object, Value};

type Versions = HashMap<*const Object, Rc<Object>>;

impl Evaluator<'_, '_> {
    #[inline(never)]
    pub(super) fn transform(
        &mut self,
        definition: &TransformDef,
        frame: &Rc<Frame>,
        target: Value,
    ) -> Result<Value> {
        if target.is_undefined() {
            return Ok(Value::Undefined);
        }
        let clone = match frame.lookup("clone") {
            Some(value) => value,
            None => self.global("clone").unwrap_or_default(),
        };
        if !clone.is_function() {
            return Err(Thrown::new("T2013").at(definition.position));
        }
        let copy = self.apply(&clone, vec![target], &Value::Null)?;
        let matches = self.eval(&definition.pattern, &copy, frame)?;
        let matches = match matches {
            Value::Undefined => return Ok(copy),
            Value::Array(items, _) => items.to_vec(),
            other => vec![other],
        };
        let mut versions = Versions::new();
        for matched in matches {
            let Value::Object(original) = &matched else {
                continue;
            };
            let key = Rc::as_ptr(original);
            let mut current = versions
                .get(&key)
                .cloned()
                .unwrap_or_else(|| original.clone());
            let update = self.eval(&definition.update, &Value::Object(current.clone()), frame)?;
            match update {
                Value::Undefined => {}
                Value::Object(update) => {
                    let members = Rc::make_mut(&mut current);
                    for (name, value) in update.iter() {
                        members.insert(name.clone(), value.clone());
                    }
                }
                other => {
                    return Err(Thrown::new("T2011")
                        .at(definition.update.position)
                        .value(other));
                }
            }
            if let Some(delete) = &definition.delete {
                let deletions = self.eval(delete, &Value::Object(current.clone()), frame)?;
                if !deletions.is_undefined() {
                    let names = deletions.to_items();
                    if names.iter().any(|name| name.as_str().is_none()) {
                        return Err(Thrown::new("T2012").at(delete.position).value(deletions));
                    }
                    let members = Rc::make_mut(&mut current);
                    for name in names.iter().filter_map(Value::as_str) {
                        members.shift_remove(name);
                    }
                }
            }
            versions.insert(key, current);
        }
        if versions.is_empty() {
            return Ok(copy);
        }
        Ok(rebuild(&copy, &versions, &mut Vec::new())?.0)
    }
}

/// The value with every object that has an updated version replaced by it; the flag says
/// whether anything changed (so unchanged parts are shared, not copied).
fn rebuild(
    value: &Value,
    versions: &Versions,
    open: &mut Vec<*const Object>,
) -> Result<(Value, bool)> {
    stack::check()?;
    match value {
        Value::Object(object) => {
            let key = Rc::as_ptr(object);
            let version = if open.contains(&key) {
                None
            } else {
                versions.get(&key)
            };
            let source = version.unwrap_or(object);
            open.push(key);
            let mut changed = version.is_some();
            let mut members = Map::with_capacity(source.len());
            for (name, member) in source.iter() {
                let (member, member_changed) = rebuild(member, versions, open)?;
                changed |= member_changed;
                members.insert(name.clone(), member);
            }
            open.pop();
            Ok(if changed {
                (Value::object(members), true)
            } else {
                (value.clone(), false)
            })
        }
        Value::Array(items, flags) => {
            let mut changed = false;
            let mut rebuilt = Vec::with_capacity(items.len());
            for item in items.iter() {
                let (item, item_changed) = rebuild(item, versions, open)?;
                changed |= item_changed;
                rebuilt.push(item);
            }
            Ok(if changed {
                (Value::array_with(rebuilt, *flags), true)
            } else {
                (value.clone(), false)
            })
        }
        other => Ok((other.clone(), false)),
    }
}
