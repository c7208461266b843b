//! Shared helpers for integration tests: locating the compat corpus and the
//! fail2ban oracle, building the configuration trees the differential tests
//! run on, and running both tools.
//!
//! Under `CI=true` a missing corpus or oracle fails the test; elsewhere the
//! test says loudly that it did not run and returns.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `../shared/compat` next to the checkout.
pub fn compat_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/compat");
    dir.is_dir()
        .then(|| dir.canonicalize().expect("canonical compat dir"))
}

pub fn oracle_available() -> bool {
    Command::new("fail2ban-client")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Returns the compat dir when the corpus and the oracle are both present.
/// Missing under CI: panic. Missing elsewhere: `None` with a loud note.
pub fn require_oracle_and_corpus(test: &str) -> Option<PathBuf> {
    let compat = compat_dir();
    let oracle = oracle_available();
    if compat.is_some() && oracle {
        return compat;
    }
    let what = match (compat.is_some(), oracle) {
        (false, false) => "../shared/compat and fail2ban-client",
        (false, true) => "../shared/compat",
        _ => "fail2ban-client (apt-get install fail2ban)",
    };
    if in_ci() {
        panic!("{test}: {what} missing under CI=true");
    }
    eprintln!("NOTE: {test} did not run: {what} missing (it fails under CI=true)");
    None
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let ty = entry.file_type().expect("file type");
        if ty.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if ty.is_symlink() {
            let dest = std::fs::read_link(entry.path()).expect("readlink");
            std::os::unix::fs::symlink(dest, &target).expect("symlink");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A configuration tree to compare the tools on.
pub struct Tree {
    pub name: String,
    pub dir: PathBuf,
    /// Keeps temporary trees alive.
    pub _tmp: Option<tempfile::TempDir>,
}

/// The DEFAULT keys of the paths files whose values are absolute paths:
/// these are the log locations `paths-overrides.local` may redirect.
fn path_variables(config: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for name in ["paths-common.conf", "paths-debian.conf"] {
        let Ok(text) = std::fs::read_to_string(config.join(name)) else {
            continue;
        };
        let mut in_default = false;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                in_default = t == "[DEFAULT]";
                continue;
            }
            if !in_default || line.starts_with([' ', '\t']) {
                continue;
            }
            if let Some((k, v)) = t.split_once('=') {
                let (k, v) = (k.trim(), v.trim());
                if v.starts_with('/') && !keys.iter().any(|x| x == k) {
                    keys.push(k.to_string());
                }
            }
        }
    }
    keys
}

/// Jail section names of a jail.conf (every `[name]` but DEFAULT/INCLUDES).
fn jail_names(config: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(config.join("jail.conf")).expect("jail.conf");
    text.lines()
        .filter_map(|l| {
            let t = l.trim_end();
            let name = t.strip_prefix('[')?.strip_suffix(']')?;
            (!matches!(name, "DEFAULT" | "INCLUDES") && !name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// A copy of a stock tree with every jail enabled and every path variable
/// pointing at an empty log file under the temp dir.
pub fn all_enabled_tree(label: &str, config: &Path) -> Tree {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("config");
    copy_dir(config, &dir);
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir logs");
    let mut overrides = String::from("[DEFAULT]\n");
    for key in path_variables(config) {
        let file = logs.join(format!("{key}.log"));
        std::fs::write(&file, "").expect("log file");
        overrides.push_str(&format!("{key} = {}\n", file.display()));
    }
    std::fs::write(dir.join("paths-overrides.local"), overrides).expect("overrides");
    let mut enable = String::new();
    for jail in jail_names(config) {
        enable.push_str(&format!("[{jail}]\nenabled = true\n\n"));
    }
    std::fs::create_dir_all(dir.join("jail.d")).expect("jail.d");
    std::fs::write(dir.join("jail.d/zz-f2b-enable-all.local"), enable).expect("enable");
    Tree {
        name: format!("{label}-all-enabled"),
        dir,
        _tmp: Some(tmp),
    }
}

/// A `tests-config` tree placed so that its relative include of
/// `config/filter.d/common.conf` resolves to the same version's stock file.
pub fn tests_config_tree(label: &str, version_dir: &Path) -> Tree {
    let src = version_dir.join("tests-config");
    let probe = std::fs::read_to_string(src.join("filter.d/zzz-generic-example.conf"))
        .expect("zzz-generic-example.conf");
    let ups = probe
        .lines()
        .find(|l| l.starts_with("before"))
        .map(|l| l.matches("../").count())
        .expect("before = ../…/config/filter.d/common.conf");
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&version_dir.join("config"), &tmp.path().join("config"));
    // filter.d/.. is the tree itself, so the tree sits ups-1 levels below tmp.
    let mut dir = tmp.path().to_path_buf();
    for i in 0..ups.saturating_sub(2) {
        dir = dir.join(format!("d{i}"));
    }
    let dir = dir.join("tests-config");
    copy_dir(&src, &dir);
    Tree {
        name: format!("{label}-tests-config"),
        dir,
        _tmp: Some(tmp),
    }
}

/// The founding setup layered over the 1.0.2 stock tree, with the given
/// distribution `jail.d/00-firewalld.conf` and the logs redirected.
pub fn seed_tree(label: &str, compat: &Path, banaction: &str, allports: &str) -> Tree {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("config");
    copy_dir(&compat.join("fail2ban-1.0.2/config"), &dir);
    let seed = compat.join("seed-blog");
    std::fs::copy(
        seed.join("jail.d/jail.local"),
        dir.join("jail.d/jail.local"),
    )
    .expect("seed jail");
    for f in ["asterisk-seed-old.conf", "asterisk-seed-new.conf"] {
        std::fs::copy(seed.join("filter.d").join(f), dir.join("filter.d").join(f))
            .expect("seed filter");
    }
    std::fs::write(
        dir.join("jail.d/00-firewalld.conf"),
        format!("[DEFAULT]\nbanaction = {banaction}\nbanaction_allports = {allports}\n"),
    )
    .expect("firewalld");
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    for f in ["messages", "fail2ban.log"] {
        std::fs::write(logs.join(f), "").expect("log");
    }
    std::fs::write(
        dir.join("jail.d/zz-logs.local"),
        format!(
            "[asterisk]\nlogpath = {}\n\n[recidive]\nlogpath = {}\n",
            logs.join("messages").display(),
            logs.join("fail2ban.log").display()
        ),
    )
    .expect("log overrides");
    Tree {
        name: label.to_string(),
        dir,
        _tmp: Some(tmp),
    }
}

/// Our own trees in compat-fixtures/: the founding setup and one tree per
/// kind of bad input.
pub fn fixture_trees() -> Vec<Tree> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures");
    let mut trees = vec![Tree {
        name: "fixture-founding-setup".into(),
        dir: root.join("founding-setup"),
        _tmp: None,
    }];
    let mut bad: Vec<_> = std::fs::read_dir(root.join("bad"))
        .expect("compat-fixtures/bad")
        .map(|e| e.expect("entry").path())
        .collect();
    bad.sort();
    for dir in bad {
        trees.push(Tree {
            name: format!("bad-{}", dir.file_name().expect("name").to_string_lossy()),
            dir,
            _tmp: None,
        });
    }
    trees
}

/// Every tree the differential tests cover.
pub fn all_trees(compat: &Path) -> Vec<Tree> {
    let mut trees = fixture_trees();
    for (label, v) in [
        ("1.0.2", "fail2ban-1.0.2"),
        ("upstream", "fail2ban-upstream"),
    ] {
        let vdir = compat.join(v);
        trees.push(Tree {
            name: format!("{label}-stock"),
            dir: vdir.join("config"),
            _tmp: None,
        });
        trees.push(all_enabled_tree(label, &vdir.join("config")));
        trees.push(tests_config_tree(label, &vdir));
    }
    trees.push(seed_tree(
        "seed-firewallcmd-ipset",
        compat,
        "firewallcmd-ipset",
        "firewallcmd-ipset",
    ));
    trees.push(seed_tree(
        "seed-firewallcmd-rich-rules",
        compat,
        "firewallcmd-rich-rules[actiontype=<multiport>]",
        "firewallcmd-rich-rules[actiontype=<allports>]",
    ));
    trees
}

pub fn f2b() -> Command {
    Command::new(env!("CARGO_BIN_EXE_f2b"))
}

pub fn run(mut cmd: Command) -> Output {
    cmd.output().expect("command runs")
}

/// stderr log lines without the timestamp and pid, for comparison.
pub fn normalize_log(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let pid =
        regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\S+\s*)\[\d+\]:").expect("re");
    text.lines()
        .map(|l| pid.replace(l, "$1[PID]:").into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A readable unified diff for assertion messages.
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header("fail2ban (oracle)", "f2b")
        .to_string()
}

/// Differences between the oracle's and f2b's runs: stdout byte for byte,
/// exit code, and stderr with timestamps and pids masked.
pub fn compare_outputs(label: &str, expected: &Output, actual: &Output) -> Vec<String> {
    let mut failures = Vec::new();
    if expected.stdout != actual.stdout {
        failures.push(format!(
            "{label}: stdout differs\n{}",
            diff(
                &String::from_utf8_lossy(&expected.stdout),
                &String::from_utf8_lossy(&actual.stdout)
            )
        ));
    }
    if expected.status.code() != actual.status.code() {
        failures.push(format!(
            "{label}: exit code {:?} (oracle) vs {:?} (f2b)",
            expected.status.code(),
            actual.status.code()
        ));
    }
    let (e, a) = (
        normalize_log(&expected.stderr),
        normalize_log(&actual.stderr),
    );
    if e != a {
        failures.push(format!("{label}: stderr differs\n{}", diff(&e, &a)));
    }
    failures
}

/// Runs `fail2ban-client ARGS` and `f2b F2B_PREFIX ARGS` and compares them.
pub fn oracle_diffs(label: &str, args: &[&str], f2b_prefix: &[&str]) -> Vec<String> {
    let expected = run({
        let mut c = Command::new("fail2ban-client");
        c.args(args);
        c
    });
    let actual = run({
        let mut c = f2b();
        c.args(f2b_prefix).args(args);
        c
    });
    compare_outputs(label, &expected, &actual)
}
