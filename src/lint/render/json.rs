//! `--format json`: one array of findings (schema in docs/lint.md).

use crate::lint::finding::Finding;
use crate::source::{Loc, Sources};
use serde_json::{Value, json};

fn edit_json(loc: Loc, len: usize, replacement: &str, sources: &Sources) -> Value {
    let (line, column) = sources.line_col(loc);
    json!({
        "file": sources.get(loc.file).path,
        "line": line,
        "column": column,
        "offset": loc.offset,
        "length": len,
        "replacement": replacement,
    })
}

pub fn finding_json(f: &Finding, sources: &Sources) -> Value {
    let pos = f.position(sources);
    let end = super::end_position(f, sources);
    let mut v = json!({
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "file": pos.as_ref().map(|p| p.0.clone()),
        "line": pos.as_ref().map(|p| p.1),
        "column": pos.as_ref().map(|p| p.2),
        "end_line": end.map(|e| e.0),
        "end_column": end.map(|e| e.1),
        "message": f.message,
        "hint": f.hint,
    });
    if let Some(fix) = &f.fix {
        v["fix"] = json!({
            "description": fix.description,
            "edits": fix.edits.iter().map(|e| edit_json(e.loc, e.len, &e.replacement, sources)).collect::<Vec<_>>(),
        });
    }
    if let Some(e) = &f.exploit {
        v["exploit"] = json!({"line": e.line, "host": e.host, "real_host": e.real_host});
    }
    v
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let arr: Vec<Value> = findings.iter().map(|f| finding_json(f, sources)).collect();
    let mut s = serde_json::to_string_pretty(&Value::Array(arr)).expect("json");
    s.push('\n');
    s
}
