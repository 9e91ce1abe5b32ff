//! `$formatNumber(value, picture, options)`: XPath F&O 4.7 decimal formatting, following
//! JSONata's implementation step by step (including its quirks, which users' pictures
//! depend on).

use super::arg;
use super::numeric::round_half_even;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::number_format::to_fixed;
use crate::jsonata::value::Value;

/// The decimal format properties; each is one character in practice.
struct Properties {
    decimal: char,
    grouping: char,
    exponent: char,
    minus: String,
    /// Percent and per-mille signs are looked for as text, so they may be longer.
    percent: Vec<char>,
    per_mille: Vec<char>,
    zero: char,
    digit: char,
    pattern: char,
}

/// A property as a character; one that is not a single character matches nothing.
fn single(text: &str) -> char {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => '\u{FFFF}',
    }
}

impl Properties {
    fn new(options: &Value) -> Properties {
        let get = |key: &str, default: &str| match options {
            Value::Object(object) => match object.get(key) {
                Some(Value::String(s)) => s.to_string(),
                _ => default.to_string(),
            },
            _ => default.to_string(),
        };
        Properties {
            decimal: single(&get("decimal-separator", ".")),
            grouping: single(&get("grouping-separator", ",")),
            exponent: single(&get("exponent-separator", "e")),
            minus: get("minus-sign", "-"),
            percent: get("percent", "%").chars().collect(),
            per_mille: get("per-mille", "\u{2030}").chars().collect(),
            zero: single(&get("zero-digit", "0")),
            digit: single(&get("digit", "#")),
            pattern: single(&get("pattern-separator", ";")),
        }
    }

    fn is_digit(&self, c: char) -> bool {
        (self.zero as u32..self.zero as u32 + 10).contains(&(c as u32))
    }

    fn is_active(&self, c: char) -> bool {
        self.is_digit(c)
            || [
                self.decimal,
                self.exponent,
                self.grouping,
                self.digit,
                self.pattern,
            ]
            .contains(&c)
    }
}

struct Parts {
    prefix: Vec<char>,
    suffix: Vec<char>,
    active: Vec<char>,
    mantissa: Vec<char>,
    exponent: Option<Vec<char>>,
    integer: Vec<char>,
    fraction: Vec<char>,
    picture: Vec<char>,
}

/// How many times `needle` occurs in `chars` (overlapping occurrences counted as JavaScript's
/// `indexOf`/`lastIndexOf` comparison would tell them apart: first and last differ).
fn occurrences(chars: &[char], needle: &[char]) -> usize {
    if needle.is_empty() || needle.len() > chars.len() {
        return 0;
    }
    chars.windows(needle.len()).filter(|w| *w == needle).count()
}

fn index_of(chars: &[char], c: char, from: usize) -> Option<usize> {
    chars
        .iter()
        .skip(from)
        .position(|&x| x == c)
        .map(|i| i + from)
}

fn split_parts(picture: &[char], p: &Properties) -> Parts {
    let boundary = |c: char| p.is_active(c) && c != p.exponent;
    let prefix_len = picture
        .iter()
        .position(|&c| boundary(c))
        .unwrap_or(picture.len());
    let suffix_start = picture
        .iter()
        .rposition(|&c| boundary(c))
        .map_or(picture.len(), |i| i + 1);
    let suffix_start = suffix_start.max(prefix_len);
    let active = picture[prefix_len..suffix_start].to_vec();
    let exponent_position = index_of(picture, p.exponent, prefix_len);
    let (mantissa, exponent) = match exponent_position {
        Some(at) if at <= suffix_start => (
            active[..at.min(active.len())].to_vec(),
            Some(
                active
                    .get(at + 1..)
                    .map(<[char]>::to_vec)
                    .unwrap_or_default(),
            ),
        ),
        _ => (active.clone(), None),
    };
    let suffix = picture[suffix_start..].to_vec();
    let (integer, fraction) = match index_of(&mantissa, p.decimal, 0) {
        None => (mantissa.clone(), suffix.clone()),
        Some(at) => (mantissa[..at].to_vec(), mantissa[at + 1..].to_vec()),
    };
    Parts {
        prefix: picture[..prefix_len].to_vec(),
        suffix,
        active,
        mantissa,
        exponent,
        integer,
        fraction,
        picture: picture.to_vec(),
    }
}

