//! The one place where the date module compiles regular expressions.
//!
//! Template regexes are written in Python `re` syntax.  Each one is compiled
//! twice when possible:
//!
//! * a *fast* form for the `regex` crate (DFA based, no backtracking): the
//!   zero-width boundary lookaheads that the templates use are rewritten into
//!   consuming groups with empty marker groups recording where the real match
//!   starts/ends, and the `(?P<_sep>…)…(?P=_sep)` backreference is relaxed
//!   into a second group whose text is compared after the match (a mismatch
//!   falls back to the slow form);
//! * a *slow* form for fancy-regex, used for everything the fast form cannot
//!   express (lookbehinds, conditionals, other backreferences) and as the
//!   fallback.
//!
//! When `crate::pyre` lands, [`compile_slow`] is the function to switch.

use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

/// Group spans of one match, indexed like the groups of the Python regex
/// (0 = whole match).
pub(crate) type Spans = Vec<Option<(usize, usize)>>;

/// Compile a Python-syntax regex with the backtracking engine.
pub(crate) fn compile_slow(py: &str) -> Result<fancy_regex::Regex, String> {
    fancy_regex::Regex::new(py).map_err(|e| e.to_string())
}

const M_BEG: &str = "__f2b_b";
const M_END: &str = "__f2b_e";
const M_SEP: &str = "__f2b_s";

const WORD_BEGIN: &str = r"(?=^|\b|\W)";
const WORD_END: &str = r"(?=\b|\W|$)";

struct Fast {
    re: regex::Regex,
    /// The same pattern with ASCII classes, for ASCII lines (a much
    /// smaller automaton: captures cost a fraction).
    ascii: Option<regex::bytes::Regex>,
    /// original group index -> fast group index
    map: Vec<usize>,
    beg: Option<usize>,
    end: Option<usize>,
    /// (group of `_sep`, group of its relaxed back-reference)
    sep: Option<(usize, usize)>,
}

/// A compiled template regex with its group names.
pub(crate) struct DateRegex {
    slow: fancy_regex::Regex,
    fast: Option<Fast>,
    names: Vec<Option<String>>,
}

/// Rewrite a Python template regex into the fast dialect, or `None` when it
/// uses something the fast engine cannot do with the same semantics.
fn fast_source(py: &str) -> Option<String> {
    // Split off leading global flags like `(?iu)`.
    let (flags, mut body) = match py.strip_prefix("(?") {
        Some(rest)
            if rest
                .find(')')
                .is_some_and(|p| rest[..p].bytes().all(|b| b.is_ascii_lowercase()) && p > 0) =>
        {
            let p = rest.find(')').unwrap();
            (&py[..p + 3], &py[p + 3..])
        }
        _ => ("", py),
    };
    let mut out = String::with_capacity(py.len() + 40);
    out.push_str(flags);
    if let Some(rest) = body.strip_prefix(WORD_BEGIN) {
        out.push_str(&format!(r"(?:^|\b|\W)(?P<{M_BEG}>)"));
        body = rest;
    }
    let mut tail = "";
    if let Some(rest) = body.strip_suffix(WORD_END) {
        if !rest.ends_with('\\') {
            body = rest;
            tail = r"(?:\b|\W|$)";
        }
    }
    // Relax the `_sep` back-reference.
    let mut text = body.to_string();
    if let Some(p) = text.find("(?P=_sep)") {
        let def = text.find("(?P<_sep>")?;
        let end = crate::pyre::group_end(text.as_bytes(), def)?;
        let inner = text[def + "(?P<_sep>".len()..end - 1].to_string();
        text.replace_range(p..p + "(?P=_sep)".len(), &format!("(?P<{M_SEP}>{inner})"));
    }
    // Anything else fancy stays with the slow engine.
    for bad in [
        "(?=", "(?!", "(?<", "(?(", "(?P=", "(?#", "\\Z", "{,", "(?P>",
    ] {
        if text.contains(bad) {
            return None;
        }
    }
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(1) {
        if b[i] == b'\\' && b[i + 1].is_ascii_digit() && (i == 0 || b[i - 1] != b'\\') {
            return None;
        }
    }
    out.push_str(&text);
    if !tail.is_empty() {
        out.push_str(&format!("(?P<{M_END}>)"));
        out.push_str(tail);
    }
    Some(out)
}

