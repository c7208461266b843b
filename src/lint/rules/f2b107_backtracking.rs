//! F2B107 catastrophic-backtracking: a regex that an attacker-written log
//! line can make Python's matcher spend exponential (or high polynomial)
//! time on, shown by running it.
//!
//! For every repeat of the expanded pattern, inputs are built from the
//! parse tree: a *prefix* that reaches the repeat (the shortest text the
//! items before it match), a *pump* the repeat's body matches, repeated n
//! times, and a *suffix* (`!` or nothing) after which the match fails, plus
//! the newline fail2ban appends to every line. Each input runs in
//! [`crate::lint::backtrack`], the instrumented model of Python's `re`
//! matcher, under a budget of [`BUDGET`] steps, for n = 2, 4, 8, … while the
//! input stays within [`MAX_LEN`] characters. When the budget runs out, the
//! smallest n that exhausts it is searched and the growth is measured on
//! the inputs just below it: a pattern is reported when the steps grow
//! exponentially (by a constant factor per pump) or at least with the cube
//! of the length; quadratic and linear patterns are only slow, not
//! catastrophic, and are never reported.

use super::common::regex_lines;
use crate::diag::Severity;
use crate::lint::backtrack::{Measure, Outcome, Program, char_node_matches, with_deep_stack};
use crate::lint::finding::{Finding, span_of};
use crate::lint::model::Context;
use crate::lint::pattern_text::{ExpansionMap, quantifiers};
use crate::lint::regex_ast::expand;
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::pyfmt::str_repr;
use crate::pyre::{
    self,
    ast::{F_X, MAXREPEAT, Node, Parsed},
};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B107",
        name: "catastrophic-backtracking",
        summary: "A regex that backtracks catastrophically on crafted input",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "A `prefregex`, `failregex` or `ignoreregex` whose matching time explodes on some \
log line: f2b builds lines aimed at each repeat of the expanded pattern (text that reaches the \
repeat, then a piece its body matches - in several ways if it can - repeated many times, then a \
character that makes the match fail) and runs them through a step-counting model of Python's \
`re` matcher, the backtracking engine fail2ban uses. A regex is reported when such a line of at \
most 400 characters needs more than 1,000,000 steps and the count grows exponentially (a constant \
factor per repetition) or at least with the cube of the line's length. The message gives the \
line, its length and the growth; it points at the repeat the line was built for.\n\n\
Typical causes are a repeat inside a repeat whose body can match the same text in several ways \
(`(\\w+\\s?)*`, `(a|ab?)+`), a repeat of a group that can match in several ways \
(`(?:\\S+\\s*)+`), and chains of repeats that overlap (`\\s*\\s*`, `.*.*.*`) in a pattern that \
is not anchored.\n\n\
A regex without a finding is not proven safe: only lines built this way are tried, with a \
bounded amount of work per regex (40 million steps of the model).",
        why: "fail2ban matches every line of the log with every regex of the jail, in one \
thread. Log lines carry text that clients choose (user names, URLs, user agents), so a client can \
write a line that keeps fail2ban busy for seconds or hours: the jail stops reading its log and \
nobody is banned while the attack goes on (a denial of service of the protection itself, \
ReDoS). Quadratic patterns are left out: they are slow only on very long lines.",
        example: "[Definition]\nfailregex = ^Login failed for user (\\w+\\s?)*: from <HOST>$\n",
        example_fixed: "[Definition]\nfailregex = ^Login failed for user \\w+(?:\\s\\w+)*: from <HOST>$\n",
        references: &[
            "OWASP: Regular expression Denial of Service (ReDoS)",
            "Python `re` module: a backtracking matcher",
        ],
    },
    check,
};

/// Steps an input may take before it counts as catastrophic.
pub const BUDGET: u64 = 1_000_000;
/// Longest input tried (characters, with the final newline).
pub const MAX_LEN: usize = 400;
/// Steps one regex's analysis may spend in total.
const REGEX_BUDGET: u64 = 40_000_000;
/// Length of the pumped part of the first screening input (the second
/// is twice as long).
const SCREEN_LEN: usize = 48;
/// Steps a screening input may take.
const SCREEN_BUDGET: u64 = 100_000;
/// Growth from the first screening input to the second that is worth a
/// closer look (4 is quadratic; the prefix's fixed cost lowers ratios).
const STEEP: f64 = 4.5;
/// Distinct pumps tried per repeat.
const MAX_PUMPS: usize = 4;
/// Repeats analysed per regex.
const MAX_CANDIDATES: usize = 60;

