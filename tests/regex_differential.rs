//! `f2b regex` against the installed fail2ban-regex 1.0.2, byte for byte.
//!
//! Every sample log whose filter exists (`tests-files/logs/<name>` with
//! `config/filter.d/<name>.conf`) of both corpus versions runs with
//! `-o row` and with the default report; a handful of filters also run
//! with the other output options; then string logs/regexes, error exits
//! and a log with CRLF, invalid UTF-8 and no final newline.
//!
//! stdout is compared byte for byte after exactly two normalisations:
//! (a) Python `set` reprs (`{'a', 'b'}`: the order depends on the hash
//!     seed) get their elements sorted, on both sides;
//! (b) time floats inside the test run's wall-clock window (lines without
//!     a usable date get "now") become `NOW`, and so do `-v`'s local time
//!     strings (`Thu Nov 26 08:46:02 2026`) inside that window.
//! The default report's `[processed in …]` line is dropped. Exit codes are
//! compared too, and stderr for the error cases (both programs are run as
//! `./fail2ban-regex` from a directory holding a symlink, so that usage
//! messages name the same program).

mod common;

use regex::bytes::Regex;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const TEST_TZ: &str = "CET-01CEST-02,M3.5.0,M10.5.0";

#[derive(Clone)]
struct Case {
    /// Comparison group for the counts (`row`, `report`, `-v`, …).
    mode: String,
    label: String,
    args: Vec<String>,
    /// Also compare stderr.
    stderr: bool,
    /// stdout is the help text, which f2b words itself (fail2ban's is GPL
    /// text): only its first line (the usage) is compared.
    help: bool,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64()
}

/// Both programs as `./fail2ban-regex` (see the module docs).
struct Progs {
    _tmp: tempfile::TempDir,
    oracle_dir: PathBuf,
    f2b_dir: PathBuf,
}

fn progs() -> Progs {
    let tmp = tempfile::tempdir().expect("tempdir");
    let oracle_dir = tmp.path().join("oracle");
    let f2b_dir = tmp.path().join("f2b");
    std::fs::create_dir_all(&oracle_dir).expect("mkdir");
    std::fs::create_dir_all(&f2b_dir).expect("mkdir");
    let which = Command::new("sh")
        .args(["-c", "command -v fail2ban-regex"])
        .output()
        .expect("sh");
    let oracle = String::from_utf8(which.stdout).expect("path");
    std::os::unix::fs::symlink(oracle.trim(), oracle_dir.join("fail2ban-regex")).expect("symlink");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_f2b"), f2b_dir.join("fail2ban-regex"))
        .expect("symlink");
    Progs {
        _tmp: tmp,
        oracle_dir,
        f2b_dir,
    }
}

fn run_in(dir: &Path, args: &[String]) -> Output {
    Command::new("./fail2ban-regex")
        .current_dir(dir)
        .args(args)
        .env("PYTHONHASHSEED", "0")
        .env("TZ", TEST_TZ)
        // `-o row` runs also go through f2b's multi-threaded path (used by
        // default only for logs over 8 MiB); the other modes stay sequential.
        .env(
            "F2B_REGEX_THREADS",
            if args.iter().any(|a| a == "row") {
                "3"
            } else {
                "1"
            },
        )
        .output()
        .expect("runs")
}

/// Through `f2b regex` (the subcommand) rather than the symlink.
fn run_f2b_regex(args: &[String]) -> Output {
    common::f2b()
        .arg("regex")
        .args(args)
        .env("TZ", TEST_TZ)
        .output()
        .expect("runs")
}

struct Norm {
    set: Regex,
    float: Regex,
    local: Regex,
    processed: Regex,
    window: (f64, f64),
}

impl Norm {
    fn new(window: (f64, f64)) -> Norm {
        let s = r#"(?:'[^'\\\n]*'|"[^"\\\n]*")"#;
        Norm {
            set: Regex::new(&format!(r"\{{{s}(?:, {s})*\}}")).expect("re"),
            float: Regex::new(r"\b\d{10}\.\d+\b").expect("re"),
            local: Regex::new(r"\b[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4}\b")
                .expect("re"),
            processed: Regex::new(r"(?m)^\[processed in [^\n]*\n").expect("re"),
            window,
        }
    }

