//! `f2b audit --format json` against the oracle `fail2ban-replay`
//! (fail2ban 1.0.2's own server objects) on the setups the audit is for:
//! the founding setup (`[asterisk]` + `[recidive]` over the stock tree) on
//! a generated multi-day log, the same with `bantime.increment`, sshd on
//! fail2ban's sample log, and f2b's built-in jails. The `bans` array must
//! equal the oracle's ban events: jail, address, time, ban time, failures
//! and ban count, recidive bans included.
//!
//! Under `CI=true` a missing oracle, corpus or tool fails; elsewhere the
//! test prints a NOTE and returns.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

type Ban = (String, String, i64, i64, i64, i64);

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools")
}

fn prerequisites() -> Option<PathBuf> {
    let compat = common::require_oracle_and_corpus("audit_differential")?;
    for t in ["fail2ban-replay", "gen-asterisk-log"] {
        if !tools().join(t).is_file() {
            assert!(
                !common::in_ci(),
                "audit_differential: {t} missing under CI=true"
            );
            eprintln!("NOTE: audit_differential did not run: {t} missing");
            return None;
        }
    }
    Some(compat)
}

fn int(v: &Value) -> i64 {
    v.as_f64().map(|f| f as i64).expect("a number")
}

fn oracle(conf: &Path, logs: &[(&str, &Path)], now: i64) -> Vec<Ban> {
    let mut cmd = Command::new("python3");
    cmd.arg(tools().join("fail2ban-replay"))
        .arg("-c")
        .arg(conf)
        .args(["--tz", "UTC", "--now", &now.to_string()]);
    for (jail, log) in logs {
        cmd.arg("--log").arg(format!("{jail}={}", log.display()));
    }
    let out = cmd.output().expect("fail2ban-replay runs");
    assert!(
        out.status.success(),
        "fail2ban-replay: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json line"))
        .filter(|v| v["event"] == "ban")
        .map(|v| {
            (
                v["jail"].as_str().expect("jail").to_string(),
                v["ip"].as_str().expect("ip").to_string(),
                int(&v["time"]),
                int(&v["bantime"]),
                int(&v["failures"]),
                int(&v["bancount"]),
            )
        })
        .collect()
}

fn audit(args: &[String]) -> Vec<Ban> {
    let mut cmd = common::f2b();
    cmd.arg("audit").args(args).args(["--format", "json"]);
    let out = common::run(cmd);
    assert!(
        out.status.success(),
        "f2b audit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json document");
    doc["bans"]
        .as_array()
        .expect("bans array")
        .iter()
        .map(|b| {
            (
                b["jail"].as_str().expect("jail").to_string(),
                b["ip"].as_str().expect("ip").to_string(),
                int(&b["time"]),
                int(&b["bantime"]),
                int(&b["failures"]),
                int(&b["bancount"]),
            )
        })
        .collect()
}

fn generate(path: &Path, args: &str) -> i64 {
    let st = Command::new(tools().join("gen-asterisk-log"))
        .args(args.split_whitespace())
        .arg("-o")
        .arg(path)
        .status()
        .expect("gen-asterisk-log runs");
    assert!(st.success());
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

fn compare(name: &str, expected: &[Ban], actual: &[Ban]) {
    assert!(!expected.is_empty(), "{name}: the oracle banned nobody");
    if expected != actual {
        let fmt = |v: &[Ban]| {
            v.iter()
                .map(|b| format!("{b:?}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{name}: bans differ\n{}",
            common::diff(&fmt(expected), &fmt(actual))
        );
    }
    eprintln!("{name}: {} bans identical", expected.len());
}

/// The founding setup over the 1.0.2 tree, on a 4-day log with slow and
/// fast attackers and repeat offenders.
#[test]
fn founding_setup_plain_and_increment() {
    let Some(compat) = prerequisites() else {
        return;
    };
    let tree = common::seed_tree(
        "audit",
        &compat,
        "firewallcmd-ipset",
        "firewallcmd-ipset[actiontype=<allports>]",
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let log = tmp.path().join("messages");
    let now = generate(&log, "-n 24000 --rate 0.07 --attackers 80 --seed 5");
    let logs = [("asterisk", log.as_path())];
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a = vec![
            "-c".to_string(),
            tree.dir.display().to_string(),
            "--log".into(),
            format!("asterisk={}", log.display()),
            "--tz".into(),
            "UTC".into(),
            "--now".into(),
            now.to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let expected = oracle(&tree.dir, &logs, now);
    assert!(
        expected.iter().any(|b| b.0 == "recidive"),
        "the log should make recidive ban someone"
    );
    compare("founding setup", &expected, &audit(&args(&[])));

    std::fs::write(
        tree.dir.join("jail.d/zz-increment.local"),
        "[asterisk]\nbantime.increment = true\nbantime.maxtime = 2d\n",
    )
    .expect("increment");
    let expected = oracle(&tree.dir, &logs, now);
    compare(
        "founding setup, bantime.increment",
        &expected,
        &audit(&args(&[])),
    );
}

/// sshd of the stock tree on fail2ban's own sample log.
#[test]
fn sshd_on_the_sample_log() {
    let Some(compat) = prerequisites() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let conf = tmp.path().join("config");
    common::copy_dir(&compat.join("fail2ban-1.0.2/config"), &conf);
    std::fs::write(
        conf.join("jail.d/zz-sshd.local"),
        "[sshd]\nenabled = true\nmaxretry = 2\nfindtime = 1d\nusedns = no\n",
    )
    .expect("jail");
    let log = compat.join("fail2ban-1.0.2/tests-files/logs/sshd");
    let now = 1_700_000_000;
    let expected = oracle(&conf, &[("sshd", &log)], now);
    let actual = audit(&[
        "-c".into(),
        conf.display().to_string(),
        "--jail".into(),
        "sshd".into(),
        "--log".into(),
        format!("sshd={}", log.display()),
        "--tz".into(),
        "UTC".into(),
        "--now".into(),
        now.to_string(),
    ]);
    compare("sshd sample log", &expected, &actual);
}

/// f2b's built-in jails (our own filters) give the oracle's bans when the
/// oracle runs the same files.
#[test]
fn builtin_jails() {
    let Some(_) = prerequisites() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let conf = tmp.path().join("builtin");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/audit/builtin"),
        &conf,
    );
    std::fs::create_dir_all(conf.join("action.d")).expect("action.d");
    let log = tmp.path().join("messages");
    let now = generate(&log, "-n 15000 --rate 0.05 --attackers 50 --seed 9");
    let expected = oracle(&conf, &[("asterisk", &log), ("sshd", &log)], now);
    let actual = audit(&[
        "--builtin".into(),
        "--tz".into(),
        "UTC".into(),
        "--now".into(),
        now.to_string(),
        log.display().to_string(),
    ]);
    compare("built-in jails", &expected, &actual);
}
