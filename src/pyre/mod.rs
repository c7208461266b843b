//! A Python 3.11 `re` front end onto fancy-regex.
//!
//! fail2ban compiles its failregex / prefregex / ignoreregex and date
//! template regexes with Python's `re`. This module accepts exactly the
//! patterns Python 3.11 accepts (same `re.error` messages and positions, see
//! [`Error`]), and translates them into fancy-regex syntax that matches with
//! Python's semantics.
//!
//! # Translation
//!
//! * The pattern is parsed into an AST following `re._parser` (the grammar,
//!   the checks and their order; the code is independent).
//! * `\d`, `\s`, `\w` (and their negations, and classes using them) are
//!   emitted as explicit code point classes built from Python 3.11's own
//!   tables (`str.isdecimal`, `str.isspace`, `str.isalnum() or '_'`), so they
//!   classify exactly as fail2ban's interpreter does. The `regex` crate runs
//!   such classes in its DFAs at the same speed as its built-in `\w`.
//!   With the ASCII flag they become the ASCII classes.
//! * `\b` / `\B` use the `regex` crate's Unicode word boundary. Its word
//!   characters (Unicode `\w`: alphabetic, marks, `Nd`, `Pc`, join controls)
//!   differ from Python's (`isalnum()` or `_`) for combining marks,
//!   connector punctuation other than `_`, and a few others; an exact
//!   boundary would need lookarounds on every `\b` (the slow engine), so this
//!   is a documented approximation. Python's `\B` never matches in an empty
//!   string; here it does.
//! * Non-MULTILINE `$` is `(?=\n?\z)` (end, or before a final `\n`). That is
//!   a lookaround, which keeps fancy-regex off its fast path, so every
//!   pattern containing it is also compiled in a second form with `(?m:$)`
//!   and [`Regex::search`] uses that form whenever the haystack has no `\n`
//!   before its last character (then both are the same). `\Z` is `\z`.
//!   MULTILINE `^`/`$` are the `regex` crate's `(?m:^)`/`(?m:$)`.
//! * Groups keep Python's numbering (capturing groups are emitted unnamed;
//!   names are kept in [`Regex::group_index`]). Backreferences, conditionals
//!   `(?(1)yes|no)`, lookarounds, atomic groups and possessive repeats map to
//!   fancy-regex's constructs.
//! * IGNORECASE (Unicode) uses the `regex` crate's simple case folding;
//!   Python compares `lower()` forms plus a small table of extra
//!   equivalences, which agree for practically all letters; characters whose
//!   Unicode case data changed after Unicode 14 may differ. With ASCII,
//!   IGNORECASE only folds ASCII letters, as in Python.
//!
//! # Not exact
//!
//! * `\N{NAME}` escapes: no Unicode name table is included, so every name
//!   is reported as `undefined character name` (Python accepts real names).
//! * Group names use the `regex` crate's XID tables for `str.isidentifier()`.
//! * Patterns Python accepts but the engine cannot build (e.g. a huge
//!   counted repeat beyond the `regex` crate's size limit, or a backreference
//!   inside a lookbehind) are rejected with an `engine:` message.
//! * Repeats of patterns that can match the empty string (`(a|)*`) may set
//!   captures differently from Python's SRE in corner cases: Python makes
//!   one more empty iteration, so `(a*)+` on `aa` gives group 1 = `(2, 2)`
//!   here `(0, 2)`.
//!
//! # Tests
//!
//! `scripts/record-pyre-errors.py` (Debian's Python 3.11.2) records
//! `testdata/python-compile.jsonl` (hand-picked patterns plus every
//! failregex/prefregex/ignoreregex of the stock filters after tag expansion,
//! and the default date templates) and `testdata/python-search.jsonl`
//! (spans). `tests/pyre_gate.rs` checks gates with proptest;
//! `tests/pyre_perf.rs` is an ignored throughput benchmark; the fuzz target
//! is `cargo +nightly fuzz run -s none pyre` in `fuzz/`.

mod captor;
mod emit;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use captor::{Captor, LazyCaptor};
pub use emit::Mode;

#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Flags {
    pub ignorecase: bool,
    pub multiline: bool,
    pub dotall: bool,
    pub verbose: bool,
    pub ascii: bool,
}

impl Flags {
    fn bits(self) -> u32 {
        let mut f = 0;
        if self.ignorecase {
            f |= parse::F_I;
        }
        if self.multiline {
            f |= parse::F_M;
        }
        if self.dotall {
            f |= parse::F_S;
        }
        if self.verbose {
            f |= parse::F_X;
        }
        if self.ascii {
            f |= parse::F_A;
        }
        f
    }
}