/// How the step count grows with the number of pumps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Growth {
    /// By this factor per extra pump.
    Exponential(f64),
    /// Like the length to this power.
    Polynomial(f64),
}

/// What the model measured on the worst input found.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub prefix: String,
    pub pump: String,
    pub suffix: String,
    /// Pumps in the smallest input that exhausts the budget.
    pub count: usize,
    pub growth: Growth,
    /// Which repeat (in text order of the quantifiers) the input aims at.
    pub repeat: usize,
}

impl Evidence {
    /// The whole input: what Python searches (with fail2ban's newline).
    pub fn input(&self) -> String {
        format!(
            "{}{}{}\n",
            self.prefix,
            self.pump.repeat(self.count),
            self.suffix
        )
    }

    /// The input, short: the prefix, three pumps, `…`, the suffix.
    pub fn preview(&self) -> String {
        let body = if self.count > 3 {
            format!("{}…", self.pump.repeat(3))
        } else {
            self.pump.repeat(self.count)
        };
        let s = format!("{}{body}{}", self.prefix, self.suffix);
        show(&s)
    }

    pub fn growth_text(&self) -> String {
        let unit = if self.pump.chars().count() == 1 {
            "character".to_string()
        } else {
            format!("`{}`", show(&self.pump))
        };
        match self.growth {
            Growth::Exponential(g) if (1.8..2.2).contains(&g) => {
                format!("doubling with each extra {unit}")
            }
            Growth::Exponential(g) => format!("×{g:.1} with each extra {unit}"),
            Growth::Polynomial(d) => match d.round() as u32 {
                3 => "growing with the cube of the length".into(),
                k => format!("growing with the {k}th power of the length"),
            },
        }
    }
}

/// `s` for a message: control characters escaped, the rest as is.
pub fn show(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Inputs from the parse tree.

/// Characters tried as stand-ins for classes, in order of preference.
const PALETTE: &str = "a0 .-:/_A!\"'#=@,;()[]<>{}|\\?*+%&~^$`\t";

fn class_of(c: char) -> u8 {
    if c.is_alphabetic() {
        0
    } else if c.is_numeric() {
        1
    } else if c.is_whitespace() {
        2
    } else {
        3
    }
}

/// Up to two characters the single-character node matches, of different
/// kinds (a letter and a space, …).
fn reps(n: &Node, flags: u32) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    let ascii = PALETTE
        .chars()
        .chain((0x21u32..0x7f).filter_map(char::from_u32));
    for c in ascii {
        if !char_node_matches(n, flags, c) {
            continue;
        }
        match out.first() {
            None => out.push(c),
            Some(&f) if class_of(f) != class_of(c) => {
                out.push(c);
                break;
            }
            _ => {}
        }
    }
    if out.is_empty() {
        // A class of non-ASCII characters only: its first member.
        out.extend(
            (0x80u32..0x3000)
                .filter_map(char::from_u32)
                .find(|&c| char_node_matches(n, flags, c)),
        );
    }
    out
}

struct Gen {
    /// Witness text of each capturing group seen so far.
    groups: HashMap<usize, String>,
}

impl Gen {
    /// The shortest-ish text `nodes` match (None when one cannot match).
    fn witness(&mut self, nodes: &[Node], flags: u32) -> Option<String> {
        let mut s = String::new();
        for n in nodes {
            s.push_str(&self.witness1(n, flags)?);
        }
        Some(s)
    }

