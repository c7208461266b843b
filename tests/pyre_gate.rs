//! The gate of every pattern matches a superset of what the pattern matches.

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

#[test]
fn gate_union_combines() {
    let a = pyre::compile("(?i)foo(?=x)", Flags::default()).unwrap();
    let b = pyre::compile("(b)\\1$", Flags::default()).unwrap();
    let u = regex::Regex::new(&pyre::gate_union(&[&a, &b])).unwrap();
    assert!(u.is_match("FOOx") && u.is_match("bb\n") && !u.is_match("zzz"));
}
