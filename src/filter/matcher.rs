//! The server's per-line matching (`Filter.processLine` / `findFailure`):
//! date cut, line buffer, ignoreregex rules, prefregex content, every
//! failregex, multi-line failure ids and the failure id itself.

use super::automaton::DualAutomaton;
use super::dns::Resolver;
use super::groups::{Fail, FailMap, FailValue, LogTime, TupleLine, new_fail};
use super::ipaddr::{CIDR_RAW, CIDR_UNSPEC, FAM_IPV4, FAM_IPV6, IpAddr};
use super::lineset::{LineSet, LineVerdict};
use super::mlfid::MlfidCache;
use super::regex::{FRegex, RegexError};
use super::tags::Flavor;
use std::sync::Arc;

/// How the filter runs (fail2ban-regex and the daemon differ).
#[derive(Clone, Debug)]
pub struct FilterOptions {
    pub use_dns: String,
    pub maxlines: usize,
    /// Try every failregex on a line (fail2ban-regex's default).
    pub check_all: bool,
    /// Drop failures still waiting for their id (fail2ban-regex `-o`).
    pub ignore_pending: bool,
    /// `-r`: host names are ids, never resolved.
    pub return_raw_host: bool,
    pub flavor: Flavor,
    /// Backtracking budget per search, so a pathological regex cannot hang.
    pub backtrack_limit: usize,
    /// Resolve host names with `usedns = yes/warn`; when off, a name where
    /// an address is expected yields no failure (counted in
    /// [`Filter::dns_suppressed`]).
    pub resolve_dns: bool,
    /// Multi-line failures (`<F-MLFID>`) are forgotten this many seconds
    /// (of the clock given to [`Filter::prepare`]) after they were last
    /// set, as in the daemon; `None` = never (fail2ban-regex's short runs).
    pub mlfid_ttl: Option<f64>,
}

impl Default for FilterOptions {
    fn default() -> Self {
        FilterOptions {
            use_dns: "warn".into(),
            maxlines: 1,
            check_all: true,
            ignore_pending: false,
            return_raw_host: false,
            flavor: Flavor::V1_0_2,
            backtrack_limit: 1_000_000,
            resolve_dns: true,
            mlfid_ttl: None,
        }
    }
}

/// What the automata settle about a one-line buffer.
enum Quick {
    /// The line's result, without any capture search.
    Settled(LineResult),
    /// Run `findFailure`, with the line set's candidate failregexes when
    /// it named them.
    Search(Option<u64>),
}

/// A failure found on a line: `[regexIndex, fid, date, fail]`.
pub struct Failure {
    pub regex_index: usize,
    /// `None` while a multi-line failure still waits for its id.
    pub fid: Option<IpAddr>,
    pub date: Option<LogTime>,
    pub fail: Fail,
}

impl Failure {
    pub fn is_nofail(&self) -> bool {
        self.fail.borrow().get("nofail").is_some_and(|v| v.truthy())
    }
}

/// What the date detector found on a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DateFound {
    /// No template matched.
    NoMatch,
    /// A template matched `[start, end)`; `time` is `None` when the text
    /// could not be converted.
    Match {
        start: usize,
        end: usize,
        time: Option<LogTime>,
    },
}

/// The shareable part of a filter (see [`Filter::compiled`]).
#[derive(Clone)]
pub struct Compiled {
    opts: FilterOptions,
    pref: Option<Arc<FRegex>>,
    fail: Vec<Arc<FRegex>>,
    ignore: Vec<Arc<FRegex>>,
    gate: Option<Arc<DualAutomaton>>,
    content_gate: Option<Arc<DualAutomaton>>,
    line_set: Option<Arc<LineSet>>,
    want_pref_groups: bool,
}

/// A [`LineResult`] that can go to another thread: failure dicts are
/// owned (only valid where no multi-line cache shares them, see
/// [`Filter::order_independent`]).
pub struct SentResult {
    failures: Vec<(usize, Option<IpAddr>, Option<LogTime>, FailMap)>,
    pref_matched: Option<bool>,
    pref_groups: Option<FailMap>,
    ignored_by: Vec<usize>,
    ignored_fail_hits: Vec<usize>,
}

impl LineResult {
    pub fn into_sent(self) -> SentResult {
        SentResult {
            failures: self
                .failures
                .into_iter()
                .map(|f| {
                    let map = match std::rc::Rc::try_unwrap(f.fail) {
                        Ok(cell) => cell.into_inner(),
                        Err(shared) => shared.borrow().clone(),
                    };
                    (f.regex_index, f.fid, f.date, map)
                })
                .collect(),
            pref_matched: self.pref_matched,
            pref_groups: self.pref_groups,
            ignored_by: self.ignored_by,
            ignored_fail_hits: self.ignored_fail_hits,
        }
    }
}

