//! F2B206 missing-logpath: an enabled file-backend jail whose logs are not there.

use super::common::jail_entry;
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B206",
        name: "missing-logpath",
        summary: "An enabled jail whose log files do not exist on this machine",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "An enabled jail with a file backend (not `systemd`) whose `logpath` patterns \
match no existing file here.",
        why: "fail2ban 1.0.2 refuses to start such a jail (\"Have not found any log file\"). \
It is a warning, not an error, because a linter often runs on another machine than the one \
the logs are on (CI); run `f2b lint` on the server itself to be sure.",
        example: "[asterisk]\nenabled = true\nlogpath = /var/log/asterisk/mesages\n",
        example_fixed: "[asterisk]\nenabled = true\nlogpath = /var/log/asterisk/messages\n",
        references: &[],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for j in ctx.jails.iter().filter(|j| j.runs()) {
        if j.backend().starts_with("systemd") {
            continue;
        }
        let Some(logpath) = j.opt_text("logpath") else {
            continue;
        };
        let patterns: Vec<&str> = logpath
            .text
            .split('\n')
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(|l| l.split_whitespace().next().unwrap_or(l))
            .collect();
        let found = patterns
            .iter()
            .any(|p| crate::config::pypath::glob(p).is_ok_and(|m| !m.is_empty()));
        if found || patterns.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            &RULE.info,
            format!(
                "jail [{}]: no file matches logpath {}",
                j.name,
                patterns.join(", ")
            ),
        )
        .label("nothing here");
        f = match jail_entry(ctx, &j.name, "logpath") {
            Some(e) => f.at(&e.value, 0..e.value.text.len()),
            None => f.at(logpath, 0..logpath.text.len()),
        };
        out.push(f);
    }
}
