//! Path navigation: steps over sequences, predicates, tuple streams (`@`, `#`, `%`) and
//! order-by.

use std::rc::Rc;
use std::sync::Arc;

use super::Evaluator;
use crate::jsonata::ast::{Kind, Node, SortTerm, Stage};
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::frame::Frame;
use crate::jsonata::stack;
use crate::jsonata::value::{ArrayFlags, Tuple, Value, compare_strings, is_truthy};

impl Evaluator<'_, '_> {
    #[inline(never)]
    pub(super) fn path(&mut self, node: &Node, input: &Value, frame: &Rc<Frame>) -> Result<Value> {
        let Kind::Path {
            steps,
            keep_singleton_array,
        } = &node.kind
        else {
            return Ok(Value::Undefined);
        };
        let starts_with_variable =
            matches!(steps.first().map(|s| &s.kind), Some(Kind::Variable(_)));
        // Paths iterate over an array context, except from a variable (`$x.a`).
        let mut context = if input.is_array() && !starts_with_variable {
            input.clone()
        } else {
            Value::sequence(vec![input.clone()])
        };
        let mut result = Value::Undefined;
        let mut first = 0;
        let simple = !*keep_singleton_array && node.group.is_none() && !node.tuple;
        let prefix = match (simple, starts_with_variable) {
            (false, _) => None,
            (true, true) => self.external_prefix(steps, frame)?,
            (true, false) => field_prefix(steps, input),
        };
        if let Some((value, next)) = prefix {
            if next == steps.len() || value.is_undefined() {
                return Ok(value);
            }
            context = match &value {
                Value::Array(items, flags) if !flags.has(ArrayFlags::CONS) => {
                    Value::sequence(items.to_vec())
                }
                other => Value::sequence(vec![other.clone()]),
            };
            result = context.clone();
            first = next;
        }
        let mut tuples: Option<Vec<Tuple>> = None;
        let mut tuple_stream = false;
        // JSONata's sort returns a plain array, which drops the tuple-stream marker: a group
        // right after a sorted tuple stream sees the tuples themselves as objects.
        let mut tuples_unmarked = false;
        let last = steps.len().saturating_sub(1);
        for (index, step) in steps.iter().enumerate().skip(first) {
            tuple_stream |= step.tuple;
            if index == 0 && step.consarray {
                result = self.eval(step, &context, frame)?;
            } else if tuple_stream {
                let sorting_tuples = matches!(step.kind, Kind::Sort(_))
                    && tuples.as_ref().is_some_and(|t| t.len() > 1);
                tuples = Some(self.tuple_step(step, &context, tuples.take(), frame)?);
                tuples_unmarked = sorting_tuples;
            } else {
                result = self.step(step, &context, frame, index == last)?;
            }
            if !tuple_stream
                && result.as_items().is_none_or(<[Value]>::is_empty)
                && !is_scalar(&result)
            {
                break;
            }
            if step.focus.is_none() {
                context = result.clone();
            }
        }
        if let Some(tuples) = &tuples {
            result = if node.tuple {
                Value::Tuples(Rc::new(tuples.clone()))
            } else {
                Value::sequence(tuples.iter().map(|t| t.focus.clone()).collect())
            };
        }
        if *keep_singleton_array {
            result = match result {
                Value::Array(items, flags)
                    if flags.has(ArrayFlags::CONS) && !flags.has(ArrayFlags::SEQUENCE) =>
                {
                    Value::sequence(vec![Value::Array(items, flags)])
                }
                other => other,
            };
            let flags = result.flags().with(ArrayFlags::KEEP_SINGLETON);
            result = result.with_flags(flags);
        }
        if let Some(group) = &node.group {
            let grouped = match tuples {
                Some(tuples) if tuples_unmarked => {
                    Value::array(tuples.iter().map(tuple_object).collect())
                }
                Some(tuples) => Value::Tuples(Rc::new(tuples)),
                None => result,
            };
            result = self.group(group, grouped, frame)?;
        }
        Ok(result)
    }

