//! F2B102 regex-dialect: a construct that another regex engine, or another
//! Python version, reads differently from Debian's Python 3.11.
//!
//! The scans run on the raw regex with fail2ban's tags replaced by
//! stand-ins of the same length (positions are columns of the file); the
//! `\Z` check also looks at the parse tree of that text.

use super::common::regex_lines;
use crate::diag::Severity;
use crate::lint::backtrack::char_node_matches;
use crate::lint::finding::{Edit, Finding, Fix, span_of};
use crate::lint::model::Context;
use crate::lint::pattern_text::{classes, escaped, quantifiers};
use crate::lint::regex_ast::{expand, raw_equivalent};
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::pyre::{
    self,
    ast::{At, F_X, Node},
};
use crate::source::SString;
use std::ops::Range;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B102",
        name: "regex-dialect",
        summary: "A regex construct another engine or Python version reads differently",
        severity: Severity::Warning,
        fix: FixKind::Safe,
        what: "Regex syntax whose meaning in Python 3.11's `re` (what Debian's fail2ban 1.0.2 \
runs) differs from its meaning in the engines people test regexes with (grep, sed, PCRE, \
regex101, Perl) or in other Python versions:\n\n\
* POSIX classes, `[[:digit:]]`: Python has none; it reads `[[:digit:]` as a set of the \
characters `[ : d i g t` followed by a literal `]`.\n\
* `\\<` and `\\>`: word boundaries in GNU grep, sed and Emacs, a plain `<`/`>` in Python. \
Reported only where the backslash does not keep a `<name>` from forming, which fail2ban's \
config reader would substitute if an option has that name (`\\<W\\>` and \
`\\<\\S+@\\S+\\>` stay; so does the grep idiom `\\<word\\>`, which cannot be told \
from a literal `<word>` written that way).\n\
* Possessive repeats (`*+`, `++`, `?+`, `{m,n}+`) and atomic groups (`(?>…)`): new in \
Python 3.11; fail2ban on Python 3.10 or older refuses the regex (`multiple repeat`, \
`unknown extension ?>`) and the jail does not start.\n\
* `{,n}`: Python reads `{0,n}`; Perl before 5.34, PCRE2 before 10.43 and JavaScript read the \
literal text `{,n}`.\n\
* `\\Z` after something that cannot match a newline: Python's `\\Z` is the very end of the \
text, and fail2ban appends a newline to every line it searches, so the regex cannot match \
there; Perl's and PCRE's `\\Z` also match before a final newline (Python's `$` does).\n\
* `[[`, `--`, `&&`, `~~`, `||` inside a class: Python 3.11 reads them literally but emits \
`FutureWarning: Possible nested set` / `Possible set difference` / `intersection` / \
`symmetric difference` / `union` (in fail2ban's log at every start), because the `regex` \
module and, announced, future Pythons read them as set operations.\n\n\
Not reported: `\\d`, `\\w`, `\\s` and `\\b` are Unicode-aware in Python (`\\d` matches \
Arabic-Indic digits, `\\w` accented letters) where grep and PCRE are ASCII by default: nearly \
every filter uses them, the difference only shows on non-ASCII digits and letters, and a \
filter that must exclude those needs `(?a)` or explicit classes whatever engine it was written \
for. Reporting them would bury the findings that matter.",
        why: "A filter developed or tested with another tool does not behave the same in \
fail2ban: a POSIX class written for grep silently never matches, a `\\Z` \
written for PCRE never matches a fail2ban line, a `{,3}` does something else in the tester \
than in fail2ban. Possessive repeats and atomic groups make the same filter fail to load on \
hosts with an older Python, and nested-set warnings announce a change of meaning. Where the \
Python meaning can be written so that every engine agrees, the fix does that without \
changing what fail2ban matches (`{,3}` → `{0,3}`, `\\<` → `<`, `[+--]` → `[+\\-\\-]`).",
        example: "[Definition]\nfailregex = ^auth failure for [[:alnum:]_]+ from <HOST> after \
\\d{,3} tries\\Z\n",
        example_fixed: "[Definition]\nfailregex = ^auth failure for [a-zA-Z0-9_]+ from <HOST> \
after \\d{0,3} tries$\n",
        references: &[
            "Python `re` module syntax (3.11: possessive quantifiers and atomic groups)",
            "Python `re`: FutureWarning for possible nested sets and set operations",
            "GNU grep manual: backslash character classes",
        ],
    },
    check,
};