impl SentResult {
    pub fn into_result(self) -> LineResult {
        LineResult {
            failures: self
                .failures
                .into_iter()
                .map(|(regex_index, fid, date, map)| Failure {
                    regex_index,
                    fid,
                    date,
                    fail: new_fail(map),
                })
                .collect(),
            pref_matched: self.pref_matched,
            pref_groups: self.pref_groups,
            ignored_by: self.ignored_by,
            ignored_fail_hits: self.ignored_fail_hits,
        }
    }
}

/// Where a line is cut around its date (`processLine`'s tuple).
#[derive(Clone, Debug)]
pub enum Split {
    /// `(line[:start], line[start:end], line[end:])`.
    Cut { start: usize, end: usize },
    /// No date: `("", "", line)`.
    Whole,
    /// No usable date, the last one is recent: `("", last, line)`.
    Replaced(std::sync::Arc<str>),
}

/// A line prepared for evaluation: its split and its time.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub split: Split,
    pub time: Option<LogTime>,
}

impl Prepared {
    /// `(before, date, after)` of `line`.
    pub fn parts<'a>(&'a self, line: &'a str) -> (&'a str, &'a str, &'a str) {
        match &self.split {
            Split::Cut { start, end } => (&line[..*start], &line[*start..*end], &line[*end..]),
            Split::Whole => ("", "", line),
            Split::Replaced(t) => ("", t, line),
        }
    }
}

impl DateFound {
    /// The date detector's verdict as the filter takes it.
    pub fn from_date_match(m: Option<crate::date::DateMatch>) -> DateFound {
        match m {
            Some(m) => DateFound::Match {
                start: m.span.0,
                end: m.span.1,
                time: m.time.map(|secs| LogTime {
                    secs,
                    is_int: m.time_is_int,
                }),
            },
            None => DateFound::NoMatch,
        }
    }
}

/// A search that ran out of its backtracking budget.
#[derive(Clone, Debug)]
pub struct BudgetWarning {
    pub regex: String,
    pub kind: &'static str,
    pub line: String,
}

/// Everything fail2ban-regex looks at after one line.
#[derive(Default)]
pub struct LineResult {
    pub failures: Vec<Failure>,
    /// `None`: the prefregex was not searched for this line; otherwise
    /// whether it matched.
    pub pref_matched: Option<bool>,
    /// Its `groupdict()` (with `content`) when it matched and the groups
    /// were needed (a failregex could match, or `want_pref_groups`).
    pub pref_groups: Option<FailMap>,
    /// Failregexes that matched but whose match an ignoreregex dropped.
    pub ignored_fail_hits: Vec<usize>,
    /// Ignoreregexes that matched, in the order they fired.
    pub ignored_by: Vec<usize>,
}

pub struct Filter {
    pub pref: Option<Arc<FRegex>>,
    pub fail: Vec<Arc<FRegex>>,
    pub ignore: Vec<Arc<FRegex>>,
    pub opts: FilterOptions,
    line_buffer: Vec<TupleLine>,
    last_time_text: String,
    last_date: Option<LogTime>,
    mlfid_cache: MlfidCache,
    resolver: Resolver,
    gate: Option<Arc<DualAutomaton>>,
    gate_built: bool,
    /// For one-line buffers whose prefregex content runs to the end of the
    /// line: a superset of the contents any failregex can match.
    content_gate: Option<Arc<DualAutomaton>>,
    /// For one-line buffers and a prefregex `X(?P<content>.+)$`: the
    /// prefregex verdict and the candidate failregexes in one scan.
    line_set: Option<Arc<LineSet>>,
    /// Scratch for `line_set` scans.
    line_patterns: Option<regex_automata::PatternSet>,
    /// Compute the prefregex groups even when no failregex can match
    /// (fail2ban-regex -v lists them).
    pub want_pref_groups: bool,
    /// Reused buffer for the one-line fast path.
    scratch: String,
    /// Searches stopped by the backtracking budget.
    pub budget_warnings: Vec<BudgetWarning>,
    /// Host names not resolved because `resolve_dns` is off.
    pub dns_suppressed: u64,
    /// "now" of the line being processed.
    clock: f64,
}

