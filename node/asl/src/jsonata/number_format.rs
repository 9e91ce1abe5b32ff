//! Numbers as JavaScript writes them (`Number.prototype.toString`), which is what JSONata's
//! string functions produce.

/// JavaScript's `String(x)`: shortest round-trip digits, positional notation for decimal
/// exponents from -6 to 20, exponential (`1e+21`, `1.5e-7`) outside it.
pub(crate) fn js_number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let (digits, exponent) = shortest_digits(x.abs());
    let k = digits.len() as i32;
    // The value is 0.DIGITS × 10^n.
    let n = exponent + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let e = n - 1;
        let e_sign = if e >= 0 { "+" } else { "-" };
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

/// The shortest decimal digits that read back as `x` (positive, finite) and the decimal
/// exponent of the first digit.
fn shortest_digits(x: f64) -> (String, i32) {
    split_exponential(&format!("{x:e}"))
}

fn split_exponential(text: &str) -> (String, i32) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits.to_string()
    };
    (digits, exponent.parse().unwrap_or(0))
}

/// `Number(x.toPrecision(15))`: JSONata rounds numbers to 15 significant digits before
/// turning them into text, which hides binary noise such as `0.1 + 0.2`.
pub(crate) fn round_to_15_digits(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// JavaScript's `x.toFixed(digits)` for the magnitudes JSONata formats.
pub(crate) fn to_fixed(x: f64, digits: usize) -> String {
    if x.abs() >= 1e21 || !x.is_finite() {
        return js_number_to_string(x);
    }
    format!("{x:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_javascript() {
        let cases = [
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789.125, "123456789.125"),
            (9.33262154439441e155, "9.33262154439441e+155"),
            (-0.0, "0"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for (x, text) in cases {
            assert_eq!(js_number_to_string(x), text, "{x}");
        }
    }

    #[test]
    fn rounds_to_fifteen_significant_digits() {
        assert_eq!(round_to_15_digits(0.1 + 0.2), 0.3);
        assert_eq!(round_to_15_digits(123.456), 123.456);
    }
}
