//! The parsed form of a path: a root and a list of steps, each of which maps the current set of
//! nodes to the next one (Jayway JsonPath's "path tokens").

use super::filter::Expr;

/// One step after the root.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// `.name`, `['name']` or the union `['a','b']`. `quote` is the delimiter the names are shown
    /// with in messages (`'` for dot notation), as Jayway renders them.
    Property { names: Vec<String>, quote: char },
    /// `[0]`, `[-1]` or the union `[0,2]`.
    Index(Vec<i64>),
    /// `[start:end:step]`, each part optional.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
    /// `.*` or `[*]`.
    Wildcard,
    /// `..` followed by the selector applied at every depth.
    Scan(Box<Step>),
    /// `[?(...)]`.
    Filter(Box<Expr>),
    /// `[(@.length-n)]`: the n-th element from the end (n may be 0 or negative, which selects
    /// nothing, as an index past the end would).
    FromEnd(i64),
    /// A trailing function such as `.length()`.
    Function(Function),
}

/// The functions a path may end with (Jayway's path functions that take no argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Length,
    Min,
    Max,
    Avg,
    Sum,
    StdDev,
    Keys,
    First,
    Last,
}

impl Function {
    pub(crate) fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "length" | "size" => Function::Length,
            "min" => Function::Min,
            "max" => Function::Max,
            "avg" => Function::Avg,
            "sum" => Function::Sum,
            "stddev" => Function::StdDev,
            "keys" => Function::Keys,
            "first" => Function::First,
            "last" => Function::Last,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::Length => "length",
            Function::Min => "min",
            Function::Max => "max",
            Function::Avg => "avg",
            Function::Sum => "sum",
            Function::StdDev => "stddev",
            Function::Keys => "keys",
            Function::First => "first",
            Function::Last => "last",
        }
    }
}

impl Step {
    /// Whether this step selects at most one node from one node (Jayway's `isTokenDefinite`).
    /// A union of names is definite only as the last step, where Jayway merges the properties
    /// into one object.
    pub(crate) fn is_definite(&self, is_last: bool) -> bool {
        match self {
            Step::Property { names, .. } => names.len() == 1 || is_last,
            Step::Index(indexes) => indexes.len() == 1,
            Step::FromEnd(_) | Step::Function(_) => true,
            Step::Slice { .. } | Step::Wildcard | Step::Scan(_) | Step::Filter(_) => false,
        }
    }

    /// The step as Jayway shows it in messages: `['name']`, `[0]`, `[1:3]`, `[*]`, `..`, `[?]`.
    pub(crate) fn fragment(&self) -> String {
        match self {
            Step::Property { names, quote } => {
                let shown: Vec<String> = names
                    .iter()
                    .map(|name| format!("{quote}{}{quote}", escape_name(name)))
                    .collect();
                format!("[{}]", shown.join(","))
            }
            Step::Index(indexes) => {
                let shown: Vec<String> = indexes.iter().map(i64::to_string).collect();
                format!("[{}]", shown.join(","))
            }
            Step::Slice { start, end, step } => {
                let part = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
                match step {
                    Some(s) => format!("[{}:{}:{s}]", part(start), part(end)),
                    None => format!("[{}:{}]", part(start), part(end)),
                }
            }
            Step::Wildcard => "[*]".to_string(),
            Step::Scan(inner) => format!("..{}", inner.fragment()),
            Step::Filter(_) => "[?]".to_string(),
            Step::FromEnd(n) => format!("[(@.length-{n})]"),
            Step::Function(f) => format!(".{}()", f.name()),
        }
    }
}

/// Jayway escapes `\` and `'` when it shows a property name.
fn escape_name(name: &str) -> String {
    name.replace('\\', "\\\\").replace('\'', "\\'")
}

/// Jayway's normalised form of a sequence of steps, rooted at `$`.
pub(crate) fn render(steps: &[Step]) -> String {
    let mut out = String::from("$");
    for step in steps {
        out.push_str(&step.fragment());
    }
    out
}
