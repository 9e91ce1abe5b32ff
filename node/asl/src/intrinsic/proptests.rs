//! Parsing and running arbitrary intrinsic text over arbitrary JSON never panics.

use proptest::prelude::*;
use serde_json::json;

use super::{Function, Intrinsic};
use crate::path::proptests::{json_value, path_text};
use crate::rand::Rng;
use crate::scope::{NoVariables, Scope};

/// Calls of real functions with arguments of every kind, nested a little.
fn call_text() -> impl Strategy<Value = String> {
    let arg = prop_oneof![
        "'[a-c{}\\\\' ]{0,5}'",
        "-?[0-9]{1,3}(\\.[0-9])?",
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("$".to_string()),
        Just("$.a".to_string()),
        Just("$.a[*]".to_string()),
        Just("$$.b".to_string()),
        Just("$v".to_string()),
        path_text(),
    ];
    let function = prop::sample::select(Function::ALL.to_vec()).prop_map(Function::name);
    let flat = (function.clone(), prop::collection::vec(arg, 0..4))
        .prop_map(|(name, args)| format!("{name}({})", args.join(", ")));
    flat.prop_recursive(3, 12, 3, move |inner| {
        (function.clone(), prop::collection::vec(inner, 0..3))
            .prop_map(|(name, args)| format!("{name}({})", args.join(",")))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn running_any_call_never_panics(text in call_text(), input in json_value(), seed in any::<u64>()) {
        if let Ok(call) = Intrinsic::parse(&text) {
            let context = json!({"b": [1, 2]});
            let scope = Scope::new(&input, &context, &NoVariables);
            let _ = call.evaluate(&scope, &mut Rng::new(seed));
        }
    }

    #[test]
    fn parsing_any_text_never_panics(text in "[States.FormatAryUID(),'$\\\\{} 0-9a-z]{0,40}") {
        let _ = Intrinsic::parse(&text);
    }
}
