//! A `regex`-crate automaton in two builds: one for ASCII haystacks
//! (classes cut to ASCII, built up front, small and fast) and one for any
//! haystack, built the first time a non-ASCII buffer comes along.

use std::sync::OnceLock;

pub struct DualAutomaton {
    ascii: regex::Regex,
    unicode_pattern: String,
    unicode: OnceLock<Option<regex::Regex>>,
}

fn build(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(2 << 20)
        .build()
        .ok()
}

impl DualAutomaton {
    /// `None` when the ASCII form does not build (the pattern needs the
    /// backtracking engine, or is too large).
    pub fn new(ascii_pattern: &str, unicode_pattern: String) -> Option<DualAutomaton> {
        Some(DualAutomaton {
            ascii: build(ascii_pattern)?,
            unicode_pattern,
            unicode: OnceLock::new(),
        })
    }

    /// The end of the leftmost-first match; `None` when the Unicode build
    /// is not possible.
    pub fn find_end(&self, hay: &str) -> Option<Option<usize>> {
        let re = if hay.is_ascii() {
            &self.ascii
        } else {
            self.unicode
                .get_or_init(|| build(&self.unicode_pattern))
                .as_ref()?
        };
        Some(re.find(hay).map(|m| m.end()))
    }

    /// Whether the automaton matches; `None` when the Unicode build is not
    /// possible (callers then fall back to the full engine).
    pub fn is_match(&self, hay: &str) -> Option<bool> {
        if hay.is_ascii() {
            return Some(self.ascii.is_match(hay));
        }
        self.unicode
            .get_or_init(|| build(&self.unicode_pattern))
            .as_ref()
            .map(|r| r.is_match(hay))
    }
}
