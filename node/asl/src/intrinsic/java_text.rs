//! Values as `States.Format` prints them. AWS runs on Java and inserts each argument with
//! `toString()`: strings without quotes, objects as `{k=v, k2=v2}`, arrays as `[a, b]`
//! (recorded in intrinsic_functions/test_context_json_path, where `$$.StateMachine` prints as
//! `{Id=arn:…, Name=…}`), and decimals as `Double.toString` writes them.

use serde_json::{Number, Value};

/// The text `value` is inserted as.
pub(crate) fn to_text(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Integers as written; decimals as Java's `Double.toString`.
pub(crate) fn number_text(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => java_double(f),
        _ => n.to_string(),
    }
}

/// `Double.toString`: plain notation with at least one decimal for magnitudes in [1e-3, 1e7),
/// computerised scientific notation (`1.0E21`) otherwise, using the shortest digits that
/// round-trip.
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sign = if d < 0.0 { "-" } else { "" };
    let abs = d.abs();
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e3", "5e-324".
    let formatted = format!("{abs:e}");
    let (mantissa, exponent) = formatted
        .split_once('e')
        .unwrap_or((formatted.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (1e-3..1e7).contains(&abs) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if point >= digits.len() {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_print_as_java_prints_them() {
        assert_eq!(java_double(1.1), "1.1");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(100.0), "100.0");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1234567.5), "1234567.5");
        assert_eq!(java_double(-2.5e21), "-2.5E21");
        assert_eq!(java_double(0.0), "0.0");
    }

    #[test]
    fn containers_print_as_java_collections() {
        let value = json!({"Id": "arn:x", "Name": "n", "list": [1, 1.5, "s", null, {"a": true}]});
        assert_eq!(
            to_text(&value),
            "{Id=arn:x, Name=n, list=[1, 1.5, s, null, {a=true}]}"
        );
        assert_eq!(to_text(&json!("plain")), "plain");
        assert_eq!(to_text(&json!([])), "[]");
    }
}
