//! Parses path text into a root and steps, following Jayway JsonPath's syntax: dot and bracket
//! children, quoted names, `*`, `..`, index unions, slices, filters and trailing functions.

use super::ast::{Function, Step};
use super::cursor::Cursor;
use super::filter;
use super::{ParseError, Root};

/// Where a run of steps is being read, which decides where a dot-notation name ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A whole path: a name runs to the next `.`, `[` or `(` and must not contain blanks.
    TopLevel,
    /// A path inside a filter expression: a name also ends at blanks, operators and brackets.
    Embedded,
}

/// Parses a complete path (`$…`, `$$…` or `$name…`). Blanks around it are ignored, as Jayway
/// trims a path before compiling it.
pub(crate) fn parse_path(text: &str) -> Result<(Root, Vec<Step>), ParseError> {
    let mut cur = Cursor::new(text.trim_end());
    cur.skip_ws();
    if !cur.eat('$') {
        return Err(cur.error("a path must start with '$'"));
    }
    let root = if cur.eat('$') {
        Root::Context
    } else if cur.peek().is_some_and(is_identifier_start) {
        let start = cur.pos();
        while cur.peek().is_some_and(is_identifier_continue) {
            cur.bump();
        }
        Root::Variable(cur.slice(start, cur.pos()).to_string())
    } else {
        Root::Input
    };
    let steps = parse_steps(&mut cur, Mode::TopLevel)?;
    if !cur.is_at_end() {
        return Err(cur.error(format!("unexpected text '{}'", cur.rest())));
    }
    Ok((root, steps))
}

pub(crate) fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_identifier_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads steps until the text ends or, in [`Mode::Embedded`], until a character that cannot
/// continue a path.
pub(crate) fn parse_steps(cur: &mut Cursor<'_>, mode: Mode) -> Result<Vec<Step>, ParseError> {
    let mut steps = Vec::new();
    loop {
        if matches!(steps.last(), Some(Step::Function(_))) {
            // Jayway evaluates a function on everything before it; nothing may follow.
            if continues_path(cur) {
                return Err(cur.error("a path function must be the last step"));
            }
            return Ok(steps);
        }
        match cur.peek() {
            None => return Ok(steps),
            Some('.') if cur.peek_nth(1) == Some('.') => {
                cur.bump();
                cur.bump();
                steps.push(Step::Scan(Box::new(parse_scan_target(cur, mode)?)));
            }
            Some('.') => {
                cur.bump();
                steps.push(parse_after_dot(cur, mode)?);
            }
            Some('[') => steps.push(parse_bracket(cur)?),
            Some(c) if mode == Mode::TopLevel => {
                return Err(cur.error(format!("unexpected character '{c}'")));
            }
            Some(_) => return Ok(steps),
        }
    }
}

fn continues_path(cur: &Cursor<'_>) -> bool {
    matches!(cur.peek(), Some('.' | '['))
}

/// What follows `..`: a name, `*` or a bracket.
fn parse_scan_target(cur: &mut Cursor<'_>, mode: Mode) -> Result<Step, ParseError> {
    match cur.peek() {
        None => Err(cur.error("a path must not end with '..'")),
        Some('.') => Err(cur.error("'...' is not a valid path step")),
        Some('[') => parse_bracket(cur),
        Some('*') => {
            cur.bump();
            Ok(Step::Wildcard)
        }
        Some(_) => match parse_dot_name(cur, mode)? {
            Step::Function(_) => Err(cur.error("a function cannot follow '..'")),
            step => Ok(step),
        },
    }
}

/// What follows a single `.`: `*`, a bracket (`$.['a b']`, as AWS documents it) or a name.
fn parse_after_dot(cur: &mut Cursor<'_>, mode: Mode) -> Result<Step, ParseError> {
    match cur.peek() {
        None => Err(cur.error("a path must not end with '.'")),
        Some('*') => {
            cur.bump();
            Ok(Step::Wildcard)
        }
        Some('[') => parse_bracket(cur),
        Some(_) => parse_dot_name(cur, mode),
    }
}

/// A dot-notation name, or a function call such as `length()`.
fn parse_dot_name(cur: &mut Cursor<'_>, mode: Mode) -> Result<Step, ParseError> {
    let start = cur.pos();
    while let Some(c) = cur.peek() {
        if c == '.' || c == '[' || c == '(' {
            break;
        }
        if c.is_whitespace() {
            if mode == Mode::TopLevel {
                return Err(cur
                    .error("use bracket notation ['my prop'] if a property name contains blanks"));
            }
            break;
        }
        if mode == Mode::Embedded
            && matches!(c, ')' | ']' | ',' | '=' | '!' | '<' | '>' | '&' | '|')
        {
            break;
        }
        cur.bump();
    }
    let name = cur.slice(start, cur.pos());
    if name.is_empty() {
        return Err(cur.error("expected a property name"));
    }
    if cur.peek() == Some('(') {
        let Some(function) = Function::from_name(name) else {
            return Err(cur.error(format!("unknown path function '{name}()'")));
        };
        cur.bump();
        cur.skip_ws();
        cur.expect(')', "')': path functions take no arguments")?;
        return Ok(Step::Function(function));
    }
    Ok(Step::Property {
        names: vec![name.to_string()],
        quote: '\'',
    })
}

