//! Function signatures (`<s-nn?:s>`) and the argument checks they imply.
//!
//! Each argument is classified by one symbol (`s`tring, `n`umber, `b`oolean, nu`l`l, `a`rray,
//! `o`bject, `f`unction, or `m` for missing) and the list of symbols is matched against the
//! parameters the way JSONata does it with a regular expression: greedily, backtracking, first
//! match wins. A match decides which argument goes to which parameter, where the context value
//! stands in for a missing one (`-`), and where a single value is wrapped into an array (`a`).

use std::collections::HashSet;

use super::errors::{Result, Thrown};
use super::value::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Signature {
    params: Vec<Param>,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Param {
    /// The symbols this parameter accepts.
    accepts: String,
    /// The declared type: one symbol, or a choice such as `(sf)`.
    kind: String,
    min: usize,
    max: usize,
    /// `-`: the context value fills in when the argument is missing.
    context: bool,
    /// The item type of an array parameter (`a<n>`).
    subtype: Option<String>,
}

impl Param {
    fn new(kind: impl Into<String>, accepts: impl Into<String>) -> Param {
        Param {
            accepts: accepts.into(),
            kind: kind.into(),
            min: 1,
            max: 1,
            context: false,
            subtype: None,
        }
    }

    fn accepts(&self, symbol: char) -> bool {
        self.accepts.contains(symbol)
    }
}

/// The symbol JSONata's signature checks classify a value by.
pub(crate) fn symbol_of(value: &Value) -> char {
    match value {
        Value::Undefined => 'm',
        Value::Null => 'l',
        Value::Bool(_) => 'b',
        Value::Number(_) => 'n',
        Value::String(_) => 's',
        Value::Array(..) | Value::Tuples(_) => 'a',
        Value::Object(_) => 'o',
        Value::Function(_) => 'f',
    }
}

fn plural(symbol: &str) -> &'static str {
    match symbol {
        "a" => "arrays",
        "b" => "booleans",
        "f" => "functions",
        "n" => "numbers",
        "o" => "objects",
        "s" => "strings",
        _ => "undefined",
    }
}

impl Signature {
    /// Parses a signature. Errors carry, as their position, the offset within the signature.
    pub fn parse(definition: &str) -> Result<Signature> {
        let chars: Vec<char> = definition.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut position = 1;
        while position < chars.len() {
            let symbol = chars[position];
            match symbol {
                ':' => break,
                's' | 'n' | 'b' | 'l' | 'o' => {
                    params.push(Param::new(symbol, format!("{symbol}m")));
                }
                'a' => params.push(Param::new('a', "asnblfom")),
                'f' => params.push(Param::new('f', "f")),
                'j' => params.push(Param::new('j', "asnblom")),
                'x' => params.push(Param::new('x', "asnblfom")),
                '-' => {
                    if let Some(last) = params.last_mut() {
                        last.context = true;
                        last.min = 0;
                    }
                }
                '?' => {
                    if let Some(last) = params.last_mut() {
                        last.min = 0;
                    }
                }
                '+' => {
                    if let Some(last) = params.last_mut() {
                        last.max = usize::MAX;
                    }
                }
                '(' => {
                    let end = closing(&chars, position, '(', ')');
                    let choice: String = chars
                        .get(position + 1..end)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    if choice.contains('<') {
                        return Err(Thrown::new("S0402")
                            .value(Value::string(choice))
                            .at(position));
                    }
                    params.push(Param::new(format!("({choice})"), format!("{choice}m")));
                    position = end;
                }
                '<' => {
                    let Some(last) = params.last_mut().filter(|p| p.kind == "a" || p.kind == "f")
                    else {
                        let kind = params
                            .last()
                            .map_or("undefined".to_string(), |p| p.kind.clone());
                        return Err(Thrown::new("S0401").value(Value::string(kind)).at(position));
                    };
                    let end = closing(&chars, position, '<', '>');
                    last.subtype = Some(
                        chars
                            .get(position + 1..end)
                            .unwrap_or_default()
                            .iter()
                            .collect(),
                    );
                    position = end;
                }
                _ => {}
            }
            position += 1;
        }
        Ok(Signature {
            params,
            definition: definition.to_string(),
        })
    }

