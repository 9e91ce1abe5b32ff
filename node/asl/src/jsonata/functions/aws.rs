//! The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`, `$random`
//! (with an optional seed), `$uuid` and `$parse`.
//!
//! Their error codes (`D3150`–`D3153`) are this implementation's: AWS does not document the
//! codes its versions report.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::arg;
use crate::jsonata::errors::{Result, Thrown, with_message};
use crate::jsonata::evaluate::Evaluator;
use crate::jsonata::json;
use crate::jsonata::value::Value;
use crate::rand::Rng;

/// The longest list `$range` builds, as for the `..` operator.
const MAX_RANGE: f64 = 1e7;

/// `$partition(array, size)`: consecutive chunks of `size` items (the last may be shorter).
pub(super) fn partition(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(items) = arg(&args, 0).as_items() else {
        return Ok(Value::Undefined);
    };
    let size = arg(&args, 1).as_number().unwrap_or(f64::NAN);
    if size.is_nan() || size < 1.0 || size.fract() != 0.0 {
        return Err(with_message(
            "D3150",
            format!(
                "The size argument of the partition function must be a positive integer: {}",
                crate::jsonata::number_format::js_number_to_string(size)
            ),
        ));
    }
    ev.charge(items.len() as u64)?;
    let size = size.min(usize::MAX as f64) as usize;
    let chunks = items
        .chunks(size)
        .map(|chunk| Value::array(chunk.to_vec()))
        .collect();
    Ok(Value::array(chunks))
}

/// `$range(start, end, step)`: `start`, `start + step`, … up to and including `end`.
pub(super) fn range(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let (Some(start), Some(end)) = (arg(&args, 0).as_number(), arg(&args, 1).as_number()) else {
        return Ok(Value::Undefined);
    };
    let step = arg(&args, 2).as_number().unwrap_or(1.0);
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
        return Err(with_message(
            "D3151",
            "The step argument of the range function must be a non-zero finite number",
        ));
    }
    let count = ((end - start) / step).floor() + 1.0;
    if count > MAX_RANGE {
        return Err(Thrown::new("D2014").value(Value::Number(count)));
    }
    let count = if count > 0.0 { count as u64 } else { 0 };
    ev.charge(count)?;
    let items = (0..count)
        .map(|i| Value::Number(start + i as f64 * step))
        .collect();
    Ok(Value::sequence(items))
}

/// `$hash(text, algorithm)`: the lower-case hex digest of the text's UTF-8 bytes.
pub(super) fn hash(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let algorithm = arg(&args, 1).as_str().unwrap_or("SHA-256");
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(with_message(
                "D3152",
                format!(
                    "The algorithm argument of the hash function must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512: {other}"
                ),
            ));
        }
    };
    Ok(Value::string(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    ))
}

/// `$random([seed])`: a number in [0, 1) from the evaluation's generator, or, with a seed, the
/// same number every time for that seed.
pub(super) fn random(ev: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(Value::Number(match arg(&args, 0).as_number() {
        Some(seed) => {
            // +0 and -0 are the same seed.
            let seed = if seed == 0.0 { 0.0 } else { seed };
            Rng::new(seed.to_bits()).next_f64()
        }
        None => ev.env.rng.next_f64(),
    }))
}

pub(super) fn uuid(ev: &mut Evaluator<'_, '_>, _: Vec<Value>, _: &Value) -> Result<Value> {
    Ok(Value::string(ev.env.rng.uuid_v4()))
}

/// `$parse(text)`: the JSON value the text holds.
pub(super) fn parse(_: &mut Evaluator<'_, '_>, args: Vec<Value>, _: &Value) -> Result<Value> {
    let Some(text) = arg(&args, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(parsed) => json::from_json(&parsed),
        Err(e) => Err(with_message(
            "D3153",
            format!("Unable to parse the argument of the parse function as JSON: {e}"),
        )),
    }
}
