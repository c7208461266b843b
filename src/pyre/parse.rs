//! A parser for Python 3.11 `re` syntax, following the grammar, the checks and
//! the error messages of CPython's `re._parser` (written independently).

use super::Error;
use crate::pyfmt::chars::decimal_value;
use crate::pyfmt::str_repr;

pub const MAXREPEAT: u64 = 4_294_967_295;
pub const MAXGROUPS: usize = 1_073_741_823;

pub const F_I: u32 = 2;
pub const F_L: u32 = 4;
pub const F_M: u32 = 8;
pub const F_S: u32 = 16;
pub const F_U: u32 = 32;
pub const F_X: u32 = 64;
pub const F_A: u32 = 256;
pub const F_T: u32 = 1;
const TYPE_FLAGS: u32 = F_A | F_L | F_U;
const GLOBAL_FLAGS: u32 = F_T;

fn flag_of(c: char) -> Option<u32> {
    Some(match c {
        'i' => F_I,
        'L' => F_L,
        'm' => F_M,
        's' => F_S,
        'x' => F_X,
        'a' => F_A,
        't' => F_T,
        'u' => F_U,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Beginning,
    BeginningString,
    End,
    EndString,
    Boundary,
    NonBoundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetItem {
    Lit(u32),
    Range(u32, u32),
    Cat(Cat),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepKind {
    Greedy,
    Lazy,
    Possessive,
}

/// One item of a Python `SubPattern`. Code points are `u32` because Python
/// strings may hold lone surrogates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Literal(u32),
    NotLiteral(u32),
    Any,
    In {
        negate: bool,
        items: Vec<SetItem>,
    },
    At(At),
    Branch(Vec<Vec<Node>>),
    /// SUBPATTERN: a capturing group (`group` = its number) and/or scoped flags.
    Group {
        group: Option<usize>,
        add: u32,
        del: u32,
        body: Vec<Node>,
    },
    Atomic(Vec<Node>),
    Repeat {
        min: u64,
        max: u64,
        kind: RepKind,
        body: Vec<Node>,
    },
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
    Assert {
        behind: bool,
        negate: bool,
        body: Vec<Node>,
    },
}

#[derive(Debug, Clone)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    /// Global flags (argument flags plus leading inline flags).
    pub flags: u32,
    /// Number of groups including group 0 (Python's `state.groups`).
    pub groups: usize,
    pub names: Vec<(String, usize)>,
}

#[derive(Clone, Copy)]
struct Tok {
    c: char,
    esc: bool,
}

impl Tok {
    fn len(self) -> usize {
        if self.esc { 2 } else { 1 }
    }
    fn is(self, c: char) -> bool {
        !self.esc && self.c == c
    }
    fn text(self) -> String {
        if self.esc {
            format!("\\{}", self.c)
        } else {
            self.c.to_string()
        }
    }
}

struct Source<'a> {
    s: Vec<char>,
    pattern: &'a str,
    index: usize,
    next: Option<Tok>,
}

type R<T> = Result<T, Error>;

impl<'a> Source<'a> {
    fn new(pattern: &'a str) -> R<Self> {
        let mut s = Source {
            s: pattern.chars().collect(),
            pattern,
            index: 0,
            next: None,
        };
        s.advance()?;
        Ok(s)
    }
    fn advance(&mut self) -> R<()> {
        let i = self.index;
        let Some(&c) = self.s.get(i) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.s.get(i + 1) else {
                return Err(self.err_at("bad escape (end of pattern)", Some(self.s.len() - 1)));
            };
            self.index = i + 2;
            self.next = Some(Tok { c: d, esc: true });
        } else {
            self.index = i + 1;
            self.next = Some(Tok { c, esc: false });
        }
        Ok(())
    }
    fn err_at(&self, msg: impl Into<String>, pos: Option<usize>) -> Error {
        Error {
            msg: msg.into(),
            pos,
            pattern: self.pattern.to_string(),
        }
    }
    fn error(&self, msg: impl Into<String>, offset: usize) -> Error {
        self.err_at(msg, Some(self.tell() - offset))
    }
    fn tell(&self) -> usize {
        self.index - self.next.map_or(0, Tok::len)
    }
    fn seek(&mut self, index: usize) -> R<()> {
        self.index = index;
        self.advance()
    }
    fn matches(&mut self, c: char) -> R<bool> {
        if self.next.is_some_and(|t| t.is(c)) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }
    fn get(&mut self) -> R<Option<Tok>> {
        let t = self.next;
        self.advance()?;
        Ok(t)
    }
    fn next_in(&self, set: impl Fn(char) -> bool) -> bool {
        self.next.is_some_and(|t| !t.esc && set(t.c))
    }
    fn getwhile(&mut self, n: usize, set: impl Fn(char) -> bool) -> R<String> {
        let mut out = String::new();
        for _ in 0..n {
            if !self.next_in(&set) {
                break;
            }
            out.push(self.next.map_or(' ', |t| t.c));
            self.advance()?;
        }
        Ok(out)
    }
    fn getuntil(&mut self, term: char, name: &str) -> R<String> {
        let mut result = String::new();
        let mut len = 0;
        loop {
            let c = self.next;
            self.advance()?;
            let Some(c) = c else {
                if result.is_empty() {
                    return Err(self.error(format!("missing {name}"), 0));
                }
                return Err(self.error(format!("missing {term}, unterminated name"), len));
            };
            if c.is(term) {
                if result.is_empty() {
                    return Err(self.error(format!("missing {name}"), 1));
                }
                break;
            }
            result.push_str(&c.text());
            len += c.len();
        }
        Ok(result)
    }
    fn checkgroupname(&self, name: &str, offset: usize) -> R<()> {
        if !is_identifier(name) {
            return Err(self.error(
                format!("bad character in group name {}", str_repr(name)),
                name.chars().count() + offset,
            ));
        }
        Ok(())
    }
}