    /// `$name.a.b…` on a variable from outside: follows the field names through the caller's
    /// JSON directly, converting only what it arrives at rather than the whole variable
    /// (`$states` holds the state input and the context object). Stops at the first step
    /// that is not a plain field name or whose context is not an object; returns the value
    /// there and the index of the first step still to evaluate.
    fn external_prefix(
        &mut self,
        steps: &[Node],
        frame: &Rc<Frame>,
    ) -> Result<Option<(Value, usize)>> {
        let Some(Kind::Variable(name)) = steps.first().map(|s| &s.kind) else {
            return Ok(None);
        };
        if name.is_empty() || !plain(&steps[0]) || frame.lookup(name).is_some() {
            return Ok(None);
        }
        let Some(mut current) = self.env.variables.lookup(name) else {
            return Ok(None);
        };
        let mut next = 1;
        while let Some(step) = steps.get(next) {
            let (Kind::Name(field), serde_json::Value::Object(members)) = (&step.kind, current)
            else {
                break;
            };
            if !plain(step) {
                break;
            }
            match members.get(&**field) {
                Some(member) => current = member,
                None => return Ok(Some((Value::Undefined, steps.len()))),
            }
            next += 1;
        }
        if next == 1 {
            return Ok(None);
        }
        let value = self.converted(current)?;
        Ok(Some((value, next)))
    }

    /// One step over every item of the context, results flattened into a sequence.
    #[inline(never)]
    fn step(
        &mut self,
        step: &Node,
        context: &Value,
        frame: &Rc<Frame>,
        last: bool,
    ) -> Result<Value> {
        if let Kind::Sort(_) = step.kind {
            let sorted = self.sort_step(step, context.clone(), frame)?;
            return self.stages(&step.stages, sorted, frame);
        }
        let items = context.as_items().unwrap_or(&[]);
        let mut results = Vec::new();
        for item in items {
            let mut value = self.eval(step, item, frame)?;
            for stage in &step.stages {
                if let Stage::Filter(predicate) = stage {
                    value = self.filter(predicate, value, frame)?;
                }
            }
            if !value.is_undefined() {
                results.push(value);
            }
        }
        if last && results.len() == 1 && results[0].is_array() && !results[0].is_sequence() {
            return Ok(results.swap_remove(0));
        }
        let mut flattened = Vec::with_capacity(results.len());
        for value in results {
            match value {
                Value::Array(items, flags) if !flags.has(ArrayFlags::CONS) => {
                    flattened.extend(items.iter().cloned());
                }
                other => flattened.push(other),
            }
        }
        self.charge(flattened.len() as u64)?;
        Ok(Value::sequence(flattened))
    }

