//! `$contains`, `$match`, `$replace` and `$split` with string, regex or custom matcher
//! patterns.
//!
//! JSONata drives patterns through a matcher protocol: calling the matcher with the text gives
//! the first match as `{match, start, end, groups, next}`, and `next()` gives the following
//! one. Regular expressions implement it natively here; any function returning that shape
//! works as a custom matcher. Positions in the protocol are JavaScript string indexes (UTF-16
//! code units).

use std::rc::Rc;
use std::sync::Arc;

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::function::Function;
use crate::jsonata::regex::{JsRegex, RegexMatch, byte_index, utf16_index};
use crate::jsonata::value::{Map, Value};

/// One match, positions in UTF-16 code units.
struct Found {
    text: String,
    start: usize,
    end: usize,
    groups: Vec<Value>,
    /// The whole result object, as a custom matcher returned it.
    object: Option<Value>,
}

/// How to get the next match.
enum Next {
    Regex { from: usize },
    Custom(Value),
}

fn found_from_regex(text: &str, m: &RegexMatch) -> Found {
    let groups = m
        .groups
        .iter()
        .map(|g| g.map_or(Value::Undefined, |(s, e)| Value::string(&text[s..e])))
        .collect();
    Found {
        text: text[m.start..m.end].to_string(),
        start: utf16_index(text, m.start),
        end: utf16_index(text, m.end),
        groups,
        object: None,
    }
}

fn first(ev: &mut Evaluator<'_, '_>, pattern: &Value, text: &str) -> Result<Option<(Found, Next)>> {
    if let Value::Function(function) = pattern
        && let Function::Regex(regex) = &**function
    {
        return Ok(regex.find_at(text, 0).map(|m| {
            let next = Next::Regex { from: m.end };
            (found_from_regex(text, &m), next)
        }));
    }
    let result = ev.apply(pattern, vec![Value::string(text)], &Value::Null)?;
    custom_found(result)
}

fn next(
    ev: &mut Evaluator<'_, '_>,
    pattern: &Value,
    text: &str,
    next: Next,
) -> Result<Option<(Found, Next)>> {
    match next {
        Next::Regex { from } => {
            let Value::Function(function) = pattern else {
                return Ok(None);
            };
            let Function::Regex(regex) = &**function else {
                return Ok(None);
            };
            if from >= text.len() {
                return Ok(None);
            }
            match regex.find_at(text, from) {
                Some(m) if m.start == m.end => Err(zero_length(regex)),
                Some(m) => {
                    let next = Next::Regex { from: m.end };
                    Ok(Some((found_from_regex(text, &m), next)))
                }
                None => Ok(None),
            }
        }
        Next::Custom(function) => {
            let result = ev.apply(&function, vec![Value::Undefined], &Value::Null)?;
            custom_found(result)
        }
    }
}

fn zero_length(regex: &JsRegex) -> Box<Thrown> {
    Thrown::new("D1004").value(Value::string(regex.source.as_str()))
}

/// Reads a custom matcher's result object (`T1010` if it has none of the expected members).
fn custom_found(result: Value) -> Result<Option<(Found, Next)>> {
    let object = match &result {
        Value::Undefined => return Ok(None),
        Value::Object(object) => object.clone(),
        _ if result.is_js_truthy() => return Err(Thrown::new("T1010")),
        _ => return Ok(None),
    };
    let get = |key: &str| object.get(key).cloned().unwrap_or_default();
    let well_formed = matches!(get("start"), Value::Number(_))
        || get("groups").is_array()
        || get("next").is_function();
    if !well_formed {
        return Err(Thrown::new("T1010"));
    }
    let text = match get("match") {
        Value::String(s) => s.to_string(),
        Value::Undefined => "undefined".to_string(),
        other => super::string::to_js_string(&other)?,
    };
    let position = |key: &str| get(key).as_number().filter(|n| *n >= 0.0).unwrap_or(0.0) as usize;
    let found = Found {
        start: position("start"),
        end: position("end"),
        text,
        groups: get("groups").to_items(),
        object: Some(result.clone()),
    };
    Ok(Some((found, Next::Custom(get("next")))))
}

fn negative(value: &Value) -> bool {
    matches!(value, Value::Number(n) if *n < 0.0)
}

/// A limit argument: `None` when absent.
fn limit(value: &Value) -> Option<f64> {
    value.as_number()
}

