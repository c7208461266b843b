//! The Python expressions of `bantime.factor` and `bantime.formula`.
//!
//! fail2ban hands these options to Python's `eval`. f2b evaluates the part
//! of Python's expression language such formulas use: int and float
//! literals, `ban.Time`, `ban.Count`, `banFactor`, `True`/`False`, the
//! arithmetic, shift, bitwise, comparison and boolean operators, the
//! conditional expression `a if c else b`, parentheses and the calls
//! `min`, `max`, `abs`, `int`, `float` and `round`. Anything else is
//! rejected when the jail is set up, with a message naming the expression,
//! so a configuration f2b cannot evaluate is never silently replayed with
//! other ban times.

use crate::config::timestr::Seconds;

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Expr {
    text: String,
    root: Node,
}

#[derive(Clone, Debug)]
enum Node {
    Num(Seconds),
    Var(Var),
    Unary(char, Box<Node>),
    Not(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cmp(Box<Node>, Vec<(Op, Node)>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Var {
    Time,
    Count,
    Factor,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Func {
    Min,
    Max,
    Abs,
    Int,
    Float,
    Round,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The variables a formula sees.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub ban_time: Seconds,
    pub ban_count: i64,
    pub ban_factor: Seconds,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(Seconds),
    Name(String),
    Op(&'static str),
    End,
}

const OPS: [&str; 27] = [
    "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "&", "|", "^", "~",
    "<", ">", "(", ")", ".", ",", "!", "=", "[", "]",
];

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            let mut float = false;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && b[i] == b'.' {
                float = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                float = true;
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = s[start..i].chars().filter(|&c| c != '_').collect();
            let v = if float {
                Seconds::Float(text.parse().map_err(|_| format!("bad number {text:?}"))?)
            } else {
                if text.len() > 1 && text.starts_with('0') && text.chars().any(|c| c != '0') {
                    return Err(format!("unsupported number literal {text:?}"));
                }
                Seconds::Int(text.parse().map_err(|_| format!("bad number {text:?}"))?)
            };
            out.push(Tok::Num(v));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Name(s[start..i].to_string()));
            continue;
        }
        match OPS.iter().find(|op| s[i..].starts_with(**op)) {
            Some(op) if !matches!(*op, "!" | "=" | "[" | "]") => {
                out.push(Tok::Op(op));
                i += op.len();
            }
            _ => {
                return Err(format!(
                    "unsupported character {:?}",
                    s[i..].chars().next().unwrap_or(' ')
                ));
            }
        }
    }
    out.push(Tok::End);
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos]
    }

    fn next(&mut self) -> Tok {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if *self.peek() == Tok::Op(leak(op)) {
            self.next();
            return true;
        }
        false
    }