    /// One step while variables are bound: each tuple carries its context and bindings.
    #[inline(never)]
    fn tuple_step(
        &mut self,
        step: &Node,
        context: &Value,
        tuples: Option<Vec<Tuple>>,
        frame: &Rc<Frame>,
    ) -> Result<Vec<Tuple>> {
        if let Kind::Sort(terms) = &step.kind {
            let sorted = match tuples {
                Some(tuples) if tuples.len() > 1 => {
                    let sorted = self.sort_tuples(terms, tuples, frame)?;
                    // Unmarked by the sort (see `path`): filters see the tuples as objects.
                    let mut objects = Value::array(sorted.iter().map(tuple_object).collect());
                    objects = self.stages(&step.stages, objects, frame)?;
                    return Ok(objects.to_items().iter().map(object_tuple).collect());
                }
                Some(tuples) => self.sort_tuples(terms, tuples, frame)?,
                None => {
                    let items = context
                        .as_items()
                        .map(<[Value]>::to_vec)
                        .unwrap_or_default();
                    let sorted = self.sort_values(terms, items, frame)?;
                    sorted
                        .into_iter()
                        .enumerate()
                        .map(|(position, item)| {
                            let mut tuple = Tuple::new(item);
                            if let Some(index) = &step.index {
                                tuple.bind(index, Value::Number(position as f64));
                            }
                            tuple
                        })
                        .collect()
                }
            };
            return self.tuple_stages(&step.stages, sorted, frame);
        }
        let tuples = tuples.unwrap_or_else(|| {
            context
                .as_items()
                .unwrap_or(&[])
                .iter()
                .cloned()
                .map(Tuple::new)
                .collect()
        });
        let mut result = Vec::new();
        for tuple in &tuples {
            let step_frame = frame_from_tuple(frame, tuple);
            let value = self.eval(step, &tuple.focus, &step_frame)?;
            match value {
                Value::Undefined => {}
                Value::Tuples(inner) => {
                    for bound in inner.iter() {
                        let mut out = tuple.clone();
                        out.focus = bound.focus.clone();
                        for (name, value) in &bound.bindings {
                            out.bind(name, value.clone());
                        }
                        result.push(out);
                    }
                }
                value => {
                    let items = match value {
                        Value::Array(items, _) => items.to_vec(),
                        other => vec![other],
                    };
                    for (position, item) in items.into_iter().enumerate() {
                        let mut out = tuple.clone();
                        match &step.focus {
                            Some(focus) => out.bind(focus, item),
                            None => out.focus = item,
                        }
                        if let Some(index) = &step.index {
                            out.bind(index, Value::Number(position as f64));
                        }
                        if let Some(ancestor) = &step.ancestor {
                            out.bind(&ancestor.name, tuple.focus.clone());
                        }
                        result.push(out);
                    }
                }
            }
        }
        self.charge(result.len() as u64)?;
        self.tuple_stages(&step.stages, result, frame)
    }

    fn stages(&mut self, stages: &[Stage], mut value: Value, frame: &Rc<Frame>) -> Result<Value> {
        for stage in stages {
            if let Stage::Filter(predicate) = stage {
                value = self.filter(predicate, value, frame)?;
            }
        }
        Ok(value)
    }

    fn tuple_stages(
        &mut self,
        stages: &[Stage],
        mut tuples: Vec<Tuple>,
        frame: &Rc<Frame>,
    ) -> Result<Vec<Tuple>> {
        for stage in stages {
            match stage {
                Stage::Filter(predicate) => {
                    tuples = self.filter_tuples(predicate, tuples, frame)?
                }
                Stage::Index(name) => {
                    for (position, tuple) in tuples.iter_mut().enumerate() {
                        tuple.bind(name, Value::Number(position as f64));
                    }
                }
            }
        }
        Ok(tuples)
    }

