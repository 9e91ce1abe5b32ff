//! The free variables of an expression: `$name`s it reads but does not bind itself.

use std::sync::Arc;

use super::ast::{Kind, Node, Stage};
use super::functions::is_builtin;

pub(crate) fn free_variables(root: &Node) -> Vec<String> {
    let mut found = Vec::new();
    walk(root, &mut Vec::new(), &mut found);
    found
}

fn walk(node: &Node, bound: &mut Vec<Arc<str>>, found: &mut Vec<String>) {
    for stage in &node.predicates {
        stage_walk(stage, bound, found);
    }
    if let Some(group) = &node.group {
        for (key, value) in &group.pairs {
            walk(key, bound, found);
            walk(value, bound, found);
        }
    }
    match &node.kind {
        Kind::Variable(name) => {
            let reserved = name.is_empty() || &**name == "$";
            if !reserved
                && !bound.contains(name)
                && !is_builtin(name)
                && !found.iter().any(|f| **f == **name)
            {
                found.push(name.to_string());
            }
        }
        Kind::Path { steps, .. } => {
            let mark = bound.len();
            for step in steps {
                walk(step, bound, found);
                for stage in &step.stages {
                    stage_walk(stage, bound, found);
                    if let Stage::Index(name) = stage {
                        bound.push(name.clone());
                    }
                }
                bound.extend(step.focus.iter().cloned());
                bound.extend(step.index.iter().cloned());
            }
            bound.truncate(mark);
        }
        Kind::Block(expressions) => {
            let mark = bound.len();
            for expression in expressions {
                walk(expression, bound, found);
            }
            bound.truncate(mark);
        }
        Kind::Bind { name, value } => {
            walk(value, bound, found);
            bound.push(name.clone());
        }
        Kind::Lambda(definition) => {
            let mark = bound.len();
            bound.extend(definition.params.iter().cloned());
            walk(&definition.body, bound, found);
            bound.truncate(mark);
        }
        Kind::Binary { lhs, rhs, .. } | Kind::Apply { lhs, rhs } => {
            walk(lhs, bound, found);
            walk(rhs, bound, found);
        }
        Kind::Negate(inner) => walk(inner, bound, found),
        Kind::Array(items) => items.iter().for_each(|item| walk(item, bound, found)),
        Kind::Object(group) => {
            for (key, value) in &group.pairs {
                walk(key, bound, found);
                walk(value, bound, found);
            }
        }
        Kind::Condition {
            condition,
            then,
            otherwise,
        } => {
            walk(condition, bound, found);
            walk(then, bound, found);
            if let Some(otherwise) = otherwise {
                walk(otherwise, bound, found);
            }
        }
        Kind::Call {
            procedure, args, ..
        } => {
            walk(procedure, bound, found);
            args.iter().for_each(|arg| walk(arg, bound, found));
        }
        Kind::Partial { procedure, args } => {
            walk(procedure, bound, found);
            args.iter()
                .flatten()
                .for_each(|arg| walk(arg, bound, found));
        }
        Kind::Transform(definition) => {
            walk(&definition.pattern, bound, found);
            walk(&definition.update, bound, found);
            if let Some(delete) = &definition.delete {
                walk(delete, bound, found);
            }
        }
        Kind::Sort(terms) => terms
            .iter()
            .for_each(|term| walk(&term.expression, bound, found)),
        _ => {}
    }
}

fn stage_walk(stage: &Stage, bound: &mut Vec<Arc<str>>, found: &mut Vec<String>) {
    if let Stage::Filter(predicate) = stage {
        walk(predicate, bound, found);
    }
}
