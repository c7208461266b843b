//! An instrumented model of CPython's regular expression matcher (`_sre`)
//! over pyre's parse tree, for F2B107.
//!
//! fail2ban runs its regexes with Python's `re`, a plain backtracking
//! matcher: nothing like the `regex` crate's linear engines. To show that a
//! pattern backtracks catastrophically, the pattern is run here the way
//! Python 3.11 runs it, counting the work, under a budget:
//!
//! * the parse tree gets the rewrites Python's parser makes and pyre does
//!   not need (a common leading item of all alternatives moves out of the
//!   branch; a branch of single characters becomes a set), since they change
//!   how much backtracking there is (`(a|a)*` keeps a two-way branch in
//!   Python: the `a` moves out and two empty alternatives remain);
//! * it is compiled to `_sre`'s operations: single-character repeats
//!   (`REPEAT_ONE`: count greedily, give back one at a time, skip positions
//!   where a following literal cannot match), general repeats (`REPEAT` with
//!   `MAX_UNTIL`/`MIN_UNTIL` and their empty-iteration guard), branches that
//!   skip alternatives whose first literal or set cannot match, atomic groups,
//!   possessive repeats, assertions, back references;
//! * `search` uses `_sre`'s start-position shortcuts: a pattern starting with
//!   `^` is tried at position 0 only, a literal prefix or a set of first
//!   characters skips hopeless positions, and positions too close to the end
//!   for the pattern's minimum width are not tried.
//!
//! Work is counted in *steps*: one step per operation the matcher executes
//! (each attempt at a position, each alternative, each repeat iteration);
//! characters examined inside `_sre`'s tight loops (counting a
//! single-character repeat, skipping to a literal, scanning for a prefix)
//! cost [`SCAN_PER_STEP`] to a step, since those loops are that much
//! cheaper than a dispatched operation.
//!
//! The model is faithful in the order of attempts, not in every detail of
//! captures: marks are restored exactly on backtracking here, where `_sre`
//! has some historic quirks; those never change whether or how long a match
//! is searched for.

use crate::pyfmt::chars::{decimal_value, is_word};
use crate::pyre::ast::{At, Cat, F_A, F_I, F_M, F_S, MAXREPEAT, Node, Parsed, RepKind, SetItem};

/// Characters scanned in a tight loop per counted step.
pub const SCAN_PER_STEP: u64 = 16;

/// Deepest recursion the model allows before it gives up (a search that
/// deep is reported as inconclusive, never as evidence).
const MAX_DEPTH: usize = 20_000;

// ---------------------------------------------------------------------------
// Python's parser rewrites.

/// Whether Python would find two parse items equal: items holding a
/// subpattern compare by identity there, so only flat items can be equal.
fn py_equal(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Literal(_), _)
        | (Node::NotLiteral(_), _)
        | (Node::Any, _)
        | (Node::In { .. }, _)
        | (Node::At(_), _)
        | (Node::GroupRef(_), _) => a == b,
        _ => false,
    }
}

/// The tree as Python's parser builds it: pyre leaves out two rewrites of
/// `_parse_sub` that only matter for speed.
pub fn python_tree(nodes: &[Node]) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        match n {
            Node::Branch(alts) => {
                let alts: Vec<Vec<Node>> = alts.iter().map(|a| python_tree(a)).collect();
                out.extend(rewrite_branch(alts));
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => out.push(Node::Group {
                group: *group,
                add: *add,
                del: *del,
                body: python_tree(body),
            }),
            Node::Atomic(body) => out.push(Node::Atomic(python_tree(body))),
            Node::Repeat {
                min,
                max,
                kind,
                body,
            } => out.push(Node::Repeat {
                min: *min,
                max: *max,
                kind: *kind,
                body: python_tree(body),
            }),
            Node::GroupRefExists { group, yes, no } => out.push(Node::GroupRefExists {
                group: *group,
                yes: python_tree(yes),
                no: no.as_ref().map(|n| python_tree(n)),
            }),
            Node::Assert {
                behind,
                negate,
                body,
            } => out.push(Node::Assert {
                behind: *behind,
                negate: *negate,
                body: python_tree(body),
            }),
            other => out.push(other.clone()),
        }
    }
    out
}