    /// `input[predicate]`: a number selects by position (negative from the end), anything
    /// else keeps the items for which it is true.
    #[inline(never)]
    pub(super) fn filter(
        &mut self,
        predicate: &Node,
        input: Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        if let Value::Tuples(tuples) = input {
            let tuples = Rc::try_unwrap(tuples).unwrap_or_else(|shared| (*shared).clone());
            return Ok(Value::Tuples(Rc::new(
                self.filter_tuples(predicate, tuples, frame)?,
            )));
        }
        let items = match &input {
            Value::Array(items, _) => items.clone(),
            other => Rc::new(crate::jsonata::value::Items(vec![other.clone()])),
        };
        if let Kind::Number(n) = predicate.kind {
            let mut results = Vec::new();
            if let Some(index) = literal_index(n, items.len()) {
                match &items[index] {
                    Value::Undefined => {}
                    array @ Value::Array(..) => return Ok(array.clone()),
                    item => results.push(item.clone()),
                }
            }
            return Ok(Value::sequence(results));
        }
        let mut results = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let value = self.eval(predicate, item, frame)?;
            for _ in 0..selection_count(&value, position, items.len())? {
                results.push(item.clone());
            }
        }
        Ok(Value::sequence(results))
    }

    fn filter_tuples(
        &mut self,
        predicate: &Node,
        tuples: Vec<Tuple>,
        frame: &Rc<Frame>,
    ) -> Result<Vec<Tuple>> {
        let length = tuples.len();
        if let Kind::Number(n) = predicate.kind {
            return Ok(literal_index(n, length)
                .map(|i| tuples[i].clone())
                .into_iter()
                .collect());
        }
        let mut results = Vec::new();
        for (position, tuple) in tuples.iter().enumerate() {
            let tuple_frame = frame_from_tuple(frame, tuple);
            let value = self.eval(predicate, &tuple.focus, &tuple_frame)?;
            for _ in 0..selection_count(&value, position, length)? {
                results.push(tuple.clone());
            }
        }
        Ok(results)
    }

    /// The order-by step on a plain sequence.
    #[inline(never)]
    pub(super) fn sort_step(
        &mut self,
        node: &Node,
        input: Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let Kind::Sort(terms) = &node.kind else {
            return Ok(input);
        };
        if let Value::Tuples(tuples) = input {
            let tuples = Rc::try_unwrap(tuples).unwrap_or_else(|shared| (*shared).clone());
            return Ok(Value::Tuples(Rc::new(
                self.sort_tuples(terms, tuples, frame)?,
            )));
        }
        let items = input.to_items();
        if items.len() <= 1 {
            return Ok(input);
        }
        Ok(Value::array(self.sort_values(terms, items, frame)?))
    }

    fn sort_values(
        &mut self,
        terms: &[SortTerm],
        items: Vec<Value>,
        frame: &Rc<Frame>,
    ) -> Result<Vec<Value>> {
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            let keys = terms
                .iter()
                .map(|term| self.eval(&term.expression, &item, frame))
                .collect::<Result<Vec<_>>>()?;
            keyed.push((keys, item));
        }
        let sorted = merge_sort(keyed, &mut |a, b| order_by_swaps(terms, &a.0, &b.0))?;
        Ok(sorted.into_iter().map(|(_, item)| item).collect())
    }

    fn sort_tuples(
        &mut self,
        terms: &[SortTerm],
        tuples: Vec<Tuple>,
        frame: &Rc<Frame>,
    ) -> Result<Vec<Tuple>> {
        if tuples.len() <= 1 {
            return Ok(tuples);
        }
        let mut keyed = Vec::with_capacity(tuples.len());
        for tuple in tuples {
            let tuple_frame = frame_from_tuple(frame, &tuple);
            let keys = terms
                .iter()
                .map(|term| self.eval(&term.expression, &tuple.focus, &tuple_frame))
                .collect::<Result<Vec<_>>>()?;
            keyed.push((keys, tuple));
        }
        let sorted = merge_sort(keyed, &mut |a, b| order_by_swaps(terms, &a.0, &b.0))?;
        Ok(sorted.into_iter().map(|(_, tuple)| tuple).collect())
    }
}

/// A tuple as the JavaScript object JSONata represents it by: `@` is the context item.
fn tuple_object(tuple: &Tuple) -> Value {
    let mut map = crate::jsonata::value::Map::with_capacity(tuple.bindings.len() + 1);
    map.insert(Arc::from("@"), tuple.focus.clone());
    for (name, value) in &tuple.bindings {
        map.insert(name.clone(), value.clone());
    }
    Value::object(map)
}

fn object_tuple(value: &Value) -> Tuple {
    let mut tuple = Tuple::new(Value::Undefined);
    if let Value::Object(object) = value {
        for (name, member) in object.iter() {
            if &**name == "@" {
                tuple.focus = member.clone();
            } else {
                tuple.bind(name, member.clone());
            }
        }
    }
    tuple
}