impl DateRegex {
    pub(crate) fn new(py: &str) -> Result<DateRegex, String> {
        let slow = compile_slow(py)?;
        let names: Vec<Option<String>> = slow
            .capture_names()
            .map(|n| n.map(str::to_string))
            .collect();
        let fast = fast_source(py).and_then(|src| {
            let re = regex::Regex::new(&src).ok()?;
            let mut map = Vec::with_capacity(names.len());
            let (mut beg, mut end, mut sep_relaxed) = (None, None, None);
            for (i, n) in re.capture_names().enumerate() {
                match n {
                    Some(M_BEG) => beg = Some(i),
                    Some(M_END) => end = Some(i),
                    Some(M_SEP) => sep_relaxed = Some(i),
                    _ => map.push(i),
                }
            }
            if map.len() != names.len() {
                return None;
            }
            let sep = match sep_relaxed {
                Some(r) => {
                    let s = names.iter().position(|n| n.as_deref() == Some("_sep"))?;
                    Some((map[s], r))
                }
                None => None,
            };
            let ascii = regex::bytes::RegexBuilder::new(&src)
                .unicode(false)
                .build()
                .ok()
                .filter(|a| a.captures_len() == re.captures_len());
            Some(Fast {
                re,
                ascii,
                map,
                beg,
                end,
                sep,
            })
        });
        Ok(DateRegex { slow, fast, names })
    }

    /// Group names by index (index 0 is the whole match).
    pub(crate) fn names(&self) -> &[Option<String>] {
        &self.names
    }

    #[cfg(test)]
    pub(crate) fn has_fast(&self) -> bool {
        self.fast.is_some()
    }

    /// Python's `pattern.search(text, pos, endpos)`: `pos`/`endpos` are byte
    /// offsets on char boundaries.  Fills `out` (one slot per group).
    pub(crate) fn search(
        &self,
        text: &str,
        pos: usize,
        endpos: usize,
        out: &mut Spans,
        locs: &mut Locs,
    ) -> bool {
        let endpos = endpos.min(text.len());
        if pos > endpos {
            return false;
        }
        let hay = &text[..endpos];
        if let Some(f) = &self.fast {
            // With a word-begin marker, the consuming `\W` alternative may
            // need the char before `pos`; leave that corner to the slow engine.
            let corner = pos > 0
                && f.beg.is_some()
                && hay[pos..].chars().next().is_some_and(|c| !is_word(c));
            if !corner {
                // The DFA finds the span cheaply; when the matched text and its
                // left context equal the previous match's, the groups are the
                // same (shifted), so the capture engine can be skipped.
                let ascii = f.ascii.as_ref().filter(|_| hay.is_ascii());
                let found = match ascii {
                    Some(a) => a.find_at(hay.as_bytes(), pos).map(|m| (m.start(), m.end())),
                    None => f.re.find_at(hay, pos).map(|m| (m.start(), m.end())),
                };
                let Some((qs, qe)) = found else {
                    return false;
                };
                let before = hay[..qs].chars().next_back();
                let after = hay[qe..].chars().next();
                if let Some(last) = &locs.last {
                    if last.at0 == (qs == 0)
                        && last.before == before
                        && last.after == after
                        && last.text == hay[qs..qe]
                    {
                        out.clear();
                        out.extend(last.spans.iter().map(|s| s.map(|(a, b)| (a + qs, b + qs))));
                        return true;
                    }
                }
                let r = match ascii {
                    Some(a) => {
                        let cl = locs.ascii_caps.get_or_insert_with(|| a.capture_locations());
                        if a.captures_read_at(cl, hay.as_bytes(), pos).is_none() {
                            Some(false)
                        } else {
                            self.fast_spans(f, hay, |i| cl.get(i), out)
                        }
                    }
                    None => {
                        let cl = locs.caps.get_or_insert_with(|| f.re.capture_locations());
                        self.search_fast(f, hay, pos, out, cl)
                    }
                };
                if let Some(r) = r {
                    if r {
                        let last = locs.last.get_or_insert_with(Default::default);
                        last.at0 = qs == 0;
                        last.before = before;
                        last.after = after;
                        last.text.clear();
                        last.text.push_str(&hay[qs..qe]);
                        last.spans.clear();
                        last.spans
                            .extend(out.iter().map(|s| s.map(|(a, b)| (a - qs, b - qs))));
                    }
                    return r;
                }
            }
        }
        self.search_slow(hay, pos, out)
    }

