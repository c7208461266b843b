//! Tests against facts recorded from the installed fail2ban 1.0.2
//! (`scripts/record-date-*.py`).

use super::*;
use serde_json::Value;

fn data(name: &str) -> Value {
    let p = format!("{}/tests/data/date/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn cet() -> TimeZone {
    TimeZone::posix("CET-01CEST-02,M3.5.0,M10.5.0").unwrap()
}

fn opts(year: i32) -> DateOptions {
    let mut o = DateOptions::fixed(1124013600.0, cet());
    o.year = year;
    o.wall_clock = Some(1_700_000_000.0);
    o
}

fn check_list(ctx: &str, got: &DateDetector, want: &Value) -> usize {
    let want = want.as_array().unwrap();
    let got: Vec<_> = got.templates().collect();
    assert_eq!(got.len(), want.len(), "{ctx}: template count");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.name, w["name"].as_str().unwrap(), "{ctx}: name");
        assert_eq!(
            g.regex,
            w["regex"].as_str().unwrap(),
            "{ctx}: regex of {}",
            g.name
        );
        assert_eq!(
            g.flags as u64,
            w["flags"].as_u64().unwrap(),
            "{ctx}: flags of {}",
            g.name
        );
        assert_eq!(
            g.template_weight,
            w["weight"].as_f64().unwrap(),
            "{ctx}: weight of {}",
            g.name
        );
        assert_eq!(
            g.pattern,
            w["pattern"].as_str(),
            "{ctx}: pattern of {}",
            g.name
        );
    }
    got.len()
}

#[test]
fn templates_match_recorded() {
    let d = data("templates.json");
    let year = d["year"].as_i64().unwrap() as i32;
    let mut dd = DateDetector::new_default(opts(year));
    dd.detect("x");
    let n = check_list("defaults", &dd, &d["defaults"]);
    assert_eq!(n, 31);
    let mut checked = 0;
    for p in d["patterns"].as_array().unwrap() {
        let pat = p["pattern"].as_str().unwrap();
        let r = DateDetector::from_datepattern(pat, opts(year));
        if let Some(err) = p.get("error") {
            match r {
                Err(DateError::Pattern(m)) => assert_eq!(m, err.as_str().unwrap(), "{pat}"),
                _ => panic!("{pat}: expected error {err}"),
            }
        } else {
            match r {
                Ok(dd) => {
                    check_list(pat, &dd, &p["templates"]);
                }
                Err(DateError::Regex { name, regex, .. }) => {
                    // Python compiles lazily; the recorded template must be the same.
                    let t = &p["templates"][0];
                    assert_eq!(name, t["name"].as_str().unwrap(), "{pat}");
                    assert_eq!(regex, t["regex"].as_str().unwrap(), "{pat}");
                }
                Err(e) => panic!("{pat}: {e}"),
            }
        }
        checked += 1;
    }
    assert!(checked > 40);
}

/// Per-scenario comparison; returns (lines, mismatching lines, table ok).
fn run_scenario(sc: &Value, now: f64) -> (usize, Vec<String>, Option<String>) {
    let mut o = opts(2026);
    o.now = now;
    if let Some(tz) = sc.get("tz").and_then(Value::as_str) {
        o.default_tz = Some(TzSpec::parse(tz).unwrap());
    }
    let mut dd = match sc["pattern"].as_str() {
        Some(p) => DateDetector::from_datepattern(p, o).unwrap(),
        None => DateDetector::new_default(o),
    };
    let mut bad = Vec::new();
    let lines = sc["lines"].as_array().unwrap();
    for (ln, (line, row)) in lines.iter().zip(sc["rows"].as_array().unwrap()).enumerate() {
        let line = line.as_str().unwrap();
        let got = dd.detect(line);
        let mut g = serde_json::Map::new();
        if let Some(m) = &got {
            g.insert("span".into(), serde_json::json!([m.span.0, m.span.1]));
            g.insert(
                "mspan".into(),
                serde_json::json!([m.match_span.0, m.match_span.1]),
            );
            g.insert(
                "tpl".into(),
                dd.templates().nth(m.template).unwrap().name.into(),
            );
            if let Some(t) = m.time {
                g.insert("time".into(), t.into());
                g.insert("int".into(), m.time_is_int.into());
            }
            match &m.error {
                Some(ConvError::Invalid) => {
                    g.insert("err".into(), "ValueError".into());
                }
                Some(ConvError::Fatal { kind, .. }) => {
                    g.insert("err".into(), (*kind).into());
                }
                None => {}
            }
        }
        let mut w = row.as_object().unwrap().clone();
        if let Some(t) = w.get("time").and_then(Value::as_str) {
            let t: f64 = t.parse().unwrap();
            w.insert("time".into(), t.into());
        }
        if Value::Object(g.clone()) != Value::Object(w.clone()) {
            bad.push(format!("line {ln} {line:?}\n   got  {g:?}\n   want {w:?}"));
        }
    }
    let want: Vec<(String, u64, String, u64)> = sc["table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_u64().unwrap(),
                r[2].as_str().unwrap().to_string(),
                r[3].as_u64().unwrap(),
            )
        })
        .collect();
    let got: Vec<(String, u64, String, u64)> = dd
        .slots
        .iter()
        .map(|s| {
            (
                s.t.name.clone(),
                s.hits,
                format!("{:.3}", s.weight()),
                s.matched,
            )
        })
        .collect();
    let table = (got != want).then(|| format!("table differs\n   got  {got:?}\n   want {want:?}"));
    (lines.len(), bad, table)
}

