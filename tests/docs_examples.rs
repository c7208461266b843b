//! Every `f2b` example in README.md and docs/*.md that works on our own
//! fixtures is run: it must parse (no usage error) and print something.

mod common;

use common::*;
use std::path::Path;

fn examples(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let cmd = t.split(" #").next().unwrap_or(t).trim();
        let cmd = cmd
            .strip_prefix("cargo run --release -- ")
            .map(|c| format!("f2b {c}"));
        let cmd = cmd.unwrap_or_else(|| t.split(" #").next().unwrap_or(t).trim().to_string());
        if cmd.starts_with("f2b ") && cmd.contains("compat-fixtures/") {
            out.push(cmd);
        }
    }
    out
}

#[test]
fn documented_examples_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).expect("docs") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let mut ran = 0;
    for doc in docs {
        let text = std::fs::read_to_string(&doc).expect("doc");
        for cmd in examples(&text) {
            let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
            let out = run({
                let mut c = f2b();
                c.current_dir(root).args(&args);
                c
            });
            let code = out.status.code();
            assert!(
                matches!(code, Some(0) | Some(1)),
                "{}: `{cmd}` exited {code:?}\n{}",
                doc.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !out.stdout.is_empty() || !out.stderr.is_empty(),
                "`{cmd}` printed nothing"
            );
            ran += 1;
        }
    }
    assert!(ran >= 3, "only {ran} examples found");
}
