//! F2B202 misspelled-option: a jail key one typo away from a known option.

use super::jail_options::{closest_known, unknown_keys};
use crate::diag::Severity;
use crate::lint::finding::{Edit, Finding, Fix};
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B202",
        name: "misspelled-option",
        summary: "A jail option that is a misspelling of one fail2ban knows",
        severity: Severity::Error,
        fix: FixKind::Suggested,
        what: "A key in a jail section that fail2ban does not read, is not used as a \
variable anywhere, and is one or two edits away from a real jail option: `enable`, \
`maxretries`, `bantime.factr`, `logpth`.",
        why: "fail2ban ignores the key and uses the default instead. For `enable = true` the \
default is `enabled = false`: the jail never starts and nothing says so.",
        example: "[sshd]\nenable = true\nmaxretry = 3\n",
        example_fixed: "[sshd]\nenabled = true\nmaxretry = 3\n",
        references: &["fail2ban reads only the options of its jail reader; others are ignored"],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (file, section, key) in unknown_keys(ctx) {
        let Some(known) = closest_known(&key) else {
            continue;
        };
        let entry = &file.ini.sections[&section].entries[&key];
        let consequence = if known == "enabled" {
            " so the jail stays disabled".to_string()
        } else {
            format!(" and uses the default `{known}`")
        };
        out.push(
            Finding::new(
                &RULE.info,
                format!(
                    "jail [{section}]: `{}` is not a jail option; did you mean `{known}`? \
                     fail2ban ignores it{consequence}",
                    entry.raw_key
                ),
            )
            .at_loc(Some(entry.key_loc), entry.raw_key.len())
            .label(format!("did you mean `{known}`?"))
            .fix(Fix {
                description: format!("rename `{}` to `{known}`", entry.raw_key),
                edits: vec![Edit {
                    loc: entry.key_loc,
                    len: entry.raw_key.len(),
                    replacement: known.to_string(),
                }],
            }),
        );
    }
}
