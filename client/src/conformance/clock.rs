//! Cases whose input was built from "now": their timestamps were made with a reference
//! instant and are shifted by (our start time − that instant) before running.

use asl::Timestamp;
use serde_json::Value;

/// Shifts every timestamp-shaped string in `value` by `start - reference`, keeping its
/// format (fraction digits, zone suffix or none).
pub fn shift_timestamps(
    value: &mut Value,
    reference: &str,
    start: Timestamp,
) -> Result<(), String> {
    let reference = parse_loose(reference)
        .ok_or_else(|| format!("reference_now {reference:?} is not a timestamp"))?;
    let delta_ms = start.as_millis() - reference;
    shift(value, delta_ms);
    Ok(())
}

fn shift(value: &mut Value, delta_ms: i64) {
    match value {
        Value::String(text) => {
            if let Some(shifted) = shift_text(text, delta_ms) {
                *text = shifted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift(v, delta_ms)),
        Value::Object(map) => map.values_mut().for_each(|v| shift(v, delta_ms)),
        _ => {}
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]` shifted by `delta_ms`, in the same layout.
fn shift_text(text: &str, delta_ms: i64) -> Option<String> {
    if text.len() < 19 || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let civil: jiff::civil::DateTime = text.get(..19)?.parse().ok()?;
    let rest = &text[19..];
    let (fraction, suffix) = match rest.strip_prefix('.') {
        Some(f) => {
            let digits = f.bytes().take_while(u8::is_ascii_digit).count();
            (&f[..digits], &f[digits..])
        }
        None => ("", rest),
    };
    let nanos: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").get(..9)?.parse().ok()?
    };
    let base = jiff::tz::Offset::UTC.to_timestamp(civil).ok()?;
    let shifted = base
        .checked_add(jiff::SignedDuration::from_nanos(nanos))
        .ok()?
        .checked_add(jiff::SignedDuration::from_millis(delta_ms))
        .ok()?;
    let civil = jiff::tz::Offset::UTC.to_datetime(shifted);
    let mut out = civil.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if !fraction.is_empty() {
        let nanos = format!("{:09}", civil.subsec_nanosecond());
        out.push('.');
        out.push_str(&nanos[..fraction.len().min(9)]);
    }
    out.push_str(suffix);
    Some(out)
}

/// Milliseconds since the epoch of an RFC 3339 timestamp, or of a zone-less one read as UTC.
fn parse_loose(text: &str) -> Option<i64> {
    if let Some(t) = Timestamp::parse_rfc3339(text) {
        return Some(t.as_millis());
    }
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    Some(
        jiff::tz::Offset::UTC
            .to_timestamp(civil)
            .ok()?
            .as_millisecond(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shifting_keeps_layout() {
        let mut v =
            json!({"a": "2025-01-01T00:00:00", "b": "2025-01-01T00:00:00.000000Z", "c": "x"});
        let start = Timestamp::parse_rfc3339("2025-01-01T00:01:00Z").unwrap();
        shift_timestamps(&mut v, "2025-01-01T00:00:00+00:00", start).unwrap();
        assert_eq!(
            v,
            json!({"a": "2025-01-01T00:01:00", "b": "2025-01-01T00:01:00.000000Z", "c": "x"})
        );
    }
}
