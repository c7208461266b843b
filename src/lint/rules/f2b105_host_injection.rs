//! F2B105 host-injection: a catch-all before `<HOST>` that lets a crafted
//! log line choose the banned address.
//!
//! The rule proves what it reports. For every failregex with a catch-all
//! repeat before the host it builds log lines from the regex itself (see
//! [`crate::lint::witness`]): the line the service writes for a sender, with
//! a copy of the text around the host, naming another address, planted in a
//! field the catch-all runs over. Each candidate line gets a date the
//! filter's date detection accepts and goes through the real filter
//! (prefregex, every failregex in order, first match wins, ignoreregexes) as
//! the daemon runs it. Only a line on which this failregex is the one that
//! matches and the banned address is the planted one becomes an error with
//! the line as proof. A suspicious shape without such a line (a greedy
//! catch-all before `<HOST>`, nothing hard-anchored after it) is a warning.

use super::common::{RegexKind, RegexLine, regex_lines};
use crate::date::{DateDetector, DateOptions};
use crate::diag::Severity;
use crate::filter::matcher::Compiled;
use crate::filter::tags::tag_at;
use crate::filter::{DateFound, Filter, FilterOptions, Flavor};
use crate::lint::finding::{Exploit, Finding};
use crate::lint::model::{Context, FilterUnit};
use crate::lint::regex_ast::parse_expanded;
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::lint::witness::{
    self, Gen, Piece, char_node_matches, group_index, is_anchor, is_end_anchor, is_open_repeat,
};
use crate::pyre::ast::{Node, Parsed, RepKind};
use std::collections::HashMap;
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B105",
        name: "host-injection",
        summary: "A greedy catch-all before <HOST> that lets a crafted log line choose the banned address",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "A `failregex` with a catch-all (`.*`, `.+`, or a repeat of a broad negated class \
such as `[^:]*` that can run over the text up to the address) before `<HOST>`, where the host \
is not pinned down by a precise, hard-anchored tail. f2b does not guess: it builds log lines \
from the regex, plants a copy of the text around the host with the address `8.8.8.8` in a field \
the catch-all runs over (a user name, a URL, text after the host), gives the line a date the \
filter's date detection accepts and runs it through the whole filter the way the server does \
(prefregex, every failregex in order with the first match winning, ignoreregexes). When this \
failregex matches that line and the address it returns is the planted one, the finding is an \
error and carries the line (`exploit` in JSON and SARIF): feed it to \
`fail2ban-regex -o ip '<line>' filter.conf` to see the ban. A regex of the dangerous shape for \
which no such line was found is reported as a warning (unproven).",
        why: "Whoever can put text into a logged field (a SIP user name, a login name, a URL, an \
e-mail address) can then make fail2ban ban an address of their choice: the DNS resolver, the \
upstream gateway, the administrator's own workstation, while the real sender goes free. This is \
how CVE-2013-7176 worked (a crafted e-mail address against the postfix filter), and fail2ban \
has reworked many stock filters for it (#432). A greedy `.*` matches as much as it can, so of \
two copies of `failed for '<HOST>'` on one line it takes the last one; and when the real one \
does not fit the regex exactly (the service writes `host:port`, the regex expects a bare \
address) the engine backtracks to a copy planted earlier. fail2ban's own test suite rejects \
stock filters of this shape (`RE_WRONG_GREED`), and its maintainers keep the `$` at the end of \
regexes with a catch-all for this reason (#3724). The cure is a precise field (`'[^']*'` for a \
quoted name, `\\S+` for a word) and a tail anchored with `$`, so that no copy of the host part \
inside a field can satisfy the regex.",
        example: "[Definition]\nfailregex = NOTICE.* Registration from '.*' failed for '<HOST>' - Wrong password\n",
        example_fixed: "[Definition]\nfailregex = ^\\[\\]\\s+NOTICE\\[\\d+\\] \\S+: Registration from '[^']*' failed for '<HOST>(?::\\d+)?' - Wrong password$\n",
        references: &[
            "CVE-2013-7176 (postfix filter: a crafted e-mail address gets any address banned)",
            "fail2ban #432 (greedy catch-alls before <HOST> with user-injectable text)",
            "fail2ban #1000 (asterisk: a failregex that took the wrong address of the line)",
            "fail2ban #3724 (why regexes with a catch-all keep their `$` end anchor)",
            "fail2ban's test guard RE_WRONG_GREED (fail2ban/tests/samplestestcase.py)",
        ],
    },
    check,
};