/// F&O 4.7.3: the picture's rules; as in JSONata the last rule broken is reported.
fn validate(parts: &Parts, p: &Properties) -> Result<()> {
    let picture = &parts.picture;
    let count = |c: char| picture.iter().filter(|&&x| x == c).count();
    let percents = occurrences(picture, &p.percent);
    let per_milles = occurrences(picture, &p.per_mille);
    let mut error = None;
    if count(p.decimal) > 1 {
        error = Some("D3081");
    }
    if percents > 1 {
        error = Some("D3082");
    }
    if per_milles > 1 {
        error = Some("D3083");
    }
    if percents > 0 && per_milles > 0 {
        error = Some("D3084");
    }
    if !parts
        .mantissa
        .iter()
        .any(|&c| p.is_digit(c) || c == p.digit)
    {
        error = Some("D3085");
    }
    if parts.active.iter().any(|&c| !p.is_active(c)) {
        error = Some("D3086");
    }
    match index_of(picture, p.decimal, 0) {
        Some(at) => {
            let before = at.checked_sub(1).and_then(|i| picture.get(i));
            if before == Some(&p.grouping) || picture.get(at + 1) == Some(&p.grouping) {
                error = Some("D3087");
            }
        }
        None => {
            if parts.integer.last() == Some(&p.grouping) {
                error = Some("D3088");
            }
        }
    }
    if picture
        .windows(2)
        .any(|w| w[0] == p.grouping && w[1] == p.grouping)
    {
        error = Some("D3089");
    }
    if let Some(at) = parts.integer.iter().position(|&c| c == p.digit)
        && parts.integer[..at].iter().any(|&c| p.is_digit(c))
    {
        error = Some("D3090");
    }
    if let Some(at) = parts.fraction.iter().rposition(|&c| c == p.digit)
        && parts.fraction[at..].iter().any(|&c| p.is_digit(c))
    {
        error = Some("D3091");
    }
    if let Some(exponent) = &parts.exponent {
        if !exponent.is_empty() && (percents > 0 || per_milles > 0) {
            error = Some("D3092");
        }
        if exponent.is_empty() || exponent.iter().any(|&c| !p.is_digit(c)) {
            error = Some("D3093");
        }
    }
    match error {
        Some(code) => Err(Thrown::new(code)),
        None => Ok(()),
    }
}