const POSIX: &[(&str, &str)] = &[
    ("alnum", "a-zA-Z0-9"),
    ("alpha", "a-zA-Z"),
    ("blank", " \\t"),
    ("cntrl", "\\x00-\\x1f\\x7f"),
    ("digit", "0-9"),
    ("graph", "!-~"),
    ("lower", "a-z"),
    ("print", " -~"),
    ("punct", "!-/:-@\\[-`{-~"),
    ("space", "\\s"),
    ("upper", "A-Z"),
    ("word", "\\w"),
    ("xdigit", "0-9A-Fa-f"),
];

/// What a finding needs from the line.
struct Spot<'a> {
    text: &'a SString,
    raw: &'a str,
    what: String,
}

impl Spot<'_> {
    fn finding(&self, range: Range<usize>, msg: String, label: &str, hint: String) -> Finding {
        Finding::new(&RULE.info, format!("{}: {msg}", self.what))
            .at(self.text, range)
            .label(label)
            .hint(hint)
    }

    /// `edits` (range of the raw text → replacement) as one fix, when each
    /// maps onto one run of one file.
    fn fix(&self, f: Finding, description: String, edits: &[(Range<usize>, String)]) -> Finding {
        let mut out = Vec::new();
        for (r, rep) in edits {
            let (loc, len) = span_of(self.text, r.clone());
            match loc {
                Some(loc) if len == r.len() => out.push(Edit {
                    loc,
                    len,
                    replacement: rep.clone(),
                }),
                _ => return f,
            }
        }
        f.fix(Fix {
            description,
            edits: out,
        })
    }
}

/// `[[:name:]]`: the POSIX item ends the class Python sees.
fn posix(spot: &Spot, eq: &str, cls: &[Range<usize>], out: &mut Vec<Finding>) -> Vec<usize> {
    let mut reported = Vec::new();
    for r in cls {
        let Some(body) = eq.get(r.start + 1..r.end) else {
            continue;
        };
        let Some(open) = body.rfind("[:") else {
            continue;
        };
        let name_end = body.len().saturating_sub(2);
        if open + 2 > name_end || !body.ends_with(":]") {
            continue;
        }
        let name = &body[open + 2..name_end];
        let Some(&(_, inner)) = POSIX.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let item = r.start + 1 + open;
        // The `]` meant to close the class, now a literal.
        let end = if eq[r.end..].starts_with(']') {
            r.end + 1
        } else {
            r.end
        };
        let written = &eq[r.start..end];
        let seen = &eq[r.start..r.end];
        let members: String = seen[1..seen.len() - 1].chars().collect();
        let msg = format!(
            "`[:{name}:]` is a POSIX class in grep, sed and PCRE, but Python has none: it reads \
             `{seen}` as a set of the characters `{members}`{}",
            if end > r.end {
                " followed by a literal `]`"
            } else {
                ""
            }
        );
        let hint = format!(
            "inside a class write `{inner}` instead of `[:{name}:]`: `{}`",
            written.replacen(&format!("[:{name}:]"), inner, 1)
        );
        out.push(spot.finding(item..r.end, msg, "not a POSIX class in Python", hint));
        reported.push(r.start);
    }
    reported
}

/// Whether the backslash at `i` of `raw` (before `<` or `>`) keeps a
/// `<name>` from forming that fail2ban's config reader could substitute
/// (or its tag expansion expand): with every such backslash removed, the
/// character after it would be part of one.
fn protects_tag(raw: &str, i: usize) -> bool {
    let b = raw.as_bytes();
    let mut edited = String::with_capacity(raw.len());
    let mut at = None;
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'\\' && matches!(b.get(k + 1), Some(b'<' | b'>')) && !escaped(raw, k) {
            if k == i {
                at = Some(edited.len());
            }
            edited.push(b[k + 1] as char);
            k += 2;
            continue;
        }
        let c = raw[k..].chars().next().unwrap_or(' ');
        edited.push(c);
        k += c.len_utf8();
    }
    let Some(at) = at else {
        return false;
    };
    let e = edited.as_bytes();
    (0..=at).any(|s| e[s] == b'<' && config_tag_at(&edited, s).is_some_and(|end| end > at))
}

