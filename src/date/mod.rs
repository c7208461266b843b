//! fail2ban date detection: templates, the stateful detector and timestamp
//! conversion, as fail2ban 1.0.2 does it (`server/datedetector.py`,
//! `server/datetemplate.py`, `server/strptime.py`).
//!
//! * [`template`]: `datepattern` → regex, the special templates and the
//!   31-entry default list;
//! * [`DateDetector`]: the stateful template choice of `matchTime` (retry of
//!   the last winner, position/boundary checks, fallback, hit counting and
//!   reordering) so that fail2ban-regex's "Date template hits" block comes out
//!   the same;
//! * [`convert`]: matched groups → seconds since the epoch.
//!
//! All regex compilation goes through `engine`.

pub mod convert;
mod engine;
pub mod template;

use std::cell::OnceCell;

pub use convert::{ConvError, Time, TzSpec};
use convert::{Ctx, Now};
use engine::{DateRegex, Locs, Spans};
use jiff::tz::TimeZone;
use std::sync::Arc;
use template::{Kind, LINE_BEGIN, LINE_END, Template};

/// Process-level inputs of date detection.
#[derive(Clone, Debug)]
pub struct DateOptions {
    /// "now" (`MyTime.time()`), seconds since the epoch.
    pub now: f64,
    /// The year `%ExY` is computed from (fail2ban: the real year at start).
    pub year: i32,
    /// `logtimezone` / `--timezone`.
    pub default_tz: Option<TzSpec>,
    /// The process local zone (`TZ`), used for lines without a zone.
    pub local_tz: TimeZone,
    /// Fixed wall clock for the "unused for 5 minutes" reorder rule (which
    /// fail2ban runs on the real clock); `None` = the real clock.
    pub wall_clock: Option<f64>,
}

impl DateOptions {
    /// The real clock and the system zone (honours `TZ`).
    pub fn system() -> DateOptions {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let local_tz = TimeZone::system();
        let year = jiff::Timestamp::from_second(now as i64)
            .map(|t| local_tz.to_datetime(t).year() as i32)
            .unwrap_or(2026);
        DateOptions {
            now,
            year,
            default_tz: None,
            local_tz,
            wall_clock: None,
        }
    }

    /// Fixed "now" and zone (tests); `%ExY` from the real year unless changed.
    pub fn fixed(now: f64, local_tz: TimeZone) -> DateOptions {
        let mut o = DateOptions::system();
        o.now = now;
        o.local_tz = local_tz;
        o
    }
}

/// Errors building a detector from a `datepattern`.
#[derive(Clone, Debug, PartialEq)]
pub enum DateError {
    /// `Failed to set datepattern '…' (may be an invalid format or unescaped
    /// percent char): …` or `There is already a template with name …`.
    Pattern(String),
    /// The template's regex does not compile (fail2ban fails at the first
    /// line; the name is known, so the caller can still print it).
    Regex {
        name: String,
        regex: String,
        msg: String,
    },
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Pattern(m) => f.write_str(m),
            DateError::Regex { regex, msg, .. } => write!(f, "{msg} (in date regex {regex:?})"),
        }
    }
}

impl std::error::Error for DateError {}

/// The result of [`DateDetector::detect`].
#[derive(Clone, Debug, PartialEq)]
pub struct DateMatch {
    /// Byte span of group 1 (the date text to cut out of the line).
    pub span: (usize, usize),
    /// Byte span of the whole template match.
    pub match_span: (usize, usize),
    /// Converted time; `None` when the date text is empty (`{NONE}`) or the
    /// conversion failed (see `error`).
    pub time: Option<f64>,
    /// Python holds the time as an `int` (TAI64N, explicit zones).
    pub time_is_int: bool,
    pub error: Option<ConvError>,
    /// Index of the winning template in the current order.
    pub template: usize,
}

/// One template as fail2ban-regex reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateInfo<'a> {
    pub name: &'a str,
    pub hits: u64,
    /// `hits * template weight / max(1, distance)`.
    pub weight: f64,
    pub template_weight: f64,
    pub pattern: Option<&'a str>,
    pub regex: &'a str,
    pub flags: u8,
}

