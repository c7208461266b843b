//! The automata in front of the backtracking engine are exact or
//! supersets, on random patterns and haystacks:
//! - the gate of every pattern matches a superset of what it matches;
//! - the direct capture engine finds the same spans as fancy-regex;
//! - the one-line set of a `X(?P<content>.+)$` prefregex decides the
//!   prefregex exactly and keeps every failregex that matches the content.

use f2b::pyre::{self, Flags};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        " ",
        ".",
        "\\n",
        "[ab]",
        "[^a]",
        "\\w",
        "\\s",
        "\\S",
        "\\d",
        "^",
        "$",
        "\\b",
        "\\B",
        "\\A",
        "\\Z",
        "\\1",
        "(?P=g)",
        "(?(1)a|b)",
        "(?(g)a)",
        "(?<=a)",
        "(?<!b)",
        "(?<=\\s)",
        "(?<=^)",
        "A",
        "",
    ])
    .prop_map(str::to_string)
}

fn pattern() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}{b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}|{b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("(?P<g>{a})")),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "*", "+", "?", "*?", "+?", "{1,2}", "*+", "{0,2}?", "++"
                ])
            )
                .prop_map(|(a, q)| format!("(?:{a}){q}")),
            inner.clone().prop_map(|a| format!("(?={a})")),
            inner.clone().prop_map(|a| format!("(?!{a})")),
            inner.clone().prop_map(|a| format!("(?>{a})")),
            inner.clone().prop_map(|a| format!("(?i:{a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(?(1){a}|{b})")),
        ]
    })
}

fn haystack() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', 'A', ' ', '\n', '1']),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(v, nl)| {
            let mut s: String = v.into_iter().collect();
            if nl {
                s.push('\n');
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn gate_is_a_superset(
        prefix in prop::sample::select(vec!["", "(?i)", "(?m)", "(?s)", "(a)?", "(?P<g>a|b)?"]),
        p in pattern(),
        hays in prop::collection::vec(haystack(), 1..6),
    ) {
        let p = format!("{prefix}{p}");
        let Ok(re) = pyre::compile(&p, Flags::default()) else { return Ok(()) };
        let gate = regex::Regex::new(re.gate())
            .unwrap_or_else(|e| panic!("gate of {p:?} = {:?}: {e}", re.gate()));
        for h in &hays {
            if re.is_match(h) == Ok(true) {
                prop_assert!(gate.is_match(h), "{:?} matches {:?} but gate {:?} does not", p, h, re.gate());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn direct_captures_agree_with_fancy(
        prefix in prop::sample::select(vec!["", "(?i)", "(?m)", "(?s)", "(a)?", "(?P<g>a|b)?"]),
        p in pattern(),
        hays in prop::collection::vec(haystack(), 1..6),
        pos in 0usize..3,
    ) {
        let p = format!("{prefix}{p}");
        let Ok(re) = pyre::compile(&p, Flags::default()) else { return Ok(()) };
        for h in &hays {
            let direct = re.search_range(h, pos, h.len()).map(|m| m.map(|m| (0..=m.len()).map(|i| m.get(i)).collect::<Vec<_>>()));
            let fancy = re.search_range_fancy(h, pos, h.len()).map(|m| m.map(|m| (0..=m.len()).map(|i| m.get(i)).collect::<Vec<_>>()));
            if let (Ok(d), Ok(f)) = (&direct, &fancy) {
                prop_assert_eq!(d, f, "{:?} on {:?} from {}", p, h, pos);
            }
        }
    }

}

proptest! {
    // Only about one case in eight builds a set (X must be expressible
    // for the `regex` crate): more cases.
    #![proptest_config(ProptestConfig { cases: 12000, ..ProptestConfig::default() })]
    #[test]
    fn line_set_decides_prefregex_and_keeps_matching_failregexes(
        x in pattern(),
        fails in prop::collection::vec((any::<bool>(), pattern()), 1..4),
        lines in prop::collection::vec(haystack(), 1..6),
    ) {
        use f2b::filter::lineset::{LineSet, LineVerdict};
        let flags = Flags::default();
        let x = format!("^(?:{x})");
        let pref_text = format!("{x}(?P<content>.+)$");
        let Ok(pref) = pyre::compile(&pref_text, flags) else { return Ok(()) };
        let fails: Vec<String> = fails
            .into_iter()
            .map(|(anchored, f)| if anchored { format!("^{f}") } else { f })
            .collect();
        let mut compiled = Vec::new();
        for f in &fails {
            let Ok(re) = pyre::compile(f, flags) else { return Ok(()) };
            compiled.push(re);
        }
        let Some(set) = LineSet::new(
            (x.clone(), flags),
            fails.iter().map(|f| (f.clone(), flags)).collect(),
        ) else { return Ok(()) };
        let mut patterns = set.pattern_set();
        for line in &lines {
            // A one-line buffer: the line (no newline inside) and its `\n`.
            let buf = format!("{}\n", line.replace('\n', ""));
            let Ok(m) = pref.search(&buf) else { continue };
            let verdict = set.scan(&buf, &mut patterns).expect("ASCII buffer");
            let content = match (&m, verdict) {
                (None, LineVerdict::NoPrefix) => continue,
                (Some(m), LineVerdict::Prefix { candidates }) => {
                    (m.name_str("content").expect("content").to_string(), candidates)
                }
                (m, v) => {
                    prop_assert!(false, "prefregex {:?} on {:?}: search {:?}, set {:?}", pref_text, buf, m.is_some(), v);
                    unreachable!()
                }
            };
            let (content, candidates) = content;
            let content_buf = format!("{content}\n");
            for (i, re) in compiled.iter().enumerate() {
                if re.search(&content_buf).is_ok_and(|m| m.is_some()) {
                    prop_assert!(candidates & (1 << i) != 0,
                        "failregex {:?} matches content {:?} of {:?} (prefix {:?}) but the set dropped it",
                        fails[i], content, buf, x);
                }
            }
        }
    }
}

#[test]
fn gate_union_combines() {
    let a = pyre::compile("(?i)foo(?=x)", Flags::default()).unwrap();
    let b = pyre::compile("(b)\\1$", Flags::default()).unwrap();
    let u = regex::Regex::new(&pyre::gate_union(&[&a, &b])).unwrap();
    assert!(u.is_match("FOOx") && u.is_match("bb\n") && !u.is_match("zzz"));
}
