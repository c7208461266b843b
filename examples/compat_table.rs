//! Prints `docs/compat.md`: every filter of both corpus versions run
//! against its sample log (see `f2b::samples`). Run through
//! `scripts/gen-compat-md`; the output is never edited by hand.
//!
//! Usage: `cargo run --release --example compat_table -- [COMPAT_DIR]`
//! (default `../shared/compat`).

use f2b::filter::Flavor;
use f2b::samples::table::{VersionRun, render, run_version, tests_config_tree};
use std::path::PathBuf;

fn main() {
    let compat = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/compat"));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let scratch = std::env::temp_dir().join(format!("f2b-compat-table-{}", std::process::id()));
    let mut results = Vec::new();
    for (folder, flavor) in [
        ("fail2ban-1.0.2", Flavor::V1_0_2),
        ("fail2ban-upstream", Flavor::Upstream),
    ] {
        let vdir = compat.join(folder);
        let tc = tests_config_tree(&vdir, &scratch.join(folder)).unwrap_or_else(|e| {
            eprintln!("compat_table: {}: {e}", vdir.display());
            std::process::exit(2);
        });
        results.push((folder, flavor, run_version(&vdir, &tc, flavor, threads)));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let runs: Vec<VersionRun<'_>> = results
        .iter()
        .map(|(folder, flavor, outcomes)| VersionRun {
            folder,
            flavor: *flavor,
            outcomes,
        })
        .collect();
    print!("{}", render(&runs));
}
