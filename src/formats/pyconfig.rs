//! The keyword arguments of a model config call in Python source, such as
//! `LanguageModelConfig(vocab_size=128 * 1024, model=TransformerConfig(...))`
//! in Grok-1's run.py, read without running Python.
//!
//! Only literals and the arithmetic publishers write in configs are
//! evaluated: ints, floats, strings, `True`/`False`/`None`, tuples and lists,
//! `+ - * / // % **` and parentheses. Anything else (a variable, a function
//! call) is kept as source text with the reason it could not be evaluated,
//! because guessing a value would defeat the point of checking it.

use std::fmt;

use serde::Serialize;

/// A Python value the parser could evaluate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PyValue {
    /// `int` (limited to 64 bits; larger results are reported as unevaluated).
    Int(i64),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A tuple or list literal.
    Seq(Vec<PyValue>),
}

impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyValue::Int(v) => write!(f, "{v}"),
            PyValue::Float(v) => {
                // Python prints `1.0`, Rust `1`: keep Python's spelling so the
                // report reads like the source.
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e16 {
                    write!(f, "{v:.1}")
                } else {
                    write!(f, "{v}")
                }
            }
            PyValue::Str(s) => write!(f, "{s:?}"),
            PyValue::Bool(true) => f.write_str("True"),
            PyValue::Bool(false) => f.write_str("False"),
            PyValue::None => f.write_str("None"),
            PyValue::Seq(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// One keyword argument of the config call, nested calls flattened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigArg {
    /// Dotted path through nested config calls (`model.emb_size`).
    pub path: String,
    /// The keyword itself (`emb_size`).
    pub name: String,
    /// The expression as written (`48 * 128`).
    pub expr: String,
    /// Its value, or why it could not be evaluated.
    pub value: Result<PyValue, String>,
}

/// The keyword arguments of the first config call in `source`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigCall {
    /// The callee (`LanguageModelConfig`).
    pub callee: String,
    /// 1-based line of the call.
    pub line: usize,
    /// Every keyword argument, nested config calls flattened in order.
    pub args: Vec<ConfigArg>,
}

/// Finds the outermost call to `callee` (or, when `None`, to the first name
/// ending in `Config` that is called rather than defined) and returns its
/// keyword arguments; arguments that are themselves `*Config(...)` calls are
/// flattened under their keyword. `None` if there is no such call or the
/// call is not closed.
pub fn extract_config(source: &str, callee: Option<&str>) -> Option<ConfigCall> {
    let tokens = tokenize(source);
    let start = (0..tokens.len()).find(|&i| {
        let Tok::Name(name) = &tokens[i].tok else {
            return false;
        };
        let wanted = match callee {
            Some(c) => name == c,
            None => name.ends_with("Config"),
        };
        let called = matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Op("(")));
        let defined =
            i > 0 && matches!(&tokens[i - 1].tok, Tok::Name(k) if k == "class" || k == "def");
        wanted && called && !defined
    })?;
    let Tok::Name(name) = &tokens[start].tok else {
        return None;
    };
    let mut args = Vec::new();
    call_args(source, &tokens, start + 1, "", &mut args)?;
    Some(ConfigCall {
        callee: name.clone(),
        line: line_of(source, tokens[start].start),
        args,
    })
}

fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads the arguments of the call whose `(` is at `open`, appending them to
/// `out` under `prefix`; returns the index just past the closing `)`.
fn call_args(
    source: &str,
    tokens: &[Token],
    open: usize,
    prefix: &str,
    out: &mut Vec<ConfigArg>,
) -> Option<usize> {
    if prefix.split('.').count() > MAX_DEPTH {
        return None;
    }
    let mut i = open + 1;
    let mut positional = 0usize;
    loop {
        match tokens.get(i).map(|t| &t.tok) {
            None => return None,
            Some(Tok::Op(")")) => return Some(i + 1),
            _ => {}
        }
        let arg_end = arg_end(tokens, i)?;
        // A stray `]` or `}` ends an argument without ending the call; going
        // on from it would read the same empty argument forever (found by
        // the fuzzer: an endless list of arguments, out of memory).
        if !matches!(tokens[arg_end].tok, Tok::Op("," | ")")) {
            return None;
        }
        let (name, value_start) = match (&tokens[i].tok, tokens.get(i + 1).map(|t| &t.tok)) {
            (Tok::Name(n), Some(Tok::Op("="))) => (n.clone(), i + 2),
            _ => {
                positional += 1;
                (format!("#{positional}"), i)
            }
        };
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let value_tokens = &tokens[value_start..arg_end];
        let nested = match value_tokens {
            [Token {
                tok: Tok::Name(callee),
                ..
            }, Token {
                tok: Tok::Op("("), ..
            }, ..]
                if callee.ends_with("Config") =>
            {
                call_args(source, tokens, value_start + 1, &path, out)
                    .filter(|&after| after == arg_end)
                    .is_some()
            }
            _ => false,
        };
        if !nested {
            let expr = match (value_tokens.first(), value_tokens.last()) {
                (Some(first), Some(last)) => source[first.start..last.end].to_string(),
                _ => String::new(),
            };
            let value = if value_tokens.is_empty() {
                Err("no value".to_string())
            } else {
                evaluate(value_tokens)
            };
            out.push(ConfigArg {
                path,
                name,
                expr,
                value,
            });
        }
        i = arg_end;
        if let Some(Tok::Op(",")) = tokens.get(i).map(|t| &t.tok) {
            i += 1;
        }
    }
}

