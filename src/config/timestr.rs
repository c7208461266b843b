//! Time strings as fail2ban evaluates them (`MyTime.str2seconds`): unit
//! words are rewritten into a Python arithmetic expression, which is then
//! evaluated. `1d 2h*2` is 100800, `1mo` is a float, `m` means minutes.

use crate::pyfmt::float_repr;
use fancy_regex::Regex;
use std::sync::OnceLock;

/// A Python number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seconds {
    Int(i128),
    Float(f64),
}

impl Seconds {
    pub fn as_f64(self) -> f64 {
        match self {
            Seconds::Int(i) => i as f64,
            Seconds::Float(f) => f,
        }
    }

    /// What Python's `print()` shows.
    pub fn python_str(self) -> String {
        match self {
            Seconds::Int(i) => i.to_string(),
            Seconds::Float(f) => float_repr(f),
        }
    }
}

/// Python 3.11's `a OP b` for the arithmetic operators `+ - * / // % **`
/// on ints (arbitrary size in Python; overflow of `i128` is an error here)
/// and floats, with Python's rounding and its `ZeroDivisionError` texts.
pub fn py_arith(op: &str, a: Seconds, b: Seconds) -> Result<Seconds, String> {
    use Seconds::*;
    let overflow = || "integer overflow".to_string();
    Ok(match (a, b) {
        (Int(x), Int(y)) => match op {
            "+" => Int(x.checked_add(y).ok_or_else(overflow)?),
            "-" => Int(x.checked_sub(y).ok_or_else(overflow)?),
            "*" => Int(x.checked_mul(y).ok_or_else(overflow)?),
            "/" => {
                if y == 0 {
                    return Err("division by zero".into());
                }
                Float(x as f64 / y as f64)
            }
            "//" => {
                if y == 0 {
                    return Err("integer division or modulo by zero".into());
                }
                Int(x.div_euclid(y) - i128::from(x.rem_euclid(y) != 0 && y < 0))
            }
            "%" => {
                if y == 0 {
                    return Err("integer modulo by zero".into());
                }
                let r = x % y;
                Int(if r != 0 && ((r < 0) != (y < 0)) {
                    r + y
                } else {
                    r
                })
            }
            "**" => {
                if y < 0 {
                    Float((x as f64).powf(y as f64))
                } else {
                    let e = u32::try_from(y).map_err(|_| overflow())?;
                    Int(x.checked_pow(e).ok_or_else(overflow)?)
                }
            }
            _ => return Err(format!("unsupported operator {op}")),
        },
        (a, b) => {
            let (x, y) = (a.as_f64(), b.as_f64());
            match op {
                "+" => Float(x + y),
                "-" => Float(x - y),
                "*" => Float(x * y),
                "/" => {
                    if y == 0.0 {
                        return Err("float division by zero".into());
                    }
                    Float(x / y)
                }
                "//" => {
                    if y == 0.0 {
                        return Err("float floor division by zero".into());
                    }
                    Float((x / y).floor())
                }
                "%" => {
                    if y == 0.0 {
                        return Err("float modulo".into());
                    }
                    let r = x % y;
                    Float(if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                        r + y
                    } else {
                        r
                    })
                }
                "**" => Float(x.powf(y)),
                _ => return Err(format!("unsupported operator {op}")),
            }
        }
    })
}

struct Rewrites {
    prep: Regex,
    parts: Vec<(Regex, &'static str)>,
    fini: Regex,
}

fn rewrites() -> &'static Rewrites {
    static R: OnceLock<Rewrites> = OnceLock::new();
    R.get_or_init(|| {
        let sub = |alts: &str| Regex::new(&format!(r"(?i)(?<=[\d\s])({alts})\b")).expect("valid");
        Rewrites {
            prep: Regex::new(r"(?i)(?<=[a-z])(\d)").expect("valid"),
            parts: vec![
                (sub("days?|da|dd?"), "*86400"),
                (sub("weeks?|wee?|ww?"), "*604800"),
                (sub("months?|mon?"), "*2629800.0"),
                (sub("years?|yea?|yy?"), "*31557600.0"),
                (sub("seconds?|sec?|ss?"), "*1"),
                (sub("minutes?|min?|mm?"), "*60"),
                (sub("hours?|hou?|hh?"), "*3600"),
            ],
            fini: Regex::new(r"(\d)\s+(\d)").expect("valid"),
        }
    })
}