impl Filter {
    pub fn new(opts: FilterOptions) -> Filter {
        let mlfid_cache = MlfidCache::new(opts.mlfid_ttl);
        Filter {
            pref: None,
            fail: Vec::new(),
            ignore: Vec::new(),
            opts,
            line_buffer: Vec::new(),
            last_time_text: String::new(),
            last_date: None,
            mlfid_cache,
            resolver: Resolver::default(),
            gate: None,
            gate_built: false,
            content_gate: None,
            line_set: None,
            line_patterns: None,
            want_pref_groups: false,
            scratch: String::new(),
            budget_warnings: Vec::new(),
            dns_suppressed: 0,
            clock: 0.0,
        }
    }

    /// The compiled regexes and gates, to build filters on other threads.
    pub fn compiled(&mut self) -> Compiled {
        if !self.gate_built {
            self.build_gate();
        }
        Compiled {
            opts: self.opts.clone(),
            pref: self.pref.clone(),
            fail: self.fail.clone(),
            ignore: self.ignore.clone(),
            gate: self.gate.clone(),
            content_gate: self.content_gate.clone(),
            line_set: self.line_set.clone(),
            want_pref_groups: self.want_pref_groups,
        }
    }

    /// A filter sharing `compiled`, with its own per-line state.
    pub fn from_compiled(c: Compiled) -> Filter {
        let mut w = Filter::new(c.opts);
        w.pref = c.pref;
        w.fail = c.fail;
        w.ignore = c.ignore;
        w.gate = c.gate;
        w.content_gate = c.content_gate;
        w.line_set = c.line_set;
        w.gate_built = true;
        w.want_pref_groups = c.want_pref_groups;
        w
    }

    pub fn set_prefregex(&mut self, value: &str) -> Result<(), RegexError> {
        self.pref = if value.is_empty() {
            None
        } else {
            Some(Arc::new(FRegex::new(
                value,
                false,
                &self.opts.use_dns,
                self.opts.flavor,
                self.opts.backtrack_limit,
            )?))
        };
        self.gate_built = false;
        Ok(())
    }

    pub fn add_failregex(&mut self, value: &str) -> Result<(), RegexError> {
        let r = FRegex::new_fail(
            value,
            self.opts.maxlines > 1,
            &self.opts.use_dns,
            self.opts.flavor,
            self.opts.backtrack_limit,
            self.pref.as_deref(),
        )?;
        self.fail.push(Arc::new(r));
        self.gate_built = false;
        Ok(())
    }

    pub fn add_ignoreregex(&mut self, value: &str) -> Result<(), RegexError> {
        let r = FRegex::new(
            value,
            false,
            &self.opts.use_dns,
            self.opts.flavor,
            self.opts.backtrack_limit,
        )?;
        self.ignore.push(Arc::new(r));
        self.gate_built = false;
        Ok(())
    }

    pub fn line_buffer(&self) -> &[TupleLine] {
        &self.line_buffer
    }

    /// Ignoreregexes are tried on the whole buffer first when there are
    /// fewer of them than failregexes minus two.
    fn ignore_first(&self) -> bool {
        !self.ignore.is_empty() && self.ignore.len() + 2 < self.fail.len()
    }

    /// One `regex`-crate automaton matching a superset of the buffers on
    /// which anything observable can happen; `None` = no gate possible.
    fn build_gate(&mut self) {
        let mut parts: Vec<&FRegex> = Vec::new();
        match &self.pref {
            Some(p) => parts.push(p),
            None => parts.extend(self.fail.iter().map(|r| &**r)),
        }
        if self.ignore_first() {
            parts.extend(self.ignore.iter().map(|r| &**r));
        }
        self.gate = union_automaton(&parts, crate::pyre::Mode::Gate).map(Arc::new);
        self.content_gate = None;
        self.line_set = None;
        self.line_patterns = None;
        if let Some(p) = &self.pref
            && self.opts.maxlines <= 1
            && !self.ignore_first()
            && let Some(x) = p.content_prefix_pattern()
        {
            let fails = self
                .fail
                .iter()
                .map(|r| (r.expanded.clone(), r.flags))
                .collect();
            self.line_set = LineSet::new((x.to_string(), p.flags), fails).map(Arc::new);
        }
        if let Some(p) = &self.pref
            && self.opts.maxlines <= 1
            && p.single_line.is_some()
            && p.group_ends_pattern("content")
        {
            let fails: Vec<&FRegex> = self.fail.iter().map(|r| &**r).collect();
            self.content_gate =
                union_automaton(&fails, crate::pyre::Mode::GateSuffix).map(Arc::new);
        }
        self.gate_built = true;
    }