/// Every scenario of a recording runs through a fresh detector; spans,
/// times, templates and the final hit table must be identical.
fn check_recorded(d: &Value) {
    let now = d["now"].as_f64().unwrap();
    let (mut total, mut bad_lines, mut bad_tables, mut scenarios) = (0, 0, 0, 0);
    let mut report = String::new();
    for sc in d["scenarios"].as_array().unwrap() {
        let (n, bad, table) = run_scenario(sc, now);
        total += n;
        scenarios += 1;
        bad_lines += bad.len();
        if !bad.is_empty() || table.is_some() {
            report.push_str(&format!("== {}\n", sc["name"].as_str().unwrap()));
            for b in bad.iter().take(5) {
                report.push_str(b);
                report.push('\n');
            }
        }
        if let Some(t) = table {
            bad_tables += 1;
            report.push_str(&t);
            report.push('\n');
        }
    }
    eprintln!(
        "{scenarios} scenarios, {total} lines, {bad_lines} differing lines, {bad_tables} differing tables"
    );
    assert!(scenarios > 0, "no scenarios recorded");
    assert!(report.is_empty(), "{report}");
}

#[test]
fn lines_match_recorded() {
    check_recorded(&data("lines.json"));
}

/// fail2ban's own sample logs are GPL test data and are not copied into
/// this repository: the installed fail2ban is asked about them at test
/// time (scripts/record-date-lines.py --corpus), then f2b must agree.
#[test]
fn sample_log_dates_match_installed_fail2ban() {
    let root = env!("CARGO_MANIFEST_DIR");
    let compat = std::path::Path::new(root).join("../shared/compat");
    let python_ok = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import fail2ban"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !compat.is_dir() || !python_ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs ../shared/compat and the installed fail2ban"
        );
        eprintln!("NOTE: skipped, ../shared/compat or fail2ban missing");
        return;
    }
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = std::process::Command::new("/usr/bin/python3")
        .arg(format!("{root}/scripts/record-date-lines.py"))
        .arg("--corpus")
        .arg(&compat)
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "recording failed");
    let d: Value = serde_json::from_str(&std::fs::read_to_string(out.path()).unwrap()).unwrap();
    check_recorded(&d);
}

/// The fast (`regex` crate) form of each template agrees with the
/// backtracking form on every recorded line, for whole-line and ranged
/// searches.
#[test]
fn fast_and_slow_paths_agree() {
    let d = data("lines.json");
    let mut lines: Vec<String> = Vec::new();
    for sc in d["scenarios"].as_array().unwrap() {
        for l in sc["lines"].as_array().unwrap().iter().step_by(15) {
            let l = l.as_str().unwrap();
            lines.push(l.to_string());
            // shifted and mangled variants
            lines.push(format!("x {l}"));
            lines.push(format!("[{l}"));
            lines.push(l.replacen('-', "/", 1));
        }
    }
    let mut templates = template::all_defaults(&template::ex_year_prefix(2026));
    for p in [
        "%d/%b/%Y:%H:%M:%S %z",
        "^%b %d %H:%M:%S",
        "%%%Y-%m-%d",
        "{UNB}%Y-%m-%d",
        r"\[%Y\]",
        "%Y$",
    ] {
        templates.push(template::pattern_template(p, "20[012]").unwrap());
    }
    let (mut fast, mut compared) = (0, 0);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for t in &templates {
        let re = template::compile(t).unwrap();
        if !re.has_fast() {
            continue;
        }
        fast += 1;
        let mut locs = engine::Locs::default();
        for l in &lines {
            let n = l.len();
            let mut ranges = vec![(0, n)];
            for (p, _) in l.char_indices().skip(1).step_by(9).take(1) {
                ranges.push((p, n));
                ranges.push((p, (p + 20).min(n)));
            }
            for (p, e) in ranges {
                if !l.is_char_boundary(e) {
                    continue;
                }
                let ra = re.search(l, p, e, &mut a, &mut locs);
                let rb = re.search_slow_only(l, p, e, &mut b);
                assert_eq!(ra, rb, "{} on {l:?} [{p},{e})", t.name);
                if ra {
                    assert_eq!(a, b, "{} on {l:?} [{p},{e})", t.name);
                }
                compared += 1;
            }
        }
    }
    eprintln!(
        "{fast} of {} templates have a fast form; {compared} searches compared",
        templates.len()
    );
    assert!(fast >= 25);
}

proptest::proptest! {
    /// The prefix-only ASCII checks give Python's char indexing on any text.
    #[test]
    fn char_helpers_index_by_chars(s in "[a-zé€ 0-9\\]\\[]{0,12}", k in -2i64..16) {
        let chars: Vec<char> = s.chars().collect();
        let want_at = (k >= 0).then(|| chars.get(k as usize).copied()).flatten();
        proptest::prop_assert_eq!(super::char_at(&s, k), want_at);
        let want_byte = if k <= 0 {
            0
        } else {
            s.char_indices().nth(k as usize).map_or(s.len(), |(i, _)| i)
        };
        proptest::prop_assert_eq!(super::byte_index(&s, k), want_byte);
    }
}
