//! Numbers in English words, for `$formatInteger`/`$parseInteger` with `w`, `W` or `Ww`
//! and the word forms of date components.

use std::sync::LazyLock;

use regex::Regex;

/// What separates the words of a number: ", ", " and ", a space or a hyphen.
static SEPARATORS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r",\s|\sand\s|[\s\\-]").ok());

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 9] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred",
];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

/// `1234` → "One Thousand, Two Hundred and Thirty-Four" (title case; callers adjust).
pub(crate) fn number_to_words(value: f64, ordinal: bool) -> String {
    // Infinity and NaN have no words (and would never finish).
    if !value.is_finite() {
        return String::new();
    }
    words(value.floor(), false, ordinal)
}

fn words(num: f64, prev: bool, ordinal: bool) -> String {
    let and = if prev { " and " } else { "" };
    if num <= 19.0 {
        let index = num.max(0.0) as usize;
        let word = if ordinal {
            ORDINALS.get(index)
        } else {
            FEW.get(index)
        };
        return format!("{and}{}", word.copied().unwrap_or(""));
    }
    if num < 100.0 {
        let tens = (num / 10.0).floor() as usize;
        let remainder = num % 10.0;
        let mut text = format!(
            "{and}{}",
            DECADES.get(tens.wrapping_sub(2)).copied().unwrap_or("")
        );
        if remainder > 0.0 {
            text.push('-');
            text.push_str(&words(remainder, false, ordinal));
        } else if ordinal {
            text.pop();
            text.push_str("ieth");
        }
        return text;
    }
    if num < 1000.0 {
        let hundreds = (num / 100.0).floor() as usize;
        let remainder = num % 100.0;
        let comma = if prev { ", " } else { "" };
        let mut text = format!(
            "{comma}{} Hundred",
            FEW.get(hundreds).copied().unwrap_or("")
        );
        if remainder > 0.0 {
            text.push_str(&words(remainder, true, ordinal));
        } else if ordinal {
            text.push_str("th");
        }
        return text;
    }
    let magnitude = ((num.log10() / 3.0).floor() as usize).min(MAGNITUDES.len());
    let factor = 10f64.powi(magnitude as i32 * 3);
    let mantissa = (num / factor).floor();
    let remainder = num - mantissa * factor;
    let comma = if prev { ", " } else { "" };
    let mut text = format!(
        "{comma}{} {}",
        words(mantissa, false, false),
        MAGNITUDES
            .get(magnitude.wrapping_sub(1))
            .copied()
            .unwrap_or("")
    );
    if remainder > 0.0 {
        text.push_str(&words(remainder, true, ordinal));
    } else if ordinal {
        text.push_str("th");
    }
    text
}

/// The number words (lower case) JSONata recognises, with their values, in its order.
pub(crate) fn word_values() -> Vec<(String, f64)> {
    let mut values = Vec::new();
    for (i, word) in FEW.iter().enumerate() {
        values.push((word.to_lowercase(), i as f64));
    }
    for (i, word) in ORDINALS.iter().enumerate() {
        values.push((word.to_lowercase(), i as f64));
    }
    for (i, word) in DECADES.iter().enumerate() {
        let lower = word.to_lowercase();
        let value = ((i + 2) * 10) as f64;
        values.push((format!("{}ieth", &lower[..lower.len() - 1]), value));
        values.push((lower, value));
    }
    values.push(("hundredth".into(), 100.0));
    for (i, word) in MAGNITUDES.iter().enumerate() {
        let lower = word.to_lowercase();
        let value = 10f64.powi((i as i32 + 1) * 3);
        values.push((format!("{lower}th"), value));
        values.push((lower, value));
    }
    values
}

/// "one thousand, two hundred and thirty-four" → 1234 (NaN for an unknown word).
pub(crate) fn words_to_number(text: &str) -> f64 {
    let table = word_values();
    let separators = SEPARATORS.as_ref();
    let parts: Vec<&str> = match separators {
        Some(re) => re.split(text).collect(),
        None => vec![text],
    };
    let mut segments = vec![0.0];
    for part in parts {
        let value = table
            .iter()
            .find(|(word, _)| word == part)
            .map_or(f64::NAN, |(_, v)| *v);
        if value < 100.0 {
            let mut top = segments.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segments.push(top);
                top = 0.0;
            }
            segments.push(top + value);
        } else {
            let top = segments.pop().unwrap_or(0.0);
            segments.push(top * value);
        }
    }
    segments.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_words() {
        assert_eq!(
            number_to_words(1234.0, false).to_lowercase(),
            "one thousand, two hundred and thirty-four"
        );
        assert_eq!(
            number_to_words(1e15 + 1.0, false),
            "One Thousand Trillion and One"
        );
        assert_eq!(number_to_words(21.0, true), "Twenty-First");
        assert_eq!(number_to_words(100.0, true), "One Hundredth");
        assert_eq!(words_to_number("one thousand two hundred"), 1200.0);
        assert_eq!(words_to_number("twenty-first"), 21.0);
        let _ = number_to_words(f64::NAN, false);
        let _ = number_to_words(1e300, true);
    }
}
