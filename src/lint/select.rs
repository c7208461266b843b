//! Which rules apply: `--select`/`--ignore` on the command line, and per
//! file a `[f2b-lint]` section (`select = …`, `ignore = …`) or a comment
//! line `# f2b-lint: ignore=F2B104,F2B106`.

use super::finding::Finding;
use super::model::Context;
use super::registry::RULES;

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Codes or code prefixes (`F2B1`); empty means every rule.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

fn matches(code: &str, pattern: &str) -> bool {
    let p = pattern.trim();
    p.eq_ignore_ascii_case("ALL")
        || code
            .to_ascii_uppercase()
            .starts_with(&p.to_ascii_uppercase())
        || RULES
            .iter()
            .any(|r| r.info.code == code && r.info.name.eq_ignore_ascii_case(p))
}

/// Splits `F2B104, F2B106 F2B2` into its codes.
pub fn parse_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A pattern that names no rule, for a usage error.
pub fn unknown_pattern(patterns: &[String]) -> Option<String> {
    patterns
        .iter()
        .find(|p| !RULES.iter().any(|r| matches(r.info.code, p)))
        .cloned()
}

impl Selection {
    pub fn rule_enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| matches(code, p)))
            && !self.ignore.iter().any(|p| matches(code, p))
    }
}

/// The directives written in one file.
#[derive(Debug, Default)]
struct FileDirectives {
    select: Vec<String>,
    ignore: Vec<String>,
}

fn directives_in(text: &str) -> FileDirectives {
    let mut d = FileDirectives::default();
    let mut in_section = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = t == "[f2b-lint]";
            continue;
        }
        if let Some(rest) = t.strip_prefix('#').or_else(|| t.strip_prefix(';')) {
            let rest = rest.trim();
            if let Some(spec) = rest.strip_prefix("f2b-lint:") {
                for part in spec.split(';') {
                    let part = part.trim();
                    if let Some(v) = part.strip_prefix("ignore=") {
                        d.ignore.extend(parse_list(v));
                    } else if let Some(v) = part.strip_prefix("select=") {
                        d.select.extend(parse_list(v));
                    }
                }
            }
            continue;
        }
        if in_section && let Some((k, v)) = t.split_once('=') {
            match k.trim() {
                "ignore" => d.ignore.extend(parse_list(v)),
                "select" => d.select.extend(parse_list(v)),
                _ => {}
            }
        }
    }
    d
}

/// Drops findings that the file they point into switches off.
pub fn apply_directives(ctx: &Context, _cli: &Selection, findings: Vec<Finding>) -> Vec<Finding> {
    let mut cache: std::collections::HashMap<String, FileDirectives> = Default::default();
    findings
        .into_iter()
        .filter(|f| {
            let Some(path) = f.path(&ctx.sources) else {
                return true;
            };
            // The text as it was linted, not a second read of the file.
            let d = cache.entry(path.clone()).or_insert_with(|| {
                ctx.sources
                    .find(&path)
                    .map(|f| directives_in(&f.text))
                    .unwrap_or_default()
            });
            let sel = Selection {
                select: d.select.clone(),
                ignore: d.ignore.clone(),
            };
            sel.rule_enabled(f.code)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_names_and_all() {
        let s = Selection {
            select: vec!["F2B1".into()],
            ignore: vec!["regex-duplicate".into()],
        };
        assert!(s.rule_enabled("F2B105"));
        assert!(!s.rule_enabled("F2B104"));
        assert!(!s.rule_enabled("F2B201"));
        assert!(Selection::default().rule_enabled("F2B201"));
    }

    #[test]
    fn file_directives() {
        let d = directives_in(
            "# f2b-lint: ignore=F2B104, F2B106\n[Definition]\n[f2b-lint]\nselect = F2B1\n",
        );
        assert_eq!(d.ignore, vec!["F2B104", "F2B106"]);
        assert_eq!(d.select, vec!["F2B1"]);
    }
}