    fn apply(&self, out: &[u8]) -> Vec<u8> {
        let out = self.processed.replace_all(out, &b""[..]);
        let out = self
            .set
            .replace_all(&out, |c: &regex::bytes::Captures<'_>| {
                let whole = &c[0];
                let inner = &whole[1..whole.len() - 1];
                let mut items: Vec<&[u8]> = Vec::new();
                let mut rest = inner;
                // Elements are quoted strings without backslashes, so ", "
                // only splits between them when it follows a closing quote.
                while !rest.is_empty() {
                    let q = rest[0];
                    let end = rest[1..]
                        .iter()
                        .position(|&b| b == q)
                        .expect("closing quote")
                        + 2;
                    items.push(&rest[..end]);
                    rest = rest[end..].strip_prefix(b", ").unwrap_or(&rest[end..]);
                }
                items.sort();
                let mut v = b"{".to_vec();
                v.extend(items.join(&b", "[..]));
                v.push(b'}');
                v
            });
        let out = self
            .local
            .replace_all(&out, |c: &regex::bytes::Captures<'_>| {
                let text = std::str::from_utf8(&c[0]).expect("ascii");
                let t = jiff::fmt::strtime::parse("%a %b %d %H:%M:%S %Y", text)
                    .and_then(|b| b.to_datetime())
                    .and_then(|dt| {
                        let tz = jiff::tz::TimeZone::posix(TEST_TZ).expect("zone");
                        dt.to_zoned_datetime(tz)
                    })
                    .map(|z| z.timestamp().as_second() as f64);
                match t {
                    Ok(t) if t >= self.window.0 - 1.0 && t <= self.window.1 + 1.0 => {
                        b"NOW".to_vec()
                    }
                    _ => c[0].to_vec(),
                }
            });
        self.float
            .replace_all(&out, |c: &regex::bytes::Captures<'_>| {
                let t: f64 = std::str::from_utf8(&c[0])
                    .expect("digits")
                    .parse()
                    .expect("float");
                if t >= self.window.0 && t <= self.window.1 {
                    b"NOW".to_vec()
                } else {
                    c[0].to_vec()
                }
            })
            .into_owned()
    }
}

/// f2b's own stderr lines (`f2b: warning|error: …` and their indented
/// continuation lines) are additions; fail2ban's own stderr must remain.
fn without_f2b_notes(stderr: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_note = false;
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"f2b: ") {
            in_note = true;
            continue;
        }
        if in_note && line.starts_with(b"  ") {
            continue;
        }
        in_note = false;
        out.extend_from_slice(line);
    }
    out
}

fn s(x: impl AsRef<str>) -> String {
    x.as_ref().to_string()
}

fn p(x: &Path) -> String {
    x.to_string_lossy().to_string()
}

/// Sample logs of a version with their filter: (name, log).
fn sample_logs(vdir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(vdir.join("tests-files/logs"))
        .expect("logs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().to_string();
            vdir.join("config/filter.d")
                .join(format!("{name}.conf"))
                .is_file()
                .then_some((name, p))
        })
        .collect();
    out.sort();
    out
}

