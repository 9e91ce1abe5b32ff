//! `States.Format` and `States.StringSplit`.

use serde_json::Value;

use crate::error::Failure;
use crate::intrinsic::args::Args;
use crate::intrinsic::ast::StringLiteral;
use crate::intrinsic::java_text;

/// A piece of a format template.
enum Piece {
    Text(String),
    Placeholder,
}

/// Splits a template literal at its `{}` placeholders; `\{` and `\}` are literal braces.
fn pieces_of_literal(raw: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('\'' | '{' | '}' | '\\')) => text.push(escaped),
                Some(other) => {
                    text.push('\\');
                    text.push(other);
                }
                None => text.push('\\'),
            },
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Placeholder);
            }
            other => text.push(other),
        }
    }
    pieces.push(Piece::Text(text));
    pieces
}

/// Splits a template that came from the input at its `{}` placeholders (no escapes: the text
/// is data, not intrinsic syntax).
fn pieces_of_value(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, part) in template.split("{}").enumerate() {
        if i > 0 {
            pieces.push(Piece::Placeholder);
        }
        pieces.push(Piece::Text(part.to_string()));
    }
    pieces
}

/// Replaces each `{}` with the next argument, printed as Java prints it.
pub(super) fn format(args: &Args<'_>, literal: Option<&StringLiteral>) -> Result<Value, Failure> {
    let pieces = match literal {
        Some(literal) => pieces_of_literal(&literal.raw),
        None => pieces_of_value(args.string(0)?),
    };
    let placeholders = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Placeholder))
        .count();
    let given = args.len() - 1;
    if placeholders != given {
        return Err(args.fail(format!(
            "the template has {placeholders} placeholder(s) '{{}}' but {given} value(s) were given"
        )));
    }
    let mut out = String::new();
    let mut next = 1;
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Placeholder => {
                out.push_str(&java_text::to_text(args.value(next)?));
                next += 1;
            }
        }
    }
    Ok(Value::String(out))
}

/// Splits at every character of the second argument and drops empty pieces, as Java's
/// `StringTokenizer` does (recorded in intrinsic_functions/test_string_split: `",,,,"` gives
/// `[]`, `", , ,"` gives `[" ", " "]`).
pub(super) fn string_split(args: &Args<'_>) -> Result<Value, Failure> {
    let text = args.string(0)?;
    let delimiters = args.string(1)?;
    let tokens = text
        .split(|c: char| delimiters.contains(c))
        .filter(|token| !token.is_empty())
        .map(|token| Value::String(token.to_string()));
    Ok(Value::Array(tokens.collect()))
}