fn rewrite_branch(mut alts: Vec<Vec<Node>>) -> Vec<Node> {
    let mut out = Vec::new();
    // A common prefix moves out of the branch.
    loop {
        if alts.iter().any(|a| a.is_empty()) {
            break;
        }
        let first = alts[0][0].clone();
        if !alts.iter().all(|a| py_equal(&a[0], &first)) {
            break;
        }
        for a in &mut alts {
            a.remove(0);
        }
        out.push(first);
    }
    // Single characters become a set.
    let mut items = Vec::new();
    let all_chars = alts.iter().all(|a| {
        if a.len() != 1 {
            return false;
        }
        match &a[0] {
            Node::Literal(c) => {
                items.push(SetItem::Lit(*c));
                true
            }
            Node::In {
                negate: false,
                items: i,
            } => {
                items.extend(i.iter().copied());
                true
            }
            _ => false,
        }
    });
    if all_chars {
        let mut uniq: Vec<SetItem> = Vec::new();
        for i in items {
            if !uniq.contains(&i) {
                uniq.push(i);
            }
        }
        out.push(Node::In {
            negate: false,
            items: uniq,
        });
    } else {
        out.push(Node::Branch(alts));
    }
    out
}

// ---------------------------------------------------------------------------
// Character tests.

#[derive(Clone, Debug)]
enum Test {
    Lit(u32),
    NotLit(u32),
    /// `.` without DOTALL.
    Any,
    /// `.` with DOTALL.
    AnyAll,
    Set(bool, Vec<SetItem>),
}

#[derive(Clone, Debug)]
struct CharTest {
    test: Test,
    icase: bool,
    ascii: bool,
    /// The answers for ASCII characters, precomputed.
    table: [u64; 2],
}

fn is_space(c: char, ascii: bool) -> bool {
    match c {
        '\t'..='\r' | ' ' => true,
        _ if ascii => false,
        '\x1c'..='\x1f' | '\u{85}' | '\u{a0}' => true,
        _ => c > '\u{ff}' && c.is_whitespace(),
    }
}

fn in_cat(cat: Cat, c: char, ascii: bool) -> bool {
    let digit = |c: char| {
        if ascii {
            c.is_ascii_digit()
        } else {
            decimal_value(c).is_some()
        }
    };
    let word = |c: char| {
        if ascii {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            is_word(c)
        }
    };
    match cat {
        Cat::Digit => digit(c),
        Cat::NotDigit => !digit(c),
        Cat::Space => is_space(c, ascii),
        Cat::NotSpace => !is_space(c, ascii),
        Cat::Word => word(c),
        Cat::NotWord => !word(c),
    }
}

fn set_has(items: &[SetItem], cp: u32, ascii: bool) -> bool {
    items.iter().any(|i| match *i {
        SetItem::Lit(l) => l == cp,
        SetItem::Range(a, b) => a <= cp && cp <= b,
        SetItem::Cat(cat) => char::from_u32(cp).is_some_and(|c| in_cat(cat, c, ascii)),
    })
}

/// The other cases of `cp` (lower and upper), for IGNORECASE.
fn case_variants(cp: u32, ascii: bool) -> [u32; 2] {
    let Some(c) = char::from_u32(cp) else {
        return [cp, cp];
    };
    if ascii {
        return [c.to_ascii_lowercase() as u32, c.to_ascii_uppercase() as u32];
    }
    fn single(mut it: impl Iterator<Item = char>, cp: u32) -> u32 {
        match (it.next(), it.next()) {
            (Some(f), None) => f as u32,
            _ => cp,
        }
    }
    [single(c.to_lowercase(), cp), single(c.to_uppercase(), cp)]
}

impl CharTest {
    fn new(test: Test, icase: bool, ascii: bool) -> CharTest {
        let mut t = CharTest {
            test,
            icase,
            ascii,
            table: [0; 2],
        };
        for cp in 0..128u32 {
            if t.slow(cp) {
                t.table[(cp / 64) as usize] |= 1 << (cp % 64);
            }
        }
        t
    }

    fn raw(&self, cp: u32) -> bool {
        match &self.test {
            Test::Lit(l) => *l == cp,
            Test::NotLit(l) => *l != cp,
            Test::Any => cp != u32::from(b'\n'),
            Test::AnyAll => true,
            Test::Set(negate, items) => set_has(items, cp, self.ascii) != *negate,
        }
    }

    fn matches(&self, cp: u32) -> bool {
        if cp < 128 {
            return self.table[(cp / 64) as usize] & (1 << (cp % 64)) != 0;
        }
        self.slow(cp)
    }

    fn slow(&self, cp: u32) -> bool {
        if !self.icase {
            return self.raw(cp);
        }
        match &self.test {
            Test::Lit(l) | Test::NotLit(l) => {
                let a = case_variants(cp, self.ascii);
                let b = case_variants(*l, self.ascii);
                let same = a[0] == b[0] || a[1] == b[1];
                same == matches!(self.test, Test::Lit(_))
            }
            Test::Set(negate, items) => {
                let [lo, up] = case_variants(cp, self.ascii);
                let hit = [cp, lo, up].iter().any(|&x| set_has(items, x, self.ascii));
                hit != *negate
            }
            _ => self.raw(cp),
        }
    }
}

// ---------------------------------------------------------------------------
// The program.

