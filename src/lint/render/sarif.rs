//! `--format sarif`: a SARIF 2.1.0 log with one run, every registered rule
//! as a reporting descriptor, and one result per finding.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::registry::RULES;
use crate::source::Sources;
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// An artifact URI: relative paths stay relative (to the repository root
/// code scanning uses), absolute ones become `file://` URIs.
fn uri(path: &str) -> String {
    let encoded: String = path
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            c => c.to_string(),
        })
        .collect();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.trim_start_matches("./").to_string()
    }
}

fn rule_descriptor(r: &crate::lint::registry::Rule) -> Value {
    let i = &r.info;
    json!({
        "id": i.code,
        "name": i.name,
        "shortDescription": {"text": i.summary},
        "fullDescription": {"text": i.what.trim()},
        "help": {"text": i.why.trim(), "markdown": crate::lint::registry::markdown(i)},
        "defaultConfiguration": {"level": level(i.severity)},
    })
}

fn result(f: &Finding, sources: &Sources) -> Value {
    let rule_index = RULES.iter().position(|r| r.info.code == f.code);
    let mut text = f.message.clone();
    if let Some(e) = &f.exploit {
        text.push_str(&format!(
            " Exploit line: {} (fail2ban bans {}).",
            e.line, e.host
        ));
    }
    let mut v = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": {"text": text},
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if let Some((file, line, col)) = f.position(sources) {
        let mut region = json!({"startLine": line, "startColumn": col});
        if let Some((el, ec)) = super::end_position(f, sources)
            && f.len > 0
        {
            region["endLine"] = json!(el);
            region["endColumn"] = json!(ec);
        }
        v["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&file)},
                "region": region,
            }
        }]);
    }
    if let Some(fix) = &f.fix {
        let changes: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let (l, c) = sources.line_col(e.loc);
                let end = crate::source::Loc {
                    file: e.loc.file,
                    offset: e.loc.offset + e.len,
                };
                let (el, ec) = sources.line_col(end);
                json!({
                    "artifactLocation": {"uri": uri(&sources.get(e.loc.file).path)},
                    "replacements": [{
                        "deletedRegion": {"startLine": l, "startColumn": c, "endLine": el, "endColumn": ec},
                        "insertedContent": {"text": e.replacement},
                    }],
                })
            })
            .collect();
        v["fixes"] = json!([{
            "description": {"text": fix.description},
            "artifactChanges": changes,
        }]);
    }
    if let Some(e) = &f.exploit {
        v["properties"] = json!({"exploit": {"line": e.line, "host": e.host}});
    }
    v
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "f2b",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": findings.iter().map(|f| result(f, sources)).collect::<Vec<_>>(),
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("json");
    s.push('\n');
    s
}