/// A `<name>` of fail2ban's config-time substitution (`<([^ <>]+)>`, wider
/// than the regex tags) starting at `start`: its end.
fn config_tag_at(s: &str, start: usize) -> Option<usize> {
    let rest = &s[start + 1..];
    let len = rest.find([' ', '<', '>'])?;
    (len > 0 && rest[len..].starts_with('>')).then_some(start + 1 + len + 1)
}

/// Escapes outside classes: `\<`, `\>`, `\Z`.
fn escapes(spot: &Spot, eq: &str, cls: &[Range<usize>], z_ok: &[bool], out: &mut Vec<Finding>) {
    let b = eq.as_bytes();
    let mut z_seen = 0;
    for i in 0..b.len().saturating_sub(1) {
        if b[i] != b'\\' || escaped(eq, i) || cls.iter().any(|c| c.start <= i && i < c.end) {
            continue;
        }
        match b[i + 1] {
            c @ (b'<' | b'>') => {
                if protects_tag(spot.raw, i) {
                    continue;
                }
                let ch = c as char;
                let gnu = if c == b'<' {
                    "the start of a word"
                } else {
                    "the end of a word"
                };
                let f = spot.finding(
                    i..i + 2,
                    format!(
                        "`\\{ch}` is a plain `{ch}` in Python, but GNU grep, sed and Emacs read \
                         it as {gnu}"
                    ),
                    "a literal in Python, a word boundary in GNU tools",
                    format!(
                        "write `{ch}`, which every engine reads as the character (for a word \
                         boundary, Python has `\\b`)"
                    ),
                );
                out.push(spot.fix(
                    f,
                    format!("`\\{ch}` → `{ch}` (the same in Python)"),
                    &[(i..i + 2, ch.to_string())],
                ));
            }
            b'Z' => {
                let ok = z_ok.get(z_seen).copied().unwrap_or(true);
                z_seen += 1;
                if ok {
                    continue;
                }
                out.push(
                    spot.finding(
                        i..i + 2,
                        "`\\Z` is the very end of the text in Python, after the newline fail2ban \
                     appends to every line it searches, so the regex cannot match here; in \
                     Perl and PCRE `\\Z` also matches before a final newline"
                            .into(),
                        "end of text, after fail2ban's newline",
                        "use `$`, which in Python matches at the end and before a final newline \
                     (what `\\Z` means in PCRE)"
                            .into(),
                    ),
                );
            }
            _ => {}
        }
    }
}

/// Whether `nodes` can match a text that ends with a newline.
fn can_end_with_newline(nodes: &[Node], flags: u32) -> bool {
    for n in nodes.iter().rev() {
        let (ends, empty) = match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                (char_node_matches(n, flags, '\n'), false)
            }
            Node::At(_) | Node::Assert { .. } => (false, true),
            Node::GroupRef(_) => return true,
            Node::Group { add, del, body, .. } => {
                let f = (flags | add) & !del;
                (can_end_with_newline(body, f), min_empty(body))
            }
            Node::Atomic(body) => (can_end_with_newline(body, flags), min_empty(body)),
            Node::Branch(alts) => (
                alts.iter().any(|a| can_end_with_newline(a, flags)),
                alts.iter().any(|a| min_empty(a)),
            ),
            Node::Repeat { min, max, body, .. } => (
                *max > 0 && can_end_with_newline(body, flags),
                *min == 0 || min_empty(body),
            ),
            Node::GroupRefExists { yes, no, .. } => (
                can_end_with_newline(yes, flags)
                    || no
                        .as_deref()
                        .is_some_and(|n| can_end_with_newline(n, flags)),
                true,
            ),
        };
        if ends {
            return true;
        }
        if !empty {
            return false;
        }
    }
    false
}

