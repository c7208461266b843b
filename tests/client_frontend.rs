//! The fail2ban-client front end: invoked as `fail2ban-client` through a
//! symlink and as `f2b client`, compared with the installed fail2ban-client.

mod common;

use common::*;
use std::process::Command;

fn both(args: &[&str]) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tmp");
    let link = tmp.path().join("fail2ban-client");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_f2b"), &link).expect("symlink");
    let oracle = run({
        let mut c = Command::new("fail2ban-client");
        c.args(args);
        c
    });
    let mut failures = Vec::new();
    for (label, mut cmd) in [
        ("symlinked fail2ban-client", Command::new(&link)),
        ("f2b client", {
            let mut c = f2b();
            c.arg("client");
            c
        }),
    ] {
        let ours = run({
            cmd.args(args);
            cmd
        });
        failures.extend(compare_outputs(
            &format!("{label} {args:?}"),
            &oracle,
            &ours,
        ));
    }
    failures
}

#[test]
fn str2sec_matches_fail2ban() {
    if require_oracle_and_corpus("str2sec_matches_fail2ban").is_none() {
        return;
    }
    let cases = [
        "1d 2h",
        "1w",
        "10m",
        "1mo",
        "1y",
        "1.5h",
        "2weeks",
        "1 h",
        "5 10",
        "1h*2",
        "1d 2h*2",
        "-1",
        "1d12h",
        "1year-6mo",
        "3600",
        "2**-1",
        "7%3",
        "abc",
        "1 2 3",
        "1e3",
        "abc 1",
        "1/0",
        "(1",
        "",
    ];
    let failures: Vec<String> = cases.iter().flat_map(|c| both(&["--str2sec", c])).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dump_through_the_symlink_matches_fail2ban() {
    let Some(compat) = require_oracle_and_corpus("dump_through_the_symlink_matches_fail2ban")
    else {
        return;
    };
    let dir = compat.join("fail2ban-1.0.2/config");
    let dir = dir.to_str().expect("utf-8");
    let mut failures = both(&["-c", dir, "-d"]);
    failures.extend(both(&["-c", dir, "--dp"]));
    failures.extend(both(&["-c", dir, "-t"]));
    failures.extend(both(&["-c", "/nonexistent/f2b", "-d"]));
    failures.extend(both(&["--loglevel", "BOGUS", "-c", dir, "-d"]));
    failures.extend(both(&["-c", dir, "-d", "-q"]));
    failures.extend(both(&["-V"]));
    failures.extend(both(&["--version"]));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
