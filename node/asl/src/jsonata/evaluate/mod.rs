//! The tree-walking evaluator.
//!
//! It follows the reference implementation node for node, because much of JSONata's meaning
//! lives in evaluation details: when a sequence collapses to its single item, when arrays are
//! flattened, which scope a variable is bound in. Each evaluation counts its depth and steps
//! against [`Limits`] and watches the native stack, so no expression can hang or crash the
//! caller.

mod call;
mod group;
mod operators;
mod path;
mod transform;

use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use super::Environment;
use super::ast::{Kind, Node, Stage};
use super::errors::{Result, STACK_OVERFLOW, TIMEOUT, with_message};
use super::frame::Frame;
use super::function::Function;
use super::functions;
use super::json;
use super::stack;
use super::value::{ArrayFlags, Value};

pub(crate) use path::{lookup, merge_sort};

/// Bounds on one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deeply evaluation may nest (one level per sub-expression being evaluated, as
    /// JSONata counts it). Default 10 000; the stack budget usually binds first.
    pub max_depth: usize,
    /// How much work an evaluation may do: one unit per sub-expression evaluated, plus one
    /// per item or character of the larger sequences and strings it builds. Default 20 million
    /// (about a second of work); past it the evaluation fails with `U1001`.
    pub max_steps: u64,
    /// How much native stack the evaluation may use, in bytes. Default 1 MiB, half of the
    /// smallest thread stack (2 MiB) the evaluator is expected to run on.
    pub stack_budget_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 10_000,
            max_steps: 20_000_000,
            stack_budget_bytes: stack::DEFAULT_BUDGET_BYTES,
        }
    }
}

pub(crate) struct Evaluator<'e, 'v> {
    pub env: &'e mut Environment<'v>,
    limits: Limits,
    depth: usize,
    steps: u64,
    /// External variables, converted on first use.
    externals: HashMap<String, Value>,
    builtins: HashMap<&'static str, Value>,
    /// Parts of external variables converted by `converted`, by address.
    conversions: HashMap<usize, Value>,
    /// Scopes captured by closures; cleared at the end to free reference cycles.
    captured: Vec<Weak<Frame>>,
    prune_captured_at: usize,
}

impl<'e, 'v> Evaluator<'e, 'v> {
    pub fn new(env: &'e mut Environment<'v>, limits: Limits) -> Self {
        Evaluator {
            env,
            limits,
            depth: 0,
            steps: 0,
            externals: HashMap::new(),
            builtins: HashMap::new(),
            conversions: HashMap::new(),
            captured: Vec::new(),
            prune_captured_at: 1024,
        }
    }

    /// Evaluates a whole expression against the input document.
    pub fn run(&mut self, root: &Node, input: Value) -> Result<Value> {
        let _stack = stack::enter(self.limits.stack_budget_bytes);
        let frame = Frame::root();
        frame.bind(&Arc::from("$"), input.clone());
        self.capture(&frame);
        // An array input is wrapped so that paths treat it as one value.
        let input = match input {
            Value::Array(items, flags) if !flags.has(ArrayFlags::SEQUENCE) => Value::Array(
                Rc::new(super::value::Items(vec![Value::Array(items, flags)])),
                ArrayFlags::SEQUENCE.with(ArrayFlags::OUTER_WRAPPER),
            ),
            other => other,
        };
        self.eval(root, &input, &frame)
    }

    /// Evaluates `node` with `input` as its context (JSONata's `evaluate`).
    pub fn eval(&mut self, node: &Node, input: &Value, frame: &Rc<Frame>) -> Result<Value> {
        self.depth += 1;
        let result = self.eval_counted(node, input, frame);
        self.depth -= 1;
        result
    }

    fn eval_counted(&mut self, node: &Node, input: &Value, frame: &Rc<Frame>) -> Result<Value> {
        if self.depth > self.limits.max_depth {
            return Err(with_message("U1001", STACK_OVERFLOW).at(node.position));
        }
        self.charge(1)?;
        stack::check()?;
        let result = self.eval_kind(node, input, frame)?;
        if node.predicates.is_empty() && (node.group.is_none() || node.is_path()) {
            return Ok(collapse(result, node.keep_array));
        }
        self.refine(node, result, frame)
    }

