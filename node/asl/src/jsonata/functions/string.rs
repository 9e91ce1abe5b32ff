//! String functions. Lengths and positions count Unicode code points, as JSONata does.

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::stringify::{Style, try_to_json_text};
use crate::jsonata::value::{ArrayFlags, Value};

/// JSONata's `$string` without prettifying, also used by `&`: strings as they are, functions
/// as `""`, everything else as JSON with numbers rounded to 15 significant digits.
pub(crate) fn to_js_string(value: &Value) -> Result<String> {
    stringify(value, false)
}

fn stringify(value: &Value, pretty: bool) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.to_string()),
        Value::Function(_) | Value::Undefined => Ok(String::new()),
        Value::Number(n) if !n.is_finite() => Err(Thrown::new("D3001").value(value.clone())),
        Value::Array(items, flags) if flags.has(ArrayFlags::OUTER_WRAPPER) && !items.is_empty() => {
            stringify(&items[0], pretty)
        }
        other => {
            let style = if pretty {
                Style::Pretty
            } else {
                Style::Compact
            };
            Ok(try_to_json_text(other, style)?.unwrap_or_default())
        }
    }
}

pub(super) fn string(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    if value.is_undefined() {
        return Ok(Value::Undefined);
    }
    let pretty = matches!(arg(&args, 1), Value::Bool(true));
    let text = stringify(value, pretty)?;
    ev.charge(text.len() as u64 / 8)?;
    Ok(Value::string(text))
}

/// JavaScript's `slice(start, end)` bounds over `length` items.
pub(crate) fn slice_bounds(length: usize, start: f64, end: Option<f64>) -> (usize, usize) {
    let length_f = length as f64;
    let clamp = |position: f64| {
        let position = if position.is_nan() {
            0.0
        } else {
            position.trunc()
        };
        if position < 0.0 {
            (length_f + position).max(0.0)
        } else {
            position.min(length_f)
        }
    };
    let from = clamp(start) as usize;
    let to = end.map_or(length, |end| clamp(end) as usize);
    (from, to.max(from))
}

pub(super) fn substring(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let chars: Vec<char> = text.chars().collect();
    let length = chars.len() as f64;
    let mut start = arg(&args, 1).as_number().unwrap_or(f64::NAN);
    if length + start < 0.0 {
        start = 0.0;
    }
    let end = match arg(&args, 2).as_number() {
        Some(count) if count <= 0.0 => return Ok(Value::string("")),
        Some(count) => Some(if start >= 0.0 {
            start + count
        } else {
            length + start + count
        }),
        None => None,
    };
    let (from, to) = slice_bounds(chars.len(), start, end);
    Ok(Value::string(chars[from..to].iter().collect::<String>()))
}

pub(super) fn substring_before(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let chars = arg(&args, 1).as_str().unwrap_or("undefined");
    Ok(match text.find(chars) {
        Some(at) => Value::string(&text[..at]),
        None => Value::string(text),
    })
}

pub(super) fn substring_after(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let chars = arg(&args, 1).as_str().unwrap_or("undefined");
    Ok(match text.find(chars) {
        Some(at) => Value::string(&text[at + chars.len()..]),
        None => Value::string(text),
    })
}

pub(super) fn lowercase(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(arg(&args, 0)
        .as_str()
        .map_or(Value::Undefined, |s| Value::string(s.to_lowercase())))
}

pub(super) fn uppercase(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(arg(&args, 0)
        .as_str()
        .map_or(Value::Undefined, |s| Value::string(s.to_uppercase())))
}

pub(super) fn length(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(arg(&args, 0).as_str().map_or(
        Value::Undefined,
        |s| Value::Number(s.chars().count() as f64),
    ))
}

/// Runs of spaces, tabs and line breaks become one space; one leading and one trailing space
/// go.
pub(super) fn trim(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let mut normalized = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !in_space {
                normalized.push(' ');
            }
            in_space = true;
        } else {
            normalized.push(c);
            in_space = false;
        }
    }
    let trimmed = normalized.strip_prefix(' ').unwrap_or(&normalized);
    let trimmed = trimmed.strip_suffix(' ').unwrap_or(trimmed);
    Ok(Value::string(trimmed))
}

/// Pads to `|width|` code points: on the right for a positive width, on the left for a
/// negative one.
pub(super) fn pad(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let width = arg(&args, 1).as_number().unwrap_or(f64::NAN);
    let fill = match arg(&args, 2).as_str() {
        Some(fill) if !fill.is_empty() => fill,
        _ => " ",
    };
    let missing = width.abs() - text.chars().count() as f64;
    if missing.is_nan() || missing < 1.0 {
        return Ok(Value::string(text));
    }
    let missing = missing.floor() as usize;
    ev.charge(missing as u64)?;
    let padding: String = fill.chars().cycle().take(missing).collect();
    Ok(Value::string(if width > 0.0 {
        format!("{text}{padding}")
    } else {
        format!("{padding}{text}")
    }))
}

pub(super) fn join(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(items) = arg(&args, 0).as_items() else {
        return Ok(Value::Undefined);
    };
    let separator = arg(&args, 1).as_str().unwrap_or("");
    let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    let total: usize = parts.iter().map(|p| p.len()).sum::<usize>() + separator.len() * parts.len();
    ev.charge(total as u64 / 8)?;
    Ok(Value::string(parts.join(separator)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_like_javascript() {
        assert_eq!(slice_bounds(5, 1.0, Some(3.0)), (1, 3));
        assert_eq!(slice_bounds(5, -2.0, None), (3, 5));
        assert_eq!(slice_bounds(5, 4.0, Some(2.0)), (4, 4));
        assert_eq!(slice_bounds(5, 1.7, Some(9.0)), (1, 5));
    }

    #[test]
    fn json_text_for_non_strings() {
        let value = Value::array(vec![Value::Number(1.0), Value::string("a")]);
        assert_eq!(to_js_string(&value).unwrap(), r#"[1,"a"]"#);
        assert_eq!(to_js_string(&Value::Number(0.1 + 0.2)).unwrap(), "0.3");
        assert_eq!(
            to_js_string(&Value::Number(f64::INFINITY))
                .unwrap_err()
                .code,
            "D3001"
        );
    }
}