/// A step that only looks a field up: no filters, bindings or grouping.
fn plain(step: &Node) -> bool {
    step.stages.is_empty()
        && step.predicates.is_empty()
        && step.focus.is_none()
        && step.index.is_none()
        && step.ancestor.is_none()
        && !step.tuple
        && !step.keep_array
        && step.group.is_none()
}

/// `a.b.c` from an object context: follows field names while the context is an object, which
/// gives what the general step machinery would, without building sequences. Returns the value
/// reached and the index of the first step still to evaluate.
fn field_prefix(steps: &[Node], input: &Value) -> Option<(Value, usize)> {
    let mut current = input;
    let mut next = 0;
    while let Some(step) = steps.get(next) {
        let (Kind::Name(field), Value::Object(members)) = (&step.kind, current) else {
            break;
        };
        if !plain(step) {
            break;
        }
        match members.get(&**field) {
            Some(member) => current = member,
            None => return Some((Value::Undefined, steps.len())),
        }
        next += 1;
    }
    (next > 0).then(|| (current.clone(), next))
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Undefined | Value::Array(..))
}

/// The position a literal number predicate selects, if it is in range.
fn literal_index(n: f64, length: usize) -> Option<usize> {
    let mut index = n.floor();
    if index < 0.0 {
        index += length as f64;
    }
    (index >= 0.0 && index < length as f64).then_some(index as usize)
}

/// The numbers of a predicate value that selects by position: one number, or an array of
/// numbers (an empty array counts, and selects nothing).
fn numeric_indexes(value: &Value) -> Result<Option<Vec<f64>>> {
    if let Some(n) = value.numeric()? {
        return Ok(Some(vec![n]));
    }
    if let Value::Array(items, _) = value {
        let mut numbers = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.numeric()? {
                Some(n) => numbers.push(n),
                None => return Ok(None),
            }
        }
        return Ok(Some(numbers));
    }
    Ok(None)
}

/// How many times a predicate's value keeps the item at `position`: positional predicates
/// can list an index twice; any other value keeps the item once if it is truthy.
fn selection_count(value: &Value, position: usize, length: usize) -> Result<usize> {
    Ok(match numeric_indexes(value)? {
        Some(numbers) => numbers
            .into_iter()
            .filter(|n| {
                let mut index = n.floor();
                if index < 0.0 {
                    index += length as f64;
                }
                index == position as f64
            })
            .count(),
        None => usize::from(is_truthy(value)?),
    })
}

/// A scope holding a tuple's bindings, for evaluating an expression in its context.
pub(super) fn frame_from_tuple(frame: &Rc<Frame>, tuple: &Tuple) -> Rc<Frame> {
    if tuple.bindings.is_empty() {
        return frame.clone();
    }
    let child = Frame::child(frame);
    for (name, value) in &tuple.bindings {
        child.bind(name, value.clone());
    }
    child
}

/// The order-by comparison: whether `a` must come after `b`. Undefined keys sort last.
fn order_by_swaps(terms: &[SortTerm], a: &[Value], b: &[Value]) -> Result<bool> {
    let mut comparison = 0;
    for (index, term) in terms.iter().enumerate() {
        if comparison != 0 {
            break;
        }
        let (x, y) = (&a[index], &b[index]);
        if x.is_undefined() {
            comparison = if y.is_undefined() { 0 } else { 1 };
            continue;
        }
        if y.is_undefined() {
            comparison = -1;
            continue;
        }
        let sortable = |v: &Value| matches!(v, Value::String(_) | Value::Number(_));
        if !sortable(x) || !sortable(y) {
            let bad = if sortable(x) { y } else { x };
            return Err(Thrown::new("T2008").value(bad.clone()));
        }
        let ordering = match (x, y) {
            (Value::Number(p), Value::Number(q)) => p.partial_cmp(q),
            (Value::String(p), Value::String(q)) => Some(compare_strings(p, q)),
            _ => return Err(Thrown::new("T2007").value(x.clone()).value2(y.clone())),
        };
        comparison = match ordering {
            Some(std::cmp::Ordering::Less) => -1,
            Some(std::cmp::Ordering::Greater) => 1,
            // Equal (or NaN, which JavaScript never orders): on to the next term.
            _ => continue,
        };
        if term.descending {
            comparison = -comparison;
        }
    }
    Ok(comparison == 1)
}

