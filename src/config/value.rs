//! Option values after type conversion, as fail2ban's readers hold them.

use crate::pyfmt::PyValue;
use crate::source::SString;

#[derive(Debug, Clone, PartialEq)]
pub enum OptValue {
    None,
    Bool(bool),
    /// An int as Python prints it (no size limit): canonical decimal text.
    Int(String),
    Str(SString),
    /// Only the `[Thread]` options of fail2ban.conf are a dict.
    Dict(Vec<(String, OptValue)>),
}

impl OptValue {
    pub fn str(s: impl Into<String>) -> Self {
        OptValue::Str(SString::synthetic(s))
    }

    /// `str(value)` as configparser applies it to `vars`; `None` stays `None`.
    pub fn as_var(&self) -> Option<SString> {
        match self {
            OptValue::None => None,
            OptValue::Bool(b) => Some(SString::synthetic(if *b { "True" } else { "False" })),
            OptValue::Int(i) => Some(SString::synthetic(i.clone())),
            OptValue::Str(s) => Some(s.clone()),
            OptValue::Dict(_) => Some(SString::synthetic(self.to_py().repr())),
        }
    }

    pub fn as_sstring(&self) -> Option<&SString> {
        match self {
            OptValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_py(&self) -> PyValue {
        match self {
            OptValue::None => PyValue::None,
            OptValue::Bool(b) => PyValue::Bool(*b),
            OptValue::Int(i) => match i.parse::<i64>() {
                Ok(n) => PyValue::Int(n),
                Err(_) => PyValue::LongInt(i.clone()),
            },
            OptValue::Str(s) => PyValue::Str(s.text.clone()),
            OptValue::Dict(items) => PyValue::Dict(
                items
                    .iter()
                    .map(|(k, v)| (PyValue::Str(k.clone()), v.to_py()))
                    .collect(),
            ),
        }
    }

    pub fn is_truthy(&self) -> bool {
        match self {
            OptValue::None => false,
            OptValue::Bool(b) => *b,
            OptValue::Int(i) => i != "0",
            OptValue::Str(s) => !s.text.is_empty(),
            OptValue::Dict(items) => !items.is_empty(),
        }
    }
}

/// fail2ban's boolean converter: only `1/on/true/yes` (any case) are true.
pub fn as_bool(s: &str) -> bool {
    matches!(
        crate::pyfmt::chars::py_lower(s).as_str(),
        "1" | "on" | "true" | "yes"
    )
}

/// Python's `int(str)`: surrounding whitespace, a sign, decimal digits
/// (any script's) with single underscores between them, no size limit.
/// Returns the canonical decimal text; `None` where Python raises ValueError.
pub fn py_int(s: &str) -> Option<String> {
    let t = crate::ini::py_strip(s);
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut out = String::new();
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = crate::pyfmt::chars::decimal_value(c)?;
        if !(out.is_empty() && d == 0) {
            out.push(char::from_digit(d, 10)?);
        }
    }
    if out.is_empty() {
        return Some("0".into());
    }
    Some(if neg { format!("-{out}") } else { out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_follow_fail2ban() {
        for t in ["1", "on", "TRUE", "Yes"] {
            assert!(as_bool(t), "{t}");
        }
        for f in ["0", "ture", "enabled", "", "y"] {
            assert!(!as_bool(f), "{f}");
        }
    }

    #[test]
    fn ints_follow_python() {
        let i = |s: &str| py_int(s);
        assert_eq!(i(" 10 "), Some("10".into()));
        assert_eq!(i("-3"), Some("-3".into()));
        assert_eq!(i("1_000"), Some("1000".into()));
        assert_eq!(i("-007"), Some("-7".into()));
        assert_eq!(i("-0"), Some("0".into()));
        assert_eq!(
            i("99999999999999999999"),
            Some("99999999999999999999".into())
        );
        assert_eq!(i("\u{663}\u{ff12}"), Some("32".into()));
        assert_eq!(i("\u{b2}"), None);
        assert_eq!(py_int("1__0"), None);
        assert_eq!(py_int("10m"), None);
        assert_eq!(py_int(""), None);
    }
}
