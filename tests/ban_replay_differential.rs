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
    /// `fail2ban.local` (general settings such as `dbpurgeage`).
    fail2ban_local: Option<&'static str>,
}

enum LogSource {
    /// `gen-asterisk-log` arguments.
    Generated(String),
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
                    .args(args.split_whitespace())
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
    if let Some(f) = case.fail2ban_local {
        std::fs::write(conf.join("fail2ban.local"), f).expect("fail2ban.local");
    }

    let out = Command::new("python3")
        .arg(tools_dir().join("fail2ban-replay"))
        .arg("-c")
        .arg(&conf)
        .args(["--tz", "UTC", "--now"])
        .arg(format!("{}", case.now))
        .arg("--f2b-log-out")
        .arg(tmp.path().join("oracle-fail2ban.log"))
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
            expected_summary.push_str(&format!(
                "dns_lookups_suppressed={}\n",
                v["meta"]["dns_lookups_suppressed"]
            ));
        } else {
            expected_events.push(norm(&v));
        }
    }

    let replay = Replay::from_dir(conf.to_str().expect("utf-8 path")).expect("config");
    let outcome = replay
        .run(&ReplayInputs {
            tz: Some("UTC".into()),
            now: Some(case.now),
            f2b_log_out: Some(tmp.path().join("f2b-fail2ban.log").display().to_string()),
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
    let mut actual_summary = summary_of(&Value::Object(summary));
    actual_summary.push_str(&format!(
        "dns_lookups_suppressed={}\n",
        outcome.dns_lookups_suppressed
    ));

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
    let read = |n: &str| std::fs::read_to_string(tmp.path().join(n)).expect("fail2ban.log");
    let (expected_log, actual_log) = (read("oracle-fail2ban.log"), read("f2b-fail2ban.log"));
    if expected_log != actual_log {
        diffs.push(format!(
            "{}: synthesized fail2ban.log differs:\n{}",
            case.name,
            common::diff(&expected_log, &actual_log)
        ));
    }
    if !diffs.is_empty() && std::env::var_os("F2B_BAN_KEEP").is_some() {
        let kept = tmp.keep();
        eprintln!("{}: kept {}", case.name, kept.display());
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
                LogSource::Generated("-n 20000 --rate 0.1 --attackers 60 --seed 7".into()),
            )],
            now: 1540000000.0,
            fail2ban_local: None,
        },
        Case {
            name: "asterisk+recidive, slow repeat offenders over a week",
            jail_local: ASTERISK.to_string(),
            logs: vec![(
                "messages",
                LogSource::Generated("-n 12000 --rate 0.02 --attackers 25 --seed 11 --attack-share 0.5".into()),
            )],
            now: 1540200000.0,
            fail2ban_local: None,
        },
        Case {
            name: "asterisk+recidive with bantime.increment",
            jail_local: incr.clone(),
            logs: vec![(
                "messages",
                LogSource::Generated("-n 20000 --rate 0.1 --attackers 60 --seed 7".into()),
            )],
            now: 1540000000.0,
            fail2ban_local: None,
        },
        Case {
            name: "slow repeat offenders with bantime.increment",
            jail_local: incr,
            logs: vec![(
                "messages",
                LogSource::Generated("-n 12000 --rate 0.02 --attackers 25 --seed 11 --attack-share 0.5".into()),
            )],
            now: 1540200000.0,
            fail2ban_local: None,
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
            fail2ban_local: None,
        },
        Case {
            name: "sshd, generated lines",
            jail_local: "[sshd]\nenabled = true\nlogpath = {logs}/auth.log\nmaxretry = 3\nfindtime = 10m\nbantime = 5m\n\
                ignoreip = 203.0.113.0/26 198.51.100.7\nusedns = yes\n\n\
                [recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nmaxretry = 3\nfindtime = 1h\nbantime = 1d\n"
                .to_string(),
            logs: vec![("auth.log", LogSource::Text(sshd_lines()))],
            now: 1704153600.0,
            fail2ban_local: None,
        },
        Case {
            name: "overalljails, multipliers, maxtime, short dbpurgeage, legacy dates, two files",
            jail_local: "[sshd]\nenabled = false\n\n\
                [asterisk]\nenabled = true\nlogpath = {logs}/messages\n          {logs}/messages.2\n\
                maxretry = 5\nfindtime = 1h\nbantime = 10m\nbantime.increment = true\n\
                bantime.overalljails = true\nbantime.multipliers = 1 2 4 8 16 32\nbantime.maxtime = 2h\n\n\
                [recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nmaxretry = 2\nfindtime = 1d\n\
                bantime = -1\nbantime.increment = true\nbantime.overalljails = true\n"
                .to_string(),
            logs: vec![
                (
                    "messages",
                    LogSource::Generated(
                        "-n 8000 --rate 0.05 --attackers 30 --seed 5 --format legacy --attack-share 0.4 --ipv6-share 0.3".into(),
                    ),
                ),
                (
                    "messages.2",
                    LogSource::Generated(
                        "-n 3000 --rate 0.02 --attackers 8 --seed 6 --format legacy --attack-share 0.6".into(),
                    ),
                ),
            ],
            now: 1540100000.0,
            fail2ban_local: Some("[Definition]\ndbpurgeage = 2h\n"),
        },
        Case {
            name: "formula, factor, rndtime; odd timestamps, undated lines, already banned",
            jail_local: "[sshd]\nenabled = false\n\n\
                [asterisk]\nenabled = true\nlogpath = {logs}/messages\nmaxretry = 10\nfindtime = 1h\n\
                bantime = 5m\nbantime.increment = true\nbantime.factor = 1.5\n\
                bantime.formula = ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor\n\
                bantime.rndtime = 30\n\n\
                [asterisk-cmd]\nenabled = true\nfilter = asterisk\nlogpath = {logs}/small\nmaxretry = 3\n\
                ignorecommand = test <ip> = 192.0.2.77\nignoreip = 198.51.100.0/24\n\n\
                [recidive]\nenabled = true\nlogpath = {logs}/fail2ban.log\nmaxretry = 3\nfindtime = 6h\n\
                bantime = 1h\n"
                .to_string(),
            logs: vec![
                ("messages", LogSource::Text(odd_asterisk_lines())),
                ("small", LogSource::Text(small_asterisk_lines())),
            ],
            now: 1540000000.0,
            fail2ban_local: None,
        },
        Case {
            name: "year-less dates across New Year",
            jail_local: ASTERISK.to_string(),
            logs: vec![(
                "messages",
                LogSource::Generated(
                    "-n 6000 --rate 0.2 --attackers 30 --seed 12 --format syslog --start 2018-12-31T20:00:00".into(),
                ),
            )],
            now: 1546320000.0,
            fail2ban_local: None,
        },
        Case {
            name: "no database: increment without history",
            jail_local: ASTERISK.replace("findtime = ", "bantime.increment = true\nfindtime = "),
            logs: vec![(
                "messages",
                LogSource::Generated("-n 6000 --rate 0.1 --attackers 20 --seed 9".into()),
            )],
            now: 1540000000.0,
            fail2ban_local: Some("[Definition]\ndbfile = None\n"),
        },
    ]
}

