//! F2B101 regex-invalid: a regex Python's `re` would not compile.

use super::common::regex_lines;
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::regex_ast::{expand, raw_equivalent};
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::pyre;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B101",
        name: "regex-invalid",
        summary: "A regex that Python's re module refuses to compile",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "A `prefregex`, `failregex` or `ignoreregex` line that fails to compile after \
fail2ban's tag expansion, checked with f2b's reimplementation of Python 3.11's `re` parser \
(same acceptance, same `re.error` message, same position).",
        why: "fail2ban stops adding regexes to the jail at the first one that fails: the \
jail does not start, and fail2ban-regex exits with an error. The message points at the \
character Python complains about.",
        example: "[Definition]\nfailregex = ^Login failed for <HOST> (port \\d+$\n",
        example_fixed: "[Definition]\nfailregex = ^Login failed for <HOST> \\(port \\d+\\)$\n",
        references: &["Python `re` module syntax"],
    },
    check,
};

/// Character index → byte offset in `s`.
fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for line in regex_lines(ctx) {
        let raw = &line.text.text;
        let expanded = expand(raw, line.use_dns(), ctx.flavor);
        if expanded.trim().is_empty() {
            continue;
        }
        let Err(e) = pyre::check(&expanded, pyre::Flags::default()) else {
            continue;
        };
        // The same error on the raw text (tags replaced by stand-ins of the
        // same length) gives a position in the file.
        let stand_in = raw_equivalent(raw, ctx.flavor);
        let pos = match pyre::check(&stand_in, pyre::Flags::default()) {
            Err(e2) if e2.msg == e.msg => e2.pos.map(|p| byte_at(raw, p)),
            _ => None,
        };
        let message = format!("{} does not compile: {}", line.describe(), e.msg);
        let f = Finding::new(&RULE.info, message);
        let f = match pos {
            Some(p) => {
                let end = raw[p..].chars().next().map_or(p, |c| p + c.len_utf8());
                f.at(line.text, p..end).label(e.msg.clone())
            }
            None => f.at(line.text, 0..raw.len()).label("this regex"),
        };
        out.push(f.hint(
            "escape regex metacharacters meant literally (`\\(`, `\\[`, `\\.`); \
             `f2b regex` shows the expanded pattern with a caret",
        ));
    }
}
