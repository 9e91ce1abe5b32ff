//! The built-in function library: JSONata 2.0's functions (without `$eval`, which Step
//! Functions removes) and the functions Step Functions adds.

mod array;
mod aws;
mod calendar;
mod date_format;
mod date_parse;
mod datetime;
mod encoding;
mod format_integer;
mod format_number;
mod higher_order;
pub(crate) mod matching;
mod numeric;
mod object;
pub(crate) mod string;
mod words;

use std::collections::HashMap;
use std::sync::LazyLock;

use super::errors::Result;
use super::evaluate::Evaluator;
use super::signature::Signature;
use super::value::Value;

/// A built-in's implementation: the evaluator, the checked arguments, and the context value
/// it was called on.
pub(crate) type Native = fn(&mut Evaluator<'_, '_>, Vec<Value>, &Value) -> Result<Value>;

#[derive(Debug)]
pub(crate) struct Builtin {
    pub name: &'static str,
    pub signature: Signature,
    /// Arguments higher-order functions pass it (its JavaScript `length`).
    pub arity: usize,
    /// Parameters a partial application fills (its declared JavaScript parameters).
    pub declared: usize,
    pub run: Native,
}

/// Name, signature, arity, declared parameters, implementation.
type Entry = (&'static str, &'static str, usize, usize, Native);

const ENTRIES: &[Entry] = &[
    ("sum", "<a<n>:n>", 1, 1, numeric::sum),
    ("count", "<a:n>", 1, 1, array::count),
    ("max", "<a<n>:n>", 1, 1, numeric::max),
    ("min", "<a<n>:n>", 1, 1, numeric::min),
    ("average", "<a<n>:n>", 1, 1, numeric::average),
    ("string", "<x-b?:s>", 1, 2, string::string),
    ("substring", "<s-nn?:s>", 3, 3, string::substring),
    ("substringBefore", "<s-s:s>", 2, 2, string::substring_before),
    ("substringAfter", "<s-s:s>", 2, 2, string::substring_after),
    ("lowercase", "<s-:s>", 1, 1, string::lowercase),
    ("uppercase", "<s-:s>", 1, 1, string::uppercase),
    ("length", "<s-:n>", 1, 1, string::length),
    ("trim", "<s-:s>", 1, 1, string::trim),
    ("pad", "<s-ns?:s>", 3, 3, string::pad),
    ("match", "<s-f<s:o>n?:a<o>>", 3, 3, matching::match_),
    ("contains", "<s-(sf):b>", 2, 2, matching::contains),
    ("replace", "<s-(sf)(sf)n?:s>", 4, 4, matching::replace),
    ("split", "<s-(sf)n?:a<s>>", 3, 3, matching::split),
    ("join", "<a<s>s?:s>", 2, 2, string::join),
    (
        "formatNumber",
        "<n-so?:s>",
        3,
        3,
        format_number::format_number,
    ),
    ("formatBase", "<n-n?:s>", 2, 2, numeric::format_base),
    (
        "formatInteger",
        "<n-s:s>",
        2,
        2,
        format_integer::format_integer,
    ),
    (
        "parseInteger",
        "<s-s:n>",
        2,
        2,
        format_integer::parse_integer,
    ),
    ("number", "<(nsb)-:n>", 1, 1, numeric::number),
    ("floor", "<n-:n>", 1, 1, numeric::floor),
    ("ceil", "<n-:n>", 1, 1, numeric::ceil),
    ("round", "<n-n?:n>", 2, 2, numeric::round),
    ("abs", "<n-:n>", 1, 1, numeric::abs),
    ("sqrt", "<n-:n>", 1, 1, numeric::sqrt),
    ("power", "<n-n:n>", 2, 2, numeric::power),
    ("random", "<n?:n>", 1, 1, aws::random),
    ("boolean", "<x-:b>", 1, 1, object::boolean),
    ("not", "<x-:b>", 1, 1, object::not),
    ("map", "<af>", 2, 2, higher_order::map),
    ("zip", "<a+>", 0, 1, array::zip),
    ("filter", "<af>", 2, 2, higher_order::filter),
    ("single", "<af?>", 2, 2, higher_order::single),
    ("reduce", "<afj?:j>", 3, 3, higher_order::reduce),
    ("sift", "<o-f?:o>", 2, 2, object::sift),
    ("keys", "<x-:a<s>>", 1, 1, object::keys),
    ("lookup", "<x-s:x>", 2, 2, object::lookup),
    ("append", "<xx:a>", 2, 2, array::append),
    ("exists", "<x:b>", 1, 1, object::exists),
    ("spread", "<x-:a<o>>", 1, 1, object::spread),
    ("merge", "<a<o>:o>", 1, 1, object::merge),
    ("reverse", "<a:a>", 1, 1, array::reverse),
    ("each", "<o-f:a>", 2, 2, object::each),
    ("error", "<s?:x>", 1, 1, object::error),
    ("assert", "<bs?:x>", 2, 2, object::assert),
    ("type", "<x:s>", 1, 1, object::type_of),
    ("sort", "<af?:a>", 2, 2, array::sort),
    ("shuffle", "<a:a>", 1, 1, array::shuffle),
    ("distinct", "<x:x>", 1, 1, array::distinct),
    ("base64encode", "<s-:s>", 1, 1, encoding::base64_encode),
    ("base64decode", "<s-:s>", 1, 1, encoding::base64_decode),
    (
        "encodeUrlComponent",
        "<s-:s>",
        1,
        1,
        encoding::encode_url_component,
    ),
    ("encodeUrl", "<s-:s>", 1, 1, encoding::encode_url),
    (
        "decodeUrlComponent",
        "<s-:s>",
        1,
        1,
        encoding::decode_url_component,
    ),
    ("decodeUrl", "<s-:s>", 1, 1, encoding::decode_url),
    ("toMillis", "<s-s?:n>", 2, 2, datetime::to_millis),
    ("fromMillis", "<n-s?s?:s>", 3, 3, datetime::from_millis),
    ("clone", "<(oa)-:o>", 1, 1, object::clone),
    ("now", "<s?s?:s>", 2, 2, datetime::now),
    ("millis", "<:n>", 0, 0, datetime::millis),
    // Added by Step Functions.
    ("partition", "<an:a>", 2, 2, aws::partition),
    ("range", "<nnn?:a>", 3, 3, aws::range),
    ("hash", "<ss?:s>", 2, 2, aws::hash),
    ("uuid", "<:s>", 0, 0, aws::uuid),
    ("parse", "<s-:j>", 1, 1, aws::parse),
];