/// The Python expression fail2ban builds from a time string.
pub fn to_expression(val: &str) -> String {
    let r = rewrites();
    let mut v = r.prep.replace_all(val, " $1").into_owned();
    for (re, rpl) in &r.parts {
        v = re.replace_all(&v, *rpl).into_owned();
    }
    r.fini.replace_all(&v, "$1+$2").into_owned()
}

/// `str2seconds`: `Err` carries the Python exception text.
pub fn str2seconds(val: &str) -> Result<Seconds, String> {
    let expr = to_expression(val);
    eval::evaluate(&expr)
}

mod eval {
    //! A Python arithmetic-expression evaluator (numbers, + - * / // % **,
    //! unary signs, parentheses): enough for what str2seconds produces.
    use super::Seconds;

    const SYNTAX: &str = "invalid syntax (<string>, line 1)";

    #[derive(Debug, Clone, PartialEq)]
    enum Tok {
        Num(Seconds),
        Name(String),
        Op(&'static str),
        LParen,
        RParen,
    }

    fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' || c == '\t' {
                i += 1;
                continue;
            }
            if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                    i += 1;
                }
                let mut is_float = false;
                if i < chars.len() && chars[i] == '.' {
                    is_float = true;
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    let save = i;
                    i += 1;
                    if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                        i += 1;
                    }
                    if i < chars.len() && chars[i].is_ascii_digit() {
                        is_float = true;
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                    } else {
                        i = save;
                    }
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                if i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    return Err("invalid decimal literal (<string>, line 1)".into());
                }
                let n = if is_float {
                    Seconds::Float(text.parse().map_err(|_| SYNTAX.to_string())?)
                } else {
                    if text.len() > 1 && text.starts_with('0') && text.chars().any(|c| c != '0') {
                        return Err("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)".into());
                    }
                    Seconds::Int(text.parse().map_err(|_| SYNTAX.to_string())?)
                };
                out.push(Tok::Num(n));
                continue;
            }
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if two == "**" || two == "//" {
                out.push(Tok::Op(if two == "**" { "**" } else { "//" }));
                i += 2;
                continue;
            }
            let op = match c {
                '+' => Tok::Op("+"),
                '-' => Tok::Op("-"),
                '*' => Tok::Op("*"),
                '/' => Tok::Op("/"),
                '%' => Tok::Op("%"),
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                c if c.is_alphabetic() || c == '_' => {
                    let start = i;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                    out.push(Tok::Name(chars[start..i].iter().collect()));
                    continue;
                }
                _ => return Err(SYNTAX.into()),
            };
            out.push(op);
            i += 1;
        }
        Ok(out)
    }

    struct P {
        toks: Vec<Tok>,
        pos: usize,
        /// Python compiles before it evaluates: the first pass only checks
        /// syntax (names evaluate to 1, arithmetic errors are ignored).
        check_only: bool,
    }

    use super::py_arith as arith;

    impl P {
        fn peek(&self) -> Option<&Tok> {
            self.toks.get(self.pos)
        }
        fn expr(&mut self) -> Result<Seconds, String> {
            let mut v = self.term()?;
            while let Some(Tok::Op(op @ ("+" | "-"))) = self.peek().cloned() {
                self.pos += 1;
                let r = self.term()?;
                v = arith(op, v, r)?;
            }
            Ok(v)
        }
        fn term(&mut self) -> Result<Seconds, String> {
            let mut v = self.unary()?;
            while let Some(Tok::Op(op @ ("*" | "/" | "//" | "%"))) = self.peek().cloned() {
                self.pos += 1;
                let r = self.unary()?;
                v = arith(op, v, r)?;
            }
            Ok(v)
        }
        fn unary(&mut self) -> Result<Seconds, String> {
            match self.peek() {
                Some(Tok::Op("-")) => {
                    self.pos += 1;
                    Ok(match self.unary()? {
                        Seconds::Int(i) => Seconds::Int(-i),
                        Seconds::Float(f) => Seconds::Float(-f),
                    })
                }
                Some(Tok::Op("+")) => {
                    self.pos += 1;
                    self.unary()
                }
                _ => self.power(),
            }
        }
        fn power(&mut self) -> Result<Seconds, String> {
            let base = self.atom()?;
            if let Some(Tok::Op("**")) = self.peek() {
                self.pos += 1;
                let exp = self.unary()?;
                return arith("**", base, exp);
            }
            Ok(base)
        }
        fn atom(&mut self) -> Result<Seconds, String> {
            match self.peek().cloned() {
                Some(Tok::Num(n)) => {
                    self.pos += 1;
                    Ok(n)
                }
                Some(Tok::Name(name)) => {
                    self.pos += 1;
                    if self.check_only {
                        Ok(Seconds::Int(1))
                    } else {
                        Err(format!("name '{name}' is not defined"))
                    }
                }
                Some(Tok::LParen) => {
                    self.pos += 1;
                    let v = self.expr()?;
                    if self.peek() != Some(&Tok::RParen) {
                        return Err("'(' was never closed (<string>, line 1)".into());
                    }
                    self.pos += 1;
                    Ok(v)
                }
                _ => Err(SYNTAX.into()),
            }
        }
    }

    pub fn evaluate(s: &str) -> Result<Seconds, String> {
        let toks = tokenize(s)?;
        if toks.is_empty() {
            return Err("invalid syntax (<string>, line 0)".into());
        }
        let mut check = P {
            toks: toks.clone(),
            pos: 0,
            check_only: true,
        };
        match check.expr() {
            Err(e) if e.contains("(<string>, line") => return Err(e),
            _ => {}
        }
        if check.pos != check.toks.len() {
            return Err(SYNTAX.into());
        }
        let mut p = P {
            toks,
            pos: 0,
            check_only: false,
        };
        p.expr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        str2seconds(v).unwrap().python_str()
    }

    #[test]
    fn digest_examples() {
        // Values verified against fail2ban-client --str2sec (digest A10).
        assert_eq!(s("1w"), "604800");
        assert_eq!(s("10m"), "600");
        assert_eq!(s("1d 2h"), "93600");
        assert_eq!(s("1d12h"), "129600");
        assert_eq!(s("1mo"), "2629800.0");
        assert_eq!(s("1y"), "31557600.0");
        assert_eq!(s("1.5h"), "5400.0");
        assert_eq!(s("2weeks"), "1209600");
        assert_eq!(s("1 h"), "3600");
        assert_eq!(s("5 10"), "15");
        assert_eq!(s("1h*2"), "7200");
        assert_eq!(s("1d 2h*2"), "100800");
        assert_eq!(s("-1"), "-1");
        assert_eq!(s("1year-6mo"), "15778800.0");
    }

    #[test]
    fn zero_division_texts_are_python_311s() {
        // As fail2ban-client --str2sec prints them (checked against 1.0.2).
        let e = |v: &str| str2seconds(v).unwrap_err();
        assert_eq!(e("1%0"), "integer modulo by zero");
        assert_eq!(e("1//0"), "integer division or modulo by zero");
        assert_eq!(e("1.0//0.0"), "float floor division by zero");
        assert_eq!(e("1.0%0.0"), "float modulo");
        assert_eq!(e("1/0"), "division by zero");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(str2seconds("abc").is_err());
        assert!(str2seconds("").is_err());
    }
}
