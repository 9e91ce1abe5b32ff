//! `$formatInteger` and `$parseInteger`: integers as decimal digit patterns (`#,##0`), letters
//! (`a`, `A`), roman numerals (`i`, `I`) or English words (`w`, `W`, `Ww`), as in XPath's
//! `format-integer`. The same analysis serves the integer components of date pictures.

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::number_format::js_number_to_string;
use crate::jsonata::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primary {
    Decimal,
    Letters,
    Roman,
    Words,
    /// A numbering sequence this implementation does not support (`D3130`).
    Sequence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Grouping {
    /// The same separator every `position` digits.
    Regular { position: usize, separator: char },
    /// Separators at these positions (counted from the right).
    Irregular(Vec<(usize, char)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IntegerFormat {
    pub primary: Primary,
    pub case: Case,
    pub ordinal: bool,
    /// The code point of the zero digit of the digit family used.
    pub zero: u32,
    pub mandatory_digits: usize,
    pub optional_digits: usize,
    pub grouping: Grouping,
    /// The picture text, for `D3130`.
    pub token: String,
}

const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// The zero of the decimal digit family `c` belongs to.
pub(crate) fn digit_family(c: char) -> Option<u32> {
    let code = c as u32;
    DECIMAL_GROUPS
        .iter()
        .copied()
        .find(|&zero| (zero..=zero + 9).contains(&code))
}

pub(crate) fn analyse(picture: &str) -> Result<IntegerFormat> {
    let mut format = IntegerFormat {
        primary: Primary::Decimal,
        case: Case::Lower,
        ordinal: false,
        zero: 0x30,
        mandatory_digits: 0,
        optional_digits: 0,
        grouping: Grouping::Irregular(Vec::new()),
        token: String::new(),
    };
    let primary = match picture.rfind(';') {
        Some(at) => {
            format.ordinal = picture[at + 1..].starts_with('o');
            &picture[..at]
        }
        None => picture,
    };
    match primary {
        "A" | "a" => {
            format.primary = Primary::Letters;
            format.case = if primary == "A" {
                Case::Upper
            } else {
                Case::Lower
            };
        }
        "I" | "i" => {
            format.primary = Primary::Roman;
            format.case = if primary == "I" {
                Case::Upper
            } else {
                Case::Lower
            };
        }
        "W" => (format.primary, format.case) = (Primary::Words, Case::Upper),
        "Ww" => (format.primary, format.case) = (Primary::Words, Case::Title),
        "w" => format.primary = Primary::Words,
        _ => {
            let mut zero: Option<u32> = None;
            let mut separators = Vec::new();
            let mut position = 0;
            for c in primary.chars().rev() {
                if let Some(family) = digit_family(c) {
                    format.mandatory_digits += 1;
                    position += 1;
                    match zero {
                        None => zero = Some(family),
                        Some(z) if z != family => return Err(Thrown::new("D3131")),
                        Some(_) => {}
                    }
                } else if c == '#' {
                    position += 1;
                    format.optional_digits += 1;
                } else {
                    separators.push((position, c));
                }
            }
            if format.mandatory_digits > 0 {
                format.zero = zero.unwrap_or(0x30);
                format.grouping = regular_grouping(&separators).map_or(
                    Grouping::Irregular(separators),
                    |(position, separator)| Grouping::Regular {
                        position,
                        separator,
                    },
                );
            } else {
                format.primary = Primary::Sequence;
                format.token = primary.to_string();
            }
        }
    }
    Ok(format)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A separator repeated at a fixed interval: the interval and the separator.
fn regular_grouping(separators: &[(usize, char)]) -> Option<(usize, char)> {
    let (_, separator) = *separators.first()?;
    if separators.iter().any(|&(_, c)| c != separator) {
        return None;
    }
    let factor = separators.iter().map(|&(p, _)| p).reduce(gcd)?;
    if factor == 0 {
        return None;
    }
    let regular = (1..=separators.len()).all(|i| separators.iter().any(|&(p, _)| p == i * factor));
    regular.then_some((factor, separator))
}

pub(crate) fn format(value: f64, format: &IntegerFormat) -> Result<String> {
    if !value.is_finite() {
        // JavaScript recurses or loops forever on these; refuse them instead.
        return Err(Thrown::new("D1001").value(Value::Number(value)));
    }
    let negative = value < 0.0;
    let value = value.abs();
    let mut text = match format.primary {
        Primary::Letters => letters(value, if format.case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman => {
            let roman = roman(value);
            if format.case == Case::Upper {
                roman.to_uppercase()
            } else {
                roman
            }
        }
        Primary::Words => {
            let words = super::words::number_to_words(value, format.ordinal);
            match format.case {
                Case::Upper => words.to_uppercase(),
                Case::Lower => words.to_lowercase(),
                Case::Title => words,
            }
        }
        Primary::Decimal => decimal(value, format),
        Primary::Sequence => {
            return Err(Thrown::new("D3130").value(Value::string(format.token.as_str())));
        }
    };
    if negative {
        text.insert(0, '-');
    }
    Ok(text)
}

fn decimal(value: f64, format: &IntegerFormat) -> String {
    let digits = js_number_to_string(value);
    let mut chars: Vec<char> = digits.chars().collect();
    if chars.len() < format.mandatory_digits {
        let mut padded = vec!['0'; format.mandatory_digits - chars.len()];
        padded.extend(chars);
        chars = padded;
    }
    if format.zero != 0x30 {
        for c in &mut chars {
            if c.is_ascii_digit() {
                *c = char::from_u32(*c as u32 - 0x30 + format.zero).unwrap_or(*c);
            }
        }
    }
    match &format.grouping {
        Grouping::Regular {
            position,
            separator,
        } => {
            let groups = (chars.len().saturating_sub(1)) / position;
            for i in (1..=groups).rev() {
                let at = chars.len() - i * position;
                chars.insert(at, *separator);
            }
        }
        Grouping::Irregular(separators) => {
            for &(position, separator) in separators.iter().rev() {
                let at = chars.len().saturating_sub(position);
                chars.insert(at, separator);
            }
        }
    }
    let mut text: String = chars.into_iter().collect();
    if format.ordinal {
        let last: Vec<char> = text.chars().rev().take(2).collect();
        let suffix = match (last.first(), last.get(1)) {
            (_, Some('1')) => "th",
            (Some('1'), _) => "st",
            (Some('2'), _) => "nd",
            (Some('3'), _) => "rd",
            _ => "th",
        };
        text.push_str(suffix);
    }
    text
}

fn letters(value: f64, a: char) -> String {
    let mut value = value.floor();
    let mut letters = Vec::new();
    while value > 0.0 {
        let index = ((value - 1.0) % 26.0) as u32;
        letters.push(char::from_u32(a as u32 + index).unwrap_or(a));
        value = ((value - 1.0) / 26.0).floor();
    }
    letters.iter().rev().collect()
}

const ROMAN: [(f64, &str); 13] = [
    (1000.0, "m"),
    (900.0, "cm"),
    (500.0, "d"),
    (400.0, "cd"),
    (100.0, "c"),
    (90.0, "xc"),
    (50.0, "l"),
    (40.0, "xl"),
    (10.0, "x"),
    (9.0, "ix"),
    (5.0, "v"),
    (4.0, "iv"),
    (1.0, "i"),
];

fn roman(value: f64) -> String {
    let mut value = value;
    let mut text = String::new();
    for (amount, numeral) in ROMAN {
        while value >= amount {
            text.push_str(numeral);
            value -= amount;
        }
    }
    text
}

fn roman_to_decimal(text: &str) -> f64 {
    let mut total = 0.0;
    let mut max = 1.0;
    for c in text.chars().rev() {
        let value = match c {
            'M' => 1000.0,
            'D' => 500.0,
            'C' => 100.0,
            'L' => 50.0,
            'X' => 10.0,
            'V' => 5.0,
            'I' => 1.0,
            _ => f64::NAN,
        };
        if value < max {
            total -= value;
        } else {
            max = value;
            total += value;
        }
    }
    total
}

fn letters_to_decimal(text: &str, a: char) -> f64 {
    text.encode_utf16()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .enumerate()
        .fold(0.0, |total, (i, unit)| {
            total + (f64::from(unit) - f64::from(a as u32) + 1.0) * 26f64.powi(i as i32)
        })
}

/// The value a parse of `text` in `format` gives (NaN where it is not a number).
pub(crate) fn parse(text: &str, format: &IntegerFormat) -> Result<f64> {
    Ok(match format.primary {
        Primary::Letters => {
            letters_to_decimal(text, if format.case == Case::Upper { 'A' } else { 'a' })
        }
        Primary::Roman => roman_to_decimal(&if format.case == Case::Upper {
            text.to_string()
        } else {
            text.to_uppercase()
        }),
        Primary::Words => super::words::words_to_number(&text.to_lowercase()),
        Primary::Decimal => {
            let mut digits: String = text.to_string();
            if format.ordinal {
                let keep = digits.chars().count().saturating_sub(2);
                digits = digits.chars().take(keep).collect();
            }
            match &format.grouping {
                // JSONata strips commas here whatever the separator is.
                Grouping::Regular { .. } => digits.retain(|c| c != ','),
                Grouping::Irregular(separators) => {
                    digits.retain(|c| !separators.iter().any(|&(_, s)| s == c));
                }
            }
            if format.zero != 0x30 {
                digits = digits
                    .chars()
                    .map(|c| char::from_u32(c as u32 + 0x30 - format.zero).unwrap_or(c))
                    .collect();
            }
            let leading: String = digits
                .trim_start()
                .chars()
                .enumerate()
                .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+')))
                .map(|(_, c)| c)
                .collect();
            leading.parse::<f64>().unwrap_or(f64::NAN)
        }
        Primary::Sequence => {
            return Err(Thrown::new("D3130").value(Value::string(format.token.as_str())));
        }
    })
}

pub(super) fn format_integer(
    ev: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(value) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    let picture = analyse(arg(&args, 1).as_str().unwrap_or_default())?;
    let value = value.floor();
    if picture.primary == Primary::Roman && value.is_finite() {
        // Roman numerals grow linearly with the value.
        ev.charge((value.abs() / 1000.0).min(u64::MAX as f64) as u64)?;
    }
    Ok(Value::string(format(value, &picture)?))
}

pub(super) fn parse_integer(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let picture = analyse(arg(&args, 1).as_str().unwrap_or_default())?;
    Ok(Value::Number(parse(text, &picture)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(value: f64, picture: &str) -> String {
        format(value, &analyse(picture).unwrap()).unwrap()
    }

    #[test]
    fn decimal_patterns() {
        assert_eq!(fmt(1234567.0, "#,##0"), "1,234,567");
        assert_eq!(fmt(12.0, "0000"), "0012");
        assert_eq!(fmt(1234.0, "#,##0;o"), "1,234th");
        assert_eq!(fmt(21.0, "0;o"), "21st");
        assert_eq!(fmt(12.0, "0;o"), "12th");
        assert_eq!(fmt(-5.0, "00"), "-05");
    }

    #[test]
    fn letters_and_roman_numerals() {
        assert_eq!(fmt(28.0, "A"), "AB");
        assert_eq!(fmt(1999.0, "I"), "MCMXCIX");
        assert_eq!(fmt(4.0, "i"), "iv");
        assert_eq!(parse("MCMXCIX", &analyse("I").unwrap()).unwrap(), 1999.0);
        assert_eq!(parse("ab", &analyse("a").unwrap()).unwrap(), 28.0);
    }

    #[test]
    fn sequences_are_unsupported() {
        assert_eq!(
            format(1.0, &analyse("β").unwrap()).unwrap_err().code,
            "D3130"
        );
    }
}
