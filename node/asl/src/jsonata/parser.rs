//! A Pratt (top-down operator precedence) parser for JSONata, following the structure of the
//! reference implementation so that precedence, associativity and error codes agree with it.

use super::errors::{Result, Thrown};
use super::lexer::{Lexer, Token, TokenKind};
use super::signature::Signature;
use super::stack;
use super::syntax::{MAX_DEPTH, Raw, RawKind};
use super::value::Value;

/// The token the parser is looking at.
#[derive(Debug, Clone, PartialEq)]
enum Current {
    Token(TokenKind),
    End,
}

pub(crate) struct Parser {
    lexer: Lexer,
    current: Current,
    position: usize,
}

/// Parses a whole expression into its syntax tree.
pub(crate) fn parse(source: &str) -> Result<Raw> {
    let _stack = stack::enter(stack::DEFAULT_BUDGET_BYTES);
    let mut parser = Parser {
        lexer: Lexer::new(source),
        current: Current::End,
        position: 0,
    };
    parser.advance(false)?;
    let expression = parser.expression(0)?;
    if parser.current != Current::End {
        return Err(Thrown::new("S0201")
            .at(parser.position)
            .token_value(parser.token_value()));
    }
    Ok(expression)
}

/// Left binding powers.
fn binding_power(current: &Current) -> u32 {
    let Current::Token(TokenKind::Operator(op)) = current else {
        return 0;
    };
    match *op {
        "[" | "(" | "@" | "#" => 80,
        "." => 75,
        "{" => 70,
        "*" | "/" | "%" => 60,
        "+" | "-" | "&" => 50,
        "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" => 40,
        "and" => 30,
        "or" => 25,
        "?" => 20,
        ":=" => 10,
        _ => 0,
    }
}

impl Parser {
    fn is(&self, op: &str) -> bool {
        matches!(&self.current, Current::Token(TokenKind::Operator(o)) if *o == op)
    }

    /// The token's value as JSONata shows it in error messages.
    fn token_value(&self) -> Value {
        match &self.current {
            Current::End => Value::string("(end)"),
            Current::Token(kind) => match kind {
                TokenKind::Name(s) | TokenKind::Variable(s) | TokenKind::String(s) => {
                    Value::string(s.as_str())
                }
                TokenKind::Number(n) => Value::Number(*n),
                TokenKind::Literal(l) => l.value(),
                TokenKind::Regex { pattern, flags } => {
                    Value::string(format!("/{pattern}/{flags}g"))
                }
                TokenKind::Operator(op) => Value::string(*op),
            },
        }
    }

    /// The text a token contributes when a function signature is read token by token.
    fn token_text(&self) -> String {
        match self.token_value() {
            Value::String(s) => s.to_string(),
            Value::Number(n) => super::number_format::js_number_to_string(n),
            Value::Bool(b) => b.to_string(),
            _ => "null".into(),
        }
    }

    /// Moves to the next token. `operator_expected` tells the lexer that `/` is division.
    fn advance(&mut self, operator_expected: bool) -> Result<()> {
        match self.lexer.next_token(operator_expected)? {
            None => {
                self.current = Current::End;
                self.position = self.lexer.len();
            }
            Some(Token { kind, position }) => {
                if let TokenKind::Operator(op @ ("!" | "~")) = kind {
                    return Err(Thrown::new("S0204").at(position).token(op));
                }
                self.current = Current::Token(kind);
                self.position = position;
            }
        }
        Ok(())
    }

    /// Checks that the current token is `op`, then moves past it.
    fn expect(&mut self, op: &'static str, operator_expected: bool) -> Result<()> {
        if !self.is(op) {
            let code = if self.current == Current::End {
                "S0203"
            } else {
                "S0202"
            };
            return Err(Thrown::new(code)
                .at(self.position)
                .token_value(self.token_value())
                .value(Value::string(op)));
        }
        self.advance(operator_expected)
    }

    fn expression(&mut self, rbp: u32) -> Result<Raw> {
        stack::check()?;
        let current = self.current.clone();
        let position = self.position;
        self.advance(true)?;
        let mut left = self.prefix(current, position)?;
        while rbp < binding_power(&self.current) {
            let Current::Token(TokenKind::Operator(op)) = self.current else {
                break;
            };
            let position = self.position;
            self.advance(false)?;
            left = self.infix(op, position, left)?;
            if left.depth > MAX_DEPTH {
                return Err(errors_too_deep(position));
            }
        }
        Ok(left)
    }

    /// The null denotation: a token at the start of an expression.
    fn prefix(&mut self, token: Current, position: usize) -> Result<Raw> {
        let kind = match token {
            Current::End => RawKind::End,
            Current::Token(kind) => match kind {
                TokenKind::Name(name) => RawKind::Name(name),
                TokenKind::Variable(name) => RawKind::Variable(name),
                TokenKind::String(text) => RawKind::String(text),
                TokenKind::Number(n) => RawKind::Number(n),
                TokenKind::Literal(literal) => match literal.value() {
                    Value::Bool(b) => RawKind::Bool(b),
                    _ => RawKind::Null,
                },
                TokenKind::Regex { pattern, flags } => RawKind::Regex { pattern, flags },
                TokenKind::Operator(op) => return self.prefix_operator(op, position),
            },
        };
        Ok(Raw::new(kind, position))
    }

