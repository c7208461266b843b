//! A reader for the INI dialect fail2ban uses: Python 3.11's
//! `configparser.ConfigParser(inline_comment_prefixes=";")` in strict mode,
//! with every key and value line keeping its byte span.
//!
//! Rules (see docs/decisions.md for why this is not rust-ini):
//! - `#` and `;` start full-line comments; only `;` starts an inline comment,
//!   and only at column 0 or after whitespace.
//! - A line indented deeper than the line that started the current key
//!   continues the value; blank lines inside a value are kept, comment lines
//!   are skipped; the joined value is right-stripped.
//! - Keys are lower-cased, section names are case-sensitive, `DEFAULT` is the
//!   defaults section; a duplicate section or key inside one file is fatal.

mod error;

pub use error::IniError;

use crate::Map;
use crate::source::{FileId, Loc, SString};

/// Python's `str.isspace()` (also what `\s` matches in a `str` regex).
pub fn py_isspace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\x0b'
            | '\x0c'
            | '\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// One `key = value` of a file.
#[derive(Debug, Clone)]
pub struct IniEntry {
    /// The key as written (before lower-casing).
    pub raw_key: String,
    pub key_loc: Loc,
    pub value: SString,
}

#[derive(Debug, Clone)]
pub struct IniSection {
    pub name: String,
    /// Location of the `[` of the header.
    pub header_loc: Loc,
    pub entries: Map<String, IniEntry>,
}

/// A parsed file: its `[DEFAULT]` entries and its other sections in order.
#[derive(Debug, Clone, Default)]
pub struct IniFile {
    pub defaults: Map<String, IniEntry>,
    pub sections: Map<String, IniSection>,
}

/// Splits text into lines the way Python's universal-newline reading does:
/// `\r\n`, `\r` and `\n` all end a line and arrive as `\n`.
/// Returns (byte offset of the line start, content without terminator, had terminator).
fn physical_lines(text: &str) -> Vec<(usize, &str, bool)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push((start, &text[start..i], true));
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push((start, &text[start..i], true));
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push((start, &text[start..], false));
    }
    lines
}

/// Where an inline `;` comment starts in a line, if any.
pub fn inline_comment_start(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = line[from..].find(';') {
        let idx = from + rel;
        if idx == 0 || line[..idx].chars().next_back().is_some_and(py_isspace) {
            return Some(idx);
        }
        from = idx + 1;
    }
    None
}

/// The byte range of `s.strip()` inside `s`.
fn strip_range(s: &str) -> (usize, usize) {
    let start = s.len() - s.trim_start_matches(py_isspace).len();
    let end = s.trim_end_matches(py_isspace).len();
    if end < start {
        (start, start)
    } else {
        (start, end)
    }
}

struct PendingValue {
    /// (text, byte offset of the text in the file) per collected line.
    lines: Vec<(String, Option<usize>)>,
}

