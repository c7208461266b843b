//! F2B109 dead-literal: text meant literally that regex metacharacters keep
//! from ever matching itself.
//!
//! Three shapes, found in the raw regex (fail2ban's tags replaced by
//! stand-ins of the same length, so positions are columns of the file) and
//! checked by compiling the piece with pyre:
//!
//! * a capturing group whose body is plain text (`(permit/deny)`): it
//!   matches `permit/deny`, never the text with its parentheses;
//! * a character class whose body is a literal word or number (`[pid]`,
//!   `[1234]`): it matches one character, never the bracketed text;
//! * `$` followed, or `^` preceded, by required literal text: the anchor
//!   can never hold there, so the regex (or that alternative) never matches.

use super::common::regex_lines;
use crate::diag::Severity;
use crate::lint::finding::{Edit, Finding, Fix, span_of};
use crate::lint::model::Context;
use crate::lint::pattern_text::{brace_end, class_end, classes, escaped};
use crate::lint::regex_ast::{expand, raw_equivalent};
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::pyre;
use crate::source::SString;
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B109",
        name: "dead-literal",
        summary: "Text meant literally that regex metacharacters keep from ever matching",
        severity: Severity::Warning,
        fix: FixKind::Suggested,
        what: "Log text copied into a regex with its regex metacharacters left unescaped, so \
that the regex can no longer match that text:\n\n\
* parentheses around plain text, `(permit/deny)`: a group, which matches `permit/deny` but \
never the text `(permit/deny)` with its parentheses;\n\
* square brackets around a word or a number, `[pid]`, `[1234]`: a character class, which \
matches one character (`p`, `i` or `d`), never the text `[pid]`;\n\
* a `$` with required text after it, or a `^` with text before it, in the middle of a \
pattern: the end-of-line (start-of-line) anchor, which cannot hold there, so that regex \
never matches.\n\n\
Only plain text is considered: a group with `|`, a quantifier or any other regex syntax \
inside, a group or class followed by a quantifier, the condition of `(?(name)…)`, escaped \
parentheses around the group (`\\((permit)\\)`), and classes that read as sets are left alone: \
ranges (`[0-9]`), case pairs (`[Ss]`), letters in order (`[abc]`), digits in order after \
other syntax (`AH001[23][456]`). A class reads as text when a character repeats (`[error]`), \
letters are out of order (`[pid]`), or digits follow a word (`sshd[1234]`). \
Every finding is checked by compiling the piece with Python's syntax: the piece does not \
match its own text.",
        why: "The filter silently stops banning: the log line has the parentheses, the \
brackets or the dollar sign, the regex does not, and nothing reports an error. For groups and \
classes the suggested fix escapes the metacharacters (`\\(permit/deny\\)`, `\\[pid\\]`); it \
changes what the regex matches, so check it against a real log line (`f2b regex`). A misplaced \
anchor gets no automatic fix: either the anchor or the text next to it (such as quotes around \
a whole regex, which the configuration reader keeps) does not belong there.",
        example: "[Definition]\nfailregex = ^Registration from '[^']*' failed for '<HOST>' - \
ACL error (permit/deny)$\n",
        example_fixed: "[Definition]\nfailregex = ^Registration from '[^']*' failed for '<HOST>' \
- ACL error \\(permit/deny\\)$\n",
        references: &["Python `re` module syntax: special characters"],
    },
    check,
};

/// Characters of plain log text that are not regex syntax (`.` is, but it
/// also matches itself, so it keeps text plain).
fn plain(c: char) -> bool {
    c.is_alphanumeric() || " /-,:;'\"=@#!%&<>~_.".contains(c)
}

fn quantified(s: &str, end: usize) -> bool {
    match s.as_bytes().get(end) {
        Some(b'*' | b'+' | b'?') => true,
        Some(b'{') => brace_end(s, end).is_some(),
        _ => false,
    }
}