    fn witness1(&mut self, n: &Node, flags: u32) -> Option<String> {
        Some(match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                reps(n, flags).first()?.to_string()
            }
            Node::At(_) | Node::Assert { .. } => String::new(),
            Node::Branch(alts) => {
                for a in alts {
                    if let Some(w) = self.witness(a, flags) {
                        return Some(w);
                    }
                }
                return None;
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let w = self.witness(body, (flags | add) & !del)?;
                if let Some(g) = group {
                    self.groups.insert(*g, w.clone());
                }
                w
            }
            Node::Atomic(body) => self.witness(body, flags)?,
            Node::Repeat { min, body, .. } => {
                let w = self.witness(body, flags)?;
                w.repeat((*min).min(64) as usize)
            }
            Node::GroupRef(g) => self.groups.get(g).cloned().unwrap_or_default(),
            Node::GroupRefExists { group, yes, no } => {
                if self.groups.contains_key(group) {
                    self.witness(yes, flags)?
                } else {
                    match no {
                        Some(no) => self.witness(no, flags)?,
                        None => String::new(),
                    }
                }
            }
        })
    }

    /// A few different texts one node matches, the witness first.
    fn node_variants(&mut self, n: &Node, flags: u32) -> Vec<String> {
        match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                reps(n, flags).iter().map(|c| c.to_string()).collect()
            }
            Node::Branch(alts) => alts
                .iter()
                .filter_map(|a| self.witness(a, flags))
                .take(MAX_PUMPS)
                .collect(),
            Node::Group { add, del, body, .. } => self.variants(body, (flags | add) & !del),
            Node::Atomic(body) => self.variants(body, flags),
            Node::Repeat { min, max, body, .. } => {
                let inner = self.variants(body, flags);
                let Some(first) = inner.first() else {
                    return Vec::new();
                };
                let min = (*min).min(64) as usize;
                let mut out = vec![first.repeat(min)];
                if (*max as usize) > min {
                    out.push(first.repeat(min + 1));
                }
                if let Some(second) = inner.get(1) {
                    out.push(second.repeat(min.max(1)));
                }
                out
            }
            other => self.witness1(other, flags).into_iter().collect(),
        }
    }

    /// A few different texts a sequence matches: the witness, and the
    /// witness with one item changed at a time.
    fn variants(&mut self, nodes: &[Node], flags: u32) -> Vec<String> {
        let per: Vec<Vec<String>> = nodes.iter().map(|n| self.node_variants(n, flags)).collect();
        if per.iter().any(Vec::is_empty) {
            return Vec::new();
        }
        let base: Vec<&str> = per.iter().map(|v| v[0].as_str()).collect();
        let mut out = vec![base.concat()];
        for (i, v) in per.iter().enumerate() {
            for alt in v.iter().skip(1).take(2) {
                let mut parts = base.clone();
                parts[i] = alt;
                let s = parts.concat();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out.truncate(2 * MAX_PUMPS);
        out
    }
}

/// A repeat to aim at.
struct Candidate {
    /// Its index in text order of the quantifiers.
    repeat: usize,
    prefix: String,
    pumps: Vec<String>,
}

/// Post-order index of every `Repeat` node, by address.
fn repeat_order(nodes: &[Node], out: &mut HashMap<usize, usize>) {
    for n in nodes {
        match n {
            Node::Branch(alts) => alts.iter().for_each(|a| repeat_order(a, out)),
            Node::Group { body, .. } | Node::Atomic(body) | Node::Assert { body, .. } => {
                repeat_order(body, out)
            }
            Node::Repeat { body, .. } => {
                repeat_order(body, out);
                let next = out.len();
                out.insert(n as *const Node as usize, next);
            }
            Node::GroupRefExists { yes, no, .. } => {
                repeat_order(yes, out);
                if let Some(no) = no {
                    repeat_order(no, out);
                }
            }
            _ => {}
        }
    }
}

fn candidates(tree: &Parsed) -> Vec<Candidate> {
    let mut order = HashMap::new();
    repeat_order(&tree.nodes, &mut order);
    let mut texts = Gen {
        groups: HashMap::new(),
    };
    let mut out = Vec::new();
    walk(&mut texts, &tree.nodes, tree.flags, "", &order, &mut out);
    out
}

/// Pre-order over the tree: outer repeats before the repeats inside them.
fn walk(
    texts: &mut Gen,
    nodes: &[Node],
    flags: u32,
    prefix: &str,
    order: &HashMap<usize, usize>,
    out: &mut Vec<Candidate>,
) {
    let mut acc = prefix.to_string();
    for n in nodes {
        match n {
            Node::Repeat { max, body, .. } => {
                if *max >= 2 || *max == MAXREPEAT {
                    let mut pumps: Vec<String> = texts
                        .variants(body, flags)
                        .into_iter()
                        .filter(|p| !p.is_empty() && p.chars().count() <= 16)
                        .collect();
                    pumps.dedup();
                    pumps.truncate(MAX_PUMPS);
                    out.push(Candidate {
                        repeat: order
                            .get(&(n as *const Node as usize))
                            .copied()
                            .unwrap_or(0),
                        prefix: acc.clone(),
                        pumps,
                    });
                }
                walk(texts, body, flags, &acc, order, out);
            }
            Node::Group { add, del, body, .. } => {
                walk(texts, body, (flags | add) & !del, &acc, order, out)
            }
            Node::Atomic(body) | Node::Assert { body, .. } => {
                walk(texts, body, flags, &acc, order, out)
            }
            Node::Branch(alts) => {
                for a in alts {
                    walk(texts, a, flags, &acc, order, out);
                }
            }
            Node::GroupRefExists { yes, no, .. } => {
                walk(texts, yes, flags, &acc, order, out);
                if let Some(no) = no {
                    walk(texts, no, flags, &acc, order, out);
                }
            }
            _ => {}
        }
        match texts.witness1(n, flags) {
            Some(w) => acc.push_str(&w),
            None => return,
        }
    }
}

// ---------------------------------------------------------------------------
// Measuring.

struct Lab<'p> {
    prog: &'p Program,
    /// Measures, with the budget they ran under.
    cache: HashMap<String, (Measure, u64)>,
    spent: u64,
}