    /// Checks `args` against the signature and returns the arguments the function receives.
    /// `context` is the value the function was called on.
    pub fn validate(&self, args: Vec<Value>, context: &Value) -> Result<Vec<Value>> {
        let symbols: Vec<char> = args.iter().map(symbol_of).collect();
        let Some(spans) = self.matches(&symbols) else {
            return Err(self.mismatch(&symbols, &args));
        };
        let mut validated = Vec::with_capacity(self.params.len());
        let mut next = 0;
        let mut args = args.into_iter().map(Some).collect::<Vec<_>>();
        let mut take = |index: usize| {
            args.get_mut(index)
                .and_then(Option::take)
                .unwrap_or_default()
        };
        for (param, (start, end)) in self.params.iter().zip(spans) {
            if start == end {
                if param.context {
                    let symbol = symbol_of(context);
                    if !param.accepts(symbol) {
                        return Err(Thrown::new("T0411").value(context.clone()).index(next + 1));
                    }
                    validated.push(context.clone());
                } else {
                    // JSONata passes the argument in this position along even though the
                    // parameter matched nothing (normally it is missing anyway).
                    validated.push(take(next));
                    next += 1;
                }
                continue;
            }
            for &symbol in &symbols[start..end] {
                let arg = take(next);
                if param.kind == "a" {
                    validated.push(self.as_array(
                        param,
                        symbol,
                        &symbols[start..end],
                        arg,
                        next,
                    )?);
                } else {
                    validated.push(arg);
                }
                next += 1;
            }
        }
        Ok(validated)
    }

    fn as_array(
        &self,
        param: &Param,
        symbol: char,
        matched: &[char],
        arg: Value,
        index: usize,
    ) -> Result<Value> {
        if symbol == 'm' {
            return Ok(Value::Undefined);
        }
        if let Some(subtype) = &param.subtype {
            let ok = if symbol != 'a' {
                matched.iter().collect::<String>() == *subtype
            } else {
                let items = arg.as_items().unwrap_or(&[]);
                match items.first().map(symbol_of) {
                    None => true,
                    Some(first) => {
                        subtype.starts_with(first)
                            && items.iter().all(|item| symbol_of(item) == first)
                    }
                }
            };
            if !ok {
                return Err(Thrown::new("T0412")
                    .value(arg)
                    .index(index + 1)
                    .text(plural(subtype)));
            }
        }
        Ok(if symbol == 'a' {
            arg
        } else {
            Value::array(vec![arg])
        })
    }

    /// The spans of `symbols` each parameter takes in the first complete match.
    fn matches(&self, symbols: &[char]) -> Option<Vec<(usize, usize)>> {
        let mut spans = Vec::with_capacity(self.params.len());
        let mut failed = HashSet::new();
        self.search(symbols, 0, 0, true, &mut spans, &mut failed)
            .then_some(spans)
    }

    /// Depth-first search in the order a backtracking regex engine tries alternatives
    /// (greedy), remembering dead ends so that no signature can make it exponential.
    fn search(
        &self,
        symbols: &[char],
        param_index: usize,
        position: usize,
        anchored_end: bool,
        spans: &mut Vec<(usize, usize)>,
        failed: &mut HashSet<(usize, usize)>,
    ) -> bool {
        let Some(param) = self.params.get(param_index) else {
            return !anchored_end || position == symbols.len();
        };
        if failed.contains(&(param_index, position)) {
            return false;
        }
        let available = symbols[position..]
            .iter()
            .take_while(|&&symbol| param.accepts(symbol))
            .count();
        let longest = available.min(param.max);
        if longest >= param.min {
            for length in (param.min..=longest).rev() {
                spans.push((position, position + length));
                if self.search(
                    symbols,
                    param_index + 1,
                    position + length,
                    anchored_end,
                    spans,
                    failed,
                ) {
                    return true;
                }
                spans.pop();
            }
        }
        failed.insert((param_index, position));
        false
    }