/// The address an attacker makes fail2ban ban.
const FAKE: &str = "8.8.8.8";
/// The sender's real address (TEST-NET-1).
const REAL: &str = "192.0.2.66";
/// Services log `host:port` in many places.
const PORT: &str = ":5060";

/// Date texts tried in front of a line, most common formats first.
const DATES: &[&str] = &[
    "2026-11-26 10:00:00",
    "Nov 26 10:00:00",
    "26/Nov/2026:10:00:00 +0000",
    "2026-11-26T10:00:00",
    "Thu Nov 26 10:00:00 2026",
];
/// `DATES[0]` as seconds since the epoch, for epoch templates.
const EPOCH: &str = "1795687200";

/// Values for the named groups of fail2ban's date templates.
const DATE_GROUPS: &[(&str, &str)] = &[
    ("Y", "2026"),
    ("y", "26"),
    ("m", "11"),
    ("d", "26"),
    ("H", "10"),
    ("I", "10"),
    ("M", "00"),
    ("S", "00"),
    ("p", "am"),
    ("b", "Nov"),
    ("B", "November"),
    ("a", "Thu"),
    ("A", "Thursday"),
    ("f", "000"),
    ("z", "+0000"),
    ("Z", "UTC"),
    ("j", "330"),
];

/// How the planted copy gets into the line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Inside the field the catch-all matches, before the real host.
    Leading,
    /// Inside a catch-all field after the host (piece index).
    Trailing(usize),
    /// After the text the regex matches (nothing anchors the end).
    Appended,
}

/// A proof for one failregex.
struct Proof {
    line: String,
    /// Piece index of the catch-all that runs over the real host.
    catch_all: usize,
    mode: Mode,
}

/// One filter, compiled as the server runs it.
struct Engine {
    compiled: Compiled,
    datepattern: Option<String>,
    date_opts: DateOptions,
    now: f64,
    /// The prefregex and its `content` group.
    pref: Option<(Parsed, usize)>,
    /// Date texts (and whole date-template texts) to try.
    dates: Vec<String>,
    templates: Vec<String>,
}