    /// Applies a node's predicates and grouping to its value; kept out of `eval_counted` so
    /// that the common path through the recursion keeps a small stack frame.
    #[inline(never)]
    fn refine(&mut self, node: &Node, mut result: Value, frame: &Rc<Frame>) -> Result<Value> {
        for stage in &node.predicates {
            if let Stage::Filter(predicate) = stage {
                result = self.filter(predicate, result, frame)?;
            }
        }
        if !node.is_path()
            && let Some(group) = &node.group
        {
            result = self.group(group, result, frame)?;
        }
        Ok(collapse(result, node.keep_array))
    }

    #[inline(never)]
    fn eval_kind(&mut self, node: &Node, input: &Value, frame: &Rc<Frame>) -> Result<Value> {
        match &node.kind {
            Kind::Path { .. } => self.path(node, input, frame),
            Kind::Binary { op, lhs, rhs } => {
                self.binary(*op, lhs, rhs, node.position, input, frame)
            }
            Kind::Negate(inner) => self.negate(inner, node.position, input, frame),
            Kind::Array(items) => self.array_constructor(node, items, input, frame),
            Kind::Object(spec) => self.group(spec, input.clone(), frame),
            Kind::Name(name) => path::lookup(input, name),
            Kind::String(s) => Ok(Value::String(s.clone())),
            Kind::Number(n) => Ok(Value::Number(*n)),
            Kind::Bool(b) => Ok(Value::Bool(*b)),
            Kind::Null => Ok(Value::Null),
            Kind::Wildcard => self.charged(path::wildcard(input)?),
            Kind::Descendant => self.charged(path::descendants(input)?),
            Kind::Parent(label) => Ok(frame.lookup(&label.name).unwrap_or_default()),
            Kind::Variable(name) => Ok(self.variable(name, input, frame)),
            Kind::Regex(regex) => Ok(regex_function(regex)),
            Kind::Condition {
                condition,
                then,
                otherwise,
            } => self.condition(condition, then, otherwise.as_deref(), input, frame),
            Kind::Block(expressions) => self.block(expressions, input, frame),
            Kind::Bind { name, value } => self.bind(name, value, input, frame),
            Kind::Lambda(definition) => Ok(self.closure(definition, input, frame)),
            Kind::Call {
                procedure, args, ..
            } => self.call(procedure, args, node.position, input, frame, None),
            Kind::Partial { procedure, args } => {
                self.partial(procedure, args, node.position, input, frame)
            }
            Kind::Apply { lhs, rhs } => self.apply_operator(lhs, rhs, node.position, input, frame),
            Kind::Transform(definition) => Ok(self.transformer(definition, frame)),
            Kind::Sort(_) => self.sort_step(node, Value::sequence(input.to_items()), frame),
        }
    }

    #[inline(never)]
    fn condition(
        &mut self,
        condition: &Node,
        then: &Node,
        otherwise: Option<&Node>,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let condition = self.eval(condition, input, frame)?;
        if super::value::is_truthy(&condition)? {
            self.eval(then, input, frame)
        } else if let Some(otherwise) = otherwise {
            self.eval(otherwise, input, frame)
        } else {
            Ok(Value::Undefined)
        }
    }

    /// `(a; b; c)`: a scope of its own, the value of the last expression.
    #[inline(never)]
    fn block(&mut self, expressions: &[Node], input: &Value, frame: &Rc<Frame>) -> Result<Value> {
        let block_frame = Frame::child(frame);
        let mut result = Value::Undefined;
        for expression in expressions {
            result = self.eval(expression, input, &block_frame)?;
        }
        Ok(result)
    }

    /// `$name := value`, bound in the enclosing scope.
    #[inline(never)]
    fn bind(
        &mut self,
        name: &Arc<str>,
        value: &Node,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let value = self.eval(value, input, frame)?;
        frame.bind(name, value.clone());
        Ok(value)
    }

    #[inline(never)]
    fn transformer(
        &mut self,
        definition: &Arc<super::ast::TransformDef>,
        frame: &Rc<Frame>,
    ) -> Value {
        self.capture(frame);
        Value::function(Function::Transform {
            definition: definition.clone(),
            frame: frame.clone(),
        })
    }

