//! JSON text from values, as JavaScript's `JSON.stringify` writes it.

use super::errors::Result;
use super::number_format::{js_number_to_string, round_to_15_digits};
use super::stack;
use super::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Plain `JSON.stringify`, for the values quoted in error messages.
    Message,
    /// `$string`: numbers rounded to 15 significant digits, functions as `""`, infinite
    /// numbers an error; optionally indented by two spaces.
    Compact,
    Pretty,
}

/// The JSON text of `value`, or `None` where `JSON.stringify` gives `undefined`.
pub(crate) fn to_json_text(value: &Value, style: Style) -> Option<String> {
    try_to_json_text(value, style).ok().flatten()
}

/// As [`to_json_text`], failing (`D1001`) on infinite numbers in the `$string` styles.
pub(crate) fn try_to_json_text(value: &Value, style: Style) -> Result<Option<String>> {
    let mut out = String::new();
    if write(&mut out, value, style, 0)? {
        Ok(Some(out))
    } else {
        Ok(None)
    }
}

/// A JSON string literal.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `value`; returns false (writing nothing) where JSON has no text for it.
fn write(out: &mut String, value: &Value, style: Style, indent: usize) -> Result<bool> {
    stack::check()?;
    match value {
        Value::Undefined => return Ok(false),
        Value::Function(_) if style == Style::Message => return Ok(false),
        Value::Function(_) => out.push_str("\"\""),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if style == Style::Message {
                push_number(out, *n);
            } else {
                match value.numeric()? {
                    Some(n) => push_number(out, round_to_15_digits(n)),
                    None => out.push_str("null"),
                }
            }
        }
        Value::String(s) => push_quoted(out, s),
        Value::Array(items, _) => write_array(out, items.iter(), style, indent)?,
        Value::Tuples(tuples) => write_array(out, tuples.iter().map(|t| &t.focus), style, indent)?,
        Value::Object(object) => {
            let mut first = true;
            out.push('{');
            for (key, member) in object.iter() {
                let mark = out.len();
                if !first {
                    out.push(',');
                }
                newline(out, style, indent + 1);
                push_quoted(out, key);
                out.push(':');
                if style == Style::Pretty {
                    out.push(' ');
                }
                if write(out, member, style, indent + 1)? {
                    first = false;
                } else {
                    out.truncate(mark);
                }
            }
            if !first {
                newline(out, style, indent);
            }
            out.push('}');
        }
    }
    Ok(true)
}

fn write_array<'a>(
    out: &mut String,
    items: impl Iterator<Item = &'a Value>,
    style: Style,
    indent: usize,
) -> Result<()> {
    out.push('[');
    let mut any = false;
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, style, indent + 1);
        if !write(out, item, style, indent + 1)? {
            out.push_str("null");
        }
        any = true;
    }
    if any {
        newline(out, style, indent);
    }
    out.push(']');
    Ok(())
}

fn newline(out: &mut String, style: Style, indent: usize) {
    if style == Style::Pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(indent));
    }
}

fn push_number(out: &mut String, n: f64) {
    if n.is_finite() {
        out.push_str(&js_number_to_string(n));
    } else {
        out.push_str("null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonata::value::Map;

    fn object(pairs: Vec<(&str, Value)>) -> Value {
        let mut map = Map::new();
        for (k, v) in pairs {
            map.insert(k.into(), v);
        }
        Value::object(map)
    }

    #[test]
    fn compact_and_pretty_forms() {
        let value = object(vec![
            (
                "a",
                Value::array(vec![Value::Number(1.0), Value::Undefined]),
            ),
            ("b", Value::Undefined),
            ("c", Value::string("x\"y\n")),
        ]);
        assert_eq!(
            to_json_text(&value, Style::Compact).unwrap(),
            r#"{"a":[1,null],"c":"x\"y\n"}"#
        );
        assert_eq!(
            to_json_text(&value, Style::Pretty).unwrap(),
            "{\n  \"a\": [\n    1,\n    null\n  ],\n  \"c\": \"x\\\"y\\n\"\n}"
        );
        assert_eq!(
            to_json_text(&Value::array(vec![]), Style::Pretty).unwrap(),
            "[]"
        );
        assert_eq!(to_json_text(&object(vec![]), Style::Pretty).unwrap(), "{}");
    }

    #[test]
    fn string_style_rounds_numbers_and_rejects_infinity() {
        let value = Value::array(vec![Value::Number(0.1 + 0.2)]);
        assert_eq!(to_json_text(&value, Style::Compact).unwrap(), "[0.3]");
        let value = Value::array(vec![Value::Number(f64::INFINITY)]);
        assert_eq!(
            try_to_json_text(&value, Style::Compact).unwrap_err().code,
            "D1001"
        );
        assert_eq!(to_json_text(&value, Style::Message).unwrap(), "[null]");
    }
}
