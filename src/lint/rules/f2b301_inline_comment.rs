//! F2B301 inline-comment-cut: in progress.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B301",
        name: "inline-comment-cut",
        summary: "A ` ;` inside a value that configparser cuts as an inline comment",
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