/// JSONata's merge sort: stable, and `swaps(a, b)` says whether `a` goes after `b`. Kept as
/// is (rather than `sort_by`) because user comparators need not be consistent orders.
pub(crate) fn merge_sort<T: Clone>(
    items: Vec<T>,
    swaps: &mut dyn FnMut(&T, &T) -> Result<bool>,
) -> Result<Vec<T>> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut items = items;
    let right = items.split_off(items.len() / 2);
    let left = merge_sort(items, swaps)?;
    let right = merge_sort(right, swaps)?;
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        if swaps(&left[l], &right[r])? {
            merged.push(right[r].clone());
            r += 1;
        } else {
            merged.push(left[l].clone());
            l += 1;
        }
    }
    merged.extend_from_slice(&left[l..]);
    merged.extend_from_slice(&right[r..]);
    Ok(merged)
}

/// A field of the context: of an object, or of every object in an array (flattened).
pub(crate) fn lookup(input: &Value, key: &str) -> Result<Value> {
    match input {
        Value::Array(items, _) => {
            stack::check()?;
            let mut results = Vec::new();
            for item in items.iter() {
                match lookup(item, key)? {
                    Value::Undefined => {}
                    Value::Array(found, _) => results.extend(found.iter().cloned()),
                    found => results.push(found),
                }
            }
            Ok(Value::sequence(results))
        }
        Value::Object(object) => Ok(object.get(key).cloned().unwrap_or_default()),
        _ => Ok(Value::Undefined),
    }
}

/// `*`: the values of an object's fields, arrays flattened.
pub(super) fn wildcard(input: &Value) -> Result<Value> {
    let input = match input {
        Value::Array(items, flags) if flags.has(ArrayFlags::OUTER_WRAPPER) && !items.is_empty() => {
            &items[0]
        }
        other => other,
    };
    let mut results = Vec::new();
    // JavaScript's `concat` turns the sequence into a plain array once an array is appended.
    let mut plain = false;
    let values: Box<dyn Iterator<Item = &Value>> = match input {
        Value::Object(object) => Box::new(object.values()),
        // An array is an object whose keys are its indexes.
        Value::Array(items, _) => Box::new(items.iter()),
        _ => Box::new(std::iter::empty()),
    };
    for value in values {
        if value.is_array() {
            flatten_into(value, &mut results)?;
            plain = true;
        } else {
            results.push(value.clone());
        }
    }
    Ok(if plain {
        Value::array(results)
    } else {
        Value::sequence(results)
    })
}

fn flatten_into(value: &Value, out: &mut Vec<Value>) -> Result<()> {
    stack::check()?;
    match value {
        Value::Array(items, _) => {
            for item in items.iter() {
                flatten_into(item, out)?;
            }
        }
        other => out.push(other.clone()),
    }
    Ok(())
}

/// `**`: the value and everything inside it, arrays flattened.
pub(super) fn descendants(input: &Value) -> Result<Value> {
    if input.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut results = Vec::new();
    collect_descendants(input, &mut results)?;
    Ok(if results.len() == 1 {
        results.swap_remove(0)
    } else {
        Value::sequence(results)
    })
}

fn collect_descendants(value: &Value, out: &mut Vec<Value>) -> Result<()> {
    stack::check()?;
    match value {
        Value::Array(items, _) => {
            for item in items.iter() {
                collect_descendants(item, out)?;
            }
        }
        Value::Object(object) => {
            out.push(value.clone());
            for member in object.values() {
                collect_descendants(member, out)?;
            }
        }
        other => out.push(other.clone()),
    }
    Ok(())
}