/// Whether `nodes` can match the empty string.
fn min_empty(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => false,
        Node::At(_) | Node::Assert { .. } | Node::GroupRef(_) => true,
        Node::Group { body, .. } | Node::Atomic(body) => min_empty(body),
        Node::Branch(alts) => alts.iter().any(|a| min_empty(a)),
        Node::Repeat { min, body, .. } => *min == 0 || min_empty(body),
        Node::GroupRefExists { .. } => true,
    })
}

/// For each `\Z` in text order: whether what precedes it can consume the
/// final newline (then Python and PCRE agree).
fn z_context(nodes: &[Node], flags: u32, out: &mut Vec<bool>) {
    for (k, n) in nodes.iter().enumerate() {
        match n {
            Node::At(At::EndString) => out.push(can_end_with_newline(&nodes[..k], flags)),
            Node::Group { add, del, body, .. } => z_context(body, (flags | add) & !del, out),
            Node::Atomic(body) | Node::Repeat { body, .. } | Node::Assert { body, .. } => {
                z_context(body, flags, out)
            }
            Node::Branch(alts) => alts.iter().for_each(|a| z_context(a, flags, out)),
            Node::GroupRefExists { yes, no, .. } => {
                z_context(yes, flags, out);
                if let Some(no) = no {
                    z_context(no, flags, out);
                }
            }
            _ => {}
        }
    }
}

/// Possessive repeats, atomic groups and `{,n}`.
fn repeats(spot: &Spot, eq: &str, cls: &[Range<usize>], out: &mut Vec<Finding>) {
    for q in quantifiers(eq) {
        let op = &eq[q.op..q.end];
        if q.modifier == b'+' {
            out.push(
                spot.finding(
                    q.op..q.end,
                    format!(
                        "`{op}` is a possessive repeat, which Python has only since 3.11: with \
                     Python 3.10 or older fail2ban refuses this regex (\"multiple repeat\") and \
                     the jail does not start"
                    ),
                    "possessive: Python 3.11+",
                    "keep it only if every host runs Python 3.11 or newer; otherwise make the \
                 repeat unambiguous instead (a class that excludes what follows)"
                        .into(),
                ),
            );
        }
        if op.starts_with("{,") {
            let count = &eq[q.op..q.end - usize::from(q.modifier != 0)];
            let fixed = count.replacen("{,", "{0,", 1);
            let f = spot.finding(
                q.op..q.op + count.len(),
                format!(
                    "Python reads `{count}` as `{fixed}`, but Perl before 5.34, PCRE2 before \
                     10.43 and JavaScript read it as the literal text `{count}`"
                ),
                "an implicit lower bound",
                format!("write `{fixed}`: the same in Python, and in every engine"),
            );
            out.push(spot.fix(
                f,
                format!("`{count}` → `{fixed}` (the same in Python)"),
                &[(q.op..q.op + 2, "{0,".to_string())],
            ));
        }
    }
    let b = eq.as_bytes();
    for i in 0..b.len() {
        if b[i..].starts_with(b"(?>")
            && !escaped(eq, i)
            && !cls.iter().any(|c| c.start <= i && i < c.end)
        {
            out.push(spot.finding(
                i..i + 3,
                "`(?>…)` is an atomic group, which Python has only since 3.11: with Python 3.10 \
                 or older fail2ban refuses this regex (\"unknown extension ?>\") and the jail \
                 does not start"
                    .into(),
                "atomic group: Python 3.11+",
                "keep it only if every host runs Python 3.11 or newer".into(),
            ));
        }
    }
}

/// One FutureWarning of Python's class parser.
struct SetWarning {
    /// Byte offset of the doubled character (or of the second `[`).
    at: usize,
    kind: &'static str,
}

