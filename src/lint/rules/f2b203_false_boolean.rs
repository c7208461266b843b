//! F2B203 false-boolean: a boolean value fail2ban silently reads as false.

use crate::diag::Severity;
use crate::lint::finding::{Edit, Finding, Fix, span_of};
use crate::lint::model::{Context, FileKind};
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B203",
        name: "false-boolean",
        summary: "A boolean value fail2ban silently reads as false",
        severity: Severity::Error,
        fix: FixKind::Suggested,
        what: "A jail boolean (`enabled`, `bantime.increment`, `bantime.overalljails`, \
`ignoreself`) whose value is none of `1 on true yes` nor `0 off false no` (in any case): \
`enabled = ture`, `enabled = y`, `enabled = enable`.",
        why: "fail2ban's boolean conversion reads everything except `1`, `on`, `true` and \
`yes` as false, without a warning. A jail written `enabled = ture` is off.",
        example: "[sshd]\nenabled = ture\n",
        example_fixed: "[sshd]\nenabled = true\n",
        references: &["fail2ban-behaviour digest A5: booleans"],
    },
    check,
};

const BOOLEANS: [&str; 4] = [
    "enabled",
    "bantime.increment",
    "bantime.overalljails",
    "ignoreself",
];

const TRUE: [&str; 4] = ["1", "on", "true", "yes"];
const FALSE: [&str; 4] = ["0", "off", "false", "no"];

/// The value meant, for a fix: only for near misses of `true`/`yes`.
fn meant(value: &str) -> Option<&'static str> {
    let v = value.to_ascii_lowercase();
    let near = |w: &str| super::jail_options::distance(&v, w) <= 1 && v.len() >= 2;
    if near("true") || v == "y" || v.starts_with("enable") {
        Some("true")
    } else if near("yes") {
        Some("yes")
    } else {
        None
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for f in ctx
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Jail | FileKind::Other))
    {
        let sections = std::iter::once(("DEFAULT", &f.ini.defaults))
            .chain(f.ini.sections.iter().map(|(n, s)| (n.as_str(), &s.entries)));
        for (section, entries) in sections {
            for key in BOOLEANS {
                let Some(e) = entries.get(key) else { continue };
                let v = e.value.text.trim();
                if v.contains("%(") || v.contains('<') {
                    continue; // decided by what it refers to
                }
                let lower = v.to_ascii_lowercase();
                if TRUE.contains(&lower.as_str()) || FALSE.contains(&lower.as_str()) {
                    continue;
                }
                let mut finding = Finding::new(
                    &RULE.info,
                    format!(
                        "[{section}] {key} = {v:?}: fail2ban reads this as false \
                         (only 1, on, true, yes are true)"
                    ),
                )
                .at(&e.value, 0..e.value.text.len())
                .label("read as false");
                if let Some(m) = meant(v) {
                    let (loc, len) = span_of(&e.value, 0..e.value.text.len());
                    if let Some(loc) = loc
                        && len == e.value.text.len()
                    {
                        finding = finding.fix(Fix {
                            description: format!("write `{m}`"),
                            edits: vec![Edit {
                                loc,
                                len,
                                replacement: m.to_string(),
                            }],
                        });
                    }
                }
                out.push(finding);
            }
        }
    }
}
