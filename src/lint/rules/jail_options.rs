//! What counts as a known jail option, and which names the configuration
//! uses as variables (`%(x)s`, `<x>`, `[Init]` keys): shared by F2B201 and
//! F2B202.

use crate::lint::model::{Context, FileKind};
use std::collections::HashSet;

/// Options the jail reader of 1.0.2 or upstream reads, plus the filter
/// options a jail may override.
pub fn known_options() -> HashSet<&'static str> {
    let mut set: HashSet<&'static str> = crate::config::jail::jail_specs()
        .iter()
        .map(|s| s.name)
        .collect();
    set.extend(["skip_if_nologs", "systemd_if_nologs", "__name__"]);
    set
}

/// Every name some value refers to, and every key of a filter's or
/// action's `[Init]`/`[Definition]` (jail values reach those files as
/// variables).
pub fn used_names(ctx: &Context) -> HashSet<String> {
    use std::sync::OnceLock;
    static INTERP: OnceLock<regex::Regex> = OnceLock::new();
    static TAG: OnceLock<regex::Regex> = OnceLock::new();
    let interp = INTERP.get_or_init(|| regex::Regex::new(r"%\(([^)]+)\)s").expect("static"));
    let tag = TAG.get_or_init(|| regex::Regex::new(r"<([^ <>]+)>").expect("static"));
    let mut used = HashSet::new();
    for v in ctx.all_values() {
        for c in interp.captures_iter(&v.text) {
            let name = &c[1];
            used.insert(name.rsplit('/').next().unwrap_or(name).to_string());
        }
        for c in tag.captures_iter(&v.text) {
            let name = &c[1];
            used.insert(name.rsplit('/').next().unwrap_or(name).to_string());
        }
    }
    for f in &ctx.files {
        if matches!(f.kind, FileKind::Filter | FileKind::Action) {
            for s in f.ini.sections.values() {
                used.extend(s.entries.keys().cloned());
            }
            used.extend(f.ini.defaults.keys().cloned());
        }
    }
    used
}

/// Levenshtein distance, for "did you mean".
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `maxretries` for `maxretry`: a long common prefix, differing only in
/// the last few characters.
fn same_stem(key: &str, known: &str) -> bool {
    let common = key
        .chars()
        .zip(known.chars())
        .take_while(|(a, b)| a == b)
        .count();
    common >= 6 && common + 3 >= key.len().max(known.len())
}

/// The known option an unknown key most likely means.
pub fn closest_known(key: &str) -> Option<&'static str> {
    if key.len() < 4 {
        return None;
    }
    known_options()
        .into_iter()
        .filter(|k| k.len() >= 4 && !k.starts_with('_'))
        .map(|k| (distance(key, k), k))
        .filter(|(d, k)| *d <= if k.len() >= 8 { 2 } else { 1 } || same_stem(key, k))
        .min()
        .map(|(_, k)| k)
}

/// Jail sections with their unknown keys: (file, section, key).
pub fn unknown_keys(ctx: &Context) -> Vec<(&crate::lint::model::RawFile, String, String)> {
    let known = known_options();
    let used = used_names(ctx);
    let mut out = Vec::new();
    for f in ctx.files.iter().filter(|f| f.kind == FileKind::Jail) {
        for (name, section) in &f.ini.sections {
            if name == "INCLUDES" || name == "f2b-lint" {
                continue;
            }
            for key in section.entries.keys() {
                if known.contains(key.as_str())
                    || used.contains(key)
                    || key.starts_with("known/")
                    || key.contains('?')
                {
                    continue;
                }
                out.push((f, name.clone(), key.clone()));
            }
        }
    }
    out
}