impl TemplateInfo<'_> {
    /// The `--verbose-date` lines of fail2ban-regex for this template.
    pub fn verbose_lines(&self) -> [String; 2] {
        [
            format!(
                "    # weight: {:.3} ({:.3}), pattern: {}",
                self.weight,
                self.template_weight,
                self.pattern.unwrap_or("")
            ),
            format!("    # regex:   {}", self.regex),
        ]
    }
}

const CONV_KEYS: [&str; 19] = [
    "y", "Y", "m", "B", "b", "d", "H", "I", "p", "M", "S", "A", "a", "w", "j", "U", "W", "z", "Z",
];

struct Slot {
    t: Template,
    re: OnceCell<Option<Arc<DateRegex>>>,
    locs: Locs,
    /// (key, group index) of the groups conversion looks at, in group order.
    fields: OnceCell<Vec<(&'static str, usize)>>,
    id: usize,
    /// Successful regex searches (fail2ban's `template.hits`).
    matched: u64,
    /// Wins (fail2ban's `DateDetectorTemplate.hits`).
    hits: u64,
    last_used: f64,
    /// Char offset of the last winning match.
    distance: i64,
    /// The key fail2ban's process-wide pattern cache holds this template
    /// under, for templates created from a `datepattern` line.
    key: Option<String>,
    /// One of the default templates (known to compile: it is compiled at
    /// its first search, not up front).
    builtin: bool,
}

impl Slot {
    fn new(t: Template, id: usize) -> Slot {
        Slot {
            t,
            re: OnceCell::new(),
            locs: Locs::default(),
            fields: OnceCell::new(),
            id,
            matched: 0,
            hits: 0,
            last_used: 0.0,
            distance: 0x7fffffff,
            key: None,
            builtin: false,
        }
    }

    fn regex(&self) -> Option<&DateRegex> {
        self.re
            .get_or_init(|| template::compile(&self.t).ok())
            .as_deref()
    }

    fn weight(&self) -> f64 {
        self.hits as f64 * self.t.weight / (self.distance.max(1) as f64)
    }

    fn anchored(&self) -> bool {
        self.t.flags & (LINE_BEGIN | LINE_END) != 0
    }