fn cases(compat: &Path, scratch: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for (short, folder) in [
        ("1.0.2", "fail2ban-1.0.2"),
        ("upstream", "fail2ban-upstream"),
    ] {
        let vdir = compat.join(folder);
        let config = p(&vdir.join("config"));
        for (name, log) in sample_logs(&vdir) {
            cases.push(Case {
                mode: s("-o row"),
                label: format!("{short} {name} -o row"),
                args: vec![
                    s("-o"),
                    s("row"),
                    p(&log),
                    name.clone(),
                    s("-c"),
                    config.clone(),
                ],
                stderr: false,
                help: false,
            });
            cases.push(Case {
                mode: s("report"),
                label: format!("{short} {name} report"),
                args: vec![p(&log), name.clone(), s("-c"), config.clone()],
                stderr: false,
                help: false,
            });
        }
    }
    let v102 = compat.join("fail2ban-1.0.2");
    let config = p(&v102.join("config"));
    let modes: [&[&str]; 8] = [
        &["-v"],
        &["--print-all-matched"],
        &["--print-all-missed"],
        &["-o", "id"],
        &["-o", "ip"],
        &["-o", "msg"],
        &["-o", "user"],
        &["-o", "<ip>|<F-USER>|<fid>|<time>|<msg>"],
    ];
    for name in [
        "sshd",
        "asterisk",
        "postfix",
        "named-refused",
        "nginx-http-auth",
        "dovecot",
    ] {
        let log = p(&v102.join("tests-files/logs").join(name));
        for m in modes {
            let mut args: Vec<String> = m.iter().map(s).collect();
            args.extend([log.clone(), s(name), s("-c"), config.clone()]);
            cases.push(Case {
                mode: m.join(" "),
                label: format!("1.0.2 {name} {}", m.join(" ")),
                args,
                stderr: false,
                help: false,
            });
        }
    }
    // String logs and string regexes.
    let line = "Aug 14 11:59:59 srv sshd[1234]: Failed password for invalid user admin from 192.0.2.7 port 22 ssh2";
    let sshd_log = p(&v102.join("tests-files/logs/sshd"));
    let strings: Vec<(&str, Vec<String>)> = vec![
        (
            "string log, filter",
            vec![s(line), s("sshd"), s("-c"), config.clone()],
        ),
        (
            "string log, string regex",
            vec![
                s(line),
                s(r"Failed \S+ for (?:invalid user )?<F-USER>\S+</F-USER> from <HOST>"),
            ],
        ),
        (
            "string log, regex -o row",
            vec![
                s("-o"),
                s("row"),
                s(line),
                s(r"for (?:invalid user )?<F-USER>\S+</F-USER> from <HOST>"),
            ],
        ),
        (
            "string log, no date",
            vec![
                s("-o"),
                s("row"),
                s("login failed from 192.0.2.8"),
                s(r"failed from <HOST>"),
            ],
        ),
        (
            "log file, string regex + ignoreregex",
            vec![sshd_log.clone(), s(r"from <HOST>"), s(r"port 22")],
        ),
        (
            "log file, string regex -o id",
            vec![
                s("-o"),
                s("id"),
                sshd_log.clone(),
                s(r"Invalid user \S+ from <HOST>"),
            ],
        ),
        (
            "string log, datepattern",
            vec![s("-d"), s("^%b %d %H:%M:%S"), s(line), s(r"from <HOST>")],
        ),
    ];
    for (label, args) in strings {
        cases.push(Case {
            mode: s("string"),
            label: s(label),
            args,
            stderr: false,
            help: false,
        });
    }
    // Error exits.
    let errors: Vec<(&str, Vec<String>)> = vec![
        ("bad regex", vec![sshd_log.clone(), s("foo((")]),
        (
            "no failure-id group",
            vec![sshd_log.clone(), s("Failed password")],
        ),
        (
            "missing filter name",
            vec![
                sshd_log.clone(),
                s("no-such-filter"),
                s("-c"),
                config.clone(),
            ],
        ),
        (
            "missing filter file",
            vec![
                sshd_log.clone(),
                s("filter.d/no-such-filter.conf"),
                s("-c"),
                config.clone(),
            ],
        ),
        (
            "bad option",
            vec![s("--no-such-option"), sshd_log.clone(), s("sshd")],
        ),
        ("missing argument", vec![sshd_log.clone()]),
        (
            "bad -L value",
            vec![s("-L"), s("x"), sshd_log.clone(), s("sshd")],
        ),
    ];
    for (label, args) in errors {
        cases.push(Case {
            mode: s("errors"),
            label: s(label),
            args,
            stderr: true,
            help: label == "missing argument",
        });
    }
    // CRLF, invalid UTF-8 and a last line without newline.
    let weird = scratch.join("weird.log");
    let mut bytes = Vec::new();
    bytes.extend(
        b"Aug 14 11:58:01 srv sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\r\n",
    );
    bytes.extend(b"Aug 14 11:58:02 srv sshd[2]: Failed password for r\xf6\xffot from 192.0.2.2 port 22 ssh2\n");
    bytes.extend(b"Aug 14 11:58:03 srv sshd[3]: Invalid user \xe9t\xe9 from 192.0.2.3 port 22\r\n");
    bytes.extend(
        b"Aug 14 11:58:04 srv sshd[4]: Failed password for bob from 192.0.2.4 port 22 ssh2",
    );
    std::fs::write(&weird, bytes).expect("weird log");
    for extra in [
        &[][..],
        &["-o", "row"][..],
        &["--print-all-matched"][..],
        &["-o", "msg"][..],
    ] {
        let mut args: Vec<String> = extra.iter().map(s).collect();
        args.extend([p(&weird), s("sshd"), s("-c"), config.clone()]);
        cases.push(Case {
            mode: s("weird log"),
            label: format!("crlf/invalid utf-8/no final newline {}", extra.join(" ")),
            args,
            stderr: false,
            help: false,
        });
    }
    cases
}