/// Whether `regex` (a piece of a pattern) matches the whole of `text`.
fn full_match(regex: &str, text: &str) -> Option<bool> {
    let re = pyre::compile(&format!(r"\A(?:{regex})\Z"), pyre::Flags::default()).ok()?;
    re.is_match(text).ok()
}

/// `range` of the raw text replaced by `replacement`, when it maps onto
/// one run of one file.
fn edit(text: &SString, range: Range<usize>, replacement: String) -> Option<Edit> {
    let (loc, len) = span_of(text, range.clone());
    (len == range.len()).then_some(Edit {
        loc: loc?,
        len,
        replacement,
    })
}

fn in_class(classes: &[Range<usize>], i: usize) -> bool {
    classes.iter().any(|c| c.start <= i && i < c.end)
}

/// What a finding needs from the line.
struct Spot<'a> {
    text: &'a SString,
    raw: &'a str,
    what: String,
}

fn report(spot: &Spot, range: Range<usize>, msg: String, label: &str, fixed: String) -> Finding {
    let hint = format!(
        "if the log line has this text, escape the metacharacters: `{fixed}` (check with `f2b \
         regex` against a real line)"
    );
    let f = Finding::new(&RULE.info, format!("{}: {msg}", spot.what))
        .at(spot.text, range.clone())
        .label(label)
        .hint(hint);
    with_fix(f, spot, range, fixed)
}

fn with_fix(mut f: Finding, spot: &Spot, range: Range<usize>, fixed: String) -> Finding {
    if let Some(e) = edit(spot.text, range.clone(), fixed.clone()) {
        f = f.fix(Fix {
            description: format!("escape: `{}` → `{fixed}`", &spot.raw[range]),
            edits: vec![e],
        });
    }
    f
}

/// Capturing groups around plain text.
fn groups(spot: &Spot, eq: &str, cls: &[Range<usize>], out: &mut Vec<Finding>) {
    let b = eq.as_bytes();
    for i in 0..b.len() {
        if b[i] != b'(' || escaped(eq, i) || in_class(cls, i) || b.get(i + 1) == Some(&b'?') {
            continue;
        }
        // The condition of `(?(name)yes|no)`.
        if i >= 2 && &b[i - 2..i] == b"(?" && !escaped(eq, i - 2) {
            continue;
        }
        let Some(end) = pyre::group_end(b, i) else {
            continue;
        };
        let body = &eq[i + 1..end - 1];
        let letters = body.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || !body.chars().all(plain) || body.trim() != body {
            continue;
        }
        // Inside escaped parentheses, `\((text)\)`, the group is deliberate.
        let wrapped = i >= 2 && &b[i - 2..i] == b"\\(" && b[end..].starts_with(b"\\)");
        if quantified(eq, end) || wrapped {
            continue;
        }
        let seg = &eq[i..end];
        if full_match(seg, seg) != Some(false) || full_match(seg, body) != Some(true) {
            continue;
        }
        out.push(report(
            spot,
            i..end,
            format!("`{seg}` is a group: it matches `{body}` but never the text `{seg}`"),
            "parentheses make a group",
            format!("\\({body}\\)"),
        ));
    }
}

/// Whether a class body is a set of case pairs (`Ss`, `AaBb`): a
/// case-insensitive idiom, not a word.
fn case_pairs(body: &str) -> bool {
    body.chars().all(|c| {
        c.is_ascii_alphabetic()
            && body.contains(if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            })
    })
}

