//! Parses `States.Name(arg, …)`: arguments are single-quoted strings, numbers, `null`, `true`,
//! `false`, paths (`$.x`, `$$.x`, `$var.x`) and nested calls, at most [`MAX_DEPTH`] deep.

use serde_json::Number;

use super::ast::{Arg, Call, Function, StringLiteral};
use crate::path::cursor::Cursor;
use crate::path::{ParseError, Path};

/// AWS allows intrinsic functions to be nested up to 10 levels within a field.
pub(crate) const MAX_DEPTH: usize = 10;

pub(crate) fn parse_call_text(text: &str) -> Result<Call, ParseError> {
    let mut cur = Cursor::new(text);
    cur.skip_ws();
    let call = parse_call(&mut cur, 1)?;
    cur.skip_ws();
    if !cur.is_at_end() {
        return Err(cur.error(format!("unexpected text '{}' after the call", cur.rest())));
    }
    Ok(call)
}

fn parse_call(cur: &mut Cursor<'_>, depth: usize) -> Result<Call, ParseError> {
    if depth > MAX_DEPTH {
        return Err(cur.error(format!(
            "intrinsic functions can be nested at most {MAX_DEPTH} levels deep"
        )));
    }
    let start = cur.pos();
    while cur
        .peek()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        cur.bump();
    }
    let name = cur.slice(start, cur.pos());
    if name.is_empty() {
        return Err(cur.error("expected a JSONPath or an intrinsic function such as States.Format"));
    }
    let Some(function) = Function::from_name(name) else {
        return Err(ParseError {
            message: format!("'{name}' is not a JSONPath or intrinsic function expression"),
            offset: start,
        });
    };
    cur.skip_ws();
    cur.expect('(', &format!("'(' after {name}"))?;
    let mut args = Vec::new();
    cur.skip_ws();
    if !cur.eat(')') {
        loop {
            args.push(parse_arg(cur, depth)?);
            cur.skip_ws();
            if cur.eat(')') {
                break;
            }
            cur.expect(',', &format!("',' or ')' in the arguments of {name}"))?;
        }
    }
    Ok(Call { function, args })
}

fn parse_arg(cur: &mut Cursor<'_>, depth: usize) -> Result<Arg, ParseError> {
    cur.skip_ws();
    match cur.peek() {
        Some('\'') => parse_string(cur).map(Arg::String),
        Some('$') => parse_path(cur).map(Arg::Path),
        Some(c) if c == '-' || c.is_ascii_digit() => parse_number(cur).map(Arg::Number),
        Some(_) => {
            for (word, arg) in [
                ("null", Arg::Null),
                ("true", Arg::Bool(true)),
                ("false", Arg::Bool(false)),
            ] {
                let ends_word = cur.rest().strip_prefix(word).is_some_and(|after| {
                    after
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                });
                if ends_word {
                    cur.eat_str(word);
                    return Ok(arg);
                }
            }
            parse_call(cur, depth + 1).map(Arg::Call)
        }
        None => Err(cur.error("expected an argument")),
    }
}

/// `'…'`; a backslash escapes the next character, so `\'` does not end the string.
fn parse_string(cur: &mut Cursor<'_>) -> Result<StringLiteral, ParseError> {
    cur.expect('\'', "a quote")?;
    let start = cur.pos();
    loop {
        match cur.bump() {
            None => return Err(cur.error("unterminated string literal")),
            Some('\\') => {
                cur.bump();
            }
            Some('\'') => break,
            Some(_) => {}
        }
    }
    Ok(StringLiteral::new(cur.slice(start, cur.pos() - 1)))
}

fn parse_number(cur: &mut Cursor<'_>) -> Result<Number, ParseError> {
    let start = cur.pos();
    cur.eat('-');
    let digits = |cur: &mut Cursor<'_>| {
        let from = cur.pos();
        while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
            cur.bump();
        }
        cur.pos() > from
    };
    let mut integral = digits(cur);
    let mut is_float = false;
    if cur.peek() == Some('.') && cur.peek_nth(1).is_some_and(|c| c.is_ascii_digit()) {
        cur.bump();
        digits(cur);
        is_float = true;
        integral = true;
    }
    if integral && matches!(cur.peek(), Some('e' | 'E')) {
        cur.bump();
        if !cur.eat('+') {
            cur.eat('-');
        }
        if !digits(cur) {
            return Err(cur.error("expected digits in the exponent"));
        }
        is_float = true;
    }
    let text = cur.slice(start, cur.pos());
    let invalid = || ParseError {
        message: format!("invalid number '{text}'"),
        offset: start,
    };
    if !integral {
        return Err(invalid());
    }
    if !is_float && let Ok(n) = text.parse::<i64>() {
        return Ok(n.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .ok_or_else(invalid)
}

/// A path argument runs to the `,` or `)` that ends it, skipping over brackets (which may hold
/// quoted names, commas and filter parentheses).
fn parse_path(cur: &mut Cursor<'_>) -> Result<Path, ParseError> {
    let start = cur.pos();
    let mut brackets = 0usize;
    let mut quote: Option<char> = None;
    while let Some(c) = cur.peek() {
        if let Some(q) = quote {
            cur.bump();
            if c == '\\' {
                cur.bump();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            '\'' | '"' if brackets > 0 => quote = Some(c),
            ',' | ')' if brackets == 0 => break,
            c if c.is_whitespace() && brackets == 0 => break,
            _ => {}
        }
        cur.bump();
    }
    let text = cur.slice(start, cur.pos());
    Path::parse(text).map_err(|e| ParseError {
        message: format!("invalid path '{text}': {}", e.message),
        offset: start + e.offset,
    })
}
