//! The server's per-line matcher (`Filter::process_line`) behind the date
//! detector, with the stock asterisk and sshd filters.
//!
//! Input layout: `FLAGS LINES…`. The first byte chooses the set-up:
//! bit 0 = filter (asterisk / sshd), bits 1-3 = `maxlines` (1..=8, so the
//! multi-line buffer and failure ids are exercised), bit 4 = `check_all`,
//! bit 5 = `ignore_pending`, bit 6 = `usedns` (`no` / `raw`; never `yes`/
//! `warn`, which would call the system resolver), bit 7 = add two
//! ignoreregexes. The rest is split into lines at `\n` (a trailing `\r` is
//! kept, as fail2ban-regex keeps it) and decoded as lossy UTF-8; each line
//! goes through `DateDetector::detect` then `Filter::process_line`.
//! Nothing may panic; a failed search (backtracking budget) is a normal
//! outcome.
//!
//! Compiling the filter and the date detector costs far more than matching
//! (about 8 inputs/s under coverage instrumentation), so with
//! `F2B_FUZZ_REUSE=1` in the environment the compiled `Filter` and
//! `DateDetector` are kept per flag byte and reused by later inputs: much
//! faster, but the line buffer, last date, failure-id cache and detector
//! order then carry over from earlier inputs (as they do over a long log).
//! Without it (the default, and how to reproduce a crash) every input gets
//! fresh ones.
//!
//! The filters are read at start-up from fail2ban 1.0.2's stock tree in the
//! compatibility corpus (`$F2B_COMPAT`, default `../../shared/compat` from
//! this crate), never copied here (fail2ban's files are GPL test data).
#![no_main]

use f2b::date::{DateDetector, DateOptions};
use f2b::filter::{DateFound, Filter, FilterOptions};
use libfuzzer_sys::fuzz_target;
use f2b::filter::Flavor;
use f2b::samples::{SampleEnv, load_filter};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// (prefregex, failregexes) of a stock filter, as configured (tags unexpanded).
fn stock(name: &str) -> (Option<String>, Vec<String>) {
    static CACHE: OnceLock<Mutex<HashMap<String, (Option<String>, Vec<String>)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(name) {
        return v.clone();
    }
    let compat = std::env::var("F2B_COMPAT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/compat").into());
    let config = Path::new(&compat).join("fail2ban-1.0.2/config");
    let env = SampleEnv::new(Flavor::V1_0_2, Path::new("/tmp"));
    let lf = load_filter(name, &config, &Default::default(), &env)
        .unwrap_or_else(|e| panic!("stock filter {name} under {}: {e}", config.display()));
    let v = (
        lf.filter.pref.as_ref().map(|p| p.original.clone()),
        lf.filter.fail.iter().map(|r| r.original.clone()).collect(),
    );
    cache.lock().unwrap().insert(name.to_string(), v.clone());
    v
}

const IGNOREREGEX: &[&str] = &[r#"from 192\.168\.1\.\d+"#, r#"^Accepted \S+ for \S+ from <HOST>"#];

/// A fixed "now" (2018-10-13 21:20:00 UTC, inside the generated logs'
/// range) so that a crash reproduces whatever the wall clock says.
const NOW: f64 = 1_539_465_600.0;


fn build(flags: u8) -> (Filter, DateDetector) {
    let sshd = flags & 1 != 0;
    let opts = FilterOptions {
        use_dns: if flags & 0x40 != 0 { "raw" } else { "no" }.into(),
        maxlines: 1 + ((flags >> 1) & 7) as usize,
        check_all: flags & 0x10 != 0,
        ignore_pending: flags & 0x20 != 0,
        ..FilterOptions::default()
    };
    let mut filter = Filter::new(opts);
    let (pref, fails) = stock(if sshd { "sshd" } else { "asterisk" });
    if let Some(p) = pref {
        filter.set_prefregex(&p).expect("stock prefregex compiles");
    }
    for f in &fails {
        filter.add_failregex(f).expect("stock failregex compiles");
    }
    if flags & 0x80 != 0 {
        for i in IGNOREREGEX {
            filter.add_ignoreregex(i).expect("ignoreregex compiles");
        }
    }
    let mut dopts = DateOptions::system();
    dopts.now = NOW;
    dopts.year = 2018;
    dopts.wall_clock = Some(NOW);
    (filter, DateDetector::new_default(dopts))
}

thread_local! {
    static REUSE: bool = std::env::var_os("F2B_FUZZ_REUSE").is_some_and(|v| v == "1");
    static CACHE: RefCell<HashMap<u8, (Filter, DateDetector)>> = RefCell::new(HashMap::new());
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if REUSE.with(|r| *r) {
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            // Bound memory: at most 32 compiled set-ups at a time.
            if c.len() >= 32 && !c.contains_key(&flags) {
                c.clear();
            }
            let (filter, det) = c.entry(flags).or_insert_with(|| build(flags));
            feed(filter, det, rest);
            filter.budget_warnings.clear();
        });
    } else {
        let (mut filter, mut det) = build(flags);
        feed(&mut filter, &mut det, rest);
    }
});

fn feed(filter: &mut Filter, det: &mut DateDetector, rest: &[u8]) {
    for raw in rest.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(raw);
        let date = DateFound::from_date_match(det.detect(&line));
        let res = filter.process_line(&line, date, NOW);
        // Touch what fail2ban-regex reads from the result.
        for f in &res.failures {
            let _ = f.is_nofail();
            let _ = f.fid.as_ref().map(|ip| ip.ntoa());
        }
    }
}
