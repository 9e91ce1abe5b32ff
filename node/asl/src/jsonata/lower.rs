//! Turns the parser's tree into the evaluator's: `a.b[c]` becomes a path of steps with their
//! filters, bindings (`@`, `#`) attach to steps, and every parent reference (`%`) is tied to
//! the step whose context it denotes. This mirrors JSONata's post-parse stage, including the
//! errors it raises (`S0209`–`S0217`).

use std::sync::Arc;

use super::ast::{
    BinaryOp, GroupSpec, Kind, Label, LambdaDef, Node, SortTerm, Stage, TransformDef,
};
use super::errors::{Result, Thrown};
use super::regex::JsRegex;
use super::stack;
use super::syntax::{Raw, RawKind};
use super::value::Value;

/// A parent reference waiting to be tied to a step: how many steps up it still has to go, and
/// the label the step will bind the context under.
struct Slot {
    label: usize,
    level: i64,
}

pub(crate) fn lower(raw: Raw) -> Result<Node> {
    let _stack = stack::enter(stack::DEFAULT_BUDGET_BYTES);
    let mut lowering = Lowering { slots: Vec::new() };
    let mut node = lowering.node(raw)?;
    if matches!(node.kind, Kind::Parent(_)) || node.seeking_parent.is_some() {
        return Err(Thrown::new("S0217")
            .at(node.position)
            .token(node.type_name()));
    }
    let names: Vec<Arc<str>> = lowering
        .slots
        .iter()
        .map(|slot| Arc::from(format!("!{}", slot.label)))
        .collect();
    resolve_labels(&mut node, &names);
    Ok(node)
}

struct Lowering {
    slots: Vec<Slot>,
}