fn asterisk_fail(t: i64, ip: &str) -> String {
    format!(
        "[{}] NOTICE[5943][C-0000002a] chan_sip.c: Registration from '<sip:100@pbx>' failed for '{ip}:5060' - Wrong password\n",
        jiff::Timestamp::from_second(t)
            .unwrap()
            .strftime("%Y-%m-%d %H:%M:%S")
    )
}

/// A few failures of an address an `ignorecommand` ignores, one in an
/// `ignoreip` network and one counted.
fn small_asterisk_lines() -> String {
    let mut out = String::new();
    for k in 0..6 {
        let t = 1539900000 + k * 20;
        for ip in ["192.0.2.77", "198.51.100.3", "192.0.2.78"] {
            out.push_str(&asterisk_fail(t, ip));
        }
    }
    out
}

/// Asterisk lines with the awkward cases of the clock rules: lines without
/// a date, a line from the future, lines older than the clock, failures
/// that go on after a ban (fail2ban's "already banned").
fn odd_asterisk_lines() -> String {
    let fmt = |t: i64| {
        jiff::Timestamp::from_second(t)
            .unwrap()
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let fail = asterisk_fail;
    let start = 1539900000i64;
    let mut out = String::new();
    let mut t = start;
    for round in 0..40i64 {
        // a burst that bans, failures going on for a minute after the ban
        for k in 0..25 {
            out.push_str(&fail(t + k * 3, "192.0.2.10"));
        }
        out.push_str("   undated continuation line\n");
        // a slow attacker
        out.push_str(&fail(t + 80, &format!("198.51.100.{}", 20 + round % 4)));
        // an outlier from the future and a late line from the past
        if round % 7 == 3 {
            out.push_str(&fail(t + 7200, "203.0.113.9"));
        }
        if round % 5 == 2 {
            out.push_str(&fail(t - 300, "203.0.113.10"));
        }
        out.push_str(&format!(
            "[{}] VERBOSE[5943] pbx.c: Executing [s@default:1] Answer\n",
            fmt(t + 90)
        ));
        // IPv6
        out.push_str(&fail(t + 95, "2001:db8::7"));
        t += 600 + (round % 3) * 1700;
    }
    out
}

/// A day of sshd lines: a handful of attackers with different paces, some
/// in ignored networks, plus accepted logins and noise.
fn sshd_lines() -> String {
    let start = 1704067200i64; // 2024-01-01 00:00:00 UTC
    let attackers: [(&str, i64, i64); 6] = [
        ("192.0.2.10", 20, 0),
        ("192.0.2.11", 90, 10),
        ("203.0.113.5", 15, 5),
        ("198.51.100.7", 30, 10),
        ("2001:db8::42", 45, 5),
        ("198.51.100.200", 400, 0),
    ];
    let mut out = String::new();
    let mut pid = 1000;
    let mut t = start;
    while t < start + 86400 {
        for (i, (ip, every, phase)) in attackers.iter().enumerate() {
            // each attacker is active 4 minutes out of every 25 + i
            let active = (t - start) % ((25 + i as i64) * 60) < 240;
            if active && (t - start + phase) % every == 0 {
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
            // a host name (usedns = yes: no lookup, dropped) and loopback
            // (ignoreself)
            for who in ["scanner.example.net", "127.0.0.1", "::1"] {
                out.push_str(&format!(
                    "{d} host sshd[{pid}]: Invalid user guest from {who} port 2222\n"
                ));
            }
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
