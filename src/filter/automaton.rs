//! A `regex`-crate automaton in two builds: one for ASCII haystacks
//! (classes cut to ASCII, built up front, small and fast) and one for any
//! haystack, built the first time a non-ASCII buffer comes along.

use crate::pyre;
use std::sync::OnceLock;

pub struct DualAutomaton {
    ascii: regex::Regex,
    /// Python patterns (with flags) and how they are translated, for the
    /// Unicode build (made only when needed: it costs more than the rest).
    pieces: Vec<(String, pyre::Flags)>,
    mode: pyre::Mode,
    anchored: bool,
    unicode: OnceLock<Option<regex::Regex>>,
}

type Translate = fn(&str, pyre::Flags, pyre::Mode) -> Result<String, pyre::Error>;

fn join(
    pieces: &[(String, pyre::Flags)],
    mode: pyre::Mode,
    anchored: bool,
    translate: Translate,
) -> Option<String> {
    let parts: Option<Vec<String>> = pieces
        .iter()
        .map(|(p, f)| translate(p, *f, mode).ok().map(|t| format!("(?:{t})")))
        .collect();
    let alt = parts?.join("|");
    Some(if anchored {
        format!("\\A(?:{alt})")
    } else {
        alt
    })
}

fn build(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(2 << 20)
        .build()
        .ok()
}

impl DualAutomaton {
    /// The alternation of `pieces` translated for `mode` (anchored at the
    /// start with `\A` when asked); `None` when the ASCII form does not
    /// build (a piece needs the backtracking engine, or is too large).
    pub fn new(
        pieces: Vec<(String, pyre::Flags)>,
        mode: pyre::Mode,
        anchored: bool,
    ) -> Option<DualAutomaton> {
        if pieces.is_empty() {
            return None;
        }
        let ascii = join(&pieces, mode, anchored, pyre::translate_ascii)?;
        Some(DualAutomaton {
            ascii: build(&ascii)?,
            pieces,
            mode,
            anchored,
            unicode: OnceLock::new(),
        })
    }

    fn unicode(&self) -> Option<&regex::Regex> {
        self.unicode
            .get_or_init(|| {
                join(&self.pieces, self.mode, self.anchored, pyre::translate)
                    .and_then(|p| build(&p))
            })
            .as_ref()
    }

    /// The end of the leftmost-first match; `None` when the Unicode build
    /// is not possible.
    pub fn find_end(&self, hay: &str) -> Option<Option<usize>> {
        let re = if hay.is_ascii() {
            &self.ascii
        } else {
            self.unicode()?
        };
        Some(re.find(hay).map(|m| m.end()))
    }

    /// Whether the automaton matches; `None` when the Unicode build is not
    /// possible (callers then fall back to the full engine).
    pub fn is_match(&self, hay: &str) -> Option<bool> {
        if hay.is_ascii() {
            return Some(self.ascii.is_match(hay));
        }
        self.unicode().map(|r| r.is_match(hay))
    }
}
