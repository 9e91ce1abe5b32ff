//! Function calls: invocation, argument checking, closures, partial application, `~>`, and
//! tail calls, which run in a loop so that tail-recursive functions use constant stack.

use std::rc::Rc;
use std::sync::Arc;

use super::Evaluator;
use crate::jsonata::ast::{Kind, LambdaDef, Node};
use crate::jsonata::errors::{Result, STACK_OVERFLOW, Thrown, with_message};
use crate::jsonata::frame::Frame;
use crate::jsonata::function::{Function, Lambda};
use crate::jsonata::functions::matching;
use crate::jsonata::stack;
use crate::jsonata::value::Value;

/// What running a function body produced: a value, or a call in tail position still to make.
pub(crate) enum Outcome {
    Value(Value),
    TailCall(Box<TailCall>),
}

/// A call in tail position: the function, its arguments, and where it was written.
pub(crate) struct TailCall {
    procedure: Value,
    args: Vec<Value>,
    name: Option<Arc<str>>,
    position: usize,
}

impl Evaluator<'_, '_> {
    #[inline(never)]
    pub(super) fn closure(
        &mut self,
        definition: &LambdaDef,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Value {
        self.capture(frame);
        Value::function(Function::Lambda(Lambda {
            params: definition.params.clone(),
            signature: definition.signature.clone(),
            body: definition.body.clone(),
            input: input.clone(),
            frame: frame.clone(),
        }))
    }

    /// `procedure(args…)`; `context` is the left side of `~>`, passed as the first argument.
    #[inline(never)]
    pub(super) fn call(
        &mut self,
        procedure: &Node,
        args: &[Node],
        position: usize,
        input: &Value,
        frame: &Rc<Frame>,
        context: Option<Value>,
    ) -> Result<Value> {
        let callee = self.eval(procedure, input, frame)?;
        let name = procedure.procedure_name();
        if callee.is_undefined()
            && procedure.is_path()
            && let Some(name) = name
            && self.is_bound(name, frame)
        {
            // `sum(x)` where `$sum(x)` was meant.
            return Err(Thrown::new("T1005").at(position).token(name));
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        values.extend(context);
        for arg in args {
            values.push(self.eval(arg, input, frame)?);
        }
        self.apply(&callee, values, input)
            .map_err(|e| e.locate(position, name))
    }

    fn is_bound(&mut self, name: &str, frame: &Rc<Frame>) -> bool {
        frame.lookup(name).is_some() || self.global(name).is_some()
    }

    /// Calls a function value with `input` as the calling context, running any tail calls.
    pub fn apply(&mut self, procedure: &Value, args: Vec<Value>, input: &Value) -> Result<Value> {
        let mut outcome = self.apply_once(procedure, args, input)?;
        loop {
            match outcome {
                Outcome::Value(value) => return Ok(value),
                Outcome::TailCall(call) => {
                    self.charge(1)?;
                    let TailCall {
                        procedure,
                        args,
                        name,
                        position,
                    } = *call;
                    outcome = self
                        .apply_once(&procedure, args, input)
                        .map_err(|e| e.locate(position, name.as_deref()))?;
                }
            }
        }
    }

    /// Calls a function argument the way JSONata's higher-order functions do: with as many
    /// of `candidates` (value, index, array…) as the function declares parameters, at least
    /// one.
    pub fn callback(&mut self, function: &Value, mut candidates: Vec<Value>) -> Result<Value> {
        let arity = match function {
            Value::Function(f) => f.arity(),
            _ => 0,
        };
        candidates.truncate(arity.max(1));
        self.apply(function, candidates, &Value::Null)
    }

    fn apply_once(
        &mut self,
        procedure: &Value,
        args: Vec<Value>,
        input: &Value,
    ) -> Result<Outcome> {
        let Value::Function(function) = procedure else {
            return Err(Thrown::new("T1006"));
        };
        let args = match function.signature() {
            Some(signature) => signature.validate(args, input)?,
            None => args,
        };
        match &**function {
            Function::Lambda(lambda) => self.run_lambda(lambda, args),
            Function::Builtin(builtin) => Ok(Outcome::Value((builtin.run)(self, args, input)?)),
            other => self.apply_native(other, args, input),
        }
    }

    /// The function values other than lambdas and built-ins.
    #[inline(never)]
    fn apply_native(
        &mut self,
        function: &Function,
        args: Vec<Value>,
        input: &Value,
    ) -> Result<Outcome> {
        let value = match function {
            Function::Lambda(lambda) => return self.run_lambda(lambda, args),
            Function::Builtin(builtin) => (builtin.run)(self, args, input)?,
            Function::PartialNative {
                target,
                args: fixed,
            } => {
                let mut supplied = args.into_iter();
                let full = fixed
                    .iter()
                    .map(|arg| match arg {
                        Some(value) => value.clone(),
                        None => supplied.next().unwrap_or_default(),
                    })
                    .collect();
                return self.apply_once(&Value::Function(target.clone()), full, input);
            }
            Function::Regex(regex) => {
                let text = args.first().and_then(Value::as_str).unwrap_or_default();
                let from = args.get(1).and_then(Value::as_number).unwrap_or(0.0);
                let from = crate::jsonata::regex::byte_index(text, from.max(0.0) as usize);
                matching::regex_call(regex, Arc::from(text), from, false)?
            }
            Function::RegexNext { regex, text, from } => {
                matching::regex_call(regex, text.clone(), *from, true)?
            }
            Function::Transform { definition, frame } => {
                let target = args.into_iter().next().unwrap_or_default();
                self.transform(definition, frame, target)?
            }
            Function::Chain { first, second } => {
                let argument = args.into_iter().next().unwrap_or_default();
                let intermediate = self.apply(first, vec![argument], &Value::Null)?;
                self.apply(second, vec![intermediate], &Value::Null)?
            }
        };
        Ok(Outcome::Value(value))
    }

    #[inline(never)]
    fn run_lambda(&mut self, lambda: &Lambda, args: Vec<Value>) -> Result<Outcome> {
        let frame = Frame::child(&lambda.frame);
        let mut args = args.into_iter();
        for param in lambda.params.iter() {
            frame.bind(param, args.next().unwrap_or_default());
        }
        self.eval_tail(&lambda.body, &lambda.input, &frame)
    }

    /// Evaluates a lambda body; a call in tail position is returned, not made.
    fn eval_tail(&mut self, node: &Node, input: &Value, frame: &Rc<Frame>) -> Result<Outcome> {
        let plain = node.predicates.is_empty() && node.group.is_none();
        match &node.kind {
            Kind::Call {
                procedure,
                args,
                tail: true,
            } => self.nested(node, |this| {
                let callee = this.eval(procedure, input, frame)?;
                let args = args
                    .iter()
                    .map(|arg| this.eval(arg, input, frame))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Outcome::TailCall(Box::new(TailCall {
                    procedure: callee,
                    args,
                    name: procedure.procedure_name().map(Arc::from),
                    position: node.position,
                })))
            }),
            Kind::Condition {
                condition,
                then,
                otherwise,
            } if plain => self.nested(node, |this| {
                let condition = this.eval(condition, input, frame)?;
                let outcome = if crate::jsonata::value::is_truthy(&condition)? {
                    this.eval_tail(then, input, frame)?
                } else if let Some(otherwise) = otherwise {
                    this.eval_tail(otherwise, input, frame)?
                } else {
                    Outcome::Value(Value::Undefined)
                };
                Ok(collapse_outcome(outcome, node.keep_array))
            }),
            Kind::Block(expressions) if plain => self.nested(node, |this| {
                let block_frame = Frame::child(frame);
                let Some((last, init)) = expressions.split_last() else {
                    return Ok(Outcome::Value(Value::Undefined));
                };
                for expression in init {
                    this.eval(expression, input, &block_frame)?;
                }
                let outcome = this.eval_tail(last, input, &block_frame)?;
                Ok(collapse_outcome(outcome, node.keep_array))
            }),
            _ => Ok(Outcome::Value(self.eval(node, input, frame)?)),
        }
    }

    /// Runs `body` one evaluation level deeper, with the checks `eval` makes.
    fn nested(
        &mut self,
        node: &Node,
        body: impl FnOnce(&mut Self) -> Result<Outcome>,
    ) -> Result<Outcome> {
        self.depth += 1;
        let result = (|| {
            if self.depth > self.limits.max_depth {
                return Err(with_message("U1001", STACK_OVERFLOW).at(node.position));
            }
            self.charge(1)?;
            stack::check()?;
            body(self)
        })();
        self.depth -= 1;
        result
    }

    /// `procedure(a, ?, c)`: a function waiting for the `?` arguments.
    #[inline(never)]
    pub(super) fn partial(
        &mut self,
        procedure: &Node,
        args: &[Option<Node>],
        position: usize,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(match arg {
                Some(node) => Some(self.eval(node, input, frame)?),
                None => None,
            });
        }
        let callee = self.eval(procedure, input, frame)?;
        let name = procedure.procedure_name();
        let Value::Function(function) = &callee else {
            if callee.is_undefined()
                && procedure.is_path()
                && let Some(name) = name
                && self.is_bound(name, frame)
            {
                return Err(Thrown::new("T1007").at(position).token(name));
            }
            let err = Thrown::new("T1008").at(position);
            return Err(match name {
                Some(name) => err.token(name),
                None => err,
            });
        };
        if let Function::Lambda(lambda) = &**function {
            let bound = Frame::child(&lambda.frame);
            let mut unbound = Vec::new();
            for (index, param) in lambda.params.iter().enumerate() {
                match values.get(index) {
                    Some(None) => unbound.push(param.clone()),
                    Some(Some(value)) => bound.bind(param, value.clone()),
                    None => bound.bind(param, Value::Undefined),
                }
            }
            self.capture(&bound);
            return Ok(Value::function(Function::Lambda(Lambda {
                params: unbound.into(),
                signature: None,
                body: lambda.body.clone(),
                input: lambda.input.clone(),
                frame: bound,
            })));
        }
        let fixed = (0..function.declared_params())
            .map(|index| match values.get(index) {
                Some(value) => value.clone(),
                None => Some(Value::Undefined),
            })
            .collect();
        Ok(Value::function(Function::PartialNative {
            target: function.clone(),
            args: fixed,
        }))
    }

    /// `lhs ~> rhs`: calls `rhs` with `lhs` as its first argument, or composes two functions.
    #[inline(never)]
    pub(super) fn apply_operator(
        &mut self,
        lhs: &Node,
        rhs: &Node,
        position: usize,
        input: &Value,
        frame: &Rc<Frame>,
    ) -> Result<Value> {
        let left = self.eval(lhs, input, frame)?;
        if let Kind::Call {
            procedure, args, ..
        } = &rhs.kind
        {
            return self.call(procedure, args, rhs.position, input, frame, Some(left));
        }
        let function = self.eval(rhs, input, frame)?;
        if !function.is_function() {
            return Err(Thrown::new("T2006").at(position).value(function));
        }
        if left.is_function() {
            return Ok(Value::function(Function::Chain {
                first: left,
                second: function,
            }));
        }
        self.apply(&function, vec![left], &Value::Null)
    }
}

fn collapse_outcome(outcome: Outcome, keep_array: bool) -> Outcome {
    match outcome {
        Outcome::Value(value) => Outcome::Value(super::collapse(value, keep_array)),
        tail_call => tail_call,
    }
}
