//! `docs/lint-report.md`: f2b lint over fail2ban's own configuration trees
//! (1.0.2 and upstream, as shipped and with every jail enabled) and over
//! the founding user's setup, with a review of every error-severity
//! finding. `scripts/gen-lint-report` writes it; `tests/lint_report.rs`
//! fails when it is stale or an error has no review.

use super::finding::Finding;
use super::model::LintInput;
use super::select::Selection;
use crate::diag::Severity;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One tree of the report.
pub struct Tree {
    pub label: &'static str,
    pub description: String,
    pub dir: PathBuf,
    pub samples: Option<PathBuf>,
    /// Only findings in these files (relative to the tree) and jail
    /// findings are reported: the seed tree repeats the 1.0.2 tree.
    pub focus: Option<Vec<&'static str>>,
    /// Error findings need a review (the stock trees).
    pub review: bool,
}

use crate::samples::table::copy_dir;

fn jail_names(jail_conf: &Path) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(jail_conf)?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let name = l.trim_end().strip_prefix('[')?.strip_suffix(']')?;
            (!matches!(name, "DEFAULT" | "INCLUDES") && !name.is_empty()).then(|| name.to_string())
        })
        .collect())
}

/// Builds the trees under `scratch` (copies; the corpus is never written).
pub fn trees(compat: &Path, scratch: &Path) -> std::io::Result<Vec<Tree>> {
    let mut out = Vec::new();
    for (version, label, all_label) in [
        ("fail2ban-1.0.2", "1.0.2", "1.0.2, every jail enabled"),
        (
            "fail2ban-upstream",
            "upstream",
            "upstream, every jail enabled",
        ),
    ] {
        let config = compat.join(version).join("config");
        let logs = compat.join(version).join("tests-files/logs");
        out.push(Tree {
            label,
            description: format!(
                "`../shared/compat/{version}/config` as shipped, with fail2ban's sample logs \
                 (`--samples ../shared/compat/{version}/tests-files/logs`)"
            ),
            dir: config.clone(),
            samples: logs.is_dir().then_some(logs),
            focus: None,
            review: true,
        });
        let dir = scratch.join(format!("{version}-all"));
        copy_dir(&config, &dir)?;
        let mut enable = String::new();
        for jail in jail_names(&config.join("jail.conf"))? {
            enable.push_str(&format!("[{jail}]\nenabled = true\n\n"));
        }
        std::fs::create_dir_all(dir.join("jail.d"))?;
        std::fs::write(dir.join("jail.d/zz-enable-all.local"), enable)?;
        out.push(Tree {
            label: all_label,
            description: format!(
                "the same tree with `jail.d/zz-enable-all.local` setting `enabled = true` for \
                 every jail of `{version}/config/jail.conf`, so the jail rules see every stock jail"
            ),
            dir,
            samples: None,
            focus: None,
            review: true,
        });
    }
    let seed = compat.join("seed-blog");
    let dir = scratch.join("seed");
    copy_dir(&compat.join("fail2ban-1.0.2/config"), &dir)?;
    std::fs::copy(
        seed.join("jail.d/jail.local"),
        dir.join("jail.d/jail.local"),
    )?;
    for f in ["asterisk-seed-old.conf", "asterisk-seed-new.conf"] {
        std::fs::copy(seed.join("filter.d").join(f), dir.join("filter.d").join(f))?;
    }
    std::fs::write(
        dir.join("jail.d/00-firewalld.conf"),
        "[DEFAULT]\nbanaction = firewallcmd-ipset\nbanaction_allports = firewallcmd-ipset[actiontype=<allports>]\n",
    )?;
    out.push(Tree {
        label: "founding setup",
        description: "the 1.0.2 tree with the seed's `jail.d/jail.local`, its hand-written \
                      `filter.d/asterisk-seed-old.conf` and the stock filter of that era \
                      `filter.d/asterisk-seed-new.conf`, and the CentOS firewalld packaging's \
                      `jail.d/00-firewalld.conf` (`banaction = firewallcmd-ipset`). Only \
                      findings in these files and findings about jails are listed; the rest of \
                      the tree is the 1.0.2 tree above. These are the expected findings on the \
                      user's own files, so they carry no review"
            .into(),
        dir,
        samples: None,
        focus: Some(vec![
            "jail.d/jail.local",
            "jail.d/00-firewalld.conf",
            "filter.d/asterisk-seed-old.conf",
            "filter.d/asterisk-seed-new.conf",
        ]),
        review: false,
    });
    Ok(out)
}

/// Findings that depend on the machine, not the tree (log files present
/// here), are left out of the report.
fn host_dependent(f: &Finding) -> bool {
    f.code == "F2B206"
}

