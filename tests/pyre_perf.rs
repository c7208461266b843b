//! Tiny throughput benchmark (ignored by default):
//! `cargo test --release --test pyre_perf -- --ignored --nocapture`

use f2b::pyre::{self, Flags, Mode};
use std::time::Instant;

const PREF: &str = r"^(?:\[\])?\s*(?:<[^.]+\.[^.]+>\s+)?(?:\S+\s+)?(?:kernel:\s?\[ *\d+\.\d+\]:?\s+)?(?:@vserver_\S+\s+)?(?:(?:(?:\s*\[\d+\])?:\s+[\[\(]?asterisk(?:\(\S+\))?[\]\)]?:?|[\[\(]?asterisk(?:\(\S+\))?[\]\)]?:?(?:\s*\[\d+\])?:?)\s+)?(?:\[ID \d+ \S+\]\s+)?(?:NOTICE|SECURITY|WARNING)(?:\s*\[\d+\]):?(?:\[C-[\da-f]*\])?:? [^:]+:\d*(?:(?: in)? [^:]+:)? (?P<content>.+)$";

fn lines() -> Vec<String> {
    (0..50_000)
        .map(|i| match i % 3 {
            0 => format!("[] NOTICE[{i}]: chan_sip.c:{i} in handle_request_register: Registration from '<sip:{i}@10.0.0.1>' failed for '1.2.3.{}:5060' - Wrong password\n", i % 250),
            1 => format!("[] host asterisk[{i}]: WARNING[{i}][C-0000{i:x}]: res_pjsip.c:12 x: Request 'REGISTER' from '<sip:a@b>' failed for '10.1.1.1:5060'\n"),
            _ => format!("[] VERBOSE[{i}] pbx.c: Executing [s@default:1] Answer(\"SIP/1-{i}\") in new stack\n"),
        })
        .collect()
}

fn run(name: &str, f: impl Fn(&str) -> bool, lines: &[String]) {
    let t = Instant::now();
    let mut hits = 0;
    for _ in 0..4 {
        for l in lines {
            hits += f(l) as usize;
        }
    }
    let n = lines.len() * 4;
    let s = t.elapsed().as_secs_f64();
    println!("{name:40} {:>10.0} lines/s  ({hits} hits)", n as f64 / s);
}

#[test]
#[ignore]
fn asterisk_prefregex_throughput() {
    let lines = lines();
    let exact =
        fancy_regex::Regex::new(&pyre::translate(PREF, Flags::default(), Mode::Exact).unwrap())
            .unwrap();
    let single = fancy_regex::Regex::new(
        &pyre::translate(PREF, Flags::default(), Mode::SingleLine).unwrap(),
    )
    .unwrap();
    let re = pyre::compile(PREF, Flags::default()).unwrap();
    let gate = regex::Regex::new(re.gate()).unwrap();
    run(
        "exact form (?=\\n?\\z), captures",
        |l| exact.captures(l).unwrap().is_some(),
        &lines,
    );
    run(
        "single-line form (?m:$), captures",
        |l| single.captures(l).unwrap().is_some(),
        &lines,
    );
    run(
        "exact form, is_match",
        |l| exact.is_match(l).unwrap(),
        &lines,
    );
    run(
        "single-line form, is_match",
        |l| single.is_match(l).unwrap(),
        &lines,
    );
    let plain =
        regex::Regex::new(&pyre::translate(PREF, Flags::default(), Mode::SingleLine).unwrap())
            .unwrap();
    run(
        "single-line form on regex crate, captures",
        |l| plain.captures(l).is_some(),
        &lines,
    );
    let rust = regex::Regex::new(&PREF.replace("$", "(?m:$)")).unwrap();
    run(
        "same pattern with Rust's \\s \\d \\S, captures",
        |l| rust.captures(l).is_some(),
        &lines,
    );
    run(
        "pyre::Regex::search (auto)",
        |l| re.search(l).unwrap().is_some(),
        &lines,
    );
    run(
        "pyre::Regex::is_match (auto)",
        |l| re.is_match(l).unwrap(),
        &lines,
    );
    run("gate (regex crate) is_match", |l| gate.is_match(l), &lines);
}
