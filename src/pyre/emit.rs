//! Translation of the parsed Python pattern into fancy-regex / `regex` syntax.

use super::parse::{At, Cat, F_A, F_I, F_M, F_S, F_U, MAXREPEAT, Node, Parsed, RepKind, SetItem};
use crate::pyfmt::chars::{decimal_value, word_class};
use std::fmt::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Exact Python semantics for any haystack.
    Exact,
    /// Exact for haystacks without a `\n` before their last character:
    /// non-MULTILINE `$` becomes `(?m:$)`, which the `regex` crate runs natively.
    SingleLine,
    /// A `regex`-crate superset (no lookaround, backrefs, conditionals, atomics).
    Gate,
    /// Like `Gate`, for haystacks that are a suffix of the text searched:
    /// start anchors and word boundaries are dropped too.
    GateSuffix,
}

#[derive(Clone, Copy)]
struct Ctx {
    i: bool,
    m: bool,
    s: bool,
    a: bool,
    /// Whether the emitted text is currently under Rust's `(?i)`.
    rust_i: bool,
}

type Ranges = Vec<(u32, u32)>;

fn normalize(mut r: Ranges) -> Ranges {
    r.sort_unstable();
    let mut out: Ranges = Vec::with_capacity(r.len());
    for (a, b) in r {
        if let Some(last) = out.last_mut() {
            if a <= last.1.saturating_add(1) {
                last.1 = last.1.max(b);
                continue;
            }
        }
        out.push((a, b));
    }
    out
}

fn complement(r: &[(u32, u32)]) -> Ranges {
    let mut out = Vec::with_capacity(r.len() + 1);
    let mut next = 0u32;
    for &(a, b) in r {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= 0x10ffff {
        out.push((next, 0x10ffff));
    }
    out
}

fn word_ranges() -> &'static Ranges {
    static W: OnceLock<Ranges> = OnceLock::new();
    W.get_or_init(|| {
        // word_class() is "_" followed by \x{A} or \x{A}-\x{B} items.
        let s = word_class();
        let mut r = vec![('_' as u32, '_' as u32)];
        let mut vals = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find("\\x{") {
            rest = &rest[i + 3..];
            let j = rest.find('}').unwrap_or(rest.len());
            let v = u32::from_str_radix(&rest[..j], 16).unwrap_or(0);
            rest = &rest[j + 1..];
            let ranged = rest.starts_with('-');
            vals.push((v, ranged));
        }
        let mut k = 0;
        while k < vals.len() {
            if vals[k].1 && k + 1 < vals.len() {
                r.push((vals[k].0, vals[k + 1].0));
                k += 2;
            } else {
                r.push((vals[k].0, vals[k].0));
                k += 1;
            }
        }
        normalize(r)
    })
}

fn digit_ranges() -> &'static Ranges {
    static D: OnceLock<Ranges> = OnceLock::new();
    D.get_or_init(|| {
        let mut r = Vec::new();
        for cp in 0..0x20000u32 {
            if let Some(c) = char::from_u32(cp) {
                if decimal_value(c).is_some() {
                    r.push((cp, cp));
                }
            }
        }
        normalize(r)
    })
}

/// Python's `str.isspace()` characters (Python 3.11).
const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0d),
    (0x1c, 0x20),
    (0x85, 0x85),
    (0xa0, 0xa0),
    (0x1680, 0x1680),
    (0x2000, 0x200a),
    (0x2028, 0x2029),
    (0x202f, 0x202f),
    (0x205f, 0x205f),
    (0x3000, 0x3000),
];

fn cat_ranges(cat: Cat, ascii: bool) -> Ranges {
    let base: Ranges = match (cat, ascii) {
        (Cat::Digit | Cat::NotDigit, true) => vec![(0x30, 0x39)],
        (Cat::Space | Cat::NotSpace, true) => vec![(0x09, 0x0d), (0x20, 0x20)],
        (Cat::Word | Cat::NotWord, true) => {
            vec![(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)]
        }
        (Cat::Digit | Cat::NotDigit, false) => digit_ranges().clone(),
        (Cat::Space | Cat::NotSpace, false) => SPACE.to_vec(),
        (Cat::Word | Cat::NotWord, false) => word_ranges().clone(),
    };
    match cat {
        Cat::NotDigit | Cat::NotSpace | Cat::NotWord => complement(&base),
        _ => base,
    }
}

