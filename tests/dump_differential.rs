//! Differential tests: `f2b` against the installed `fail2ban-client` 1.0.2
//! on every configuration tree of the compat corpus (see tests/common).
//! stdout must be byte-identical, exit codes equal, and stderr equal once
//! timestamps and pids are masked.

mod common;

use common::*;

fn compare(tree: &Tree, oracle_args: &[&str], f2b_args: &[&str]) -> Vec<String> {
    let dir = tree.dir.to_str().expect("utf-8 path");
    let mut args = vec!["-c", dir];
    args.extend_from_slice(oracle_args);
    let label = format!("{} {}", tree.name, oracle_args.join(" "));
    oracle_diffs(&label, &args, f2b_args)
}

fn run_matrix(modes: &[&[&str]]) {
    let Some(compat) = require_oracle_and_corpus("dump_differential") else {
        return;
    };
    let trees = all_trees(&compat);
    let mut failures = Vec::new();
    let mut checked = 0;
    for tree in &trees {
        for mode in modes {
            failures.extend(compare(tree, mode, &["client"]));
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} comparisons differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} comparisons identical over {} trees", trees.len());
}

#[test]
fn dump_is_byte_identical_on_every_tree() {
    run_matrix(&[&["-d"]]);
}

#[test]
fn test_mode_verdict_matches_on_every_tree() {
    run_matrix(&[&["-t"]]);
}

#[test]
fn pretty_dump_is_byte_identical_on_every_tree() {
    run_matrix(&[&["--dp"]]);
}

#[test]
fn f2b_dump_prints_the_client_stream() {
    let Some(compat) = require_oracle_and_corpus("f2b_dump_prints_the_client_stream") else {
        return;
    };
    for tree in all_trees(&compat) {
        let dir = tree.dir.to_str().expect("utf-8");
        let expected = run({
            let mut c = std::process::Command::new("fail2ban-client");
            c.args(["-c", dir, "-d"]);
            c
        });
        let actual = run({
            let mut c = f2b();
            c.args(["dump", "-c", dir]);
            c
        });
        assert!(
            expected.stdout == actual.stdout,
            "{}: f2b dump differs\n{}",
            tree.name,
            diff(
                &String::from_utf8_lossy(&expected.stdout),
                &String::from_utf8_lossy(&actual.stdout)
            )
        );
    }
}
