//! F2B204 maxretry-below-one: `maxretry` of 0 or less.

use super::common::{at_entry, jail_entry};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B204",
        name: "maxretry-below-one",
        summary: "maxretry below 1",
        severity: Severity::Error,
        fix: FixKind::None,
        what: "A jail whose `maxretry` resolves to an integer below 1.",
        why: "fail2ban bans once the failure count reaches `maxretry`; with 0 or a negative \
value the very first failure of anyone, including a user who mistyped a password once, is \
a ban. If that is really wanted, `maxretry = 1` says so.",
        example: "[sshd]\nenabled = true\nmaxretry = 0\n",
        example_fixed: "[sshd]\nenabled = true\nmaxretry = 1\n",
        references: &[],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for j in &ctx.jails {
        let Some(crate::config::value::OptValue::Int(n)) = j.opts.get("maxretry") else {
            continue;
        };
        let Ok(n) = n.parse::<i128>() else { continue };
        if n >= 1 {
            continue;
        }
        let f = Finding::new(
            &RULE.info,
            format!(
                "jail [{}]: maxretry = {n}, so the first failure already bans",
                j.name
            ),
        )
        .label("below 1");
        out.push(at_entry(f, ctx, jail_entry(ctx, &j.name, "maxretry")));
    }
}