/// Python's `str.isidentifier()` (XID tables of the `regex` crate's Unicode
/// version; Python 3.11 uses Unicode 14).
pub fn is_identifier(s: &str) -> bool {
    use std::sync::OnceLock;
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    if s.is_empty() {
        return false;
    }
    if s.is_ascii() {
        let b = s.as_bytes();
        return (b[0] == b'_' || b[0].is_ascii_alphabetic())
            && b.iter().all(|&c| c == b'_' || c.is_ascii_alphanumeric());
    }
    RE.get_or_init(|| regex::Regex::new(r"\A[_\p{XID_Start}]\p{XID_Continue}*\z").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(s))
}

fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

fn is_py_space(c: char) -> bool {
    matches!(
        c as u32,
        0x09..=0x0d | 0x1c..=0x20 | 0x85 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029
            | 0x202f | 0x205f | 0x3000
    )
}

/// Python's `int(str)` for the conditional group reference (`None` on ValueError).
fn py_int(s: &str) -> Option<i128> {
    let t = s.trim_matches(is_py_space);
    let (neg, t) = match t.chars().next() {
        Some('-') => (true, &t[1..]),
        Some('+') => (false, &t[1..]),
        _ => (false, t),
    };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let mut v: i128 = 0;
    for c in t.chars() {
        if c == '_' {
            continue;
        }
        let d = decimal_value(c)?;
        v = v.saturating_mul(10).saturating_add(d as i128);
    }
    Some(if neg { -v } else { v })
}

struct State {
    flags: u32,
    names: Vec<(String, usize)>,
    /// `None` for a group still open.
    widths: Vec<Option<(u64, u64)>>,
    lookbehindgroups: Option<usize>,
    grouprefpos: Vec<(usize, usize)>,
}

impl State {
    fn groups(&self) -> usize {
        self.widths.len()
    }
    fn opengroup(&mut self, name: Option<&str>) -> Result<usize, String> {
        let gid = self.groups();
        self.widths.push(None);
        if self.groups() > MAXGROUPS {
            return Err("too many groups".into());
        }
        if let Some(name) = name {
            if let Some(&(_, ogid)) = self.names.iter().find(|(n, _)| n == name) {
                return Err(format!(
                    "redefinition of group name {} as group {gid}; was group {ogid}",
                    str_repr(name)
                ));
            }
            self.names.push((name.to_string(), gid));
        }
        Ok(gid)
    }
    fn checkgroup(&self, gid: usize) -> bool {
        gid < self.groups() && self.widths[gid].is_some()
    }
    fn checklookbehindgroup(&self, gid: usize, source: &Source) -> R<()> {
        if let Some(lb) = self.lookbehindgroups {
            if !self.checkgroup(gid) {
                return Err(source.error("cannot refer to an open group", 0));
            }
            if gid >= lb {
                return Err(source.error(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    0,
                ));
            }
        }
        Ok(())
    }
}