impl Engine {
    fn new(unit: &FilterUnit, flavor: Flavor, date_opts: &DateOptions) -> Option<Engine> {
        let use_dns = unit.usedns.as_deref().unwrap_or("warn");
        let maxlines = unit
            .maxlines
            .as_deref()
            .and_then(|m| m.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let mut filter = Filter::new(FilterOptions {
            // Same regexes as "warn"; "raw" only skips DNS lookups.
            use_dns: if use_dns == "no" { "no" } else { "raw" }.into(),
            maxlines,
            check_all: false,
            flavor,
            ..Default::default()
        });
        if let Some(p) = &unit.prefregex {
            filter.set_prefregex(&p.text).ok()?;
        }
        for r in &unit.failregex {
            filter.add_failregex(&r.text).ok()?;
        }
        for r in &unit.ignoreregex {
            filter.add_ignoreregex(&r.text).ok()?;
        }
        let pref = match &unit.prefregex {
            Some(p) => {
                let parsed = parse_expanded(&p.text, use_dns, flavor).ok()?;
                let content = group_index(&parsed, "content")?;
                Some((parsed, content))
            }
            None => None,
        };
        let datepattern = unit.datepattern.as_ref().map(|d| d.text.clone());
        let mut dates: Vec<String> = DATES.iter().map(|d| d.to_string()).collect();
        let mut templates = Vec::new();
        if let Some(dp) = &datepattern {
            let det = DateDetector::from_datepattern(dp, date_opts.clone()).ok()?;
            for t in det.templates() {
                if let Some((whole, date)) = template_witness(t.regex)
                    && !date.is_empty()
                {
                    if !dates.contains(&date) {
                        dates.push(date);
                    }
                    if !templates.contains(&whole) {
                        templates.push(whole);
                    }
                }
            }
        }
        Some(Engine {
            compiled: filter.compiled(),
            datepattern,
            date_opts: date_opts.clone(),
            now: date_opts.now,
            pref,
            dates,
            templates,
        })
    }

    /// The searched text around a failregex's text (the prefregex part).
    fn wrap(&self, content: &str) -> Option<String> {
        match &self.pref {
            None => Some(content.to_string()),
            Some((parsed, group)) => {
                let pins = HashMap::from([(*group, content.to_string())]);
                witness::witness(parsed, &pins)
            }
        }
    }

    fn detector(&self) -> Option<DateDetector> {
        match &self.datepattern {
            Some(p) => DateDetector::from_datepattern(p, self.date_opts.clone()).ok(),
            None => Some(DateDetector::new_default(self.date_opts.clone())),
        }
    }

    /// Whether `index` is the failregex that matches `line` first and
    /// every failure it yields is `FAKE`; `dated`: the line must carry a
    /// date the detector accepts.
    fn bans_fake(&self, line: &str, index: usize, dated: bool) -> bool {
        let date = if dated {
            let Some(mut det) = self.detector() else {
                return false;
            };
            match det.detect(line) {
                Some(m) if m.time.is_some() && m.span.0 < m.span.1 => {
                    DateFound::from_date_match(Some(m))
                }
                _ => return false,
            }
        } else {
            DateFound::NoMatch
        };
        let mut f = Filter::from_compiled(self.compiled.clone());
        let r = f.process_line(line, date, self.now);
        !r.failures.is_empty()
            && r.failures.iter().all(|x| {
                x.regex_index == index
                    && !x.is_nofail()
                    && x.fid.as_ref().is_some_and(|i| i.ntoa() == FAKE)
            })
    }

    /// A dated log line whose searched text makes failregex `index` ban
    /// `FAKE`, built around the failregex text `content`.
    fn dated_line(&self, content: &str, index: usize) -> Option<String> {
        if content.contains('\n') {
            return None;
        }
        let buffer = self.wrap(content)?;
        if buffer.contains('\n') {
            return None;
        }
        // Cheap first: the text as the filter would search it.
        let shapes = [buffer.clone(), format!("[] {buffer}"), format!(" {buffer}")];
        if !shapes.iter().any(|s| self.bans_fake(s, index, false)) {
            return None;
        }
        self.candidates(&buffer)
            .into_iter()
            .find(|line| self.bans_fake(line, index, true))
    }

    /// Lines whose date cut leaves `buffer` (or `[] buffer`, ` buffer`).
    fn candidates(&self, buffer: &str) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.dates {
            out.push(format!("[{d}] {buffer}"));
            out.push(format!("{d} {buffer}"));
            out.push(format!("{d}{buffer}"));
            for (i, _) in buffer.match_indices("[]") {
                out.push(format!("{}{d}{}", &buffer[..=i], &buffer[i + 1..]));
            }
            for (i, _) in buffer.match_indices("\"\"") {
                out.push(format!("{}{d}{}", &buffer[..=i], &buffer[i + 1..]));
            }
        }
        for t in &self.templates {
            out.push(format!("{t} {buffer}"));
            out.push(format!("{t}{buffer}"));
        }
        out
    }
}