/// Compile options beyond Python's flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// fancy-regex's backtrack limit for each search.
    pub backtrack_limit: usize,
    /// The caller promises haystacks without a `\n` before their last
    /// character: non-MULTILINE `$` is then always `(?m:$)`, skipping the
    /// per-search check.
    pub single_line_haystack: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            backtrack_limit: 1_000_000,
            single_line_haystack: false,
        }
    }
}

/// Python's `re.error` (and the `OverflowError` / `ValueError` that
/// `re.compile` raises for a few patterns, which have no position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub msg: String,
    /// Position in Python `str` indices (chars).
    pub pos: Option<usize>,
    pub pattern: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)?;
        if let Some(pos) = self.pos {
            write!(f, " at position {pos}")?;
            if self.pattern.contains('\n') {
                let before: Vec<char> = self.pattern.chars().take(pos).collect();
                let line = before.iter().filter(|&&c| c == '\n').count() + 1;
                let col = match before.iter().rposition(|&c| c == '\n') {
                    Some(i) => pos - i,
                    None => pos + 1,
                };
                write!(f, " (line {line}, column {col})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A search gave up: the backtrack budget was exceeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchError {
    pub detail: String,
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regex search aborted: {}", self.detail)
    }
}

impl std::error::Error for MatchError {}

/// The engines of one haystack class.
struct Engines {
    exact: fancy_regex::Regex,
    /// The `(?m:$)` form, when the pattern has a non-MULTILINE `$`.
    single_line: Option<fancy_regex::Regex>,
    /// The direct capture engines of the same texts, when the `regex`
    /// crate takes them (built at the first search: linting compiles many
    /// regexes and searches few).
    exact_captor: LazyCaptor,
    single_line_captor: LazyCaptor,
}

struct Inner {
    pattern: String,
    parsed: parse::Parsed,
    limit: usize,
    plain_dollar: bool,
    always_single_line: bool,
    groups: usize,
    names: Vec<(String, usize)>,
    gate: String,
    /// Engines for ASCII haystacks (classes cut to ASCII: small, fast to
    /// build and to run), built at compile time.
    ascii: Engines,
    /// Engines for any haystack, built at the first non-ASCII one.
    unicode: std::sync::OnceLock<Result<Engines, Error>>,
}

/// A compiled Python pattern. Cloning is cheap (shared).
#[derive(Clone)]
pub struct Regex {
    inner: Arc<Inner>,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pyre::Regex({:?})", self.inner.pattern)
    }
}

/// Compile `pattern` as Python's `re.compile(pattern, flags)` would.
pub fn compile(pattern: &str, flags: Flags) -> Result<Regex, Error> {
    compile_with(pattern, flags, Options::default())
}

/// [`compile`] with a custom backtrack limit.
pub fn with_backtrack_limit(pattern: &str, flags: Flags, limit: usize) -> Result<Regex, Error> {
    compile_with(
        pattern,
        flags,
        Options {
            backtrack_limit: limit,
            ..Options::default()
        },
    )
}

/// Python's parse tree of `pattern` (`sre_parse`'s `SubPattern`), for
/// analyses such as the linter's; errors as [`check`] reports them.
pub fn parse_tree(pattern: &str, flags: Flags) -> Result<ast::Parsed, Error> {
    parse::parse_pattern(pattern, flags.bits())
}

/// The parse tree's types.
pub mod ast {
    pub use super::parse::{At, Cat, F_A, F_I, F_M, F_S, F_U, F_X, Node, Parsed, RepKind, SetItem};
    /// `MAXREPEAT`: an unbounded repeat's `max`.
    pub const MAXREPEAT: u64 = super::parse::MAXREPEAT;
}

/// Only parse (accept/reject exactly as Python does), without building the engine.
pub fn check(pattern: &str, flags: Flags) -> Result<(), Error> {
    parse::parse_pattern(pattern, flags.bits()).map(|_| ())
}

fn build(text: &str, pattern: &str, limit: usize) -> Result<fancy_regex::Regex, Error> {
    fancy_regex::RegexBuilder::new(text)
        .backtrack_limit(limit)
        .build()
        .map_err(|e| Error {
            msg: format!("engine: {e}"),
            pos: None,
            pattern: pattern.to_string(),
        })
}

