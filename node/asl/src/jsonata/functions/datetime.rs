//! `$now`, `$millis`, `$fromMillis` and `$toMillis`. The current time is the evaluation's
//! timestamp from the caller, the same for every call within one evaluation.

use std::sync::LazyLock;

use regex::Regex;

use super::arg;
use super::calendar;
use super::date_format::{self, Part};
use super::date_parse;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::value::Value;

const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

/// The timestamp shapes `$toMillis` accepts without a picture (JSONata's test).
static ISO_8601: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^[0-9]{4}(-[01][0-9])*(-[0-3][0-9])*(T[0-2][0-9]:[0-5][0-9]:[0-5][0-9])*(\.[0-9]+)?([+-][0-2][0-9]:?[0-5][0-9]|Z)?$",
    )
    .ok()
});

/// The forms JavaScript's `Date.parse` reads among those.
static DATE_PARSE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$",
    )
    .ok()
});

fn now_millis(ev: &Evaluator<'_, '_>) -> f64 {
    ev.env.now.as_millis() as f64
}

pub(super) fn millis(ev: &mut Evaluator<'_, '_>, _: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(Value::Number(now_millis(ev)))
}

pub(super) fn now(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    format_instant(now_millis(ev), arg(&args, 0), arg(&args, 1))
}

pub(super) fn from_millis(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(millis) = arg(&args, 0).as_number() else {
        return Ok(Value::Undefined);
    };
    format_instant(millis, arg(&args, 1), arg(&args, 2))
}

fn format_instant(millis: f64, picture: &Value, timezone: &Value) -> Result<Value> {
    let (hours, minutes) = match timezone.as_str() {
        Some(zone) => {
            // JSONata reads `±hhmm` as one integer, so `-0530` is -6 hours and -30 minutes.
            let offset = parse_int(zone);
            ((offset / 100.0).floor(), offset % 100.0)
        }
        None => (0.0, 0.0),
    };
    let parts = date_format::analyse(picture.as_str().unwrap_or(ISO_PICTURE))?;
    Ok(Value::string(date_format::format(
        millis, &parts, hours, minutes,
    )?))
}

pub(super) fn to_millis(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    match arg(&args, 1).as_str() {
        None => {
            let valid = ISO_8601.as_ref().is_some_and(|re| re.is_match(text));
            if !valid {
                return Err(Thrown::new("D3110").value(Value::string(text)));
            }
            Ok(Value::Number(date_parse(text)))
        }
        Some(picture) => {
            let parts: Vec<Part> = date_format::analyse(picture)?;
            Ok(date_parse::parse(text, &parts, now_millis(ev))?
                .map_or(Value::Undefined, Value::Number))
        }
    }
}

/// JavaScript's `Date.parse` for ISO 8601 text; times without a zone are read as UTC (the
/// reference implementation uses the host's zone, which is UTC on Step Functions).
fn date_parse(text: &str) -> f64 {
    let Some(captures) = DATE_PARSE.as_ref().and_then(|re| re.captures(text)) else {
        return f64::NAN;
    };
    let number = |i: usize, default: f64| {
        captures
            .get(i)
            .map_or(default, |m| m.as_str().parse::<f64>().unwrap_or(f64::NAN))
    };
    let (year, month, day) = (number(1, f64::NAN), number(2, 1.0), number(3, 1.0));
    let (hour, minute, second) = (number(4, 0.0), number(5, 0.0), number(6, 0.0));
    let millis = captures.get(7).map_or(0.0, |m| {
        let digits: String = m.as_str().chars().chain("000".chars()).take(3).collect();
        digits.parse::<f64>().unwrap_or(0.0)
    });
    let valid = (1.0..=12.0).contains(&month)
        && (1.0..=31.0).contains(&day)
        && minute <= 59.0
        && second <= 59.0
        && (hour < 24.0 || (hour == 24.0 && minute == 0.0 && second == 0.0 && millis == 0.0));
    if !valid {
        return f64::NAN;
    }
    let offset_minutes = match captures.get(8).map(|m| m.as_str()) {
        None | Some("Z") => 0.0,
        Some(zone) => {
            let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
            let digits: String = zone.chars().filter(char::is_ascii_digit).collect();
            let hours: f64 = digits.get(..2).and_then(|h| h.parse().ok()).unwrap_or(0.0);
            let minutes: f64 = digits.get(2..).and_then(|m| m.parse().ok()).unwrap_or(0.0);
            sign * (hours * 60.0 + minutes)
        }
    };
    let time = ((hour * 60.0 + minute) * 60.0 + second) * 1000.0 + millis;
    calendar::utc_exact(year, month - 1.0, day, time) - offset_minutes * 60_000.0
}

/// JavaScript's `parseInt(text)`: NaN when no digits lead.
fn parse_int(text: &str) -> f64 {
    let text = text.trim_start();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<f64>().map_or(f64::NAN, |n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_timestamps_like_date_parse() {
        assert_eq!(date_parse("2018-02-01T09:42:13.1234Z"), 1_517_478_133_123.0);
        assert_eq!(date_parse("2018-02-01T09:42:13+0100"), 1_517_474_533_000.0);
        assert_eq!(date_parse("1999"), 915_148_800_000.0);
        assert_eq!(date_parse("2018-02-31"), 1_520_035_200_000.0);
        assert!(date_parse("2018-13-01").is_nan());
        assert!(date_parse("2018-02-32").is_nan());
    }
}