/// A witness of a date template's regex with a fixed date: (the whole
/// match, the date text of group 1).
fn template_witness(regex: &str) -> Option<(String, String)> {
    let parsed = crate::pyre::parse_tree(regex, crate::pyre::Flags::default()).ok()?;
    let pins: HashMap<usize, String> = DATE_GROUPS
        .iter()
        .filter_map(|(n, v)| Some((group_index(&parsed, n)?, v.to_string())))
        .collect();
    let mut g = Gen::new(&pins, parsed.flags);
    let mut whole = String::new();
    g.nodes(&parsed.nodes, parsed.flags, &mut whole)?;
    let mut date = g.capture(1).unwrap_or(&whole).to_string();
    // Epoch seconds: the generator's zeros are 1970.
    if date.len() >= 10 && date.bytes().all(|b| b == b'0') {
        let epoch = format!("{EPOCH}{}", &date[EPOCH.len()..]);
        whole = whole.replacen(&date, &epoch, 1);
        date = epoch;
    }
    Some((whole, date))
}

/// A failregex reduced to pieces with its `ip4` group at top level.
struct Shape<'p> {
    pieces: Vec<Piece<'p>>,
    host: usize,
    ip4: usize,
    flags: u32,
}

impl Shape<'_> {
    /// The text with the host written as `host`, and each piece's range.
    fn text(&self, host: &str) -> Option<(String, Vec<Range<usize>>)> {
        let pins = HashMap::from([(self.ip4, host.to_string())]);
        Gen::new(&pins, self.flags).run(&self.pieces)
    }

    fn node(&self, i: usize) -> Option<&Node> {
        match self.pieces[i] {
            Piece::Node(n) => Some(n),
            _ => None,
        }
    }

    /// Whether the open repeat at piece `i` accepts every char of `text`.
    fn accepts(&self, i: usize, text: &str) -> bool {
        let Some((body, _, _)) = self.node(i).and_then(is_open_repeat) else {
            return false;
        };
        text.chars()
            .all(|c| char_node_matches(body, c, self.flags) == Some(true))
    }

    /// Catch-alls before the host, closest first: greedy open repeats (only
    /// `.` and negated classes with `broad_only`) with no anchor between
    /// them and the host that can run over the text up to and including an
    /// address.
    fn catch_alls(&self, broad_only: bool) -> Vec<usize> {
        let Some((text, spans)) = self.text(FAKE) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for i in (0..self.host).rev() {
            if is_anchor(&self.pieces[i]) {
                break;
            }
            let Some((_, kind, _)) = self.node(i).and_then(is_open_repeat) else {
                continue;
            };
            if kind != RepKind::Greedy || (broad_only && !is_broad(&self.pieces[i])) {
                continue;
            }
            if self.accepts(i, &text[spans[i].end..spans[self.host].end]) {
                out.push(i);
            }
        }
        out
    }

    /// Whether the piece at `i` is a delimited field: a quote or an opening
    /// bracket before it, a quote or a closing bracket after it.
    fn delimited(&self, i: usize) -> bool {
        let lit = |p: Option<&Piece<'_>>| match p {
            Some(Piece::Node(Node::Literal(c))) => char::from_u32(*c),
            _ => None,
        };
        let marker = |p: &&Piece<'_>| matches!(p, Piece::Open(_) | Piece::Close(_));
        let before = lit(self.pieces[..i].iter().rev().find(|p| !marker(p)));
        let after = lit(self.pieces[i + 1..].iter().find(|p| !marker(p)));
        matches!(
            (before, after),
            (Some(a), Some(b)) if a == b && matches!(a, '\'' | '"')
                || matches!((a, b), ('<', '>') | ('(', ')') | ('[', ']') | ('{', '}'))
        )
    }

    /// Open repeats after the host (only `.` and negated classes with
    /// `broad_only`).
    fn fields_after(&self, broad_only: bool) -> Vec<usize> {
        (self.host + 1..self.pieces.len())
            .filter(|&i| self.node(i).and_then(is_open_repeat).is_some())
            .filter(|&i| !broad_only || is_broad(&self.pieces[i]))
            .collect()
    }

    /// Whether the pattern ends with `$` or `\Z` (after group closes).
    fn end_anchored(&self) -> bool {
        self.pieces[self.host + 1..]
            .iter()
            .rev()
            .find(|p| !matches!(p, Piece::Close(_)))
            .is_some_and(is_end_anchor)
    }

    /// The dangerous shape: a greedy catch-all before the host, and after
    /// it a catch-all or no end anchor.
    fn suspicious(&self) -> bool {
        !self.catch_alls(true).is_empty()
            && (!self.end_anchored() || !self.fields_after(true).is_empty())
    }

    /// The failregex text (host side of the searched text) of one attack.
    fn attack(&self, x: usize, mode: Mode, real: &str, fake: &str) -> Option<String> {
        let (r, rs) = self.text(real)?;
        let (f, fs) = self.text(fake)?;
        match mode {
            Mode::Leading => {
                let payload = &f[fs[x].end..];
                if !self.accepts(x, payload) {
                    return None;
                }
                let cut = rs[x].end;
                Some(format!("{}{payload}{}", &r[..cut], &r[cut..]))
            }
            Mode::Trailing(y) => {
                let inj = &f[fs[x].end..fs[y].start];
                if !self.accepts(x, &r[rs[x].end..rs[y].start]) || !self.accepts(y, inj) {
                    return None;
                }
                let cut = rs[y].start;
                Some(format!("{}{inj}{}", &r[..cut], &r[cut..]))
            }
            Mode::Appended => {
                if !self.accepts(x, &r[rs[x].end..]) {
                    return None;
                }
                Some(format!("{r}{}", &f[fs[x].end..]))
            }
        }
    }
}

