//! `f2b regex` against fail2ban-regex outputs recorded for our own fixture
//! (compat-fixtures/regex/README.md): runs without fail2ban installed.

mod common;

use common::*;
use std::path::Path;

fn check(args: &[&str], recorded: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures/regex");
    let expected = std::fs::read_to_string(dir.join(recorded)).expect("recorded output");
    let mut cmd = f2b();
    cmd.current_dir(&dir)
        .env("TZ", "UTC")
        .arg("regex")
        .args(args);
    let out = run(cmd);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let actual: String = stdout
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("[processed in"))
        .collect();
    if actual != expected {
        panic!("{recorded}:\n{}", diff(&expected, &actual));
    }
}

#[test]
fn report_matches_recorded_fail2ban_regex() {
    check(
        &[
            "asterisk-messages.log",
            "asterisk",
            "-c",
            "../founding-setup",
        ],
        "asterisk-messages.report.txt",
    );
}

#[test]
fn rows_match_recorded_fail2ban_regex() {
    check(
        &[
            "-o",
            "row",
            "asterisk-messages.log",
            "asterisk",
            "-c",
            "../founding-setup",
        ],
        "asterisk-messages.row.txt",
    );
}

#[test]
fn verbose_report_matches_recorded_fail2ban_regex() {
    check(
        &[
            "-v",
            "--print-all-matched",
            "asterisk-messages.log",
            "asterisk",
            "-c",
            "../founding-setup",
        ],
        "asterisk-messages.verbose.txt",
    );
}