/// Python's `SubPattern.getwidth()`.
fn width(nodes: &[Node], widths: &[Option<(u64, u64)>]) -> (u64, u64) {
    let (mut lo, mut hi) = (0u64, 0u64);
    for n in nodes {
        let (i, j) = match n {
            Node::Branch(alts) => {
                let mut i = MAXREPEAT - 1;
                let mut j = 0;
                for a in alts {
                    let (l, h) = width(a, widths);
                    i = i.min(l);
                    j = j.max(h);
                }
                (i, j)
            }
            Node::Atomic(b) | Node::Group { body: b, .. } => width(b, widths),
            Node::Repeat { min, max, body, .. } => {
                let (i, j) = width(body, widths);
                (i.saturating_mul(*min), j.saturating_mul(*max))
            }
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => (1, 1),
            Node::GroupRef(g) => widths.get(*g).copied().flatten().unwrap_or((0, 0)),
            Node::GroupRefExists { yes, no, .. } => {
                let (mut i, mut j) = width(yes, widths);
                if let Some(no) = no {
                    let (l, h) = width(no, widths);
                    i = i.min(l);
                    j = j.max(h);
                } else {
                    i = 0;
                }
                (i, j)
            }
            Node::At(_) | Node::Assert { .. } => (0, 0),
        };
        lo = lo.saturating_add(i);
        hi = hi.saturating_add(j);
    }
    (lo.min(MAXREPEAT - 1), hi.min(MAXREPEAT))
}

const SPECIAL: &str = ".\\[{()*+?^$|";

fn escape_simple(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'b' => 8,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

fn category(c: char) -> Option<Cat> {
    Some(match c {
        'd' => Cat::Digit,
        'D' => Cat::NotDigit,
        's' => Cat::Space,
        'S' => Cat::NotSpace,
        'w' => Cat::Word,
        'W' => Cat::NotWord,
        _ => return None,
    })
}

enum Esc {
    Lit(u32),
    Cat(Cat),
    At(At),
    Ref(usize),
}

/// Shared part of `_escape` and `_class_escape`: `\x \u \U \N`.
fn hex_escapes(source: &mut Source, c: char, escape: &mut String) -> R<Option<u32>> {
    let n = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        'N' => {
            if !source.matches('{')? {
                return Err(source.error("missing {", 0));
            }
            let name = source.getuntil('}', "character name")?;
            // No Unicode name table: every name is reported as undefined.
            return Err(source.error(
                format!("undefined character name {}", str_repr(&name)),
                name.chars().count() + 4,
            ));
        }
        _ => return Ok(None),
    };
    escape.push_str(&source.getwhile(n, is_hex)?);
    let len = escape.chars().count();
    if len != n + 2 {
        return Err(source.error(format!("incomplete escape {escape}"), len));
    }
    let v = u32::from_str_radix(&escape[2..], 16).unwrap_or(u32::MAX);
    if v > 0x10ffff {
        return Err(source.error(format!("bad escape {escape}"), len));
    }
    Ok(Some(v))
}

fn class_escape(source: &mut Source, t: Tok) -> R<Esc> {
    let c = t.c;
    if let Some(v) = escape_simple(c) {
        return Ok(Esc::Lit(v));
    }
    if let Some(cat) = category(c) {
        return Ok(Esc::Cat(cat));
    }
    let mut escape = t.text();
    if let Some(v) = hex_escapes(source, c, &mut escape)? {
        return Ok(Esc::Lit(v));
    }
    if is_octal(c) {
        escape.push_str(&source.getwhile(2, is_octal)?);
        let v = u32::from_str_radix(&escape[1..], 8).unwrap_or(0);
        if v > 0o377 {
            let len = escape.chars().count();
            return Err(source.error(
                format!("octal escape value {escape} outside of range 0-0o377"),
                len,
            ));
        }
        return Ok(Esc::Lit(v));
    }
    if !is_digit(c) && !c.is_ascii_alphabetic() {
        return Ok(Esc::Lit(c as u32));
    }
    Err(source.error(format!("bad escape {escape}"), escape.chars().count()))
}

