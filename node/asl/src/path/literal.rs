//! Literal values inside filter expressions: numbers, quoted strings, `true`/`false`/`null`,
//! and JSON arrays or objects whose strings may use either quote (as json-smart, which Jayway
//! uses, accepts).

use serde_json::{Map, Number, Value};

use super::ParseError;
use super::cursor::Cursor;

/// Reads one literal; the cursor is on its first character.
pub(crate) fn parse_literal(cur: &mut Cursor<'_>) -> Result<Value, ParseError> {
    cur.skip_ws();
    match cur.peek() {
        Some(q @ ('\'' | '"')) => parse_string(cur, q).map(Value::String),
        Some('[') => parse_array(cur),
        Some('{') => parse_object(cur),
        Some(c) if c == '-' || c.is_ascii_digit() => parse_number(cur),
        Some(c) if c.is_alphabetic() || c == '_' => Ok(parse_word(cur)),
        Some(c) => Err(cur.error(format!(
            "unexpected character '{c}' where a value was expected"
        ))),
        None => Err(cur.error("expected a value")),
    }
}

/// A quoted string with the usual JSON escapes (plus `\'`).
pub(crate) fn parse_string(cur: &mut Cursor<'_>, quote: char) -> Result<String, ParseError> {
    cur.expect(quote, "a quote")?;
    let mut out = String::new();
    loop {
        match cur.bump() {
            None => return Err(cur.error("unterminated string")),
            Some(c) if c == quote => return Ok(out),
            Some('\\') => match cur.bump() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => out.push(parse_unicode_escape(cur)?),
                Some(c) => out.push(c),
                None => return Err(cur.error("unterminated string")),
            },
            Some(c) => out.push(c),
        }
    }
}

fn parse_unicode_escape(cur: &mut Cursor<'_>) -> Result<char, ParseError> {
    let start = cur.pos();
    for _ in 0..4 {
        if !cur.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            return Err(cur.error("expected four hexadecimal digits after '\\u'"));
        }
        cur.bump();
    }
    let code = u32::from_str_radix(cur.slice(start, cur.pos()), 16)
        .map_err(|_| cur.error("invalid '\\u' escape"))?;
    // A lone surrogate cannot be a Rust char; keep the replacement character instead.
    Ok(char::from_u32(code).unwrap_or('\u{fffd}'))
}

fn parse_number(cur: &mut Cursor<'_>) -> Result<Value, ParseError> {
    let start = cur.pos();
    cur.eat('-');
    let mut is_float = false;
    while let Some(c) = cur.peek() {
        match c {
            '0'..='9' => {}
            '.' | 'e' | 'E' => is_float = true,
            '+' | '-' if matches!(cur.slice(start, cur.pos()).chars().last(), Some('e' | 'E')) => {}
            _ => break,
        }
        cur.bump();
    }
    let text = cur.slice(start, cur.pos());
    let invalid = || ParseError {
        message: format!("invalid number '{text}'"),
        offset: start,
    };
    if !is_float && let Ok(n) = text.parse::<i64>() {
        return Ok(Value::Number(n.into()));
    }
    let f: f64 = text.parse().map_err(|_| invalid())?;
    Number::from_f64(f).map(Value::Number).ok_or_else(invalid)
}

/// `true`, `false`, `null`, or a bare word, which is taken as a string: some validators accept
/// `[?(@.OutputKey == FooBar)]` (validation case asl-validator/valid-current-value-predicate).
fn parse_word(cur: &mut Cursor<'_>) -> Value {
    let start = cur.pos();
    while cur
        .peek()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        cur.bump();
    }
    match cur.slice(start, cur.pos()) {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        word => Value::String(word.to_string()),
    }
}

fn parse_array(cur: &mut Cursor<'_>) -> Result<Value, ParseError> {
    cur.enter()?;
    cur.expect('[', "'['")?;
    let mut items = Vec::new();
    cur.skip_ws();
    if !cur.eat(']') {
        loop {
            items.push(parse_literal(cur)?);
            cur.skip_ws();
            if cur.eat(']') {
                break;
            }
            cur.expect(',', "',' or ']' in an array")?;
        }
    }
    cur.leave();
    Ok(Value::Array(items))
}

fn parse_object(cur: &mut Cursor<'_>) -> Result<Value, ParseError> {
    cur.enter()?;
    cur.expect('{', "'{'")?;
    let mut map = Map::new();
    cur.skip_ws();
    if !cur.eat('}') {
        loop {
            cur.skip_ws();
            let key = match cur.peek() {
                Some(q @ ('\'' | '"')) => parse_string(cur, q)?,
                _ => return Err(cur.error("expected a quoted key")),
            };
            cur.skip_ws();
            cur.expect(':', "':' after a key")?;
            let value = parse_literal(cur)?;
            map.insert(key, value);
            cur.skip_ws();
            if cur.eat('}') {
                break;
            }
            cur.expect(',', "',' or '}' in an object")?;
        }
    }
    cur.leave();
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn must_parse(text: &str) -> Value {
        parse_literal(&mut Cursor::new(text)).unwrap()
    }

    #[test]
    fn literals_of_every_kind_parse() {
        assert_eq!(must_parse("12"), json!(12));
        assert_eq!(must_parse("-1.5"), json!(-1.5));
        assert_eq!(must_parse("1e3"), json!(1000.0));
        assert_eq!(must_parse("'it\\'s'"), json!("it's"));
        assert_eq!(must_parse("\"a\\u0041\""), json!("aA"));
        assert_eq!(must_parse("true"), json!(true));
        assert_eq!(must_parse("null"), json!(null));
        assert_eq!(must_parse("['a', 1, [null]]"), json!(["a", 1, [null]]));
        assert_eq!(must_parse("{'k': [1]}"), json!({"k": [1]}));
        assert_eq!(must_parse("FooBar"), json!("FooBar"));
    }

    #[test]
    fn deeply_nested_arrays_are_refused_not_overflowing() {
        let text = "[".repeat(10_000);
        assert!(parse_literal(&mut Cursor::new(&text)).is_err());
    }
}
