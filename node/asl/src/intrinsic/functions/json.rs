//! `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use serde_json::Value;

use crate::error::Failure;
use crate::intrinsic::args::Args;

/// Parses JSON text. Blank text gives `null` (recorded in
/// intrinsic_functions/test_string_to_json for `""` and `" "`), and `-0` gives `0` (the same
/// cases), as Java's parser reads it as an integer.
pub(super) fn string_to_json(args: &Args<'_>) -> Result<Value, Failure> {
    let text = args.string(0)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    // serde_json reads the integer `-0` as the float -0.0; Java reads it as the integer 0.
    if text.trim() == "-0" {
        return Ok(Value::from(0));
    }
    serde_json::from_str(text)
        .map_err(|e| args.fail(format!("the argument is not valid JSON text: {e}")))
}

/// Compact JSON text of any value.
pub(super) fn json_to_string(args: &Args<'_>) -> Result<Value, Failure> {
    Ok(Value::String(args.value(0)?.to_string()))
}

/// A shallow merge: members of the second object replace those of the first. AWS supports only
/// the shallow mode, so the third argument must be `false`.
pub(super) fn json_merge(args: &Args<'_>) -> Result<Value, Failure> {
    let first = args.object(0)?;
    let second = args.object(1)?;
    if args.boolean(2)? {
        return Err(args.fail("deep merging is not supported; the third argument must be false"));
    }
    let mut merged = first.clone();
    for (key, value) in second {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(merged))
}