/// Python 3.11's nested-set warnings for the class opened at `open`.
fn set_warnings(eq: &str, open: usize) -> Vec<SetWarning> {
    let toks: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut it = eq[open + 1..].char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let start = open + 1 + i;
            if c == '\\' {
                match it.next() {
                    Some((j, d)) => v.push((start, &eq[start..open + 1 + j + d.len_utf8()])),
                    None => v.push((start, &eq[start..start + 1])),
                }
            } else {
                v.push((start, &eq[start..start + c.len_utf8()]));
            }
        }
        v
    };
    let mut out = Vec::new();
    let mut k = 0;
    if toks.first().is_some_and(|t| t.1 == "[") {
        out.push(SetWarning {
            at: toks[0].0,
            kind: "nested set",
        });
    }
    if toks.first().is_some_and(|t| t.1 == "^") {
        k += 1;
    }
    let mut items = 0;
    while let Some(&(at, this)) = toks.get(k) {
        k += 1;
        if this == "]" && items > 0 {
            break;
        }
        let next = toks.get(k).map(|t| t.1);
        if items > 0 && "-&~|".contains(this) && this.len() == 1 && next == Some(this) {
            out.push(SetWarning {
                at,
                kind: match this {
                    "-" => "set difference",
                    "&" => "set intersection",
                    "~" => "set symmetric difference",
                    _ => "set union",
                },
            });
        }
        if next == Some("-") {
            k += 1;
            let Some(&(that_at, that)) = toks.get(k) else {
                break;
            };
            k += 1;
            if that == "]" {
                break;
            }
            if that == "-" {
                out.push(SetWarning {
                    at: that_at - 1,
                    kind: "set difference",
                });
            }
        }
        items += 1;
    }
    out
}

