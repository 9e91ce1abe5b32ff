//! Errors: the public [`Error`] and the richer [`Thrown`] carried while parsing and evaluating.
//!
//! JSONata builds its messages from a catalogue of templates whose inserts (`{{token}}`,
//! `{{value}}`, …) are filled in as the error travels outwards: the evaluator adds the operator
//! or function name and the position where it knows them. [`Thrown`] keeps those inserts until
//! the error leaves the module, then [`Thrown::into_error`] renders the message exactly as
//! JSONata 2.0.6 does, because Step Functions quotes it verbatim in failure causes.

use super::stringify::{self, Style};
use super::value::Value;

/// A JSONata error: the upstream error code (`T1006`, `S0201`, `D3001`, …), its message and,
/// where known, the character position in the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: &'static str,
    pub message: String,
    pub position: Option<usize>,
}

/// An error on its way out, with the inserts its message template needs.
#[derive(Debug, Clone)]
pub(crate) struct Thrown {
    pub code: &'static str,
    pub position: Option<usize>,
    /// The operator, function name or source token the error is about.
    pub token: Option<Value>,
    pub value: Option<Value>,
    pub value2: Option<Value>,
    /// One-based argument index, for signature errors.
    pub index: Option<usize>,
    /// Raw text inserted unquoted: `$error`/`$assert` messages, the function name of D3140,
    /// the element type of T0412, or the reason of an implementation-specific error.
    pub text: Option<String>,
}

pub(crate) type Result<T, E = Box<Thrown>> = std::result::Result<T, E>;

impl Thrown {
    pub fn new(code: &'static str) -> Box<Thrown> {
        Box::new(Thrown {
            code,
            position: None,
            token: None,
            value: None,
            value2: None,
            index: None,
            text: None,
        })
    }

    pub fn at(mut self: Box<Self>, position: usize) -> Box<Self> {
        self.position = Some(position);
        self
    }

    pub fn token(mut self: Box<Self>, token: impl Into<String>) -> Box<Self> {
        self.token = Some(Value::string(token.into()));
        self
    }

    /// A token that is not text (a number literal, for instance).
    pub fn token_value(mut self: Box<Self>, token: Value) -> Box<Self> {
        self.token = Some(token);
        self
    }

    pub fn value(mut self: Box<Self>, value: Value) -> Box<Self> {
        self.value = Some(value);
        self
    }

    pub fn value2(mut self: Box<Self>, value: Value) -> Box<Self> {
        self.value2 = Some(value);
        self
    }

    pub fn index(mut self: Box<Self>, index: usize) -> Box<Self> {
        self.index = Some(index);
        self
    }

    pub fn text(mut self: Box<Self>, text: impl Into<String>) -> Box<Self> {
        self.text = Some(text.into());
        self
    }

    /// Fills the position and token in if nothing closer to the cause set them.
    pub fn locate(mut self: Box<Self>, position: usize, token: Option<&str>) -> Box<Self> {
        if self.position.is_none() {
            self.position = Some(position);
        }
        if self.token.is_none() {
            self.token = token.map(Value::string);
        }
        self
    }

    pub fn into_error(self) -> Error {
        Error {
            code: self.code,
            message: self.message(),
            position: self.position,
        }
    }

    fn message(&self) -> String {
        let template = template(self.code);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let (raw, open, close) = if after.starts_with("{{{") {
                (true, 3, "}}}")
            } else {
                (false, 2, "}}")
            };
            let Some(end) = after[open..].find(close) else {
                out.push_str(after);
                rest = "";
                break;
            };
            let field = &after[open..open + end];
            out.push_str(&self.insert(field, raw));
            rest = &after[open + end + close.len()..];
        }
        out.push_str(rest);
        out
    }

    /// One insert: raw (`{{{…}}}`) inserts appear as they are, the others as JSON text, and
    /// a missing insert reads `undefined`, as in JavaScript.
    fn insert(&self, field: &str, raw: bool) -> String {
        let quote = |text: &str| {
            if raw {
                text.to_string()
            } else {
                stringify::quote(text)
            }
        };
        let undefined = || "undefined".to_string();
        match field {
            "token" => self
                .token
                .as_ref()
                .map_or_else(undefined, |v| describe(v, raw)),
            "value" => self
                .value
                .as_ref()
                .map_or_else(undefined, |v| describe(v, raw)),
            "value2" | "exp" => self
                .value2
                .as_ref()
                .map_or_else(undefined, |v| describe(v, raw)),
            "index" => self.index.map_or_else(undefined, |i| i.to_string()),
            "message" | "functionName" | "type" => {
                self.text.as_deref().map_or_else(undefined, quote)
            }
            _ => undefined(),
        }
    }
}