#[derive(Clone, Debug)]
enum Op {
    Char(CharTest),
    At(At, bool),
    Mark(usize),
    /// The first operation of each alternative; every alternative ends with
    /// a jump past the branch.
    Branch(Vec<usize>),
    Jump(usize),
    /// A repeat of one character; the tail is the next operation.
    RepeatOne {
        test: CharTest,
        min: u64,
        max: u64,
        kind: RepKind,
    },
    /// A general repeat: the body follows, then `Until` at `until`.
    Repeat {
        min: u64,
        max: u64,
        lazy: bool,
        until: usize,
    },
    Until,
    /// The body follows and ends with `Success`.
    PossessiveRepeat {
        min: u64,
        max: u64,
        next: usize,
    },
    Atomic {
        next: usize,
    },
    Assert {
        behind: bool,
        negate: bool,
        width: usize,
        next: usize,
    },
    GroupRef {
        group: usize,
        icase: bool,
    },
    /// The `yes` part follows; `no` is where the other part starts.
    GroupRefExists {
        group: usize,
        no: usize,
    },
    Success,
}

/// How `search` picks start positions.
#[derive(Clone, Debug)]
enum Start {
    /// The pattern starts with `^` or `\A`: position 0 only.
    Anchored,
    /// Positions where this literal text starts.
    Prefix(Vec<u32>),
    /// Positions whose character is one of these.
    Charset(CharTest),
    Everywhere,
}

/// A pattern compiled for the model.
#[derive(Clone, Debug)]
pub struct Program {
    ops: Vec<Op>,
    start: Start,
    min_width: u64,
    groups: usize,
}

fn simple_body(body: &[Node], flags: u32) -> Option<(&Node, u32)> {
    if body.len() != 1 {
        return None;
    }
    match &body[0] {
        Node::Group {
            group: None,
            add,
            del,
            body,
        } => simple_body(body, (flags | add) & !del),
        n @ (Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. }) => {
            Some((n, flags))
        }
        _ => None,
    }
}

/// The test for a single-character node; `tabled` precomputes the ASCII
/// answers (worth it for a test the matcher runs many times).
fn char_test_with(n: &Node, flags: u32, tabled: bool) -> CharTest {
    let test = match n {
        Node::Literal(c) => Test::Lit(*c),
        Node::NotLiteral(c) => Test::NotLit(*c),
        Node::Any if flags & F_S != 0 => Test::AnyAll,
        Node::Any => Test::Any,
        Node::In { negate, items } => Test::Set(*negate, items.clone()),
        _ => Test::AnyAll,
    };
    let (icase, ascii) = (flags & F_I != 0, flags & F_A != 0);
    if tabled {
        CharTest::new(test, icase, ascii)
    } else {
        CharTest {
            test,
            icase,
            ascii,
            table: [0; 2],
        }
    }
}

fn char_test(n: &Node, flags: u32) -> CharTest {
    char_test_with(n, flags, true)
}

/// Whether a single-character node (`a`, `[^x]`, `.`, `\d`) matches `c`
/// under `flags`, as Python compares.
pub fn char_node_matches(n: &Node, flags: u32, c: char) -> bool {
    match n {
        Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
            char_test_with(n, flags, false).slow(u32::from(c))
        }
        _ => false,
    }
}

/// `getwidth()`'s lower bound.
fn min_width(nodes: &[Node]) -> u64 {
    let mut lo = 0u64;
    for n in nodes {
        let w = match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => 1,
            Node::Branch(alts) => alts.iter().map(|a| min_width(a)).min().unwrap_or(0),
            Node::Group { body, .. } | Node::Atomic(body) => min_width(body),
            Node::Repeat { min, body, .. } => min_width(body).saturating_mul(*min),
            Node::GroupRefExists { yes, no, .. } => match no {
                Some(no) => min_width(yes).min(min_width(no)),
                None => 0,
            },
            Node::GroupRef(_) | Node::At(_) | Node::Assert { .. } => 0,
        };
        lo = lo.saturating_add(w);
    }
    lo.min(MAXREPEAT - 1)
}

/// Width of a lookbehind body (Python only accepts fixed widths).
fn fixed_width(nodes: &[Node]) -> usize {
    usize::try_from(min_width(nodes)).unwrap_or(usize::MAX)
}

struct Compiler {
    ops: Vec<Op>,
}

