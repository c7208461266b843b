//! F2B002 config-warning: what `f2b check` reports as a warning.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B002",
        name: "config-warning",
        summary: "fail2ban accepts the configuration but logs a warning about it",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "Warnings `f2b check` shows: fail2ban's own log warnings while reading (a wrong \
int value replaced by `None`, an include that does not exist) and problems fail2ban keeps \
silent.",
        why: "These values do not do what they say: `maxretry = ten` becomes `None`, an \
include that is missing drops its settings without a word at the default log level.",
        example: "[sshd]\nenabled = true\nmaxretry = ten\n",
        example_fixed: "[sshd]\nenabled = true\nmaxretry = 10\n",
        references: &["`f2b check` (docs/json.md)"],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for d in ctx
        .check
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        // Missing log files are F2B206's: the linting host is rarely the
        // one the logs live on.
        .filter(|d| !d.message.starts_with("Have not found any log file for"))
    {
        out.push(super::common::finding_from_diagnostic(&RULE.info, ctx, d));
    }
}
