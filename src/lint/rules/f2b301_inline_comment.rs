//! F2B301 inline-comment-cut: ` ;` in a value starts a comment.

use crate::diag::Severity;
use crate::ini::inline_comment_start;
use crate::lint::finding::{Edit, Finding, Fix};
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::source::Loc;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B301",
        name: "inline-comment-cut",
        summary: "A ` ;` inside a value that configparser cuts as an inline comment",
        severity: Severity::Warning,
        fix: FixKind::Suggested,
        what: "A value line where a `;` preceded by whitespace starts an inline comment (the \
rule of fail2ban's configparser), and what is cut off looks like part of the value: the kept \
text leaves a bracket or quote open, or the cut text holds shell or regex syntax (`$(`, `%(`, \
`|`, `)`, `}`, `<`). A plain `bantime = 1w ; one week` is not reported.",
        why: "fail2ban reads everything from ` ;` to the end of the line as a comment, also in \
commands and regexes. The stock `action.d/mail-whois-common.conf` loses most of \
`_whois_convert_charset` this way: `{ WHOIS_OUTPUT=$(cat) ; …` becomes `{ WHOIS_OUTPUT=$(cat)`, \
an unterminated shell group.",
        example: "[Definition]\nactionban = { echo <ip> ; date ; } >> /var/log/banned.log\n",
        example_fixed: "[Definition]\nactionban = { echo <ip>; date; } >> /var/log/banned.log\n",
        references: &["Python configparser `inline_comment_prefixes`"],
    },
    check,
};

fn unbalanced(kept: &str) -> bool {
    let count = |c: char| kept.matches(c).count();
    count('(') > count(')')
        || count('{') > count('}')
        || count('[') > count(']')
        || count('"') % 2 == 1
        || count('\'') % 2 == 1
}

fn looks_like_code(cut: &str) -> bool {
    ["$(", "%(", "|", ")", "}", "<", "&&", "\\"]
        .iter()
        .any(|s| cut.contains(s))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for file in &ctx.files {
        let entries = file
            .ini
            .defaults
            .values()
            .chain(file.ini.sections.values().flat_map(|s| s.entries.values()));
        for e in entries {
            let mut offset = 0;
            for line in e.value.text.split('\n') {
                let start = offset;
                offset += line.len() + 1;
                let Some(loc) = e.value.loc_at(start).filter(|_| !line.is_empty()) else {
                    continue;
                };
                let src = &ctx.sources.get(loc.file).text;
                let line_start = src[..loc.offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                let line_end = src[loc.offset..]
                    .find(['\n', '\r'])
                    .map_or(src.len(), |i| loc.offset + i);
                let physical = &src[line_start..line_end];
                let value_col = loc.offset - line_start;
                let Some(cut) = inline_comment_start(physical).filter(|&c| c > value_col) else {
                    continue;
                };
                if !seen.insert((loc.file, line_start)) {
                    continue;
                }
                let kept = &physical[value_col..cut];
                let dropped = &physical[cut..];
                if !unbalanced(kept) && !looks_like_code(dropped) {
                    continue;
                }
                // Every ` ;` of the line after the value starts: drop the
                // whitespace so `;` stays part of the value.
                let mut edits = Vec::new();
                let bytes = physical.as_bytes();
                for (i, _) in physical.match_indices(';') {
                    if i > value_col && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                        let mut ws = i;
                        while ws > value_col && (bytes[ws - 1] == b' ' || bytes[ws - 1] == b'\t') {
                            ws -= 1;
                        }
                        edits.push(Edit {
                            loc: Loc {
                                file: loc.file,
                                offset: line_start + ws,
                            },
                            len: i - ws,
                            replacement: String::new(),
                        });
                    }
                }
                out.push(
                    Finding::new(
                        &RULE.info,
                        format!(
                            "configparser cuts this value at ` ;`: fail2ban reads `{}` and drops `{}`",
                            kept.trim_end(),
                            dropped
                        ),
                    )
                    .at_loc(
                        Some(Loc {
                            file: loc.file,
                            offset: line_start + cut,
                        }),
                        dropped.len(),
                    )
                    .label("read as a comment")
                    .hint("write `;` without the whitespace before it to keep it in the value")
                    .fix(Fix {
                        description: "remove the whitespace before each `;`".into(),
                        edits,
                    }),
                );
            }
        }
    }
}
