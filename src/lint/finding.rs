//! One problem a rule found, as plain data with its source span.

use super::registry::RuleInfo;
use crate::diag::{Diagnostic, Severity};
use crate::source::{Loc, SString, Sources};
use std::ops::Range;

/// A text edit that fixes a finding: replace `len` bytes at `loc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub loc: Loc,
    pub len: usize,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What applying the fix does, for people.
    pub description: String,
    pub edits: Vec<Edit>,
}

/// A log line that proves an injection: fail2ban bans `host` for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exploit {
    pub line: String,
    pub host: String,
    /// The address the line's real sender would have been banned as.
    pub real_host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub loc: Option<Loc>,
    /// Bytes underlined at `loc`.
    pub len: usize,
    /// Shown under the underlined text.
    pub label: String,
    pub hint: Option<String>,
    /// The file the finding is about when no span is known.
    pub file: Option<String>,
    pub fix: Option<Fix>,
    pub exploit: Option<Exploit>,
}

impl Finding {
    pub fn new(info: &RuleInfo, message: impl Into<String>) -> Finding {
        Finding {
            code: info.code,
            rule: info.name,
            severity: info.severity,
            message: message.into(),
            loc: None,
            len: 0,
            label: "here".into(),
            hint: None,
            file: None,
            fix: None,
            exploit: None,
        }
    }

    /// Points at `range` of a located string (clipped to one source run).
    pub fn at(mut self, s: &SString, range: Range<usize>) -> Finding {
        let (loc, len) = span_of(s, range);
        self.loc = loc;
        self.len = len;
        self
    }

    pub fn at_loc(mut self, loc: Option<Loc>, len: usize) -> Finding {
        self.loc = loc;
        self.len = len;
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Finding {
        self.file = Some(path.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub fn exploit(mut self, exploit: Exploit) -> Finding {
        self.exploit = Some(exploit);
        self
    }

    /// (path, 1-based line, 1-based column) when known.
    pub fn position(&self, sources: &Sources) -> Option<(String, usize, usize)> {
        match self.loc {
            Some(loc) => {
                let (line, col) = sources.line_col(loc);
                Some((sources.get(loc.file).path.clone(), line, col))
            }
            None => self.file.clone().map(|f| (f, 1, 1)),
        }
    }

    /// The path of the file the finding is about.
    pub fn path(&self, sources: &Sources) -> Option<String> {
        self.position(sources).map(|p| p.0)
    }

    /// The finding as a diagnostic for the miette renderer.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut hint = self.hint.clone();
        if let Some(e) = &self.exploit {
            let proof = format!("exploit line: {}\nfail2ban bans: {}", e.line, e.host);
            hint = Some(match hint {
                Some(h) => format!("{h}\n{proof}"),
                None => proof,
            });
        }
        if let Some(f) = &self.fix {
            let fix = format!("fix available: {}", f.description);
            hint = Some(match hint {
                Some(h) => format!("{h}\n{fix}"),
                None => fix,
            });
        }
        Diagnostic {
            severity: self.severity,
            code: format!("{}({})", self.code, self.rule),
            message: self.message.clone(),
            loc: self.loc,
            len: self.len,
            label: self.label.clone(),
            hint,
        }
    }
}

/// The source span of `s[range]`: its start, and the length up to where the
/// text stops mapping linearly onto one file.
pub fn span_of(s: &SString, range: Range<usize>) -> (Option<Loc>, usize) {
    let Some(start) = s.loc_at(range.start.min(s.text.len())) else {
        return (s.first_loc(), 0);
    };
    let mut len = 0;
    for (i, c) in s.text[range.clone()].char_indices() {
        let here = s.loc_at(range.start + i);
        if here
            != Some(Loc {
                file: start.file,
                offset: start.offset + i,
            })
        {
            break;
        }
        len = i + c.len_utf8();
    }
    (Some(start), len)
}

/// Orders findings by file, position and code; drops exact duplicates (the
/// same filter read for several jails).
pub fn sort_and_dedup(findings: &mut Vec<Finding>, sources: &Sources) {
    let key = |f: &Finding| {
        let pos = f.position(sources).unwrap_or_default();
        (pos.0, pos.1, pos.2, f.code, f.message.clone())
    };
    findings.sort_by_cached_key(key);
    findings.dedup_by(|a, b| {
        a.code == b.code && a.message == b.message && a.position(sources) == b.position(sources)
    });
}
