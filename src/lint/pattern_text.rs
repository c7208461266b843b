//! Positions in regex text: where quantifiers and character classes are,
//! and which part of a configured (raw) regex a piece of fail2ban's
//! expansion of it comes from. pyre's parse tree has no positions; these
//! scans follow Python's tokenizer closely enough to point at constructs
//! the tree shows.

use crate::filter::Flavor;
use crate::filter::tags::{custom_tag, static_tag, tag_at};
use crate::lint::regex_ast::expand;
use std::ops::Range;

/// One quantifier of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantifier {
    /// Where the repeated item starts.
    pub item: usize,
    /// Where the quantifier (`*`, `+`, `?`, `{m,n}`) starts.
    pub op: usize,
    /// Just past the quantifier and its `?`/`+` modifier.
    pub end: usize,
    /// `b'?'` (lazy), `b'+'` (possessive), or 0.
    pub modifier: u8,
}

/// The end (exclusive) of the character class opened at `open`, as Python
/// reads it: a `]` right after `[` or `[^` is a member; escapes skip.
pub fn class_end(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = open + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    let mut first = true;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b']' if !first => return Some(i + 1),
            _ => {}
        }
        first = false;
        i += 1;
    }
    None
}

/// The end of a `{m,n}` quantifier starting at `open`, by Python's rule
/// (digits, an optional comma and digits, `}`; `{}` is literal).
pub fn brace_end(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = open + 1;
    if b.get(i) == Some(&b'}') {
        return None;
    }
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if b.get(i) == Some(&b',') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    (b.get(i) == Some(&b'}')).then_some(i + 1)
}

fn char_len(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(1, char::len_utf8)
}

/// Every quantifier of a (non-verbose) Python pattern, in text order,
/// which is the post-order of the `Repeat` nodes in its parse tree.
pub fn quantifiers(p: &str) -> Vec<Quantifier> {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut item: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                item = Some(i);
                i += 1 + if i + 1 < b.len() {
                    char_len(p, i + 1)
                } else {
                    0
                };
            }
            b'[' => {
                item = Some(i);
                i = class_end(p, i).unwrap_or(b.len());
            }
            b'(' => {
                if p[i..].starts_with("(?#") {
                    i = p[i..].find(')').map_or(b.len(), |e| i + e + 1);
                    continue;
                }
                groups.push(i);
                item = None;
                i += if b.get(i + 1) == Some(&b'?') { 2 } else { 1 };
            }
            b')' => {
                item = groups.pop();
                i += 1;
            }
            b'|' => {
                item = None;
                i += 1;
            }
            b'*' | b'+' | b'?' | b'{' => {
                let end = if b[i] == b'{' {
                    brace_end(p, i)
                } else {
                    Some(i + 1)
                };
                match (item, end) {
                    (Some(start), Some(mut end)) => {
                        let modifier = match b.get(end) {
                            Some(&m @ (b'?' | b'+')) => {
                                end += 1;
                                m
                            }
                            _ => 0,
                        };
                        out.push(Quantifier {
                            item: start,
                            op: i,
                            end,
                            modifier,
                        });
                        item = None;
                        i = end;
                    }
                    _ => {
                        item = Some(i);
                        i += 1;
                    }
                }
            }
            _ => {
                item = Some(i);
                i += char_len(p, i);
            }
        }
    }
    out
}

/// Byte spans of the fail2ban tags of a raw regex (the ones fail2ban
/// expands; any other `<...>` is literal text).
pub fn tag_spans(raw: &str, flavor: Flavor) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<'
            && let Some(end) = tag_at(raw, i)
        {
            let inner = &raw[i + 1..end - 1];
            if inner == "SKIPLINES"
                || static_tag(inner, "yes", flavor).is_some()
                || custom_tag(inner).is_some()
            {
                out.push(i..end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Maps byte ranges of `expand(raw)` back onto `raw`.
pub struct ExpansionMap {
    /// (raw offset, offset in the expansion) at every raw boundary outside
    /// tags whose expanded prefix is a prefix of the whole expansion.
    points: Vec<(usize, usize)>,
}

impl ExpansionMap {
    pub fn new(raw: &str, use_dns: &str, flavor: Flavor) -> ExpansionMap {
        let full = expand(raw, use_dns, flavor);
        let tags = tag_spans(raw, flavor);
        let mut points = Vec::new();
        for (k, _) in raw.char_indices().chain([(raw.len(), ' ')]) {
            if tags.iter().any(|t| t.start < k && k < t.end) {
                continue;
            }
            let e = expand(&raw[..k], use_dns, flavor);
            if full.starts_with(&e) {
                points.push((k, e.len()));
            }
        }
        ExpansionMap { points }
    }

    /// The raw range the expansion's `range` comes from: exact outside
    /// tags, widened to whole tags inside them.
    pub fn raw_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let start = self
            .points
            .iter()
            .filter(|&&(_, e)| e <= range.start)
            .map(|&(k, _)| k)
            .max()?;
        let end = self
            .points
            .iter()
            .filter(|&&(k, e)| e >= range.end && k >= start)
            .map(|&(k, _)| k)
            .min()?;
        Some(start..end)
    }
}

/// Whether the byte at `i` is escaped by a backslash (an odd run of them).
pub fn escaped(s: &str, i: usize) -> bool {
    s.as_bytes()[..i]
        .iter()
        .rev()
        .take_while(|&&c| c == b'\\')
        .count()
        % 2
        == 1
}

/// The character classes of a pattern: (start, end) of each `[...]`
/// outside other classes.
pub fn classes(p: &str) -> Vec<Range<usize>> {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                let end = class_end(p, i).unwrap_or(b.len());
                out.push(i..end);
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::regex_ast::raw_equivalent;

    #[test]
    fn quantifiers_in_text_order() {
        let p = r"^(a+b)*[*+]\{x\}c{2,}?d{,3}e++(?:f|g)?h{}";
        let q: Vec<&str> = quantifiers(p).iter().map(|q| &p[q.item..q.end]).collect();
        assert_eq!(q, ["a+", "(a+b)*", "c{2,}?", "d{,3}", "e++", "(?:f|g)?"]);
    }

    #[test]
    fn classes_follow_python() {
        assert_eq!(class_end("[]a]", 0), Some(4));
        assert_eq!(class_end("[^]a]x", 0), Some(5));
        assert_eq!(class_end(r"[\]]", 0), Some(4));
        assert_eq!(class_end("[[:digit:]]", 0), Some(10));
    }

    #[test]
    fn expansion_maps_back_to_the_raw_text() {
        let raw = r"^<F-USER>\S+</F-USER> from <HOST> port \d+$";
        let map = ExpansionMap::new(raw, "warn", Flavor::V1_0_2);
        let exp = expand(raw, "warn", Flavor::V1_0_2);
        let at = exp.find(r"\d+$").unwrap();
        let r = map.raw_range(at..at + 3).unwrap();
        assert_eq!(&raw[r], r"\d+");
        // Inside the <HOST> expansion: the whole tag.
        let at = exp.find("[\\w\\-.^_]*").unwrap();
        let r = map.raw_range(at..at + 9).unwrap();
        assert_eq!(&raw[r], "<HOST>");
        assert_eq!(raw_equivalent(raw, Flavor::V1_0_2).len(), raw.len());
    }
}