/// Character classes whose body is a literal word or number.
fn brackets(spot: &Spot, eq: &str, cls: &[Range<usize>], out: &mut Vec<Finding>) {
    for r in cls {
        if r.end > eq.len() || !eq[..r.end].ends_with(']') {
            continue;
        }
        let body = &eq[r.start + 1..r.end - 1];
        if body.len() < 3
            || !body.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            || case_pairs(body)
            || quantified(eq, r.end)
        {
            continue;
        }
        // A set lists each character once, usually in order: a repeated
        // character, or letters out of order (`[pid]`), read as text; so do
        // digits right after a word (`sshd[1234]`), while digits in order
        // after other syntax are a set (`AH001[23][456]`).
        let mut seen = body.as_bytes().to_vec();
        seen.sort_unstable();
        let repeated = seen.windows(2).any(|w| w[0] == w[1]);
        let digits = body.bytes().all(|c| c.is_ascii_digit());
        let in_order = body.as_bytes().windows(2).all(|w| w[0] < w[1]);
        let after_word = r.start > 0
            && eq.as_bytes()[r.start - 1].is_ascii_alphabetic()
            && !escaped(eq, r.start - 1);
        let text = if digits {
            repeated || !in_order || after_word
        } else {
            repeated || !in_order
        };
        if !text {
            continue;
        }
        let seg = &eq[r.clone()];
        let first = &body[..1];
        if full_match(seg, seg) != Some(false) || full_match(seg, first) != Some(true) {
            continue;
        }
        out.push(report(
            spot,
            r.clone(),
            format!(
                "`{seg}` is a character class: it matches one character of `{body}`, never \
                 the text `{seg}`"
            ),
            "square brackets make a class",
            format!("\\[{body}\\]"),
        ));
    }
}

