//! F2B201 unknown-option: a jail key fail2ban does not read and nothing uses.

use super::jail_options::{closest_known, unknown_keys};
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B201",
        name: "unknown-option",
        summary: "A jail option that fail2ban does not know and nothing uses",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "A key in a jail section that is neither an option fail2ban's jail reader reads \
(`enabled`, `maxretry`, `findtime`, `logpath`, the filter options …) nor a name any value of \
the configuration refers to (`%(key)s`, `<key>`), nor a key of a filter's or action's \
`[Init]`. Keys close to a known option are F2B202 instead.",
        why: "fail2ban ignores unknown keys without a word. A key that nothing reads is either \
a leftover or a typo, and the setting the author wanted is not in effect.",
        example: "[sshd]\nenabled = true\nbandelay = 10m\n",
        example_fixed: "[sshd]\nenabled = true\n",
        references: &[],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (file, section, key) in unknown_keys(ctx) {
        if closest_known(&key).is_some() {
            continue;
        }
        let entry = &file.ini.sections[&section].entries[&key];
        out.push(
            Finding::new(
                &RULE.info,
                format!("jail [{section}]: fail2ban does not read `{key}` and no value uses it"),
            )
            .at_loc(Some(entry.key_loc), entry.raw_key.len())
            .label("unknown option")
            .hint("remove it, or refer to it from a value (%(key)s) if it is a variable"),
        );
    }
}
