//! F2B205 missing-filter-or-action: an enabled jail names a file that does not exist.

use super::common::{at_entry, jail_entry};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B205",
        name: "missing-filter-or-action",
        summary: "An enabled jail whose filter or action file does not exist",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "An enabled jail whose `filter` names no file in `filter.d/`, or one of whose \
`action` lines names no file in `action.d/` (`.conf` or `.local`).",
        why: "fail2ban skips such a jail (\"Unable to read the filter\") and starts the \
others: `fail2ban-client -t` fails, but a running server simply lacks the jail.",
        example: "[sshd]\nenabled = true\nfilter = shd\n",
        example_fixed: "[sshd]\nenabled = true\nfilter = sshd\n",
        references: &[],
    },
    check,
};

/// The messages fail2ban gives for a missing filter or action.
pub fn is_missing_file(message: &str) -> bool {
    message.starts_with("Unable to read the filter") || message.starts_with("Unable to read action")
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for j in ctx.jails.iter().filter(|j| j.enabled) {
        let Some(e) = &j.config_error else { continue };
        if !is_missing_file(&e.message) {
            continue;
        }
        let key = if e.message.starts_with("Unable to read the filter") {
            "filter"
        } else {
            "action"
        };
        let mut f = Finding::new(&RULE.info, format!("jail [{}]: {}", j.name, e.message))
            .label(format!("no such {key} file"))
            .hint(format!(
                "fail2ban skips the jail; check the name against {key}.d/"
            ));
        f = match (e.loc, jail_entry(ctx, &j.name, key)) {
            (Some(loc), _) => f.at_loc(Some(loc), e.len),
            (None, entry) => at_entry(f, ctx, entry),
        };
        out.push(f);
    }
}