    fn prefix_operator(&mut self, op: &'static str, position: usize) -> Result<Raw> {
        let kind = match op {
            // Keywords double as field names.
            "and" | "or" | "in" => RawKind::Name(op.into()),
            "-" => RawKind::Negate(Box::new(self.expression(70)?)),
            "*" => RawKind::Wildcard,
            "**" => RawKind::Descendant,
            "%" => RawKind::Parent,
            "(" => {
                let mut expressions = Vec::new();
                while !self.is(")") {
                    expressions.push(self.expression(0)?);
                    if !self.is(";") {
                        break;
                    }
                    self.expect(";", false)?;
                }
                self.expect(")", true)?;
                RawKind::Block(expressions)
            }
            "[" => RawKind::Array(self.array_items()?),
            "{" => RawKind::Object(self.object_pairs()?),
            "|" => {
                let pattern = Box::new(self.expression(0)?);
                self.expect("|", false)?;
                let update = Box::new(self.expression(0)?);
                let mut delete = None;
                if self.is(",") {
                    self.expect(",", false)?;
                    delete = Some(Box::new(self.expression(0)?));
                }
                self.expect("|", false)?;
                RawKind::Transform {
                    pattern,
                    update,
                    delete,
                }
            }
            _ => return Err(Thrown::new("S0211").at(position).token(op)),
        };
        let raw = Raw::new(kind, position);
        if raw.depth > MAX_DEPTH {
            return Err(errors_too_deep(position));
        }
        Ok(raw)
    }

    fn array_items(&mut self) -> Result<Vec<Raw>> {
        let mut items = Vec::new();
        if !self.is("]") {
            loop {
                let mut item = self.expression(0)?;
                if self.is("..") {
                    let position = self.position;
                    self.expect("..", false)?;
                    let rhs = self.expression(0)?;
                    let kind = RawKind::Binary {
                        op: "..",
                        lhs: Box::new(item),
                        rhs: Box::new(rhs),
                    };
                    item = Raw::new(kind, position);
                }
                items.push(item);
                if !self.is(",") {
                    break;
                }
                self.expect(",", false)?;
            }
        }
        self.expect("]", true)?;
        Ok(items)
    }

    fn object_pairs(&mut self) -> Result<Vec<(Raw, Raw)>> {
        let mut pairs = Vec::new();
        if !self.is("}") {
            loop {
                let key = self.expression(0)?;
                self.expect(":", false)?;
                let value = self.expression(0)?;
                pairs.push((key, value));
                if !self.is(",") {
                    break;
                }
                self.expect(",", false)?;
            }
        }
        self.expect("}", true)?;
        Ok(pairs)
    }

