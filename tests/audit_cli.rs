//! `f2b audit` end to end without the oracle: formats, rotated and gzip
//! inputs, exit codes, and bad input (no dates, lines out of order, a
//! truncated gzip file, two time zones in one file, a missing log).

mod common;

use std::io::Write;
use std::path::Path;

const WEEK: &str = "compat-fixtures/audit/asterisk-week.log";

fn audit(args: &[&str]) -> (i32, String, String) {
    audit_threads(args, None)
}

/// `f2b audit --builtin --tz UTC ARGS`, with `F2B_AUDIT_THREADS` when given.
fn audit_threads(args: &[&str], threads: Option<&str>) -> (i32, String, String) {
    let mut cmd = common::f2b();
    if let Some(n) = threads {
        cmd.env("F2B_AUDIT_THREADS", n);
    }
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["audit", "--builtin", "--tz", "UTC"])
        .args(args);
    let out = common::run(cmd);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let (code, out, err) = audit(&a);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("one JSON document")
}

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("fixture")
        .lines()
        .map(str::to_string)
        .collect()
}

fn gzip(path: &Path, text: &str) {
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(path).expect("create"),
        flate2::Compression::default(),
    );
    e.write_all(text.as_bytes()).expect("write");
    e.finish().expect("finish");
}

#[test]
fn summary_json_and_csv() {
    let (code, text, _) = audit(&[WEEK]);
    assert_eq!(code, 0);
    for s in [
        "Jail",
        "asterisk",
        "recidive",
        "Top offenders",
        "Slow attackers",
    ] {
        assert!(text.contains(s), "summary lacks {s}:\n{text}");
    }
    let doc = json(&[WEEK]);
    let bans = doc["bans"].as_array().expect("bans");
    assert!(!bans.is_empty());
    for b in bans {
        for k in ["jail", "ip", "time", "bantime", "failures", "bancount"] {
            assert!(!b[k].is_null(), "{k} missing in {b}");
        }
    }
    let times: Vec<f64> = bans
        .iter()
        .map(|b| b["time"].as_f64().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "bans in time order");
    assert!(bans.iter().any(|b| b["jail"] == "recidive"));
    let (_, csv, _) = audit(&["--format", "csv", WEEK]);
    assert_eq!(
        csv.lines().next(),
        Some("jail,ip,time,bantime,failures,bancount")
    );
    assert_eq!(csv.lines().count(), bans.len() + 1);
}

#[test]
fn what_if_reports_both_runs() {
    let doc = json(&["--what-if", "maxretry=3@asterisk", WEEK]);
    let w = &doc["what_if"][0];
    assert_eq!(w["setting"], "maxretry=3");
    assert_eq!(w["jail"], "asterisk");
    assert!(w["bans"].as_u64() > w["baseline_bans"].as_u64(), "{w}");
    let (code, _, err) = audit(&["--what-if", "maxretries=3", WEEK]);
    assert_eq!(code, 2);
    assert!(err.contains("only maxretry, findtime and bantime"), "{err}");
}

#[test]
fn rotated_sets_and_gzip_give_the_same_bans() {
    let all = lines(WEEK);
    let tmp = tempfile::tempdir().expect("tmp");
    let third = all.len() / 3;
    let join = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
    gzip(&tmp.path().join("messages.2.gz"), &join(&all[..third]));
    std::fs::write(tmp.path().join("messages.1"), join(&all[third..2 * third])).expect("w");
    std::fs::write(tmp.path().join("messages"), join(&all[2 * third..])).expect("w");
    let now = "--now=1795400000";
    let whole = json(&[now, WEEK]);
    let rotated = json(&[now, tmp.path().join("messages").to_str().expect("utf-8")]);
    assert_eq!(whole["bans"], rotated["bans"]);
}

/// Files with bad input made from the week log: no dates, lines in
/// reverse order, a truncated gzip file, two time zones.
fn write_bad_inputs(dir: &Path) {
    let all = lines(WEEK);
    let p = |n: &str| dir.join(n);
    // No dates at all.
    let undated: String = all[..100]
        .iter()
        .map(|l| format!("{}\n", l.split_once("] ").expect("dated").1))
        .collect();
    std::fs::write(p("undated"), undated).expect("w");
    // Lines out of order.
    let mut shuffled = all[..300].to_vec();
    shuffled.reverse();
    std::fs::write(p("reversed"), shuffled.join("\n") + "\n").expect("w");
    // A truncated gzip file.
    let full = dir.join("full.gz");
    gzip(&full, &(all.join("\n") + "\n"));
    let bytes = std::fs::read(&full).expect("r");
    std::fs::write(p("cut.gz"), &bytes[..bytes.len() / 4]).expect("w");
    // Two time zones: the second half written two hours ahead.
    let mut mixed: Vec<String> = all[..200].to_vec();
    for l in &all[200..400] {
        let (date, rest) = l[1..].split_once("] ").expect("dated");
        let t = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", date).expect("date");
        let shifted = t.checked_add(jiff::Span::new().hours(2)).expect("in range");
        mixed.push(format!(
            "[{}] {rest}",
            shifted.strftime("%Y-%m-%d %H:%M:%S")
        ));
    }
    mixed.extend(all[400..600].iter().cloned());
    std::fs::write(p("mixed"), mixed.join("\n") + "\n").expect("w");
}