    /// T0410, pointing at the first argument a growing prefix of the signature cannot take.
    fn mismatch(&self, symbols: &[char], args: &[Value]) -> Box<Thrown> {
        let mut good_to = 0;
        for count in 1..=self.params.len() {
            let prefix = Signature {
                params: self.params[..count].to_vec(),
                definition: String::new(),
            };
            let mut spans = Vec::new();
            let mut failed = HashSet::new();
            if !prefix.search(symbols, 0, 0, false, &mut spans, &mut failed) {
                break;
            }
            good_to = spans.last().map_or(0, |span| span.1);
        }
        let value = args.get(good_to).cloned().unwrap_or_default();
        Thrown::new("T0410").value(value).index(good_to + 1)
    }
}

/// The position of the bracket that closes the one at `start`.
fn closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut position = start;
    while position + 1 < chars.len() {
        position += 1;
        if chars[position] == close {
            depth -= 1;
            if depth == 0 {
                return position;
            }
        } else if chars[position] == open {
            depth += 1;
        }
    }
    chars.len().saturating_sub(1).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: f64) -> Value {
        Value::Number(n)
    }

    #[test]
    fn optional_and_context_parameters() {
        let sig = Signature::parse("<s-nn?:s>").unwrap();
        let out = sig
            .validate(vec![Value::string("abc"), num(1.0)], &Value::Undefined)
            .unwrap();
        assert_eq!(out.len(), 3);
        assert!(out[2].is_undefined());
        let out = sig.validate(vec![num(1.0)], &Value::string("ctx")).unwrap();
        assert_eq!(out[0].as_str(), Some("ctx"));
        let err = sig.validate(vec![num(1.0)], &num(5.0)).unwrap_err();
        assert_eq!((err.code, err.index), ("T0411", Some(1)));
    }

    #[test]
    fn mismatch_points_at_the_first_bad_argument() {
        let sig = Signature::parse("<s-nn?:s>").unwrap();
        let err = sig.validate(
            vec![Value::string("a"), Value::string("b")],
            &Value::Undefined,
        );
        let err = err.unwrap_err();
        assert_eq!((err.code, err.index), ("T0410", Some(2)));
        let err = sig
            .validate(
                vec![Value::string("a"), num(1.0), num(2.0), num(3.0)],
                &Value::Undefined,
            )
            .unwrap_err();
        assert_eq!(err.index, Some(4));
    }

    #[test]
    fn single_values_are_wrapped_for_array_parameters() {
        let sig = Signature::parse("<a<n>:n>").unwrap();
        let out = sig.validate(vec![num(3.0)], &Value::Undefined).unwrap();
        assert_eq!(out[0].as_items().map(<[Value]>::len), Some(1));
        let err = sig
            .validate(
                vec![Value::array(vec![num(1.0), Value::string("x")])],
                &Value::Undefined,
            )
            .unwrap_err();
        assert_eq!((err.code, err.text.as_deref()), ("T0412", Some("numbers")));
    }

    #[test]
    fn one_or_more_takes_every_argument() {
        let sig = Signature::parse("<a+>").unwrap();
        let out = sig
            .validate(vec![num(1.0), num(2.0), num(3.0)], &Value::Undefined)
            .unwrap();
        assert_eq!(out.len(), 3);
        assert!(sig.validate(vec![], &Value::Undefined).is_err());
    }

    #[test]
    fn type_parameters_only_on_arrays_and_functions() {
        assert_eq!(Signature::parse("<s<n>>").unwrap_err().code, "S0401");
        assert_eq!(Signature::parse("<(sa<n>)>").unwrap_err().code, "S0402");
    }

    #[test]
    fn malformed_signatures_do_not_panic() {
        for definition in ["", "<", "<a<", "<(s", "<-", "<?+", "<f<", "<a<n", "(", "<)"] {
            let _ = Signature::parse(definition)
                .map(|sig| sig.validate(vec![num(1.0)], &Value::Undefined));
        }
    }

    #[test]
    fn many_optional_parameters_do_not_blow_up() {
        let definition = format!("<{}s>", "n?".repeat(40));
        let sig = Signature::parse(&definition).unwrap();
        let args = vec![num(1.0); 41];
        assert!(sig.validate(args, &Value::Undefined).is_err());
    }
}
