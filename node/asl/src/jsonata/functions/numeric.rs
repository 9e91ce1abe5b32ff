//! Numeric functions and aggregation.

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::number_format::js_number_to_string;
use crate::jsonata::value::Value;

fn numbers(value: &Value) -> Option<Vec<f64>> {
    match value {
        Value::Undefined => None,
        Value::Array(items, _) => Some(items.iter().filter_map(Value::as_number).collect()),
        other => Some(other.as_number().into_iter().collect()),
    }
}

pub(super) fn sum(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(numbers(arg(&args, 0)).map_or(Value::Undefined, |ns| Value::Number(ns.iter().sum())))
}

pub(super) fn max(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(extreme(arg(&args, 0), f64::max))
}

pub(super) fn min(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(extreme(arg(&args, 0), f64::min))
}

/// `Math.max`/`Math.min` over the numbers, where any NaN makes the result NaN.
fn extreme(value: &Value, pick: fn(f64, f64) -> f64) -> Value {
    match numbers(value) {
        Some(ns) if !ns.is_empty() => {
            if ns.iter().any(|n| n.is_nan()) {
                return Value::Number(f64::NAN);
            }
            Value::Number(ns.into_iter().reduce(pick).unwrap_or(f64::NAN))
        }
        _ => Value::Undefined,
    }
}

pub(super) fn average(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(match numbers(arg(&args, 0)) {
        Some(ns) if !ns.is_empty() => Value::Number(ns.iter().sum::<f64>() / ns.len() as f64),
        _ => Value::Undefined,
    })
}

/// `$number`: numbers as they are; decimal strings in JSON syntax, `0x`/`0o`/`0b` literals;
/// booleans as 1 and 0.
pub(super) fn number(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let value = arg(&args, 0);
    Ok(match value {
        Value::Undefined => Value::Undefined,
        Value::Number(n) => Value::Number(*n),
        Value::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
        Value::String(text) => match parse_number(text) {
            Some(n) => Value::Number(n),
            None => return Err(Thrown::new("D3030").value(value.clone()).index(1)),
        },
        _ => return Err(Thrown::new("D3030").value(value.clone()).index(1)),
    })
}

fn parse_number(text: &str) -> Option<f64> {
    if is_json_number(text) {
        return text.parse::<f64>().ok().filter(|n| n.is_finite());
    }
    for (prefix, radix, valid) in [
        ("0x", 16, char::is_ascii_hexdigit as fn(&char) -> bool),
        ("0o", 8, |c: &char| ('0'..='7').contains(c)),
        ("0b", 2, |c: &char| *c == '0' || *c == '1'),
    ] {
        let lower = text.get(..2).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some(prefix) {
            let digits = &text[2..];
            if !digits.is_empty() && digits.chars().all(|c| valid(&c)) {
                return Some(digits.chars().fold(0.0, |acc, c| {
                    acc * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64
                }));
            }
        }
    }
    // JSONata's test for the prefixed forms is looser than JavaScript's `Number()`: strings it
    // lets through that `Number()` rejects come out as NaN rather than an error.
    let loose = text.starts_with("0x") || text.starts_with("0X") || contains_radix_literal(text);
    loose.then_some(f64::NAN)
}

fn contains_radix_literal(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let octal = chars
        .windows(3)
        .any(|w| w[0] == '0' && matches!(w[1], 'o' | 'O') && ('0'..='7').contains(&w[2]));
    let binary_at_end = {
        let digits = chars
            .iter()
            .rev()
            .take_while(|c| matches!(c, '0' | '1'))
            .count();
        digits > 0
            && chars.len() >= digits + 2
            && matches!(chars[chars.len() - digits - 1], 'b' | 'B')
            && chars[chars.len() - digits - 2] == '0'
    };
    octal || binary_at_end
}

/// `-?(0|[1-9][0-9]*)`-less JSON-like syntax JSONata accepts: `-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == bytes.len()
}

fn unary(args: &[Value], f: fn(f64) -> f64) -> Value {
    arg(args, 0)
        .as_number()
        .map_or(Value::Undefined, |n| Value::Number(f(n)))
}

pub(super) fn abs(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(unary(&args, f64::abs))
}

pub(super) fn floor(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(unary(&args, f64::floor))
}

pub(super) fn ceil(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(unary(&args, f64::ceil))
}

pub(super) fn round(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(n) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    Ok(Value::Number(round_half_even(
        n,
        arg(&args, 1).as_number().unwrap_or(0.0),
    )))
}

