//! The tokenizer. It runs on demand, one token at a time, because whether `/` starts a regular
//! expression or means division depends on where the parser is.

use super::errors::{Result, Thrown};
use super::value::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    Name(String),
    Variable(String),
    String(String),
    Number(f64),
    /// `true`, `false` or `null`.
    Literal(Literal),
    Regex {
        pattern: String,
        flags: String,
    },
    Operator(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Literal {
    True,
    False,
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// The character offset just past the token, as JSONata reports positions.
    pub position: usize,
}

const DOUBLE_OPERATORS: [&str; 7] = ["..", ":=", "!=", ">=", "<=", "**", "~>"];

/// Characters that are operators on their own; they also end names.
fn single_operator(c: char) -> Option<&'static str> {
    Some(match c {
        '.' => ".",
        '[' => "[",
        ']' => "]",
        '{' => "{",
        '}' => "}",
        '(' => "(",
        ')' => ")",
        ',' => ",",
        '@' => "@",
        '#' => "#",
        ';' => ";",
        ':' => ":",
        '?' => "?",
        '+' => "+",
        '-' => "-",
        '*' => "*",
        '/' => "/",
        '%' => "%",
        '|' => "|",
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '^' => "^",
        '&' => "&",
        '!' => "!",
        '~' => "~",
        _ => return None,
    })
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}')
}

pub(crate) struct Lexer {
    chars: Vec<char>,
    position: usize,
}