fn pool<T: Send + Sync, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().expect("results")[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("results")
        .into_iter()
        .map(|r| r.expect("ran"))
        .collect()
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn regex_matches_fail2ban_regex() {
    let Some(compat) = common::require_oracle_and_corpus("regex_differential") else {
        return;
    };
    let started = Instant::now();
    let scratch = tempfile::tempdir().expect("tempdir");
    let progs = progs();
    let cases = cases(&compat, scratch.path());
    let t0 = now();
    // Each job is one program run; oracle and f2b runs interleave.
    let jobs: Vec<(usize, bool)> = (0..cases.len())
        .flat_map(|i| [(i, true), (i, false)])
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let outputs = pool(jobs, threads, |&(i, oracle)| {
        let c = &cases[i];
        if oracle {
            run_in(&progs.oracle_dir, &c.args)
        } else if c.stderr {
            run_in(&progs.f2b_dir, &c.args)
        } else {
            run_f2b_regex(&c.args)
        }
    });
    let norm = Norm::new((t0 - 1.0, now() + 1.0));
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let (exp, act) = (&outputs[2 * i], &outputs[2 * i + 1]);
        let mut problems = Vec::new();
        let (mut e, mut a) = (norm.apply(&exp.stdout), norm.apply(&act.stdout));
        if c.help {
            for out in [&mut e, &mut a] {
                let first = out
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(out.len(), |n| n + 1);
                out.truncate(first);
            }
        }
        if e != a {
            let d = common::diff(&show(&e), &show(&a));
            let d: String = d.lines().take(60).collect::<Vec<_>>().join("\n");
            problems.push(format!("stdout differs\n{d}"));
        }
        if exp.status.code() != act.status.code() {
            problems.push(format!(
                "exit code {:?} (oracle) vs {:?} (f2b)",
                exp.status.code(),
                act.status.code()
            ));
        }
        if c.stderr && exp.stderr != without_f2b_notes(&act.stderr) {
            problems.push(format!(
                "stderr differs\n{}",
                common::diff(&show(&exp.stderr), &show(&act.stderr))
            ));
        }
        if !c.stderr && exp.status.code() != Some(0) {
            problems.push(format!("oracle failed: {}", show(&exp.stderr)));
        }
        match counts.iter_mut().find(|(m, _, _)| *m == c.mode) {
            Some(x) => {
                x.1 += usize::from(problems.is_empty());
                x.2 += 1;
            }
            None => counts.push((c.mode.clone(), usize::from(problems.is_empty()), 1)),
        }
        if !problems.is_empty() {
            failures.push(format!(
                "== {} (fail2ban-regex {})\n{}",
                c.label,
                c.args.join(" "),
                problems.join("\n")
            ));
        }
    }
    for (mode, ok, total) in &counts {
        eprintln!("regex_differential: {mode}: {ok}/{total} identical");
    }
    eprintln!(
        "regex_differential: {} cases in {:.1?}",
        cases.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
