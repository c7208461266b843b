//! F2B109 dead-literal: in progress.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B109",
        name: "dead-literal",
        summary: "Text meant literally that regex metacharacters keep from ever matching",
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
