use super::*;

fn c(p: &str) -> Regex {
    compile(p, Flags::default()).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn spans(p: &str, t: &str) -> Option<Vec<Option<(usize, usize)>>> {
    let r = c(p);
    r.search(t)
        .unwrap()
        .map(|m| (0..=r.group_count()).map(|i| m.get(i)).collect())
}

#[test]
fn smoke() {
    assert_eq!(
        spans("a(b)c", "xabc"),
        Some(vec![Some((1, 4)), Some((2, 3))])
    );
}

fn flags_of(s: &str) -> Flags {
    Flags {
        ignorecase: s.contains('i'),
        multiline: s.contains('m'),
        dotall: s.contains('s'),
        verbose: s.contains('x'),
        ascii: s.contains('a'),
    }
}

/// Python accepts real Unicode names; there is no name table here.
const KNOWN_ACCEPT_DIFF: &[&str] = &["\\N{LATIN SMALL LETTER A}", "a{4294967294}"];

#[test]
fn compile_agrees_with_python() {
    let data = include_str!("testdata/python-compile.jsonl");
    let mut bad = Vec::new();
    let mut n = 0;
    for line in data.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let p = row["pattern"].as_str().unwrap();
        let f = flags_of(row["flags"].as_str().unwrap());
        if KNOWN_ACCEPT_DIFF.contains(&p) {
            continue;
        }
        n += 1;
        let got = compile(p, f);
        match (row["ok"].as_bool().unwrap(), got) {
            (true, Ok(r)) => {
                let groups = row["groups"].as_u64().unwrap() as usize;
                let gi: Vec<(String, usize)> = row["groupindex"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|kv| {
                        (
                            kv[0].as_str().unwrap().to_string(),
                            kv[1].as_u64().unwrap() as usize,
                        )
                    })
                    .collect();
                if r.group_count() != groups || r.group_index() != gi {
                    bad.push(format!(
                        "{p:?}: groups {} {:?}",
                        r.group_count(),
                        r.group_index()
                    ));
                }
            }
            (true, Err(e)) => bad.push(format!("{p:?} /{f:?}: python accepts, we say {e}")),
            (false, Ok(_)) => {
                bad.push(format!("{p:?}: python rejects ({}), we accept", row["str"]))
            }
            (false, Err(e)) => {
                let want = row["str"].as_str().unwrap();
                if e.to_string() != want || e.msg != row["msg"].as_str().unwrap() {
                    bad.push(format!("{p:?}: want {want:?}, got {:?}", e.to_string()));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {n} disagree:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Repeats whose body can match empty: Python's SRE makes one more (empty)
/// iteration and so sets the group to the empty string at the end.
const KNOWN_SEARCH_DIFF: &[&str] = &["(a*)+", "(a*)*", "(a|)+"];

#[test]
fn search_agrees_with_python() {
    let data = include_str!("testdata/python-search.jsonl");
    let mut bad = Vec::new();
    let mut n = 0;
    for line in data.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let p = row["pattern"].as_str().unwrap();
        let f = flags_of(row["flags"].as_str().unwrap());
        let t = row["text"].as_str().unwrap();
        let pos = row["pos"].as_u64().unwrap() as usize;
        let endpos = row["endpos"].as_u64().unwrap() as usize;
        let want: Option<Vec<Option<(usize, usize)>>> = row["spans"].as_array().map(|a| {
            a.iter()
                .map(|s| {
                    s.as_array().map(|s| {
                        (
                            s[0].as_u64().unwrap() as usize,
                            s[1].as_u64().unwrap() as usize,
                        )
                    })
                })
                .collect()
        });
        if KNOWN_SEARCH_DIFF.contains(&p) {
            continue;
        }
        n += 1;
        let r = compile(p, f).unwrap();
        let got = r
            .search_range(t, pos, endpos)
            .unwrap()
            .map(|m| (0..=r.group_count()).map(|i| m.get(i)).collect::<Vec<_>>());
        if got != want {
            bad.push(format!(
                "{p:?} /{f:?} on {t:?}[{pos}..{endpos}]: python {want:?}, got {got:?}\n   as {}",
                translate(p, f, Mode::Exact).unwrap()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {n} disagree:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn catastrophic_pattern_returns_match_error() {
    let r = with_backtrack_limit("(a|a)*(?=b)c", Flags::default(), 10_000).unwrap();
    let hay = "a".repeat(40);
    assert!(r.search(&hay).is_err());
    assert!(r.search(&hay).unwrap_err().to_string().contains("aborted"));
}

#[test]
fn error_display_matches_python() {
    let e = compile("(abc", Flags::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing ), unterminated subpattern at position 0"
    );
    let e = compile("a\n(b", Flags::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing ), unterminated subpattern at position 2 (line 2, column 1)"
    );
    let e = compile("a{99999999999}", Flags::default()).unwrap_err();
    assert_eq!(
        (e.msg.as_str(), e.pos),
        ("the repetition number is too large", None)
    );
}

#[test]
fn search_range_anchors_only_at_real_start() {
    let r = c("^b");
    assert!(r.search_range("ab", 1, 2).unwrap().is_none());
    let r = c("(?<=a)b$");
    assert_eq!(
        r.search_range("abc", 1, 2).unwrap().map(|m| m.get(0)),
        Some(Some((1, 2)))
    );
}

#[test]
fn single_line_option_and_auto_switch_agree() {
    let opts = Options {
        single_line_haystack: true,
        ..Options::default()
    };
    let a = compile_with("x$", Flags::default(), opts).unwrap();
    let b = c("x$");
    for h in ["x\n", "x", "ax\n"] {
        assert_eq!(a.is_match(h).unwrap(), b.is_match(h).unwrap());
    }
    assert!(!b.is_match("x\ny\n").unwrap());
}

#[test]
fn named_groups_and_helpers() {
    let r = c(r"(?P<user>\S+) from (?P<ip>\d+\.\d+)");
    let m = r.search("bob from 1.2 x").unwrap().unwrap();
    assert_eq!(m.name_str("user"), Some("bob"));
    assert_eq!(m.name_str("ip"), Some("1.2"));
    assert_eq!(
        r.group_index(),
        &[("user".to_string(), 1), ("ip".to_string(), 2)]
    );
    assert_eq!(m.len(), 2);
}

#[test]
fn gates_compile_for_recorded_patterns() {
    let data = include_str!("testdata/python-compile.jsonl");
    for line in data.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let p = row["pattern"].as_str().unwrap();
        if let Ok(r) = compile(p, flags_of(row["flags"].as_str().unwrap())) {
            regex::Regex::new(r.gate()).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        }
    }
}

/// `(?!Wt)C+t` is emitted without the lookahead; it must match exactly as
/// the lookahead form does (here kept by wrapping the class in a group).
#[test]
fn word_exclusion_rewrite_is_exact() {
    let rewritten = compile(
        r#"^(?:,(?!Rem=)\w+="[^"]*")*,Rem="(\w*)"$"#,
        Flags::default(),
    )
    .unwrap();
    let reference = compile(
        r#"^(?:,(?!Rem=)(?:\w)+="[^"]*")*,Rem="(\w*)"$"#,
        Flags::default(),
    )
    .unwrap();
    let keys = ["Rem", "Re", "R", "Remx", "xRem", "Rex", "a", "Remo"];
    let mut checked = 0;
    for n in 0..4096u32 {
        let mut hay = String::new();
        let mut x = n;
        for _ in 0..4 {
            hay.push_str(&format!(",{}=\"{}\"", keys[(x % 8) as usize], x % 3));
            x /= 8;
        }
        hay.push('\n');
        let a = rewritten
            .search(&hay)
            .unwrap()
            .map(|m| (m.get(0), m.get(1)));
        let b = reference
            .search(&hay)
            .unwrap()
            .map(|m| (m.get(0), m.get(1)));
        assert_eq!(a, b, "{hay}");
        checked += 1;
    }
    assert_eq!(checked, 4096);
    assert!(
        !translate(r#"(?!Rem=)\w+="#, Flags::default(), Mode::Exact)
            .unwrap()
            .contains("(?!")
    );
}