/// The code points a class's items name (unsorted, may overlap).
fn item_ranges(items: &[SetItem], ascii: bool) -> Ranges {
    let mut r: Ranges = Vec::new();
    for it in items {
        match *it {
            SetItem::Lit(v) => r.push((v, v)),
            SetItem::Range(a, b) => r.push((a, b)),
            SetItem::Cat(c) => r.extend(cat_ranges(c, ascii)),
        }
    }
    r
}

/// ASCII-only case folding for `(?ai)`: add the other case of ASCII letters.
fn ascii_fold(r: &mut Ranges) {
    let mut extra = Vec::new();
    for &(a, b) in r.iter() {
        for (lo, hi, delta) in [(0x41u32, 0x5au32, 32i64), (0x61, 0x7a, -32)] {
            let (x, y) = (a.max(lo), b.min(hi));
            if x <= y {
                extra.push(((x as i64 + delta) as u32, (y as i64 + delta) as u32));
            }
        }
    }
    r.extend(extra);
}

fn push_class_char(out: &mut String, cp: u32) {
    match char::from_u32(cp) {
        Some(c) if c.is_ascii_alphanumeric() => out.push(c),
        _ => {
            let _ = write!(out, "\\x{{{cp:X}}}");
        }
    }
}

const NEVER: &str = "[^\\x{0}-\\x{10FFFF}]";

fn emit_ranges(out: &mut String, r: &[(u32, u32)]) {
    // Lone surrogates cannot occur in a Rust string.
    let mut items = Vec::with_capacity(r.len());
    for &(a, b) in r {
        if b < 0xd800 || a > 0xdfff {
            items.push((a, b));
        } else {
            if a < 0xd800 {
                items.push((a, 0xd7ff));
            }
            if b > 0xdfff {
                items.push((0xe000, b));
            }
        }
    }
    if items.is_empty() {
        out.push_str(NEVER);
        return;
    }
    if items == [(0, 0xd7ff), (0xe000, 0x10ffff)] {
        out.push_str("(?s:.)");
        return;
    }
    if items == [(0, 9), (11, 0xd7ff), (0xe000, 0x10ffff)] {
        out.push_str("[^\\n]");
        return;
    }
    out.push('[');
    for (a, b) in items {
        push_class_char(out, a);
        if b != a {
            if b > a + 1 {
                out.push('-');
            }
            push_class_char(out, b);
        }
    }
    out.push(']');
}

pub fn push_literal(out: &mut String, cp: u32) {
    match char::from_u32(cp) {
        None => out.push_str(NEVER),
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
        Some(c) if "\\.+*?()|[]{}^$#&-~".contains(c) => {
            out.push('\\');
            out.push(c);
        }
        Some(c) if c.is_ascii_graphic() => out.push(c),
        Some(_) => {
            let _ = write!(out, "\\x{{{cp:X}}}");
        }
    }
}

struct Emitter {
    out: String,
    mode: Mode,
    /// The haystack is known to be ASCII: classes are cut down to ASCII,
    /// which keeps the automata small (same matches on such haystacks).
    ascii_hay: bool,
    /// The character every match so far ends with, when known: a
    /// lookbehind for exactly that character is always true and is left
    /// out, which keeps patterns like fail2ban's IPv6 `(?<=:):` on the
    /// fast engine.
    known_prev: Option<u32>,
}

/// The character every match of `nodes` ends with, given `before` for the
/// text matched before them (`None`: unknown).
fn last_char_or(nodes: &[Node], before: Option<u32>) -> Option<u32> {
    let mut known = before;
    for n in nodes {
        known = match n {
            Node::At(_) | Node::Assert { .. } => known,
            Node::Literal(c) if !char::from_u32(*c).is_some_and(char::is_alphabetic) => Some(*c),
            Node::Group { body, .. } | Node::Atomic(body) => last_char_or(body, known),
            Node::Branch(alts) => {
                let mut common: Option<Option<u32>> = None;
                for a in alts {
                    let e = last_char_or(a, known);
                    match common {
                        None => common = Some(e),
                        Some(c) if c == e => {}
                        Some(_) => common = Some(None),
                    }
                }
                common.flatten()
            }
            Node::Repeat { min, body, .. } => {
                // Every iteration must end with the same character; with
                // no iteration, so must the text before.
                let each = last_char_or(body, None);
                match each {
                    Some(c) if *min >= 1 || known == Some(c) => Some(c),
                    _ => None,
                }
            }
            _ => None,
        };
    }
    known
}

