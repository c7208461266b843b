//! The built-in filters of `f2b audit` (`src/audit/builtin/filter.d`, our
//! own writing) against fail2ban's stock filters, on the sample logs of both
//! corpus versions: every failure the stock filter records must be recorded
//! by the built-in one too, with the same address and time. What counts is
//! what the daemon would record: `f2b regex -o '<ip> <time>'` (no check-all,
//! multi-line failure ids merged). Both files must also pass `f2b lint`
//! without a single finding.
//!
//! Under `CI=true` a missing corpus fails the comparison; elsewhere it says
//! so and returns. The lint test needs no corpus.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const VERSIONS: &[&str] = &["fail2ban-1.0.2", "fail2ban-upstream"];

fn builtin(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/audit/builtin/filter.d")
        .join(file)
}

fn compat(test: &str) -> Option<PathBuf> {
    let dir = common::compat_dir();
    if dir.is_none() {
        if common::in_ci() {
            panic!("{test}: ../shared/compat missing under CI=true");
        }
        eprintln!("NOTE: {test} did not run: ../shared/compat missing (it fails under CI=true)");
    }
    dir
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
}

/// The failures `f2b regex -o '<ip> <time>' LOG FILTER [-c CONFIG]` prints,
/// counted. A line without a date gets the wall-clock time of the run, which
/// differs from run to run: such times read `<now>`.
fn failures(log: &Path, filter: &Path, config: Option<&Path>) -> BTreeMap<String, usize> {
    let mut cmd = common::f2b();
    cmd.args(["regex", "-o", "<ip> <time>"])
        .arg(log)
        .arg(filter);
    if let Some(c) = config {
        cmd.arg("-c").arg(c);
    }
    let before = now() - 2.0;
    let out = common::run(cmd);
    let after = now() + 2.0;
    assert!(
        out.status.success(),
        "f2b regex {} {} failed: {}\n{}",
        log.display(),
        filter.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut counts = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let row = match line.rsplit_once(' ') {
            Some((ip, t))
                if t.parse::<f64>()
                    .is_ok_and(|t| (before..=after).contains(&t)) =>
            {
                format!("{ip} <now>")
            }
            _ => line.to_string(),
        };
        *counts.entry(row).or_insert(0) += 1;
    }
    counts
}

/// `a - b` as a multiset, one row per missing occurrence.
fn minus(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (row, &n) in a {
        let m = b.get(row).copied().unwrap_or(0);
        for _ in m..n {
            out.push(row.clone());
        }
    }
    out
}

/// The stock filter `stock` of each version against the built-in `file`
/// on that version's sample log `tests-files/logs/<stock>`.
fn compare(test: &str, stock: &str, file: &str) {
    let Some(compat) = compat(test) else { return };
    let ours = builtin(file);
    let mut problems = Vec::new();
    for version in VERSIONS {
        let vdir = compat.join(version);
        let config = vdir.join("config");
        let log = vdir.join("tests-files/logs").join(stock);
        assert!(log.is_file(), "{test}: {} missing", log.display());
        let expected = failures(&log, Path::new(stock), Some(&config));
        let actual = failures(&log, &ours, None);
        let total = |m: &BTreeMap<String, usize>| m.values().sum::<usize>();
        eprintln!(
            "{test} {version}: stock {stock} {} failures, {file} {}",
            total(&expected),
            total(&actual)
        );
        let missing = minus(&expected, &actual);
        let extra = minus(&actual, &expected);
        let listed = |rows: &[String], mark: &str| -> String {
            rows.iter().map(|r| format!("\n  {mark} {r}")).collect()
        };
        if !missing.is_empty() {
            problems.push(format!(
                "{version}: {} of the stock {stock} filter's {} failures are not found by {file} \
                 (`<ip> <time>`):{}\n{file} finds {} the stock filter does not:{}",
                missing.len(),
                total(&expected),
                listed(&missing, "-"),
                extra.len(),
                listed(&extra, "+")
            ));
        } else if !extra.is_empty() {
            eprintln!(
                "{test} {version}: {file} finds {} failures the stock filter does not:{}",
                extra.len(),
                listed(&extra, "+")
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn builtin_asterisk_finds_every_stock_failure() {
    compare(
        "builtin_asterisk_finds_every_stock_failure",
        "asterisk",
        "f2b-asterisk.conf",
    );
}

#[test]
fn builtin_sshd_finds_every_stock_failure() {
    compare(
        "builtin_sshd_finds_every_stock_failure",
        "sshd",
        "f2b-sshd.conf",
    );
}

#[test]
fn builtin_filters_pass_lint() {
    for file in ["f2b-asterisk.conf", "f2b-sshd.conf"] {
        let mut cmd = common::f2b();
        cmd.arg("lint").arg(builtin(file));
        let out = common::run(cmd);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("All checks passed."),
            "f2b lint {file}: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