impl Lowering {
    fn node(&mut self, raw: Raw) -> Result<Node> {
        stack::check()?;
        let keep_array = raw.keep_array;
        let position = raw.position;
        let mut result = match raw.kind {
            RawKind::Binary { op, lhs, rhs } => {
                self.binary(op, *lhs, *rhs, position, keep_array)?
            }
            RawKind::Filter { lhs, rhs } => self.filter(*lhs, *rhs, position)?,
            RawKind::Group { lhs, pairs } => {
                let mut result = self.node(*lhs)?;
                if result.group.is_some() {
                    return Err(Thrown::new("S0210").at(position));
                }
                let pairs = pairs
                    .into_iter()
                    .map(|(k, v)| Ok((self.node(k)?, self.node(v)?)))
                    .collect::<Result<Vec<_>>>()?;
                result.group = Some(Arc::new(GroupSpec { pairs, position }));
                result
            }
            RawKind::OrderBy { lhs, terms } => {
                let result = self.node(*lhs)?;
                let mut path = into_path(result, position);
                let mut sort = Node::new(Kind::Sort(Vec::new()), position);
                let mut sort_terms = Vec::with_capacity(terms.len());
                for (descending, term) in terms {
                    let expression = self.node(term)?;
                    push_ancestry(&mut sort, &expression);
                    sort_terms.push(SortTerm {
                        descending,
                        expression,
                    });
                }
                sort.kind = Kind::Sort(sort_terms);
                if let Kind::Path { steps, .. } = &mut path.kind {
                    steps.push(sort);
                }
                self.resolve_ancestry(&mut path)?;
                path
            }
            RawKind::Negate(inner) => {
                let inner = self.node(*inner)?;
                if let Kind::Number(n) = inner.kind {
                    Node {
                        kind: Kind::Number(-n),
                        ..inner
                    }
                } else {
                    let mut result = Node::new(Kind::Null, position);
                    push_ancestry(&mut result, &inner);
                    result.kind = Kind::Negate(Box::new(inner));
                    result
                }
            }
            RawKind::Array(items) => {
                let mut result = Node::new(Kind::Array(Vec::new()), position);
                let mut nodes = Vec::with_capacity(items.len());
                for item in items {
                    let node = self.node(item)?;
                    push_ancestry(&mut result, &node);
                    nodes.push(node);
                }
                result.kind = Kind::Array(nodes);
                result
            }
            RawKind::Object(pairs) => {
                let mut result = Node::new(Kind::Null, position);
                let mut nodes = Vec::with_capacity(pairs.len());
                for (key, value) in pairs {
                    let key = self.node(key)?;
                    push_ancestry(&mut result, &key);
                    let value = self.node(value)?;
                    push_ancestry(&mut result, &value);
                    nodes.push((key, value));
                }
                result.kind = Kind::Object(Arc::new(GroupSpec {
                    pairs: nodes,
                    position,
                }));
                result
            }
            RawKind::Call {
                procedure,
                args,
                partial,
            } => {
                let mut result = Node::new(Kind::Null, position);
                let mut nodes = Vec::with_capacity(args.len());
                for arg in args {
                    if matches!(arg.kind, RawKind::Placeholder) {
                        nodes.push(None);
                        continue;
                    }
                    let node = self.node(arg)?;
                    push_ancestry(&mut result, &node);
                    nodes.push(Some(node));
                }
                let procedure = Box::new(self.node(*procedure)?);
                result.kind = if partial {
                    Kind::Partial {
                        procedure,
                        args: nodes,
                    }
                } else {
                    Kind::Call {
                        procedure,
                        args: nodes.into_iter().flatten().collect(),
                        tail: false,
                    }
                };
                result
            }
            RawKind::Lambda {
                params,
                signature,
                body,
            } => {
                let params = params
                    .into_iter()
                    .map(|p| match p.kind {
                        RawKind::Variable(name) => Arc::from(name),
                        _ => Arc::from(""),
                    })
                    .collect();
                let mut body = self.node(*body)?;
                mark_tail_calls(&mut body);
                let def = LambdaDef {
                    params,
                    signature: signature.map(Arc::new),
                    body: Arc::new(body),
                };
                Node::new(Kind::Lambda(Arc::new(def)), position)
            }
            RawKind::Condition {
                condition,
                then,
                otherwise,
            } => {
                let mut result = Node::new(Kind::Null, position);
                let condition = self.node(*condition)?;
                push_ancestry(&mut result, &condition);
                let then = self.node(*then)?;
                push_ancestry(&mut result, &then);
                let otherwise = match otherwise {
                    Some(otherwise) => {
                        let otherwise = self.node(*otherwise)?;
                        push_ancestry(&mut result, &otherwise);
                        Some(Box::new(otherwise))
                    }
                    None => None,
                };
                result.kind = Kind::Condition {
                    condition: Box::new(condition),
                    then: Box::new(then),
                    otherwise,
                };
                result
            }
            RawKind::Transform {
                pattern,
                update,
                delete,
            } => {
                let pattern = self.node(*pattern)?;
                let update = self.node(*update)?;
                let delete = delete.map(|d| self.node(*d)).transpose()?;
                Node::new(
                    Kind::Transform(Arc::new(TransformDef {
                        pattern,
                        update,
                        delete,
                        position,
                    })),
                    position,
                )
            }
            RawKind::Block(expressions) => {
                let mut result = Node::new(Kind::Null, position);
                let mut nodes = Vec::with_capacity(expressions.len());
                for expression in expressions {
                    let part = self.node(expression)?;
                    push_ancestry(&mut result, &part);
                    let first_step_cons = match &part.kind {
                        Kind::Path { steps, .. } => steps.first().is_some_and(|s| s.consarray),
                        _ => false,
                    };
                    if part.consarray || first_step_cons {
                        result.consarray = true;
                    }
                    nodes.push(part);
                }
                result.kind = Kind::Block(nodes);
                result
            }
            RawKind::Name(name) => {
                let mut step = Node::new(Kind::Name(name.into()), position);
                step.keep_array = keep_array;
                let mut path = Node::path(vec![step], position);
                if keep_array {
                    set_keep_singleton(&mut path);
                }
                path
            }
            RawKind::Parent => {
                let slot = self.slots.len();
                self.slots.push(Slot {
                    label: slot,
                    level: 1,
                });
                Node::new(
                    Kind::Parent(Label {
                        slot,
                        name: Arc::from(""),
                    }),
                    position,
                )
            }
            RawKind::String(s) => Node::new(Kind::String(s.into()), position),
            RawKind::Number(n) => Node::new(Kind::Number(n), position),
            RawKind::Bool(b) => Node::new(Kind::Bool(b), position),
            RawKind::Null => Node::new(Kind::Null, position),
            RawKind::Wildcard => Node::new(Kind::Wildcard, position),
            RawKind::Descendant => Node::new(Kind::Descendant, position),
            RawKind::Variable(name) => Node::new(Kind::Variable(name.into()), position),
            RawKind::Regex { pattern, flags } => {
                let regex = JsRegex::compile(&pattern, &flags).map_err(|e| e.at(position))?;
                Node::new(Kind::Regex(Arc::new(regex)), position)
            }
            RawKind::Placeholder => return Err(Thrown::new("S0201").at(position).token("?")),
            RawKind::End => return Err(Thrown::new("S0207").at(position).token("(end)")),
        };
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }

    fn binary(
        &mut self,
        op: &'static str,
        lhs: Raw,
        rhs: Raw,
        position: usize,
        keep_array: bool,
    ) -> Result<Node> {
        match op {
            "." => self.path_step(lhs, rhs, position),
            ":=" => {
                let name = match &lhs.kind {
                    RawKind::Variable(name) => Arc::from(name.as_str()),
                    _ => return Err(Thrown::new("S0212").at(lhs.position)),
                };
                let value = self.node(rhs)?;
                let mut result = Node::new(Kind::Null, position);
                push_ancestry(&mut result, &value);
                result.kind = Kind::Bind {
                    name,
                    value: Box::new(value),
                };
                Ok(result)
            }
            "@" => {
                let mut result = self.node(lhs)?;
                let name = variable_name(&rhs);
                with_last_step(&mut result, |step| {
                    if !step.stages.is_empty() || !step.predicates.is_empty() {
                        return Err(Thrown::new("S0215").at(position));
                    }
                    if matches!(step.kind, Kind::Sort(_)) {
                        return Err(Thrown::new("S0216").at(position));
                    }
                    if keep_array {
                        step.keep_array = true;
                    }
                    step.focus = Some(name);
                    step.tuple = true;
                    Ok(())
                })?;
                Ok(result)
            }
            "#" => {
                let result = self.node(lhs)?;
                let name = variable_name(&rhs);
                let mut result = if result.is_path() {
                    result
                } else {
                    let mut step = result;
                    step.stages = std::mem::take(&mut step.predicates);
                    Node::path(vec![step], position)
                };
                with_last_step(&mut result, |step| {
                    if step.stages.is_empty() {
                        step.index = Some(name);
                    } else {
                        step.stages.push(Stage::Index(name));
                    }
                    step.tuple = true;
                });
                Ok(result)
            }
            "~>" => {
                let lhs = self.node(lhs)?;
                let rhs = self.node(rhs)?;
                let mut result = Node::new(Kind::Null, position);
                result.keep_array = lhs.keep_array || rhs.keep_array;
                result.kind = Kind::Apply {
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                };
                Ok(result)
            }
            _ => {
                let op = BinaryOp::from_symbol(op)
                    .ok_or_else(|| Thrown::new("S0204").at(position).token(op))?;
                let lhs = self.node(lhs)?;
                let rhs = self.node(rhs)?;
                let mut result = Node::new(Kind::Null, position);
                push_ancestry(&mut result, &lhs);
                push_ancestry(&mut result, &rhs);
                result.kind = Kind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                };
                Ok(result)
            }
        }
    }

    /// `lhs.rhs`: appends the right side's steps to the left side's path.
    fn path_step(&mut self, lhs: Raw, rhs: Raw, position: usize) -> Result<Node> {
        let left = self.node(lhs)?;
        let left_parent = match &left.kind {
            Kind::Parent(label) => Some(label.slot),
            _ => None,
        };
        let mut result = into_path(left, position);
        if let Some(slot) = left_parent {
            result.seeking_parent = Some(vec![slot]);
        }
        let mut rest = self.node(rhs)?;
        let Kind::Path {
            steps,
            keep_singleton_array,
        } = &mut result.kind
        else {
            return Ok(result);
        };
        if let Kind::Path { steps: more, .. } = &mut rest.kind {
            steps.append(more);
        } else {
            if !rest.predicates.is_empty() {
                rest.stages = std::mem::take(&mut rest.predicates);
            }
            steps.push(rest);
        }
        for step in steps.iter_mut() {
            let literal = match &step.kind {
                Kind::Number(n) => Some(Value::Number(*n)),
                Kind::Bool(b) => Some(Value::Bool(*b)),
                Kind::Null => Some(Value::Null),
                Kind::String(s) => {
                    step.kind = Kind::Name(s.clone());
                    None
                }
                _ => None,
            };
            if let Some(literal) = literal {
                return Err(Thrown::new("S0213").at(step.position).value(literal));
            }
        }
        if steps.iter().any(|step| step.keep_array) {
            *keep_singleton_array = true;
        }
        if let Some(first) = steps.first_mut()
            && matches!(first.kind, Kind::Array(_))
        {
            first.consarray = true;
        }
        if let Some(last) = steps.last_mut()
            && matches!(last.kind, Kind::Array(_))
        {
            last.consarray = true;
        }
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }

    /// `lhs[rhs]`: a filter on the last step of a path, or on a value.
    fn filter(&mut self, lhs: Raw, rhs: Raw, position: usize) -> Result<Node> {
        let mut result = self.node(lhs)?;
        let on_path = result.is_path();
        let predicate = self.node(rhs)?;
        with_last_step(&mut result, |step| {
            if step.group.is_some() {
                return Err(Thrown::new("S0209").at(position));
            }
            if let Some(slots) = predicate.seeking_parent.clone() {
                for slot in slots {
                    if self.slots[slot].level == 1 {
                        self.seek_parent(step, slot)?;
                    } else {
                        self.slots[slot].level -= 1;
                    }
                }
                push_ancestry(step, &predicate);
            }
            let stage = Stage::Filter(predicate);
            if on_path {
                step.stages.push(stage);
            } else {
                step.predicates.push(stage);
            }
            Ok(())
        })?;
        Ok(result)
    }

    /// Walks back from `node` to find the step whose context a parent reference denotes.
    fn seek_parent(&mut self, node: &mut Node, slot: usize) -> Result<()> {
        stack::check()?;
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                self.slots[slot].level -= 1;
                if self.slots[slot].level == 0 {
                    if let Some(existing) = &node.ancestor {
                        // Two references to the same context share one label.
                        self.slots[slot].label = self.slots[existing.slot].label;
                    }
                    node.ancestor = Some(Label {
                        slot,
                        name: Arc::from(""),
                    });
                    node.tuple = true;
                }
            }
            Kind::Parent(_) => self.slots[slot].level += 1,
            Kind::Block(expressions) => {
                if let Some(last) = expressions.last_mut() {
                    self.seek_parent(last, slot)?;
                    node.tuple = true;
                }
            }
            Kind::Path { steps, .. } => {
                let mut index = steps.len();
                while index > 0 {
                    index -= 1;
                    self.seek_parent(&mut steps[index], slot)?;
                    if self.slots[slot].level <= 0 {
                        break;
                    }
                }
                node.tuple = true;
            }
            _ => {
                return Err(Thrown::new("S0217")
                    .at(node.position)
                    .token(node.type_name()));
            }
        }
        Ok(())
    }

    /// Ties the parent references of a path's last step to earlier steps; those that reach
    /// beyond the path's first step are left for the enclosing expression.
    fn resolve_ancestry(&mut self, path: &mut Node) -> Result<()> {
        let Node {
            kind: Kind::Path { steps, .. },
            seeking_parent,
            ..
        } = path
        else {
            return Ok(());
        };
        let Some(last) = steps.last() else {
            return Ok(());
        };
        let mut slots = last.seeking_parent.clone().unwrap_or_default();
        if let Kind::Parent(label) = &last.kind {
            slots.push(label.slot);
        }
        let mut unresolved = Vec::new();
        for slot in slots {
            let mut index = steps.len() as isize - 2;
            while self.slots[slot].level > 0 {
                if index < 0 {
                    unresolved.push(slot);
                    break;
                }
                let mut step_index = index as usize;
                index -= 1;
                // Contiguous steps that bind the focus share one context.
                while index >= 0
                    && steps[step_index].focus.is_some()
                    && steps[index as usize].focus.is_some()
                {
                    step_index = index as usize;
                    index -= 1;
                }
                self.seek_parent(&mut steps[step_index], slot)?;
            }
        }
        if !unresolved.is_empty() {
            seeking_parent
                .get_or_insert_with(Vec::new)
                .extend(unresolved);
        }
        Ok(())
    }
}

