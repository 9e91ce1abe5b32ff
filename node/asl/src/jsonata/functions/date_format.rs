//! XPath date/time picture strings (`[Y0001]-[M01]-[D01]`): their analysis, and formatting
//! for `$fromMillis` and `$now`.

use super::calendar::{self, Fields, MILLIS_PER_DAY};
use super::format_integer::{self, Case, Grouping, IntegerFormat};
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::value::Value;

pub(crate) const DAYS: [&str; 8] = [
    "",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub(crate) const MONTHS: [&str; 12] = [
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

/// A width modifier. Widths beyond a hundred characters are taken as a hundred: they can only
/// serve to make the output huge.
fn leading_int(text: &str) -> Option<usize> {
    let digits: String = text
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse::<usize>()
        .ok()
        .map(|width| width.min(MAX_WIDTH))
}

const MAX_WIDTH: usize = 100;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn picture_errors() {
        assert_eq!(analyse("[Y").unwrap_err().code, "D3135");
        assert_eq!(analyse("[Q]").unwrap_err().code, "D3132");
    }
}
