//! F2B209 systemd-without-journalmatch.

use super::common::{at_entry, jail_entry};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B209",
        name: "systemd-without-journalmatch",
        summary: "A systemd backend without journalmatch",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "An enabled jail with `backend = systemd` (or `systemd[…]`) where neither the \
jail nor its filter sets `journalmatch`.",
        why: "Without `journalmatch` the jail reads every entry of the whole journal and runs \
its regexes on all of them: slow on a busy host (fail2ban #2006, #959), and the filter can \
match messages of other services that happen to look alike.",
        example: "[sshd]\nenabled = true\nbackend = systemd\nfilter = sshd-custom\n",
        example_fixed: "[sshd]\nenabled = true\nbackend = systemd\nfilter = sshd-custom\n\
journalmatch = _SYSTEMD_UNIT=ssh.service + _COMM=sshd\n",
        references: &["fail2ban #2006", "fail2ban #959"],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for j in ctx.jails.iter().filter(|j| j.runs()) {
        let backend = j.backend();
        if !backend.starts_with("systemd") {
            continue;
        }
        let jail_has = j
            .opt_text("journalmatch")
            .is_some_and(|v| !v.text.trim().is_empty());
        let filter_has = j.filter.as_ref().is_some_and(|f| f.journalmatch.is_some());
        if jail_has || filter_has {
            continue;
        }
        let f = Finding::new(
            &RULE.info,
            format!(
                "jail [{}]: backend {} without journalmatch reads the whole journal",
                j.name,
                backend.trim()
            ),
        )
        .label("no journalmatch for this backend");
        out.push(at_entry(f, ctx, jail_entry(ctx, &j.name, "backend")));
    }
}
