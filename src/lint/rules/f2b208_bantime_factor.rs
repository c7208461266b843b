//! F2B208 bantime-factor: bantime.increment settings that explode.

use super::common::{at_entry, jail_entry, seconds};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B208",
        name: "bantime-factor",
        summary: "bantime.increment settings that grow ban times absurdly",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "A jail with `bantime.increment = true` whose `bantime.factor` is not a positive \
number, or whose ban time, grown by the default formula \
(`bantime × 2^min(count, 20) × factor`) or the largest `bantime.multipliers` entry, exceeds \
100 years while no `bantime.maxtime` caps it.",
        why: "The default formula doubles the ban on every repeat up to 2^20: with \
`bantime.factor = 16` a 10 minute ban reaches 320 years (sebres/fail2ban#12 shows a factor \
that overflows to 6.8e19 s). Ban times that large break actions that pass timeouts to ipset \
or nftables, and no longer mean anything. A factor of 0 or below stops bans from growing or \
makes them negative.",
        example: "[sshd]\nenabled = true\nbantime = 10m\nbantime.increment = true\n\
bantime.factor = 16\n",
        example_fixed: "[sshd]\nenabled = true\nbantime = 10m\nbantime.increment = true\n\
bantime.factor = 2\nbantime.maxtime = 5w\n",
        references: &["fail2ban #3218, #2652, sebres/fail2ban#12"],
    },
    check,
};

const CENTURY: f64 = 100.0 * 365.0 * 86400.0;

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for j in &ctx.jails {
        if !matches!(
            j.opts.get("bantime.increment"),
            Some(crate::config::value::OptValue::Bool(true))
        ) {
            continue;
        }
        let factor_text = j
            .opt_text("bantime.factor")
            .map_or("1".to_string(), |v| v.text.trim().to_string());
        let at_factor = |f: Finding| at_entry(f, ctx, jail_entry(ctx, &j.name, "bantime.factor"));
        let Ok(factor) = factor_text.parse::<f64>() else {
            continue; // an expression: not evaluated here
        };
        if factor <= 0.0 {
            out.push(at_factor(Finding::new(
                &RULE.info,
                format!(
                    "jail [{}]: bantime.factor = {factor_text} makes increased bans {}",
                    j.name,
                    if factor == 0.0 { "zero" } else { "negative" }
                ),
            )));
            continue;
        }
        if j.opt_text("bantime.maxtime")
            .is_some_and(|v| !v.text.trim().is_empty())
        {
            continue;
        }
        let bantime = j
            .opt_text("bantime")
            .and_then(|v| seconds(&v.text))
            .unwrap_or(600.0);
        if bantime < 0.0 {
            continue;
        }
        let multipliers: Vec<f64> = j
            .opt_text("bantime.multipliers")
            .map(|v| {
                v.text
                    .split_whitespace()
                    .filter_map(|m| m.parse::<f64>().ok())
                    .collect()
            })
            .unwrap_or_default();
        let max = if multipliers.is_empty() {
            bantime * 2f64.powi(20) * factor
        } else {
            bantime * factor * multipliers.iter().cloned().fold(0.0, f64::max)
        };
        if max <= CENTURY {
            continue;
        }
        out.push(
            at_factor(Finding::new(
                &RULE.info,
                format!(
                    "jail [{}]: with bantime {bantime} s and bantime.factor {factor_text}, \
                     increased bans reach {:.3e} s ({:.0} years) and no bantime.maxtime caps them",
                    j.name,
                    max,
                    max / (365.0 * 86400.0)
                ),
            ))
            .label("grows without bound")
            .hint("set bantime.maxtime (e.g. 5w) or a smaller factor"),
        );
    }
}
