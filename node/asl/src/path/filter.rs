//! Filter expressions (`[?(@.price < 10 && @.tags contains 'x')]`): their syntax tree and
//! parser. Evaluation lives in `predicate.rs`.

use serde_json::Value;

use super::ParseError;
use super::ast::Step;
use super::cursor::Cursor;
use super::literal;
use super::parser::{Mode, parse_steps};

/// A boolean filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `@.x` alone: true when the path selects something.
    Exists(Operand),
    Compare {
        left: Operand,
        op: Op,
        right: Operand,
    },
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// `@…`: relative to the element being tested.
    Current(Vec<Step>),
    /// `$…`: relative to the document the whole path is applied to.
    Root(Vec<Step>),
    Literal(Value),
    Regex(Pattern),
}

/// A `/regex/flags` literal. Jayway matches it against the whole string.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub(crate) source: String,
    pub(crate) regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// The relational operators Jayway supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Matches,
    In,
    Nin,
    Contains,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

/// Keeps a compiled regex from growing without bound on hostile input.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Parses an expression up to (not including) the `)` that closes the filter.
pub(crate) fn parse_expr(cur: &mut Cursor<'_>) -> Result<Expr, ParseError> {
    cur.enter()?;
    let mut left = parse_and(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("||") {
            break;
        }
        let right = parse_and(cur)?;
        left = Expr::Or(Box::new(left), Box::new(right));
    }
    cur.leave();
    Ok(left)
}

fn parse_and(cur: &mut Cursor<'_>) -> Result<Expr, ParseError> {
    let mut left = parse_unary(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("&&") {
            break;
        }
        let right = parse_unary(cur)?;
        left = Expr::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_unary(cur: &mut Cursor<'_>) -> Result<Expr, ParseError> {
    cur.skip_ws();
    if cur.peek() == Some('!') && cur.peek_nth(1) != Some('=') {
        cur.bump();
        cur.enter()?;
        let inner = parse_unary(cur)?;
        cur.leave();
        return Ok(Expr::Not(Box::new(inner)));
    }
    if cur.eat('(') {
        let inner = parse_expr(cur)?;
        cur.skip_ws();
        cur.expect(')', "')'")?;
        return Ok(inner);
    }
    parse_relation(cur)
}

fn parse_relation(cur: &mut Cursor<'_>) -> Result<Expr, ParseError> {
    let left = parse_operand(cur)?;
    cur.skip_ws();
    let Some(op) = parse_op(cur) else {
        return match left {
            Operand::Current(_) | Operand::Root(_) => Ok(Expr::Exists(left)),
            _ => Err(cur.error("expected a comparison operator")),
        };
    };
    let right = parse_operand(cur)?;
    Ok(Expr::Compare { left, op, right })
}

fn parse_op(cur: &mut Cursor<'_>) -> Option<Op> {
    const SYMBOLS: [(&str, Op); 7] = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("=~", Op::Matches),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    for (symbol, op) in SYMBOLS {
        if cur.eat_str(symbol) {
            return Some(op);
        }
    }
    const WORDS: [(&str, Op); 8] = [
        ("subsetof", Op::SubsetOf),
        ("contains", Op::Contains),
        ("noneof", Op::NoneOf),
        ("anyof", Op::AnyOf),
        ("empty", Op::Empty),
        ("size", Op::Size),
        ("nin", Op::Nin),
        ("in", Op::In),
    ];
    for (word, op) in WORDS {
        let is_whole_word = cur.rest().strip_prefix(word).is_some_and(|after| {
            after
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        });
        if is_whole_word {
            cur.eat_str(word);
            return Some(op);
        }
    }
    None
}

fn parse_operand(cur: &mut Cursor<'_>) -> Result<Operand, ParseError> {
    cur.skip_ws();
    match cur.peek() {
        Some('@') => {
            cur.bump();
            cur.enter()?;
            let steps = parse_steps(cur, Mode::Embedded)?;
            cur.leave();
            Ok(Operand::Current(steps))
        }
        Some('$') => {
            cur.bump();
            cur.enter()?;
            let steps = parse_steps(cur, Mode::Embedded)?;
            cur.leave();
            Ok(Operand::Root(steps))
        }
        Some('/') => parse_pattern(cur).map(Operand::Regex),
        _ => literal::parse_literal(cur).map(Operand::Literal),
    }
}

/// `/source/flags`, with the flags `i`, `m`, `s` and `x`.
fn parse_pattern(cur: &mut Cursor<'_>) -> Result<Pattern, ParseError> {
    cur.expect('/', "'/'")?;
    let start = cur.pos();
    loop {
        match cur.bump() {
            None => return Err(cur.error("unterminated regular expression")),
            Some('\\') => {
                cur.bump();
            }
            Some('/') => break,
            Some(_) => {}
        }
    }
    let source = cur.slice(start, cur.pos() - 1).to_string();
    let mut builder = regex::RegexBuilder::new(&format!("^(?:{source})$"));
    builder.size_limit(REGEX_SIZE_LIMIT).nest_limit(64);
    while let Some(flag) = cur.peek().filter(|c| c.is_ascii_alphabetic()) {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'x' => builder.ignore_whitespace(true),
            other => return Err(cur.error(format!("unknown regular expression flag '{other}'"))),
        };
        cur.bump();
    }
    let regex = builder
        .build()
        .map_err(|e| cur.error(format!("invalid regular expression /{source}/: {e}")))?;
    Ok(Pattern { source, regex })
}
