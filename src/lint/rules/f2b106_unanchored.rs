//! F2B106 regex-unanchored: a failregex without `^` in a filter without prefregex.

use super::common::{RegexKind, regex_lines, starts_anchored};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::regex_ast::parse_expanded;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B106",
        name: "regex-unanchored",
        summary: "A failregex that is not anchored at the start, in a filter without prefregex",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "A `failregex` whose pattern does not begin with `^` (or `\\A`), in a filter \
that has no `prefregex` to anchor the line for it.",
        why: "An unanchored regex is tried at every position of every line: it is slow on \
long lines (fail2ban #2592, #1173), and it matches its text anywhere, including inside fields \
an attacker writes, such as a user name or a URL. Anchoring to the daemon's prefix \
(`^%(__prefix_line)s`) removes both problems.",
        example: "[Definition]\nfailregex = Authentication failure for .* from <HOST>\n",
        example_fixed: "[INCLUDES]\nbefore = common.conf\n\n[Definition]\n_daemon = mydaemon\n\
failregex = ^%(__prefix_line)sAuthentication failure for \\S+ from <HOST>$\n",
        references: &["fail2ban #2592", "fail2ban #1173"],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for line in regex_lines(ctx) {
        if line.kind != RegexKind::Failregex || line.filter.prefregex.is_some() {
            continue;
        }
        let Ok(tree) = parse_expanded(&line.text.text, line.use_dns(), ctx.flavor) else {
            continue;
        };
        if starts_anchored(&tree.nodes) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE.info,
                format!(
                    "{} is not anchored at the start of the line",
                    line.describe()
                ),
            )
            .at(line.text, 0..line.text.text.len().min(1))
            .label("no `^` here")
            .hint("start the regex with ^ (for syslog lines: ^%(__prefix_line)s from common.conf)"),
        );
    }
}
