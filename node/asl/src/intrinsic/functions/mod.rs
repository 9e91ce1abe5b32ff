//! The function bodies, one file per family, as AWS groups them: arrays, encoding and hashing,
//! JSON, math, strings.

mod array;
mod codec;
mod json;
mod math;
mod text;

use serde_json::Value;

use super::args::Args;
use super::ast::{Arg, Call, Function};
use crate::error::Failure;
use crate::rand::Rng;

/// Runs `call` on its evaluated arguments.
pub(crate) fn apply(call: &Call, values: &[Value], rng: &mut Rng) -> Result<Value, Failure> {
    let args = Args::new(call.function, values)?;
    match call.function {
        Function::Format => {
            let literal = match call.args.first() {
                Some(Arg::String(literal)) => Some(literal),
                _ => None,
            };
            text::format(&args, literal)
        }
        Function::StringSplit => text::string_split(&args),
        Function::Uuid => Ok(Value::String(rng.uuid_v4())),
        Function::StringToJson => json::string_to_json(&args),
        Function::JsonToString => json::json_to_string(&args),
        Function::JsonMerge => json::json_merge(&args),
        Function::Array => Ok(Value::Array(values.to_vec())),
        Function::ArrayPartition => array::partition(&args),
        Function::ArrayContains => array::contains(&args),
        Function::ArrayRange => array::range(&args),
        Function::ArrayGetItem => array::get_item(&args),
        Function::ArrayLength => array::length(&args),
        Function::ArrayUnique => array::unique(&args),
        Function::Base64Encode => codec::base64_encode(&args),
        Function::Base64Decode => codec::base64_decode(&args),
        Function::Hash => codec::hash(&args),
        Function::MathRandom => math::random(&args, rng),
        Function::MathAdd => math::add(&args),
    }
}