    /// `$name`: the context for `$`, then scopes, the caller's variables and the built-ins.
    #[inline(never)]
    pub fn variable(&mut self, name: &str, input: &Value, frame: &Rc<Frame>) -> Value {
        if name.is_empty() {
            return match input {
                Value::Array(items, flags) if flags.has(ArrayFlags::OUTER_WRAPPER) => {
                    items.first().cloned().unwrap_or_default()
                }
                other => other.clone(),
            };
        }
        if let Some(value) = frame.lookup(name) {
            return value;
        }
        self.global(name).unwrap_or_default()
    }

    /// A variable from outside the expression: the caller's, or a built-in function.
    pub fn global(&mut self, name: &str) -> Option<Value> {
        if let Some(value) = self.externals.get(name) {
            return Some(value.clone());
        }
        if let Some(json) = self.env.variables.lookup(name) {
            let value = json::from_json(json).ok()?;
            self.externals.insert(name.to_string(), value.clone());
            return Some(value);
        }
        if let Some(value) = self.builtins.get(name) {
            return Some(value.clone());
        }
        let builtin = functions::lookup(name)?;
        let value = Value::function(Function::Builtin(builtin));
        self.builtins.insert(builtin.name, value.clone());
        Some(value)
    }

    /// A part of the caller's JSON as a value, converted once per evaluation.
    pub(super) fn converted(&mut self, json: &serde_json::Value) -> Result<Value> {
        // The caller's variables stay borrowed, unchanged, for the whole evaluation, so the
        // address identifies the part.
        let key = json as *const serde_json::Value as usize;
        if let Some(value) = self.conversions.get(&key) {
            return Ok(value.clone());
        }
        let value = json::from_json(json)?;
        if let Some(items) = value.as_items() {
            self.charge(items.len() as u64)?;
        }
        self.conversions.insert(key, value.clone());
        Ok(value)
    }

    /// Charges one step per item of a sequence a node produced.
    fn charged(&mut self, value: Value) -> Result<Value> {
        if let Some(items) = value.as_items() {
            self.charge(items.len() as u64)?;
        }
        Ok(value)
    }

    /// Counts work against [`Limits::max_steps`].
    pub fn charge(&mut self, units: u64) -> Result<()> {
        self.steps = self.steps.saturating_add(units);
        if self.steps > self.limits.max_steps {
            return Err(with_message("U1001", TIMEOUT));
        }
        Ok(())
    }

    /// Remembers a scope a closure captured, so that [`Drop`] can break reference cycles.
    pub fn capture(&mut self, frame: &Rc<Frame>) {
        self.captured.push(Rc::downgrade(frame));
        if self.captured.len() >= self.prune_captured_at {
            self.captured.retain(|weak| weak.strong_count() > 0);
            self.prune_captured_at = (self.captured.len() * 2).max(1024);
        }
    }
}

impl Drop for Evaluator<'_, '_> {
    fn drop(&mut self) {
        // Hold every captured scope while clearing, so that clearing one never drops another
        // in the middle of the loop.
        let live: Vec<Rc<Frame>> = self.captured.iter().filter_map(Weak::upgrade).collect();
        for frame in &live {
            frame.clear_chain();
        }
    }
}

#[inline(never)]
fn regex_function(regex: &Arc<super::regex::JsRegex>) -> Value {
    Value::function(Function::Regex(regex.clone()))
}

/// A sequence stands for its only item and nothing for an empty one (unless `expr[]` asked to
/// keep it an array).
fn collapse(result: Value, keep_array: bool) -> Value {
    match result {
        Value::Array(items, flags) if flags.has(ArrayFlags::SEQUENCE) => {
            let flags = if keep_array {
                flags.with(ArrayFlags::KEEP_SINGLETON)
            } else {
                flags
            };
            match items.len() {
                0 => Value::Undefined,
                1 if !flags.has(ArrayFlags::KEEP_SINGLETON) => items[0].clone(),
                _ => Value::Array(items, flags),
            }
        }
        other => other,
    }
}
