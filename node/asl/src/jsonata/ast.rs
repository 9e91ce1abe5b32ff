//! The expression tree the evaluator runs: paths are lists of steps, and each step carries the
//! predicates, bindings and ancestry information [`super::lower`] attached to it.

use std::sync::Arc;

use super::regex::JsRegex;
use super::signature::Signature;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub position: usize,
    /// `expr[]`: a one-item result stays an array.
    pub keep_array: bool,
    /// Filters applied to this node's value when it is not a path step (`$x[0]`).
    pub predicates: Vec<Stage>,
    /// Grouping (`expr{key: value}`) applied to the node's result.
    pub group: Option<Arc<GroupSpec>>,
    /// Filters and position bindings applied when the node is a path step.
    pub stages: Vec<Stage>,
    /// `@$name`: the step binds each result to `$name` and keeps the previous context.
    pub focus: Option<Arc<str>>,
    /// `#$name`: the step binds the position of each result.
    pub index: Option<Arc<str>>,
    /// The label under which the step records its context for a later `%`.
    pub ancestor: Option<Label>,
    /// The step (or path) takes part in a tuple stream.
    pub tuple: bool,
    /// An array constructor at the start or end of a path: its result is not flattened.
    pub consarray: bool,
    /// Parent references (`%`) inside this node not yet tied to a step; lowering only.
    pub seeking_parent: Option<Vec<usize>>,
}

/// A parent (`%`) slot's label: an index while lowering, resolved to a name at its end.
#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub slot: usize,
    pub name: Arc<str>,
}

#[derive(Debug, Clone)]
pub(crate) enum Stage {
    Filter(Node),
    Index(Arc<str>),
}

#[derive(Debug, Clone)]
pub(crate) struct GroupSpec {
    pub pairs: Vec<(Node, Node)>,
    pub position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinaryOp {
    pub fn from_symbol(symbol: &str) -> Option<BinaryOp> {
        Some(match symbol {
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Subtract,
            "*" => BinaryOp::Multiply,
            "/" => BinaryOp::Divide,
            "%" => BinaryOp::Modulo,
            "=" => BinaryOp::Equal,
            "!=" => BinaryOp::NotEqual,
            "<" => BinaryOp::Less,
            "<=" => BinaryOp::LessOrEqual,
            ">" => BinaryOp::Greater,
            ">=" => BinaryOp::GreaterOrEqual,
            "&" => BinaryOp::Concat,
            "and" => BinaryOp::And,
            "or" => BinaryOp::Or,
            "in" => BinaryOp::In,
            ".." => BinaryOp::Range,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Modulo => "%",
            BinaryOp::Equal => "=",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessOrEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterOrEqual => ">=",
            BinaryOp::Concat => "&",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::In => "in",
            BinaryOp::Range => "..",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Path {
        steps: Vec<Node>,
        keep_singleton_array: bool,
    },
    Name(Arc<str>),
    String(Arc<str>),
    Number(f64),
    Bool(bool),
    Null,
    Regex(Arc<JsRegex>),
    Wildcard,
    Descendant,
    Parent(Label),
    Variable(Arc<str>),
    Binary {
        op: BinaryOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Negate(Box<Node>),
    Array(Vec<Node>),
    Object(Arc<GroupSpec>),
    Condition {
        condition: Box<Node>,
        then: Box<Node>,
        otherwise: Option<Box<Node>>,
    },
    Block(Vec<Node>),
    Bind {
        name: Arc<str>,
        value: Box<Node>,
    },
    Lambda(Arc<LambdaDef>),
    /// A call; `tail` marks a call in tail position of a lambda body, which the evaluator
    /// runs in a loop instead of recursing.
    Call {
        procedure: Box<Node>,
        args: Vec<Node>,
        tail: bool,
    },
    /// A partial application; `None` marks a `?` placeholder.
    Partial {
        procedure: Box<Node>,
        args: Vec<Option<Node>>,
    },
    /// `lhs ~> rhs`
    Apply {
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Transform(Arc<TransformDef>),
    /// An order-by step (`^(…)`) in a path.
    Sort(Vec<SortTerm>),
}

#[derive(Debug, Clone)]
pub(crate) struct LambdaDef {
    pub params: Arc<[Arc<str>]>,
    pub signature: Option<Arc<Signature>>,
    pub body: Arc<Node>,
}

#[derive(Debug, Clone)]
pub(crate) struct TransformDef {
    pub pattern: Node,
    pub update: Node,
    pub delete: Option<Node>,
    pub position: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct SortTerm {
    pub descending: bool,
    pub expression: Node,
}

impl Node {
    pub fn new(kind: Kind, position: usize) -> Node {
        Node {
            kind,
            position,
            keep_array: false,
            predicates: Vec::new(),
            group: None,
            stages: Vec::new(),
            focus: None,
            index: None,
            ancestor: None,
            tuple: false,
            consarray: false,
            seeking_parent: None,
        }
    }

    pub fn path(steps: Vec<Node>, position: usize) -> Node {
        Node::new(
            Kind::Path {
                steps,
                keep_singleton_array: false,
            },
            position,
        )
    }

    pub fn is_path(&self) -> bool {
        matches!(self.kind, Kind::Path { .. })
    }

    /// The name JSONata uses for a node's type in error messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Path { .. } => "path",
            Kind::Name(_) => "name",
            Kind::String(_) => "string",
            Kind::Number(_) => "number",
            Kind::Bool(_) | Kind::Null => "value",
            Kind::Regex(_) => "regex",
            Kind::Wildcard => "wildcard",
            Kind::Descendant => "descendant",
            Kind::Parent(_) => "parent",
            Kind::Variable(_) => "variable",
            Kind::Binary { .. } | Kind::Sort(_) => "binary",
            Kind::Negate(_) | Kind::Array(_) | Kind::Object(_) => "unary",
            Kind::Condition { .. } => "condition",
            Kind::Block(_) => "block",
            Kind::Bind { .. } => "bind",
            Kind::Lambda(_) => "lambda",
            Kind::Call { .. } => "function",
            Kind::Partial { .. } => "partial",
            Kind::Apply { .. } => "apply",
            Kind::Transform(_) => "transform",
        }
    }

    /// The name a call reports in errors: the function's name as written.
    pub fn procedure_name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Path { steps, .. } => match steps.first().map(|s| &s.kind) {
                Some(Kind::Name(name)) => Some(name),
                _ => None,
            },
            Kind::Variable(name) => Some(name),
            _ => None,
        }
    }
}
