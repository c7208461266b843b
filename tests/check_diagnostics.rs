//! `f2b check` on one fixture per kind of bad input: an insta snapshot of
//! what a person sees (diagnostics with file:line:column, underline, hint)
//! and the verdict compared with `fail2ban-client -t`.

mod common;

use common::*;
use std::path::Path;

fn fixtures_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures")
}

/// Runs `f2b check` from the repository root with a relative path when the
/// tree is inside it, so rendered paths (and their line wrapping) do not
/// depend on where the checkout lives.
fn check_output(dir: &Path, extra: &[&str]) -> (String, i32) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = dir.strip_prefix(manifest).unwrap_or(dir);
    let out = run({
        let mut c = f2b();
        c.current_dir(manifest)
            .arg("check")
            .arg("-c")
            .arg(rel)
            .args(extra);
        c
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (text, out.status.code().unwrap_or(-1))
}

#[test]
fn bad_input_diagnostics() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_root().join("bad"))
        .expect("bad fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "fixtures present: {names:?}");
    for name in names {
        let dir = fixtures_root().join("bad").join(&name);
        let (text, code) = check_output(&dir, &[]);
        insta::assert_snapshot!(format!("check_{name}"), format!("exit: {code}\n{text}"));
    }
}

#[test]
fn check_verdict_agrees_with_fail2ban_test() {
    let Some(compat) = require_oracle_and_corpus("check_verdict_agrees_with_fail2ban_test") else {
        return;
    };
    // all_trees includes the fixture trees.
    for tree in all_trees(&compat) {
        let oracle = run({
            let mut c = std::process::Command::new("fail2ban-client");
            c.arg("-c").arg(&tree.dir).arg("-t");
            c
        });
        let (text, code) = check_output(&tree.dir, &[]);
        let fail2ban_ok = oracle.status.success();
        let verdict_line = if fail2ban_ok {
            "OK: configuration test is successful"
        } else {
            "ERROR: test configuration failed"
        };
        assert!(
            text.trim_end().ends_with(verdict_line),
            "{}: verdict differs from fail2ban -t ({fail2ban_ok}):\n{text}",
            tree.name
        );
        if !fail2ban_ok {
            assert_eq!(
                code, 1,
                "{}: fail2ban rejects, f2b check must exit 1",
                tree.name
            );
        }
    }
}

#[test]
fn json_output_is_parseable_and_located() {
    let dir = fixtures_root().join("bad/duplicate-key");
    let out = run({
        let mut c = f2b();
        c.arg("check")
            .arg("-c")
            .arg(&dir)
            .args(["--format", "json"]);
        c
    });
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert!(
        d["file"]
            .as_str()
            .unwrap()
            .ends_with("duplicate-key/jail.conf")
    );
    assert_eq!(d["line"], 12);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_50_megabyte_file_is_read_without_trouble() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    copy_dir(&fixtures_root().join("founding-setup"), dir);
    let mut big = String::with_capacity(52 * 1024 * 1024);
    big.push_str("[DEFAULT]\n");
    let mut i = 0;
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(&format!("filler_{i} = {}\n", "x".repeat(200)));
        i += 1;
    }
    big.push_str("[asterisk]\nmaxretry = 7\n");
    std::fs::write(dir.join("jail.local"), big).expect("write");
    let out = run({
        let mut c = f2b();
        c.arg("dump").arg("-c").arg(dir);
        c
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("['set', 'asterisk', 'maxretry', 7]"),
        "{stdout}"
    );
}
