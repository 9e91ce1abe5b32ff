//! Regular expression literals (`/ab+c/i`) on the `regex` crate.
//!
//! JSONata hands its patterns to JavaScript's `RegExp`, so they are written in JavaScript's
//! dialect. This module translates that dialect into the `regex` crate's syntax, keeping
//! JavaScript's meaning where the two differ: `\d`, `\w`, `\b` are ASCII-only, `\s` is
//! JavaScript's whitespace set, `.` excludes all four line terminators, `\uXXXX` escapes
//! (surrogate pairs included), identity escapes (`\e` is `e`), literal `{`/`}` that do not form
//! a quantifier, `[` inside a class, and the empty classes `[]` and `[^]`.
//!
//! Not supported, because the `regex` crate guarantees linear-time matching and therefore has
//! no way to express them: lookahead (`(?=`, `(?!`), lookbehind (`(?<=`, `(?<!`) and
//! backreferences (`\1`, `\k<name>`). A pattern using them fails to compile with `S0303`.
//! Case-insensitive matching follows Unicode simple case folding rather than JavaScript's
//! `toUpperCase` mapping, and `^`/`$` in multiline mode recognise `\n` only as a line end.

use regex::Regex;

use super::errors::{Result, with_message};

#[derive(Debug, Clone)]
pub(crate) struct JsRegex {
    /// The pattern as written, which JSONata quotes in errors.
    pub source: String,
    regex: Regex,
}

/// One match: byte offsets into the searched text, and the capture groups (`None` for a
/// group that did not take part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegexMatch {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<Option<(usize, usize)>>,
}

const JS_WHITESPACE: &str = r"\t\n\x{B}\x{C}\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

impl JsRegex {
    pub fn compile(pattern: &str, flags: &str) -> Result<JsRegex> {
        let unsupported = |reason: String| with_message("S0303", reason);
        let mut translated = String::new();
        if flags.contains('i') {
            translated.push_str("(?i)");
        }
        if flags.contains('m') {
            translated.push_str("(?m)");
        }
        translated.push_str(&translate(pattern).map_err(unsupported)?);
        let regex = Regex::new(&translated)
            .map_err(|e| unsupported(format!("/{pattern}/: {}", first_line(&e.to_string()))))?;
        Ok(JsRegex {
            source: pattern.to_string(),
            regex,
        })
    }