impl Compiler {
    fn push(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    fn seq(&mut self, nodes: &[Node], flags: u32) {
        for n in nodes {
            self.node(n, flags);
        }
    }

    fn node(&mut self, n: &Node, flags: u32) {
        match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                self.push(Op::Char(char_test(n, flags)));
            }
            Node::At(a) => {
                self.push(Op::At(*a, flags & F_M != 0));
            }
            Node::Branch(alts) => {
                let at = self.push(Op::Branch(Vec::new()));
                let mut starts = Vec::new();
                let mut jumps = Vec::new();
                for a in alts {
                    starts.push(self.ops.len());
                    self.seq(a, flags);
                    jumps.push(self.push(Op::Jump(0)));
                }
                let end = self.ops.len();
                for j in jumps {
                    self.ops[j] = Op::Jump(end);
                }
                self.ops[at] = Op::Branch(starts);
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let inner = (flags | add) & !del;
                match group {
                    Some(g) => {
                        self.push(Op::Mark(2 * g));
                        self.seq(body, inner);
                        self.push(Op::Mark(2 * g + 1));
                    }
                    None => self.seq(body, inner),
                }
            }
            Node::Atomic(body) => {
                let at = self.push(Op::Atomic { next: 0 });
                self.seq(body, flags);
                self.push(Op::Success);
                let next = self.ops.len();
                self.ops[at] = Op::Atomic { next };
            }
            Node::Repeat {
                min,
                max,
                kind,
                body,
            } => {
                if let Some((one, f)) = simple_body(body, flags) {
                    self.push(Op::RepeatOne {
                        test: char_test(one, f),
                        min: *min,
                        max: *max,
                        kind: *kind,
                    });
                } else if *kind == RepKind::Possessive {
                    let at = self.push(Op::PossessiveRepeat {
                        min: *min,
                        max: *max,
                        next: 0,
                    });
                    self.seq(body, flags);
                    self.push(Op::Success);
                    let next = self.ops.len();
                    self.ops[at] = Op::PossessiveRepeat {
                        min: *min,
                        max: *max,
                        next,
                    };
                } else {
                    let at = self.push(Op::Until);
                    self.seq(body, flags);
                    let until = self.push(Op::Until);
                    self.ops[at] = Op::Repeat {
                        min: *min,
                        max: *max,
                        lazy: *kind == RepKind::Lazy,
                        until,
                    };
                }
            }
            Node::GroupRef(g) => {
                self.push(Op::GroupRef {
                    group: *g,
                    icase: flags & F_I != 0,
                });
            }
            Node::GroupRefExists { group, yes, no } => {
                let at = self.push(Op::GroupRefExists {
                    group: *group,
                    no: 0,
                });
                self.seq(yes, flags);
                let no_start = match no {
                    Some(no) => {
                        let j = self.push(Op::Jump(0));
                        let start = self.ops.len();
                        self.seq(no, flags);
                        let end = self.ops.len();
                        self.ops[j] = Op::Jump(end);
                        start
                    }
                    None => self.ops.len(),
                };
                self.ops[at] = Op::GroupRefExists {
                    group: *group,
                    no: no_start,
                };
            }
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                let at = self.push(Op::Success);
                self.seq(body, flags);
                self.push(Op::Success);
                let next = self.ops.len();
                self.ops[at] = Op::Assert {
                    behind: *behind,
                    negate: *negate,
                    width: if *behind { fixed_width(body) } else { 0 },
                    next,
                };
            }
        }
    }
}

fn cased(cp: u32) -> bool {
    let [lo, up] = case_variants(cp, false);
    lo != up || lo != cp
}

