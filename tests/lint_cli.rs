//! `f2b lint` end to end: exit codes, selection and in-file directives, and
//! the machine formats (JSON fields, SARIF 2.1.0 against its schema, GitHub
//! annotations).

mod common;

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn lint(args: &[&str]) -> (i32, String, String) {
    let mut cmd = common::f2b();
    cmd.current_dir(ROOT).arg("lint").args(args);
    let out = common::run(cmd);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

#[test]
fn exit_codes() {
    // An error finding.
    assert_eq!(lint(&["compat-fixtures/lint/F2B101/fail.conf"]).0, 1);
    // Only warnings: 0, unless --deny-warnings.
    let warn = "compat-fixtures/lint/F2B104/fail.conf";
    assert_eq!(lint(&["--select", "F2B104", warn]).0, 0);
    assert_eq!(lint(&["--select", "F2B104", "--deny-warnings", warn]).0, 1);
    // Clean.
    let (code, out, _) = lint(&["--select", "F2B1", "compat-fixtures/lint/F2B104/pass.conf"]);
    assert_eq!((code, out.trim()), (0, "All checks passed."));
    // Ignored rules do not count.
    assert_eq!(
        lint(&[
            "--ignore",
            "F2B101",
            "compat-fixtures/lint/F2B101/fail.conf"
        ])
        .0,
        0
    );
    // Bad usage: 2 with a message.
    let (code, _, err) = lint(&["--select", "F2B999", warn]);
    assert_eq!(code, 2);
    assert!(err.contains("names no rule"), "{err}");
    assert_eq!(lint(&["--format", "xml", warn]).0, 2);
    assert_eq!(lint(&["--explain", "nope"]).0, 2);
    // A file that does not exist is an error finding, not a crash.
    let (code, out, _) = lint(&["compat-fixtures/lint/no-such-filter.conf"]);
    assert_eq!(code, 1);
    assert!(out.contains("no-such-filter.conf"), "{out}");
}

#[test]
fn explain_and_list() {
    let (code, out, _) = lint(&["--explain", "F2B105"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# F2B105 host-injection"), "{out}");
    let (code, out, _) = lint(&["--list-rules"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), f2b::lint::RULES.len());
}

#[test]
fn in_file_directives() {
    let tmp = tempfile::tempdir().expect("tmp");
    let body = "failregex = ^a <HOST>$\n            ^a <HOST>$\n";
    let comment = tmp.path().join("comment.conf");
    std::fs::write(
        &comment,
        format!("# f2b-lint: ignore=F2B104\n[Definition]\n{body}"),
    )
    .expect("write");
    let section = tmp.path().join("section.conf");
    std::fs::write(
        &section,
        format!("[Definition]\n{body}\n[f2b-lint]\nignore = regex-duplicate\n"),
    )
    .expect("write");
    let plain = tmp.path().join("plain.conf");
    std::fs::write(&plain, format!("[Definition]\n{body}")).expect("write");
    let count = |p: &Path| {
        let (_, out, _) = lint(&["--format", "json", p.to_str().expect("utf-8")]);
        let v: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
        v.iter().filter(|f| f["code"] == "F2B104").count()
    };
    assert_eq!(count(&plain), 1);
    assert_eq!(count(&comment), 0);
    assert_eq!(count(&section), 0);
}

#[test]
fn json_findings_have_the_documented_fields() {
    let (_, out, _) = lint(&["--format", "json", "-c", "compat-fixtures/lint/F2B202/fail"]);
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json array");
    let f = v
        .iter()
        .find(|f| f["code"] == "F2B202")
        .expect("a F2B202 finding");
    for key in ["code", "severity", "file", "line", "column", "message"] {
        assert!(!f[key].is_null(), "{key} missing in {f}");
    }
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "compat-fixtures/lint/F2B202/fail/jail.conf");
    assert_eq!(f["fix"]["edits"][0]["replacement"], "enabled");
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/data/sarif-schema-2.1.0.json"))
        .expect("schema");
    // The published schema's `run.language` pattern has a stray `]` that
    // JSON Schema's regex format rejects; the OASIS errata form is used
    // instead (f2b never writes `language`).
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema json");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let validator = sarif_validator();
    let mut checked = 0;
    for dir in std::fs::read_dir(Path::new(ROOT).join("compat-fixtures/lint")).expect("fixtures") {
        let dir = dir.expect("entry").path();
        for case in ["fail.conf", "fail"] {
            let p = dir.join(case);
            let rel = p.strip_prefix(ROOT).expect("inside").display().to_string();
            let samples = format!("{rel}/samples");
            let args: Vec<&str> = if p.is_file() {
                vec!["--format", "sarif", &rel]
            } else if p.join("samples").is_dir() {
                vec!["--format", "sarif", "-c", &rel, "--samples", &samples]
            } else if p.is_dir() {
                vec!["--format", "sarif", "-c", &rel]
            } else {
                continue;
            };
            let (_, out, _) = lint(&args);
            let doc: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{rel}: {errors:#?}");
            assert_eq!(doc["version"], "2.1.0");
            assert!(
                !doc["runs"][0]["results"]
                    .as_array()
                    .expect("results")
                    .is_empty(),
                "{rel}: no results"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fixtures checked");
}

#[test]
fn github_annotations() {
    let (_, out, _) = lint(&[
        "--format",
        "github",
        "--select",
        "F2B104",
        "compat-fixtures/lint/F2B104/fail.conf",
    ]);
    assert_eq!(
        out.trim(),
        "::warning file=compat-fixtures/lint/F2B104/fail.conf,line=5,col=13,endLine=5,endColumn=47,\
title=F2B104 regex-duplicate::failregex #3 duplicates failregex #1"
    );
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    use std::io::Read;
    // Far more output than a pipe buffers.
    let tmp = tempfile::tempdir().expect("tmp");
    let fixture =
        std::fs::read_to_string(Path::new(ROOT).join("compat-fixtures/lint/F2B104/fail.conf"))
            .expect("fixture");
    let mut args = vec!["lint".to_string(), "--format".into(), "json".into()];
    for i in 0..400 {
        let p = tmp.path().join(format!("f{i}.conf"));
        std::fs::write(&p, &fixture).expect("write");
        args.push(p.display().to_string());
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_f2b"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    // stdout is closed here; the rest of the output has nowhere to go.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
