//! Checking the evaluated arguments of a call: arity, types, and the integer rules AWS
//! documents ("If you specify a non-integer value … Step Functions will round it off to the
//! nearest integer").

use serde_json::Value;

use super::ast::Function;
use crate::error::Failure;

/// The evaluated arguments of one call, with the function they belong to (for messages).
pub(crate) struct Args<'a> {
    pub(crate) function: Function,
    pub(crate) values: &'a [Value],
}

impl<'a> Args<'a> {
    /// Checks the number of arguments against the function's arity.
    pub(crate) fn new(function: Function, values: &'a [Value]) -> Result<Args<'a>, Failure> {
        let (least, most) = function.arity();
        let n = values.len();
        if n < least || most.is_some_and(|m| n > m) {
            let expected = match most {
                Some(m) if m == least => format!("{least}"),
                Some(m) => format!("between {least} and {m}"),
                None => format!("at least {least}"),
            };
            let plural = if expected.ends_with(" 1") || expected == "1" {
                ""
            } else {
                "s"
            };
            return Err(Failure::intrinsic(format!(
                "{} expects {expected} argument{plural} but received {n}",
                function.name()
            )));
        }
        Ok(Args { function, values })
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The failure for argument `index` (0-based) not being what the function needs.
    pub(crate) fn invalid(&self, index: usize, expected: &str) -> Failure {
        let shown = self
            .values
            .get(index)
            .map(Value::to_string)
            .unwrap_or_default();
        Failure::intrinsic(format!(
            "{} expects argument {} to be {expected} but received {shown}",
            self.function.name(),
            index + 1
        ))
    }

    /// A failure about the call as a whole.
    pub(crate) fn fail(&self, detail: impl std::fmt::Display) -> Failure {
        Failure::intrinsic(format!("{}: {detail}", self.function.name()))
    }

    pub(crate) fn value(&self, index: usize) -> Result<&'a Value, Failure> {
        self.values
            .get(index)
            .ok_or_else(|| self.invalid(index, "present"))
    }

    pub(crate) fn string(&self, index: usize) -> Result<&'a str, Failure> {
        match self.values.get(index) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(self.invalid(index, "a string")),
        }
    }

    pub(crate) fn array(&self, index: usize) -> Result<&'a Vec<Value>, Failure> {
        match self.values.get(index) {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(self.invalid(index, "an array")),
        }
    }

    pub(crate) fn object(
        &self,
        index: usize,
    ) -> Result<&'a serde_json::Map<String, Value>, Failure> {
        match self.values.get(index) {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(self.invalid(index, "a JSON object")),
        }
    }

    pub(crate) fn boolean(&self, index: usize) -> Result<bool, Failure> {
        match self.values.get(index) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(self.invalid(index, "a boolean")),
        }
    }

    /// A number, rounded to the nearest integer (halves upwards, as Java's `Math.round`):
    /// recorded in intrinsic_functions/test_math_add (2.5 → 3, -1.5 → -1, -0.5 → 0).
    pub(crate) fn integer(&self, index: usize) -> Result<i64, Failure> {
        let number = match self.values.get(index) {
            Some(Value::Number(n)) => n,
            _ => return Err(self.invalid(index, "an integer")),
        };
        if let Some(i) = number.as_i64() {
            return Ok(i);
        }
        number
            .as_f64()
            .and_then(round_half_up)
            .ok_or_else(|| self.invalid(index, "an integer"))
    }

    /// An integer that must fit Java's `int` (the range AWS documents for `States.MathAdd`).
    pub(crate) fn int32(&self, index: usize) -> Result<i64, Failure> {
        let value = self.integer(index)?;
        if i32::try_from(value).is_err() {
            return Err(self.invalid(index, "an integer between -2147483648 and 2147483647"));
        }
        Ok(value)
    }
}

/// Java's `Math.round(double)`: the closest integer, halves towards positive infinity; `None`
/// outside the range of `i64` or for non-finite values.
pub(crate) fn round_half_up(x: f64) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    let floor = x.floor();
    let rounded = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    // 2^63 as f64; anything at or beyond it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&rounded) {
        return None;
    }
    Some(rounded as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_sends_halves_upwards_like_java() {
        assert_eq!(round_half_up(2.5), Some(3));
        assert_eq!(round_half_up(3.5), Some(4));
        assert_eq!(round_half_up(1.49), Some(1));
        assert_eq!(round_half_up(-0.5), Some(0));
        assert_eq!(round_half_up(-1.5), Some(-1));
        assert_eq!(round_half_up(-1.51), Some(-2));
        assert_eq!(round_half_up(0.499_999_999_999_999_94), Some(0));
        assert_eq!(round_half_up(1e300), None);
        assert_eq!(round_half_up(f64::NAN), None);
    }
}
