//! F2B103 regex-no-failure-id: a failregex with no host or failure-id group.

use super::common::{RegexKind, regex_lines};
use crate::diag::Severity;
use crate::filter::regex::FAILURE_ID_GROUPS;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::regex_ast::parse_expanded;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B103",
        name: "regex-no-failure-id",
        summary: "A failregex that captures neither a host nor a failure id",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "A `failregex` line without `<HOST>`, `<ADDR>`, `<IP4>`, `<IP6>`, `<DNS>`, \
`<CIDR>`, `<SUBNET>`, `<F-ID>` or `<F-MLFID>`, when the `prefregex` has none either.",
        why: "fail2ban refuses such a regex (\"No failure-id group\"), so the jail fails to \
start. A regex that only recognises the message cannot say whom to ban.",
        example: "[Definition]\nfailregex = ^Invalid user \\S+ from \\S+$\n",
        example_fixed: "[Definition]\nfailregex = ^Invalid user \\S+ from <HOST>$\n",
        references: &["fail2ban `FailRegex`: \"No failure-id group\""],
    },
    check,
};

fn has_id(names: &[(String, usize)]) -> bool {
    names
        .iter()
        .any(|(n, _)| FAILURE_ID_GROUPS.contains(&n.as_str()) || n == "mlfid")
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for line in regex_lines(ctx) {
        if line.kind != RegexKind::Failregex {
            continue;
        }
        let Ok(tree) = parse_expanded(&line.text.text, line.use_dns(), ctx.flavor) else {
            continue; // F2B101's finding
        };
        if has_id(&tree.names) {
            continue;
        }
        let pref_has = line.filter.prefregex.as_ref().is_some_and(|p| {
            parse_expanded(&p.text, line.use_dns(), ctx.flavor).is_ok_and(|t| has_id(&t.names))
        });
        if pref_has {
            continue;
        }
        out.push(
            Finding::new(
                &RULE.info,
                format!("{} has no host or failure-id group", line.describe()),
            )
            .at(line.text, 0..line.text.text.len())
            .label("no <HOST>, <ADDR>, <F-ID> … here")
            .hint("mark the address with <HOST> (or <ADDR>, <F-ID> for other ids)"),
        );
    }
}