#[test]
fn bad_input_is_reported_not_fatal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = |n: &str| tmp.path().join(n).display().to_string();
    write_bad_inputs(tmp.path());

    let cases = [
        ("undated", "100 of 100 lines have no date"),
        ("reversed", "lines are older than a line before them"),
        ("cut.gz", "truncated gzip file"),
        ("mixed", "mixture of time zones"),
    ];
    for (name, expected) in cases {
        let doc = json(&[&p(name)]);
        let warnings: Vec<&str> = doc["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| w.as_str().expect("text"))
            .collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(expected) && w.contains(name)),
            "{name}: expected a warning with {expected:?}, got {warnings:#?}"
        );
        // The text summary shows the same warnings.
        let (_, text, _) = audit(&[&p(name)]);
        assert!(text.contains(expected), "{name}: {text}");
    }
    // The readable part of the truncated file was replayed.
    let cut = json(&[&p("cut.gz")]);
    assert!(cut["jails"][0]["lines"].as_u64().expect("lines") > 100);
}

#[test]
fn threads_do_not_change_the_outcome() {
    // Reading and filtering on other threads (the default on a machine
    // with several cores) must give what one thread gives, to the byte:
    // bans, statistics, the timeline and the warnings.
    let tmp = tempfile::tempdir().expect("tmp");
    write_bad_inputs(tmp.path());
    let p = |n: &str| tmp.path().join(n).display().to_string();
    let both = format!("asterisk={}", p("mixed"));
    let other = format!("asterisk={}", p("reversed"));
    let cases: Vec<Vec<String>> = vec![
        vec![WEEK.into()],
        vec!["--now=1795400000".into(), WEEK.into()],
        vec![p("undated")],
        vec![p("reversed")],
        vec![p("cut.gz")],
        vec![p("mixed")],
        // Two files for one jail share its date detector: stays on one thread.
        vec!["--log".into(), both, "--log".into(), other],
    ];
    for args in cases {
        let a: Vec<&str> = ["--format", "json"]
            .into_iter()
            .chain(args.iter().map(String::as_str))
            .collect();
        let one = audit_threads(&a, Some("1"));
        let many = audit_threads(&a, Some("3"));
        assert_eq!(one.0, 0, "{args:?}: {}", one.2);
        assert!(one.1 == many.1, "{args:?}: outputs differ");
        assert_eq!(one.2, many.2, "{args:?}");
    }
}

#[test]
fn errors_and_usage() {
    let (code, _, err) = audit(&["/nonexistent/messages"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/messages"), "{err}");
    let (code, _, err) = audit(&["--log", "nojail", WEEK]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = audit(&["--log", "nojail=x", WEEK]);
    assert_eq!(code, 1);
    assert!(err.contains("nojail"), "{err}");
    let (code, _, _) = audit(&["--format", "yaml", WEEK]);
    assert_eq!(code, 2);
}

#[test]
fn ad_hoc_filter_jail() {
    let doc = json(&[
        "--filter",
        "src/audit/builtin/filter.d/f2b-asterisk.conf",
        "--maxretry",
        "3",
        "--findtime",
        "1h",
        "--bantime",
        "-1",
        WEEK,
    ]);
    let jails = doc["jails"].as_array().expect("jails");
    assert_eq!(jails.len(), 1, "only the ad hoc jail: {jails:?}");
    assert_eq!(jails[0]["name"], "audit");
    assert_eq!(jails[0]["maxretry"], 3);
    let bans = doc["bans"].as_array().expect("bans");
    assert!(!bans.is_empty());
    assert!(bans.iter().all(|b| b["bantime"] == -1.0), "permanent bans");
    // A permanent ban is never repeated for the same address.
    let mut ips: Vec<&str> = bans.iter().map(|b| b["ip"].as_str().expect("ip")).collect();
    let n = ips.len();
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), n);
}
