//! `--format github`: workflow commands GitHub Actions shows as annotations.

use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::source::Sources;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some((file, line, col)) = f.position(sources) {
            props.push(format!("file={}", escape_property(&file)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            if let Some((el, ec)) = super::end_position(f, sources) {
                props.push(format!("endLine={el}"));
                props.push(format!("endColumn={ec}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", f.code, f.rule))
        ));
        let mut msg = f.message.clone();
        if let Some(e) = &f.exploit {
            msg.push_str(&format!(
                "\nexploit line: {}\nfail2ban bans: {}",
                e.line, e.host
            ));
        }
        if let Some(h) = &f.hint {
            msg.push_str(&format!("\n{h}"));
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&msg)
        ));
    }
    out
}