fn build_engines(
    p: &parse::Parsed,
    pattern: &str,
    limit: usize,
    plain_dollar: bool,
    single_line_haystack: bool,
    ascii: bool,
) -> Result<Engines, Error> {
    let (single_line, single_line_captor) = if plain_dollar {
        let text = emit::emit_with(p, Mode::SingleLine, ascii);
        (Some(build(&text, pattern, limit)?), LazyCaptor::new(text))
    } else {
        (None, LazyCaptor::none())
    };
    let (exact, exact_captor) = if plain_dollar && single_line_haystack {
        (
            single_line.clone().unwrap_or_else(unreachable_regex),
            LazyCaptor::none(),
        )
    } else {
        let text = emit::emit_with(p, Mode::Exact, ascii);
        (build(&text, pattern, limit)?, LazyCaptor::new(text))
    };
    Ok(Engines {
        exact,
        single_line,
        exact_captor,
        single_line_captor,
    })
}

pub fn compile_with(pattern: &str, flags: Flags, options: Options) -> Result<Regex, Error> {
    let p = parse::parse_pattern(pattern, flags.bits())?;
    let multiline = p.flags & parse::F_M != 0;
    let plain_dollar = emit::has_plain_dollar(&p.nodes, multiline);
    let limit = options.backtrack_limit;
    let ascii = build_engines(
        &p,
        pattern,
        limit,
        plain_dollar,
        options.single_line_haystack,
        true,
    )?;
    let gate = emit::emit(&p, Mode::Gate);
    Ok(Regex {
        inner: Arc::new(Inner {
            pattern: pattern.to_string(),
            groups: p.groups - 1,
            names: p.names.clone(),
            parsed: p,
            limit,
            plain_dollar,
            always_single_line: options.single_line_haystack,
            gate,
            ascii,
            unicode: std::sync::OnceLock::new(),
        }),
    })
}

fn unreachable_regex() -> fancy_regex::Regex {
    // Only used on a path where `single_line` is always Some.
    fancy_regex::Regex::new("[^\\x{0}-\\x{10FFFF}]").expect("valid")
}

