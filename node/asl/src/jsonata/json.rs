//! Conversions between evaluator values and `serde_json` values.

use serde_json::Value as Json;

use super::errors::{Result, Thrown};
use super::stack;
use super::value::{Map, Value};

/// The largest integer an `f64` holds exactly (2^53).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

pub(crate) fn from_json(json: &Json) -> Result<Value> {
    stack::check()?;
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::string(s.as_str()),
        Json::Array(items) => {
            Value::array(items.iter().map(from_json).collect::<Result<Vec<_>>>()?)
        }
        Json::Object(members) => {
            let mut map = Map::with_capacity(members.len());
            for (key, member) in members {
                map.insert(key.as_str().into(), from_json(member)?);
            }
            Value::object(map)
        }
    })
}

/// The JSON form of a result, as `JSON.stringify` would write it: `None` for `undefined` (and
/// for a function, which JSON cannot hold); inside arrays those become `null`, inside objects
/// they are left out. Numbers that are not finite are an error (`D1001`).
pub(crate) fn to_json(value: &Value) -> Result<Option<Json>> {
    stack::check()?;
    Ok(Some(match value {
        Value::Undefined | Value::Function(_) => return Ok(None),
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => number_to_json(*n)?,
        Value::String(s) => Json::String(s.to_string()),
        Value::Array(items, _) => Json::Array(array_to_json(items.iter())?),
        Value::Tuples(tuples) => Json::Array(array_to_json(tuples.iter().map(|t| &t.focus))?),
        Value::Object(object) => {
            let mut members = serde_json::Map::with_capacity(object.len());
            for (key, member) in object.iter() {
                if let Some(json) = to_json(member)? {
                    members.insert(key.to_string(), json);
                }
            }
            Json::Object(members)
        }
    }))
}

fn array_to_json<'a>(items: impl Iterator<Item = &'a Value>) -> Result<Vec<Json>> {
    items
        .map(|item| Ok(to_json(item)?.unwrap_or(Json::Null)))
        .collect()
}

/// Whole numbers within ±2^53 become JSON integers (JavaScript writes `3.0` as `3`).
pub(crate) fn number_to_json(n: f64) -> Result<Json> {
    if !n.is_finite() {
        return Err(Thrown::new("D1001").value(Value::Number(n)));
    }
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        return Ok(Json::from(n as i64));
    }
    Ok(serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_json_and_keeps_key_order() {
        let doc = json!({"z": 1, "a": [true, null, "x", 1.5], "m": {"k": -2}});
        let value = from_json(&doc).unwrap();
        let back = to_json(&value).unwrap().unwrap();
        assert_eq!(back, doc);
        let keys: Vec<_> = back.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn whole_floats_become_integers() {
        assert_eq!(number_to_json(3.0).unwrap(), json!(3));
        assert_eq!(number_to_json(-0.0).unwrap(), json!(0));
        assert_eq!(number_to_json(1e300).unwrap(), json!(1e300));
        assert_eq!(number_to_json(f64::INFINITY).unwrap_err().code, "D1001");
    }

    #[test]
    fn undefined_members_are_dropped_and_undefined_items_become_null() {
        let mut map = Map::new();
        map.insert("a".into(), Value::Undefined);
        map.insert("b".into(), Value::array(vec![Value::Undefined]));
        let json = to_json(&Value::object(map)).unwrap().unwrap();
        assert_eq!(json, json!({"b": [null]}));
    }
}
