//! `f2b lint`: a rule registry over filter, action and jail files.
//!
//! The pipeline: [`model`] loads what is linted (a whole tree, or single
//! files) into plain units that keep their source spans; every rule of
//! [`registry`] looks at those units and reports [`Finding`]s; [`select`]
//! applies `--select`/`--ignore` and in-file directives; [`render`] turns the
//! findings into text, JSON, SARIF or GitHub annotations.

pub mod backtrack;
pub mod corpus;
pub mod finding;
pub mod fix;
pub mod model;
pub mod pattern_text;
pub mod regex_ast;
pub mod registry;
pub mod render;
pub mod rules;
pub mod select;
pub mod witness;

pub use finding::{Exploit, Finding, Fix};
pub use model::{Context, LintInput};
pub use registry::{RULES, Rule, RuleInfo};

use crate::source::Sources;

/// Everything one lint run produced.
pub struct LintOutcome {
    pub findings: Vec<Finding>,
    pub sources: Sources,
}

/// Loads the input, runs every selected rule and applies suppressions.
pub fn run(input: &LintInput, selection: &select::Selection) -> LintOutcome {
    let ctx = model::load(input);
    let mut findings = Vec::new();
    for rule in RULES {
        if !selection.rule_enabled(rule.info.code) {
            continue;
        }
        let mut sink = Vec::new();
        (rule.check)(&ctx, &mut sink);
        findings.extend(sink);
    }
    let mut findings = select::apply_directives(&ctx, selection, findings);
    finding::sort_and_dedup(&mut findings, &ctx.sources);
    LintOutcome {
        findings,
        sources: ctx.sources,
    }
}

/// Lints one file of `text` with one rule (for the rules' tests).
#[cfg(test)]
pub(crate) fn lint_text_with(code: &str, text: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("example.conf");
    std::fs::write(&path, text).expect("written");
    let input = LintInput {
        conf: None,
        paths: vec![path.display().to_string()],
        samples: None,
        flavor: None,
    };
    let selection = select::Selection {
        select: vec![code.to_string()],
        ignore: Vec::new(),
    };
    run(&input, &selection).findings
}