static BUILTINS: LazyLock<HashMap<&'static str, Builtin>> = LazyLock::new(|| {
    ENTRIES
        .iter()
        .map(|&(name, signature, arity, declared, run)| {
            let signature = Signature::parse(signature)
                .expect("built-in signatures are well formed (every_builtin_signature_parses)");
            (
                name,
                Builtin {
                    name,
                    signature,
                    arity,
                    declared,
                    run,
                },
            )
        })
        .collect()
});

/// The built-in function called `name` (without the `$`).
pub(crate) fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.get(name)
}

/// Whether `name` names a built-in function.
pub(crate) fn is_builtin(name: &str) -> bool {
    BUILTINS.contains_key(name)
}

/// The argument at `index`, or `undefined`.
pub(crate) fn arg(args: &[Value], index: usize) -> &Value {
    const UNDEFINED: &Value = &Value::Undefined;
    args.get(index).unwrap_or(UNDEFINED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_signature_parses() {
        for (name, signature, ..) in ENTRIES {
            assert!(Signature::parse(signature).is_ok(), "{name}: {signature}");
        }
        assert_eq!(BUILTINS.len(), ENTRIES.len());
    }

    #[test]
    fn eval_is_absent() {
        assert!(lookup("eval").is_none());
        assert!(lookup("sum").is_some());
    }
}