    /// `processLine(line)` with the date detector's verdict for it.
    pub fn process_line(&mut self, line: &str, date: DateFound, now: f64) -> LineResult {
        let prepared = self.prepare(line, date, now);
        self.evaluate(line, &prepared)
    }

    /// The date part of `processLine`: where the line is cut and which time
    /// it gets (updates the last-date state, so lines go in order).
    pub fn prepare(&mut self, line: &str, date: DateFound, now: f64) -> Prepared {
        self.clock = now;
        let mut time: Option<LogTime> = None;
        let mut split = match date {
            DateFound::Match {
                start,
                end,
                time: t,
            } => {
                let text = &line[start..end];
                if !text.is_empty() {
                    if let Some(t) = t {
                        self.last_time_text.clear();
                        self.last_time_text.push_str(text);
                        self.last_date = Some(t);
                        time = Some(t);
                    }
                    Split::Cut { start, end }
                } else if let Some(last) = self.recent_last_date(now) {
                    time = Some(last);
                    Split::Replaced(std::sync::Arc::from(self.last_time_text.as_str()))
                } else {
                    time = Some(LogTime::float(now));
                    Split::Cut { start, end }
                }
            }
            DateFound::NoMatch => Split::Whole,
        };
        if time.is_none()
            && let Some(last) = self.recent_last_date(now)
        {
            time = Some(last);
            split = Split::Replaced(std::sync::Arc::from(self.last_time_text.as_str()));
        }
        Prepared { split, time }
    }

    /// `findFailure` for a prepared line.
    pub fn evaluate(&mut self, line: &str, prepared: &Prepared) -> LineResult {
        let (pre, date, rest) = prepared.parts(line);
        let mut candidates = None;
        if self.opts.maxlines <= 1 {
            match self.quick_verdict(pre, rest) {
                Quick::Settled(r) => return r,
                Quick::Search(c) => candidates = c,
            }
        }
        self.find_failure(TupleLine::new(pre, date, rest), prepared.time, candidates)
    }

    /// Whether lines can be evaluated apart from the line order (by other
    /// threads): one-line buffers and no multi-line failure ids.
    pub fn order_independent(&self) -> bool {
        self.opts.maxlines <= 1
            && !self.want_pref_groups
            && !self
                .pref
                .iter()
                .chain(&self.fail)
                .chain(&self.ignore)
                .any(|r| r.has_group("mlfid"))
    }