impl Lab<'_> {
    /// The model on `text` with `budget` steps; None once the regex's
    /// budget is spent.
    fn measure(&mut self, text: String, budget: u64) -> Option<Measure> {
        if let Some(&(m, b)) = self.cache.get(&text)
            && (m.outcome != Outcome::Exhausted || b >= budget)
        {
            return Some(m);
        }
        if self.spent > REGEX_BUDGET {
            return None;
        }
        let m = self.prog.search(&text, budget);
        self.spent += m.steps;
        self.cache.insert(text, (m, budget));
        Some(m)
    }

    /// The model on `n` pumps.
    fn steps(&mut self, c: &Candidate, pump: &str, suffix: &str, n: usize) -> Option<Measure> {
        self.steps_within(c, pump, suffix, n, BUDGET)
    }

    fn steps_within(
        &mut self,
        c: &Candidate,
        pump: &str,
        suffix: &str,
        n: usize,
        budget: u64,
    ) -> Option<Measure> {
        self.measure(format!("{}{}{suffix}\n", c.prefix, pump.repeat(n)), budget)
    }

    fn series(&mut self, c: &Candidate, pump: &str, suffix: &str) -> Series {
        let fixed = c.prefix.chars().count() + suffix.chars().count() + 1;
        let plen = pump.chars().count();
        let Some(room) = MAX_LEN.checked_sub(fixed) else {
            return Series::Nothing;
        };
        let max_n = room / plen;
        let mut last_ok = 0;
        let mut n = 2;
        let hi = loop {
            if n > max_n {
                if last_ok == max_n || max_n < 2 {
                    return Series::Nothing;
                }
                n = max_n;
            }
            match self.steps(c, pump, suffix, n).map(|m| m.outcome) {
                Some(Outcome::NoMatch) => {
                    last_ok = n;
                    n *= 2;
                }
                Some(Outcome::Exhausted) => break n,
                _ => return Series::Nothing,
            }
        };
        match self.growth(c, pump, suffix, last_ok, hi) {
            Some((count, growth)) => Series::Found(Evidence {
                prefix: c.prefix.clone(),
                pump: pump.to_string(),
                suffix: suffix.to_string(),
                count,
                growth,
                repeat: c.repeat,
            }),
            None => Series::Nothing,
        }
    }

    /// With `lo` pumps under budget and `hi` over: the smallest count over
    /// budget, and how the steps grow just below it.
    fn growth(
        &mut self,
        c: &Candidate,
        pump: &str,
        suffix: &str,
        lo: usize,
        hi: usize,
    ) -> Option<(usize, Growth)> {
        let (mut lo, mut hi) = (lo, hi);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            match self.steps(c, pump, suffix, mid)?.outcome {
                Outcome::Exhausted => hi = mid,
                Outcome::NoMatch => lo = mid,
                _ => return None,
            }
        }
        let a = lo;
        if a < 4 {
            return None;
        }
        let b = a - (a / 4).max(2);
        let sa = self.steps(c, pump, suffix, a)?;
        let sb = self.steps(c, pump, suffix, b)?;
        if sa.outcome != Outcome::NoMatch || sb.outcome != Outcome::NoMatch || sb.steps == 0 {
            return None;
        }
        let ratio = sa.steps as f64 / sb.steps as f64;
        let per_pump = ratio.powf(1.0 / (a - b) as f64);
        let degree = ratio.ln() / (a as f64 / b as f64).ln();
        let growth = if per_pump >= 1.25 {
            Growth::Exponential(per_pump)
        } else if degree >= 2.5 {
            Growth::Polynomial(degree)
        } else {
            return None;
        };
        Some((hi, growth))
    }
}