    /// `template.matchDate(line, pos, endpos)`.
    fn search(&mut self, line: &str, pos: usize, endpos: usize, out: &mut Spans) -> bool {
        let ok = match self.re.get_or_init(|| template::compile(&self.t).ok()) {
            Some(re) => re.search(line, pos, endpos, out, &mut self.locs),
            None => false,
        };
        if ok {
            self.matched += 1;
        }
        ok
    }
}

/// Char at char index `k` (Python `line[k:k+1]`); `None` = empty string.
fn char_at(line: &str, k: i64) -> Option<char> {
    if k < 0 {
        return None;
    }
    // Chars are bytes as far as the bytes are ASCII: only the prefix up to
    // `k` needs checking (dates sit near the start of long lines).
    let b = line.as_bytes();
    let k = k as usize;
    if b[..(k + 1).min(b.len())].is_ascii() {
        return b.get(k).map(|&c| c as char);
    }
    line.chars().nth(k)
}

fn char_index(line: &str, byte: usize) -> i64 {
    let p = &line[..byte];
    if p.is_ascii() {
        byte as i64
    } else {
        p.chars().count() as i64
    }
}

fn byte_index(line: &str, ch: i64) -> usize {
    if ch <= 0 {
        return 0;
    }
    let b = line.as_bytes();
    let ch = ch as usize;
    if b[..ch.min(b.len())].is_ascii() {
        return ch.min(b.len());
    }
    line.char_indices().nth(ch).map_or(line.len(), |(i, _)| i)
}

fn isalnum(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Last accepted match: (char pos, char before, char at).
#[derive(Clone, Copy)]
struct Pos {
    at: i64,
    before: Option<char>,
    after: Option<char>,
}

/// The stateful date detector (fail2ban's `DateDetector`).
pub struct DateDetector {
    slots: Vec<Slot>,
    opts: DateOptions,
    ex_year: String,
    now: Now,
    default_tz: Option<i64>,
    last_pos: Pos,
    last_end: Pos,
    last_idx: usize,
    first_unused: usize,
    spans: Spans,
    best: Spans,
    cache: Option<(usize, String, Result<Time, ConvError>)>,
    /// fail2ban built its default template list in this process (which
    /// sets weight 100 on the cached line-begin templates it reuses).
    defaults_built: bool,
}

const NO_IDX: usize = 0x7fffffff;

impl DateDetector {
    fn empty(opts: DateOptions) -> DateDetector {
        let ex_year = template::ex_year_prefix(opts.year);
        let now = Now::new(opts.now, &opts.local_tz);
        let default_tz = opts.default_tz.as_ref().map(|t| t.offset_min);
        DateDetector {
            slots: Vec::new(),
            opts,
            ex_year,
            now,
            default_tz,
            last_pos: Pos {
                at: 1,
                before: None,
                after: None,
            },
            last_end: Pos {
                at: 0x7fffffff,
                before: None,
                after: None,
            },
            last_idx: NO_IDX,
            first_unused: 0,
            spans: Vec::new(),
            best: Vec::new(),
            cache: None,
            defaults_built: false,
        }
    }

    /// The default templates, added at the first line (as fail2ban does).
    pub fn new_default(opts: DateOptions) -> DateDetector {
        DateDetector::empty(opts)
    }

    /// A detector from a (possibly multi-line) `datepattern` value.
    pub fn from_datepattern(pattern: &str, opts: DateOptions) -> Result<DateDetector, DateError> {
        let mut d = DateDetector::empty(opts);
        for p in pattern.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
            d.append_pattern(p)?;
        }
        for s in d.slots.iter().filter(|s| !s.builtin) {
            if let Err(msg) = template::compile(&s.t) {
                return Err(DateError::Regex {
                    name: s.t.name.clone(),
                    regex: s.t.regex.clone(),
                    msg,
                });
            }
        }
        Ok(d)
    }

    fn push(&mut self, t: Template, ignore_dup: bool) -> Result<(), DateError> {
        if self.slots.iter().any(|s| s.t.name == t.name) {
            if ignore_dup {
                return Ok(());
            }
            return Err(DateError::Pattern(format!(
                "There is already a template with name {}",
                t.name
            )));
        }
        let id = self.slots.len();
        self.slots.push(Slot::new(t, id));
        Ok(())
    }

    /// fail2ban's `appendTemplate(str)`.
    fn append_pattern(&mut self, p: &str) -> Result<(), DateError> {
        let key = if p.contains('%') {
            p.to_string()
        } else {
            p.to_uppercase()
        };
        let ignore_dup = !self.slots.is_empty();
        if key == "{^LN-BEG}" || key == "{DEFAULT}" {
            self.build_defaults();
            for t in template::all_defaults(&self.ex_year) {
                // fail2ban's filter for `{DEFAULT}` returns None, so it adds
                // nothing (the defaults then come lazily at the first line)
                if key == "{DEFAULT}" || t.flags & LINE_BEGIN == 0 {
                    continue;
                }
                let before = self.slots.len();
                self.push(t, ignore_dup)?;
                if self.slots.len() > before
                    && let Some(s) = self.slots.last_mut()
                {
                    s.builtin = true;
                }
            }
            return Ok(());
        }
        if key.contains("{DATE}") {
            for t in template::date_prematch(p, &self.ex_year).map_err(DateError::Pattern)? {
                self.push(t, ignore_dup)?;
            }
            return Ok(());
        }
        let t = if key == "{NONE}" {
            template::pattern_or_special("{UNB}^", Some(&key), &self.ex_year)
        } else {
            template::pattern_or_special(p, Some(&key), &self.ex_year)
        }
        .map_err(DateError::Pattern)?;
        let mut t = t;
        if self.defaults_built && template::anchored_default_keys(&self.ex_year).contains(&key) {
            // The cache hands out the line-begin default itself.
            t.weight = 100.0;
        }
        self.push(t, false)?;
        if let Some(s) = self.slots.last_mut() {
            s.key = Some(key);
        }
        Ok(())
    }

    /// fail2ban's `DateDetectorCache._addDefaultTemplate`, once per process:
    /// the line-begin copy of each default is looked up in the pattern
    /// cache, so a template a `datepattern` created under the same key *is*
    /// that copy and gets its weight of 100.
    fn build_defaults(&mut self) {
        if self.defaults_built {
            return;
        }
        self.defaults_built = true;
        let lookups = template::anchored_default_lookups(&self.ex_year);
        for s in &mut self.slots {
            if let Some(k) = &s.key
                && lookups.iter().any(|l| l.contains(k))
            {
                s.t.weight = 100.0;
            }
        }
    }

    /// No templates at the first line: the default set.
    fn ensure_defaults(&mut self) {
        if self.slots.is_empty() {
            self.build_defaults();
            for t in template::all_defaults(&self.ex_year) {
                let _ = self.push(t, false);
            }
        }
    }

    /// Templates in their current order.
    pub fn templates(&self) -> impl Iterator<Item = TemplateInfo<'_>> {
        self.slots.iter().map(|s| TemplateInfo {
            name: &s.t.name,
            hits: s.hits,
            weight: s.weight(),
            template_weight: s.t.weight,
            pattern: s.t.pattern.as_deref(),
            regex: &s.t.regex,
            flags: s.t.flags,
        })
    }

