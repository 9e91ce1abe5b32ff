//! XPath date/time picture strings (`[Y0001]-[M01]-[D01]`): analysis, formatting for
//! `$fromMillis`/`$now`, and parsing for `$toMillis`; plus numbers in English words.

use regex::Regex;

use super::calendar::{self, Fields, MILLIS_PER_DAY};
use super::format_integer::{self, Case, Grouping, IntegerFormat, Primary};
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::value::Value;

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
const DAYS: [&str; 8] = [
    "",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `1234` → "One Thousand, Two Hundred and Thirty-Four" (title case; callers adjust).
pub(crate) fn number_to_words(value: f64, ordinal: bool) -> String {
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
        let mut text = format!("{and}{}", DECADES.get(tens - 2).copied().unwrap_or(""));
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
        MAGNITUDES.get(magnitude - 1).copied().unwrap_or("")
    );
    if remainder > 0.0 {
        text.push_str(&words(remainder, true, ordinal));
    } else if ordinal {
        text.push_str("th");
    }
    text
}

/// The number words (lower case) JSONata recognises, with their values, in its order.
fn word_values() -> Vec<(String, f64)> {
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
    let separators = Regex::new(r",\s|\sand\s|[\s\\-]").ok();
    let parts: Vec<&str> = match &separators {
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

/// One part of a date/time picture.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Literal(String),
    Marker(Marker),
}

#[derive(Debug, Clone)]
pub(crate) struct Marker {
    pub component: Option<char>,
    pub width_max: Option<usize>,
    pub presentation2: Option<char>,
    /// `n`, `N` or `Nn`: the component as a name, in this case.
    pub names: Option<Case>,
    pub integer: Option<IntegerFormat>,
    /// For years: how many digits to keep (`[Y,2]`); -1 for all.
    pub digits: i64,
}

fn default_presentation(component: char) -> Option<&'static str> {
    Some(match component {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

pub(crate) fn analyse(picture: &str) -> Result<Vec<Part>> {
    let chars: Vec<char> = picture.chars().collect();
    let mut parts = Vec::new();
    let literal = |parts: &mut Vec<Part>, from: usize, to: usize| {
        if to > from {
            let text: String = chars[from..to].iter().collect();
            parts.push(Part::Literal(text.replace("]]", "]")));
        }
    };
    let (mut start, mut position) = (0, 0);
    while position < chars.len() {
        if chars[position] == '[' {
            if chars.get(position + 1) == Some(&'[') {
                literal(&mut parts, start, position);
                parts.push(Part::Literal("[".into()));
                position += 2;
                start = position;
                continue;
            }
            literal(&mut parts, start, position);
            start = position;
            let Some(close) = chars[start..].iter().position(|&c| c == ']') else {
                return Err(Thrown::new("D3135"));
            };
            position = start + close;
            let marker: String = chars[start + 1..position]
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            parts.push(Part::Marker(analyse_marker(&marker)?));
            start = position + 1;
        }
        position += 1;
    }
    literal(&mut parts, start, position);
    Ok(parts)
}

fn analyse_marker(marker: &str) -> Result<Marker> {
    let component = marker.chars().next();
    let rest: String = marker.chars().skip(1).collect();
    let (presentation, width) = match rest.rfind(',') {
        Some(comma) => (
            rest[..comma].to_string(),
            Some(rest[comma + 1..].to_string()),
        ),
        None => (rest, None),
    };
    let parse_width = |w: &str| if w == "*" { None } else { leading_int(w) };
    let (width_min, width_max) = match &width {
        Some(width) => match width.split_once('-') {
            Some((min, max)) => (parse_width(min), parse_width(max)),
            None => (parse_width(width), None),
        },
        None => (None, None),
    };
    let mut presentation2 = None;
    let presentation1 = match presentation.chars().count() {
        0 => match component.and_then(default_presentation) {
            Some(default) => default.to_string(),
            None => {
                let name = component.map_or(Value::Undefined, |c| Value::string(c.to_string()));
                return Err(Thrown::new("D3132").value(name));
            }
        },
        1 => presentation,
        _ => {
            let last = presentation.chars().last().unwrap_or(' ');
            if "atco".contains(last) {
                presentation2 = Some(last);
                presentation[..presentation.len() - last.len_utf8()].to_string()
            } else {
                presentation
            }
        }
    };
    let mut marker = Marker {
        component,
        width_max,
        presentation2,
        names: None,
        integer: None,
        digits: -1,
    };
    let c = component.unwrap_or(' ');
    if presentation1.starts_with('n') {
        marker.names = Some(Case::Lower);
    } else if presentation1.starts_with('N') {
        marker.names = Some(
            if presentation1
                .strip_prefix('N')
                .is_some_and(|rest| rest.starts_with('n'))
            {
                Case::Title
            } else {
                Case::Upper
            },
        );
    } else if "YMDdFWwXxHhmsf".contains(c) {
        let mut pattern = presentation1.clone();
        if let Some(p2) = presentation2 {
            pattern.push(';');
            pattern.push(p2);
        }
        let mut integer = format_integer::analyse(&pattern)?;
        if let Some(min) = width_min
            && integer.mandatory_digits < min
        {
            integer.mandatory_digits = min;
        }
        if "YMD".contains(c) {
            if let Some(max) = width_max {
                marker.digits = max as i64;
                integer.mandatory_digits = max;
            } else {
                let width = integer.mandatory_digits + integer.optional_digits;
                if width >= 2 {
                    marker.digits = width as i64;
                }
            }
        }
        marker.integer = Some(integer);
    }
    if c == 'Z' || c == 'z' {
        marker.integer = Some(format_integer::analyse(&presentation1)?);
    }
    Ok(marker)
}

fn leading_int(text: &str) -> Option<usize> {
    let digits: String = text
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// ISO 8601 week numbering: the start (in epoch ms) of the first week of the given month.
fn start_of_first_week(year: f64, month: f64) -> f64 {
    let first = calendar::utc_exact(year, month, 1.0, 0.0);
    let mut weekday = calendar::fields(first).weekday;
    if weekday == 0.0 {
        weekday = 7.0;
    }
    if weekday > 4.0 {
        first + (8.0 - weekday) * MILLIS_PER_DAY
    } else {
        first - (weekday - 1.0) * MILLIS_PER_DAY
    }
}

fn next_month(year: f64, month: f64) -> (f64, f64) {
    if month == 11.0 {
        (year + 1.0, 0.0)
    } else {
        (year, month + 1.0)
    }
}

fn previous_month(year: f64, month: f64) -> (f64, f64) {
    if month == 0.0 {
        (year - 1.0, 11.0)
    } else {
        (year, month - 1.0)
    }
}

/// The value of one component of an instant (`None` for the time zone components).
pub(crate) fn component_value(millis: f64, f: &Fields, component: char) -> Option<Value> {
    let number = |n: f64| Some(Value::Number(n));
    let today = calendar::utc_exact(f.year, f.month, f.day, 0.0);
    let weeks = |start: f64, end: f64| (end - start) / (MILLIS_PER_DAY * 7.0) + 1.0;
    match component {
        'Y' => number(f.year),
        'M' => number(f.month + 1.0),
        'D' => number(f.day),
        'd' => number((today - calendar::utc_exact(f.year, 0.0, 1.0, 0.0)) / MILLIS_PER_DAY + 1.0),
        'F' => number(if f.weekday == 0.0 { 7.0 } else { f.weekday }),
        'W' => {
            let start = start_of_first_week(f.year, 0.0);
            let mut week = weeks(start, today);
            if week > 52.0 {
                if today >= start_of_first_week(f.year + 1.0, 0.0) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                week = weeks(start_of_first_week(f.year - 1.0, 0.0), today);
            }
            number(week.floor())
        }
        'w' => {
            let start = start_of_first_week(f.year, f.month);
            let mut week = weeks(start, today);
            if week > 4.0 {
                let (y, m) = next_month(f.year, f.month);
                if today >= start_of_first_week(y, m) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                let (y, m) = previous_month(f.year, f.month);
                week = weeks(start_of_first_week(y, m), today);
            }
            number(week.floor())
        }
        'X' => {
            let start = start_of_first_week(f.year, 0.0);
            let end = start_of_first_week(f.year + 1.0, 0.0);
            number(if millis < start {
                f.year - 1.0
            } else if millis >= end {
                f.year + 1.0
            } else {
                f.year
            })
        }
        'x' => {
            let start = start_of_first_week(f.year, f.month);
            let (ny, nm) = next_month(f.year, f.month);
            let end = start_of_first_week(ny, nm);
            number(if millis < start {
                previous_month(f.year, f.month).1 + 1.0
            } else if millis >= end {
                nm + 1.0
            } else {
                f.month + 1.0
            })
        }
        'H' => number(f.hour),
        'h' => {
            let hour = f.hour % 12.0;
            number(if hour == 0.0 { 12.0 } else { hour })
        }
        'P' => Some(Value::string(if f.hour >= 12.0 { "pm" } else { "am" })),
        'm' => number(f.minute),
        's' => number(f.second),
        'f' => number(f.millisecond),
        'C' | 'E' => Some(Value::string("ISO")),
        _ => None,
    }
}

/// Formats an instant with a picture, in the time zone `offset_hours`:`offset_minutes`.
pub(crate) fn format(
    millis: f64,
    parts: &[Part],
    offset_hours: f64,
    offset_minutes: f64,
) -> Result<String> {
    let shifted = millis + (60.0 * offset_hours + offset_minutes) * 60_000.0;
    let fields = calendar::fields(shifted);
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Marker(marker) => {
                out.push_str(&format_marker(
                    shifted,
                    &fields,
                    marker,
                    offset_hours,
                    offset_minutes,
                )?);
            }
        }
    }
    Ok(out)
}

fn integer_text(value: &Value, format: &IntegerFormat) -> Result<String> {
    match value {
        Value::Number(n) if n.is_finite() => format_integer::format(*n, format),
        Value::Number(_) => Ok(format!(
            "{:0>width$}",
            "NaN",
            width = format.mandatory_digits
        )),
        _ => Ok("undefined".into()),
    }
}

fn format_marker(
    millis: f64,
    fields: &Fields,
    marker: &Marker,
    hours: f64,
    minutes: f64,
) -> Result<String> {
    let component = marker.component.unwrap_or(' ');
    let value = component_value(millis, fields, component).unwrap_or_default();
    if "YMDdFWwXxHhms".contains(component) {
        let mut value = value;
        if component == 'Y'
            && marker.digits != -1
            && let Value::Number(year) = value
        {
            value = Value::Number(year % 10f64.powi(marker.digits as i32));
        }
        if let Some(case) = marker.names {
            let index = value.as_number().unwrap_or(f64::NAN);
            let name = match component {
                'M' | 'x' => MONTHS.get((index - 1.0) as usize).copied(),
                'F' => DAYS.get(index as usize).copied(),
                _ => {
                    let name = Value::string(component.to_string());
                    return Err(Thrown::new("D3133").value(name));
                }
            };
            let mut name = name.unwrap_or("undefined").to_string();
            match case {
                Case::Upper => name = name.to_uppercase(),
                Case::Lower => name = name.to_lowercase(),
                Case::Title => {}
            }
            if let Some(max) = marker.width_max
                && name.chars().count() > max
            {
                name = name.chars().take(max).collect();
            }
            return Ok(name);
        }
        return match &marker.integer {
            Some(format) => integer_text(&value, format),
            None => Ok(text_of(&value)),
        };
    }
    match component {
        'f' => match &marker.integer {
            Some(format) => integer_text(&value, format),
            None => Ok(text_of(&value)),
        },
        'Z' | 'z' => {
            let offset = hours * 100.0 + minutes;
            let Some(format) = &marker.integer else {
                return Ok(String::new());
            };
            let mut text = if matches!(format.grouping, Grouping::Regular { .. }) {
                format_integer::format(offset, format)?
            } else {
                match format.mandatory_digits {
                    1 | 2 => {
                        let mut text = format_integer::format(hours, format)?;
                        if minutes != 0.0 {
                            let two = format_integer::analyse("00")?;
                            text.push(':');
                            text.push_str(&format_integer::format(minutes.floor(), &two)?);
                        }
                        text
                    }
                    3 | 4 => format_integer::format(offset, format)?,
                    digits => {
                        return Err(Thrown::new("D3134").value(Value::Number(digits as f64)));
                    }
                }
            };
            if offset >= 0.0 {
                text.insert(0, '+');
            }
            if component == 'z' {
                text.insert_str(0, "GMT");
            }
            if offset == 0.0 && marker.presentation2 == Some('t') {
                text = "Z".into();
            }
            Ok(text)
        }
        'P' => {
            let text = text_of(&value);
            Ok(if marker.names == Some(Case::Upper) {
                text.to_uppercase()
            } else {
                text
            })
        }
        _ => Ok(text_of(&value)),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Number(n) => crate::jsonata::number_format::js_number_to_string(*n),
        _ => "undefined".into(),
    }
}

/// How one part of a picture is read back.
enum Reader {
    Integer(IntegerFormat),
    Names(Vec<(String, f64)>),
    Zone { gmt: bool, separator: Option<char> },
}

/// Parses `text` with a picture into epoch milliseconds; `Ok(None)` if it does not match.
/// Components the picture leaves out before the first one given come from `now`; those
/// after the last one given are zero.
pub(crate) fn parse(text: &str, parts: &[Part], now: f64) -> Result<Option<f64>> {
    let mut pattern = String::from("(?i)^");
    let mut readers: Vec<Option<(char, Reader)>> = Vec::new();
    for part in parts {
        match part {
            Part::Literal(literal) => {
                pattern.push('(');
                pattern.push_str(&regex::escape(literal));
                pattern.push(')');
                readers.push(None);
            }
            Part::Marker(marker) => {
                let (regex, reader) = marker_reader(marker)?;
                pattern.push('(');
                pattern.push_str(&regex);
                pattern.push(')');
                readers.push(Some((marker.component.unwrap_or(' '), reader)));
            }
        }
    }
    pattern.push('$');
    let Ok(matcher) = Regex::new(&pattern) else {
        return Ok(None);
    };
    let Some(captures) = matcher.captures(text) else {
        return Ok(None);
    };
    let mut components: Vec<(char, f64)> = Vec::new();
    for (index, reader) in readers.iter().enumerate() {
        let Some((component, reader)) = reader else {
            continue;
        };
        let Some(group) = captures.get(index + 1) else {
            continue;
        };
        let value = read(reader, group.as_str())?;
        components.retain(|(c, _)| c != component);
        components.push((*component, value));
    }
    if components.is_empty() {
        return Ok(None);
    }
    assemble(&mut components, now).map(Some)
}

fn marker_reader(marker: &Marker) -> Result<(String, Reader)> {
    let component = marker.component.unwrap_or(' ');
    if component == 'Z' || component == 'z' {
        let separator = match marker.integer.as_ref().map(|f| &f.grouping) {
            Some(Grouping::Regular { separator, .. }) => Some(*separator),
            _ => None,
        };
        let mut regex = String::new();
        if component == 'z' {
            regex.push_str("GMT");
        }
        regex.push_str("[-+][0-9]+");
        if let Some(separator) = separator {
            regex.push_str(&regex::escape(&separator.to_string()));
            regex.push_str("[0-9]+");
        }
        return Ok((
            regex,
            Reader::Zone {
                gmt: component == 'z',
                separator,
            },
        ));
    }
    if let Some(format) = &marker.integer {
        let digits = if marker.digits > 0 {
            Some(marker.digits as usize)
        } else {
            None
        };
        return Ok((
            integer_regex(format, digits)?,
            Reader::Integer(format.clone()),
        ));
    }
    let truncate = |name: &str| match marker.width_max {
        Some(max) => name.chars().take(max).collect(),
        None => name.to_string(),
    };
    let names = match component {
        'M' | 'x' => MONTHS
            .iter()
            .enumerate()
            .map(|(i, m)| (truncate(m), (i + 1) as f64))
            .collect(),
        'F' => DAYS
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, d)| (truncate(d), i as f64))
            .collect(),
        'P' => vec![
            ("am".into(), 0.0),
            ("AM".into(), 0.0),
            ("pm".into(), 1.0),
            ("PM".into(), 1.0),
        ],
        _ => return Err(Thrown::new("D3133").value(Value::string(component.to_string()))),
    };
    Ok(("[a-zA-Z]+".into(), Reader::Names(names)))
}

