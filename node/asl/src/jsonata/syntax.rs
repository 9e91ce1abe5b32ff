//! The syntax tree as the parser builds it, before [`super::lower`] turns paths into steps.

use super::signature::Signature;

/// The deepest syntax tree accepted. Long operator chains (`a & b & c & …`) nest without
/// recursion in the parser, so depth is checked as nodes are built; the limit keeps every
/// later recursive pass (and dropping the tree) within the stack.
pub(crate) const MAX_DEPTH: u32 = 1000;

#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub kind: RawKind,
    /// Where the node's token ends in the source (JSONata's convention).
    pub position: usize,
    /// `expr[]`: keep a one-item result as an array.
    pub keep_array: bool,
    pub depth: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum RawKind {
    Name(String),
    Variable(String),
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    Regex {
        pattern: String,
        flags: String,
    },
    Wildcard,
    Descendant,
    Parent,
    /// The end of the input where an operand was expected.
    End,
    /// `?` in the argument list of a partial application.
    Placeholder,
    /// Operators with an expression on either side, including `.`, `..`, `:=`, `~>`,
    /// `@` and `#`.
    Binary {
        op: &'static str,
        lhs: Box<Raw>,
        rhs: Box<Raw>,
    },
    /// `lhs[rhs]`
    Filter {
        lhs: Box<Raw>,
        rhs: Box<Raw>,
    },
    /// `lhs{key: value, …}`
    Group {
        lhs: Box<Raw>,
        pairs: Vec<(Raw, Raw)>,
    },
    /// `lhs^(<a, >b)`: terms with their descending flag.
    OrderBy {
        lhs: Box<Raw>,
        terms: Vec<(bool, Raw)>,
    },
    Negate(Box<Raw>),
    Array(Vec<Raw>),
    Object(Vec<(Raw, Raw)>),
    Call {
        procedure: Box<Raw>,
        args: Vec<Raw>,
        partial: bool,
    },
    Lambda {
        params: Vec<Raw>,
        signature: Option<Signature>,
        body: Box<Raw>,
    },
    Condition {
        condition: Box<Raw>,
        then: Box<Raw>,
        otherwise: Option<Box<Raw>>,
    },
    Transform {
        pattern: Box<Raw>,
        update: Box<Raw>,
        delete: Option<Box<Raw>>,
    },
    Block(Vec<Raw>),
}

impl Raw {
    pub fn new(kind: RawKind, position: usize) -> Raw {
        let depth = 1 + kind.children().map(|child| child.depth).max().unwrap_or(0);
        Raw {
            kind,
            position,
            keep_array: false,
            depth,
        }
    }

    /// The text JSONata shows for this node in syntax errors.
    pub fn token_text(&self) -> String {
        match &self.kind {
            RawKind::Name(s) | RawKind::Variable(s) | RawKind::String(s) => s.clone(),
            RawKind::Number(n) => super::number_format::js_number_to_string(*n),
            RawKind::Bool(b) => b.to_string(),
            RawKind::Null => "null".into(),
            RawKind::Binary { op, .. } => (*op).into(),
            _ => String::new(),
        }
    }
}

impl RawKind {
    fn children(&self) -> Box<dyn Iterator<Item = &Raw> + '_> {
        use std::iter::once;
        match self {
            RawKind::Binary { lhs, rhs, .. } | RawKind::Filter { lhs, rhs } => {
                Box::new(once(&**lhs).chain(once(&**rhs)))
            }
            RawKind::Group { lhs, pairs } => {
                Box::new(once(&**lhs).chain(pairs.iter().flat_map(|(k, v)| [k, v])))
            }
            RawKind::OrderBy { lhs, terms } => {
                Box::new(once(&**lhs).chain(terms.iter().map(|(_, t)| t)))
            }
            RawKind::Negate(inner) => Box::new(once(&**inner)),
            RawKind::Array(items) | RawKind::Block(items) => Box::new(items.iter()),
            RawKind::Object(pairs) => Box::new(pairs.iter().flat_map(|(k, v)| [k, v])),
            RawKind::Call {
                procedure, args, ..
            } => Box::new(once(&**procedure).chain(args)),
            RawKind::Lambda { params, body, .. } => Box::new(params.iter().chain(once(&**body))),
            RawKind::Condition {
                condition,
                then,
                otherwise,
            } => Box::new(
                once(&**condition)
                    .chain(once(&**then))
                    .chain(otherwise.as_deref()),
            ),
            RawKind::Transform {
                pattern,
                update,
                delete,
            } => Box::new(
                once(&**pattern)
                    .chain(once(&**update))
                    .chain(delete.as_deref()),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
}
