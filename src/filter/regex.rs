//! One compiled fail2ban regex (`Regex`/`FailRegex`): tags expanded, the
//! Python pattern compiled through [`crate::pyre`], group bookkeeping, and
//! the split of a multi-line buffer into matched and unmatched lines.

use super::automaton::DualAutomaton;
use super::groups::{FailMap, FailValue, TupleLine, py_splitlines};
use super::tags::{Flavor, global_to_local_flags, map_tag_to_opt, resolve_tags};
use crate::pyre;

/// fail2ban's `RegexException` text, plus the Python `re.error` behind
/// it when there is one (for a pointed diagnostic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError(pub String, pub Option<pyre::Error>);

impl std::fmt::Display for RegexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl RegexError {
    /// `re.error: MSG` with the compiled pattern and a caret under the
    /// position, when Python's error has one.
    pub fn pointed(&self) -> Option<String> {
        let e = self.1.as_ref()?;
        let mut out = format!("re.error: {e}\n");
        let pos = e.pos?;
        // The line of the pattern that holds the position.
        let before: String = e.pattern.chars().take(pos).collect();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count();
        let line = e.pattern[line_start..].split('\n').next().unwrap_or("");
        out.push_str(&format!("  {line}\n  {}^", " ".repeat(col)));
        Some(out)
    }
}

const CONTENT_TAIL: &str = "(?P<content>.+)$";

/// Whether `pattern` can only match at the start of the buffer: its first
/// element is `^` or `\A`, outside MULTILINE.
pub fn anchored_at_start(pattern: &str, flags: pyre::Flags) -> bool {
    let Ok(parsed) = pyre::parse_tree(pattern, flags) else {
        return false;
    };
    parsed.flags & pyre::ast::F_M == 0
        && matches!(
            parsed.nodes.first(),
            Some(pyre::ast::Node::At(
                pyre::ast::At::Beginning | pyre::ast::At::BeginningString
            ))
        )
}

/// Groups that identify a failure, in fail2ban's lookup order.
pub const FAILURE_ID_GROUPS: [&str; 4] = ["fid", "ip4", "ip6", "dns"];

/// A compiled regex.
pub struct FRegex {
    /// The text as configured (tags unexpanded).
    pub original: String,
    /// The text compiled (`getRegex()`).
    pub expanded: String,
    pub re: pyre::Regex,
    /// A `regex`-crate automaton matching a superset of what `re` matches:
    /// a buffer it rejects needs no backtracking search at all.
    prefilter: Option<DualAutomaton>,
    /// The exact pattern as a `regex`-crate automaton, valid for buffers of
    /// one line; `None` when it needs the backtracking engine.
    pub single_line: Option<DualAutomaton>,
    /// Python flags the regex was compiled with.
    pub flags: pyre::Flags,
    /// For a prefregex `X(?P<content>.+)$` whose only group is `content`:
    /// `\AX` as an automaton. On a one-line buffer the match of the whole
    /// pattern is X's first match followed by the rest of the line, when
    /// that rest is not empty – no capture engine needed.
    content_prefix: Option<DualAutomaton>,
    /// `alt_*` groups: (group, target), sorted.
    alt_values: Vec<(String, String)>,
    /// `tuple_*` groups: (group, target), sorted.
    tuple_values: Vec<(String, String)>,
    skiplines: Vec<usize>,
}

/// The outcome of one successful search.
pub struct RegexHit {
    pub start: usize,
    pub end: usize,
    /// `groupdict()` with alt/tuple merging applied.
    pub groups: FailMap,
    pub matched: Vec<TupleLine>,
    pub unmatched: Vec<TupleLine>,
}

/// `^(alt_|tuple_)(.*?)(?:_\d+)?$`.
fn complex_name(name: &str) -> Option<(&'static str, String)> {
    let (kind, rest) = if let Some(r) = name.strip_prefix("alt_") {
        ("alt_", r)
    } else if let Some(r) = name.strip_prefix("tuple_") {
        ("tuple_", r)
    } else {
        return None;
    };
    let base = match rest.rfind('_') {
        Some(i)
            if i + 1 < rest.len() && rest[i + 1..].chars().all(crate::pyfmt::chars::is_digit) =>
        {
            &rest[..i]
        }
        _ => rest,
    };
    Some((kind, map_tag_to_opt(base)))
}