fn shape(parsed: &Parsed) -> Option<Shape<'_>> {
    let ip4 = group_index(parsed, "ip4")?;
    let pieces = witness::flatten(&parsed.nodes, ip4)?;
    let host = pieces.iter().position(|p| p.group() == Some(ip4))?;
    Some(Shape {
        pieces,
        host,
        ip4,
        flags: parsed.flags,
    })
}

/// Searches a verified exploit line for failregex `index`.
fn prove(engine: &Engine, sh: &Shape<'_>, index: usize) -> Option<Proof> {
    let xs = sh.catch_alls(false);
    if xs.is_empty() {
        return None;
    }
    let real_port = format!("{REAL}{PORT}");
    let fake_port = format!("{FAKE}{PORT}");
    // The real segment must fail for a planted copy before it to win.
    let leading = [
        (real_port.as_str(), FAKE),
        (real_port.as_str(), fake_port.as_str()),
        (REAL, FAKE),
        (REAL, fake_port.as_str()),
    ];
    let later = [
        (REAL, FAKE),
        (real_port.as_str(), FAKE),
        (REAL, fake_port.as_str()),
        (real_port.as_str(), fake_port.as_str()),
    ];
    // Most plausible first. A copy before the real host only wins when the
    // real host part does not fit the regex (the service adds a port), an
    // assumption about the log format: taken first for a delimited field
    // (a quoted name, a bracketed URI: SIP), last for any other field.
    let ys = sh.fields_after(false);
    let mut plan: Vec<(Mode, usize)> = Vec::new();
    plan.extend(
        xs.iter()
            .filter(|&&x| sh.delimited(x))
            .map(|&x| (Mode::Leading, x)),
    );
    for delimited in [true, false] {
        for &y in &ys {
            if sh.delimited(y) == delimited {
                plan.extend(xs.iter().map(|&x| (Mode::Trailing(y), x)));
            }
        }
    }
    if !sh.end_anchored() {
        plan.extend(xs.iter().map(|&x| (Mode::Appended, x)));
    }
    plan.extend(
        xs.iter()
            .filter(|&&x| !sh.delimited(x))
            .map(|&x| (Mode::Leading, x)),
    );
    for (mode, x) in plan {
        let variants = if mode == Mode::Leading {
            &leading
        } else {
            &later
        };
        for (real, fake) in variants {
            let Some(content) = sh.attack(x, mode, real, fake) else {
                continue;
            };
            if let Some(line) = engine.dated_line(&content, index) {
                return Some(Proof {
                    line,
                    catch_all: x,
                    mode,
                });
            }
        }
    }
    None
}