/// JSONata's `$round`: to `precision` decimal places, halves to even. The decimal point is
/// shifted in the number's text (`1.005` → `100.5`), which avoids binary noise in the shift.
pub(crate) fn round_half_even(value: f64, precision: f64) -> f64 {
    let shifted = precision != 0.0 && !precision.is_nan();
    let mut x = value;
    if shifted {
        x = shift_decimal(x, precision);
    }
    let mut result = js_math_round(x);
    if (result - x).abs() == 0.5 && (result % 2.0).abs() == 1.0 {
        result -= 1.0;
    }
    if shifted {
        result = shift_decimal(result, -precision);
    }
    if result == 0.0 { 0.0 } else { result }
}

/// `+(mantissa + 'e' + (exponent + places))`, on the number's JavaScript text.
fn shift_decimal(x: f64, places: f64) -> f64 {
    let text = js_number_to_string(x);
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<f64>().unwrap_or(0.0)),
        None => (text, 0.0),
    };
    let exponent = exponent + places;
    format!("{mantissa}e{}", js_number_to_string(exponent))
        .parse()
        .unwrap_or(f64::NAN)
}

/// JavaScript's `Math.round`: halves go towards +∞.
fn js_math_round(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let floor = x.floor();
    if x - floor >= 0.5 { floor + 1.0 } else { floor }
}

pub(super) fn sqrt(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(n) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    if n < 0.0 {
        return Err(Thrown::new("D3060").value(Value::Number(n)).index(1));
    }
    Ok(Value::Number(n.sqrt()))
}

pub(super) fn power(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(base) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    let exponent = arg(&args, 1).as_number().unwrap_or(f64::NAN);
    let result = js_pow(base, exponent);
    if !result.is_finite() {
        return Err(Thrown::new("D3061")
            .value(Value::Number(base))
            .value2(Value::Number(exponent))
            .index(1));
    }
    Ok(Value::Number(result))
}

/// `Math.pow`, which differs from IEEE `pow` for a base of ±1 with an infinite or NaN
/// exponent (NaN in JavaScript).
fn js_pow(base: f64, exponent: f64) -> f64 {
    if base.abs() == 1.0 && !exponent.is_finite() {
        return f64::NAN;
    }
    base.powf(exponent)
}

/// `$formatBase`: the rounded value in radix 2 to 36.
pub(super) fn format_base(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(value) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    let value = round_half_even(value, 0.0);
    let radix = match arg(&args, 1).as_number() {
        Some(radix) => round_half_even(radix, 0.0),
        None => 10.0,
    };
    if !(2.0..=36.0).contains(&radix) {
        return Err(Thrown::new("D3100").value(Value::Number(radix)));
    }
    Ok(Value::string(integer_to_radix(value, radix as u32)))
}

/// `Number.prototype.toString(radix)` for a whole number, as V8 writes it: digits are exact
/// while the quotient still has integer precision, and zeros beyond.
fn integer_to_radix(value: f64, radix: u32) -> String {
    if !value.is_finite() {
        return js_number_to_string(value);
    }
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let radix_f = radix as f64;
    let negative = value < 0.0;
    let mut rest = value.abs();
    let mut zeros = 0;
    while rest / radix_f >= EXACT {
        rest /= radix_f;
        zeros += 1;
    }
    let mut digits = Vec::new();
    loop {
        let digit = rest % radix_f;
        digits.push(std::char::from_digit(digit as u32, radix).unwrap_or('0'));
        rest = (rest - digit) / radix_f;
        if rest < 1.0 {
            break;
        }
    }
    if negative {
        digits.push('-');
    }
    digits
        .iter()
        .rev()
        .chain(std::iter::repeat_n(&'0', zeros))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_halves_to_even() {
        assert_eq!(round_half_even(2.5, 0.0), 2.0);
        assert_eq!(round_half_even(3.5, 0.0), 4.0);
        assert_eq!(round_half_even(-2.5, 0.0), -2.0);
        assert_eq!(round_half_even(1.005, 2.0), 1.0);
        assert_eq!(round_half_even(123.456, 2.0), 123.46);
        assert_eq!(round_half_even(12345.0, -2.0), 12300.0);
        assert_eq!(round_half_even(-0.4, 0.0).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn parses_numbers_like_jsonata() {
        assert_eq!(parse_number("1.5e3"), Some(1500.0));
        assert_eq!(parse_number("-0"), Some(-0.0));
        assert_eq!(parse_number("0x1F"), Some(31.0));
        assert_eq!(parse_number("0b101"), Some(5.0));
        assert_eq!(parse_number("1."), None);
        assert_eq!(parse_number(" 1"), None);
        assert!(parse_number("0xZZ").is_some_and(f64::is_nan));
    }

    #[test]
    fn formats_in_other_bases() {
        assert_eq!(integer_to_radix(255.0, 16), "ff");
        assert_eq!(integer_to_radix(-5.0, 2), "-101");
        assert_eq!(integer_to_radix(0.0, 2), "0");
        assert_eq!(
            integer_to_radix(1e100, 36),
            "2hqbczu2ow6000000000000000000000000000000000000000000000000000000"
        );
    }
}