impl FRegex {
    /// `Regex(value, multiline, useDns)`.
    pub fn new(
        value: &str,
        multiline: bool,
        use_dns: &str,
        flavor: Flavor,
        backtrack_limit: usize,
    ) -> Result<FRegex, RegexError> {
        let resolved = resolve_tags(value, use_dns, flavor);
        if resolved
            .trim_start_matches(crate::ini::py_isspace)
            .is_empty()
        {
            return Err(RegexError("Cannot add empty regex".into(), None));
        }
        let expanded = global_to_local_flags(&resolved);
        let flags = pyre::Flags {
            multiline,
            ..Default::default()
        };
        let re = pyre::with_backtrack_limit(&expanded, flags, backtrack_limit).map_err(|e| {
            RegexError(
                format!("Unable to compile regular expression '{expanded}':\n{e}"),
                Some(e),
            )
        })?;
        let mut alt_values = Vec::new();
        let mut tuple_values = Vec::new();
        let mut skiplines = Vec::new();
        for (name, idx) in re.group_index() {
            if let Some(n) = name.strip_prefix("skiplines")
                && let Ok(n) = n.parse::<usize>()
                && n.to_string() == name["skiplines".len()..]
            {
                skiplines.push((n, *idx));
            }
            if name.chars().count() <= 4 {
                continue;
            }
            if let Some((kind, target)) = complex_name(name) {
                if kind == "alt_" {
                    alt_values.push((name.clone(), target));
                } else {
                    tuple_values.push((name.clone(), target));
                }
            }
        }
        alt_values.sort();
        tuple_values.sort();
        // getSkippedLines reads skiplines0, 1, … until one is missing.
        skiplines.sort();
        let mut ordered = Vec::new();
        for (i, (n, idx)) in skiplines.iter().enumerate() {
            if *n != i {
                break;
            }
            ordered.push(*idx);
        }
        let dual = |pattern: &str, mode, anchored| {
            DualAutomaton::new(vec![(pattern.to_string(), flags)], mode, anchored)
        };
        let prefilter = dual(&expanded, pyre::Mode::Gate, false);
        let single_line = dual(&expanded, pyre::Mode::SingleLine, false);
        let content_prefix = match expanded.strip_suffix(CONTENT_TAIL) {
            Some(x)
                if re.group_index().len() == 1
                    && !flags.multiline
                    && anchored_at_start(&expanded, flags) =>
            {
                dual(x, pyre::Mode::SingleLine, true)
            }
            _ => None,
        };
        Ok(FRegex {
            original: value.to_string(),
            expanded,
            prefilter,
            single_line,
            flags,
            content_prefix,
            re,
            alt_values,
            tuple_values,
            skiplines: ordered,
        })
    }

    /// `FailRegex(value, prefRegex)`: also requires a failure-id group.
    pub fn new_fail(
        value: &str,
        multiline: bool,
        use_dns: &str,
        flavor: Flavor,
        backtrack_limit: usize,
        pref: Option<&FRegex>,
    ) -> Result<FRegex, RegexError> {
        let r = FRegex::new(value, multiline, use_dns, flavor, backtrack_limit)?;
        let has_id = |re: &FRegex| {
            re.re
                .group_index()
                .iter()
                .any(|(n, _)| FAILURE_ID_GROUPS.contains(&n.as_str()) || n == "mlfid")
        };
        if !has_id(&r) && !pref.is_some_and(has_id) {
            return Err(RegexError(
                format!("No failure-id group in '{}'", r.expanded),
                None,
            ));
        }
        Ok(r)
    }

    /// `X` of a prefregex `X(?P<content>.+)$` for which `quick_content`
    /// applies.
    pub fn content_prefix_pattern(&self) -> Option<&str> {
        self.content_prefix.as_ref()?;
        self.expanded.strip_suffix(CONTENT_TAIL)
    }

    /// Whether `quick_content` applies to this regex.
    pub fn has_quick_content(&self) -> bool {
        self.content_prefix.is_some()
    }

    /// The start of `content` on a one-line buffer: `Some(None)` when the
    /// prefregex cannot match, `None` when only the full engine can tell.
    pub fn quick_content_start(&self, buf: &str) -> Option<Option<usize>> {
        let end = match self.content_prefix.as_ref()?.find_end(buf)? {
            Some(e) => e,
            None => return Some(None),
        };
        let line_end = buf.len() - usize::from(buf.ends_with('\n'));
        (end < line_end).then_some(Some(end))
    }

    /// Whether the prefilter rules a match out on `hay`.
    pub fn surely_no_match(&self, hay: &str) -> bool {
        self.prefilter
            .as_ref()
            .is_some_and(|p| p.is_match(hay) == Some(false))
    }