fn nested_sets(
    spot: &Spot,
    eq: &str,
    cls: &[Range<usize>],
    skip: &[usize],
    out: &mut Vec<Finding>,
) {
    for r in cls {
        if skip.contains(&r.start) {
            continue;
        }
        for w in set_warnings(eq, r.start) {
            let pair = if w.kind == "nested set" {
                "[["
            } else {
                &eq[w.at..w.at + 2]
            };
            let escaped_pair: String = pair.chars().map(|c| format!("\\{c}")).collect();
            let (range, replacement) = if w.kind == "nested set" {
                (w.at..w.at + 1, "\\[".to_string())
            } else {
                (w.at..w.at + 2, escaped_pair.clone())
            };
            let shown = if w.kind == "nested set" {
                "[[".to_string()
            } else {
                pair.to_string()
            };
            let f = spot.finding(
                if w.kind == "nested set" {
                    w.at - 1..w.at + 1
                } else {
                    w.at..w.at + 2
                },
                format!(
                    "`{shown}` in a character class: Python 3.11 reads it literally but warns \
                     \"FutureWarning: Possible {}\", because the `regex` module and, announced, \
                     future Pythons read it as a set operation",
                    w.kind
                ),
                "a possible set operation",
                format!(
                    "escape it (`{}`): the same set in Python, and no warning",
                    if w.kind == "nested set" {
                        "[\\[".to_string()
                    } else {
                        escaped_pair.clone()
                    }
                ),
            );
            let desc = format!(
                "`{}` → `{replacement}` (the same in Python)",
                &eq[range.clone()]
            );
            out.push(spot.fix(f, desc, &[(range, replacement)]));
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for line in regex_lines(ctx) {
        let raw = &line.text.text;
        if pyre::check(
            &expand(raw, line.use_dns(), ctx.flavor),
            pyre::Flags::default(),
        )
        .is_err()
        {
            continue; // F2B101
        }
        let eq = raw_equivalent(raw, ctx.flavor);
        let Ok(tree) = pyre::parse_tree(&eq, pyre::Flags::default()) else {
            continue;
        };
        if tree.flags & F_X != 0 || eq.len() != raw.len() {
            continue;
        }
        let spot = Spot {
            text: line.text,
            raw,
            what: line.describe(),
        };
        lint_text(&spot, &eq, &tree.nodes, tree.flags, out);
    }
}

fn lint_text(spot: &Spot, eq: &str, nodes: &[Node], flags: u32, out: &mut Vec<Finding>) {
    let cls: Vec<Range<usize>> = classes(eq)
        .into_iter()
        .filter(|r| r.end <= eq.len() && eq[..r.end].ends_with(']'))
        .collect();
    let mut z_ok = Vec::new();
    z_context(nodes, flags, &mut z_ok);
    let posix_classes = posix(spot, eq, &cls, out);
    escapes(spot, eq, &cls, &z_ok, out);
    repeats(spot, eq, &cls, out);
    nested_sets(spot, eq, &cls, &posix_classes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(regex: &str) -> Vec<Finding> {
        let text = SString::synthetic(regex);
        let eq = raw_equivalent(regex, crate::filter::Flavor::V1_0_2);
        let tree = pyre::parse_tree(&eq, pyre::Flags::default()).unwrap();
        let spot = Spot {
            text: &text,
            raw: regex,
            what: "failregex #1".into(),
        };
        let mut out = Vec::new();
        lint_text(&spot, &eq, &tree.nodes, tree.flags, &mut out);
        out
    }

    fn messages(regex: &str) -> Vec<String> {
        lint(regex).into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn posix_classes() {
        let m = messages(r"^x [[:digit:]]+ <HOST>$");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("`[[:digit:]` as a set of the characters `[:digit:`"));
        assert!(m[0].contains("followed by a literal `]`"));
        let f = &lint(r"^x [[:digit:]]+ <HOST>$")[0];
        assert!(f.hint.as_deref().unwrap().contains("`[0-9]`"));
        assert!(messages(r"^x [:digit:] <HOST>$").is_empty());
    }

    #[test]
    fn gnu_word_boundaries() {
        assert_eq!(messages(r"^\<root\> x <HOST>$").len(), 0, "protects a tag");
        assert_eq!(messages(r"^user \<root x <HOST>$").len(), 1);
        assert_eq!(
            messages(r"^x \<\S+@\S+\> <HOST>$").len(),
            0,
            "protects a <name>"
        );
        assert_eq!(messages(r"^x \<sip:.*@<HOST>\>;tag=.*$").len(), 2);
        assert!(messages(r"^x [\<] <HOST>$").is_empty());
        assert!(messages(r"^x \\< <HOST>$").is_empty());
    }

    #[test]
    fn python_311_only() {
        let m = messages(r"^x \w++ (?>a|b)*+ <HOST>$");
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m.iter().any(|m| m.contains("`++` is a possessive")));
        assert!(m.iter().any(|m| m.contains("`*+` is a possessive")));
        assert!(m.iter().any(|m| m.contains("atomic group")));
        assert!(messages(r"^x \w+\+ [*+]+ <HOST>$").is_empty());
    }

    #[test]
    fn implicit_lower_bound() {
        let m = messages(r"^x \d{,3} <HOST>$");
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("`{,3}` as `{0,3}`"));
        assert!(messages(r"^x \d{0,3} \{,3} <HOST>$").is_empty());
    }

    #[test]
    fn end_of_text() {
        assert_eq!(messages(r"^x <HOST>\Z").len(), 1);
        assert!(messages(r"^x <HOST>\s*\Z").is_empty());
        assert!(messages(r"^x <HOST>\n?\Z").is_empty());
        assert!(messages(r"^x <HOST>$").is_empty());
    }

    #[test]
    fn nested_set_warnings() {
        // What Python 3.11 warns about (checked with python3 -W error).
        for (p, kind) in [
            (r"^x [a-b--] <HOST>$", "set difference"),
            (r"^x [a&&b] <HOST>$", "set intersection"),
            (r"^x [a~~b] <HOST>$", "set symmetric difference"),
            (r"^x [a||b] <HOST>$", "set union"),
            (r"^x [[a] <HOST>$", "nested set"),
            (r"^x [%--] <HOST>$", "set difference"),
        ] {
            let m = messages(p);
            assert_eq!(m.len(), 1, "{p}: {m:?}");
            assert!(m[0].contains(&format!("Possible {kind}\"")), "{p}: {m:?}");
        }
        for p in [
            r"^x [-a] <HOST>$",
            r"^x [a-] <HOST>$",
            r"^x [\w\-.] <HOST>$",
            r"^x [^[] <HOST>$",
            r"^x [a\-\-] <HOST>$",
            r"^x [--a] <HOST>$",
        ] {
            assert!(messages(p).is_empty(), "{p}: {:?}", messages(p));
        }
    }
}