fn variable_name(raw: &Raw) -> Arc<str> {
    match &raw.kind {
        RawKind::Variable(name) => Arc::from(name.as_str()),
        _ => Arc::from(""),
    }
}

fn into_path(node: Node, position: usize) -> Node {
    if node.is_path() {
        node
    } else {
        Node::path(vec![node], position)
    }
}

/// Runs `f` on the step an `@`, `#` or filter applies to: the last step of a path, or the
/// node itself.
fn with_last_step<R>(node: &mut Node, f: impl FnOnce(&mut Node) -> R) -> R {
    if let Kind::Path { steps, .. } = &mut node.kind
        && let Some(last) = steps.last_mut()
    {
        return f(last);
    }
    f(node)
}

fn set_keep_singleton(path: &mut Node) {
    if let Kind::Path {
        keep_singleton_array,
        ..
    } = &mut path.kind
    {
        *keep_singleton_array = true;
    }
}

/// JSONata's `pushAncestry`: parent references inside `value` become pending on `result`.
fn push_ancestry(result: &mut Node, value: &Node) {
    let parent = match &value.kind {
        Kind::Parent(label) => Some(label.slot),
        _ => None,
    };
    if value.seeking_parent.is_none() && parent.is_none() {
        return;
    }
    let pending = result.seeking_parent.get_or_insert_with(Vec::new);
    pending.extend(value.seeking_parent.iter().flatten().copied());
    pending.extend(parent);
}