/// `r` ∩ ASCII.
fn ascii_only(r: &[(u32, u32)]) -> Ranges {
    r.iter()
        .filter(|(a, _)| *a <= 0x7f)
        .map(|&(a, b)| (a, b.min(0x7f)))
        .collect()
}

/// ASCII word boundaries (fancy-regex cannot switch Unicode mode inline).
const ASCII_B: &str = "(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))";
const ASCII_NB: &str = "(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))";

/// Whether every node is zero-width (the engine refuses to repeat those).
fn zero_width(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::At(_) | Node::Assert { .. } => true,
        Node::Group { body, .. } | Node::Atomic(body) | Node::Repeat { body, .. } => {
            zero_width(body)
        }
        Node::Branch(alts) => alts.iter().all(|a| zero_width(a)),
        _ => false,
    })
}

/// Largest counted repetition kept in a gate (larger ones are relaxed).
const GATE_MAX_COUNT: u64 = 64;

impl Emitter {
    fn seq(&mut self, nodes: &[Node], ctx: Ctx) {
        let outer = self.known_prev;
        let mut known = outer;
        let mut k = 0;
        while k < nodes.len() {
            self.known_prev = known;
            if let Some(used) = self.word_exclusion(&nodes[k..], ctx) {
                known = last_char_or(&nodes[k..k + used], known);
                k += used;
                continue;
            }
            let n = &nodes[k];
            self.node(n, ctx);
            known = last_char_or(std::slice::from_ref(n), known);
            k += 1;
        }
        self.known_prev = outer;
    }

    /// `(?!Wt)C+t` with `W` in `C+` and `t` not in `C` (fail2ban's asterisk
    /// filter: `(?!RemoteAddress=)\w+=`) is "a run of `C` other than `W`,
    /// then `t`": written out as an alternation, it needs no lookahead.
    /// Returns how many nodes were emitted.
    fn word_exclusion(&mut self, nodes: &[Node], ctx: Ctx) -> Option<usize> {
        if self.mode != Mode::Exact && self.mode != Mode::SingleLine || ctx.i {
            return None;
        }
        let [
            Node::Assert {
                behind: false,
                negate: true,
                body,
            },
            Node::Repeat {
                min: 1,
                max: MAXREPEAT,
                kind: RepKind::Greedy | RepKind::Possessive,
                body: rep,
            },
            Node::Literal(t),
            ..,
        ] = nodes
        else {
            return None;
        };
        let lit: Option<Vec<u32>> = body
            .iter()
            .map(|n| match n {
                Node::Literal(c) => Some(*c),
                _ => None,
            })
            .collect();
        let lit = lit?;
        let (last, word) = lit.split_last()?;
        if word.is_empty() || last != t {
            return None;
        }
        let [Node::In { negate, items }] = rep.as_slice() else {
            return None;
        };
        let r = item_ranges(items, ctx.a);
        let mut r = normalize(r);
        if *negate {
            r = complement(&r);
        }
        if self.ascii_hay {
            r = ascii_only(&r);
        }
        let has = |c: u32| r.iter().any(|&(a, b)| a <= c && c <= b);
        if has(*t) || !word.iter().all(|&c| has(c)) {
            return None;
        }
        let class = |rr: &Ranges| {
            let mut out = String::new();
            emit_ranges(&mut out, rr);
            out
        };
        let all = class(&r);
        let mut alts = Vec::new();
        for i in 0..word.len() {
            let mut a = String::new();
            for &c in &word[..i] {
                push_literal(&mut a, c);
            }
            let minus: Ranges = normalize(
                r.iter()
                    .flat_map(|&(x, y)| {
                        let w = word[i];
                        if w < x || w > y {
                            vec![(x, y)]
                        } else {
                            let mut v = Vec::new();
                            if w > x {
                                v.push((x, w - 1));
                            }
                            if w < y {
                                v.push((w + 1, y));
                            }
                            v
                        }
                    })
                    .collect(),
            );
            if minus.is_empty() {
                continue;
            }
            a.push_str(&class(&minus));
            a.push_str(&all);
            a.push('*');
            alts.push(a);
        }
        let mut longer = String::new();
        for &c in word {
            push_literal(&mut longer, c);
        }
        longer.push_str(&all);
        longer.push('+');
        alts.push(longer);
        for i in 1..word.len() {
            let mut a = String::new();
            for &c in &word[..i] {
                push_literal(&mut a, c);
            }
            alts.push(a);
        }
        self.out.push_str("(?:");
        self.out.push_str(&alts.join("|"));
        self.out.push(')');
        Some(2)
    }

