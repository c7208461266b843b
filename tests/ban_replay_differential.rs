//! The ban engine against `fail2ban-replay` (fail2ban 1.0.2's own server
//! objects driven over the same logs): every ban and unban event and the
//! per-jail summary must be identical.
//!
//! Under `CI=true` a missing oracle, corpus or log generator fails the
//! test; elsewhere the test prints a NOTE and returns.

mod common;

use f2b::ban::{Replay, ReplayInputs};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools")
}

/// The compat corpus, the oracle and the generator, or `None` (with a
/// NOTE; a panic under CI).
fn prerequisites() -> Option<PathBuf> {
    let compat = common::require_oracle_and_corpus("ban_replay_differential")?;
    let tools = tools_dir();
    for t in ["fail2ban-replay", "gen-asterisk-log"] {
        if !tools.join(t).is_file() {
            if common::in_ci() {
                panic!("ban_replay_differential: {} missing under CI=true", t);
            }
            eprintln!("NOTE: ban_replay_differential did not run: {t} missing");
            return None;
        }
    }
    Some(compat)
}

struct Case {
    name: &'static str,
    /// `jail.d/zz-test.local`; `{logs}` is replaced by the log directory.
    jail_local: String,
    /// (file name in the log directory, generator arguments or a file to copy)
    logs: Vec<(&'static str, LogSource)>,
    now: f64,
}

enum LogSource {
    Generated(Vec<&'static str>),
    Copy(PathBuf),
    Text(String),
}

const ASTERISK: &str = "[sshd]\nenabled = false\n\n\
[asterisk]\nenabled = true\nlogpath = {logs}/messages\nmaxretry = 10\nbantime = 3600\nfindtime = 21600\n\n\
[recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nbantime = 604800\nfindtime = 86400\n";

fn write_logs(case: &Case, logs: &Path) {
    std::fs::create_dir_all(logs).expect("logs dir");
    std::fs::write(logs.join("fail2ban.log"), "").expect("fail2ban.log");
    for (name, src) in &case.logs {
        let target = logs.join(name);
        match src {
            LogSource::Generated(args) => {
                let st = Command::new("python3")
                    .arg(tools_dir().join("gen-asterisk-log"))
                    .args(args)
                    .arg("-o")
                    .arg(&target)
                    .status()
                    .expect("run gen-asterisk-log");
                assert!(st.success(), "gen-asterisk-log failed");
            }
            LogSource::Copy(p) => {
                std::fs::copy(p, &target).expect("copy log");
            }
            LogSource::Text(t) => std::fs::write(&target, t).expect("write log"),
        }
    }
}

/// The fields compared, from the oracle's JSON or ours.
fn norm(v: &Value) -> String {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for k in ["time", "bantime"] {
            if let Some(x) = o.get(k).and_then(Value::as_f64) {
                o.insert(k.into(), f2b::ban::replay::json_num(x));
            }
        }
    }
    v.to_string()
}

fn summary_of(v: &Value) -> String {
    let mut out = String::new();
    if let Some(m) = v.as_object() {
        for (name, s) in m {
            out.push_str(&format!(
                "{name}: lines={} failures={} bans={} unbans={} banned_at_end={} ips_banned={}\n",
                s["lines"],
                s["failures"],
                s["bans"],
                s["unbans"],
                s["banned_at_end"],
                s["ips_banned"]
            ));
        }
    }
    out
}

/// Runs both tools; returns (number of events, differences).
fn run_case(compat: &Path, case: &Case) -> (usize, Vec<String>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let conf = tmp.path().join("config");
    common::copy_dir(&compat.join("fail2ban-1.0.2/config"), &conf);
    let logs = tmp.path().join("logs");
    write_logs(case, &logs);
    std::fs::write(
        conf.join("jail.d/zz-test.local"),
        case.jail_local
            .replace("{logs}", &logs.display().to_string()),
    )
    .expect("jail.local");

    let out = Command::new("python3")
        .arg(tools_dir().join("fail2ban-replay"))
        .arg("-c")
        .arg(&conf)
        .args(["--tz", "UTC", "--now"])
        .arg(format!("{}", case.now))
        .output()
        .expect("run fail2ban-replay");
    assert!(
        out.status.success(),
        "{}: fail2ban-replay failed: {}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected_events = Vec::new();
    let mut expected_summary = String::new();
    for line in String::from_utf8(out.stdout).expect("utf-8").lines() {
        let v: Value = serde_json::from_str(line).expect("json line");
        if let Some(s) = v.get("summary") {
            expected_summary = summary_of(s);
        } else {
            expected_events.push(norm(&v));
        }
    }

    let replay = Replay::from_dir(conf.to_str().expect("utf-8 path")).expect("config");
    let outcome = replay
        .run(&ReplayInputs {
            tz: Some("UTC".into()),
            now: Some(case.now),
            ..Default::default()
        })
        .expect("replay");
    let actual_events: Vec<String> = outcome.events.iter().map(|e| norm(&e.to_json())).collect();
    let mut summary = serde_json::Map::new();
    for j in &outcome.jails {
        summary.insert(
            j.name.clone(),
            serde_json::json!({
                "lines": j.lines, "failures": j.failures, "bans": j.bans, "unbans": j.unbans,
                "banned_at_end": j.banned_at_end, "ips_banned": j.ips_banned,
            }),
        );
    }
    let actual_summary = summary_of(&Value::Object(summary));

    let mut diffs = Vec::new();
    if expected_events != actual_events {
        diffs.push(format!(
            "{}: events differ (oracle {}, f2b {}):\n{}",
            case.name,
            expected_events.len(),
            actual_events.len(),
            common::diff(&expected_events.join("\n"), &actual_events.join("\n"))
        ));
    }
    if expected_summary != actual_summary {
        diffs.push(format!(
            "{}: summaries differ:\n{}",
            case.name,
            common::diff(&expected_summary, &actual_summary)
        ));
    }
    (expected_events.len(), diffs)
}

fn cases(compat: &Path) -> Vec<Case> {
    let incr = ASTERISK.replace("findtime = ", "bantime.increment = true\nfindtime = ");
    vec![
        Case {
            name: "asterisk+recidive, 20000 lines over 2 days",
            jail_local: ASTERISK.to_string(),
            logs: vec![(
                "messages",
                LogSource::Generated(vec![
                    "-n", "20000", "--rate", "0.1", "--attackers", "60", "--seed", "7",
                ]),
            )],
            now: 1540000000.0,
        },
        Case {
            name: "asterisk+recidive, slow repeat offenders over a week",
            jail_local: ASTERISK.to_string(),
            logs: vec![(
                "messages",
                LogSource::Generated(vec![
                    "-n", "12000", "--rate", "0.02", "--attackers", "25", "--seed", "11",
                    "--attack-share", "0.5",
                ]),
            )],
            now: 1540200000.0,
        },
        Case {
            name: "asterisk+recidive with bantime.increment",
            jail_local: incr.clone(),
            logs: vec![(
                "messages",
                LogSource::Generated(vec![
                    "-n", "20000", "--rate", "0.1", "--attackers", "60", "--seed", "7",
                ]),
            )],
            now: 1540000000.0,
        },
        Case {
            name: "slow repeat offenders with bantime.increment",
            jail_local: incr,
            logs: vec![(
                "messages",
                LogSource::Generated(vec![
                    "-n", "12000", "--rate", "0.02", "--attackers", "25", "--seed", "11",
                    "--attack-share", "0.5",
                ]),
            )],
            now: 1540200000.0,
        },
        Case {
            name: "sshd on the corpus sample log",
            jail_local: "[sshd]\nenabled = true\nlogpath = {logs}/auth.log\nmaxretry = 2\nfindtime = 1d\nbantime = 1h\n\n\
                [recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nmaxretry = 2\n"
                .to_string(),
            logs: vec![(
                "auth.log",
                LogSource::Copy(compat.join("fail2ban-1.0.2/tests-files/logs/sshd")),
            )],
            now: 1230000000.0,
        },
        Case {
            name: "sshd, generated lines",
            jail_local: "[sshd]\nenabled = true\nlogpath = {logs}/auth.log\nmaxretry = 3\nfindtime = 10m\nbantime = 5m\n\
                ignoreip = 203.0.113.0/26 198.51.100.7\n\n\
                [recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nmaxretry = 3\nfindtime = 1h\nbantime = 1d\n"
                .to_string(),
            logs: vec![("auth.log", LogSource::Text(sshd_lines()))],
            now: 1704153600.0,
        },
    ]
}

/// A day of sshd lines: a handful of attackers with different paces, some
/// in ignored networks, plus accepted logins and noise.
fn sshd_lines() -> String {
    let start = 1704067200i64; // 2024-01-01 00:00:00 UTC
    let attackers: [(&str, i64, i64); 6] = [
        ("192.0.2.10", 20, 0),
        ("192.0.2.11", 95, 7),
        ("203.0.113.5", 15, 3),
        ("198.51.100.7", 30, 11),
        ("2001:db8::42", 45, 5),
        ("198.51.100.200", 400, 1),
    ];
    let mut out = String::new();
    let mut pid = 1000;
    let mut t = start;
    while t < start + 86400 {
        for (i, (ip, every, phase)) in attackers.iter().enumerate() {
            if (t - start + phase) % every == 0 {
                let ts = jiff::Timestamp::from_second(t).unwrap();
                let d = ts.strftime("%b %e %H:%M:%S");
                pid += 1;
                let line = match (t / every + i as i64) % 3 {
                    0 => format!(
                        "{d} host sshd[{pid}]: Failed password for root from {ip} port 4{i}22 ssh2\n"
                    ),
                    1 => format!(
                        "{d} host sshd[{pid}]: Invalid user admin{i} from {ip} port 5{i}01\n"
                    ),
                    _ => format!(
                        "{d} host sshd[{pid}]: Failed password for invalid user test from {ip} port 6{i}11 ssh2\n"
                    ),
                };
                out.push_str(&line);
            }
        }
        if (t - start) % 600 == 0 {
            let d = jiff::Timestamp::from_second(t)
                .unwrap()
                .strftime("%b %e %H:%M:%S");
            out.push_str(&format!(
                "{d} host sshd[{pid}]: Accepted publickey for alice from 192.168.1.20 port 50000 ssh2\n"
            ));
            out.push_str("    continuation line without a date\n");
        }
        t += 5;
    }
    out
}

#[test]
fn replay_matches_fail2ban() {
    let Some(compat) = prerequisites() else {
        return;
    };
    let mut all = Vec::new();
    for case in cases(&compat) {
        let t0 = std::time::Instant::now();
        let (n, diffs) = run_case(&compat, &case);
        eprintln!(
            "{}: {} events, {}, {:.1}s",
            case.name,
            n,
            if diffs.is_empty() {
                "identical"
            } else {
                "DIFFERENT"
            },
            t0.elapsed().as_secs_f64()
        );
        all.extend(diffs);
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}
