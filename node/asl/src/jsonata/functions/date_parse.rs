//! Reading timestamps with XPath date/time pictures, for `$toMillis(text, picture)`.

use regex::Regex;

use super::calendar::{self, MILLIS_PER_DAY};
use super::date_format::{DAYS, MONTHS, Marker, Part, component_value};
use super::format_integer::{self, Case, Grouping, IntegerFormat, Primary};
use super::words::word_values;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::value::Value;

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
    use crate::jsonata::functions::date_format::analyse;

    #[test]
    fn parses_dates() {
        let parts = analyse("[Y]-[M01]-[D01]").unwrap();
        assert_eq!(
            parse("2018-03-27", &parts, 0.0).unwrap(),
            Some(1_522_108_800_000.0)
        );
        assert_eq!(parse("nonsense", &parts, 0.0).unwrap(), None);
    }
}