/// How one series of inputs ended.
enum Series {
    Found(Evidence),
    Nothing,
}

/// Looks for a catastrophic input for an expanded pattern (compiled with
/// `flags`, as fail2ban does); None when none was found within the work
/// allowed per regex.
pub fn analyse(pattern: &str, flags: pyre::Flags) -> Option<Evidence> {
    let tree = pyre::parse_tree(pattern, flags).ok()?;
    let prog = Program::new(&tree);
    let mut lab = Lab {
        prog: &prog,
        cache: HashMap::new(),
        spent: 0,
    };
    let mut cands = candidates(&tree);
    cands.truncate(MAX_CANDIDATES);
    // Screening: how the steps grow from a short pumped part to one twice
    // as long. Linear growth doubles them, quadratic quadruples them; only
    // steeper series are followed to the budget, steepest first.
    let mut steep = Vec::new();
    for c in &cands {
        for pump in &c.pumps {
            let plen = pump.chars().count();
            let n1 = (SCREEN_LEN / plen).max(2).next_power_of_two();
            for suffix in ["!", ""] {
                let (Some(m1), Some(m2)) = (
                    lab.steps_within(c, pump, suffix, n1, SCREEN_BUDGET),
                    lab.steps_within(c, pump, suffix, 2 * n1, SCREEN_BUDGET),
                ) else {
                    return None;
                };
                let outcomes = [m1.outcome, m2.outcome];
                if outcomes.contains(&Outcome::Match) {
                    continue;
                }
                if outcomes.contains(&Outcome::TooDeep) {
                    break;
                }
                let ratio = if outcomes.contains(&Outcome::Exhausted) {
                    f64::INFINITY
                } else {
                    m2.steps as f64 / m1.steps.max(1) as f64
                };
                if ratio >= STEEP {
                    steep.push((ratio, c, pump, suffix));
                }
                break;
            }
        }
    }
    steep.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, c, pump, suffix) in steep {
        match lab.series(c, pump, suffix) {
            Series::Found(e) => return Some(e),
            _ if lab.spent > REGEX_BUDGET => return None,
            _ => {}
        }
    }
    None
}

/// The expanded pattern's span for the repeat the evidence aims at.
fn repeat_span(pattern: &str, flags: pyre::Flags, repeat: usize) -> Option<(usize, usize)> {
    let tree = pyre::parse_tree(pattern, flags).ok()?;
    if tree.flags & F_X != 0 {
        return None;
    }
    let mut order = HashMap::new();
    repeat_order(&tree.nodes, &mut order);
    let q = quantifiers(pattern);
    if q.len() != order.len() {
        return None;
    }
    q.get(repeat).map(|q| (q.item, q.end))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let lines = regex_lines(ctx);
    let mut jobs: Vec<(String, pyre::Flags)> = Vec::new();
    for line in &lines {
        let multiline = line
            .filter
            .maxlines
            .as_deref()
            .and_then(|m| m.trim().parse::<u32>().ok())
            .is_some_and(|m| m > 1);
        let flags = pyre::Flags {
            multiline,
            ..pyre::Flags::default()
        };
        jobs.push((expand(&line.text.text, line.use_dns(), ctx.flavor), flags));
    }
    let mut unique: Vec<(String, pyre::Flags)> = jobs.clone();
    unique.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.multiline.cmp(&b.1.multiline)));
    unique.dedup();
    let results: HashMap<(String, bool), Option<Evidence>> = with_deep_stack(|| {
        unique
            .into_iter()
            .map(|(p, f)| {
                let e = if p.trim().is_empty() {
                    None
                } else {
                    analyse(&p, f)
                };
                ((p, f.multiline), e)
            })
            .collect()
    });
    for (line, (pattern, flags)) in lines.iter().zip(&jobs) {
        let Some(Some(ev)) = results.get(&(pattern.clone(), flags.multiline)) else {
            continue;
        };
        out.push(finding(ctx, line, pattern, *flags, ev));
    }
}