/// `_get_literal_prefix`: the literal text every match starts with, and
/// whether the whole sequence was literal.
fn literal_prefix(nodes: &[Node], flags: u32, out: &mut Vec<u32>) -> bool {
    for n in nodes {
        match n {
            Node::Literal(c) => {
                if flags & F_I != 0 && cased(*c) {
                    return false;
                }
                out.push(*c);
            }
            Node::Group { add, del, body, .. } => {
                if !literal_prefix(body, (flags | add) & !del, out) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// `_get_charset_prefix`: the characters every match starts with.
fn charset_prefix(nodes: &[Node], flags: u32) -> Option<CharTest> {
    let mut nodes = nodes;
    let mut flags = flags;
    while let Node::Group { add, del, body, .. } = nodes.first()? {
        flags = (flags | add) & !del;
        nodes = body;
    }
    let icase = flags & F_I != 0;
    let set = |items: Vec<SetItem>| CharTest::new(Test::Set(false, items), false, flags & F_A != 0);
    match &nodes[0] {
        Node::Literal(c) if !(icase && cased(*c)) => Some(set(vec![SetItem::Lit(*c)])),
        Node::Branch(alts) => {
            let mut items = Vec::new();
            for a in alts {
                match a.first() {
                    Some(Node::Literal(c)) if !(icase && cased(*c)) => items.push(SetItem::Lit(*c)),
                    _ => return None,
                }
            }
            Some(set(items))
        }
        Node::In {
            negate: false,
            items,
        } => {
            if icase {
                for i in items {
                    match *i {
                        SetItem::Lit(c) if cased(c) => return None,
                        SetItem::Range(a, b) if b > 0xffff || (a..=b).any(cased) => {
                            return None;
                        }
                        _ => {}
                    }
                }
            }
            Some(set(items.clone()))
        }
        _ => None,
    }
}

impl Program {
    /// Compiles Python's tree of a pattern (`pyre::parse_tree`).
    pub fn new(parsed: &Parsed) -> Program {
        let tree = python_tree(&parsed.nodes);
        let flags = parsed.flags;
        let mut c = Compiler { ops: Vec::new() };
        c.seq(&tree, flags);
        c.push(Op::Success);
        let mut prefix = Vec::new();
        literal_prefix(&tree, flags, &mut prefix);
        let anchored = matches!(
            c.ops.first(),
            Some(Op::At(At::Beginning, false) | Op::At(At::BeginningString, _))
        );
        let start = if !prefix.is_empty() {
            Start::Prefix(prefix)
        } else if let Some(cs) = charset_prefix(&tree, flags) {
            Start::Charset(cs)
        } else if anchored {
            Start::Anchored
        } else {
            Start::Everywhere
        };
        Program {
            ops: c.ops,
            start,
            min_width: min_width(&tree),
            groups: parsed.groups,
        }
    }
}

// ---------------------------------------------------------------------------
// Running.

/// How a measured search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Match,
    NoMatch,
    /// The step budget ran out.
    Exhausted,
    /// The recursion got too deep to follow: no conclusion.
    TooDeep,
}

/// One measured search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    pub outcome: Outcome,
    /// Steps used (more than the budget when exhausted).
    pub steps: u64,
}

enum Stop {
    Budget,
    Depth,
}

type R = Result<bool, Stop>;

#[derive(Clone, Copy)]
struct Rep {
    count: i64,
    min: u64,
    max: u64,
    lazy: bool,
    body: usize,
    tail: usize,
    last: Option<usize>,
    prev: Option<usize>,
}

struct Vm<'p> {
    ops: &'p [Op],
    text: Vec<u32>,
    marks: Vec<Option<usize>>,
    reps: Vec<Rep>,
    cur: Option<usize>,
    /// Work in scan units ([`SCAN_PER_STEP`] to a step).
    units: u64,
    limit: u64,
    depth: usize,
    end: usize,
}

impl Vm<'_> {
    fn tick(&mut self, units: u64) -> Result<(), Stop> {
        self.units += units;
        if self.units > self.limit {
            Err(Stop::Budget)
        } else {
            Ok(())
        }
    }

    fn is_word_at(&self, i: usize, ascii: bool) -> bool {
        self.text
            .get(i)
            .and_then(|&c| char::from_u32(c))
            .is_some_and(|c| in_cat(Cat::Word, c, ascii))
    }

    fn at(&self, a: At, multiline: bool, ptr: usize) -> bool {
        let len = self.text.len();
        let nl = u32::from(b'\n');
        match a {
            At::BeginningString => ptr == 0,
            At::Beginning => ptr == 0 || (multiline && self.text[ptr - 1] == nl),
            At::EndString => ptr == len,
            At::End if multiline => ptr == len || self.text[ptr] == nl,
            At::End => ptr == len || (ptr + 1 == len && self.text[ptr] == nl),
            At::Boundary | At::NonBoundary => {
                if len == 0 {
                    return false;
                }
                let before = ptr > 0 && self.is_word_at(ptr - 1, false);
                let after = ptr < len && self.is_word_at(ptr, false);
                (before != after) == (a == At::Boundary)
            }
        }
    }

    fn run(&mut self, pc: usize, ptr: usize) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Stop::Depth);
        }
        let r = self.step(pc, ptr);
        self.depth -= 1;
        r
    }

    fn step(&mut self, mut pc: usize, mut ptr: usize) -> R {
        let ops = self.ops;
        loop {
            self.tick(SCAN_PER_STEP)?;
            match &ops[pc] {
                Op::Char(t) => {
                    if ptr < self.text.len() && t.matches(self.text[ptr]) {
                        ptr += 1;
                        pc += 1;
                    } else {
                        return Ok(false);
                    }
                }
                Op::At(a, ml) => {
                    if !self.at(*a, *ml, ptr) {
                        return Ok(false);
                    }
                    pc += 1;
                }
                Op::Mark(slot) => {
                    let old = self.marks[*slot];
                    self.marks[*slot] = Some(ptr);
                    if self.run(pc + 1, ptr)? {
                        return Ok(true);
                    }
                    self.marks[*slot] = old;
                    return Ok(false);
                }
                Op::Branch(alts) => {
                    for &a in alts {
                        if let Op::Char(t) = &ops[a]
                            && !t.icase
                            && matches!(t.test, Test::Lit(_) | Test::Set(..))
                        {
                            self.tick(1)?;
                            if ptr >= self.text.len() || !t.matches(self.text[ptr]) {
                                continue;
                            }
                        }
                        if self.run(a, ptr)? {
                            return Ok(true);
                        }
                    }
                    return Ok(false);
                }
                Op::Jump(to) => pc = *to,
                Op::RepeatOne {
                    test,
                    min,
                    max,
                    kind,
                } => return self.repeat_one(test, *min, *max, *kind, pc + 1, ptr),
                Op::Repeat {
                    min,
                    max,
                    lazy,
                    until,
                } => {
                    let idx = self.reps.len();
                    self.reps.push(Rep {
                        count: -1,
                        min: *min,
                        max: *max,
                        lazy: *lazy,
                        body: pc + 1,
                        tail: until + 1,
                        last: None,
                        prev: self.cur,
                    });
                    self.cur = Some(idx);
                    let r = self.run(*until, ptr)?;
                    self.cur = self.reps[idx].prev;
                    self.reps.truncate(idx);
                    return Ok(r);
                }
                Op::Until => return self.until(ptr),
                Op::PossessiveRepeat { min, max, next } => {
                    let mut count = 0u64;
                    while count < *min {
                        if !self.run(pc + 1, ptr)? {
                            return Ok(false);
                        }
                        ptr = self.end;
                        count += 1;
                    }
                    let mut last = None;
                    while (count < *max || *max == MAXREPEAT) && last != Some(ptr) {
                        last = Some(ptr);
                        if !self.run(pc + 1, ptr)? {
                            break;
                        }
                        ptr = self.end;
                        count += 1;
                    }
                    pc = *next;
                }
                Op::Atomic { next } => {
                    if !self.run(pc + 1, ptr)? {
                        return Ok(false);
                    }
                    ptr = self.end;
                    pc = *next;
                }
                Op::Assert {
                    behind,
                    negate,
                    width,
                    next,
                } => {
                    let found = if *behind {
                        ptr >= *width && self.run(pc + 1, ptr - width)?
                    } else {
                        self.run(pc + 1, ptr)?
                    };
                    if found == *negate {
                        return Ok(false);
                    }
                    pc = *next;
                }
                Op::GroupRef { group, icase } => {
                    let (Some(a), Some(b)) = (self.marks[2 * group], self.marks[2 * group + 1])
                    else {
                        return Ok(false);
                    };
                    if b < a {
                        return Ok(false);
                    }
                    let n = b - a;
                    self.tick(n as u64)?;
                    if ptr + n > self.text.len() {
                        return Ok(false);
                    }
                    let test = |x: u32, y: u32| {
                        x == y
                            || (*icase && {
                                let (p, q) = (case_variants(x, false), case_variants(y, false));
                                p[0] == q[0]
                            })
                    };
                    if !(0..n).all(|i| test(self.text[a + i], self.text[ptr + i])) {
                        return Ok(false);
                    }
                    ptr += n;
                    pc += 1;
                }
                Op::GroupRefExists { group, no } => {
                    let set =
                        self.marks[2 * group].is_some() && self.marks[2 * group + 1].is_some();
                    pc = if set { pc + 1 } else { *no };
                }
                Op::Success => {
                    self.end = ptr;
                    return Ok(true);
                }
            }
        }
    }

    fn repeat_one(
        &mut self,
        t: &CharTest,
        min: u64,
        max: u64,
        kind: RepKind,
        next: usize,
        ptr: usize,
    ) -> R {
        let len = self.text.len();
        let avail = (len - ptr) as u64;
        if min > avail {
            return Ok(false);
        }
        let min = min as usize;
        let cap = if max == MAXREPEAT {
            len - ptr
        } else {
            max.min(avail) as usize
        };
        if kind == RepKind::Lazy {
            let mut count = 0;
            while count < min && t.matches(self.text[ptr + count]) {
                count += 1;
            }
            self.tick(count as u64)?;
            if count < min {
                return Ok(false);
            }
            loop {
                if max != MAXREPEAT && count as u64 > max {
                    return Ok(false);
                }
                if self.run(next, ptr + count)? {
                    return Ok(true);
                }
                self.tick(1)?;
                if ptr + count < len && t.matches(self.text[ptr + count]) {
                    count += 1;
                } else {
                    return Ok(false);
                }
            }
        }
        let mut count = 0;
        while count < cap && t.matches(self.text[ptr + count]) {
            count += 1;
        }
        self.tick(count as u64)?;
        if count < min {
            return Ok(false);
        }
        if kind == RepKind::Possessive {
            return self.run(next, ptr + count);
        }
        let literal = match &self.ops[next] {
            Op::Char(CharTest {
                test: Test::Lit(l),
                icase: false,
                ..
            }) => Some(*l),
            _ => None,
        };
        loop {
            if let Some(l) = literal {
                // `_sre` skips positions where the literal cannot match.
                let mut skipped = 0;
                while count >= min && (ptr + count >= len || self.text[ptr + count] != l) {
                    skipped += 1;
                    if count == min {
                        self.tick(skipped)?;
                        return Ok(false);
                    }
                    count -= 1;
                }
                self.tick(skipped)?;
            }
            if self.run(next, ptr + count)? {
                return Ok(true);
            }
            if count == min {
                return Ok(false);
            }
            count -= 1;
        }
    }

    fn until(&mut self, ptr: usize) -> R {
        let Some(ri) = self.cur else {
            return Ok(false);
        };
        let rep = self.reps[ri];
        let count = rep.count + 1;
        let below_max = rep.max == MAXREPEAT || (count as u64) < rep.max;
        if count < rep.min as i64 {
            self.reps[ri].count = count;
            if self.run(rep.body, ptr)? {
                return Ok(true);
            }
            self.reps[ri].count = count - 1;
            return Ok(false);
        }
        if !rep.lazy {
            if below_max && rep.last != Some(ptr) && self.iterate_again(ri, ptr, count)? {
                return Ok(true);
            }
            self.cur = rep.prev;
            let r = self.run(rep.tail, ptr)?;
            self.cur = Some(ri);
            return Ok(r);
        }
        self.cur = rep.prev;
        let r = self.run(rep.tail, ptr)?;
        self.cur = Some(ri);
        if r {
            return Ok(true);
        }
        if !below_max || self.reps[ri].last == Some(ptr) {
            return Ok(false);
        }
        self.iterate_again(ri, ptr, count)
    }

    /// Iteration `count` of repeat `ri`'s body at `ptr`, remembering `ptr`
    /// so that an empty iteration cannot repeat forever (`_sre`'s
    /// `last_ptr`); the count is restored when it fails.
    fn iterate_again(&mut self, ri: usize, ptr: usize, count: i64) -> R {
        self.reps[ri].count = count;
        let saved = self.reps[ri].last;
        self.reps[ri].last = Some(ptr);
        let r = self.run(self.reps[ri].body, ptr)?;
        self.reps[ri].last = saved;
        if r {
            return Ok(true);
        }
        self.reps[ri].count = count - 1;
        Ok(false)
    }

    /// One `_sre` match attempt at `ptr`.
    fn attempt(&mut self, ptr: usize) -> R {
        self.marks.iter_mut().for_each(|m| *m = None);
        self.reps.clear();
        self.cur = None;
        self.depth = 0;
        self.run(0, ptr)
    }

    fn search(&mut self, start: &Start, min_width: u64) -> R {
        let len = self.text.len();
        if (len as u64) < min_width {
            return Ok(false);
        }
        // Start positions stop where the minimum width no longer fits.
        let last = if min_width > 1 {
            len - (min_width as usize - 1)
        } else {
            len
        };
        match start {
            Start::Anchored => self.attempt(0),
            Start::Prefix(p) => {
                let mut i = 0;
                while i <= last {
                    self.tick(1)?;
                    if self.text[i..].starts_with(p) && self.attempt(i)? {
                        return Ok(true);
                    }
                    i += 1;
                }
                Ok(false)
            }
            Start::Charset(t) => {
                for i in 0..=last {
                    self.tick(1)?;
                    if i < len && t.matches(self.text[i]) && self.attempt(i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Start::Everywhere => {
                for i in 0..=last {
                    if self.attempt(i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }
}

impl Program {
    /// Python's `search(text)` in the model, with at most `budget` steps.
    pub fn search(&self, text: &str, budget: u64) -> Measure {
        let mut vm = Vm {
            ops: &self.ops,
            text: text.chars().map(u32::from).collect(),
            marks: vec![None; 2 * self.groups + 2],
            reps: Vec::new(),
            cur: None,
            units: 0,
            limit: budget.saturating_mul(SCAN_PER_STEP),
            depth: 0,
            end: 0,
        };
        let outcome = match vm.search(&self.start, self.min_width) {
            Ok(true) => Outcome::Match,
            Ok(false) => Outcome::NoMatch,
            Err(Stop::Budget) => Outcome::Exhausted,
            Err(Stop::Depth) => Outcome::TooDeep,
        };
        Measure {
            outcome,
            steps: vm.units.div_ceil(SCAN_PER_STEP),
        }
    }
}

/// Runs `f` on a thread with a stack deep enough for the model's recursion.
pub fn with_deep_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(s, f)
            .expect("a thread for the backtracking model");
        match handle.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyre;

    fn prog(p: &str) -> Program {
        Program::new(&pyre::parse_tree(p, pyre::Flags::default()).unwrap())
    }

    fn run(p: &str, text: &str) -> Measure {
        with_deep_stack(|| prog(p).search(text, 5_000_000))
    }

    #[test]
    fn matches_like_python() {
        let cases: &[(&str, &str, bool)] = &[
            (r"^a+b$", "aaab", true),
            (r"^a+b$", "aaac", false),
            (r"(\w+)@(\w+)\.com", "x: me@host.com", true),
            (r"^(?:ab|cd)*e$", "abcdabe", true),
            (r"^(?:ab|cd)*e$", "abcdaxe", false),
            (r"^a*?b", "aab", true),
            (r"^(?P<x>\w+) (?P=x)$", "hey hey", true),
            (r"^(?P<x>\w+) (?P=x)$", "hey hoy", false),
            (r"^(?=\d)\w+$", "1ab", true),
            (r"^(?!\d)\w+$", "1ab", false),
            (r"(?<=:)\d+", "port:22", true),
            (r"^(<)?x(?(1)>|)$", "<x>", true),
            (r"^(<)?x(?(1)>|)$", "<x", false),
            (r"^a++a", "aaa", false),
            (r"^(?>a+)b", "aab", true),
            (r"(?i)^HELLO$", "hello", true),
            (r"foo$", "foo\n", true),
            (r"foo\Z", "foo\n", false),
            (r"^x\b", "x y", true),
            (r"^(a|b|c)+$", "abcab", true),
            (r"^(?:a{2,3}){2}$", "aaaaa", true),
            (r"^(?:a{2,3}){2}$", "aaaaaaa", false),
            (r"^(a*)*$", "aaaa", true),
        ];
        for &(p, t, want) in cases {
            let m = run(p, t);
            let py = pyre::compile(p, pyre::Flags::default())
                .unwrap()
                .is_match(t)
                .unwrap();
            assert_eq!(py, want, "pyre {p} on {t:?}");
            assert_eq!(m.outcome == Outcome::Match, want, "model {p} on {t:?}");
        }
    }

    #[test]
    fn branch_rewrites_follow_python() {
        let t = pyre::parse_tree("a|b|[cd]", pyre::Flags::default()).unwrap();
        assert!(matches!(&python_tree(&t.nodes)[..], [Node::In { .. }]));
        let t = pyre::parse_tree("(?:ax|ay)", pyre::Flags::default()).unwrap();
        let py = python_tree(&t.nodes);
        // `a` moves out, `x|y` becomes a set.
        let Node::Group { body, .. } = &py[0] else {
            panic!("{py:?}")
        };
        assert!(matches!(&body[..], [Node::Literal(97), Node::In { .. }]));
    }

    fn steps(p: &str, n: usize, pump: &str, suffix: &str) -> Measure {
        let text = format!("{}{suffix}\n", pump.repeat(n));
        with_deep_stack(|| prog(p).search(&text, 50_000_000))
    }

    #[test]
    fn nested_repeats_grow_exponentially() {
        for p in [r"^(\w+\s?)*$", r"^(a|a)*b", r"^(?:a+)+b", r"^(\s*\S+\s*)*x"] {
            let a = steps(p, 10, "a", "!").steps;
            let b = steps(p, 14, "a", "!").steps;
            assert!(b > a * 10, "{p}: {a} -> {b}");
        }
    }

    #[test]
    fn safe_patterns_stay_linear() {
        for p in [
            r"^(\w+\s)*$",
            r"^[a-z]+\d+$",
            r"^(?:a|b)*c",
            r"^\S+ from (\d+\.)+\d+$",
            r"^(?>a+)+b",
            r"^(?:a++)+b",
        ] {
            let a = steps(p, 100, "a", "!").steps;
            let b = steps(p, 200, "a", "!").steps;
            assert!(b < a * 3, "{p}: {a} -> {b}");
        }
    }

    #[test]
    fn adjacent_repeats_grow_polynomially() {
        let a = steps(r"\s*\s*X", 50, " ", "!").steps;
        let b = steps(r"\s*\s*X", 100, " ", "!").steps;
        assert!(b > a * 6, "{a} -> {b}");
        // Anchored, the same pair is only quadratic.
        let a = steps(r"^\s*\s*X", 50, " ", "!").steps;
        let b = steps(r"^\s*\s*X", 100, " ", "!").steps;
        assert!(b < a * 5, "{a} -> {b}");
    }

    #[test]
    fn budget_and_outcome() {
        let m = steps(r"^(\w+\s?)*$", 40, "a", "!");
        assert_eq!(m.outcome, Outcome::Exhausted);
        let m = prog(r"^(\w+\s?)*$").search("aaaa!", 1_000_000);
        assert_eq!(m.outcome, Outcome::NoMatch);
    }
}
