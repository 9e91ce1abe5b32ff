//! Functions as values: built-ins, lambdas (closures), partial applications, regular
//! expressions (which JSONata treats as matcher functions), transforms and `~>` chains.

use std::rc::Rc;
use std::sync::Arc;

use super::ast::{Node, TransformDef};
use super::frame::Frame;
use super::functions::Builtin;
use super::regex::JsRegex;
use super::signature::Signature;
use super::value::Value;

#[derive(Debug)]
pub(crate) enum Function {
    Builtin(&'static Builtin),
    Lambda(Lambda),
    /// A built-in (or other native function) with some arguments fixed; `None` marks the
    /// places the eventual arguments go.
    PartialNative {
        target: Rc<Function>,
        args: Vec<Option<Value>>,
    },
    /// A regular expression used as a function: called with a string, it returns the first
    /// match as an object with a `next` function.
    Regex(Arc<JsRegex>),
    /// The `next` function of a regex match object: the following match in `text`, searched
    /// from byte offset `from`.
    RegexNext {
        regex: Arc<JsRegex>,
        text: Arc<str>,
        from: usize,
    },
    /// `|pattern|update, delete|`: a function that copies an object and changes the copy.
    Transform {
        definition: Arc<TransformDef>,
        frame: Rc<Frame>,
    },
    /// `$f ~> $g`: the function `λ($x){ $g($f($x)) }`.
    Chain {
        first: Value,
        second: Value,
    },
}

#[derive(Debug)]
pub(crate) struct Lambda {
    pub params: Arc<[Arc<str>]>,
    pub signature: Option<Arc<Signature>>,
    pub body: Arc<Node>,
    /// The context value where the lambda was defined.
    pub input: Value,
    pub frame: Rc<Frame>,
}

impl Function {
    /// How many arguments higher-order functions pass to this one (JavaScript's
    /// `function.length` for natives, the parameter count for lambdas).
    pub fn arity(&self) -> usize {
        match self {
            Function::Builtin(builtin) => builtin.arity,
            Function::Lambda(lambda) => lambda.params.len(),
            Function::PartialNative { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Function::Regex(_) => 2,
            Function::RegexNext { .. } => 0,
            Function::Transform { .. } | Function::Chain { .. } => 1,
        }
    }

    /// The signature arguments are checked against before a call.
    pub fn signature(&self) -> Option<&Signature> {
        match self {
            Function::Builtin(builtin) => Some(&builtin.signature),
            Function::Lambda(lambda) => lambda.signature.as_deref(),
            _ => None,
        }
    }

    /// The number of parameters a partial application fills in: for built-ins, the
    /// parameters their reference implementation declares.
    pub fn declared_params(&self) -> usize {
        match self {
            Function::Builtin(builtin) => builtin.declared,
            other => other.arity(),
        }
    }
}