/// Host tags whose expansion holds the `ip4` group.
fn is_host_tag(inner: &str) -> bool {
    matches!(
        inner,
        "HOST" | "ADDR" | "F-ADDR/" | "IP4" | "F-IP4/" | "SUBNET" | "F-SUBNET/"
    )
}

/// Repeated atoms of the raw text before its host tag: a character, an
/// escape, a class or `.` with a greedy `*`, `+`, `{n,}` or `{n,m}` (m of
/// 64 or more), the raw form of [`is_open_repeat`].
fn raw_repeats(raw: &str) -> Vec<Range<usize>> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        match b[i] {
            b'\\' => i = (i + 2).min(b.len()),
            b'<' => {
                if let Some(end) = tag_at(raw, i) {
                    if is_host_tag(&raw[i + 1..end - 1]) {
                        break;
                    }
                    i = end;
                    continue;
                }
                i += 1;
            }
            b'[' => {
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') {
                    j += 1;
                }
                if b.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < b.len() && b[j] != b']' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                i = (j + 1).min(b.len());
            }
            b'(' | b')' | b'|' | b'*' | b'+' | b'?' | b'{' | b'^' | b'$' => {
                i += 1;
                continue;
            }
            _ => i += raw[i..].chars().next().map_or(1, char::len_utf8),
        }
        let q = match b.get(i) {
            Some(b'*' | b'+') => i + 1,
            Some(b'{') => match raw[i..].find('}') {
                Some(e) => {
                    let inner = &raw[i + 1..i + e];
                    let open = match inner.split_once(',') {
                        Some((_, "")) => true,
                        Some((_, m)) => m.parse::<u64>().is_ok_and(|m| m >= 64),
                        None => false,
                    };
                    if !open {
                        continue;
                    }
                    i + e + 1
                }
                None => continue,
            },
            _ => continue,
        };
        if matches!(b.get(q), Some(b'?' | b'+')) {
            continue;
        }
        out.push(start..q);
        i = q;
    }
    out
}

/// A greedy open repeat: the tree form of a [`raw_repeats`] token.
fn is_greedy_repeat(p: &Piece<'_>) -> bool {
    matches!(p, Piece::Node(n) if matches!(is_open_repeat(n), Some((_, RepKind::Greedy, _))))
}

/// An open repeat of `.` or of a negated class.
fn is_broad(p: &Piece<'_>) -> bool {
    let Piece::Node(n) = p else { return false };
    matches!(
        is_open_repeat(n),
        Some((
            Node::Any | Node::In { negate: true, .. } | Node::NotLiteral(_),
            _,
            _
        ))
    )
}

/// Where the catch-all at piece `x` is in the raw text: counted back from
/// the host tag (the prefix before it may hold optional parts with repeats
/// of their own).
fn locate(raw: &str, sh: &Shape<'_>, x: usize) -> Option<Range<usize>> {
    let tokens = raw_repeats(raw);
    let between = (x + 1..sh.host)
        .filter(|&i| is_greedy_repeat(&sh.pieces[i]))
        .count();
    let k = tokens.len().checked_sub(between + 1)?;
    Some(tokens[k].clone())
}

/// What one failregex gets: an exploit, a warning, or nothing.
#[derive(Clone)]
enum Verdict {
    Proven {
        line: String,
        at: Option<Range<usize>>,
        mode: Mode,
    },
    Suspicious {
        at: Option<Range<usize>>,
    },
}

/// The verdict for one failregex; `engine` compiles its filter, only
/// called when the regex has a catch-all before the host.
fn analyse<'e>(
    line: &RegexLine<'_>,
    flavor: Flavor,
    engine: impl FnOnce() -> Option<&'e Engine>,
) -> Option<Verdict> {
    let raw = &line.text.text;
    let parsed = parse_expanded(raw, line.use_dns(), flavor).ok()?;
    let sh = shape(&parsed)?;
    if sh.catch_alls(false).is_empty() {
        return None;
    }
    if let Some(engine) = engine()
        && let Some(p) = prove(engine, &sh, line.index)
    {
        return Some(Verdict::Proven {
            line: p.line,
            at: locate(raw, &sh, p.catch_all),
            mode: p.mode,
        });
    }
    let x = *sh.catch_alls(true).first()?;
    sh.suspicious().then(|| Verdict::Suspicious {
        at: locate(raw, &sh, x),
    })
}

