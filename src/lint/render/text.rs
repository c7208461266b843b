//! Human output: one miette report per finding, then a summary line.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::source::Sources;

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut out = String::new();
    for f in findings {
        let mut d = f.to_diagnostic();
        if d.loc.is_none()
            && let Some(file) = &f.file
        {
            d.message = format!("{file}: {}", d.message);
        }
        out.push_str(&d.render(sources));
        out.push('\n');
    }
    out.push_str(&summary(findings));
    out.push('\n');
    out
}

pub fn summary(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    if findings.is_empty() {
        return "All checks passed.".into();
    }
    let fixable = findings.iter().filter(|f| f.fix.is_some()).count();
    let mut s = format!(
        "Found {} error(s), {} warning(s), {} note(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if fixable > 0 {
        s.push_str(&format!("; {fixable} with a fix (see --format json)"));
    }
    s.push('.');
    s
}
