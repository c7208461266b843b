//! F2B001 config-error: what `f2b check` reports as an error.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B001",
        name: "config-error",
        summary: "The configuration is rejected or a jail is skipped by fail2ban",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "Everything `f2b check` (fail2ban-client -t) reports as an error: a file that \
cannot be parsed, an interpolation that fails, a jail skipped because of a bad \
`name[params]` value or a missing filter or action file, a file that is not UTF-8, and files \
named on the command line that cannot be read as a filter or action.",
        why: "fail2ban refuses the whole configuration for some of these, and silently runs \
without the jail for others. Either way the protection the file describes is not in place.",
        example: "[sshd]\nenabled = true\nfilter = sshd[mode=%(missing)s]\n",
        example_fixed: "[sshd]\nenabled = true\nfilter = sshd[mode=aggressive]\n",
        references: &["`f2b check` (docs/json.md), fail2ban-client -t"],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for d in ctx
        .check
        .iter()
        .filter(|d| d.severity == Severity::Error)
        // A missing filter or action file is F2B205's.
        .filter(|d| !super::f2b205_missing_filter_action::is_missing_file(&d.message))
    {
        out.push(super::common::finding_from_diagnostic(&RULE.info, ctx, d));
    }
    for (path, e) in &ctx.load_errors {
        let mut f = Finding::new(&RULE.info, e.message.clone()).at_loc(e.loc, e.len);
        f.hint = e.hint.clone();
        if f.loc.is_none() {
            f.file = Some(path.clone());
        }
        out.push(f);
    }
}
