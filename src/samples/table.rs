//! Running a whole version of the corpus (every stock filter plus the
//! `zzz-*` test filters) and the compatibility table of `docs/compat.md`.

use super::{FilterOutcome, SampleEnv, run_filter};
use crate::filter::Flavor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The filters fail2ban's sample test covers, as (name, basedir): every
/// `config/filter.d/*.conf` except `*common.conf`, then the
/// `tests-config/filter.d/zzz-*.conf` (read from `tests_config`, a copy
/// where their relative include of `common.conf` resolves).
pub fn corpus_filters(version_dir: &Path, tests_config: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (dir, stock) in [
        (version_dir.join("config"), true),
        (tests_config.to_path_buf(), false),
    ] {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("filter.d"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.retain(|n| {
            n.ends_with(".conf")
                && !n.starts_with('.')
                && if stock {
                    !n.ends_with("common.conf")
                } else {
                    n.starts_with("zzz-")
                }
        });
        names.sort();
        for n in names {
            out.push((n.trim_end_matches(".conf").to_string(), dir.clone()));
        }
    }
    out
}

/// Runs every corpus filter of a version on `threads` threads; the
/// outcomes come back in [`corpus_filters`] order.
pub fn run_version(
    version_dir: &Path,
    tests_config: &Path,
    flavor: Flavor,
    threads: usize,
) -> Vec<FilterOutcome> {
    let filters = corpus_filters(version_dir, tests_config);
    let env = SampleEnv::new(flavor, &version_dir.join("tests-files/logs"));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FilterOutcome>>> = Mutex::new(vec![None; filters.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((name, basedir)) = filters.get(i) else {
                        break;
                    };
                    let outcome = run_filter(name, basedir, &env);
                    results.lock().expect("results")[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("results")
        .into_iter()
        .map(|o| o.expect("every filter ran"))
        .collect()
}

/// A copy of `version_dir/tests-config` under `scratch` placed so that the
/// `zzz-*` filters' relative include of `config/filter.d/common.conf`
/// resolves to the same version's stock file. Returns the tree's path.
pub fn tests_config_tree(version_dir: &Path, scratch: &Path) -> std::io::Result<PathBuf> {
    let src = version_dir.join("tests-config");
    let probe = std::fs::read_to_string(src.join("filter.d/zzz-generic-example.conf"))?;
    let ups = probe
        .lines()
        .find(|l| l.starts_with("before"))
        .map(|l| l.matches("../").count())
        .unwrap_or(2);
    copy_dir(&version_dir.join("config"), &scratch.join("config"))?;
    let mut dir = scratch.to_path_buf();
    for i in 0..ups.saturating_sub(2) {
        dir = dir.join(format!("d{i}"));
    }
    let dir = dir.join("tests-config");
    copy_dir(&src, &dir)?;
    Ok(dir)
}

/// Copies a directory tree (files and subdirectories).
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// One version's outcomes for the table.
pub struct VersionRun<'a> {
    /// The corpus folder, e.g. `fail2ban-1.0.2`.
    pub folder: &'a str,
    pub flavor: Flavor,
    pub outcomes: &'a [FilterOutcome],
}

fn status(o: &FilterOutcome) -> String {
    if let Some(e) = &o.error {
        let first = e.lines().next().unwrap_or("");
        return format!("error: {}", first.replace('|', "\\|"));
    }
    let mut parts = Vec::new();
    if !o.failures.is_empty() {
        parts.push(format!("{} failing lines", o.failures.len()));
    }
    if !o.uncovered.is_empty() {
        parts.push(format!("{} regexes without samples", o.uncovered.len()));
    }
    if !o.greedy.is_empty() {
        parts.push(format!("{} greedy regexes", o.greedy.len()));
    }
    if parts.is_empty() {
        "ok".into()
    } else {
        parts.join(", ")
    }
}

fn option_sets(o: &FilterOutcome) -> String {
    let sets: Vec<String> = o
        .variants
        .iter()
        .map(|(key, _)| {
            let label = key.strip_prefix(o.name.as_str()).unwrap_or(key);
            if label.is_empty() {
                "(stock)".to_string()
            } else {
                label.to_string()
            }
        })
        .collect();
    if sets.is_empty() {
        return "–".into();
    }
    format!("`{}`", sets.join("`, `").replace('|', "\\|"))
}

/// Totals of a version: (filters ok, filters, lines passed, lines checked,
/// regexes covered, regexes).
pub fn totals(outcomes: &[FilterOutcome]) -> [usize; 6] {
    let mut t = [0; 6];
    for o in outcomes {
        t[0] += usize::from(o.ok());
        t[1] += 1;
        t[2] += o.passed;
        t[3] += o.checked;
        t[4] += o.regexes_covered;
        t[5] += o.regexes_total;
    }
    t
}

/// The whole `docs/compat.md`.
pub fn render(runs: &[VersionRun<'_>]) -> String {
    let mut s = String::new();
    s.push_str("<!-- Generated by scripts/gen-compat-md (cargo run --release --example compat_table). Do not edit by hand. -->\n\n");
    s.push_str("# Filter compatibility: fail2ban's sample logs\n\n");
    s.push_str(
        "Generated by `scripts/gen-compat-md` (which runs `cargo run --release --example \
         compat_table -- ../shared/compat`); never edited by hand. `tests/sample_logs.rs` \
         fails when this file is out of date.\n\n",
    );
    s.push_str(
        "Each filter runs against its annotated sample log with the rules of fail2ban's own \
         sample test (`samplestestcase.py`): every option set of `filterOptions`, every \
         annotated line, time zone `CET-01CEST-02,M3.5.0,M10.5.0`, now = 1124013600. A line \
         passes when it gives exactly the expected failure (or none); a failregex is covered \
         when some sample hits it (in its option set, or the same regex text in another).\n\n",
    );
    s.push_str("## Totals\n\n| version | filters ok | lines passed | failregexes covered |\n| --- | --- | --- | --- |\n");
    for r in runs {
        let t = totals(r.outcomes);
        s.push_str(&format!(
            "| `{}` ({:?}) | {}/{} | {}/{} | {}/{} |\n",
            r.folder, r.flavor, t[0], t[1], t[2], t[3], t[4], t[5]
        ));
    }
    for r in runs {
        s.push_str(&format!("\n## `{}`\n\n", r.folder));
        s.push_str(
            "| filter | option sets | lines checked | passed | failregexes covered | status |\n",
        );
        s.push_str("| --- | --- | ---: | ---: | ---: | --- |\n");
        for o in r.outcomes {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {}/{} | {} |\n",
                o.name,
                option_sets(o),
                o.checked,
                o.passed,
                o.regexes_covered,
                o.regexes_total,
                status(o)
            ));
        }
    }
    s
}
