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