    /// What `Use      datepattern : P : <name>` shows.
    pub fn display_name(&self) -> String {
        if self.slots.is_empty() || self.slots.len() > 2 {
            "Default Detectors".into()
        } else {
            self.slots[0].t.name.clone()
        }
    }

    fn wall_clock(&self) -> f64 {
        match self.opts.wall_clock {
            Some(t) => t,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        }
    }

    /// fail2ban's `matchTime`: the winning template index and the group
    /// spans in `self.spans`.
    fn match_time(&mut self, line: &str) -> Option<usize> {
        self.ensure_defaults();
        let n = self.slots.len();
        let mut spans = std::mem::take(&mut self.spans);
        let mut best = std::mem::take(&mut self.best);
        // (index, char distance, char endpos) of the reserved alternative
        let mut found: Option<(usize, i64, i64)> = None;
        let mut winner: Option<(usize, i64, i64)> = None;
        let mut ignore = NO_IDX;
        let i = self.last_idx;
        if i < n {
            let anchored = self.slots[i].anchored();
            let matched = if anchored {
                ignore = i;
                self.slots[i].search(line, 0, line.len(), &mut spans)
            } else {
                let (d, e) = (self.last_pos.at, self.last_end.at);
                let lp = self.last_pos;
                let le = self.last_end;
                let left = char_at(line, d - 1) == lp.before
                    || (char_at(line, d) == lp.after && !isalnum(lp.after));
                let right = char_at(line, e) == le.after
                    || (char_at(line, e - 1) == le.before && !isalnum(le.before));
                if left && right {
                    let (bp, be) = (byte_index(line, d), byte_index(line, e));
                    self.slots[i].search(line, bp, be, &mut spans)
                } else {
                    ignore = i;
                    self.slots[i].search(line, 0, line.len(), &mut spans)
                }
            };
            if matched {
                let (s, e) = spans[0].unwrap();
                let (ds, de) = (char_index(line, s), char_index(line, e));
                if n == 1 || anchored || (ds == self.last_pos.at && de == self.last_end.at) {
                    winner = Some((i, ds, de));
                } else {
                    found = Some((i, ds, de));
                    std::mem::swap(&mut best, &mut spans);
                }
            }
        }
        if winner.is_none() {
            let mut i = 0;
            while i < n {
                if i == ignore {
                    i += 1;
                    continue;
                }
                if self.slots[i].search(line, 0, line.len(), &mut spans) {
                    let (s, e) = spans[0].unwrap();
                    let ds = char_index(line, s);
                    let de = char_index(line, e);
                    let slot = &self.slots[i];
                    if i + 1 >= n
                        || slot.anchored()
                        || (ds == 0 && slot.hits > 0 && self.slots[i + 1].matched == 0)
                    {
                        winner = Some((i, ds, de));
                        break;
                    }
                    if ds > slot.distance || ds > self.last_pos.at {
                        if found.is_none_or(|f| ds < f.1) {
                            found = Some((i, ds, de));
                            std::mem::swap(&mut best, &mut spans);
                        }
                        i += 1;
                        continue;
                    }
                    winner = Some((i, ds, de));
                    break;
                }
                i += 1;
            }
            if winner.is_none() {
                if let Some(f) = found {
                    winner = Some(f);
                    std::mem::swap(&mut best, &mut spans);
                }
            }
        }
        let result = winner.map(|(i, ds, de)| {
            let now = self.wall_clock();
            let slot = &mut self.slots[i];
            slot.hits += 1;
            slot.last_used = now;
            slot.distance = ds;
            if self.first_unused == i {
                self.first_unused += 1;
            }
            let (_, e) = spans[0].unwrap();
            self.last_pos = Pos {
                at: ds,
                before: char_at(line, ds - 1),
                after: char_at(line, ds),
            };
            // Python's line[endpos-1] wraps to the last char for endpos 0
            let before_end = if de == 0 {
                line.chars().next_back()
            } else {
                line[..e].chars().next_back()
            };
            self.last_end = Pos {
                at: de,
                before: before_end,
                after: char_at(line, de),
            };
            let mut i = i;
            if i != 0 && i != self.last_idx {
                i = self.reorder(i);
            }
            self.last_idx = i;
            i
        });
        self.spans = spans;
        self.best = best;
        result
    }