fn escape(source: &mut Source, t: Tok, state: &State) -> R<Esc> {
    let c = t.c;
    match c {
        'A' => return Ok(Esc::At(At::BeginningString)),
        'Z' => return Ok(Esc::At(At::EndString)),
        'b' => return Ok(Esc::At(At::Boundary)),
        'B' => return Ok(Esc::At(At::NonBoundary)),
        _ => {}
    }
    if let Some(cat) = category(c) {
        return Ok(Esc::Cat(cat));
    }
    if let Some(v) = escape_simple(c) {
        return Ok(Esc::Lit(v));
    }
    let mut escape = t.text();
    if let Some(v) = hex_escapes(source, c, &mut escape)? {
        return Ok(Esc::Lit(v));
    }
    if c == '0' {
        escape.push_str(&source.getwhile(2, is_octal)?);
        return Ok(Esc::Lit(u32::from_str_radix(&escape[1..], 8).unwrap_or(0)));
    }
    if is_digit(c) {
        if source.next_in(is_digit) {
            let d = source.get()?.map_or('0', |t| t.c);
            escape.push(d);
            if is_octal(c) && is_octal(d) && source.next_in(is_octal) {
                let e = source.get()?.map_or('0', |t| t.c);
                escape.push(e);
                let v = u32::from_str_radix(&escape[1..], 8).unwrap_or(0);
                if v > 0o377 {
                    return Err(source.error(
                        format!("octal escape value {escape} outside of range 0-0o377"),
                        escape.len(),
                    ));
                }
                return Ok(Esc::Lit(v));
            }
        }
        let group: usize = escape[1..].parse().unwrap_or(0);
        if group < state.groups() {
            if !state.checkgroup(group) {
                return Err(source.error("cannot refer to an open group", escape.len()));
            }
            state.checklookbehindgroup(group, source)?;
            return Ok(Esc::Ref(group));
        }
        return Err(source.error(format!("invalid group reference {group}"), escape.len() - 1));
    }
    if !c.is_ascii_alphabetic() {
        return Ok(Esc::Lit(c as u32));
    }
    Err(source.error(format!("bad escape {escape}"), escape.chars().count()))
}

fn parse_sub(source: &mut Source, state: &mut State, verbose: bool, nested: usize) -> R<Vec<Node>> {
    let mut items = Vec::new();
    let mut verbose = verbose;
    loop {
        let first = nested == 0 && items.is_empty();
        items.push(parse(source, state, verbose, nested + 1, first)?);
        if !source.matches('|')? {
            break;
        }
        if nested == 0 {
            verbose = state.flags & F_X != 0;
        }
    }
    if items.len() == 1 {
        return Ok(items.pop().unwrap_or_default());
    }
    Ok(vec![Node::Branch(items)])
}

