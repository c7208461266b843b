//! F2B206 missing-logpath: in progress.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B206",
        name: "missing-logpath",
        summary: "An enabled jail whose log files do not exist here",
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
