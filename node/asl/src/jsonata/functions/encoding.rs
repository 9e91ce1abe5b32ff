//! Base64 and URL encoding, with the JavaScript semantics JSONata inherits: base64 works on
//! "binary" strings (each UTF-16 code unit truncated to a byte), URL functions follow
//! `encodeURIComponent`/`encodeURI` and their decoders.

use super::arg;
use crate::jsonata::errors::{Result, Thrown};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::value::Value;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn text_arg(args: &[Value]) -> Option<&str> {
    arg(args, 0).as_str()
}

pub(super) fn base64_encode(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(text) = text_arg(&args) else {
        return Ok(Value::Undefined);
    };
    let bytes: Vec<u8> = text.encode_utf16().map(|unit| unit as u8).collect();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    Ok(Value::string(out))
}

/// Decodes leniently, as Node.js does: whitespace and stray characters are skipped, the
/// URL-safe alphabet is accepted, decoding stops at padding.
pub(super) fn base64_decode(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    let Some(text) = text_arg(&args) else {
        return Ok(Value::Undefined);
    };
    let mut sextets = Vec::with_capacity(text.len());
    for c in text.chars() {
        let value = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' | '-' => 62,
            '/' | '_' => 63,
            '=' => break,
            _ => continue,
        };
        sextets.push(value);
    }
    let mut out = String::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        if chunk.len() < 2 {
            break;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, s)| n | (s << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        for byte in &bytes[..chunk.len() - 1] {
            out.push(char::from(*byte));
        }
    }
    Ok(Value::string(out))
}

/// Characters `encodeURIComponent` leaves alone.
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c)
}

/// Characters `encodeURI` also leaves alone (and `decodeURI` does not decode).
fn is_reserved(c: char) -> bool {
    ";,/?:@&=+$#".contains(c)
}

fn encode(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if keep(c) {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

pub(super) fn encode_url_component(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    Ok(text_arg(&args).map_or(Value::Undefined, |t| {
        Value::string(encode(t, is_unreserved))
    }))
}

pub(super) fn encode_url(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let keep = |c| is_unreserved(c) || is_reserved(c);
    Ok(text_arg(&args).map_or(Value::Undefined, |t| Value::string(encode(t, keep))))
}

/// Decodes `%XX` escapes as UTF-8; with `keep_reserved`, escapes of reserved characters stay
/// as they are (`decodeURI`). `None` for a malformed escape or invalid UTF-8.
fn decode(text: &str, keep_reserved: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            let c = text[i..].chars().next()?;
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let first = hex_byte(bytes, i)?;
        let length = match first {
            0x00..=0x7F => 1,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return None,
        };
        let mut encoded = vec![first];
        for k in 1..length {
            encoded.push(hex_byte(bytes, i + 3 * k)?);
        }
        let decoded = std::str::from_utf8(&encoded).ok()?;
        if keep_reserved && decoded.chars().all(is_reserved) {
            out.push_str(&text[i..i + 3 * length]);
        } else {
            out.push_str(decoded);
        }
        i += 3 * length;
    }
    Some(out)
}

fn hex_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
    u8::from_str_radix(hex, 16).ok()
}

fn decode_with(args: &[Value], keep_reserved: bool, name: &str) -> Result<Value> {
    let Some(text) = text_arg(args) else {
        return Ok(Value::Undefined);
    };
    match decode(text, keep_reserved) {
        Some(decoded) => Ok(Value::string(decoded)),
        None => Err(Thrown::new("D3140").value(Value::string(text)).text(name)),
    }
}

pub(super) fn decode_url_component(
    _: &mut Evaluator<'_, '_>,
    args: Vec<Value>,
    _: &Value,
) -> Result<Value> {
    decode_with(&args, false, "decodeUrlComponent")
}

pub(super) fn decode_url(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    decode_with(&args, true, "decodeUrl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_matches_javascript() {
        assert_eq!(encode("a b/é?", is_unreserved), "a%20b%2F%C3%A9%3F");
        assert_eq!(
            encode("a b/é?", |c| is_unreserved(c) || is_reserved(c)),
            "a%20b/%C3%A9?"
        );
        assert_eq!(decode("a%20b%2F%C3%A9", false).unwrap(), "a b/é");
        assert_eq!(decode("a%20b%2F", true).unwrap(), "a b%2F");
        assert!(decode("%E0%A4%A", false).is_none());
        assert!(decode("%C3", false).is_none());
    }
}