/// `$` followed, `^` preceded, by required plain text.
fn anchors(spot: &Spot, eq: &str, cls: &[Range<usize>], out: &mut Vec<Finding>) {
    let b = eq.as_bytes();
    let literal = |i: usize| {
        eq[i..]
            .chars()
            .next()
            .is_some_and(|c| plain(c) && c != '\n' && !escaped(eq, i))
    };
    for i in 0..b.len() {
        if !(b[i] == b'$' || b[i] == b'^') || escaped(eq, i) || in_class(cls, i) {
            continue;
        }
        let (text_at, msg, fixed) = if b[i] == b'$' {
            if i + 1 >= b.len() || !literal(i + 1) {
                continue;
            }
            let c = eq[i + 1..].chars().next().unwrap_or(' ');
            if quantified(eq, i + 1 + c.len_utf8()) {
                continue;
            }
            (
                i + 1,
                format!(
                    "`$` is the end-of-line anchor, so the `{c}` after it can never match \
                     (`\\$` is a dollar sign)"
                ),
                "\\$",
            )
        } else {
            if i == 0 {
                continue;
            }
            let p = eq[..i].chars().next_back().map_or(i, |c| i - c.len_utf8());
            if !literal(p) {
                continue;
            }
            let c = eq[p..].chars().next().unwrap_or(' ');
            (
                p,
                format!(
                    "`^` is the start-of-line anchor, so the `{c}` before it can never match \
                     (`\\^` is a caret)"
                ),
                "\\^",
            )
        };
        // The piece between the anchor and the text never matches.
        let piece = if text_at > i {
            &eq[i..text_at + eq[text_at..].chars().next().map_or(1, char::len_utf8)]
        } else {
            &eq[text_at..i + 1]
        };
        let plain_piece = piece.replace(['$', '^'], "");
        if full_match(piece, &plain_piece) != Some(false)
            || full_match(piece, &format!("{plain_piece}\n")) == Some(true)
        {
            continue;
        }
        // No automatic edit: the text may be what does not belong (quotes
        // around a whole regex), or the anchor.
        let f = Finding::new(&RULE.info, format!("{}: {msg}", spot.what))
            .at(spot.text, i..i + 1)
            .label("an anchor next to required text")
            .hint(format!(
                "this regex (or this alternative) can never match: remove the text that does \
                 not belong to the log line, or write `{fixed}` if the line has that character"
            ));
        out.push(f);
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for line in regex_lines(ctx) {
        let raw = &line.text.text;
        let expanded = expand(raw, line.use_dns(), ctx.flavor);
        let Ok(tree) = pyre::parse_tree(&expanded, pyre::Flags::default()) else {
            continue; // F2B101
        };
        if tree.flags & pyre::ast::F_X != 0 {
            continue; // verbose: spaces are not text
        }
        let eq = raw_equivalent(raw, ctx.flavor);
        if eq.len() != raw.len() {
            continue;
        }
        let cls: Vec<Range<usize>> = classes(&eq)
            .into_iter()
            .filter(|r| class_end(&eq, r.start).is_some())
            .collect();
        let spot = Spot {
            text: line.text,
            raw,
            what: line.describe(),
        };
        groups(&spot, &eq, &cls, out);
        brackets(&spot, &eq, &cls, out);
        anchors(&spot, &eq, &cls, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(regex: &str) -> Vec<String> {
        let text = SString::synthetic(regex);
        let eq = raw_equivalent(regex, crate::filter::Flavor::V1_0_2);
        let cls = classes(&eq);
        let spot = Spot {
            text: &text,
            raw: regex,
            what: "failregex #1".into(),
        };
        let mut out = Vec::new();
        groups(&spot, &eq, &cls, &mut out);
        brackets(&spot, &eq, &cls, &mut out);
        anchors(&spot, &eq, &cls, &mut out);
        out.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn plain_text_groups() {
        assert_eq!(
            findings(r"^Registration from '<HOST>' - ACL error (permit/deny)$"),
            [
                "failregex #1: `(permit/deny)` is a group: it matches `permit/deny` but never the \
              text `(permit/deny)`"
            ]
        );
        for ok in [
            r"^x (permit|deny)$",
            r"^x (permit/deny)?$",
            r"^x \((permit/deny)\)$",
            r"^x (\w+)$",
            r"^x (?:permit)$",
            r"^x [(permit)]$",
            r"^<HOST> (a)$",
            r"^(?P<c>x)?(?(c)y|z) <HOST>$",
        ] {
            assert!(findings(ok).is_empty(), "{ok}: {:?}", findings(ok));
        }
    }

    #[test]
    fn word_classes() {
        assert_eq!(findings(r"^sshd[pid]: x <HOST>$").len(), 1);
        assert_eq!(findings(r"^sshd[1234]: x <HOST>$").len(), 1);
        assert_eq!(findings(r"^[error] x <HOST>$").len(), 1);
        for ok in [
            r"^[Ss]shd: <HOST>$",
            r"^[abc]: <HOST>$",
            r"^[0-9]+ <HOST>$",
            r"^[13] <HOST>$",
            r"^[\w.]+ <HOST>$",
            r"^[pid]+ <HOST>$",
            r"^\[pid\] <HOST>$",
            r"^AH001[23][456]: <HOST>$",
        ] {
            assert!(findings(ok).is_empty(), "{ok}: {:?}", findings(ok));
        }
    }

    #[test]
    fn anchors_in_text() {
        assert_eq!(findings(r"^cost 5$ from <HOST>$").len(), 1);
        assert_eq!(findings(r"^x <HOST> a^b$").len(), 1);
        for ok in [
            r"^x <HOST>$",
            r"^^x <HOST>$",
            r"^x (?:<HOST>$|y)",
            r"^x \$ <HOST>$",
            r"^x [$^] <HOST>$",
            r"^x <HOST>$\n",
        ] {
            assert!(findings(ok).is_empty(), "{ok}: {:?}", findings(ok));
        }
    }

    #[test]
    fn fix_escapes_the_metacharacters() {
        let text = SString::synthetic("x (permit/deny)");
        let spot = Spot {
            text: &text,
            raw: &text.text,
            what: "failregex #1".into(),
        };
        let f = report(&spot, 2..15, "m".into(), "l", "\\(permit/deny\\)".into());
        // A synthetic string has no file position: no edit, only the hint.
        assert!(f.fix.is_none());
        assert!(f.hint.unwrap().contains(r"`\(permit/deny\)`"));
    }
}