    /// One-line buffers: settles lines on which no regex can match with
    /// automata alone (most lines of a log), without captures.
    fn quick_verdict(&mut self, pre: &str, rest: &str) -> Quick {
        if !self.gate_built {
            self.build_gate();
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.push_str(pre);
        scratch.push_str(rest);
        scratch.push('\n');
        let verdict = match self.line_set_verdict(&scratch) {
            Some(v) => v,
            None => match self.quick_verdict_on(&scratch) {
                Some(r) => Quick::Settled(r),
                None => Quick::Search(None),
            },
        };
        self.scratch = scratch;
        verdict
    }

    /// The line set's verdict, when the filter has one that can scan `buf`.
    fn line_set_verdict(&mut self, buf: &str) -> Option<Quick> {
        let set = self.line_set.as_ref()?;
        let patterns = self.line_patterns.get_or_insert_with(|| set.pattern_set());
        let mut result = LineResult::default();
        Some(match set.scan(buf, patterns)? {
            LineVerdict::NoPrefix => {
                result.pref_matched = Some(false);
                Quick::Settled(result)
            }
            LineVerdict::Prefix { candidates } if candidates == 0 && !self.want_pref_groups => {
                result.pref_matched = Some(true);
                Quick::Settled(result)
            }
            LineVerdict::Prefix { candidates } => Quick::Search(Some(candidates)),
        })
    }

    fn quick_verdict_on(&self, buf: &str) -> Option<LineResult> {
        let mut result = LineResult::default();
        let ignore_first = self.ignore_first();
        // A prefregex `X(?P<content>.+)$`: X's automaton decides it and
        // finds the content; the failregexes' prefilters then run on it.
        if let Some(p) = &self.pref
            && !ignore_first
            && p.has_quick_content()
        {
            match p.quick_content_start(buf)? {
                None => {
                    result.pref_matched = Some(false);
                    return Some(result);
                }
                Some(start) => {
                    if self.want_pref_groups {
                        return None;
                    }
                    let content = &buf[start..];
                    if self.fail.iter().all(|r| r.surely_no_match(content)) {
                        result.pref_matched = Some(true);
                        return Some(result);
                    }
                    return None;
                }
            }
        }
        if let Some(g) = &self.gate
            && g.is_match(buf) == Some(false)
        {
            if self.pref.is_some() {
                result.pref_matched = Some(false);
            }
            return Some(result);
        }
        if ignore_first {
            return None;
        }
        let p = self.pref.as_ref()?;
        let fast = p.single_line.as_ref()?;
        match fast.is_match(buf) {
            Some(false) => {
                result.pref_matched = Some(false);
                Some(result)
            }
            Some(true)
                if !self.want_pref_groups
                    && self
                        .content_gate
                        .as_ref()
                        .is_some_and(|cg| cg.is_match(buf) == Some(false)) =>
            {
                result.pref_matched = Some(true);
                Some(result)
            }
            _ => None,
        }
    }

    /// Sets the last date (the daemon replaces a date far from "now" by
    /// "now" and remembers that).
    pub fn set_last_date(&mut self, t: LogTime) {
        self.last_date = Some(t);
    }

    /// The last date if it is truthy and less than a minute before `now`.
    fn recent_last_date(&self, now: f64) -> Option<LogTime> {
        self.last_date
            .filter(|d| d.secs != 0.0 && d.secs > now - 60.0)
    }

    /// `processLine(line, date)` for lines that come with their time
    /// (journal entries).
    pub fn process_dated(&mut self, tuple: TupleLine, date: LogTime) -> LineResult {
        self.last_time_text = tuple.date.clone();
        self.last_date = Some(date);
        self.find_failure(tuple, Some(date), None)
    }

    fn search(
        &mut self,
        which: Which,
        buf: &str,
        org: &[TupleLine],
        gated: bool,
    ) -> Option<super::regex::RegexHit> {
        let re = match which {
            Which::Pref => self.pref.as_ref().expect("prefregex set"),
            Which::Fail(i) => &self.fail[i],
            Which::Ignore(i) => &self.ignore[i],
        };
        match re.search_gated(buf, org, gated) {
            Ok(hit) => hit,
            Err(_) => {
                let w = BudgetWarning {
                    regex: re.original.clone(),
                    kind: which.kind(),
                    line: buf.trim_end_matches('\n').to_string(),
                };
                self.budget_warnings.push(w);
                None
            }
        }
    }

    /// `_ignoreLine`: the index of the first ignoreregex that matches.
    fn ignore_line(
        &mut self,
        buf: &str,
        org: &[TupleLine],
        fail_hit: Option<&super::regex::RegexHit>,
        result: &mut LineResult,
    ) -> Option<usize> {
        let multi = self.opts.maxlines > 1;
        let (own_buf, own_org);
        let (buf, org) = match fail_hit {
            Some(h) if multi => {
                own_org = h.matched.clone();
                own_buf = tuple_lines_buf(&own_org);
                (own_buf.as_str(), own_org.as_slice())
            }
            _ => (buf, org),
        };
        let mut found = None;
        for i in 0..self.ignore.len() {
            if self.search(Which::Ignore(i), buf, org, false).is_some() {
                if found.is_none() {
                    found = Some(i);
                }
                result.ignored_by.push(i);
                if (!self.opts.check_all || multi)
                    && let Some(h) = fail_hit
                {
                    self.line_buffer = h.unmatched.clone();
                }
                if !self.opts.check_all {
                    break;
                }
            }
        }
        found
    }

    /// `findFailure(tupleLine, date)`.
    /// `candidates`: the failregexes the line set let through (bit `i` =
    /// failregex `i`; the others cannot match), `None` when no line set
    /// looked at the line.
    fn find_failure(
        &mut self,
        tuple: TupleLine,
        date: Option<LogTime>,
        candidates: Option<u64>,
    ) -> LineResult {
        let mut result = LineResult::default();
        let multi = self.opts.maxlines > 1;
        let gated = candidates.is_some();
        let candidates = candidates.unwrap_or(u64::MAX);
        let def_cidr = if self.opts.use_dns == "raw" || self.opts.return_raw_host {
            CIDR_RAW
        } else {
            CIDR_UNSPEC
        };
        let org: Vec<TupleLine> = if multi {
            self.line_buffer.push(tuple);
            let n = self.line_buffer.len();
            if n > self.opts.maxlines {
                self.line_buffer.drain(..n - self.opts.maxlines);
            }
            self.line_buffer.clone()
        } else {
            self.line_buffer = vec![tuple];
            self.line_buffer.clone()
        };
        let mut buf = tuple_lines_buf(&org);
        let mut buf_valid = true;

        if !self.gate_built {
            self.build_gate();
        }
        if multi
            && let Some(g) = &self.gate
            && g.is_match(&buf) == Some(false)
        {
            if self.pref.is_some() {
                result.pref_matched = Some(false);
            }
            return result;
        }

        if self.ignore_first() && self.ignore_line(&buf, &org, None, &mut result).is_some() {
            return result;
        }

        let mut pre_groups = FailMap::default();
        if let Some(p) = &self.pref {
            let quick = if multi { None } else { p.quick_content(&buf) };
            let groups = match quick {
                Some(c) => {
                    let mut g = FailMap::default();
                    g.insert("content".into(), FailValue::Str(c.to_string()));
                    g
                }
                None => match self.search(Which::Pref, &buf, &org, false) {
                    Some(hit) => hit.groups,
                    None => {
                        result.pref_matched = Some(false);
                        return result;
                    }
                },
            };
            result.pref_matched = Some(true);
            result.pref_groups = Some(groups.clone());
            pre_groups = groups;
            let repl = pre_groups.shift_remove("content");
            if let Some(FailValue::Str(c)) = repl
                && !c.is_empty()
            {
                self.line_buffer = vec![TupleLine::new("", "", &c)];
                buf_valid = false;
            }
        }

        for idx in 0..self.fail.len() {
            if idx < 64 && candidates & (1 << idx) == 0 {
                continue;
            }
            if !buf_valid {
                buf = tuple_lines_buf(&self.line_buffer);
                buf_valid = true;
            }
            let b = &buf;
            let Some(mut hit) = self.search(Which::Fail(idx), b, &org, gated) else {
                continue;
            };
            let mut fail_map = std::mem::take(&mut hit.groups);
            if !self.ignore.is_empty()
                && self
                    .ignore_line(&buf, &org, Some(&hit), &mut result)
                    .is_some()
            {
                result.ignored_fail_hits.push(idx);
                buf_valid = false;
                if !self.opts.check_all {
                    break;
                }
                continue;
            }
            if !self.opts.check_all || multi {
                self.line_buffer = hit.unmatched.clone();
                buf_valid = false;
            }
            let mut cidr = def_cidr;
            let mut raw = def_cidr == CIDR_RAW;
            if !pre_groups.is_empty() {
                // 1.0.2 lets the failregex's unmatched groups (None) hide the
                // prefregex's values; upstream overlays only matched groups.
                let upstream = self.opts.flavor == super::tags::Flavor::Upstream;
                let mut merged = pre_groups.clone();
                for (k, v) in fail_map {
                    if upstream && v.is_none() && merged.contains_key(&k) {
                        continue;
                    }
                    merged.insert(k, v);
                }
                fail_map = merged;
            }
            let mlfid = fail_map.get("mlfid").filter(|v| !v.is_none()).cloned();
            let fail: Fail = match &mlfid {
                Some(id) => {
                    let key = id.to_py_str();
                    let f = self.merge_failure(&key, fail_map, &hit);
                    if f.borrow().get("nofail").is_some_and(|v| v.truthy()) && !self.opts.check_all
                    {
                        return result;
                    }
                    f
                }
                None => {
                    let mut m = std::mem::take(&mut hit.matched);
                    if let Some(FailValue::Lines(prev)) = fail_map.get("matches") {
                        let mut all = prev.clone();
                        all.append(&mut m);
                        m = all;
                    }
                    fail_map.insert("matches".into(), FailValue::Lines(m));
                    new_fail(fail_map)
                }
            };
            let get = |k: &str| -> Option<String> {
                fail.borrow()
                    .get(k)
                    .filter(|v| !v.is_none())
                    .map(|v| v.to_py_str())
            };
            let fid = get("fid");
            let ip: Option<String>;
            if let Some(v4) = get("ip4") {
                cidr = cidr_of(get("cidr"), FAM_IPV4);
                raw = true;
                ip = Some(v4);
            } else if let Some(v6) = get("ip6") {
                cidr = cidr_of(get("cidr"), FAM_IPV6);
                raw = true;
                ip = Some(v6);
            } else if let Some(d) = get("dns") {
                ip = Some(d);
            } else {
                if fid.is_none() && mlfid.is_none() {
                    // No id group matched: fail2ban's getFailID raises, the
                    // error is logged and the next regex is tried.
                    continue;
                }
                ip = fid.clone();
                raw = true;
            }
            let fids: Vec<Option<IpAddr>> = match ip {
                None => {
                    fail.borrow_mut()
                        .insert("mlfpending".into(), FailValue::Int(1));
                    if !self.opts.check_all && self.opts.ignore_pending {
                        return result;
                    }
                    vec![None]
                }
                Some(ip) if raw => {
                    if fid.as_ref().is_none_or(|f| *f == ip) {
                        vec![Some(IpAddr::new(&ip, cidr))]
                    } else {
                        fail.borrow_mut()
                            .insert("ip".into(), FailValue::Ip(IpAddr::new(&ip, cidr)));
                        vec![Some(IpAddr::new(
                            fid.as_deref().unwrap_or_default(),
                            def_cidr,
                        ))]
                    }
                }
                Some(ip) => {
                    let use_dns = if self.opts.resolve_dns {
                        self.opts.use_dns.clone()
                    } else {
                        "no".to_string()
                    };
                    let ips = self.resolver.text_to_ip(&ip, &use_dns);
                    if ips.is_empty()
                        && !self.opts.resolve_dns
                        && matches!(self.opts.use_dns.as_str(), "yes" | "warn")
                    {
                        self.dns_suppressed += 1;
                    }
                    ips.into_iter().map(Some).collect()
                }
            };
            let fail = if self.opts.check_all && mlfid.is_some() {
                new_fail(fail.borrow().clone())
            } else {
                fail
            };
            for fid in fids {
                result.failures.push(Failure {
                    regex_index: idx,
                    fid,
                    date,
                    fail: fail.clone(),
                });
            }
            if !self.opts.check_all {
                break;
            }
        }
        result
    }

    /// `_mergeFailure`: joins failures of one multi-line id.
    fn merge_failure(
        &mut self,
        mlfid: &str,
        mut fail: FailMap,
        hit: &super::regex::RegexHit,
    ) -> Fail {
        let truthy = |m: &FailMap, k: &str| m.get(k).is_some_and(|v| v.truthy());
        let cached = self.mlfid_cache.get(mlfid, self.clock);
        let mut nfflgs = 0u8;
        if truthy(&fail, "mlfgained") {
            nfflgs |= 8 | 1;
            if !truthy(&fail, "nofail") {
                let g = fail.get("mlfgained").cloned().unwrap_or(FailValue::None);
                fail.insert("nofail".into(), g);
            }
        } else if truthy(&fail, "nofail") {
            nfflgs |= 1;
        }
        if fail.shift_remove("mlfforget").is_some_and(|v| v.truthy()) {
            nfflgs |= 2;
        }
        let users_len;
        let target: Fail = match cached {
            Some(entry) => {
                {
                    let mut g = entry.borrow_mut();
                    let user = fail.get("user").cloned().unwrap_or(FailValue::None);
                    users_len = update_users(&mut g, &user);
                    if g.shift_remove("nofail").is_some_and(|v| v.truthy()) {
                        nfflgs |= 4;
                    }
                    if g.shift_remove("mlfgained").is_some_and(|v| v.truthy()) {
                        nfflgs |= 4;
                    }
                    if nfflgs & 8 != 0 {
                        g.shift_remove("mlfpending");
                    }
                    if nfflgs & 4 == 0 && !truthy(&g, "mlfpending") {
                        g.shift_remove("matches");
                    }
                    for (k, v) in fail {
                        if !v.is_none() {
                            g.insert(k, v);
                        }
                    }
                }
                if nfflgs & 2 != 0 {
                    self.mlfid_cache.unset(mlfid);
                }
                entry
            }
            None => {
                let user = fail.get("user").cloned().unwrap_or(FailValue::None);
                if nfflgs & 2 == 0 {
                    users_len = update_users(&mut fail, &user);
                    let f = new_fail(fail);
                    self.mlfid_cache.set(mlfid, f.clone(), self.clock);
                    f
                } else {
                    users_len = 0;
                    new_fail(fail)
                }
            }
        };
        let mut g = target.borrow_mut();
        let pending = g.shift_remove("mlfpending").is_some_and(|v| v.truthy());
        if pending || users_len > 1 {
            g.shift_remove("nofail");
            g.shift_remove("mlfgained");
            nfflgs &= !(8 | 1);
        }
        if nfflgs & 1 == 0 {
            let mut m = match g.shift_remove("nofail-matches") {
                Some(FailValue::Lines(l)) => l,
                _ => Vec::new(),
            };
            if let Some(FailValue::Lines(l)) = g.get("matches") {
                m.extend(l.iter().cloned());
            }
            if nfflgs & 8 == 0 {
                m.extend(hit.matched.iter().cloned());
            }
            g.insert("matches".into(), FailValue::Lines(m));
        } else if nfflgs & 3 == 1 {
            let mut m = match g.get("nofail-matches") {
                Some(FailValue::Lines(l)) => l.clone(),
                _ => Vec::new(),
            };
            m.extend(hit.matched.iter().cloned());
            g.insert("nofail-matches".into(), FailValue::Lines(m));
        }
        drop(g);
        target
    }
}

/// One automaton for the union of the regexes' translations in `mode`;
/// `None` when one of them cannot be expressed (no gate then).
fn union_automaton(regexes: &[&FRegex], mode: crate::pyre::Mode) -> Option<DualAutomaton> {
    let pieces = regexes
        .iter()
        .map(|r| (r.expanded.clone(), r.flags))
        .collect();
    DualAutomaton::new(pieces, mode, false)
}

/// `_updateUsers`: adds a user (when the regex captured one) and returns
/// the size of the set (0 when there is none).
fn update_users(fail: &mut FailMap, user: &FailValue) -> usize {
    if user.truthy() {
        let entry = fail
            .entry("users".to_string())
            .or_insert_with(|| FailValue::Set(Vec::new()));
        if !entry.truthy() {
            *entry = FailValue::Set(Vec::new());
        }
        if let FailValue::Set(v) = entry {
            if !v.contains(user) {
                v.push(user.clone());
            }
            return v.len();
        }
    }
    match fail.get("users") {
        Some(FailValue::Set(v)) => v.len(),
        _ => 0,
    }
}

fn cidr_of(cidr: Option<String>, family_default: i64) -> i64 {
    match cidr.filter(|c| !c.is_empty()) {
        Some(c) => crate::config::value::py_int(&c)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(family_default),
        None => family_default,
    }
}

/// `Regex._tupleLinesBuf`: the lines without their dates, each followed by
/// a newline.
pub fn tuple_lines_buf(lines: &[TupleLine]) -> String {
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&l.pre);
        s.push_str(&l.rest);
    }
    s.push('\n');
    s
}