    fn eat_name(&mut self, name: &str) -> bool {
        if matches!(self.peek(), Tok::Name(n) if n == name) {
            self.next();
            return true;
        }
        false
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(format!("expected {op:?}"))
        }
    }

    fn test(&mut self) -> Result<Node, String> {
        let body = self.or_test()?;
        if self.eat_name("if") {
            let cond = self.or_test()?;
            if !self.eat_name("else") {
                return Err("expected 'else'".into());
            }
            let other = self.test()?;
            return Ok(Node::If(Box::new(cond), Box::new(body), Box::new(other)));
        }
        Ok(body)
    }

    fn or_test(&mut self) -> Result<Node, String> {
        let mut n = self.and_test()?;
        while self.eat_name("or") {
            n = Node::Or(Box::new(n), Box::new(self.and_test()?));
        }
        Ok(n)
    }

    fn and_test(&mut self) -> Result<Node, String> {
        let mut n = self.not_test()?;
        while self.eat_name("and") {
            n = Node::And(Box::new(n), Box::new(self.not_test()?));
        }
        Ok(n)
    }

    fn not_test(&mut self) -> Result<Node, String> {
        if self.eat_name("not") {
            return Ok(Node::Not(Box::new(self.not_test()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Node, String> {
        let first = self.bin(0)?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op("<") => Op::Lt,
                Tok::Op("<=") => Op::Le,
                Tok::Op(">") => Op::Gt,
                Tok::Op(">=") => Op::Ge,
                Tok::Op("==") => Op::Eq,
                Tok::Op("!=") => Op::Ne,
                _ => break,
            };
            self.next();
            rest.push((op, self.bin(0)?));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Node::Cmp(Box::new(first), rest))
        }
    }

    /// Binary operator levels, loosest first.
    fn bin(&mut self, level: usize) -> Result<Node, String> {
        const LEVELS: [&[(&str, Op)]; 6] = [
            &[("|", Op::BitOr)],
            &[("^", Op::BitXor)],
            &[("&", Op::BitAnd)],
            &[("<<", Op::Shl), (">>", Op::Shr)],
            &[("+", Op::Add), ("-", Op::Sub)],
            &[
                ("*", Op::Mul),
                ("/", Op::Div),
                ("//", Op::FloorDiv),
                ("%", Op::Mod),
            ],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut n = self.bin(level + 1)?;
        'outer: loop {
            for (sym, op) in LEVELS[level] {
                if self.eat_op(sym) {
                    n = Node::Bin(*op, Box::new(n), Box::new(self.bin(level + 1)?));
                    continue 'outer;
                }
            }
            return Ok(n);
        }
    }

    fn unary(&mut self) -> Result<Node, String> {
        for c in ['-', '+', '~'] {
            if self.eat_op(&c.to_string()) {
                return Ok(Node::Unary(c, Box::new(self.unary()?)));
            }
        }
        let base = self.atom()?;
        if self.eat_op("**") {
            return Ok(Node::Bin(Op::Pow, Box::new(base), Box::new(self.unary()?)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Node, String> {
        match self.next() {
            Tok::Num(v) => Ok(Node::Num(v)),
            Tok::Op("(") => {
                let n = self.test()?;
                self.expect_op(")")?;
                Ok(n)
            }
            Tok::Name(name) => match name.as_str() {
                "True" => Ok(Node::Num(Seconds::Int(1))),
                "False" => Ok(Node::Num(Seconds::Int(0))),
                "banFactor" => Ok(Node::Var(Var::Factor)),
                "ban" => {
                    self.expect_op(".")?;
                    match self.next() {
                        Tok::Name(a) if a == "Time" => Ok(Node::Var(Var::Time)),
                        Tok::Name(a) if a == "Count" => Ok(Node::Var(Var::Count)),
                        other => Err(format!("unknown attribute ban.{other:?}")),
                    }
                }
                f => {
                    let func = match f {
                        "min" => Func::Min,
                        "max" => Func::Max,
                        "abs" => Func::Abs,
                        "int" => Func::Int,
                        "float" => Func::Float,
                        "round" => Func::Round,
                        _ => return Err(format!("unsupported name {f:?}")),
                    };
                    self.expect_op("(")?;
                    let mut args = Vec::new();
                    if !self.eat_op(")") {
                        loop {
                            args.push(self.test()?);
                            if self.eat_op(")") {
                                break;
                            }
                            self.expect_op(",")?;
                        }
                    }
                    let ok = match func {
                        Func::Min | Func::Max => !args.is_empty(),
                        Func::Round => args.len() == 1,
                        _ => args.len() == 1,
                    };
                    if !ok {
                        return Err(format!("unsupported call of {f}"));
                    }
                    Ok(Node::Call(func, args))
                }
            },
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

fn leak(op: &str) -> &'static str {
    OPS.iter().find(|o| **o == op).copied().unwrap_or("")
}

impl Expr {
    /// Compiles `text`; the error says why f2b does not evaluate it.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let toks = lex(text.trim())
            .map_err(|e| format!("cannot evaluate Python expression {text:?}: {e}"))?;
        let mut p = Parser { toks, pos: 0 };
        let root = p
            .test()
            .map_err(|e| format!("cannot evaluate Python expression {text:?}: {e}"))?;
        if *p.peek() != Tok::End {
            return Err(format!(
                "cannot evaluate Python expression {text:?}: trailing input"
            ));
        }
        Ok(Expr {
            text: text.to_string(),
            root,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the expression reads `ban.Time`, `ban.Count` or `banFactor`
    /// (`bantime.factor` is evaluated without them).
    pub fn uses_vars(&self) -> bool {
        fn walk(n: &Node) -> bool {
            match n {
                Node::Num(_) => false,
                Node::Var(_) => true,
                Node::Unary(_, x) | Node::Not(x) => walk(x),
                Node::Bin(_, a, b) | Node::And(a, b) | Node::Or(a, b) => walk(a) || walk(b),
                Node::Cmp(a, rest) => walk(a) || rest.iter().any(|(_, n)| walk(n)),
                Node::If(a, b, c) => walk(a) || walk(b) || walk(c),
                Node::Call(_, args) => args.iter().any(walk),
            }
        }
        walk(&self.root)
    }

    /// Evaluates with `env`; errors are Python's runtime errors (division
    /// by zero, overflow, negative shift).
    pub fn eval(&self, env: &Env) -> Result<Seconds, String> {
        eval(&self.root, env)
    }
}

fn truthy(v: Seconds) -> bool {
    match v {
        Seconds::Int(i) => i != 0,
        Seconds::Float(f) => f != 0.0,
    }
}

fn bool_val(b: bool) -> Seconds {
    Seconds::Int(b as i128)
}

fn eval(n: &Node, env: &Env) -> Result<Seconds, String> {
    Ok(match n {
        Node::Num(v) => *v,
        Node::Var(Var::Time) => env.ban_time,
        Node::Var(Var::Count) => Seconds::Int(env.ban_count as i128),
        Node::Var(Var::Factor) => env.ban_factor,
        Node::Unary(c, x) => {
            let v = eval(x, env)?;
            match (c, v) {
                ('-', Seconds::Int(i)) => Seconds::Int(-i),
                ('-', Seconds::Float(f)) => Seconds::Float(-f),
                ('~', Seconds::Int(i)) => Seconds::Int(!i),
                ('~', Seconds::Float(_)) => return Err("bad operand type for unary ~".into()),
                _ => v,
            }
        }
        Node::Not(x) => bool_val(!truthy(eval(x, env)?)),
        Node::And(a, b) => {
            let v = eval(a, env)?;
            if truthy(v) { eval(b, env)? } else { v }
        }
        Node::Or(a, b) => {
            let v = eval(a, env)?;
            if truthy(v) { v } else { eval(b, env)? }
        }
        Node::If(c, a, b) => {
            if truthy(eval(c, env)?) {
                eval(a, env)?
            } else {
                eval(b, env)?
            }
        }
        Node::Cmp(first, rest) => {
            let mut left = eval(first, env)?;
            for (op, r) in rest {
                let right = eval(r, env)?;
                if !truthy(binop(*op, left, right)?) {
                    return Ok(bool_val(false));
                }
                left = right;
            }
            bool_val(true)
        }
        Node::Bin(op, a, b) => binop(*op, eval(a, env)?, eval(b, env)?)?,
        Node::Call(f, args) => {
            let vals: Vec<Seconds> = args
                .iter()
                .map(|a| eval(a, env))
                .collect::<Result<_, _>>()?;
            match f {
                Func::Min | Func::Max => {
                    let mut best = vals[0];
                    for v in &vals[1..] {
                        let better = if *f == Func::Min {
                            v.as_f64() < best.as_f64()
                        } else {
                            v.as_f64() > best.as_f64()
                        };
                        if better {
                            best = *v;
                        }
                    }
                    best
                }
                Func::Abs => match vals[0] {
                    Seconds::Int(i) => Seconds::Int(i.abs()),
                    Seconds::Float(x) => Seconds::Float(x.abs()),
                },
                Func::Int => match vals[0] {
                    Seconds::Int(i) => Seconds::Int(i),
                    Seconds::Float(x) if x.is_finite() => Seconds::Int(x.trunc() as i128),
                    Seconds::Float(_) => return Err("cannot convert float to integer".into()),
                },
                Func::Float => Seconds::Float(vals[0].as_f64()),
                Func::Round => match vals[0] {
                    Seconds::Int(i) => Seconds::Int(i),
                    Seconds::Float(x) if x.is_finite() => Seconds::Int(x.round_ties_even() as i128),
                    Seconds::Float(_) => return Err("cannot convert float to integer".into()),
                },
            }
        }
    })
}

fn binop(op: Op, a: Seconds, b: Seconds) -> Result<Seconds, String> {
    use Seconds::Int;
    use std::cmp::Ordering::{Equal, Greater, Less};
    let arith = |o: &str| crate::config::timestr::py_arith(o, a, b);
    // `None` for NaN: every comparison but `!=` is then false, as in Python.
    let ord = match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(&y)),
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    };
    match op {
        Op::Add => arith("+"),
        Op::Sub => arith("-"),
        Op::Mul => arith("*"),
        Op::Div => arith("/"),
        Op::FloorDiv => arith("//"),
        Op::Mod => arith("%"),
        Op::Pow => arith("**"),
        Op::Lt => Ok(bool_val(ord == Some(Less))),
        Op::Le => Ok(bool_val(matches!(ord, Some(Less | Equal)))),
        Op::Gt => Ok(bool_val(ord == Some(Greater))),
        Op::Ge => Ok(bool_val(matches!(ord, Some(Greater | Equal)))),
        Op::Eq => Ok(bool_val(ord == Some(Equal))),
        Op::Ne => Ok(bool_val(ord != Some(Equal))),
        Op::Shl | Op::Shr | Op::BitAnd | Op::BitOr | Op::BitXor => {
            let (Int(x), Int(y)) = (a, b) else {
                return Err("unsupported operand type(s) for float".into());
            };
            bit_op(op, x, y).map(Int)
        }
    }
}

/// Shifts and bit operations on ints, with Python's errors.
fn bit_op(op: Op, x: i128, y: i128) -> Result<i128, String> {
    let overflow = || "integer overflow".to_string();
    Ok(match op {
        Op::Shl => {
            if y < 0 {
                return Err("negative shift count".into());
            }
            if x == 0 {
                0
            } else {
                let s = u32::try_from(y)
                    .ok()
                    .filter(|s| *s < 126)
                    .ok_or_else(overflow)?;
                let r = x.checked_shl(s).ok_or_else(overflow)?;
                if r >> s != x {
                    return Err(overflow());
                }
                r
            }
        }
        Op::Shr => {
            if y < 0 {
                return Err("negative shift count".into());
            }
            x >> y.min(127)
        }
        Op::BitAnd => x & y,
        Op::BitOr => x | y,
        Op::BitXor => x ^ y,
        _ => unreachable!("only bit operators reach bit_op"),
    })
}

/// Python's `max(a, b)` (the first wins ties).
pub fn py_max(a: Seconds, b: Seconds) -> Seconds {
    if b.as_f64() > a.as_f64() { b } else { a }
}

/// Python's `min(a, b)` (the first wins ties).
pub fn py_min(a: Seconds, b: Seconds) -> Seconds {
    if b.as_f64() < a.as_f64() { b } else { a }
}

/// `a * b` with Python's int/float rules.
pub fn py_mul(a: Seconds, b: Seconds) -> Result<Seconds, String> {
    binop(Op::Mul, a, b)
}

/// `a + b` with Python's int/float rules.
pub fn py_add(a: Seconds, b: Seconds) -> Result<Seconds, String> {
    binop(Op::Add, a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(t: i128, c: i64) -> Env {
        Env {
            ban_time: Seconds::Int(t),
            ban_count: c,
            ban_factor: Seconds::Int(1),
        }
    }

    #[test]
    fn default_formula() {
        let e =
            Expr::parse("ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor").unwrap();
        assert_eq!(e.eval(&env(3600, 1)).unwrap(), Seconds::Int(7200));
        assert_eq!(e.eval(&env(3600, 3)).unwrap(), Seconds::Int(28800));
        assert_eq!(e.eval(&env(10, 25)).unwrap(), Seconds::Int(10 << 20));
    }

    #[test]
    fn other_expressions() {
        let ev = |s: &str| Expr::parse(s).unwrap().eval(&env(600, 2)).unwrap();
        assert_eq!(ev("1"), Seconds::Int(1));
        assert_eq!(ev("1.5"), Seconds::Float(1.5));
        assert_eq!(ev("ban.Time * 2 / 4"), Seconds::Float(300.0));
        assert_eq!(ev("ban.Time * 2 // 4"), Seconds::Int(300));
        assert_eq!(ev("-7 // 2"), Seconds::Int(-4));
        assert_eq!(ev("-7 % 3"), Seconds::Int(2));
        assert_eq!(ev("2 ** 10"), Seconds::Int(1024));
        assert_eq!(ev("-2 ** 2"), Seconds::Int(-4));
        assert_eq!(
            ev("max(ban.Time, 1000) if ban.Count > 1 else 5"),
            Seconds::Int(1000)
        );
        assert_eq!(ev("1 < ban.Count < 3"), Seconds::Int(1));
        assert_eq!(ev("ban.Count and 7"), Seconds::Int(7));
    }

    #[test]
    fn rejected() {
        for s in [
            "__import__('os')",
            "ban.Foo",
            "x + 1",
            "[1]",
            "1 +",
            "lambda: 1",
        ] {
            assert!(Expr::parse(s).is_err(), "{s}");
        }
    }
}