    /// The left denotation: an operator after a complete operand.
    fn infix(&mut self, op: &'static str, position: usize, left: Raw) -> Result<Raw> {
        let kind = match op {
            "(" => return self.call(position, left),
            "[" => {
                if self.is("]") {
                    let mut left = left;
                    mark_keep_array(&mut left);
                    self.expect("]", false)?;
                    return Ok(left);
                }
                let rhs = self.expression(0)?;
                self.expect("]", true)?;
                RawKind::Filter {
                    lhs: Box::new(left),
                    rhs: Box::new(rhs),
                }
            }
            "^" => {
                self.expect("(", false)?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is("<") {
                        self.expect("<", false)?;
                    } else if self.is(">") {
                        descending = true;
                        self.expect(">", false)?;
                    }
                    terms.push((descending, self.expression(0)?));
                    if !self.is(",") {
                        break;
                    }
                    self.expect(",", false)?;
                }
                self.expect(")", false)?;
                RawKind::OrderBy {
                    lhs: Box::new(left),
                    terms,
                }
            }
            "{" => RawKind::Group {
                lhs: Box::new(left),
                pairs: self.object_pairs()?,
            },
            ":=" => {
                if !matches!(left.kind, RawKind::Variable(_)) {
                    return Err(Thrown::new("S0212")
                        .at(left.position)
                        .token(left.token_text()));
                }
                let rhs = self.expression(9)?;
                RawKind::Binary {
                    op,
                    lhs: Box::new(left),
                    rhs: Box::new(rhs),
                }
            }
            "@" | "#" => {
                let rhs = self.expression(80)?;
                if !matches!(rhs.kind, RawKind::Variable(_)) {
                    return Err(Thrown::new("S0214").at(rhs.position).token(op));
                }
                RawKind::Binary {
                    op,
                    lhs: Box::new(left),
                    rhs: Box::new(rhs),
                }
            }
            "?" => {
                let then = Box::new(self.expression(0)?);
                let mut otherwise = None;
                if self.is(":") {
                    self.expect(":", false)?;
                    otherwise = Some(Box::new(self.expression(0)?));
                }
                RawKind::Condition {
                    condition: Box::new(left),
                    then,
                    otherwise,
                }
            }
            _ => {
                let rhs =
                    self.expression(binding_power(&Current::Token(TokenKind::Operator(op))))?;
                RawKind::Binary {
                    op,
                    lhs: Box::new(left),
                    rhs: Box::new(rhs),
                }
            }
        };
        Ok(Raw::new(kind, position))
    }

    /// A function call, a partial application (`?` arguments) or a lambda definition.
    fn call(&mut self, position: usize, procedure: Raw) -> Result<Raw> {
        let mut args = Vec::new();
        let mut partial = false;
        if !self.is(")") {
            loop {
                if self.is("?") {
                    partial = true;
                    args.push(Raw::new(RawKind::Placeholder, self.position));
                    self.expect("?", false)?;
                } else {
                    args.push(self.expression(0)?);
                }
                if !self.is(",") {
                    break;
                }
                self.expect(",", false)?;
            }
        }
        self.expect(")", true)?;
        let is_lambda = matches!(&procedure.kind, RawKind::Name(n) if n == "function" || n == "λ");
        if !is_lambda {
            let kind = RawKind::Call {
                procedure: Box::new(procedure),
                args,
                partial,
            };
            return Ok(Raw::new(kind, position));
        }
        for (index, arg) in args.iter().enumerate() {
            if !matches!(arg.kind, RawKind::Variable(_)) {
                return Err(Thrown::new("S0208")
                    .at(arg.position)
                    .token(arg.token_text())
                    .value(Value::Number((index + 1) as f64)));
            }
        }
        let signature = if self.is("<") {
            Some(self.signature()?)
        } else {
            None
        };
        self.expect("{", false)?;
        let body = Box::new(self.expression(0)?);
        self.expect("}", false)?;
        Ok(Raw::new(
            RawKind::Lambda {
                params: args,
                signature,
                body,
            },
            position,
        ))
    }

    /// Reads `<…>` token by token, as the reference parser does, then parses it.
    fn signature(&mut self) -> Result<Signature> {
        let start = self.position;
        let mut depth = 1;
        let mut text = String::from("<");
        while depth > 0 && !self.is("{") && self.current != Current::End {
            self.advance(false)?;
            if self.is(">") {
                depth -= 1;
            } else if self.is("<") {
                depth += 1;
            }
            text.push_str(&self.token_text());
        }
        self.expect(">", false)?;
        Signature::parse(&text).map_err(|mut err| {
            err.position = Some(start + err.position.unwrap_or(0));
            err
        })
    }
}

/// `expr[]`: the innermost step under any predicates keeps singleton arrays.
fn mark_keep_array(node: &mut Raw) {
    let mut step = node;
    while let RawKind::Filter { lhs, .. } = &mut step.kind {
        step = lhs;
    }
    step.keep_array = true;
}

fn errors_too_deep(position: usize) -> Box<Thrown> {
    super::errors::with_message("U1001", super::errors::STACK_OVERFLOW).at(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(source: &str) -> &'static str {
        parse(source).map(|_| "ok").unwrap_or_else(|e| e.code)
    }

    #[test]
    fn precedence_follows_binding_powers() {
        let raw = parse("1 + 2 * 3").unwrap();
        let RawKind::Binary { op: "+", rhs, .. } = raw.kind else {
            panic!("{raw:?}")
        };
        assert!(matches!(rhs.kind, RawKind::Binary { op: "*", .. }));
    }

    #[test]
    fn syntax_errors_have_jsonata_codes() {
        assert_eq!(code("[1,2"), "S0203");
        assert_eq!(code("a b"), "S0201");
        assert_eq!(code("!"), "S0204");
        assert_eq!(code("1 := 2"), "S0212");
        assert_eq!(code(")"), "S0211");
        assert_eq!(code("function(1){2}"), "S0208");
        assert_eq!(code("a@b"), "S0214");
        assert_eq!(code("(1; 2"), "S0203");
        assert_eq!(code("foo(1 2)"), "S0202");
    }

    #[test]
    fn lambdas_with_signatures() {
        let raw = parse("function($x, $y)<nn:n>{ $x + $y }").unwrap();
        let RawKind::Lambda {
            params, signature, ..
        } = raw.kind
        else {
            panic!()
        };
        assert_eq!(params.len(), 2);
        assert_eq!(signature.unwrap().definition, "<nn:n>");
    }

    #[test]
    fn long_operator_chains_are_refused_not_overflowed() {
        let source = vec!["1"; 100_000].join("+");
        assert_eq!(code(&source), "U1001");
        let source = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(code(&source), "U1001");
    }
}
