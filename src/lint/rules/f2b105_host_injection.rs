//! F2B105 host-injection: in progress.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B105",
        name: "host-injection",
        summary: "A greedy catch-all before <HOST> that lets a crafted log line choose the banned address",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "TODO",
        why: "TODO",
        example: "",
        example_fixed: "",
        references: &[],
    },
    check,
};

fn check(_ctx: &Context, _out: &mut Vec<Finding>) {}
