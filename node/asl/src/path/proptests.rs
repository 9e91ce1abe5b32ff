//! Parsing and evaluating arbitrary path text over arbitrary JSON never panics.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::Path;

/// Arbitrary JSON values, a few levels deep, with keys drawn from a small set so that paths
/// often find something.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-c{}'\\\\ ]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Text made mostly of path syntax.
pub(crate) fn path_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("$".to_string()),
        Just("$$".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("*".to_string()),
        Just("?(".to_string()),
        Just(")".to_string()),
        Just("@".to_string()),
        Just("'".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("-1".to_string()),
        Just(" == ".to_string()),
        Just(" && ".to_string()),
        Just("!".to_string()),
        Just(" =~ /a.*/i".to_string()),
        Just(".length()".to_string()),
        "[a-c0-9]{1,3}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_and_reading_any_path_never_panics(text in path_text(), doc in json_value()) {
        if let Ok(path) = Path::parse(&text) {
            let _ = path.read(&doc);
            let _ = path.is_definite();
            let mut target = doc.clone();
            let _ = path.assign(&mut target, Value::Null);
        }
        let _ = Path::parse_reference(&text);
    }

    #[test]
    fn dollar_prefixed_text_never_panics(text in "\\$[\\[\\]\\.a-c0-9'\"*?@():,!=<>~ -]{0,30}", doc in json_value()) {
        if let Ok(path) = Path::parse(&text) {
            let _ = path.read(&doc);
        }
    }
}
