//! F2B208 bantime-factor: in progress.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B208",
        name: "bantime-factor",
        summary: "bantime.increment settings that grow ban times absurdly",
        severity: Severity::Warning,
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
