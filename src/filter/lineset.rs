//! One anchored multi-pattern automaton over a whole one-line buffer,
//! for filters whose prefregex is `X(?P<content>.+)$`: a single scan says
//! whether the prefregex matches and which failregexes could match its
//! content. Most lines of a log end there, without the prefix search and
//! the per-failregex prefilters that would otherwise run one by one.
//!
//! Pattern 0 is `\A X [^\n]`: on a buffer of one line plus its `\n`, the
//! prefregex matches exactly when some match of `X` leaves at least one
//! character of the line for `.+` (Python backtracks into `X` to find
//! one), so pattern 0 decides the prefregex exactly.
//!
//! Pattern `1 + i` is a superset of "failregex i matches the content":
//! `\A X R` when the failregex is `^R` (not MULTILINE), else
//! `\A X (?s:.)*? F`, with `R`/`F` translated as suffix gates (start
//! anchors and word boundaries dropped, so they only widen). The real
//! content starts at one particular end of `X`; allowing any end widens
//! it further.

use crate::pyre::{self, Flags, Mode};
use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};
use std::sync::OnceLock;

/// A prefregex's `X` and the failregexes, as Python pattern texts.
struct Pieces {
    prefix: (String, Flags),
    fails: Vec<(String, Flags)>,
}

pub struct LineSet {
    ascii: Regex,
    pieces: Pieces,
    unicode: OnceLock<Option<Regex>>,
}

/// What the scan says about one buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineVerdict {
    /// The prefregex does not match.
    NoPrefix,
    /// The prefregex matches; `candidates` has bit `i` set for each
    /// failregex `i` that could match its content (none: no failure).
    Prefix { candidates: u64 },
}

type Translate = fn(&str, Flags, Mode) -> Result<String, pyre::Error>;

/// `Some(rest)` when `pattern` is `^rest` with the `^` anchoring the whole
/// (non-MULTILINE) pattern at the start.
fn strip_start_anchor(pattern: &str, flags: Flags) -> Option<&str> {
    let rest = pattern.strip_prefix('^')?;
    super::regex::anchored_at_start(pattern, flags).then_some(rest)
}

fn patterns(p: &Pieces, translate: Translate) -> Option<Vec<String>> {
    let x = translate(&p.prefix.0, p.prefix.1, Mode::SingleLine).ok()?;
    let mut out = vec![format!(r"\A(?:{x})[^\n]")];
    for (f, flags) in &p.fails {
        let anchored = strip_start_anchor(f, *flags)
            .and_then(|rest| translate(rest, *flags, Mode::GateSuffix).ok());
        let piece = match anchored {
            Some(r) => format!(r"\A(?:{x})(?:{r})"),
            None => format!(
                r"\A(?:{x})(?s:.)*?(?:{})",
                translate(f, *flags, Mode::GateSuffix).ok()?
            ),
        };
        out.push(piece);
    }
    Some(out)
}

fn build(patterns: &[String]) -> Option<Regex> {
    Regex::builder()
        .configure(
            Regex::config()
                .match_kind(MatchKind::All)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(8 << 20),
        )
        .build_many(patterns)
        .ok()
}

impl LineSet {
    /// `None` when `X` is not anchored at the start (`^`/`\A`), there are
    /// more than 64 failregexes, or a piece cannot be expressed for the
    /// `regex` crate.
    pub fn new(prefix: (String, Flags), fails: Vec<(String, Flags)>) -> Option<LineSet> {
        if fails.len() > 64 || !super::regex::anchored_at_start(&prefix.0, prefix.1) {
            return None;
        }
        let pieces = Pieces { prefix, fails };
        let ascii = build(&patterns(&pieces, pyre::translate_ascii)?)?;
        Some(LineSet {
            ascii,
            pieces,
            unicode: OnceLock::new(),
        })
    }

    /// A scratch set for [`LineSet::scan`] (one per filter: the scan
    /// runs on every line and should not allocate).
    pub fn pattern_set(&self) -> PatternSet {
        PatternSet::new(self.ascii.pattern_len())
    }

    /// The verdict on a one-line buffer (the line and its `\n`); `None`
    /// when the Unicode build is not possible. `set` comes from
    /// [`LineSet::pattern_set`].
    pub fn scan(&self, buf: &str, set: &mut PatternSet) -> Option<LineVerdict> {
        let re = if buf.is_ascii() {
            &self.ascii
        } else {
            self.unicode
                .get_or_init(|| build(&patterns(&self.pieces, pyre::translate)?))
                .as_ref()?
        };
        set.clear();
        re.which_overlapping_matches(&Input::new(buf).anchored(Anchored::Yes), set);
        if !set.contains(0.into()) {
            return Some(LineVerdict::NoPrefix);
        }
        let candidates = set
            .iter()
            .filter(|p| p.as_usize() > 0)
            .fold(0u64, |m, p| m | 1 << (p.as_usize() - 1));
        Some(LineVerdict::Prefix { candidates })
    }
}
