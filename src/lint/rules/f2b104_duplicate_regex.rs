//! F2B104 regex-duplicate: the same regex twice in one filter.

use super::common::{RegexKind, regex_lines};
use crate::diag::Severity;
use crate::lint::finding::{Edit, Finding, Fix, span_of};
use crate::lint::model::Context;
use crate::lint::regex_ast::expand;
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::source::Loc;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B104",
        name: "regex-duplicate",
        summary: "A failregex or ignoreregex that repeats an earlier one after expansion",
        severity: Severity::Warning,
        fix: FixKind::Safe,
        what: "Two lines of the same `failregex` (or `ignoreregex`) option that compile to the \
same pattern once `%(name)s` values and fail2ban's tags are expanded.",
        why: "The second copy can never be the first to match, so it only costs time on every \
log line (fail2ban tries each regex in turn) and hides what the author meant to write - often a \
copy that was supposed to be edited.",
        example: "[Definition]\nfailregex = ^Bad password for \\S+ from <HOST>$\n            \
^Bad password for \\S+ from <HOST>$\n",
        example_fixed: "[Definition]\nfailregex = ^Bad password for \\S+ from <HOST>$\n",
        references: &[],
    },
    check,
};

/// The whole physical line of a regex line that maps onto one source line.
fn line_deletion(ctx: &Context, text: &crate::source::SString) -> Option<Edit> {
    let (loc, len) = span_of(text, 0..text.text.len());
    let loc = loc?;
    if len != text.text.len() {
        return None;
    }
    let src = &ctx.sources.get(loc.file).text;
    let start = src[..loc.offset].rfind('\n').map_or(0, |i| i + 1);
    if !src[start..loc.offset].trim().is_empty() {
        return None; // the first line of the option, after `failregex =`
    }
    let end = src[loc.offset..]
        .find('\n')
        .map_or(src.len(), |i| loc.offset + i + 1);
    if src[loc.offset + len..end].trim() != "" {
        return None;
    }
    Some(Edit {
        loc: Loc {
            file: loc.file,
            offset: start,
        },
        len: end - start,
        replacement: String::new(),
    })
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let lines = regex_lines(ctx);
    let expanded: Vec<String> = lines
        .iter()
        .map(|l| expand(&l.text.text, l.use_dns(), ctx.flavor))
        .collect();
    for (i, line) in lines.iter().enumerate() {
        if line.kind == RegexKind::Prefregex {
            continue;
        }
        let first = lines[..i].iter().zip(&expanded).find(|(o, exp)| {
            std::ptr::eq(o.filter, line.filter) && o.kind == line.kind && **exp == expanded[i]
        });
        let Some((first, _)) = first else { continue };
        let same_text = first.text.text == line.text.text;
        let mut f = Finding::new(
            &RULE.info,
            format!(
                "{} duplicates {} #{}{}",
                line.describe(),
                line.kind.as_str(),
                first.index + 1,
                if same_text { "" } else { " after expansion" }
            ),
        )
        .at(line.text, 0..line.text.text.len())
        .label("the same pattern again");
        if let Some(edit) = line_deletion(ctx, line.text) {
            f = f.fix(Fix {
                description: "delete the duplicate line".into(),
                edits: vec![edit],
            });
        }
        out.push(f);
    }
}