fn parse(
    source: &mut Source,
    state: &mut State,
    mut verbose: bool,
    nested: usize,
    first: bool,
) -> R<Vec<Node>> {
    let mut sub: Vec<Node> = Vec::new();
    while let Some(this) = source.next {
        if this.is('|') || this.is(')') {
            break;
        }
        source.advance()?;
        if verbose {
            if !this.esc && " \t\n\r\x0b\x0c".contains(this.c) {
                continue;
            }
            if this.is('#') {
                loop {
                    match source.get()? {
                        None => break,
                        Some(t) if t.is('\n') => break,
                        _ => {}
                    }
                }
                continue;
            }
        }
        if this.esc {
            match escape(source, this, state)? {
                Esc::Lit(v) => sub.push(Node::Literal(v)),
                Esc::Cat(c) => sub.push(Node::In {
                    negate: false,
                    items: vec![SetItem::Cat(c)],
                }),
                Esc::At(a) => sub.push(Node::At(a)),
                Esc::Ref(g) => sub.push(Node::GroupRef(g)),
            }
            continue;
        }
        let c = this.c;
        if !SPECIAL.contains(c) {
            sub.push(Node::Literal(c as u32));
        } else if c == '[' {
            sub.push(parse_set(source)?);
        } else if "*+?{".contains(c) {
            let here = source.tell();
            let (min, max) = match c {
                '?' => (0, 1),
                '*' => (0, MAXREPEAT),
                '+' => (1, MAXREPEAT),
                _ => {
                    if source.next.is_some_and(|t| t.is('}')) {
                        sub.push(Node::Literal('{' as u32));
                        continue;
                    }
                    let mut lo = String::new();
                    let mut hi = String::new();
                    while source.next_in(is_digit) {
                        lo.push(source.get()?.map_or('0', |t| t.c));
                    }
                    if source.matches(',')? {
                        while source.next_in(is_digit) {
                            hi.push(source.get()?.map_or('0', |t| t.c));
                        }
                    } else {
                        hi = lo.clone();
                    }
                    if !source.matches('}')? {
                        sub.push(Node::Literal('{' as u32));
                        source.seek(here)?;
                        continue;
                    }
                    let too_large = || Error {
                        msg: "the repetition number is too large".into(),
                        pos: None,
                        pattern: source.pattern.to_string(),
                    };
                    let mut min = 0;
                    let mut max = MAXREPEAT;
                    if !lo.is_empty() {
                        min = lo.parse::<u64>().unwrap_or(u64::MAX);
                        if min >= MAXREPEAT {
                            return Err(too_large());
                        }
                    }
                    if !hi.is_empty() {
                        max = hi.parse::<u64>().unwrap_or(u64::MAX);
                        if max >= MAXREPEAT {
                            return Err(too_large());
                        }
                        if max < min {
                            return Err(source.error(
                                "min repeat greater than max repeat",
                                source.tell() - here,
                            ));
                        }
                    }
                    (min, max)
                }
            };
            let off = source.tell() - here + 1;
            let item = match sub.last() {
                None | Some(Node::At(_)) => {
                    return Err(source.error("nothing to repeat", off));
                }
                Some(Node::Repeat { .. }) => return Err(source.error("multiple repeat", off)),
                Some(_) => sub.pop().unwrap_or(Node::Any),
            };
            let body = match item {
                Node::Group {
                    group: None,
                    add: 0,
                    del: 0,
                    body,
                } => body,
                other => vec![other],
            };
            let kind = if source.matches('?')? {
                RepKind::Lazy
            } else if source.matches('+')? {
                RepKind::Possessive
            } else {
                RepKind::Greedy
            };
            sub.push(Node::Repeat {
                min,
                max,
                kind,
                body,
            });
        } else if c == '.' {
            sub.push(Node::Any);
        } else if c == '(' {
            let start = source.tell() - 1;
            let mut capture = true;
            let mut atomic = false;
            let mut name: Option<String> = None;
            let (mut add, mut del) = (0, 0);
            if source.matches('?')? {
                let Some(ch) = source.get()? else {
                    return Err(source.error("unexpected end of pattern", 0));
                };
                let cc = if ch.esc { '\\' } else { ch.c };
                if cc == 'P' {
                    if source.matches('<')? {
                        let n = source.getuntil('>', "group name")?;
                        source.checkgroupname(&n, 1)?;
                        name = Some(n);
                    } else if source.matches('=')? {
                        let n = source.getuntil(')', "group name")?;
                        source.checkgroupname(&n, 1)?;
                        let nlen = n.chars().count();
                        let Some(&(_, gid)) = state.names.iter().find(|(x, _)| *x == n) else {
                            return Err(source
                                .error(format!("unknown group name {}", str_repr(&n)), nlen + 1));
                        };
                        if !state.checkgroup(gid) {
                            return Err(source.error("cannot refer to an open group", nlen + 1));
                        }
                        state.checklookbehindgroup(gid, source)?;
                        sub.push(Node::GroupRef(gid));
                        continue;
                    } else {
                        let Some(ch) = source.get()? else {
                            return Err(source.error("unexpected end of pattern", 0));
                        };
                        return Err(source
                            .error(format!("unknown extension ?P{}", ch.text()), ch.len() + 2));
                    }
                } else if cc == ':' {
                    capture = false;
                } else if cc == '#' {
                    loop {
                        if source.next.is_none() {
                            return Err(source
                                .error("missing ), unterminated comment", source.tell() - start));
                        }
                        if source.get()?.is_some_and(|t| t.is(')')) {
                            break;
                        }
                    }
                    continue;
                } else if "=!<".contains(cc) {
                    let mut ch = ch;
                    let mut behind = false;
                    let mut saved_lb = None;
                    if cc == '<' {
                        let Some(c2) = source.get()? else {
                            return Err(source.error("unexpected end of pattern", 0));
                        };
                        if !(c2.is('=') || c2.is('!')) {
                            return Err(source.error(
                                format!("unknown extension ?<{}", c2.text()),
                                c2.len() + 2,
                            ));
                        }
                        ch = c2;
                        behind = true;
                        saved_lb = Some(state.lookbehindgroups);
                        if state.lookbehindgroups.is_none() {
                            state.lookbehindgroups = Some(state.groups());
                        }
                    }
                    let p = parse_sub(source, state, verbose, nested + 1)?;
                    if let Some(None) = saved_lb {
                        state.lookbehindgroups = None;
                    }
                    if !source.matches(')')? {
                        return Err(source
                            .error("missing ), unterminated subpattern", source.tell() - start));
                    }
                    sub.push(Node::Assert {
                        behind,
                        negate: ch.is('!'),
                        body: p,
                    });
                    continue;
                } else if cc == '(' {
                    let condname = source.getuntil(')', "group name")?;
                    let clen = condname.chars().count();
                    let condgroup;
                    if is_identifier(&condname) {
                        source.checkgroupname(&condname, 1)?;
                        match state.names.iter().find(|(x, _)| *x == condname) {
                            Some(&(_, g)) => condgroup = g,
                            None => {
                                return Err(source.error(
                                    format!("unknown group name {}", str_repr(&condname)),
                                    clen + 1,
                                ));
                            }
                        }
                    } else {
                        let bad = || {
                            source.error(
                                format!("bad character in group name {}", str_repr(&condname)),
                                clen + 1,
                            )
                        };
                        let v = match py_int(&condname) {
                            Some(v) if v >= 0 => v,
                            _ => return Err(bad()),
                        };
                        if v == 0 {
                            return Err(source.error("bad group number", clen + 1));
                        }
                        if v >= MAXGROUPS as i128 {
                            return Err(
                                source.error(format!("invalid group reference {v}"), clen + 1)
                            );
                        }
                        condgroup = v as usize;
                        if !state.grouprefpos.iter().any(|&(g, _)| g == condgroup) {
                            state
                                .grouprefpos
                                .push((condgroup, source.tell() - clen - 1));
                        }
                    }
                    state.checklookbehindgroup(condgroup, source)?;
                    let yes = parse(source, state, verbose, nested + 1, false)?;
                    let no = if source.matches('|')? {
                        let no = parse(source, state, verbose, nested + 1, false)?;
                        if source.next.is_some_and(|t| t.is('|')) {
                            return Err(
                                source.error("conditional backref with more than two branches", 0)
                            );
                        }
                        Some(no)
                    } else {
                        None
                    };
                    if !source.matches(')')? {
                        return Err(source
                            .error("missing ), unterminated subpattern", source.tell() - start));
                    }
                    sub.push(Node::GroupRefExists {
                        group: condgroup,
                        yes,
                        no,
                    });
                    continue;
                } else if cc == '>' {
                    capture = false;
                    atomic = true;
                } else if !ch.esc && (flag_of(cc).is_some() || cc == '-') {
                    match parse_flags(source, state, cc)? {
                        None => {
                            if !first || !sub.is_empty() {
                                return Err(source.error(
                                    "global flags not at the start of the expression",
                                    source.tell() - start,
                                ));
                            }
                            verbose = state.flags & F_X != 0;
                            continue;
                        }
                        Some((a, d)) => {
                            add = a;
                            del = d;
                            capture = false;
                        }
                    }
                } else {
                    return Err(
                        source.error(format!("unknown extension ?{}", ch.text()), ch.len() + 1)
                    );
                }
            }
            let group = if capture {
                match state.opengroup(name.as_deref()) {
                    Ok(g) => Some(g),
                    Err(msg) => {
                        let n = name.as_deref().map_or(0, |n| n.chars().count());
                        return Err(source.error(msg, n + 1));
                    }
                }
            } else {
                None
            };
            let sub_verbose = (verbose || add & F_X != 0) && del & F_X == 0;
            let p = parse_sub(source, state, sub_verbose, nested + 1)?;
            if !source.matches(')')? {
                return Err(
                    source.error("missing ), unterminated subpattern", source.tell() - start)
                );
            }
            if let Some(g) = group {
                state.widths[g] = Some(width(&p, &state.widths));
            }
            if atomic {
                sub.push(Node::Atomic(p));
            } else {
                sub.push(Node::Group {
                    group,
                    add,
                    del,
                    body: p,
                });
            }
        } else if c == '^' {
            sub.push(Node::At(At::Beginning));
        } else if c == '$' {
            sub.push(Node::At(At::End));
        }
    }
    Ok(sub)
}