fn integer_regex(format: &IntegerFormat, digits: Option<usize>) -> Result<String> {
    let upper = format.case == Case::Upper;
    Ok(match format.primary {
        Primary::Letters => if upper { "[A-Z]+" } else { "[a-z]+" }.into(),
        Primary::Roman => if upper { "[MDCLXVI]+" } else { "[mdclxvi]+" }.into(),
        Primary::Words => {
            let mut words: Vec<String> = word_values().into_iter().map(|(w, _)| w).collect();
            words.push("and".into());
            words.push(r"[\-, ]".into());
            format!("(?:{})+", words.join("|"))
        }
        Primary::Decimal => {
            let occurrences = match digits {
                Some(n) if format.optional_digits == 0 => format!("{{{n}}}"),
                Some(n) => format!("{{{},{n}}}", n.saturating_sub(format.optional_digits)),
                None => "+".into(),
            };
            let mut regex = format!("[0-9]{occurrences}");
            if format.ordinal {
                regex.push_str("(?:th|st|nd|rd)");
            }
            regex
        }
        Primary::Sequence => {
            return Err(Thrown::new("D3130").value(Value::string(format.token.as_str())));
        }
    })
}

fn read(reader: &Reader, text: &str) -> Result<f64> {
    Ok(match reader {
        Reader::Integer(format) => format_integer::parse(text, format)?,
        Reader::Names(names) => names
            .iter()
            .find(|(name, _)| name == text)
            .map_or(f64::NAN, |(_, v)| *v),
        Reader::Zone { gmt, separator } => {
            let text = if *gmt {
                text.get(3..).unwrap_or_default()
            } else {
                text
            };
            let int = |t: &str| {
                let sign = if t.starts_with('-') { -1.0 } else { 1.0 };
                let digits: String = t
                    .trim_start_matches(['+', '-'])
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse::<f64>().map_or(f64::NAN, |d| sign * d)
            };
            let (hours, minutes) = match separator.and_then(|s| text.split_once(s)) {
                Some((h, m)) => (int(h), int(m)),
                None if text.chars().count() <= 3 => (int(text), 0.0),
                None => (
                    int(text.get(..3).unwrap_or(text)),
                    int(text.get(3..).unwrap_or("")),
                ),
            };
            hours * 60.0 + minutes
        }
    })
}

