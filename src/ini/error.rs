//! Errors of the INI reader, with Python's exact messages.

use crate::pyfmt::str_repr;
use crate::source::Loc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IniError {
    /// A key line before any section header.
    MissingSectionHeader {
        lineno: usize,
        line: String,
        loc: Loc,
    },
    /// The same section header twice in one file.
    DuplicateSection {
        section: String,
        lineno: usize,
        loc: Loc,
    },
    /// The same key twice in one section of one file.
    DuplicateOption {
        section: String,
        option: String,
        lineno: usize,
        loc: Loc,
    },
    /// Lines that are neither comments, headers, keys nor continuations.
    Parsing { errors: Vec<(usize, String, Loc)> },
}

impl IniError {
    /// `str(exc)` of the matching `configparser` exception for file `path`.
    pub fn python_message(&self, path: &str) -> String {
        match self {
            IniError::MissingSectionHeader { lineno, line, .. } => format!(
                "File contains no section headers.\nfile: {}, line: {}\n{}",
                str_repr(path),
                lineno,
                str_repr(line)
            ),
            IniError::DuplicateSection {
                section, lineno, ..
            } => format!(
                "While reading from {} [line {:2}]: section {} already exists",
                str_repr(path),
                lineno,
                str_repr(section)
            ),
            IniError::DuplicateOption {
                section,
                option,
                lineno,
                ..
            } => format!(
                "While reading from {} [line {:2}]: option {} in section {} already exists",
                str_repr(path),
                lineno,
                str_repr(option),
                str_repr(section)
            ),
            IniError::Parsing { errors } => {
                let mut msg = format!("Source contains parsing errors: {}", str_repr(path));
                for (lineno, line, _) in errors {
                    msg.push_str(&format!("\n\t[line {:2}]: {}", lineno, str_repr(line)));
                }
                msg
            }
        }
    }

    /// Where the problem is.
    pub fn loc(&self) -> Loc {
        match self {
            IniError::MissingSectionHeader { loc, .. }
            | IniError::DuplicateSection { loc, .. }
            | IniError::DuplicateOption { loc, .. } => *loc,
            IniError::Parsing { errors } => errors[0].2,
        }
    }
}