fn parse_set(source: &mut Source) -> R<Node> {
    let here = source.tell() - 1;
    let mut set: Vec<SetItem> = Vec::new();
    let negate = source.matches('^')?;
    let unterminated = |s: &Source| s.error("unterminated character set", s.tell() - here);
    loop {
        let Some(this) = source.get()? else {
            return Err(unterminated(source));
        };
        if this.is(']') && !set.is_empty() {
            break;
        }
        let code1 = if this.esc {
            class_escape(source, this)?
        } else {
            Esc::Lit(this.c as u32)
        };
        if source.matches('-')? {
            let Some(that) = source.get()? else {
                return Err(unterminated(source));
            };
            if that.is(']') {
                set.push(match code1 {
                    Esc::Cat(c) => SetItem::Cat(c),
                    Esc::Lit(v) => SetItem::Lit(v),
                    _ => SetItem::Lit(0),
                });
                set.push(SetItem::Lit('-' as u32));
                break;
            }
            let code2 = if that.esc {
                class_escape(source, that)?
            } else {
                Esc::Lit(that.c as u32)
            };
            let msg = format!("bad character range {}-{}", this.text(), that.text());
            let off = this.len() + 1 + that.len();
            match (code1, code2) {
                (Esc::Lit(lo), Esc::Lit(hi)) if hi >= lo => set.push(SetItem::Range(lo, hi)),
                _ => return Err(source.error(msg, off)),
            }
        } else {
            set.push(match code1 {
                Esc::Cat(c) => SetItem::Cat(c),
                Esc::Lit(v) => SetItem::Lit(v),
                _ => SetItem::Lit(0),
            });
        }
    }
    let mut uniq: Vec<SetItem> = Vec::with_capacity(set.len());
    for i in set {
        if !uniq.contains(&i) {
            uniq.push(i);
        }
    }
    if let [SetItem::Lit(v)] = uniq[..] {
        return Ok(if negate {
            Node::NotLiteral(v)
        } else {
            Node::Literal(v)
        });
    }
    Ok(Node::In {
        negate,
        items: uniq,
    })
}