    fn set(&mut self, negate: bool, items: &[SetItem], ctx: Ctx) {
        let mut r = item_ranges(items, ctx.a);
        if ctx.i && ctx.a {
            ascii_fold(&mut r);
        }
        let mut r = normalize(r);
        if negate && ctx.rust_i && !r.is_empty() {
            // Rust folds case before negating, as Python does.
            let mut tmp = String::new();
            emit_ranges(&mut tmp, &r);
            if let Some(items) = tmp.strip_prefix('[').filter(|s| !s.starts_with('^')) {
                self.out.push_str("[^");
                self.out.push_str(items);
                return;
            }
        }
        if negate {
            r = complement(&r);
        }
        if self.ascii_hay {
            if ctx.rust_i {
                // The only non-ASCII characters Rust folds onto ASCII ones.
                let has = |r: &Ranges, c: u32| r.iter().any(|&(a, b)| a <= c && c <= b);
                if has(&r, 0x212a) {
                    r.extend([(0x4b, 0x4b), (0x6b, 0x6b)]);
                }
                if has(&r, 0x17f) {
                    r.extend([(0x53, 0x53), (0x73, 0x73)]);
                }
                r = normalize(r);
            }
            r = ascii_only(&r);
        }
        emit_ranges(&mut self.out, &r);
    }

    fn node(&mut self, n: &Node, ctx: Ctx) {
        let gate = matches!(self.mode, Mode::Gate | Mode::GateSuffix);
        let suffix = self.mode == Mode::GateSuffix;
        match n {
            Node::Literal(v) => {
                let v = *v;
                if ctx.i && ctx.a && char::from_u32(v).is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.set(false, &[SetItem::Lit(v)], ctx);
                } else {
                    push_literal(&mut self.out, v);
                }
            }
            Node::NotLiteral(v) => self.set(true, &[SetItem::Lit(*v)], ctx),
            Node::In { negate, items } => self.set(*negate, items, ctx),
            Node::Any if self.ascii_hay => self.out.push_str(if ctx.s {
                "[\\x00-\\x7F]"
            } else {
                "[\\x00-\\x09\\x0B-\\x7F]"
            }),
            Node::Any => self.out.push_str(if ctx.s { "(?s:.)" } else { "[^\\n]" }),
            Node::At(at) => {
                let s = match at {
                    At::Beginning | At::BeginningString if suffix => "",
                    At::Beginning if ctx.m => "(?m:^)",
                    At::Beginning | At::BeginningString => "\\A",
                    At::End if ctx.m => "(?m:$)",
                    At::End if self.mode == Mode::Exact => "(?=\\n?\\z)",
                    At::End => "(?m:$)",
                    At::EndString => "\\z",
                    At::Boundary | At::NonBoundary if gate => "",
                    At::Boundary if ctx.a => ASCII_B,
                    At::Boundary => "\\b",
                    At::NonBoundary if ctx.a => ASCII_NB,
                    At::NonBoundary => "\\B",
                };
                self.out.push_str(s);
            }
            Node::Branch(alts) => {
                self.out.push_str("(?:");
                for (k, a) in alts.iter().enumerate() {
                    if k > 0 {
                        self.out.push('|');
                    }
                    self.seq(a, ctx);
                }
                self.out.push(')');
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let mut c = ctx;
                if add & (F_A | F_U) != 0 {
                    c.a = add & F_A != 0;
                }
                let flag = |f: u32, cur: bool| (cur || add & f != 0) && del & f == 0;
                c.i = flag(F_I, c.i);
                c.m = flag(F_M, c.m);
                c.s = flag(F_S, c.s);
                let want_i = c.i && !c.a;
                let open = if gate { false } else { group.is_some() };
                self.out.push_str(if open { "(" } else { "(?:" });
                let toggle = want_i != ctx.rust_i;
                if toggle {
                    self.out.push_str(if want_i { "(?i:" } else { "(?-i:" });
                    c.rust_i = want_i;
                }
                self.seq(body, c);
                if toggle {
                    self.out.push(')');
                }
                self.out.push(')');
            }
            Node::Atomic(body) => {
                self.out.push_str(if gate { "(?:" } else { "(?>" });
                self.seq(body, ctx);
                self.out.push(')');
            }
            Node::Repeat {
                min,
                max,
                kind,
                body,
            } => {
                let (mut min, mut max) = (*min, *max);
                let possessive = *kind == RepKind::Possessive && !gate;
                if gate {
                    if max != MAXREPEAT && max > GATE_MAX_COUNT {
                        max = MAXREPEAT;
                    }
                    min = min.min(GATE_MAX_COUNT);
                }
                if zero_width(body) {
                    // Repeating a zero-width item: one attempt, optional when min is 0.
                    self.out.push_str("(?:");
                    if min == 0 && *kind == RepKind::Lazy {
                        self.out.push('|');
                    }
                    let outer = self.known_prev.take();
                    self.seq(body, ctx);
                    self.known_prev = outer;
                    if min == 0 && *kind != RepKind::Lazy {
                        self.out.push('|');
                    }
                    self.out.push(')');
                    return;
                }
                if possessive {
                    self.out.push_str("(?>");
                }
                self.out.push_str("(?:");
                let outer = self.known_prev.take();
                self.seq(body, ctx);
                self.known_prev = outer;
                self.out.push(')');
                match (min, max) {
                    (0, MAXREPEAT) => self.out.push('*'),
                    (1, MAXREPEAT) => self.out.push('+'),
                    (0, 1) => self.out.push('?'),
                    (m, MAXREPEAT) => {
                        let _ = write!(self.out, "{{{m},}}");
                    }
                    (m, n) if m == n => {
                        let _ = write!(self.out, "{{{m}}}");
                    }
                    (m, n) => {
                        let _ = write!(self.out, "{{{m},{n}}}");
                    }
                }
                if *kind == RepKind::Lazy {
                    self.out.push('?');
                }
                if possessive {
                    self.out.push(')');
                }
            }
            Node::GroupRef(g) => {
                if gate {
                    self.out.push_str("(?s:.*?)");
                } else {
                    let _ = write!(self.out, "(?:\\{g})");
                }
            }
            Node::GroupRefExists { group, yes, no } => {
                if gate {
                    self.out.push_str("(?:");
                    self.seq(yes, ctx);
                    self.out.push('|');
                    if let Some(no) = no {
                        self.seq(no, ctx);
                    }
                    self.out.push(')');
                } else {
                    let _ = write!(self.out, "(?({group})(?:");
                    self.seq(yes, ctx);
                    self.out.push_str(")|(?:");
                    if let Some(no) = no {
                        self.seq(no, ctx);
                    }
                    self.out.push_str("))");
                }
            }
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                if gate {
                    return;
                }
                if let (true, false, [Node::Literal(c)]) = (*behind, *negate, body.as_slice())
                    && self.known_prev == Some(*c)
                    && !(ctx.i && char::from_u32(*c).is_some_and(char::is_alphabetic))
                {
                    // The previous character is known to be this one.
                    return;
                }
                self.out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.seq(body, ctx);
                self.out.push(')');
            }
        }
    }
}

