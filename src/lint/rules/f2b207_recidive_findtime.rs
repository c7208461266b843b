//! F2B207 recidive-findtime: recidive cannot see enough bans within findtime.

use super::common::{at_entry, jail_entry, seconds};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::{Context, JailUnit};
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B207",
        name: "recidive-findtime",
        summary: "A recidive jail whose findtime is shorter than the bantime it watches",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "An enabled jail using the `recidive` filter, and another enabled jail whose \
bans it counts, where recidive's `findtime` is shorter than the time the other jail needs to \
ban the same address `maxretry` times: (recidive maxretry − 1) × the other jail's bantime. \
In the simplest case, findtime shorter than that bantime.",
        why: "An address cannot be banned again while it is banned, so two bans of it are at \
least one bantime apart. If recidive's findtime is shorter than the span its maxretry bans \
need, recidive can never ban anyone from that jail: the repeat-offender protection is off \
without any message.",
        example: "[sshd]\nenabled = true\nbantime = 1d\n\n[recidive]\nenabled = true\n\
logpath = /var/log/fail2ban.log\nfindtime = 1d\nmaxretry = 5\n",
        example_fixed: "[sshd]\nenabled = true\nbantime = 1d\n\n[recidive]\nenabled = true\n\
logpath = /var/log/fail2ban.log\nfindtime = 1w\nmaxretry = 5\n",
        references: &["fail2ban-behaviour digest F7: the recidive pattern"],
    },
    check,
};

fn is_recidive(j: &JailUnit) -> bool {
    j.filter.as_ref().is_some_and(|f| f.name == "recidive")
        || j.filter_spec
            .as_ref()
            .is_some_and(|s| s.text.trim().starts_with("recidive"))
}

fn opt_seconds(j: &JailUnit, key: &str, default: f64) -> Option<f64> {
    match j.opt_text(key) {
        Some(v) => seconds(&v.text),
        None => Some(default),
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let enabled: Vec<&JailUnit> = ctx.jails.iter().filter(|j| j.enabled).collect();
    for r in enabled.iter().filter(|j| is_recidive(j)) {
        let Some(findtime) = opt_seconds(r, "findtime", 600.0) else {
            continue;
        };
        let maxretry = match r.opts.get("maxretry") {
            Some(crate::config::value::OptValue::Int(n)) => n.parse::<f64>().unwrap_or(3.0),
            _ => 3.0,
        };
        for w in enabled.iter().filter(|j| !is_recidive(j)) {
            let Some(bantime) = opt_seconds(w, "bantime", 600.0) else {
                continue;
            };
            if bantime < 0.0 {
                continue; // permanent bans: recidive has nothing to add
            }
            let needed = (maxretry - 1.0).max(1.0) * bantime;
            if findtime >= needed {
                continue;
            }
            let f = Finding::new(
                &RULE.info,
                format!(
                    "jail [{}]: findtime {} s is shorter than the {} s that {} bans of [{}] \
                     (bantime {} s) need, so recidive never bans its offenders",
                    r.name, findtime, needed, maxretry, w.name, bantime
                ),
            )
            .label("too short")
            .hint(format!(
                "raise [{}] findtime to at least {} s, or lower its maxretry",
                r.name, needed
            ));
            out.push(at_entry(f, ctx, jail_entry(ctx, &r.name, "findtime")));
        }
    }
}