/// One row per finding: (severity, code, path relative to the tree, line,
/// message).
pub type Row = (Severity, &'static str, String, usize, String);

pub fn lint_tree(tree: &Tree) -> Vec<Row> {
    let input = LintInput {
        conf: Some(tree.dir.display().to_string()),
        paths: Vec::new(),
        samples: tree.samples.as_ref().map(|p| p.display().to_string()),
        flavor: None,
    };
    let outcome = super::run(&input, &Selection::default());
    let prefix = format!("{}/", tree.dir.display());
    outcome
        .findings
        .iter()
        .filter(|f| !host_dependent(f))
        .map(|f| {
            let (path, line, _) = f.position(&outcome.sources).unwrap_or_default();
            let path = path.strip_prefix(&prefix).unwrap_or(&path).to_string();
            (f.severity, f.code, path, line, f.message.clone())
        })
        .filter(|(_, code, path, _, _)| match &tree.focus {
            Some(files) => files.contains(&path.as_str()) || code.starts_with("F2B2"),
            None => true,
        })
        .collect()
}

/// Reviews: `LABEL | CODE | PATH:LINE | why the finding is real`; the
/// label `*` stands for every tree.
pub fn parse_reviews(text: &str) -> BTreeMap<(String, String, String), String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let parts: Vec<&str> = l.splitn(4, '|').map(str::trim).collect();
            (parts.len() == 4).then(|| {
                (
                    (
                        parts[0].to_string(),
                        parts[1].to_string(),
                        parts[2].to_string(),
                    ),
                    parts[3].to_string(),
                )
            })
        })
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report, and the error findings that have no review.
pub fn render(results: &[(&Tree, Vec<Row>)], reviews: &str) -> (String, Vec<String>) {
    let reviews = parse_reviews(reviews);
    let mut unreviewed = Vec::new();
    let mut out = String::from(
        "# f2b lint on fail2ban's own trees and the founding setup\n\n\
         Generated by `scripts/gen-lint-report` (never edit by hand); `tests/lint_report.rs` \
         fails when it is stale or when an error-severity finding has no review in \
         `compat-fixtures/lint-review.txt`. F2B206 (missing log files) is left out: it \
         depends on the machine, not on the tree. Rules: [docs/rules](rules/README.md).\n\n\
         ## Summary\n\n| Tree | Errors | Warnings | Notes | By rule |\n|---|---|---|---|---|\n",
    );
    for (tree, rows) in results {
        let count = |s| rows.iter().filter(|r| r.0 == s).count();
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for r in rows {
            *by.entry(r.1).or_default() += 1;
        }
        let by: Vec<String> = by.iter().map(|(c, n)| format!("{c}×{n}")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            tree.label,
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
            if by.is_empty() {
                "–".into()
            } else {
                by.join(", ")
            }
        ));
    }
    for (tree, rows) in results {
        out.push_str(&format!("\n## {}\n\n{}.\n\n", tree.label, tree.description));
        if rows.is_empty() {
            out.push_str("No findings.\n");
            continue;
        }
        out.push_str("| Severity | Code | Where | Message |\n|---|---|---|---|\n");
        for (sev, code, path, line, msg) in rows {
            out.push_str(&format!(
                "| {} | {code} | `{path}:{line}` | {} |\n",
                sev.as_str(),
                md_escape(msg)
            ));
        }
        let errors: Vec<&Row> = rows.iter().filter(|r| r.0 == Severity::Error).collect();
        if errors.is_empty() || !tree.review {
            continue;
        }
        out.push_str("\nReview of the errors:\n\n");
        for (_, code, path, line, _) in errors {
            let key = (
                tree.label.to_string(),
                code.to_string(),
                format!("{path}:{line}"),
            );
            let any = ("*".to_string(), key.1.clone(), key.2.clone());
            match reviews.get(&key).or_else(|| reviews.get(&any)) {
                Some(why) => out.push_str(&format!("- {code} `{path}:{line}`: {why}\n")),
                None => {
                    unreviewed.push(format!("{} | {code} | {path}:{line}", tree.label));
                    out.push_str(&format!("- {code} `{path}:{line}`: NOT REVIEWED\n"));
                }
            }
        }
    }
    (out, unreviewed)
}

/// Builds the trees, lints them and renders the report.
pub fn report(compat: &Path, reviews: &str) -> std::io::Result<(String, Vec<String>)> {
    let scratch = std::env::temp_dir().join(format!("f2b-lint-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let trees = trees(compat, &scratch)?;
    let results: Vec<(&Tree, Vec<Row>)> = trees.iter().map(|t| (t, lint_tree(t))).collect();
    let rendered = render(&results, reviews);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(rendered)
}
