//! F2B108 regex-unhit: a failregex its filter's own sample log never hits.

use crate::config::pypath;
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::Context;
use crate::lint::registry::{FixKind, Rule, RuleInfo};
use crate::samples::{SampleEnv, run_filter};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B108",
        name: "regex-unhit",
        summary: "A failregex that no line of the filter's sample log matches",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "With `--samples DIR` (a directory of sample logs named after their filters, \
like fail2ban's `fail2ban/tests/files/logs`): a failregex of a filter that no line of \
`DIR/<filter name>` matches, under every option set the sample file's `# failJSON`/\
`filterOptions` comments select. Filters without a sample file are not checked.",
        why: "fail2ban's own test suite fails a filter with an untested failregex \
(its coverage rule). A regex no real line exercises is either dead (the log format moved on) \
or untested, and an untested regex is where injection and typos hide.",
        example: "# filter.d/myapp.conf\n[Definition]\nfailregex = ^\\s*Login failed for <HOST>$\n\
            ^\\s*Password expired for <HOST>$\n\n# DIR/myapp (the sample log)\n\
# failJSON: { \"time\": \"2005-08-14T12:00:00\", \"match\": true , \"host\": \"192.0.2.1\" }\n\
2005-08-14 12:00:00 Login failed for 192.0.2.1\n",
        example_fixed: "# DIR/myapp (the sample log), one line per failregex\n\
# failJSON: { \"time\": \"2005-08-14T12:00:00\", \"match\": true , \"host\": \"192.0.2.1\" }\n\
2005-08-14 12:00:00 Login failed for 192.0.2.1\n\
# failJSON: { \"time\": \"2005-08-14T12:00:00\", \"match\": true , \"host\": \"192.0.2.2\" }\n\
2005-08-14 12:00:00 Password expired for 192.0.2.2\n",
        references: &[
            "fail2ban's sample-log test (`samplestestcase.py`): every failregex needs a sample",
        ],
    },
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(dir) = &ctx.samples else { return };
    let env = SampleEnv::new(ctx.flavor, std::path::Path::new(dir));
    let mut done = std::collections::HashSet::new();
    for f in &ctx.filters {
        if !done.insert(f.path.clone()) {
            continue;
        }
        let name = pypath::strip_ext(&pypath::basename(&f.path)).to_string();
        if !std::path::Path::new(dir).join(&name).is_file() {
            continue;
        }
        let filter_d = pypath::dirname(&f.path);
        if pypath::basename(&filter_d) != "filter.d" {
            continue;
        }
        let basedir = pypath::dirname(&filter_d);
        let outcome = run_filter(&name, std::path::Path::new(&basedir), &env);
        if let Some(e) = &outcome.error {
            out.push(
                Finding::new(
                    &RULE.info,
                    format!("sample log {dir}/{name} could not be checked: {e}"),
                )
                .severity(Severity::Info)
                .in_file(f.path.clone()),
            );
            continue;
        }
        for text in &outcome.uncovered_regexes {
            let use_dns = f.usedns.as_deref().unwrap_or("warn");
            let line = f.failregex.iter().position(|r| {
                &r.text == text
                    || &crate::lint::regex_ast::expand(&r.text, use_dns, ctx.flavor) == text
            });
            let message = format!(
                "no line of the sample log {dir}/{name} matches failregex {}",
                line.map_or_else(|| format!("`{text}`"), |i| format!("#{}", i + 1))
            );
            let finding = Finding::new(&RULE.info, message).label("never hit");
            out.push(match line {
                Some(i) => finding.at(&f.failregex[i], 0..f.failregex[i].text.len()),
                None => finding.in_file(f.path.clone()),
            });
        }
    }
}
