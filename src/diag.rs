//! Diagnostics as plain data (severity, code, message, span, hint),
//! rendered with miette for humans or as JSON for scripts.

use crate::config::error::ConfigError;
use crate::source::{Loc, Sources};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier of the kind of problem (`config::interpolation`).
    pub code: String,
    pub message: String,
    pub loc: Option<Loc>,
    /// Bytes underlined at `loc` (0 = a point).
    pub len: usize,
    pub label: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: message.into(),
            loc: None,
            len: 0,
            label: "here".into(),
            hint: None,
        }
    }

    pub fn from_config_error(severity: Severity, code: &str, e: &ConfigError) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: e.message.clone(),
            loc: e.loc,
            len: e.len,
            label: "here".into(),
            hint: e.hint.clone(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// File path, 1-based line and column, if the location is known.
    pub fn position(&self, sources: &Sources) -> Option<(String, usize, usize)> {
        let loc = self.loc?;
        let (line, col) = sources.line_col(loc);
        Some((sources.get(loc.file).path.clone(), line, col))
    }

    /// Human rendering: the message, `file:line:col`, the underlined text and
    /// the hint.
    pub fn render(&self, sources: &Sources) -> String {
        let mut d = MietteDiagnostic::new(self.message.clone())
            .with_code(self.code.clone())
            .with_severity(match self.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            });
        if let Some(h) = &self.hint {
            d = d.with_help(h.clone());
        }
        let mut out = String::new();
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        match self.loc {
            Some(loc) => {
                let file = sources.get(loc.file);
                let text = file.text.to_string();
                let len = self.len.min(text.len().saturating_sub(loc.offset));
                d = d.with_label(LabeledSpan::at(
                    loc.offset..loc.offset + len,
                    self.label.clone(),
                ));
                let report = miette::Report::new(d)
                    .with_source_code(NamedSource::new(file.path.clone(), text));
                let _ = handler.render_report(&mut out, report.as_ref());
            }
            None => {
                let _ = handler.render_report(&mut out, &d);
            }
        }
        out
    }

    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let pos = self.position(sources);
        json!({
            "severity": self.severity.as_str(),
            "code": self.code,
            "message": self.message,
            "file": pos.as_ref().map(|p| p.0.clone()),
            "line": pos.as_ref().map(|p| p.1),
            "column": pos.as_ref().map(|p| p.2),
            "hint": self.hint,
        })
    }
}