impl Lexer {
    pub fn new(source: &str) -> Lexer {
        Lexer {
            chars: source.chars().collect(),
            position: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, index: usize) -> Option<char> {
        self.chars.get(index).copied()
    }

    /// The next token, or `None` at the end. With `operator_expected`, `/` is division rather
    /// than the start of a regular expression.
    pub fn next_token(&mut self, operator_expected: bool) -> Result<Option<Token>> {
        loop {
            while self.at(self.position).is_some_and(is_whitespace) {
                self.position += 1;
            }
            if self.at(self.position) == Some('/') && self.at(self.position + 1) == Some('*') {
                let start = self.position;
                self.position += 2;
                loop {
                    if self.position + 1 >= self.chars.len() {
                        return Err(Thrown::new("S0106").at(start));
                    }
                    if self.at(self.position) == Some('*')
                        && self.at(self.position + 1) == Some('/')
                    {
                        self.position += 2;
                        break;
                    }
                    self.position += 1;
                }
                continue;
            }
            break;
        }
        let Some(current) = self.at(self.position) else {
            return Ok(None);
        };
        if !operator_expected && current == '/' {
            self.position += 1;
            return self.regex().map(Some);
        }
        if let Some(next) = self.at(self.position + 1) {
            let pair: String = [current, next].iter().collect();
            if let Some(op) = DOUBLE_OPERATORS.iter().find(|op| **op == pair) {
                self.position += 2;
                return Ok(Some(self.token(TokenKind::Operator(op))));
            }
        }
        if let Some(op) = single_operator(current) {
            self.position += 1;
            return Ok(Some(self.token(TokenKind::Operator(op))));
        }
        if current == '"' || current == '\'' {
            return self.string(current).map(Some);
        }
        if let Some(token) = self.number()? {
            return Ok(Some(token));
        }
        if current == '`' {
            self.position += 1;
            let start = self.position;
            return match self.chars[start..].iter().position(|&c| c == '`') {
                Some(length) => {
                    let name = self.chars[start..start + length].iter().collect();
                    self.position = start + length + 1;
                    Ok(Some(self.token(TokenKind::Name(name))))
                }
                None => {
                    self.position = self.chars.len();
                    Err(Thrown::new("S0105").at(self.position))
                }
            };
        }
        Ok(self.name())
    }

    fn token(&self, kind: TokenKind) -> Token {
        Token {
            kind,
            position: self.position,
        }
    }

    fn name(&mut self) -> Option<Token> {
        let start = self.position;
        let mut end = start;
        while let Some(c) = self.at(end) {
            if is_whitespace(c) || single_operator(c).is_some() {
                break;
            }
            end += 1;
        }
        self.position = end;
        if self.at(start) == Some('$') {
            let name = self.chars[start + 1..end].iter().collect();
            return Some(self.token(TokenKind::Variable(name)));
        }
        let name: String = self.chars[start..end].iter().collect();
        let kind = match name.as_str() {
            "or" => TokenKind::Operator("or"),
            "in" => TokenKind::Operator("in"),
            "and" => TokenKind::Operator("and"),
            "true" => TokenKind::Literal(Literal::True),
            "false" => TokenKind::Literal(Literal::False),
            "null" => TokenKind::Literal(Literal::Null),
            "" if end == self.chars.len() => return None,
            _ => TokenKind::Name(name),
        };
        Some(self.token(kind))
    }

    /// JSON's number syntax (without a sign: `-` is always an operator here).
    fn number(&mut self) -> Result<Option<Token>> {
        let start = self.position;
        let digits = |lexer: &Lexer, from: usize| {
            lexer.chars[from..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let mut end = start;
        match self.at(end) {
            Some('0') => end += 1,
            Some('1'..='9') => end += digits(self, end),
            _ => return Ok(None),
        }
        if self.at(end) == Some('.') && digits(self, end + 1) > 0 {
            end += 1 + digits(self, end + 1);
        }
        if matches!(self.at(end), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.at(end + 1), Some('+' | '-')));
            let exponent_digits = digits(self, end + 1 + sign);
            if exponent_digits > 0 {
                end += 1 + sign + exponent_digits;
            }
        }
        let text: String = self.chars[start..end].iter().collect();
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                self.position = end;
                Ok(Some(self.token(TokenKind::Number(n))))
            }
            _ => Err(Thrown::new("S0102").at(start).token(text)),
        }
    }

    fn string(&mut self, quote: char) -> Result<Token> {
        self.position += 1;
        let mut text = String::new();
        // A high surrogate from `\uD83D` waiting for its low half.
        let mut pending_high: Option<u32> = None;
        while let Some(c) = self.at(self.position) {
            if c == '\\' {
                self.position += 1;
                let escaped = self.at(self.position);
                let simple = match escaped {
                    Some('"') => Some('"'),
                    Some('\\') => Some('\\'),
                    Some('/') => Some('/'),
                    Some('b') => Some('\u{8}'),
                    Some('f') => Some('\u{c}'),
                    Some('n') => Some('\n'),
                    Some('r') => Some('\r'),
                    Some('t') => Some('\t'),
                    _ => None,
                };
                if let Some(simple) = simple {
                    flush_surrogate(&mut text, &mut pending_high);
                    text.push(simple);
                } else if escaped == Some('u') {
                    let hex: String = self.chars.iter().skip(self.position + 1).take(4).collect();
                    let unit = (hex.len() == 4)
                        .then(|| u32::from_str_radix(&hex, 16).ok())
                        .flatten()
                        .ok_or_else(|| Thrown::new("S0104").at(self.position))?;
                    self.position += 4;
                    push_utf16_unit(&mut text, &mut pending_high, unit);
                } else {
                    let token = escaped.map(String::from).unwrap_or_default();
                    return Err(Thrown::new("S0103").at(self.position).token(token));
                }
            } else if c == quote {
                flush_surrogate(&mut text, &mut pending_high);
                self.position += 1;
                return Ok(self.token(TokenKind::String(text)));
            } else {
                flush_surrogate(&mut text, &mut pending_high);
                text.push(c);
            }
            self.position += 1;
        }
        Err(Thrown::new("S0101").at(self.position))
    }

    /// Scans a regular expression literal after its opening `/`: up to the first unescaped `/`
    /// outside brackets, then the flags `i` and `m`.
    fn regex(&mut self) -> Result<Token> {
        let start = self.position;
        let mut depth: i64 = 0;
        while let Some(c) = self.at(self.position) {
            if c == '/' && depth == 0 && self.preceding_backslashes(self.position).is_multiple_of(2)
            {
                let pattern: String = self.chars[start..self.position].iter().collect();
                if pattern.is_empty() {
                    return Err(Thrown::new("S0301").at(self.position));
                }
                self.position += 1;
                let flags_start = self.position;
                while matches!(self.at(self.position), Some('i' | 'm')) {
                    self.position += 1;
                }
                let flags = self.chars[flags_start..self.position].iter().collect();
                return Ok(self.token(TokenKind::Regex { pattern, flags }));
            }
            let escaped = self.position > 0 && self.at(self.position - 1) == Some('\\');
            if matches!(c, '(' | '[' | '{') && !escaped {
                depth += 1;
            }
            if matches!(c, ')' | ']' | '}') && !escaped {
                depth -= 1;
            }
            self.position += 1;
        }
        Err(Thrown::new("S0302").at(self.position))
    }

    fn preceding_backslashes(&self, position: usize) -> usize {
        self.chars[..position]
            .iter()
            .rev()
            .take_while(|&&c| c == '\\')
            .count()
    }
}

