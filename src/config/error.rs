//! Errors of configuration reading, carrying fail2ban's message text and,
//! where known, the source location of the offending text.

use crate::source::Loc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The message exactly as fail2ban words it.
    pub message: String,
    /// Where in the sources the problem is, when it can be traced.
    pub loc: Option<Loc>,
    /// Length of the offending text at `loc` (0 = a point).
    pub len: usize,
    /// Extra advice for humans (not part of fail2ban's message).
    pub hint: Option<String>,
    /// The Python exception class when it is not one of configparser's
    /// (whose `repr()` is the bare message): `TypeError`, `ValueError`, …
    /// fail2ban formats some errors with `%r`, which shows the class.
    pub py_class: Option<&'static str>,
}

impl ConfigError {
    pub fn fatal(message: impl Into<String>, loc: Option<Loc>) -> Self {
        ConfigError {
            message: message.into(),
            loc,
            len: 0,
            hint: None,
            py_class: None,
        }
    }

    /// An error Python raises as `class(message)` outside configparser.
    pub fn python(class: &'static str, message: impl Into<String>, loc: Option<Loc>) -> Self {
        ConfigError {
            py_class: Some(class),
            ..ConfigError::fatal(message, loc)
        }
    }

    /// `repr()` of the exception, as fail2ban's `%r` shows it.
    pub fn python_repr(&self) -> String {
        match self.py_class {
            None => self.message.clone(),
            Some(class) => format!("{class}({})", crate::pyfmt::str_repr(&self.message)),
        }
    }

    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}