/// Marks calls in tail position of a lambda body (JSONata's tail call optimisation).
fn mark_tail_calls(node: &mut Node) {
    let has_predicates = !node.predicates.is_empty();
    match &mut node.kind {
        Kind::Call { tail, .. } if !has_predicates => *tail = true,
        Kind::Condition {
            then, otherwise, ..
        } => {
            mark_tail_calls(then);
            if let Some(otherwise) = otherwise {
                mark_tail_calls(otherwise);
            }
        }
        Kind::Block(expressions) => {
            if let Some(last) = expressions.last_mut() {
                mark_tail_calls(last);
            }
        }
        _ => {}
    }
}

/// Replaces slot indices with the names the evaluator binds contexts under.
fn resolve_labels(node: &mut Node, names: &[Arc<str>]) {
    let name = |label: &mut Label| {
        if let Some(n) = names.get(label.slot) {
            label.name = n.clone();
        }
    };
    if let Some(label) = &mut node.ancestor {
        name(label);
    }
    for stage in node.stages.iter_mut().chain(node.predicates.iter_mut()) {
        if let Stage::Filter(predicate) = stage {
            resolve_labels(predicate, names);
        }
    }
    if let Some(group) = &mut node.group {
        let group = Arc::make_mut(group);
        for (k, v) in &mut group.pairs {
            resolve_labels(k, names);
            resolve_labels(v, names);
        }
    }
    match &mut node.kind {
        Kind::Parent(label) => name(label),
        Kind::Path { steps, .. } | Kind::Array(steps) | Kind::Block(steps) => {
            steps.iter_mut().for_each(|s| resolve_labels(s, names));
        }
        Kind::Binary { lhs, rhs, .. } | Kind::Apply { lhs, rhs } => {
            resolve_labels(lhs, names);
            resolve_labels(rhs, names);
        }
        Kind::Negate(inner) | Kind::Bind { value: inner, .. } => resolve_labels(inner, names),
        Kind::Object(group) => {
            for (k, v) in &mut Arc::make_mut(group).pairs {
                resolve_labels(k, names);
                resolve_labels(v, names);
            }
        }
        Kind::Condition {
            condition,
            then,
            otherwise,
        } => {
            resolve_labels(condition, names);
            resolve_labels(then, names);
            if let Some(o) = otherwise {
                resolve_labels(o, names);
            }
        }
        Kind::Lambda(def) => resolve_labels(Arc::make_mut(&mut Arc::make_mut(def).body), names),
        Kind::Call {
            procedure, args, ..
        } => {
            resolve_labels(procedure, names);
            args.iter_mut().for_each(|a| resolve_labels(a, names));
        }
        Kind::Partial { procedure, args } => {
            resolve_labels(procedure, names);
            args.iter_mut()
                .flatten()
                .for_each(|a| resolve_labels(a, names));
        }
        Kind::Transform(def) => {
            let def = Arc::make_mut(def);
            resolve_labels(&mut def.pattern, names);
            resolve_labels(&mut def.update, names);
            if let Some(d) = &mut def.delete {
                resolve_labels(d, names);
            }
        }
        Kind::Sort(terms) => terms
            .iter_mut()
            .for_each(|t| resolve_labels(&mut t.expression, names)),
        _ => {}
    }
}
