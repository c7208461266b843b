//! One failing and one passing fixture per lint rule
//! (`compat-fixtures/lint/<CODE>/{fail,pass}[.conf]`): an insta snapshot of
//! `f2b lint --select CODE` on each, and the finding counts checked.

mod common;

use std::path::Path;

/// The command-line arguments that lint one fixture: a `.conf` file, or a
/// tree directory (with its `samples/` for the coverage rule).
fn fixture_args(dir: &Path, case: &str) -> Option<Vec<String>> {
    let file = dir.join(format!("{case}.conf"));
    let tree = dir.join(case);
    let rel = |p: &Path| {
        p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .expect("inside the crate")
            .display()
            .to_string()
    };
    if file.is_file() {
        return Some(vec![rel(&file)]);
    }
    if tree.is_dir() {
        let mut args = vec!["-c".to_string(), rel(&tree)];
        if tree.join("samples").is_dir() {
            args.push("--samples".into());
            args.push(rel(&tree.join("samples")));
        }
        return Some(args);
    }
    None
}

fn lint(code: &str, args: &[String], format: &str) -> (i32, String) {
    let mut cmd = common::f2b();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", "--select", code, "--format", format])
        .args(args);
    let out = common::run(cmd);
    assert!(
        out.stderr.is_empty(),
        "{code}: stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures/lint");
    let mut missing = Vec::new();
    for rule in f2b::lint::RULES {
        let code = rule.info.code;
        let dir = root.join(code);
        for case in ["fail", "pass"] {
            let Some(args) = fixture_args(&dir, case) else {
                missing.push(format!("{code}/{case}"));
                continue;
            };
            let (_, json) = lint(code, &args, "json");
            let findings: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
            let own = findings.iter().filter(|f| f["code"] == code).count();
            match case {
                "fail" => assert!(own > 0, "{code}: the failing fixture gives no finding"),
                _ => assert_eq!(
                    own, 0,
                    "{code}: the passing fixture gives findings:\n{json}"
                ),
            }
            let (exit, text) = lint(code, &args, "text");
            insta::assert_snapshot!(
                format!("{code}_{case}"),
                format!(
                    "$ f2b lint --select {code} {}\nexit: {exit}\n{text}",
                    args.join(" ")
                )
            );
        }
    }
    assert!(missing.is_empty(), "fixtures missing: {missing:?}");
}
