//! `f2b lint --fix`: applies the edits of fixable findings to the files.

use super::finding::{Edit, Finding};
use super::registry::{FixKind, find};
use crate::source::Sources;
use std::collections::BTreeMap;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct FixReport {
    /// Indexes (into the findings) of the findings fixed.
    pub fixed: Vec<usize>,
    pub files: Vec<String>,
    /// Files left alone, with the reason.
    pub skipped: Vec<(String, String)>,
}

fn applicable(f: &Finding, suggested: bool) -> bool {
    let kind = find(f.code).map_or(FixKind::None, |r| r.info.fix);
    f.fix.is_some() && (kind == FixKind::Safe || (suggested && kind == FixKind::Suggested))
}

/// Applies every applicable fix whose edits do not overlap an edit already
/// taken; a file that changed since it was read is left alone.
pub fn apply(findings: &[Finding], sources: &Sources, suggested: bool) -> FixReport {
    let mut report = FixReport::default();
    // path → (file id, [(finding index, edits)])
    let mut by_file: BTreeMap<String, Vec<(usize, Vec<&Edit>)>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if !applicable(f, suggested) {
            continue;
        }
        let fix = f.fix.as_ref().expect("applicable");
        let Some(first) = fix.edits.first() else {
            continue;
        };
        let path = sources.get(first.loc.file).path.clone();
        if fix
            .edits
            .iter()
            .any(|e| sources.get(e.loc.file).path != path)
        {
            continue; // one file per fix keeps the write atomic per file
        }
        by_file
            .entry(path)
            .or_default()
            .push((i, fix.edits.iter().collect()));
    }
    for (path, fixes) in by_file {
        let file_id = fixes[0].1[0].loc.file;
        let read = sources.get(file_id).text.to_string();
        match std::fs::read_to_string(&path) {
            Ok(now) if now == read => {}
            Ok(_) => {
                report
                    .skipped
                    .push((path, "changed since it was read".into()));
                continue;
            }
            Err(e) => {
                report.skipped.push((path, e.to_string()));
                continue;
            }
        }
        let mut taken: Vec<(usize, usize, &str)> = Vec::new();
        let mut fixed_here = Vec::new();
        for (i, edits) in &fixes {
            let ranges: Vec<(usize, usize, &str)> = edits
                .iter()
                .map(|e| (e.loc.offset, e.loc.offset + e.len, e.replacement.as_str()))
                .collect();
            let overlaps = ranges
                .iter()
                .any(|(s, e, _)| taken.iter().any(|(ts, te, _)| s < te && ts < e));
            if overlaps || ranges.iter().any(|(_, e, _)| *e > read.len()) {
                continue;
            }
            taken.extend(ranges);
            fixed_here.push(*i);
        }
        taken.sort_by_key(|t| std::cmp::Reverse(t.0));
        let mut text = read.clone();
        for (s, e, r) in &taken {
            text.replace_range(*s..*e, r);
        }
        if let Err(e) = std::fs::write(&path, text) {
            report.skipped.push((path, e.to_string()));
            continue;
        }
        report.fixed.extend(fixed_here);
        report.files.push(path);
    }
    report
}
