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