/// A bracket step; the cursor is on the `[`.
fn parse_bracket(cur: &mut Cursor<'_>) -> Result<Step, ParseError> {
    cur.expect('[', "'['")?;
    cur.skip_ws();
    let step = match cur.peek() {
        Some('?') => {
            cur.bump();
            cur.skip_ws();
            cur.expect('(', "'(' after '?'")?;
            let expr = filter::parse_expr(cur)?;
            cur.skip_ws();
            cur.expect(')', "')' to close the filter")?;
            Step::Filter(Box::new(expr))
        }
        Some('(') => parse_script_index(cur)?,
        Some(quote @ ('\'' | '"')) => parse_quoted_names(cur, quote)?,
        Some('*') => {
            cur.bump();
            Step::Wildcard
        }
        Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => parse_indexes(cur)?,
        Some(c) => return Err(cur.error(format!("unexpected character '{c}' after '['"))),
        None => return Err(cur.error("unterminated '['")),
    };
    cur.skip_ws();
    cur.expect(']', "']'")?;
    Ok(step)
}

/// `'a'` or `'a', 'b'`. A backslash keeps the next character from ending the name but stays in
/// it: AWS matches `$['Test\""Name"']` against the key `Test\""Name"` (recorded in
/// scenarios/test_escape_sequence_parsing/ESCAPE_SEQUENCES_JSONPATH).
fn parse_quoted_names(cur: &mut Cursor<'_>, quote: char) -> Result<Step, ParseError> {
    let mut names = Vec::new();
    loop {
        cur.skip_ws();
        if !cur.eat(quote) {
            return Err(cur.error(format!("expected a name in {quote}quotes{quote}")));
        }
        let start = cur.pos();
        loop {
            match cur.bump() {
                None => return Err(cur.error("unterminated quoted name")),
                Some('\\') => {
                    if cur.bump().is_none() {
                        return Err(cur.error("unterminated quoted name"));
                    }
                }
                Some(c) if c == quote => break,
                Some(_) => {}
            }
        }
        let end = cur.pos() - quote.len_utf8();
        names.push(cur.slice(start, end).to_string());
        cur.skip_ws();
        if !cur.eat(',') {
            return Ok(Step::Property { names, quote });
        }
    }
}

/// `[0]`, `[0, -1]`, `[1:]`, `[:2]`, `[1:5:2]`.
fn parse_indexes(cur: &mut Cursor<'_>) -> Result<Step, ParseError> {
    let first = parse_optional_int(cur)?;
    cur.skip_ws();
    if cur.peek() == Some(':') {
        cur.bump();
        let end = parse_optional_int(cur)?;
        cur.skip_ws();
        let step = if cur.eat(':') {
            parse_optional_int(cur)?
        } else {
            None
        };
        if step == Some(0) {
            return Err(cur.error("a slice step must not be 0"));
        }
        return Ok(Step::Slice {
            start: first,
            end,
            step,
        });
    }
    let Some(first) = first else {
        return Err(cur.error("expected an index"));
    };
    let mut indexes = vec![first];
    while cur.eat(',') {
        match parse_optional_int(cur)? {
            Some(index) => indexes.push(index),
            None => return Err(cur.error("expected an index after ','")),
        }
        cur.skip_ws();
    }
    Ok(Step::Index(indexes))
}

fn parse_optional_int(cur: &mut Cursor<'_>) -> Result<Option<i64>, ParseError> {
    cur.skip_ws();
    let start = cur.pos();
    cur.eat('-');
    while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
        cur.bump();
    }
    let text = cur.slice(start, cur.pos());
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>().map(Some).map_err(|_| ParseError {
        message: format!("invalid index '{text}'"),
        offset: start,
    })
}

/// `[(@.length-1)]`: the script form some validators accept for "n-th from the end".
fn parse_script_index(cur: &mut Cursor<'_>) -> Result<Step, ParseError> {
    cur.expect('(', "'('")?;
    cur.skip_ws();
    if !cur.eat_str("@.length") {
        return Err(cur.error("only (@.length-n) is supported as a script index"));
    }
    cur.skip_ws();
    let n = if cur.eat('-') {
        match parse_optional_int(cur)? {
            Some(n) => n,
            None => return Err(cur.error("expected a number after '-'")),
        }
    } else {
        0
    };
    cur.skip_ws();
    cur.expect(')', "')'")?;
    Ok(Step::FromEnd(n))
}

/// Why `steps` are not a Reference Path (one that names a single node), if they are not.
pub(crate) fn reference_problem(steps: &[Step]) -> Option<String> {
    for step in steps {
        let problem = match step {
            Step::Property { names, .. } if names.len() > 1 => "unions of names (',')",
            Step::Index(indexes) if indexes.len() > 1 => "unions of indexes (',')",
            Step::Property { .. } | Step::Index(_) => continue,
            Step::Slice { .. } => "slices (':')",
            Step::Wildcard => "wildcards ('*')",
            Step::Scan(_) => "deep scans ('..')",
            Step::Filter(_) => "filters ('?' and '@')",
            Step::FromEnd(_) => "script expressions ('@')",
            Step::Function(_) => "functions such as length()",
        };
        return Some(format!(
            "a reference path must identify a single node and cannot use {problem}"
        ));
    }
    None
}