pub(super) fn contains(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let found = match arg(&args, 1) {
        Value::String(token) => text.contains(&**token),
        pattern => first(ev, pattern, text)?.is_some(),
    };
    Ok(Value::Bool(found))
}

pub(super) fn match_(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let pattern = arg(&args, 1);
    if negative(arg(&args, 2)) {
        return Err(Thrown::new("D3040").value(arg(&args, 2).clone()).index(3));
    }
    let limit = limit(arg(&args, 2));
    let mut results = Vec::new();
    if limit.is_none_or(|l| l > 0.0) {
        let mut current = first(ev, pattern, text)?;
        while let Some((found, continuation)) = current {
            if limit.is_some_and(|l| results.len() as f64 >= l) {
                break;
            }
            ev.charge(1)?;
            let mut object = Map::new();
            object.insert("match".into(), Value::string(found.text));
            object.insert("index".into(), Value::Number(found.start as f64));
            object.insert("groups".into(), Value::array(found.groups));
            results.push(Value::object(object));
            current = next(ev, pattern, text, continuation)?;
        }
    }
    Ok(Value::sequence(results))
}

pub(super) fn replace(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let pattern = arg(&args, 1);
    let replacement = arg(&args, 2);
    if pattern.as_str() == Some("") {
        return Err(Thrown::new("D3010").value(pattern.clone()).index(2));
    }
    if negative(arg(&args, 3)) {
        return Err(Thrown::new("D3011").value(arg(&args, 3).clone()).index(4));
    }
    let limit = limit(arg(&args, 3));
    if limit.is_some_and(|l| l <= 0.0) {
        return Ok(Value::string(text));
    }
    let under_limit = |count: usize| limit.is_none_or(|l| (count as f64) < l);
    let mut result = String::new();
    if let Some(needle) = pattern.as_str() {
        let substitute = replacement.as_str().unwrap_or_default();
        let mut position = 0;
        let mut count = 0;
        while under_limit(count) {
            let Some(offset) = text[position..].find(needle) else {
                break;
            };
            result.push_str(&text[position..position + offset]);
            result.push_str(substitute);
            ev.charge(substitute.len() as u64 / 8 + 1)?;
            position += offset + needle.len();
            count += 1;
        }
        result.push_str(&text[position..]);
        return Ok(Value::string(result));
    }
    let mut current = first(ev, pattern, text)?;
    if current.is_none() {
        return Ok(Value::string(text));
    }
    let mut position = 0;
    let mut count = 0;
    while let Some((found, continuation)) = current {
        if !under_limit(count) {
            break;
        }
        let start = byte_index(text, found.start).max(position);
        result.push_str(&text[position..start]);
        let substitute = match replacement {
            Value::String(template) => expand_template(template, &found),
            function => {
                let argument = found.object.clone().unwrap_or_else(|| match_object(&found));
                match ev.apply(function, vec![argument], &Value::Null)? {
                    Value::String(s) => s.to_string(),
                    other => return Err(Thrown::new("D3012").value(other)),
                }
            }
        };
        ev.charge(substitute.len() as u64 / 8 + 1)?;
        result.push_str(&substitute);
        position = byte_index(text, found.start + found.text.encode_utf16().count()).max(start);
        count += 1;
        current = next(ev, pattern, text, continuation)?;
    }
    result.push_str(&text[position.min(text.len())..]);
    Ok(Value::string(result))
}

/// The object a replacement function receives for a regex match.
fn match_object(found: &Found) -> Value {
    let mut object = Map::new();
    object.insert("match".into(), Value::string(found.text.as_str()));
    object.insert("start".into(), Value::Number(found.start as f64));
    object.insert("end".into(), Value::Number(found.end as f64));
    object.insert("groups".into(), Value::array(found.groups.clone()));
    Value::object(object)
}