    /// The first match that starts at or after byte offset `from`.
    pub fn find_at(&self, text: &str, from: usize) -> Option<RegexMatch> {
        if from > text.len() || !text.is_char_boundary(from) {
            return None;
        }
        let captures = self.regex.captures_at(text, from)?;
        let whole = captures.get(0)?;
        let groups = captures
            .iter()
            .skip(1)
            .map(|group| group.map(|m| (m.start(), m.end())))
            .collect();
        Some(RegexMatch {
            start: whole.start(),
            end: whole.end(),
            groups,
        })
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

/// The length in UTF-16 code units of `text[..byte]`: JavaScript's string index.
pub(crate) fn utf16_index(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map_or(0, |prefix| prefix.encode_utf16().count())
}

/// The byte offset of a JavaScript string index, clamped to the text.
pub(crate) fn byte_index(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        if units >= utf16 {
            return byte;
        }
        units += c.len_utf16();
    }
    text.len()
}

struct Translator {
    chars: Vec<char>,
    i: usize,
    out: String,
}

fn translate(pattern: &str) -> std::result::Result<String, String> {
    let mut t = Translator {
        chars: pattern.chars().collect(),
        i: 0,
        out: String::new(),
    };
    while let Some(c) = t.peek(0) {
        t.i += 1;
        match c {
            '\\' => t.escape(false)?,
            '[' => t.class()?,
            '.' => t.out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '(' => {
                if t.peek(0) == Some('?') {
                    match (t.peek(1), t.peek(2)) {
                        (Some('=' | '!'), _) => return Err("lookahead assertions".into()),
                        (Some('<'), Some('=' | '!')) => return Err("lookbehind assertions".into()),
                        _ => {}
                    }
                }
                t.out.push('(');
            }
            '{' => match t.quantifier_length() {
                Some(length) => {
                    t.out.push('{');
                    let body: String = t.chars[t.i..t.i + length].iter().collect();
                    t.out.push_str(&body);
                    t.i += length;
                }
                None => t.out.push_str(r"\{"),
            },
            '}' => t.out.push_str(r"\}"),
            c => t.out.push(c),
        }
    }
    Ok(t.out)
}

impl Translator {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    /// After a `{`: the length of `n}`, `n,}` or `n,m}` if that follows.
    fn quantifier_length(&self) -> Option<usize> {
        let rest = &self.chars[self.i..];
        let digits = |from: usize| {
            rest[from..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let first = digits(0);
        if first == 0 {
            return None;
        }
        let mut at = first;
        if rest.get(at) == Some(&',') {
            at += 1;
            at += digits(at);
        }
        (rest.get(at) == Some(&'}')).then_some(at + 1)
    }

    fn hex(&self, from: usize, count: usize) -> Option<u32> {
        let text: String = self
            .chars
            .get(self.i + from..self.i + from + count)?
            .iter()
            .collect();
        if text.len() == count && text.chars().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(&text, 16).ok()
        } else {
            None
        }
    }

    fn push_char(&mut self, code: u32) {
        let code = match code {
            0xD800..=0xDFFF => 0xFFFD,
            _ => code,
        };
        self.out.push_str(&format!(r"\x{{{code:X}}}"));
    }

    /// Translates the escape after a backslash. Inside a class, the class escapes become
    /// ranges (or nested classes for the negated ones).
    fn escape(&mut self, in_class: bool) -> std::result::Result<(), String> {
        let Some(c) = self.peek(0) else {
            return Err("\\ at end of pattern".into());
        };
        self.i += 1;
        let set = |positive: &str, negated: bool| match (in_class, negated) {
            (true, false) => positive.to_string(),
            (_, true) => format!("[^{positive}]"),
            (false, false) => format!("[{positive}]"),
        };
        match c {
            'd' | 'D' => self.out.push_str(&set("0-9", c == 'D')),
            'w' | 'W' => self.out.push_str(&set("0-9A-Za-z_", c == 'W')),
            's' | 'S' => self.out.push_str(&set(JS_WHITESPACE, c == 'S')),
            'b' if in_class => self.out.push_str(r"\x{8}"),
            'b' => self.out.push_str(r"(?-u:\b)"),
            'B' => self.out.push_str(r"(?-u:\B)"),
            't' | 'n' | 'r' | 'v' | 'f' => {
                self.out.push('\\');
                self.out.push(c);
            }
            '0' => self.out.push_str(r"\x{0}"),
            '1'..='9' if in_class => self.push_char(c as u32 - '0' as u32),
            '1'..='9' => return Err("backreferences".into()),
            'k' if self.peek(0) == Some('<') => return Err("backreferences".into()),
            'x' => match self.hex(0, 2) {
                Some(code) => {
                    self.i += 2;
                    self.push_char(code);
                }
                None => self.out.push('x'),
            },
            'u' => match self.hex(0, 4) {
                Some(high @ 0xD800..=0xDBFF)
                    if self.peek(4) == Some('\\')
                        && self.peek(5) == Some('u')
                        && matches!(self.hex(6, 4), Some(0xDC00..=0xDFFF)) =>
                {
                    let low = self.hex(6, 4).unwrap_or(0xDC00);
                    self.i += 10;
                    self.push_char(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
                }
                Some(code) => {
                    self.i += 4;
                    self.push_char(code);
                }
                None => self.out.push('u'),
            },
            'c' => match self.peek(0) {
                Some(letter) if letter.is_ascii_alphabetic() => {
                    self.i += 1;
                    self.push_char(letter as u32 % 32);
                }
                _ => self.out.push_str(r"\\c"),
            },
            c if c.is_ascii_alphanumeric() => self.out.push(c),
            c if c.is_ascii_punctuation() => {
                self.out.push('\\');
                self.out.push(c);
            }
            c => self.push_char(c as u32),
        }
        Ok(())
    }

    /// A character class, after its `[`.
    fn class(&mut self) -> std::result::Result<(), String> {
        let negated = self.peek(0) == Some('^');
        if negated {
            self.i += 1;
        }
        if self.peek(0) == Some(']') {
            self.i += 1;
            // `[]` matches nothing and `[^]` matches anything.
            self.out.push_str(if negated {
                r"[\x{0}-\x{10FFFF}]"
            } else {
                r"[^\x{0}-\x{10FFFF}]"
            });
            return Ok(());
        }
        self.out.push('[');
        if negated {
            self.out.push('^');
        }
        // After a class escape such as `\w`, a `-` cannot form a range: it is literal.
        let mut after_set = false;
        loop {
            let Some(c) = self.peek(0) else {
                return Err("unterminated character class".into());
            };
            self.i += 1;
            match c {
                ']' => break,
                '\\' => {
                    let set = matches!(self.peek(0), Some('d' | 'D' | 'w' | 'W' | 's' | 'S'));
                    self.escape(true)?;
                    after_set = set;
                    continue;
                }
                '-' if after_set || self.out.ends_with('-') || self.peek(0) == Some('-') => {
                    self.out.push_str(r"\-");
                }
                '[' | '&' | '~' => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                c => self.out.push(c),
            }
            after_set = false;
        }
        self.out.push(']');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, flags: &str, text: &str) -> bool {
        JsRegex::compile(pattern, flags)
            .unwrap()
            .find_at(text, 0)
            .is_some()
    }

    #[test]
    fn javascript_classes_are_ascii() {
        assert!(matches(r"^\d+$", "", "123"));
        assert!(!matches(r"^\d+$", "", "١٢٣"));
        assert!(matches(r"^\w+$", "", "a_1"));
        assert!(!matches(r"^\w$", "", "é"));
        assert!(matches(r"\bfoo\b", "", "a foo b"));
    }

    #[test]
    fn literal_braces_brackets_and_escapes() {
        assert!(matches("a{", "", "a{"));
        assert!(matches("a{2}", "", "aa"));
        assert!(matches("[[]", "", "["));
        assert!(matches(r"\/", "", "/"));
        assert!(matches(r"\u00e9", "", "é"));
        assert!(matches(r"\uD83D\uDE00", "", "😀"));
        assert!(matches(r"^hello\$", "", "hello$world"));
        assert!(matches(r"[\w-]+", "", "-"));
        assert!(matches(r"[^]", "", "\n"));
        assert!(!matches(r"a[]", "", "a"));
    }

    #[test]
    fn dot_excludes_line_terminators_and_flags_apply() {
        assert!(!matches("^.$", "", "\r"));
        assert!(matches("ABC", "i", "xabcx"));
        assert!(matches("^b", "m", "a\nb"));
    }

    #[test]
    fn lookaround_and_backreferences_are_reported() {
        for pattern in ["a(?=b)", "a(?!b)", "(?<=a)b", r"(a)\1", r"(?<x>a)\k<x>"] {
            let err = JsRegex::compile(pattern, "").unwrap_err();
            assert_eq!(err.code, "S0303", "{pattern}");
        }
    }

    #[test]
    fn matches_report_groups_and_offsets() {
        let regex = JsRegex::compile("(a)(x)?b", "").unwrap();
        let found = regex.find_at("zzab ab", 3).unwrap();
        assert_eq!(
            found,
            RegexMatch {
                start: 5,
                end: 7,
                groups: vec![Some((5, 6)), None]
            }
        );
        assert_eq!(utf16_index("😀ab", 4), 2);
        assert_eq!(byte_index("😀ab", 2), 4);
    }
}
