//! `f2b lint`: arguments, output format and exit status.

use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use crate::diag::Severity;
use crate::lint::registry::{RULES, find, markdown};
use crate::lint::select::{Selection, parse_list, unknown_pattern};
use crate::lint::{LintInput, render};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Configuration tree whose jails, filter.d and action.d are linted
    /// (default /etc/fail2ban when no PATH is given, or when a PATH is a
    /// jail file that needs a tree around it).
    #[arg(short = 'c', long = "conf", value_name = "DIR")]
    pub conf: Option<String>,
    /// Filter, action or jail files, or a tree directory. A jail file is
    /// read after the tree's own jail files, like a jail.local.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// `text` (for people, on stdout), `json` (one array of findings),
    /// `sarif` (SARIF 2.1.0 for code scanning), `github` (workflow
    /// annotations).
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// Only these rules: codes, code prefixes (F2B1) or names, comma separated.
    #[arg(long, value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rules (codes, prefixes or names).
    #[arg(long, value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Exit 1 on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Directory of sample logs named after their filters (like fail2ban's
    /// tests/files/logs), for the coverage rule F2B108.
    #[arg(long, value_name = "DIR")]
    pub samples: Option<String>,
    /// Expand tags as upstream master does instead of 1.0.2.
    #[arg(long)]
    pub upstream: bool,
    /// Apply the safe fixes (see `--list-rules`) to the files, then report
    /// what is left.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, also apply suggested fixes, which change behaviour the
    /// way the rule recommends (review the diff).
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// List every rule and exit.
    #[arg(long)]
    pub list_rules: bool,
}

pub fn run(args: LintArgs) -> i32 {
    if args.list_rules {
        for r in RULES {
            println!(
                "{}  {:<30} {:<8} fix:{:<10} {}",
                r.info.code,
                r.info.name,
                r.info.severity.as_str(),
                r.info.fix.as_str(),
                r.info.summary
            );
        }
        return EXIT_OK;
    }
    if let Some(code) = &args.explain {
        return match find(code) {
            Some(r) => {
                print!("{}", markdown(&r.info));
                EXIT_OK
            }
            None => {
                eprintln!("f2b lint: no rule {code:?} (see f2b lint --list-rules)");
                EXIT_USAGE
            }
        };
    }
    let selection = Selection {
        select: args.select.iter().flat_map(|s| parse_list(s)).collect(),
        ignore: args.ignore.iter().flat_map(|s| parse_list(s)).collect(),
    };
    if let Some(bad) = unknown_pattern(&selection.select).or(unknown_pattern(&selection.ignore)) {
        eprintln!("f2b lint: {bad:?} names no rule (see f2b lint --list-rules)");
        return EXIT_USAGE;
    }
    let dirs = args
        .paths
        .iter()
        .filter(|p| std::path::Path::new(p).is_dir())
        .count();
    if dirs + usize::from(args.conf.is_some()) > 1 {
        eprintln!("f2b lint: one configuration tree per run (-c DIR or one directory argument)");
        return EXIT_USAGE;
    }
    let input = LintInput {
        conf: args.conf,
        paths: args.paths,
        samples: args.samples,
        flavor: Some(if args.upstream {
            crate::filter::Flavor::Upstream
        } else {
            crate::filter::Flavor::V1_0_2
        }),
    };
    let mut outcome = crate::lint::run(&input, &selection);
    if args.fix {
        let report =
            crate::lint::fix::apply(&outcome.findings, &outcome.sources, args.unsafe_fixes);
        for (path, why) in &report.skipped {
            eprintln!("f2b lint: not fixing {path}: {why}");
        }
        eprintln!(
            "f2b lint: fixed {} finding(s) in {} file(s)",
            report.fixed.len(),
            report.files.len()
        );
        let mut i = 0;
        outcome.findings.retain(|_| {
            i += 1;
            !report.fixed.contains(&(i - 1))
        });
    }
    let text = match args.format {
        LintFormat::Text => render::text(&outcome.findings, &outcome.sources),
        LintFormat::Json => render::json(&outcome.findings, &outcome.sources),
        LintFormat::Sarif => render::sarif(&outcome.findings, &outcome.sources),
        LintFormat::Github => render::github(&outcome.findings, &outcome.sources),
    };
    print!("{text}");
    let errors = outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let warnings = outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Warning);
    if errors || (args.deny_warnings && warnings) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}