    /// The `content` group of a prefregex on a one-line buffer without
    /// running the capture engine (see `content_prefix`); `None` when that
    /// shortcut does not apply.
    pub fn quick_content<'b>(&self, buf: &'b str) -> Option<&'b str> {
        let start = self.quick_content_start(buf)??;
        Some(&buf[start..buf.len() - usize::from(buf.ends_with('\n'))])
    }

    /// Whether the named group closes right before a final `$`, so that it
    /// always reaches the end of a one-line buffer.
    pub fn group_ends_pattern(&self, name: &str) -> bool {
        let open = format!("(?P<{name}>");
        let Some(start) = self.expanded.find(&open) else {
            return false;
        };
        crate::pyre::group_end(self.expanded.as_bytes(), start)
            .is_some_and(|end| &self.expanded[end..] == "$")
    }

    pub fn has_group(&self, name: &str) -> bool {
        self.re.group_index().iter().any(|(n, _)| n == name)
    }

    /// `search(buf, orgLines)`.
    pub fn search(
        &self,
        buf: &str,
        org_lines: &[TupleLine],
    ) -> Result<Option<RegexHit>, pyre::MatchError> {
        self.search_gated(buf, org_lines, false)
    }

    /// [`FRegex::search`]; `gated` when a gate of the caller already let
    /// the buffer through (the prefilter would mostly repeat it).
    pub fn search_gated(
        &self,
        buf: &str,
        org_lines: &[TupleLine],
        gated: bool,
    ) -> Result<Option<RegexHit>, pyre::MatchError> {
        if !gated
            && let Some(p) = &self.prefilter
            && p.is_match(buf) == Some(false)
        {
            return Ok(None);
        }
        let Some(m) = self.re.search(buf)? else {
            return Ok(None);
        };
        let (start, end) = m.get(0).expect("group 0 of a match");
        let mut groups = FailMap::default();
        for (name, idx) in self.re.group_index() {
            let v = match m.get(*idx) {
                Some((s, e)) => FailValue::Str(buf[s..e].to_string()),
                None => FailValue::None,
            };
            groups.insert(name.clone(), v);
        }
        self.merge_complex(&mut groups);
        let (matched, unmatched) = if org_lines.len() <= 1 {
            (org_lines.to_vec(), Vec::new())
        } else {
            self.split_lines(buf, start, end, org_lines, &m)
        };
        Ok(Some(RegexHit {
            start,
            end,
            groups,
            matched,
            unmatched,
        }))
    }

    fn merge_complex(&self, fail: &mut FailMap) {
        for (k, n) in &self.alt_values {
            let v = fail.get(k).cloned().unwrap_or(FailValue::None);
            if v.truthy() && !fail.get(n).is_some_and(|x| x.truthy()) {
                fail.insert(n.clone(), v);
            }
        }
        for (k, n) in &self.tuple_values {
            let v = fail.get(k).cloned().unwrap_or(FailValue::None);
            let t = fail.get(n).cloned().unwrap_or(FailValue::None);
            let t = match t {
                FailValue::Tuple(mut items) => {
                    items.push(v);
                    FailValue::Tuple(items)
                }
                other => FailValue::Tuple(vec![other, v]),
            };
            fail.insert(n.clone(), t);
        }
    }

    fn split_lines(
        &self,
        buf: &str,
        start: usize,
        end: usize,
        org_lines: &[TupleLine],
        m: &pyre::Match<'_>,
    ) -> (Vec<TupleLine>, Vec<TupleLine>) {
        let b = buf.as_bytes();
        // rindex("\n", 0, start + 1) + 1
        let lim = (start + 1).min(b.len());
        let line_start = b[..lim]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        // index("\n", end - 1) + 1; Python's -1 counts from the end.
        let from = if end == 0 {
            b.len().saturating_sub(1)
        } else {
            end - 1
        };
        let line_end = b[from.min(b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| from + i + 1);
        let count1 = b[..line_start].iter().filter(|&&c| c == b'\n').count();
        let count2 = b[..line_end].iter().filter(|&&c| c == b'\n').count();
        let c1 = count1.min(org_lines.len());
        let c2 = count2.min(org_lines.len()).max(c1);
        let mut matched: Vec<TupleLine> = org_lines[c1..c2].to_vec();
        let mut unmatched: Vec<TupleLine> = org_lines[..c1].to_vec();
        let mut skipped = String::new();
        for idx in &self.skiplines {
            if let Some((s, e)) = m.get(*idx) {
                skipped.push_str(&buf[s..e]);
            }
        }
        let mut n = 0;
        for line in py_splitlines(&skipped) {
            if let Some(pos) = matched[n.min(matched.len())..]
                .iter()
                .position(|t| t.without_date() == line)
            {
                unmatched.push(matched.remove(n + pos));
                n += pos;
            }
        }
        unmatched.extend_from_slice(&org_lines[c2..]);
        (matched, unmatched)
    }
}