fn parse_flags(source: &mut Source, state: &mut State, first: char) -> R<Option<(u32, u32)>> {
    let mut add = 0;
    let mut del = 0;
    let mut ch = Some(Tok {
        c: first,
        esc: false,
    });
    let tokc = |t: Option<Tok>| t.map(|t| if t.esc { '\\' } else { t.c });
    if first != '-' {
        let mut c = first;
        loop {
            let flag = flag_of(c).unwrap_or(0);
            if c == 'L' {
                return Err(source.error(
                    "bad inline flags: cannot use 'L' flag with a str pattern",
                    0,
                ));
            }
            add |= flag;
            if flag & TYPE_FLAGS != 0 && add & TYPE_FLAGS != flag {
                return Err(source.error(
                    "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                    0,
                ));
            }
            ch = source.get()?;
            let Some(t) = ch else {
                return Err(source.error("missing -, : or )", 0));
            };
            if !t.esc && ")-:".contains(t.c) {
                break;
            }
            if t.esc || flag_of(t.c).is_none() {
                let msg = if !t.esc && t.c.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing -, : or )"
                };
                return Err(source.error(msg, t.len()));
            }
            c = t.c;
        }
    }
    if tokc(ch) == Some(')') {
        state.flags |= add;
        return Ok(None);
    }
    if add & GLOBAL_FLAGS != 0 {
        return Err(source.error("bad inline flags: cannot turn on global flag", 1));
    }
    if tokc(ch) == Some('-') {
        let Some(t) = source.get()? else {
            return Err(source.error("missing flag", 0));
        };
        if t.esc || flag_of(t.c).is_none() {
            let msg = if !t.esc && t.c.is_alphabetic() {
                "unknown flag"
            } else {
                "missing flag"
            };
            return Err(source.error(msg, t.len()));
        }
        let mut c = t.c;
        loop {
            let flag = flag_of(c).unwrap_or(0);
            if flag & TYPE_FLAGS != 0 {
                return Err(source.error(
                    "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                    0,
                ));
            }
            del |= flag;
            let Some(t) = source.get()? else {
                return Err(source.error("missing :", 0));
            };
            if t.is(':') {
                break;
            }
            if t.esc || flag_of(t.c).is_none() {
                let msg = if !t.esc && t.c.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing :"
                };
                return Err(source.error(msg, t.len()));
            }
            c = t.c;
        }
    }
    if del & GLOBAL_FLAGS != 0 {
        return Err(source.error("bad inline flags: cannot turn off global flag", 1));
    }
    if add & del != 0 {
        return Err(source.error("bad inline flags: flag turned on and off", 1));
    }
    Ok(Some((add, del)))
}