#[derive(Clone, Copy)]
enum Which {
    Pref,
    Fail(usize),
    Ignore(usize),
}

impl Which {
    fn kind(self) -> &'static str {
        match self {
            Which::Pref => "prefregex",
            Which::Fail(_) => "failregex",
            Which::Ignore(_) => "ignoreregex",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(pref: &str, fails: &[&str], line: &str) -> (Option<bool>, Vec<String>) {
        let mut f = Filter::new(FilterOptions::default());
        f.set_prefregex(pref).unwrap();
        for r in fails {
            f.add_failregex(r).unwrap();
        }
        let r = f.process_line(line, DateFound::NoMatch, 0.0);
        let ids = r
            .failures
            .iter()
            .map(|x| x.fid.as_ref().map_or("-".into(), IpAddr::ntoa))
            .collect();
        (r.pref_matched, ids)
    }

    #[test]
    fn unanchored_prefregex_content_is_searched_not_matched() {
        // The content shortcut assumes `X` starts at the buffer's start;
        // this prefregex only matches further in.
        let got = failures(r"b(?P<content>.+)$", &[r"^x <HOST>$"], "aabx 192.0.2.1");
        assert_eq!(got, (Some(true), vec!["192.0.2.1".to_string()]));
    }

    #[test]
    fn line_set_skips_only_failregexes_that_cannot_match() {
        let pref = r"^\[\w+\] (?P<content>.+)$";
        let fails = [
            r"^bad login from <HOST>$",
            r"^refused <HOST>",
            r"<HOST> blocked$",
        ];
        let cases = [
            (
                "[sshd] bad login from 192.0.2.1",
                Some(true),
                vec!["192.0.2.1"],
            ),
            (
                "[sshd] refused 192.0.2.2 twice",
                Some(true),
                vec!["192.0.2.2"],
            ),
            (
                "[sshd] peer 192.0.2.3 blocked",
                Some(true),
                vec!["192.0.2.3"],
            ),
            ("[sshd] all fine", Some(true), vec![]),
            ("sshd: no prefix", Some(false), vec![]),
        ];
        for (line, pref_matched, ids) in cases {
            let want: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            assert_eq!(failures(pref, &fails, line), (pref_matched, want), "{line}");
        }
    }
}
