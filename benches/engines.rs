//! The two per-line engines of `f2b regex` against their Python peers,
//! measured in the same run (`cargo bench --bench engines`):
//!
//! - the prefregex of our founding setup's asterisk filter
//!   (compat-fixtures/founding-setup, tags expanded; `pyre` search with
//!   captures) against Python's `re` on the same lines;
//! - the date detector (template choice, cut and conversion) against
//!   fail2ban 1.0.2's `DateDetector` (`matchTime` + `getTime`).
//!
//! Lines: compat-fixtures/regex/asterisk-messages.log, repeated. Prints
//! lines/s for both and the ratio. Python needs /usr/bin/python3 and
//! fail2ban installed; without them only f2b's figures are printed.

use std::process::Command;
use std::time::Instant;

const REPEAT: usize = 200;

fn python(script: &str, args: &[&str]) -> Option<f64> {
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("python: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn report(what: &str, n: usize, ours: f64, peer: Option<f64>, peer_name: &str) {
    println!("{what}: f2b {:.0} lines/s", n as f64 / ours);
    match peer {
        Some(p) => println!(
            "{what}: {peer_name} {:.0} lines/s; speed f2b / {peer_name} = {:.2}",
            n as f64 / p,
            p / ours
        ),
        None => println!("{what}: {peer_name} not measured"),
    }
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let log = format!("{root}/compat-fixtures/regex/asterisk-messages.log");
    let text = std::fs::read_to_string(&log).expect("fixture log");
    let base: Vec<&str> = text.lines().collect();
    let lines: Vec<&str> = (0..REPEAT).flat_map(|_| base.iter().copied()).collect();
    let n = lines.len();

    // Prefregex, on the line with its date cut ("[] ..."), as fail2ban searches it.
    let env =
        f2b::samples::SampleEnv::new(f2b::filter::Flavor::V1_0_2, std::path::Path::new("/tmp"));
    let setup = std::path::Path::new(root).join("compat-fixtures/founding-setup");
    let loaded = f2b::samples::load_filter("asterisk", &setup, &Default::default(), &env)
        .expect("founding-setup asterisk filter");
    let pref = loaded
        .filter
        .pref
        .as_ref()
        .expect("prefregex")
        .expanded
        .clone();
    let re = f2b::pyre::compile(&pref, f2b::pyre::Flags::default()).expect("prefregex");
    let cut: Vec<String> = lines
        .iter()
        .map(|l| format!("[]{}\n", l.split_once(']').map_or(*l, |x| x.1)))
        .collect();
    let t = Instant::now();
    let mut hits = 0usize;
    for l in &cut {
        hits += re.search(l).expect("no budget issue").is_some() as usize;
    }
    let ours = t.elapsed().as_secs_f64();
    let py = python(
        &format!(
            "import re,sys,time\nr=re.compile(sys.argv[2])\nls=['[]'+(l.split(']',1)[1] if ']' in l else l)+'\\n' for l in open(sys.argv[1]).read().splitlines()]*{REPEAT}\nt=time.perf_counter()\nfor l in ls: r.search(l)\nprint(time.perf_counter()-t)"
        ),
        &[&log, &pref],
    );
    report(
        &format!("prefregex ({hits} matching)"),
        n,
        ours,
        py,
        "python re",
    );

    // Date detector.
    let mut dd = f2b::date::DateDetector::new_default(f2b::date::DateOptions::system());
    let t = Instant::now();
    let mut found = 0usize;
    for l in &lines {
        found += dd.detect(l).is_some_and(|m| m.time.is_some()) as usize;
    }
    let ours = t.elapsed().as_secs_f64();
    let py = python(
        &format!(
            "import sys,time\nsys.path.insert(0,'/usr/lib/python3/dist-packages')\nfrom fail2ban.server.datedetector import DateDetector\nls=open(sys.argv[1]).read().splitlines()*{REPEAT}\nd=DateDetector()\nt=time.perf_counter()\nfor l in ls:\n m=d.matchTime(l)\n d.getTime(l, m)\nprint(time.perf_counter()-t)"
        ),
        &[&log],
    );
    report(
        &format!("date detector ({found} dated)"),
        n,
        ours,
        py,
        "fail2ban DateDetector",
    );
}