fn finding(
    ctx: &Context,
    line: &super::common::RegexLine,
    pattern: &str,
    flags: pyre::Flags,
    ev: &Evidence,
) -> Finding {
    let raw = &line.text.text;
    let input = ev.input();
    let chars = input.chars().count();
    let span = repeat_span(pattern, flags, ev.repeat)
        .and_then(|(a, b)| ExpansionMap::new(raw, line.use_dns(), ctx.flavor).raw_range(a..b))
        .filter(|r| !r.is_empty());
    let range = span.clone().unwrap_or(0..raw.len());
    // Named when the span is in another file (common.conf's prefix).
    let elsewhere = span_of(line.text, range.clone()).0.is_some_and(|loc| {
        let path = &ctx.sources.get(loc.file).path;
        let stem =
            crate::config::pypath::strip_ext(&crate::config::pypath::basename(path)).to_string();
        stem != line.filter.name
    });
    let whose = if elsewhere {
        format!(" of filter {}", line.filter.name)
    } else {
        String::new()
    };
    let message = format!(
        "{}{whose} backtracks catastrophically: on {chars} characters of `{}` Python's \
         matcher needs more than {BUDGET} steps ({})",
        line.describe(),
        ev.preview(),
        ev.growth_text()
    );
    let engine = pyre::with_backtrack_limit(pattern, flags, BUDGET as usize)
        .ok()
        .map(|re| re.search(&input).is_err());
    let hint = format!(
        "the {chars}-character line, as Python searches it: {}{}\nmake the repeated parts \
         unambiguous, with one way to match each piece of text (e.g. `(\\w+\\s?)*` → \
         `\\w+(?:\\s\\w+)*`, `.*` → a class that excludes the next literal, such as \
         `[^:]*:`)",
        str_repr(&input),
        match engine {
            Some(true) => "\nf2b's own engine also gives up on it (`f2b regex`)",
            _ => "",
        }
    );
    let f = Finding::new(&RULE.info, message)
        .hint(hint)
        .at(line.text, range);
    match span {
        Some(_) => f.label(format!("this repeat, with `{}` repeated", show(&ev.pump))),
        None => f.label("this regex"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &str) -> Option<Evidence> {
        with_deep_stack(|| analyse(p, pyre::Flags::default()))
    }

    #[test]
    fn finds_nested_repeats() {
        let e = run(r"^Login failed for user (\w+\s?)*: from (?P<ip4>\S+)$").expect("found");
        assert_eq!(e.prefix, "Login failed for user ");
        assert!(
            matches!(e.growth, Growth::Exponential(g) if g > 1.5),
            "{e:?}"
        );
        assert!(e.input().chars().count() <= MAX_LEN);
        let e = run(r"^(a|a)*b").expect("found");
        assert!(matches!(e.growth, Growth::Exponential(_)));
        let e = run(r"^x(?:\S+\s*)+:$").expect("found");
        assert!(matches!(e.growth, Growth::Exponential(_)));
    }

    #[test]
    fn finds_cubic_unanchored_chains() {
        let e = run(r"\s*\s*X").expect("found");
        assert!(
            matches!(e.growth, Growth::Polynomial(d) if d >= 2.5),
            "{e:?}"
        );
    }

    #[test]
    fn leaves_safe_patterns_alone() {
        for p in [
            r"^Login failed for user \w+(?:\s\w+)*: from (?P<ip4>\S+)$",
            r"^(?:\[\d+\])?\s*\S+ sshd\[\d+\]: Failed password for .* from \S+ port \d+$",
            r"^.*?foo.*bar",
            r"^\s*\s*X",
            r"^(?:a|b)*c",
            r"^(?>\w+\s?)*$",
            r"^(?:[0-9a-f]{1,4}::?|::){1,7}[0-9a-f]{1,4}$",
        ] {
            assert_eq!(run(p), None, "{p}");
        }
    }

    #[test]
    fn evidence_text() {
        let e = Evidence {
            prefix: "x ".into(),
            pump: "a".into(),
            suffix: "!".into(),
            count: 20,
            growth: Growth::Exponential(2.0),
            repeat: 0,
        };
        assert_eq!(e.preview(), "x aaa…!");
        assert_eq!(e.growth_text(), "doubling with each extra character");
        assert_eq!(e.input().len(), 24);
    }

    #[test]
    fn points_at_the_repeat() {
        let p = r"^a+ (b|c)* (\w+\s?)*$";
        let e = run(p).expect("found");
        let (s, t) = repeat_span(p, pyre::Flags::default(), e.repeat).unwrap();
        assert_eq!(&p[s..t], r"(\w+\s?)*");
    }
}