/// Fills in the missing components and computes the instant (JSONata's rules).
fn assemble(components: &mut Vec<(char, f64)>, now: f64) -> Result<f64> {
    let has = |components: &Vec<(char, f64)>, c: char| components.iter().any(|(k, _)| *k == c);
    let get = |components: &Vec<(char, f64)>, c: char| {
        components.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
    };
    let mask = |components: &Vec<(char, f64)>, letters: &str| {
        letters
            .chars()
            .fold(0u32, |mask, c| (mask << 1) | u32::from(has(components, c)))
    };
    let is_type = |mask: u32, pattern: u32| (!pattern & mask) == 0 && (pattern & mask) != 0;
    let date_mask = mask(components, "YXMxWwdD");
    let date_a = is_type(date_mask, 0b1010_0001);
    let date_b = !date_a && is_type(date_mask, 0b1000_0010);
    let date_c = is_type(date_mask, 0b0101_0100);
    let date_d = !date_c && is_type(date_mask, 0b0100_1000);
    let time_mask = mask(components, "PHhmsf");
    let time_a = is_type(time_mask, 0b01_0111);
    let time_b = !time_a && is_type(time_mask, 0b10_1111);
    let date_components = if date_b {
        "YD"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_components = if time_b { "Phmsf" } else { "Hmsf" };
    let now_fields = calendar::fields(now);
    let (mut start_specified, mut end_specified) = (false, false);
    for c in date_components.chars().chain(time_components.chars()) {
        if has(components, c) {
            start_specified = true;
            if end_specified {
                return Err(Thrown::new("D3136"));
            }
        } else if start_specified {
            components.push((c, if "MDd".contains(c) { 1.0 } else { 0.0 }));
            end_specified = true;
        } else {
            let value = component_value(now, &now_fields, c).and_then(|v| v.as_number());
            components.push((c, value.unwrap_or(f64::NAN)));
        }
    }
    let value = |c: char| get(components, c).unwrap_or(f64::NAN);
    let mut month = match get(components, 'M') {
        Some(m) if m > 0.0 => m - 1.0,
        _ => 0.0,
    };
    let mut day = value('D');
    if date_b {
        let first = calendar::utc(value('Y'), 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        let derived = calendar::fields(first + (value('d') - 1.0) * MILLIS_PER_DAY);
        month = derived.month;
        day = derived.day;
    }
    if date_c || date_d {
        return Err(Thrown::new("D3136"));
    }
    let hour = if time_b {
        let h = value('h');
        let base = if h == 12.0 { 0.0 } else { h };
        if value('P') == 1.0 { base + 12.0 } else { base }
    } else {
        value('H')
    };
    let mut millis = calendar::utc(
        value('Y'),
        month,
        day,
        hour,
        value('m'),
        value('s'),
        value('f'),
    );
    let zone = get(components, 'Z')
        .or_else(|| get(components, 'z'))
        .unwrap_or(0.0);
    if zone != 0.0 {
        millis -= zone * 60_000.0;
    }
    Ok(millis)
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
    }

    #[test]
    fn formats_dates() {
        let parts = analyse("[FNn], [D1o] [MNn] [Y] [h]:[m01] [P]").unwrap();
        assert_eq!(
            format(0.0, &parts, 0.0, 0.0).unwrap(),
            "Thursday, 1st January 1970 12:00 am"
        );
        let parts = analyse("[Y]-[M01]-[D01] [H]:[m]:[s] [z]").unwrap();
        assert_eq!(
            format(1_521_801_216_617.0, &parts, -6.0, -30.0).unwrap(),
            "2018-03-23 4:03:36 GMT-06:30"
        );
    }

    #[test]
    fn parses_dates() {
        let parts = analyse("[Y]-[M01]-[D01]").unwrap();
        assert_eq!(
            parse("2018-03-27", &parts, 0.0).unwrap(),
            Some(1_522_108_800_000.0)
        );
        assert_eq!(parse("nonsense", &parts, 0.0).unwrap(), None);
    }

    #[test]
    fn picture_errors() {
        assert_eq!(analyse("[Y").unwrap_err().code, "D3135");
        assert_eq!(analyse("[Q]").unwrap_err().code, "D3132");
    }
}