fn describe(value: &Value, raw: bool) -> String {
    match value {
        Value::String(s) if raw => s.to_string(),
        _ => stringify::to_json_text(value, Style::Message).unwrap_or_else(|| "undefined".into()),
    }
}

/// The message templates of JSONata 2.0.6, plus `U1001`, which its test suite uses for runaway
/// expressions, and `S0303`, for regular expression syntax this implementation cannot run.
fn template(code: &str) -> &'static str {
    match code {
        "S0101" => "String literal must be terminated by a matching quote",
        "S0102" => "Number out of range: {{token}}",
        "S0103" => "Unsupported escape sequence: \\{{token}}",
        "S0104" => "The escape sequence \\u must be followed by 4 hex digits",
        "S0105" => "Quoted property name must be terminated with a backquote (`)",
        "S0106" => "Comment has no closing tag",
        "S0201" => "Syntax error: {{token}}",
        "S0202" => "Expected {{value}}, got {{token}}",
        "S0203" => "Expected {{value}} before end of expression",
        "S0204" => "Unknown operator: {{token}}",
        "S0205" => "Unexpected token: {{token}}",
        "S0206" => "Unknown expression type: {{token}}",
        "S0207" => "Unexpected end of expression",
        "S0208" => {
            "Parameter {{value}} of function definition must be a variable name (start with $)"
        }
        "S0209" => "A predicate cannot follow a grouping expression in a step",
        "S0210" => "Each step can only have one grouping expression",
        "S0211" => "The symbol {{token}} cannot be used as a unary operator",
        "S0212" => "The left side of := must be a variable name (start with $)",
        "S0213" => "The literal value {{value}} cannot be used as a step within a path expression",
        "S0214" => "The right side of {{token}} must be a variable name (start with $)",
        "S0215" => "A context variable binding must precede any predicates on a step",
        "S0216" => "A context variable binding must precede the 'order-by' clause on a step",
        "S0217" => "The object representing the 'parent' cannot be derived from this expression",
        "S0301" => "Empty regular expressions are not allowed",
        "S0302" => "No terminating / in regular expression",
        "S0303" => "Unsupported regular expression: {{{message}}}",
        "S0402" => "Choice groups containing parameterized types are not supported",
        "S0401" => "Type parameters can only be applied to functions and arrays",
        "T0410" => "Argument {{index}} of function {{token}} does not match function signature",
        "T0411" => {
            "Context value is not a compatible type with argument {{index}} of function {{token}}"
        }
        "T0412" => "Argument {{index}} of function {{token}} must be an array of {{type}}",
        "D1001" => "Number out of range: {{value}}",
        "D1002" => "Cannot negate a non-numeric value: {{value}}",
        "T1003" => "Key in object structure must evaluate to a string; got: {{value}}",
        "D1004" => "Regular expression matches zero length string",
        "T1005" => "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
        "T1006" => "Attempted to invoke a non-function",
        "T1007" => "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
        "T1008" => "Attempted to partially apply a non-function",
        "D1009" => "Multiple key definitions evaluate to same key: {{value}}",
        "T1010" => {
            "The matcher function argument passed to function {{token}} does not return the correct object structure"
        }
        "T2001" => "The left side of the {{token}} operator must evaluate to a number",
        "T2002" => "The right side of the {{token}} operator must evaluate to a number",
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        "T2006" => "The right side of the function application operator ~> must be a function",
        "T2007" => {
            "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"
        }
        "T2008" => {
            "The expressions within an order-by clause must evaluate to numeric or string values"
        }
        "T2009" => {
            "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type"
        }
        "T2010" => {
            "The expressions either side of operator {{token}} must evaluate to numeric or string values"
        }
        "T2011" => {
            "The insert/update clause of the transform expression must evaluate to an object: {{value}}"
        }
        "T2012" => {
            "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}"
        }
        "T2013" => {
            "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function."
        }
        "D2014" => {
            "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}."
        }
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "D3010" => "Second argument of replace function cannot be an empty string",
        "D3011" => "Fourth argument of replace function must evaluate to a positive number",
        "D3012" => "Attempted to replace a matched string with a non-string value",
        "D3020" => "Third argument of split function must evaluate to a positive number",
        "D3030" => "Unable to cast value to a number: {{value}}",
        "D3040" => "Third argument of match function must evaluate to a positive number",
        "D3050" => {
            "The second argument of reduce function must be a function with at least two arguments"
        }
        "D3060" => "The sqrt function cannot be applied to a negative number: {{value}}",
        "D3061" => {
            "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}"
        }
        "D3070" => {
            "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"
        }
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => {
            "The sub-picture must not contain more than one instance of the 'decimal-separator' character"
        }
        "D3082" => {
            "The sub-picture must not contain more than one instance of the 'percent' character"
        }
        "D3083" => {
            "The sub-picture must not contain more than one instance of the 'per-mille' character"
        }
        "D3084" => "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085" => {
            "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"
        }
        "D3086" => {
            "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"
        }
        "D3087" => {
            "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"
        }
        "D3088" => {
            "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"
        }
        "D3089" => {
            "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"
        }
        "D3090" => {
            "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"
        }
        "D3091" => {
            "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"
        }
        "D3092" => {
            "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"
        }
        "D3093" => {
            "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"
        }
        "D3100" => {
            "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"
        }
        "D3110" => {
            "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"
        }
        "D3130" => {
            "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation"
        }
        "D3131" => "In a decimal digit pattern, all digits must be from the same decimal group",
        "D3132" => "Unknown component specifier {{value}} in date/time picture string",
        "D3133" => {
            "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}"
        }
        "D3134" => "The timezone integer format specifier cannot have more than four digits",
        "D3135" => "No matching closing bracket ']' in date/time picture string",
        "D3136" => {
            "The date/time picture string is missing specifiers required to parse the timestamp"
        }
        "D3137" | "D3141" => "{{{message}}}",
        "D3138" => {
            "The $single() function expected exactly 1 matching result.  Instead it matched more."
        }
        "D3139" => {
            "The $single() function expected exactly 1 matching result.  Instead it matched 0."
        }
        "D3140" => "Malformed URL passed to ${{{functionName}}}(): {{value}}",
        "U1001" => "{{{message}}}",
        _ => "{{{message}}}",
    }
}