/// What identifies a filter for the search (the same file is loaded once
/// on its own and once per jail that uses it).
fn unit_key(u: &FilterUnit) -> String {
    let join = |v: &[crate::source::SString]| {
        v.iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "{}\0{}\0{}\0{:?}\0{:?}\0{:?}\0{:?}",
        join(&u.failregex),
        join(&u.ignoreregex),
        u.prefregex.as_ref().map_or("", |p| p.text.as_str()),
        u.datepattern.as_ref().map(|d| d.text.as_str()),
        u.maxlines,
        u.usedns,
        u.path,
    )
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let date_opts = DateOptions::system();
    let mut engines: HashMap<String, Option<Engine>> = HashMap::new();
    let mut verdicts: HashMap<(String, usize), Option<Verdict>> = HashMap::new();
    for line in regex_lines(ctx) {
        if line.kind != RegexKind::Failregex {
            continue;
        }
        let key = unit_key(line.filter);
        let verdict = verdicts
            .entry((key.clone(), line.index))
            .or_insert_with(|| {
                analyse(&line, ctx.flavor, || {
                    engines
                        .entry(key)
                        .or_insert_with(|| Engine::new(line.filter, ctx.flavor, &date_opts))
                        .as_ref()
                })
            })
            .clone();
        let Some(verdict) = verdict else { continue };
        let whole = 0..line.text.text.len();
        let finding = match verdict {
            Verdict::Proven { line: l, at, mode } => {
                let x = at.clone().map_or("catch-all".to_string(), |r| {
                    format!("`{}`", &line.text.text[r])
                });
                let how = match mode {
                    Mode::Leading => format!(
                        "{x} lets the field it matches carry a copy of the text after it naming \
                         {FAKE}, and that copy is where the match ends up"
                    ),
                    Mode::Trailing(_) => format!(
                        "the greedy {x} runs over the real address to a copy naming {FAKE} \
                         planted in a field after <HOST>"
                    ),
                    Mode::Appended => format!(
                        "the greedy {x} runs over the real address to a copy naming {FAKE} \
                         in text after the part the regex describes (nothing anchors its end)"
                    ),
                };
                Finding::new(
                    &RULE.info,
                    format!(
                        "{}: a log line from {REAL} makes fail2ban ban {FAKE}: {how}",
                        line.describe()
                    ),
                )
                .at(line.text, at.unwrap_or(whole))
                .label("greedy catch-all before <HOST>")
                .exploit(Exploit {
                    line: l,
                    host: FAKE.into(),
                    real_host: Some(REAL.into()),
                })
            }
            Verdict::Suspicious { at } => Finding::new(
                &RULE.info,
                format!(
                    "{} has a greedy catch-all before <HOST> and nothing precise, hard-anchored \
                     after it (unproven: f2b found no log line that exploits it)",
                    line.describe()
                ),
            )
            .severity(Severity::Warning)
            .at(line.text, at.unwrap_or(whole))
            .label("greedy catch-all before <HOST>"),
        };
        out.push(finding.hint(
            "make the field precise (`'[^']*'` for a quoted name, `\\S+` for a word, \
             `[^@]+` before an @) and anchor the regex with `$` after a precise tail",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_repeats_before_the_host() {
        let raw = r"^x .* [^']+ \.* [^a]*? a{2} .{2,} \S{1,99}y<HOST> .*";
        let t: Vec<&str> = raw_repeats(raw).iter().map(|r| &raw[r.clone()]).collect();
        assert_eq!(t, vec![".*", "[^']+", "\\.*", ".{2,}", "\\S{1,99}"]);
    }
}