    /// `None` when the fast result cannot be trusted (separator mismatch).
    fn search_fast(
        &self,
        f: &Fast,
        hay: &str,
        pos: usize,
        out: &mut Spans,
        locs: &mut regex::CaptureLocations,
    ) -> Option<bool> {
        if f.re.captures_read_at(locs, hay, pos).is_none() {
            return Some(false);
        }
        self.fast_spans(f, hay, |i| locs.get(i), out)
    }

    /// The Python group spans from a fast match's capture locations.
    fn fast_spans(
        &self,
        f: &Fast,
        hay: &str,
        get: impl Fn(usize) -> Option<(usize, usize)>,
        out: &mut Spans,
    ) -> Option<bool> {
        if let Some((a, b)) = f.sep {
            let sa = get(a).map(|(s, e)| &hay[s..e]);
            let sb = get(b).map(|(s, e)| &hay[s..e]);
            if sa != sb {
                return None;
            }
        }
        out.clear();
        out.extend(f.map.iter().map(|&i| get(i)));
        let (mut s, mut e) = out[0]?;
        if let Some(b) = f.beg {
            s = get(b)?.0;
        }
        if let Some(m) = f.end {
            e = get(m)?.0;
        }
        out[0] = Some((s, e));
        Some(true)
    }

    fn search_slow(&self, hay: &str, pos: usize, out: &mut Spans) -> bool {
        match self.slow.captures_from_pos(hay, pos) {
            Ok(Some(c)) => {
                out.clear();
                out.extend((0..self.names.len()).map(|i| c.get(i).map(|m| (m.start(), m.end()))));
                true
            }
            _ => false,
        }
    }

    #[cfg(test)]
    pub(crate) fn search_slow_only(
        &self,
        text: &str,
        pos: usize,
        endpos: usize,
        out: &mut Spans,
    ) -> bool {
        let endpos = endpos.min(text.len());
        if pos > endpos {
            return false;
        }
        self.search_slow(&text[..endpos], pos, out)
    }
}

/// Per-user scratch space of a [`DateRegex`] search.
#[derive(Default)]
pub(crate) struct Locs {
    caps: Option<regex::CaptureLocations>,
    ascii_caps: Option<regex::bytes::CaptureLocations>,
    last: Option<LastFast>,
}

/// The previous fast match: its text, left context and group spans
/// relative to the match start.
#[derive(Default)]
struct LastFast {
    at0: bool,
    before: Option<char>,
    after: Option<char>,
    text: String,
    spans: Spans,
}

/// Compile (or reuse) the regex of a template; compiled regexes are shared
/// process-wide, like fail2ban's template cache.
pub(crate) fn compile_cached(py: &str) -> Result<Arc<DateRegex>, String> {
    static CACHE: OnceLock<Mutex<FxHashMap<String, Arc<DateRegex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap().get(py) {
        return Ok(r.clone());
    }
    let r = Arc::new(DateRegex::new(py)?);
    cache.lock().unwrap().insert(py.to_string(), r.clone());
    Ok(r)
}

/// Python's `\w` for one char (close enough: alphanumerics and `_`).
pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Small regexes used while building templates (Python semantics that
/// fancy-regex shares for these simple expressions).
pub(crate) fn meta(py: &str) -> fancy_regex::Regex {
    compile_slow(py).expect("internal date regex")
}