/// Appends a UTF-16 code unit from a `\u` escape, pairing surrogates; a lone surrogate, which
/// a Rust string cannot hold, becomes U+FFFD.
fn push_utf16_unit(text: &mut String, pending_high: &mut Option<u32>, unit: u32) {
    match unit {
        0xD800..=0xDBFF => {
            flush_surrogate(text, pending_high);
            *pending_high = Some(unit);
        }
        0xDC00..=0xDFFF => match pending_high.take() {
            Some(high) => {
                let code = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                text.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            None => text.push(char::REPLACEMENT_CHARACTER),
        },
        _ => {
            flush_surrogate(text, pending_high);
            text.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }
}

fn flush_surrogate(text: &mut String, pending_high: &mut Option<u32>) {
    if pending_high.take().is_some() {
        text.push(char::REPLACEMENT_CHARACTER);
    }
}

impl Literal {
    pub fn value(self) -> Value {
        match self {
            Literal::True => Value::Bool(true),
            Literal::False => Value::Bool(false),
            Literal::Null => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<TokenKind> {
        let mut lexer = Lexer::new(source);
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token(false).unwrap() {
            out.push(token.kind);
        }
        out
    }

    #[test]
    fn names_variables_and_operators() {
        assert_eq!(
            tokens("Account.$x := `a b`"),
            vec![
                TokenKind::Name("Account".into()),
                TokenKind::Operator("."),
                TokenKind::Variable("x".into()),
                TokenKind::Operator(":="),
                TokenKind::Name("a b".into()),
            ]
        );
    }

    #[test]
    fn strings_with_escapes_and_surrogate_pairs() {
        assert_eq!(
            tokens(r#""a\n\u00e9\uD83D\uDE00" 'b'"#),
            vec![
                TokenKind::String("a\né😀".into()),
                TokenKind::String("b".into())
            ]
        );
        let err = Lexer::new(r#""\q""#).next_token(false).unwrap_err();
        assert_eq!(err.code, "S0103");
        assert_eq!(
            Lexer::new("'abc").next_token(false).unwrap_err().code,
            "S0101"
        );
    }

    #[test]
    fn numbers_and_their_range() {
        assert_eq!(
            tokens("1.5e3 0"),
            vec![TokenKind::Number(1500.0), TokenKind::Number(0.0)]
        );
        assert_eq!(
            Lexer::new("1e999").next_token(false).unwrap_err().code,
            "S0102"
        );
    }

    #[test]
    fn slash_is_a_regex_unless_an_operator_is_expected() {
        assert_eq!(
            tokens("/a\\/b/im"),
            vec![TokenKind::Regex {
                pattern: "a\\/b".into(),
                flags: "im".into()
            }]
        );
        let mut lexer = Lexer::new("/ 2");
        assert_eq!(
            lexer.next_token(true).unwrap().unwrap().kind,
            TokenKind::Operator("/")
        );
    }

    #[test]
    fn comments_are_skipped_and_must_close() {
        assert_eq!(tokens("/* c */ a"), vec![TokenKind::Name("a".into())]);
        assert_eq!(
            Lexer::new("/* open").next_token(false).unwrap_err().code,
            "S0106"
        );
    }
}