/// Index of the `,` or `)` that ends the argument starting at `i`.
fn arg_end(tokens: &[Token], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while let Some(t) = tokens.get(i) {
        match &t.tok {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            Tok::Op(",") if depth == 0 => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Evaluates one expression that must span all of `tokens`.
pub(crate) fn evaluate(tokens: &[Token]) -> Result<PyValue, String> {
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let v = p.expr()?;
    match p.tokens.get(p.pos) {
        None => Ok(v),
        Some(t) => Err(format!("unsupported syntax at {}", t.tok)),
    }
}

/// Evaluates a standalone expression such as `48 * 128`.
pub fn eval_expr(text: &str) -> Result<PyValue, String> {
    let tokens = tokenize(text);
    if tokens.is_empty() {
        return Err("empty expression".to_string());
    }
    evaluate(&tokens)
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Name(String),
    Int(Result<i64, String>),
    Float(f64),
    Str(Result<String, String>),
    Op(&'static str),
    Other(char),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Name(n) => write!(f, "`{n}`"),
            Tok::Int(Ok(v)) => write!(f, "`{v}`"),
            Tok::Int(Err(_)) => f.write_str("an integer literal"),
            Tok::Float(v) => write!(f, "`{v}`"),
            Tok::Str(_) => f.write_str("a string"),
            Tok::Op(o) => write!(f, "`{o}`"),
            Tok::Other(c) => write!(f, "`{c}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

const OPS: &[&str] = &[
    "**", "//", "==", "!=", "<=", ">=", "->", "(", ")", "[", "]", "{", "}", ",", "=", "+", "-",
    "*", "/", "%", ".", ":", "<", ">", "@", "|", "&", "^", "~",
];

/// Splits Python source into tokens; comments and whitespace are dropped.
/// Never fails: what it does not understand becomes `Tok::Other`.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b'\\' {
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if let Some((tok, end)) = string_at(src, i) {
            out.push(Token { tok, start: i, end });
            i = end;
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let end = number_end(b, i);
            out.push(Token {
                tok: number(&src[i..end]),
                start: i,
                end,
            });
            i = end;
        } else if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 {
            let mut end = i;
            while end < b.len()
                && (b[end] == b'_' || b[end].is_ascii_alphanumeric() || b[end] >= 0x80)
            {
                end += 1;
            }
            out.push(Token {
                tok: Tok::Name(src[i..end].to_string()),
                start: i,
                end,
            });
            i = end;
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push(Token {
                tok: Tok::Op(op),
                start: i,
                end: i + op.len(),
            });
            i += op.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            out.push(Token {
                tok: Tok::Other(ch),
                start: i,
                end: i + ch.len_utf8(),
            });
            i += ch.len_utf8();
        }
    }
    out
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    let hex = b.get(i) == Some(&b'0') && matches!(b.get(i + 1), Some(b'x' | b'X'));
    if hex {
        i += 2;
        while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_') {
            i += 1;
        }
        return i;
    }
    while i < b.len() {
        let c = b[i];
        let exp_sign = matches!(c, b'+' | b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E');
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exp_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn number(text: &str) -> Tok {
    let t: String = text.chars().filter(|&c| c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
        .iter()
        .find(|(p, _)| lower.starts_with(p));
    if let Some((prefix, radix)) = radix {
        return Tok::Int(
            i64::from_str_radix(&lower[prefix.len()..], *radix).map_err(|_| {
                format!("integer literal {text} does not fit 64 bits or is malformed")
            }),
        );
    }
    if lower.ends_with('j') {
        return Tok::Int(Err(format!("complex literal {text}")));
    }
    if lower.contains(['.', 'e']) {
        return match lower.parse::<f64>() {
            Ok(v) => Tok::Float(v),
            Err(_) => Tok::Int(Err(format!("malformed number {text}"))),
        };
    }
    Tok::Int(
        lower
            .parse::<i64>()
            .map_err(|_| format!("integer literal {text} does not fit 64 bits or is malformed")),
    )
}

/// A string literal starting at `i`, with an optional prefix (`r`, `b`,
/// `f`, `u`, combinations): returns the token and the end offset.
fn string_at(src: &str, i: usize) -> Option<(Tok, usize)> {
    let b = src.as_bytes();
    let mut q = i;
    while q < b.len() && q - i < 2 && matches!(b[q].to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u')
    {
        q += 1;
    }
    let quote = *b.get(q)?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    // A name such as `rb` followed by a quote is a prefix only if nothing
    // alphanumeric precedes it.
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    let prefix = src[i..q].to_ascii_lowercase();
    let triple = b.get(q + 1) == Some(&quote) && b.get(q + 2) == Some(&quote);
    let body_start = if triple { q + 3 } else { q + 1 };
    let mut j = body_start;
    let mut text = String::new();
    let raw = prefix.contains('r');
    // An unterminated literal is one token to the end of its line (or of
    // the file, if triple-quoted): giving up on it and rescanning from the
    // next character made runs of quotes quadratic.
    let unterminated =
        |end: usize| Some((Tok::Str(Err("unterminated string literal".into())), end));
    loop {
        let Some(&c) = b.get(j) else {
            return unterminated(j);
        };
        if c == quote && (!triple || (b.get(j + 1) == Some(&quote) && b.get(j + 2) == Some(&quote)))
        {
            let end = if triple { j + 3 } else { j + 1 };
            let tok = if prefix.contains('f') {
                Tok::Str(Err("f-string needs Python to evaluate".to_string()))
            } else if prefix.contains('b') {
                Tok::Str(Err("bytes literal".to_string()))
            } else {
                Tok::Str(Ok(text))
            };
            return Some((tok, end));
        }
        if c == b'\n' && !triple {
            return unterminated(j);
        }
        if c == b'\\' && !raw {
            let Some(&next) = b.get(j + 1) else {
                return unterminated(j + 1);
            };
            let esc = match next {
                b'n' => Some('\n'),
                b't' => Some('\t'),
                b'r' => Some('\r'),
                b'0' => Some('\0'),
                b'\\' => Some('\\'),
                b'\'' => Some('\''),
                b'"' => Some('"'),
                b'\n' => None,
                _ => {
                    text.push('\\');
                    None
                }
            };
            if let Some(e) = esc {
                text.push(e);
                j += 2;
                continue;
            }
            if next == b'\n' {
                j += 2;
                continue;
            }
            j += 1;
            continue;
        }
        let ch = src[j..].chars().next()?;
        text.push(ch);
        j += ch.len_utf8();
    }
}

/// Deepest nesting of parentheses, brackets or config calls read; run.py
/// comes from the network, and recursion on hostile nesting would overflow
/// the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<PyValue, String> {
        let mut v = self.term()?;
        loop {
            if self.eat("+") {
                v = binary(v, "+", self.term()?)?;
            } else if self.eat("-") {
                v = binary(v, "-", self.term()?)?;
            } else {
                return Ok(v);
            }
        }
    }

    fn term(&mut self) -> Result<PyValue, String> {
        let mut v = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o @ ("*" | "/" | "//" | "%"))) => *o,
                _ => return Ok(v),
            };
            self.pos += 1;
            v = binary(v, op, self.unary()?)?;
        }
    }

    fn unary(&mut self) -> Result<PyValue, String> {
        self.depth += 1;
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> Result<PyValue, String> {
        if self.depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        if self.eat("-") {
            return match self.unary()? {
                PyValue::Int(v) => v
                    .checked_neg()
                    .map(PyValue::Int)
                    .ok_or_else(|| "integer overflow".to_string()),
                PyValue::Float(v) => Ok(PyValue::Float(-v)),
                other => Err(format!("cannot negate {other}")),
            };
        }
        if self.eat("+") {
            return match self.unary()? {
                v @ (PyValue::Int(_) | PyValue::Float(_)) => Ok(v),
                other => Err(format!("unary + on {other}")),
            };
        }
        self.power()
    }

    fn power(&mut self) -> Result<PyValue, String> {
        let base = self.atom()?;
        if self.eat("**") {
            // Python binds `-2 ** 2` as `-(2 ** 2)` and `2 ** -1` as
            // `2 ** (-1)`: the exponent is a unary expression.
            let exp = self.unary()?;
            return binary(base, "**", exp);
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<PyValue, String> {
        let Some(tok) = self.tokens.get(self.pos) else {
            return Err("expression ends early".to_string());
        };
        self.pos += 1;
        match &tok.tok {
            Tok::Int(v) => v.clone().map(PyValue::Int),
            Tok::Float(v) => Ok(PyValue::Float(*v)),
            Tok::Str(s) => {
                let mut text = s.clone()?;
                // Adjacent literals concatenate, as in Python.
                while let Some(Tok::Str(next)) = self.peek() {
                    text.push_str(&next.clone()?);
                    self.pos += 1;
                }
                Ok(PyValue::Str(text))
            }
            Tok::Name(n) => match n.as_str() {
                "True" => Ok(PyValue::Bool(true)),
                "False" => Ok(PyValue::Bool(false)),
                "None" => Ok(PyValue::None),
                _ => {
                    if matches!(self.peek(), Some(Tok::Op("("))) {
                        Err(format!("calls `{n}`, which needs Python to evaluate"))
                    } else {
                        Err(format!(
                            "name `{n}` cannot be evaluated without running Python"
                        ))
                    }
                }
            },
            Tok::Op("(") => {
                if self.eat(")") {
                    return Ok(PyValue::Seq(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat(",") {
                    if self.eat(")") {
                        return Ok(PyValue::Seq(items));
                    }
                    items.push(self.expr()?);
                    if self.eat(")") {
                        return Ok(PyValue::Seq(items));
                    }
                }
                Err("unclosed parenthesis".to_string())
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                loop {
                    if self.eat("]") {
                        return Ok(PyValue::Seq(items));
                    }
                    items.push(self.expr()?);
                    if self.eat("]") {
                        return Ok(PyValue::Seq(items));
                    }
                    if !self.eat(",") {
                        return Err("unsupported syntax in a list".to_string());
                    }
                }
            }
            other => Err(format!("unsupported syntax at {other}")),
        }
    }
}

fn binary(a: PyValue, op: &str, b: PyValue) -> Result<PyValue, String> {
    use PyValue::{Float, Int, Str};
    let overflow = || "integer overflow (beyond 64 bits)".to_string();
    match (a, b) {
        (Int(x), Int(y)) => match op {
            "+" => x.checked_add(y).map(Int).ok_or_else(overflow),
            "-" => x.checked_sub(y).map(Int).ok_or_else(overflow),
            "*" => x.checked_mul(y).map(Int).ok_or_else(overflow),
            "/" if y == 0 => Err("division by zero".to_string()),
            "/" => Ok(Float(x as f64 / y as f64)),
            "//" | "%" if y == 0 => Err("division by zero".to_string()),
            // Python floors toward negative infinity; Rust truncates.
            "//" => {
                let q = x.checked_div(y).ok_or_else(overflow)?;
                let r = x.checked_rem(y).ok_or_else(overflow)?;
                Ok(Int(if r != 0 && ((r < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                }))
            }
            "%" => {
                let r = x.checked_rem(y).ok_or_else(overflow)?;
                Ok(Int(if r != 0 && ((r < 0) != (y < 0)) {
                    r + y
                } else {
                    r
                }))
            }
            "**" if y < 0 => Ok(Float((x as f64).powf(y as f64))),
            "**" => u32::try_from(y)
                .ok()
                .and_then(|e| x.checked_pow(e))
                .map(Int)
                .ok_or_else(overflow),
            _ => Err(format!("unsupported operator {op}")),
        },
        (x @ (Int(_) | Float(_)), y @ (Int(_) | Float(_))) => {
            let (x, y) = (as_f64(&x), as_f64(&y));
            match op {
                "+" => Ok(Float(x + y)),
                "-" => Ok(Float(x - y)),
                "*" => Ok(Float(x * y)),
                "/" | "//" | "%" if y == 0.0 => Err("division by zero".to_string()),
                "/" => Ok(Float(x / y)),
                "//" => Ok(Float((x / y).floor())),
                "%" => Ok(Float(x - y * (x / y).floor())),
                "**" => Ok(Float(x.powf(y))),
                _ => Err(format!("unsupported operator {op}")),
            }
        }
        (Str(x), Str(y)) if op == "+" => Ok(Str(x + &y)),
        (x, y) => Err(format!("unsupported operation {x} {op} {y}")),
    }
}

fn as_f64(v: &PyValue) -> f64 {
    match v {
        PyValue::Int(i) => *i as f64,
        PyValue::Float(f) => *f,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stray_closing_bracket_ends_the_call() {
        let src = "CONFIG = LanguageModelConfig(vocab_size=128 * 1024, \
                   model=TransformerConfig]emb_size=48 * 128, num_layers=64, i)\n";
        assert!(super::extract_config(src, None).is_none());
    }

    use super::*;

    #[test]
    fn evaluates_config_arithmetic() {
        assert_eq!(eval_expr("48 * 128"), Ok(PyValue::Int(6144)));
        assert_eq!(eval_expr("128 * 1024"), Ok(PyValue::Int(131072)));
        assert_eq!(eval_expr("(8 * 6144) * 2 // 3"), Ok(PyValue::Int(32768)));
        assert_eq!(eval_expr("-7 // 2"), Ok(PyValue::Int(-4)));
        assert_eq!(eval_expr("-7 % 3"), Ok(PyValue::Int(2)));
        assert_eq!(eval_expr("2 ** 10"), Ok(PyValue::Int(1024)));
        assert_eq!(eval_expr("-2 ** 2"), Ok(PyValue::Int(-4)));
        assert_eq!(eval_expr("1 / 4"), Ok(PyValue::Float(0.25)));
        assert_eq!(eval_expr("1_000 + 0x10"), Ok(PyValue::Int(1016)));
        assert_eq!(
            eval_expr("0.08838834764831845"),
            Ok(PyValue::Float(0.08838834764831845))
        );
        assert_eq!(eval_expr("1e-5"), Ok(PyValue::Float(1e-5)));
        assert_eq!(eval_expr("'da' \"ta\""), Ok(PyValue::Str("data".into())));
        assert_eq!(eval_expr("True"), Ok(PyValue::Bool(true)));
        assert_eq!(eval_expr("None"), Ok(PyValue::None));
        assert_eq!(
            eval_expr("(1, 8)"),
            Ok(PyValue::Seq(vec![PyValue::Int(1), PyValue::Int(8)]))
        );
        assert_eq!(
            eval_expr("(1024,)"),
            Ok(PyValue::Seq(vec![PyValue::Int(1024)]))
        );
    }

    #[test]
    fn reports_what_it_cannot_evaluate() {
        let e = eval_expr("CKPT_PATH").unwrap_err();
        assert!(e.contains("name `CKPT_PATH`"), "{e}");
        let e = eval_expr("int(3.5)").unwrap_err();
        assert!(e.contains("calls `int`"), "{e}");
        assert!(eval_expr("1 // 0")
            .unwrap_err()
            .contains("division by zero"));
        assert!(eval_expr("2 ** 100").unwrap_err().contains("overflow"));
        assert!(eval_expr("f'{x}'").unwrap_err().contains("f-string"));
        assert!(eval_expr("x if y else z").is_err());
    }

    #[test]
    fn extracts_nested_config_kwargs() {
        let src = r#"
import os
class LanguageModelConfig:  # not this one
    pass
CKPT = "./checkpoints/"
def main():
    cfg = LanguageModelConfig(
        vocab_size=128 * 1024,  # 131072
        pad_token=0,
        embedding_multiplier_scale=78.38367176906169,
        model=TransformerConfig(
            emb_size=48 * 128,
            shard_activations=True,
            data_axis="data",
            init=some_function(3),
            mesh=(1, 8),
        ),
        path=CKPT,
    )
    other = RunnerConfig(x=1)
"#;
        let call = extract_config(src, None).expect("config call");
        assert_eq!(call.callee, "LanguageModelConfig");
        assert_eq!(call.line, 7);
        let get = |p: &str| call.args.iter().find(|a| a.path == p).cloned();
        assert_eq!(get("vocab_size").unwrap().value, Ok(PyValue::Int(131072)));
        assert_eq!(get("vocab_size").unwrap().expr, "128 * 1024");
        let emb = get("model.emb_size").unwrap();
        assert_eq!(emb.name, "emb_size");
        assert_eq!(emb.value, Ok(PyValue::Int(6144)));
        assert_eq!(
            get("model.data_axis").unwrap().value,
            Ok(PyValue::Str("data".into()))
        );
        assert!(get("model.init").unwrap().value.is_err());
        assert!(get("path").unwrap().value.unwrap_err().contains("CKPT"));
        assert!(get("model").is_none());
        assert!(get("x").is_none());
        assert_eq!(call.args.len(), 9);
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(eval_expr(&deep).unwrap_err().contains("nested deeper"));
        let minus = format!("{}1", "-".repeat(100_000));
        assert!(eval_expr(&minus).is_err());
        let calls = format!("{}{}", "AConfig(a=".repeat(10_000), ")".repeat(10_000));
        let call = extract_config(&calls, None).expect("outer call");
        assert_eq!(call.args.len(), 1);
        assert!(call.args[0].value.is_err());
    }

    #[test]
    fn unclosed_call_is_none() {
        assert!(extract_config("A = FooConfig(a=1, b=", None).is_none());
        assert!(extract_config("no config here", None).is_none());
    }
}