/// In Python pattern text, the index just past the group opened at `open`
/// (balanced parentheses, honouring escapes and classes).
pub fn group_end(s: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    let mut in_class = false;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 1,
            b'[' if !in_class => {
                in_class = true;
                // a ']' right after '[' or '[^' is literal
                if s.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if s.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if in_class => in_class = false,
            b'(' if !in_class => depth += 1,
            b')' if !in_class => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The translation of `pattern` for a mode (for tests and diagnostics).
pub fn translate(pattern: &str, flags: Flags, mode: Mode) -> Result<String, Error> {
    let p = parse::parse_pattern(pattern, flags.bits())?;
    Ok(emit::emit(&p, mode))
}

/// [`translate`] for haystacks known to be ASCII: the same matches on
/// those, with classes cut down to ASCII.
pub fn translate_ascii(pattern: &str, flags: Flags, mode: Mode) -> Result<String, Error> {
    let p = parse::parse_pattern(pattern, flags.bits())?;
    Ok(emit::emit_with(&p, mode, true))
}

/// One search result: spans are byte offsets into the haystack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match<'t> {
    text: &'t str,
    spans: Vec<Option<(usize, usize)>>,
    regex: Regex,
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
impl Eq for Regex {}

impl<'t> Match<'t> {
    /// Span of group `i` (0 = whole match), `None` if it did not participate.
    pub fn get(&self, i: usize) -> Option<(usize, usize)> {
        self.spans.get(i).copied().flatten()
    }
    /// Span of a named group.
    pub fn name(&self, name: &str) -> Option<(usize, usize)> {
        let &(_, i) = self.regex.inner.names.iter().find(|(n, _)| n == name)?;
        self.get(i)
    }
    pub fn as_str(&self, i: usize) -> Option<&'t str> {
        self.get(i).map(|(a, b)| &self.text[a..b])
    }
    pub fn name_str(&self, name: &str) -> Option<&'t str> {
        self.name(name).map(|(a, b)| &self.text[a..b])
    }
    pub fn start(&self) -> usize {
        self.get(0).map_or(0, |s| s.0)
    }
    pub fn end(&self) -> usize {
        self.get(0).map_or(0, |s| s.1)
    }
    /// Python's `.groups` count (without group 0).
    pub fn len(&self) -> usize {
        self.spans.len().saturating_sub(1)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `pos`/`endpos` clamped to the text and moved back to char boundaries.
fn char_range(text: &str, pos: usize, endpos: usize) -> (usize, usize) {
    let mut end = endpos.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut pos = pos.min(end);
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    (pos, end)
}

fn interior_newline(text: &str) -> bool {
    let b = text.as_bytes();
    match b.len() {
        0 => false,
        n => memchr::memchr(b'\n', &b[..n - 1]).is_some(),
    }
}

impl Regex {
    pub fn pattern(&self) -> &str {
        &self.inner.pattern
    }
    /// Python's `.groups`.
    pub fn group_count(&self) -> usize {
        self.inner.groups
    }
    /// Python's `.groupindex`, in pattern order.
    pub fn group_index(&self) -> &[(String, usize)] {
        &self.inner.names
    }
    /// A `regex`-crate pattern matching a superset of the haystacks this
    /// regex finds a match in (with [`Regex::search`] from position 0).
    pub fn gate(&self) -> &str {
        &self.inner.gate
    }

    fn engine(&self, hay: &str) -> Result<(&fancy_regex::Regex, Option<&Captor>), MatchError> {
        let inner = &*self.inner;
        let engines = if hay.is_ascii() {
            &inner.ascii
        } else {
            let built = inner.unicode.get_or_init(|| {
                build_engines(
                    &inner.parsed,
                    &inner.pattern,
                    inner.limit,
                    inner.plain_dollar,
                    inner.always_single_line,
                    false,
                )
            });
            match built {
                Ok(e) => e,
                Err(e) => {
                    return Err(MatchError {
                        detail: e.to_string(),
                    });
                }
            }
        };
        Ok(match &engines.single_line {
            Some(sl) if inner.always_single_line || !interior_newline(hay) => {
                (sl, engines.single_line_captor.get())
            }
            _ => (&engines.exact, engines.exact_captor.get()),
        })
    }

    /// Python's `pattern.search(text)`.
    pub fn search<'t>(&self, text: &'t str) -> Result<Option<Match<'t>>, MatchError> {
        self.search_range(text, 0, text.len())
    }

    /// Python's `pattern.search(text, pos, endpos)` with byte offsets
    /// (clamped, and moved back to a char boundary).
    pub fn search_range<'t>(
        &self,
        text: &'t str,
        pos: usize,
        endpos: usize,
    ) -> Result<Option<Match<'t>>, MatchError> {
        self.search_in(text, pos, endpos, true)
    }

    /// [`Regex::search_range`] with fancy-regex alone (for tests that
    /// compare the direct capture engine with it).
    #[doc(hidden)]
    pub fn search_range_fancy<'t>(
        &self,
        text: &'t str,
        pos: usize,
        endpos: usize,
    ) -> Result<Option<Match<'t>>, MatchError> {
        self.search_in(text, pos, endpos, false)
    }

    /// `direct`: the direct capture engine may answer (see [`captor`]).
    fn search_in<'t>(
        &self,
        text: &'t str,
        pos: usize,
        endpos: usize,
        direct: bool,
    ) -> Result<Option<Match<'t>>, MatchError> {
        let (pos, end) = char_range(text, pos, endpos);
        let hay = &text[..end];
        let (re, captor) = self.engine(hay)?;
        if let Some(spans) = captor
            .filter(|_| direct)
            .and_then(|c| c.captures(hay, pos, self.inner.groups))
        {
            return Ok(spans.map(|spans| Match {
                text,
                spans,
                regex: self.clone(),
            }));
        }
        let caps = re.captures_from_pos(hay, pos).map_err(|e| MatchError {
            detail: e.to_string(),
        })?;
        Ok(caps.map(|c| Match {
            text,
            spans: (0..=self.inner.groups)
                .map(|i| c.get(i).map(|m| (m.start(), m.end())))
                .collect(),
            regex: self.clone(),
        }))
    }

    /// Whether `search` finds a match.
    pub fn is_match(&self, text: &str) -> Result<bool, MatchError> {
        self.engine(text)?.0.is_match(text).map_err(|e| MatchError {
            detail: e.to_string(),
        })
    }
}

/// One `regex`-crate pattern matching a superset of what any of `regexes` matches.
pub fn gate_union(regexes: &[&Regex]) -> String {
    if regexes.is_empty() {
        return "[^\\x{0}-\\x{10FFFF}]".into();
    }
    let parts: Vec<String> = regexes
        .iter()
        .map(|r| format!("(?:{})", r.gate()))
        .collect();
    parts.join("|")
}

/// Build the gate with the `regex` crate and run it on `text` (for tests
/// and fuzzing; callers normally build the gate once themselves).
#[doc(hidden)]
pub fn gate_is_match(re: &Regex, text: &str) -> Result<bool, String> {
    let gate = regex::RegexBuilder::new(re.gate())
        .size_limit(1 << 24)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(gate.is_match(text))
}