/// Parses one file. `file` is the id the spans will refer to.
pub fn parse(text: &str, file: FileId) -> Result<IniFile, IniError> {
    let mut out = IniFile::default();
    // Keys collected so far, per (section, key), with their pending lines.
    let mut pending: Vec<(Option<String>, String, PendingValue)> = Vec::new();
    let mut current_section: Option<Option<String>> = None; // Some(None) = DEFAULT
    let mut current_key: Option<usize> = None; // index into `pending`
    let mut indent_level: usize = 0;
    let mut errors: Vec<(usize, String, Loc)> = Vec::new();
    let mut added_sections: std::collections::HashSet<String> = Default::default();
    let mut added_options: std::collections::HashSet<(String, String)> = Default::default();

    for (idx, (line_start, content, had_nl)) in physical_lines(text).into_iter().enumerate() {
        let lineno = idx + 1;
        let full_line = if had_nl {
            format!("{content}\n")
        } else {
            content.to_string()
        };
        let mut comment_start = inline_comment_start(content);
        if py_strip(content).starts_with('#') || py_strip(content).starts_with(';') {
            comment_start = Some(0);
        }
        let uncommented = &content[..comment_start.unwrap_or(content.len())];
        let (vs, ve) = strip_range(uncommented);
        let value = &uncommented[vs..ve];
        let value_offset = line_start + vs;
        if value.is_empty() {
            if comment_start.is_none() {
                if let Some(k) = current_key {
                    pending[k].2.lines.push((String::new(), None));
                }
            }
            continue;
        }
        let cur_indent = content.chars().take_while(|c| py_isspace(*c)).count();
        if let (Some(_), Some(k)) = (&current_section, current_key)
            && cur_indent > indent_level
        {
            pending[k]
                .2
                .lines
                .push((value.to_string(), Some(value_offset)));
            continue;
        }
        indent_level = cur_indent;
        if let Some(header) = section_header(value) {
            let name = header.to_string();
            if name == "DEFAULT" {
                current_section = Some(None);
            } else {
                if added_sections.contains(&name) {
                    return Err(IniError::DuplicateSection {
                        section: name,
                        lineno,
                        loc: Loc {
                            file,
                            offset: value_offset,
                        },
                    });
                }
                added_sections.insert(name.clone());
                out.sections.insert(
                    name.clone(),
                    IniSection {
                        name: name.clone(),
                        header_loc: Loc {
                            file,
                            offset: value_offset,
                        },
                        entries: Map::default(),
                    },
                );
                current_section = Some(Some(name));
            }
            current_key = None;
            continue;
        }
        let Some(section) = current_section.clone() else {
            return Err(IniError::MissingSectionHeader {
                lineno,
                line: full_line,
                loc: Loc {
                    file,
                    offset: line_start,
                },
            });
        };
        match split_option(value) {
            Some((raw_key, val_start)) => {
                if raw_key.is_empty() {
                    errors.push((
                        lineno,
                        full_line.clone(),
                        Loc {
                            file,
                            offset: line_start,
                        },
                    ));
                }
                let key = crate::pyfmt::chars::py_lower(raw_key);
                let section_name = section.clone().unwrap_or_else(|| "DEFAULT".to_string());
                if added_options.contains(&(section_name.clone(), key.clone())) {
                    return Err(IniError::DuplicateOption {
                        section: section_name,
                        option: key,
                        lineno,
                        loc: Loc {
                            file,
                            offset: value_offset,
                        },
                    });
                }
                added_options.insert((section_name, key.clone()));
                let rest = &value[val_start..];
                let (rs, re) = strip_range(rest);
                let val_text = &rest[rs..re];
                let entry = IniEntry {
                    raw_key: raw_key.to_string(),
                    key_loc: Loc {
                        file,
                        offset: value_offset,
                    },
                    value: SString::default(),
                };
                let target = match &section {
                    None => &mut out.defaults,
                    Some(name) => &mut out.sections[name].entries,
                };
                target.insert(key.clone(), entry);
                pending.push((
                    section,
                    key,
                    PendingValue {
                        lines: vec![(val_text.to_string(), Some(value_offset + val_start + rs))],
                    },
                ));
                // An empty key (already an error) cannot take continuation lines.
                current_key = (!raw_key.is_empty()).then(|| pending.len() - 1);
            }
            None => errors.push((
                lineno,
                full_line,
                Loc {
                    file,
                    offset: line_start,
                },
            )),
        }
    }

    // Join multi-line values: "\n".join(lines).rstrip()
    for (section, key, value) in pending {
        let mut joined = SString::default();
        for (i, (line, offset)) in value.lines.iter().enumerate() {
            if i > 0 {
                joined.push_located("\n", None);
            }
            joined.push_located(line, offset.map(|o| Loc { file, offset: o }));
        }
        let keep = joined.text.trim_end_matches(py_isspace).len();
        let joined = joined.slice(0..keep);
        let target = match &section {
            None => &mut out.defaults,
            Some(name) => &mut out.sections[name].entries,
        };
        // A later duplicate would have errored, so the key is unique.
        if let Some(entry) = target.get_mut(&key) {
            entry.value = joined;
        }
    }
    if !errors.is_empty() {
        return Err(IniError::Parsing { errors });
    }
    Ok(out)
}

/// `\[(?P<header>.+)\]` matched at the start of the stripped line (greedy).
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    if close == 0 {
        return None;
    }
    Some(&rest[..close])
}

/// `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`: returns the key
/// (right-stripped) and the byte offset where the value text begins.
fn split_option(value: &str) -> Option<(&str, usize)> {
    let delim = value.find(['=', ':'])?;
    let key = value[..delim].trim_end_matches(py_isspace);
    Some((key, delim + 1))
}

#[cfg(test)]
mod tests;