/// Lookbehind widths are checked when Python compiles the parsed pattern.
fn check_lookbehinds(nodes: &[Node], widths: &[Option<(u64, u64)>]) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Assert { behind, body, .. } => {
                if *behind {
                    let (lo, hi) = width(body, widths);
                    if lo != hi {
                        return Err("look-behind requires fixed-width pattern".into());
                    }
                }
                check_lookbehinds(body, widths)?;
            }
            Node::Branch(alts) => {
                for a in alts {
                    check_lookbehinds(a, widths)?;
                }
            }
            Node::Group { body, .. } | Node::Atomic(body) | Node::Repeat { body, .. } => {
                check_lookbehinds(body, widths)?
            }
            Node::GroupRefExists { yes, no, .. } => {
                check_lookbehinds(yes, widths)?;
                if let Some(no) = no {
                    check_lookbehinds(no, widths)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Parse `pattern` with the given initial flag bits, as `re.compile` does.
pub fn parse_pattern(pattern: &str, flags: u32) -> R<Parsed> {
    let mut source = Source::new(pattern)?;
    let mut state = State {
        flags,
        names: Vec::new(),
        widths: vec![None],
        lookbehindgroups: None,
        grouprefpos: Vec::new(),
    };
    let nodes = parse_sub(&mut source, &mut state, flags & F_X != 0, 0)?;
    // fix_flags: a str pattern is Unicode unless ASCII.
    let mut flags = state.flags;
    if flags & F_L != 0 {
        return Err(source.err_at("cannot use LOCALE flag with a str pattern", None));
    }
    if flags & F_A == 0 {
        flags |= F_U;
    } else if flags & F_U != 0 {
        return Err(source.err_at("ASCII and UNICODE flags are incompatible", None));
    }
    if source.next.is_some() {
        return Err(source.error("unbalanced parenthesis", 0));
    }
    for &(g, pos) in &state.grouprefpos {
        if g >= state.groups() {
            return Err(source.err_at(format!("invalid group reference {g}"), Some(pos)));
        }
    }
    check_lookbehinds(&nodes, &state.widths).map_err(|m| source.err_at(m, None))?;
    Ok(Parsed {
        nodes,
        flags,
        groups: state.groups(),
        names: state.names,
    })
}
