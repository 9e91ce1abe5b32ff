//! `States.Base64Encode`, `States.Base64Decode` and `States.Hash`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::Failure;
use crate::intrinsic::args::Args;

/// The longest input, in (Java) characters, that the encoding and hash functions accept.
const INPUT_MAX_CHARS: usize = 10_000;

const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

fn check_length(args: &Args<'_>, index: usize, text: &str) -> Result<(), Failure> {
    // Java counts UTF-16 code units.
    let length = text.encode_utf16().count();
    if length > INPUT_MAX_CHARS {
        return Err(args.fail(format!(
            "the input is {length} characters long, more than the {INPUT_MAX_CHARS} allowed \
             (argument {})",
            index + 1
        )));
    }
    Ok(())
}

pub(super) fn base64_encode(args: &Args<'_>) -> Result<Value, Failure> {
    let text = args.string(0)?;
    check_length(args, 0, text)?;
    Ok(Value::String(STANDARD.encode(text.as_bytes())))
}

/// Decodes to bytes and reads them as UTF-8 (replacing invalid sequences, as Java's `String`
/// constructor does). Padding is optional, as it is for Java's decoder.
pub(super) fn base64_decode(args: &Args<'_>) -> Result<Value, Failure> {
    let text = args.string(0)?;
    check_length(args, 0, text)?;
    let bytes = STANDARD_PAD_INDIFFERENT
        .decode(text.as_bytes())
        .map_err(|e| args.fail(format!("the input is not valid Base64: {e}")))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The lowercase hexadecimal digest of the data (a string as it is, anything else as compact
/// JSON text).
pub(super) fn hash(args: &Args<'_>) -> Result<Value, Failure> {
    let data = match args.value(0)? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    check_length(args, 0, &data)?;
    let algorithm = args.string(1)?;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => {
            return Err(args.invalid(1, &format!("one of {}", HASH_ALGORITHMS.join(", "))));
        }
    };
    Ok(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}
