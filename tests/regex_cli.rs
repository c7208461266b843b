//! `f2b regex` exit codes and messages that need no oracle: a log path
//! that does not exist, an unreadable log, a filter without failregex,
//! the `--format json` schema and `--help`.

mod common;

use std::path::Path;
use std::process::Output;

const SSHD_LIKE: &str = "[Definition]\n\
failregex = sshd\\[\\d+\\]: Failed password for <F-USER>\\S+</F-USER> from <HOST>\n            \
sshd\\[\\d+\\]: <F-NOFAIL>Connection closed</F-NOFAIL> by <HOST>\n";

fn regex(args: &[&str]) -> Output {
    common::f2b()
        .arg("regex")
        .args(args)
        .output()
        .expect("f2b runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, body).expect("write");
    p.to_string_lossy().into_owned()
}

#[test]
fn missing_log_file_is_taken_as_a_log_line() {
    // Like fail2ban-regex: a LOG that is not a file is a log line.
    let out = regex(&["/nonexistent/dir/auth.log", "from <HOST>"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Use      single line : /nonexistent/dir/auth.log\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Lines: 1 lines, 0 ignored, 0 matched, 1 missed\n"),
        "{stdout}"
    );
    // f2b says so on stderr.
    assert!(
        text(&out.stderr).contains("/nonexistent/dir/auth.log: No such file or directory"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn one_megabyte_line_and_binary_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let long = format!(
        "2024-05-01 10:00:00 {} from 192.0.2.1\n2024-05-01 10:00:01 from 192.0.2.2\n",
        "x".repeat(1 << 20)
    );
    let log = write(dir.path(), "long.log", &long);
    let out = regex(&["-o", "id", &log, "from <HOST>$"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "192.0.2.1\n192.0.2.2\n");

    let mut bin: Vec<u8> = (0..=255u8)
        .cycle()
        .take(100_000)
        .filter(|&b| b != b'\n')
        .collect();
    bin.extend_from_slice(b"\n2024-05-01 10:00:01 from 192.0.2.3\n");
    let p = dir.path().join("bin.log");
    std::fs::write(&p, &bin).expect("write");
    let out = regex(&["-o", "id", &p.to_string_lossy(), "from <HOST>$"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "192.0.2.3\n");
    let err = text(&out.stderr);
    assert!(
        err.contains("bin.log:1: bytes that are not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn catastrophic_backtracking_is_bounded_and_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = format!(
        "2024-05-01 10:00:00 host 192.0.2.1 {}c\n2024-05-01 10:00:01 host 192.0.2.2 bc\n",
        "a".repeat(60)
    );
    let log = write(dir.path(), "slow.log", &body);
    let out = regex(&[&log, "<HOST> (a|a)*(?=b)c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: line 1: failregex <HOST> (a|a)*(?=b)c gave up"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("Lines: 2 lines, 0 ignored, 0 matched, 2 missed"));
}

#[test]
fn invalid_regex_gets_python_error_and_caret() {
    let out = regex(&["x", "from [<HOST>"]);
    assert_eq!(out.status.code(), Some(255));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ERROR: Unable to compile regular expression 'from [(?:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("unbalanced parenthesis at position 95\n"),
        "{stdout}"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("f2b: error: re.error: unbalanced parenthesis at position 95"),
        "{err}"
    );
    let caret = err.lines().find(|l| l.trim() == "^").expect("caret line");
    assert_eq!(caret.len(), 2 + 95 + 1, "{err}");
}

#[test]
fn unreadable_log_file_fails() {
    // A file that opens but cannot be read, even as root.
    if Path::new("/proc/self/mem").is_file() {
        let out = regex(&["/proc/self/mem", "from <HOST>"]);
        assert_ne!(out.status.code(), Some(0), "{}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("reading /proc/self/mem"),
            "stderr: {stderr}"
        );
    }
    // A file without read permission (root reads it anyway).
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = write(tmp.path(), "secret.log", "Aug 14 11:58:01 x sshd[1]: y\n");
    std::fs::set_permissions(&log, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod");
    if std::fs::File::open(&log).is_err() {
        let out = regex(&[&log, "from <HOST>"]);
        assert_eq!(out.status.code(), Some(255), "{}", text(&out.stdout));
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(all.contains("Permission denied"), "{all}");
    }
}

#[test]
fn filter_without_failregex_runs_with_zero_regexes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let conf = tmp.path().to_string_lossy().into_owned();
    write(
        tmp.path(),
        "filter.d/empty.conf",
        "[Definition]\nfailregex =\n",
    );
    write(
        tmp.path(),
        "filter.d/nokey.conf",
        "[Definition]\nignoreregex = foo\n",
    );
    let log = write(
        tmp.path(),
        "x.log",
        "Aug 14 11:58:01 srv sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n",
    );
    for name in ["empty", "nokey"] {
        let out = regex(&[&log, name, "-c", &conf]);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains("\nFailregex: 0 total\n"),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("Lines: 1 lines, 0 ignored, 0 matched, 1 missed\n"),
            "{name}: {stdout}"
        );
    }
}

#[test]
fn json_lines_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let conf = tmp.path().to_string_lossy().into_owned();
    write(tmp.path(), "filter.d/t.conf", SSHD_LIKE);
    let log = write(
        tmp.path(),
        "x.log",
        "# a comment\n\
         Aug 14 11:58:01 srv sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n\
         \n\
         Aug 14 11:58:02 srv sshd[2]: Connection closed by 192.0.2.9\n\
         Aug 14 11:58:03 srv sshd[3]: nothing to see\n\
         Aug 14 11:58:04 srv sshd[4]: Failed password for bob from 2001:db8::7 port 22 ssh2\n",
    );
    let out = regex(&["--format", "json", &log, "t", "-c", &conf]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let objs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for o in &objs {
        for key in [
            "line",
            "matched",
            "ignored",
            "host",
            "ip",
            "time",
            "failregex",
            "groups",
        ] {
            assert!(o.get(key).is_some(), "{key} missing in {o}");
        }
        assert!(o["line"].is_u64(), "{o}");
        assert!(
            o["matched"].is_boolean() && o["ignored"].is_boolean(),
            "{o}"
        );
        assert!(o["groups"].is_object(), "{o}");
    }
    let lines: Vec<u64> = objs
        .iter()
        .map(|o| o["line"].as_u64().expect("line"))
        .collect();
    // Physical 1-based line numbers: comments and blank lines count.
    assert_eq!(lines, [2, 4, 6], "{stdout}");
    assert_eq!(objs[0]["matched"], true);
    assert_eq!(objs[0]["host"], "192.0.2.1");
    assert_eq!(objs[0]["groups"]["user"], "root");
    // 0-based, like fail2ban's failregex index.
    assert_eq!(objs[0]["failregex"], 0, "{stdout}");
    // Only an <F-NOFAIL> regex hit this line: not a failure.
    assert_eq!(objs[1]["matched"], false, "{stdout}");
    assert_eq!(objs[1]["host"], "192.0.2.9");
    assert_eq!(objs[2]["matched"], true);
    assert_eq!(objs[2]["ip"], "2001:db8::7");
    assert!(objs[2]["time"].is_number(), "{stdout}");
}

#[test]
fn help_exits_zero() {
    let out = regex(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with("Usage: f2b regex [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]\n")
    );
    // The same binary under the name fail2ban-regex.
    let tmp = tempfile::tempdir().expect("tempdir");
    let link = tmp.path().join("fail2ban-regex");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_f2b"), &link).expect("symlink");
    let out = std::process::Command::new(&link)
        .arg("-h")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let usage = format!(
        "Usage: {} [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]\n",
        link.display()
    );
    assert!(
        text(&out.stdout).starts_with(&usage),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn usage_errors_exit_like_fail2ban_regex() {
    // optparse errors: exit 2; missing LOG/REGEX: exit 255.
    let out = regex(&["--no-such-option", "a", "b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: no such option: --no-such-option"),
        "{}",
        text(&out.stderr)
    );
    let out = regex(&["only-a-log"]);
    assert_eq!(out.status.code(), Some(255));
    assert!(
        text(&out.stderr).contains("ERROR: provide both <LOG> and <REGEX>."),
        "{}",
        text(&out.stderr)
    );
    let out = regex(&["line from 192.0.2.1", "no host group here"]);
    assert_eq!(out.status.code(), Some(255));
    assert!(
        text(&out.stdout).contains("ERROR: No failure-id group in 'no host group here'"),
        "{}",
        text(&out.stdout)
    );
}
