//! Object constructors and grouping: `{key: value}` after a path groups its items by key.

use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use super::Evaluator;
use super::path::frame_from_tuple;
use crate::jsonata::ast::GroupSpec;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::frame::Frame;
use crate::jsonata::value::{Map, Tuple, Value, append};

/// The items that produced one key, and which key expression produced it.
struct Group {
    data: GroupData,
    pair: usize,
}

enum GroupData {
    Values(Value),
    Tuples(Vec<Tuple>),
}

impl Evaluator<'_, '_> {
    #[inline(never)]
    pub(super) fn group(
        &mut self,
        spec: &GroupSpec,
        input: Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let mut groups: IndexMap<Arc<str>, Group> = IndexMap::new();
        match input {
            Value::Tuples(tuples) => {
                for tuple in tuples.iter() {
                    let tuple_frame = frame_from_tuple(frame, tuple);
                    for (pair, key) in self.keys(spec, &tuple.focus, &tuple_frame)? {
                        let entry = groups.entry(key.clone()).or_insert_with(|| Group {
                            data: GroupData::Tuples(Vec::new()),
                            pair,
                        });
                        if entry.pair != pair {
                            return Err(duplicate_key(spec, &key));
                        }
                        if let GroupData::Tuples(list) = &mut entry.data {
                            list.push(tuple.clone());
                        }
                    }
                }
            }
            input => {
                let items = match input {
                    Value::Array(items, _) if !items.is_empty() => items.to_vec(),
                    Value::Array(..) => vec![Value::Undefined],
                    other => vec![other],
                };
                for item in items {
                    for (pair, key) in self.keys(spec, &item, frame)? {
                        match groups.get_mut(&key) {
                            Some(entry) => {
                                if entry.pair != pair {
                                    return Err(duplicate_key(spec, &key));
                                }
                                if let GroupData::Values(data) = &mut entry.data {
                                    *data = append(std::mem::take(data), item.clone());
                                }
                            }
                            None => {
                                let data = GroupData::Values(item.clone());
                                groups.insert(key, Group { data, pair });
                            }
                        }
                    }
                }
            }
        }
        let mut result = Map::with_capacity(groups.len());
        for (key, group) in groups {
            let Some((_, value_node)) = spec.pairs.get(group.pair) else {
                continue;
            };
            let value = match group.data {
                GroupData::Values(context) => self.eval(value_node, &context, frame)?,
                GroupData::Tuples(tuples) => {
                    let merged = merge_tuples(tuples);
                    let merged_frame = frame_from_tuple(frame, &merged);
                    self.eval(value_node, &merged.focus, &merged_frame)?
                }
            };
            if !value.is_undefined() {
                result.insert(key, value);
            }
        }
        Ok(Value::object(result))
    }

    /// The keys an item produces, with the index of the pair that produced each.
    fn keys(
        &mut self,
        spec: &GroupSpec,
        item: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Vec<(usize, Arc<str>)>> {
        let mut keys = Vec::with_capacity(spec.pairs.len());
        for (pair, (key_node, _)) in spec.pairs.iter().enumerate() {
            match self.eval(key_node, item, frame)? {
                Value::String(key) => keys.push((pair, key)),
                Value::Undefined => {}
                other => return Err(Thrown::new("T1003").at(spec.position).value(other)),
            }
        }
        Ok(keys)
    }
}

fn duplicate_key(spec: &GroupSpec, key: &Arc<str>) -> Box<Thrown> {
    Thrown::new("D1009")
        .at(spec.position)
        .value(Value::String(key.clone()))
}

/// JSONata's `reduceTupleStream`: one tuple whose context and bindings append those of all.
fn merge_tuples(tuples: Vec<Tuple>) -> Tuple {
    let mut tuples = tuples.into_iter();
    let Some(mut merged) = tuples.next() else {
        return Tuple::default();
    };
    if tuples.len() == 0 {
        return merged;
    }
    for tuple in tuples {
        merged.focus = append(std::mem::take(&mut merged.focus), tuple.focus);
        for (name, value) in tuple.bindings {
            let current = merged.get(&name).cloned().unwrap_or_default();
            merged.bind(&name, append(current, value));
        }
    }
    merged
}