/// Shorthand for the errors of the AWS additions and of limits, whose text is all message.
pub(crate) fn with_message(code: &'static str, message: impl Into<String>) -> Box<Thrown> {
    Thrown::new(code).text(message)
}

pub(crate) const STACK_OVERFLOW: &str = "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.";
pub(crate) const TIMEOUT: &str = "Expression evaluation timeout: Check for infinite loop";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_inserts_are_json_and_triple_braces_are_raw() {
        let err = Thrown::new("T0410")
            .token("substring")
            .index(2)
            .into_error();
        assert_eq!(
            err.message,
            "Argument 2 of function \"substring\" does not match function signature"
        );
        let err = Thrown::new("T1005").token("sum").into_error();
        assert_eq!(
            err.message,
            "Attempted to invoke a non-function. Did you mean $sum?"
        );
        let err = Thrown::new("S0103").token("q").into_error();
        assert_eq!(err.message, "Unsupported escape sequence: \\\"q\"");
    }

    #[test]
    fn missing_inserts_read_undefined() {
        let err = Thrown::new("T2001").into_error();
        assert_eq!(
            err.message,
            "The left side of the undefined operator must evaluate to a number"
        );
    }

    #[test]
    fn display_is_code_colon_message() {
        let err = Thrown::new("T1006").into_error();
        assert_eq!(err.to_string(), "T1006: Attempted to invoke a non-function");
    }
}