/// Whether the pattern has a non-MULTILINE `$` (the only construct that
/// [`Mode::SingleLine`] changes).
pub fn has_plain_dollar(nodes: &[Node], multiline: bool) -> bool {
    nodes.iter().any(|n| match n {
        Node::At(At::End) => !multiline,
        Node::Branch(alts) => alts.iter().any(|a| has_plain_dollar(a, multiline)),
        Node::Group { add, del, body, .. } => {
            let m = (multiline || add & F_M != 0) && del & F_M == 0;
            has_plain_dollar(body, m)
        }
        Node::Atomic(b) | Node::Repeat { body: b, .. } | Node::Assert { body: b, .. } => {
            has_plain_dollar(b, multiline)
        }
        Node::GroupRefExists { yes, no, .. } => {
            has_plain_dollar(yes, multiline)
                || no.as_ref().is_some_and(|n| has_plain_dollar(n, multiline))
        }
        _ => false,
    })
}

pub fn emit(p: &Parsed, mode: Mode) -> String {
    emit_with(p, mode, false)
}

/// [`emit`] for haystacks known to be ASCII when `ascii_hay`.
pub fn emit_with(p: &Parsed, mode: Mode, ascii_hay: bool) -> String {
    let f = p.flags;
    let a = f & F_A != 0;
    let i = f & F_I != 0;
    let ctx = Ctx {
        i,
        m: f & F_M != 0,
        s: f & F_S != 0,
        a,
        rust_i: i && !a,
    };
    let mut e = Emitter {
        out: String::new(),
        mode,
        ascii_hay,
        known_prev: None,
    };
    if ctx.rust_i {
        e.out.push_str("(?i)");
    }
    e.seq(&p.nodes, ctx);
    e.out
}