    /// fail2ban's `_reorderTemplate` (bubble up).
    fn reorder(&mut self, num: usize) -> usize {
        let untime = self.slots[num].last_used - 300.0;
        let weight = self.slots[num].weight();
        let mut pos = if self.first_unused < num {
            self.first_unused
        } else {
            num / 2
        };
        let moveable = |slots: &[Slot], pos: usize| {
            weight > slots[pos].weight() || untime > slots[pos].last_used
        };
        if !moveable(&self.slots, pos) {
            if pos == num - 1 {
                return num;
            }
            pos = num - 1;
            if !moveable(&self.slots, pos) {
                return num;
            }
        }
        let s = self.slots.remove(num);
        self.slots.insert(pos, s);
        while self.first_unused < self.slots.len() && self.slots[self.first_unused].hits > 0 {
            self.first_unused += 1;
        }
        pos
    }

    /// Find the date in `line` (fail2ban's `matchTime` + `getTime`).
    pub fn detect(&mut self, line: &str) -> Option<DateMatch> {
        let idx = self.match_time(line)?;
        let slot = &self.slots[idx];
        let (ms, me) = self.spans[0].unwrap();
        let (s, e) = self.spans.get(1).copied().flatten().unwrap_or((ms, ms));
        let mut m = DateMatch {
            span: (s, e),
            match_span: (ms, me),
            time: None,
            time_is_int: false,
            error: None,
            template: idx,
        };
        if s == e {
            return Some(m);
        }
        let text = &line[s..e];
        let id = slot.id;
        let res = match &self.cache {
            Some((cid, ctext, r)) if *cid == id && ctext == text => r.clone(),
            _ => {
                let r = self.convert(idx, line);
                match &mut self.cache {
                    Some((cid, ctext, cr)) => {
                        *cid = id;
                        ctext.clear();
                        ctext.push_str(text);
                        *cr = r.clone();
                    }
                    None => self.cache = Some((id, text.to_string(), r.clone())),
                }
                r
            }
        };
        match res {
            Ok(t) => {
                m.time = Some(t.secs);
                m.time_is_int = t.is_int;
            }
            Err(e) => m.error = Some(e),
        }
        Some(m)
    }

    fn convert(&self, idx: usize, line: &str) -> Result<Time, ConvError> {
        let slot = &self.slots[idx];
        let spans = &self.spans;
        let text_of = |g: usize| spans.get(g).copied().flatten().map(|(s, e)| &line[s..e]);
        match slot.t.kind {
            Kind::Epoch { long, group } => convert::epoch(text_of(group).unwrap_or(""), long),
            Kind::Tai64n => convert::tai64n(text_of(1).unwrap_or("")),
            Kind::Pattern => {
                let fields = slot.fields.get_or_init(|| {
                    let Some(re) = slot.regex() else {
                        return Vec::new();
                    };
                    re.names()
                        .iter()
                        .enumerate()
                        .filter_map(|(i, n)| {
                            let n = n.as_deref()?;
                            CONV_KEYS.iter().find(|k| **k == n).map(|k| (*k, i))
                        })
                        .collect()
                });
                let groups = fields
                    .iter()
                    .filter_map(|&(k, g)| text_of(g).map(|t| (k, t)));
                let ctx = Ctx {
                    now: &self.now,
                    local: &self.opts.local_tz,
                    default_tz: self.default_tz,
                };
                convert::strptime_groups(groups, &ctx)
            }
        }
    }
}

#[cfg(test)]
mod tests;
