//! How the Java service behind Step Functions prints values in its messages: Jayway reports the
//! Java class of a node it could not descend into, and `toString()` of the node itself.
//!
//! Which JSON provider AWS configures is not recorded; these names are those of Jayway's default
//! provider (json-smart), the most likely configuration.

use serde_json::Value;

pub(crate) const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider";

/// The Java class json-smart would use for `value` (`null` for JSON null, as Jayway prints it).
pub(crate) fn class_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "net.minidev.json.JSONArray",
        Value::Object(_) => "net.minidev.json.JSONObject",
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.is_u64() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
    }
}

/// `toString()` of a json-smart node: the raw text of a string, compact JSON otherwise.
pub(crate) fn to_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_map_to_the_java_classes_json_smart_uses() {
        assert_eq!(class_name(&json!(1)), "java.lang.Integer");
        assert_eq!(class_name(&json!(5_000_000_000i64)), "java.lang.Long");
        assert_eq!(class_name(&json!(u64::MAX)), "java.math.BigInteger");
        assert_eq!(class_name(&json!(1.5)), "java.lang.Double");
        assert_eq!(class_name(&json!(null)), "null");
    }
}
