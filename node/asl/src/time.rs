//! Timestamps as the core sees them: milliseconds since the Unix epoch, stamped by the caller.

use serde::{Deserialize, Serialize};

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z. The core never reads a clock:
/// every `Timestamp` comes from the event being applied.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const EPOCH: Timestamp = Timestamp(0);

    pub fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    pub fn as_millis(self) -> i64 {
        self.0
    }

    pub fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        self.plus_millis(seconds.saturating_mul(1000))
    }

    /// ISO-8601 in UTC with millisecond precision, as the context object shows times:
    /// `2024-01-31T12:00:00.123Z`.
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            // Out of jiff's range (beyond year ±9999): clamp rather than fail.
            Err(_) if self.0 < 0 => "-009999-01-01T00:00:00.000Z".to_string(),
            Err(_) => "9999-12-31T23:59:59.999Z".to_string(),
        }
    }

    /// Parses an RFC 3339 date-time as the States Language requires it: an uppercase `T`
    /// between date and time and an explicit zone (`Z` or `±hh:mm`). Sub-millisecond digits are
    /// truncated.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        if !is_strict_rfc3339(text) {
            return None;
        }
        let ts: jiff::Timestamp = text.parse().ok()?;
        Some(Timestamp(ts.as_millisecond()))
    }
}

/// The shape check that jiff's more lenient parser does not make for us.
fn is_strict_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let date_ok = digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19);
    if !date_ok {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_and_z() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_700_000_000_123).to_rfc3339(),
            "2023-11-14T22:13:20.123Z"
        );
    }

    #[test]
    fn parses_strict_rfc3339_only() {
        assert_eq!(
            Timestamp::parse_rfc3339("2016-03-14T01:59:00Z"),
            Some(Timestamp(1_457_920_740_000))
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2016-03-14T01:59:00.5+01:00"),
            Some(Timestamp(1_457_917_140_500))
        );
        for bad in [
            "2016-03-14t01:59:00Z",
            "2016-03-14 01:59:00Z",
            "2016-03-14T01:59:00",
            "2016-13-05T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-03-14T01:59:00.Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }
}