/// Expands `$0`, `$1`…, `$$` in a replacement string, as JSONata does: as many digits as
/// the number of groups needs, falling back to one digit fewer when that names no group.
fn expand_template(template: &str, found: &Found) -> String {
    let chars: Vec<char> = template.chars().collect();
    let group_count = found.groups.len();
    let mut out = String::new();
    let mut position = 0;
    while position < chars.len() {
        let Some(offset) = chars[position..].iter().position(|&c| c == '$') else {
            break;
        };
        out.extend(&chars[position..position + offset]);
        position += offset + 1;
        match chars.get(position) {
            Some('$') => {
                out.push('$');
                position += 1;
            }
            Some('0') => {
                out.push_str(&found.text);
                position += 1;
            }
            _ => {
                let max_digits = if group_count == 0 {
                    1
                } else {
                    group_count.ilog10() as usize + 1
                };
                let take = |n: usize| {
                    chars[position..(position + n).min(chars.len())]
                        .iter()
                        .collect::<String>()
                };
                let mut index = parse_int(&take(max_digits));
                if max_digits > 1 && index.is_some_and(|i| i > group_count as i64) {
                    index = parse_int(&take(max_digits - 1));
                }
                match index {
                    Some(index) => {
                        if group_count > 0
                            && index >= 1
                            && let Some(Value::String(group)) = found.groups.get(index as usize - 1)
                        {
                            out.push_str(group);
                        }
                        position += index.to_string().len();
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    if position < chars.len() {
        out.extend(&chars[position..]);
    }
    out
}

/// JavaScript's `parseInt(text, 10)`: optional sign and leading digits.
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().ok().map(|n| sign * n)
}

pub(super) fn split(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let separator = arg(&args, 1);
    if negative(arg(&args, 2)) {
        return Err(Thrown::new("D3020").value(arg(&args, 2).clone()).index(3));
    }
    let limit = limit(arg(&args, 2));
    if limit.is_some_and(|l| l < 1.0) {
        return Ok(Value::array(Vec::new()));
    }
    let max = limit.map_or(usize::MAX, |l| l.min(u32::MAX as f64) as usize);
    let mut parts: Vec<Value> = Vec::new();
    if let Some(separator) = separator.as_str() {
        if separator.is_empty() {
            parts.extend(text.chars().take(max).map(|c| Value::string(c.to_string())));
        } else {
            parts.extend(text.split(separator).take(max).map(Value::string));
        }
        ev.charge(parts.len() as u64)?;
        return Ok(Value::array(parts));
    }
    let mut current = first(ev, separator, text)?;
    if current.is_none() {
        return Ok(Value::array(vec![Value::string(text)]));
    }
    let mut start = 0;
    while let Some((found, continuation)) = current {
        if parts.len() >= max {
            break;
        }
        let at = byte_index(text, found.start).max(start);
        parts.push(Value::string(&text[start..at]));
        ev.charge(1)?;
        start = byte_index(text, found.end).max(at);
        current = next(ev, separator, text, continuation)?;
    }
    if parts.len() < max {
        parts.push(Value::string(&text[start.min(text.len())..]));
    }
    Ok(Value::array(parts))
}

/// A regex called as a function: the match object for the first match at or after `from`.
/// `following` marks a call of a match's `next`, which refuses an empty match (`D1004`).
pub(crate) fn regex_call(
    regex: &Arc<JsRegex>,
    text: Arc<str>,
    from: usize,
    following: bool,
) -> Result<Value> {
    if following && from >= text.len() {
        return Ok(Value::Undefined);
    }
    let Some(m) = regex.find_at(&text, from) else {
        return Ok(Value::Undefined);
    };
    if following && m.start == m.end {
        return Err(zero_length(regex));
    }
    let found = found_from_regex(&text, &m);
    let Value::Object(mut object) = match_object(&found) else {
        return Ok(Value::Undefined);
    };
    let next = Function::RegexNext {
        regex: regex.clone(),
        text: text.clone(),
        from: m.end,
    };
    Rc::make_mut(&mut object).insert("next".into(), Value::function(next));
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, groups: &[&str]) -> Found {
        Found {
            text: text.into(),
            start: 0,
            end: text.len(),
            groups: groups.iter().map(|g| Value::string(*g)).collect(),
            object: None,
        }
    }

    #[test]
    fn replacement_templates() {
        let m = found("ab", &["a", "b"]);
        assert_eq!(expand_template("[$2$1]", &m), "[ba]");
        assert_eq!(expand_template("$$0 $0 $x $", &m), "$0 ab $x $");
        assert_eq!(expand_template("$3", &m), "");
        let many = found(
            "x",
            &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"],
        );
        assert_eq!(expand_template("$11|$12", &many), "11|12");
    }

    #[test]
    fn parse_int_reads_leading_digits() {
        assert_eq!(parse_int("12a"), Some(12));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("x"), None);
    }
}