#[derive(Clone)]
struct Layout {
    integer_grouping: Vec<usize>,
    regular_grouping: usize,
    min_integer: usize,
    scaling: usize,
    prefix: Vec<char>,
    fraction_grouping: Vec<usize>,
    min_fraction: usize,
    max_fraction: usize,
    min_exponent: usize,
    suffix: Vec<char>,
    picture: Vec<char>,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// F&O 4.7.4: what the picture asks for.
fn analyse(parts: &Parts, p: &Properties) -> Layout {
    let digits_in = |chars: &[char]| chars.iter().filter(|&&c| p.is_digit(c)).count();
    let places_in = |chars: &[char]| {
        chars
            .iter()
            .filter(|&&c| p.is_digit(c) || c == p.digit)
            .count()
    };
    let grouping_positions = |part: &[char], to_left: bool| {
        let mut positions = Vec::new();
        let mut at = index_of(part, p.grouping, 0);
        while let Some(position) = at {
            let side = if to_left {
                &part[..position]
            } else {
                &part[position..]
            };
            positions.push(places_in(side));
            // JSONata looks for the next separator in the integer part, whichever part this is.
            at = index_of(&parts.integer, p.grouping, position + 1);
        }
        positions
    };
    let integer_grouping = grouping_positions(&parts.integer, false);
    let regular_grouping = match integer_grouping.iter().copied().reduce(gcd) {
        Some(factor)
            if factor > 0
                && (1..=integer_grouping.len())
                    .all(|i| integer_grouping.contains(&(i * factor))) =>
        {
            factor
        }
        _ => 0,
    };
    let fraction_grouping = grouping_positions(&parts.fraction, true);
    let mut min_integer = digits_in(&parts.integer);
    let scaling = min_integer;
    let mut min_fraction = digits_in(&parts.fraction);
    let mut max_fraction = places_in(&parts.fraction);
    let exponent_present = parts.exponent.is_some();
    if min_integer == 0 && max_fraction == 0 {
        if exponent_present {
            min_fraction = 1;
            max_fraction = 1;
        } else {
            min_integer = 1;
        }
    }
    if exponent_present && min_integer == 0 && parts.integer.contains(&p.digit) {
        min_integer = 1;
    }
    if min_integer == 0 && min_fraction == 0 {
        min_fraction = 1;
    }
    Layout {
        integer_grouping,
        regular_grouping,
        min_integer,
        scaling,
        prefix: parts.prefix.clone(),
        fraction_grouping,
        min_fraction,
        max_fraction,
        min_exponent: parts.exponent.as_deref().map_or(0, digits_in),
        suffix: parts.suffix.clone(),
        picture: parts.picture.clone(),
    }
}

pub(super) fn format_number(
    ev: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(value) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    let picture: Vec<char> = arg(&args, 1).as_str().unwrap_or_default().chars().collect();
    let p = Properties::new(arg(&args, 2));
    let sub_pictures: Vec<&[char]> = picture.split(|&c| c == p.pattern).collect();
    if sub_pictures.len() > 2 {
        return Err(Thrown::new("D3080"));
    }
    let parts: Vec<Parts> = sub_pictures.iter().map(|s| split_parts(s, &p)).collect();
    for part in &parts {
        validate(part, &p)?;
    }
    let mut layouts: Vec<Layout> = parts.iter().map(|part| analyse(part, &p)).collect();
    if layouts.len() == 1 {
        let mut negative = layouts[0].clone();
        let mut prefix: Vec<char> = p.minus.chars().collect();
        prefix.extend(&negative.prefix);
        negative.prefix = prefix;
        layouts.push(negative);
    }
    let layout = if value >= 0.0 {
        &layouts[0]
    } else {
        &layouts[1]
    };
    ev.charge((layout.min_integer + layout.max_fraction) as u64)?;
    Ok(Value::string(render(value, layout, &p)))
}

fn render(value: f64, pic: &Layout, p: &Properties) -> String {
    let adjusted = if occurrences(&pic.picture, &p.percent) > 0 {
        value * 100.0
    } else if occurrences(&pic.picture, &p.per_mille) > 0 {
        value * 1000.0
    } else {
        value
    };
    let mut mantissa = adjusted;
    let mut exponent: Option<i32> = None;
    if pic.min_exponent != 0 {
        let max = 10f64.powi(pic.scaling as i32);
        let min = 10f64.powi(pic.scaling as i32 - 1);
        let mut e = 0;
        // Bounded: JSONata loops forever on zero or negative mantissas here.
        for _ in 0..400 {
            if mantissa.is_nan() || mantissa >= min || mantissa <= 0.0 {
                break;
            }
            mantissa *= 10.0;
            e -= 1;
        }
        for _ in 0..400 {
            if mantissa.is_nan() || mantissa <= max {
                break;
            }
            mantissa /= 10.0;
            e += 1;
        }
        exponent = Some(e);
    }
    let rounded = round_half_even(mantissa, pic.max_fraction as f64);
    let make_string = |v: f64, places: usize| -> Vec<char> {
        to_fixed(v.abs(), places)
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if p.zero != '0' => char::from_u32(p.zero as u32 + d).unwrap_or(c),
                _ => c,
            })
            .collect()
    };
    let mut text = make_string(rounded, pic.max_fraction);
    match text.iter().position(|&c| c == '.') {
        Some(at) => text[at] = p.decimal,
        None => text.push(p.decimal),
    }
    while text.first() == Some(&p.zero) {
        text.remove(0);
    }
    while text.last() == Some(&p.zero) {
        text.pop();
    }
    let decimal_at = |text: &[char]| index_of(text, p.decimal, 0).unwrap_or(text.len());
    let at = decimal_at(&text);
    if pic.min_integer > at {
        let mut padded = vec![p.zero; pic.min_integer - at];
        padded.extend(text);
        text = padded;
    }
    let at = decimal_at(&text);
    let fraction_digits = text.len().saturating_sub(at + 1);
    if pic.min_fraction > fraction_digits {
        text.extend(std::iter::repeat_n(
            p.zero,
            pic.min_fraction - fraction_digits,
        ));
    }
    let mut at = decimal_at(&text);
    if let Some(groups) = at.saturating_sub(1).checked_div(pic.regular_grouping) {
        for group in 1..=groups {
            text.insert(at - group * pic.regular_grouping, p.grouping);
        }
    } else {
        for &position in &pic.integer_grouping {
            if position <= at {
                text.insert(at - position, p.grouping);
                at += 1;
            }
        }
    }
    let at = decimal_at(&text);
    for &position in &pic.fraction_grouping {
        let index = (position + at + 1).min(text.len());
        text.insert(index, p.grouping);
    }
    let at = decimal_at(&text);
    if !pic.picture.contains(&p.decimal) || at + 1 == text.len() {
        text.pop();
    }
    if let Some(e) = exponent {
        let mut digits = make_string(f64::from(e), 0);
        if pic.min_exponent > digits.len() {
            let mut padded = vec![p.zero; pic.min_exponent - digits.len()];
            padded.extend(digits);
            digits = padded;
        }
        text.push(p.exponent);
        if e < 0 {
            text.extend(p.minus.chars());
        }
        text.extend(digits);
    }
    pic.prefix
        .iter()
        .chain(text.iter())
        .chain(pic.suffix.iter())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(value: f64, picture: &str) -> String {
        let p = Properties::new(&Value::Undefined);
        let chars: Vec<char> = picture.chars().collect();
        let subs: Vec<&[char]> = chars.split(|&c| c == p.pattern).collect();
        let mut layouts: Vec<Layout> = subs
            .iter()
            .map(|s| analyse(&split_parts(s, &p), &p))
            .collect();
        if layouts.len() == 1 {
            let mut negative = layouts[0].clone();
            negative.prefix.insert(0, '-');
            layouts.push(negative);
        }
        render(
            value,
            if value >= 0.0 {
                &layouts[0]
            } else {
                &layouts[1]
            },
            &p,
        )
    }

    #[test]
    fn common_pictures() {
        assert_eq!(fmt(12345.6, "#,###.00"), "12,345.60");
        assert_eq!(fmt(1234.5678, "00.000e0"), "12.346e2");
        assert_eq!(fmt(0.14, "01%"), "14%");
        assert_eq!(fmt(-6.0, "000"), "-006");
        assert_eq!(fmt(34.555, "#0.00;(#0.00)"), "34.56");
        assert_eq!(fmt(-34.555, "#0.00;(#0.00)"), "(34.56)");
    }
}
