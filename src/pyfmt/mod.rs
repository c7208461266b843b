//! Python value formatting: `repr()` of the values fail2ban prints, and
//! `pprint.pformat` for `fail2ban-client --dp`.
//!
//! fail2ban's tools print Python objects directly, so byte-identical output
//! needs Python's exact quoting and escaping rules.

pub mod chars;
mod pprint;
mod unicode_tables;

pub use chars::is_printable;
pub use pprint::pformat;

/// The subset of Python values that appear in fail2ban's command stream.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    /// An int beyond i64, as its decimal text (Python ints have no limit).
    LongInt(String),
    Float(f64),
    Str(String),
    List(Vec<PyValue>),
    /// A dict in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
}

impl PyValue {
    pub fn str(s: impl Into<String>) -> Self {
        PyValue::Str(s.into())
    }

    /// `repr(self)`.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    pub fn write_repr(&self, out: &mut String) {
        match self {
            PyValue::None => out.push_str("None"),
            PyValue::Bool(true) => out.push_str("True"),
            PyValue::Bool(false) => out.push_str("False"),
            PyValue::Int(i) => out.push_str(&i.to_string()),
            PyValue::LongInt(s) => out.push_str(s),
            PyValue::Float(f) => out.push_str(&float_repr(*f)),
            PyValue::Str(s) => out.push_str(&str_repr(s)),
            PyValue::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            PyValue::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

/// Python's `repr()` of a `str`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    let mut rest = s;
    while !rest.is_empty() {
        // Copy the run of plain printable ASCII in one go.
        let plain = rest
            .bytes()
            .position(|b| !(0x20..0x7f).contains(&b) || b == b'\\' || b == quote as u8)
            .unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if crate::config::pypath::escaped_byte(c).is_some() => {
                // A file-name byte Python holds as a lone surrogate.
                let b = crate::config::pypath::escaped_byte(c).unwrap_or(0);
                out.push_str(&format!("\\udc{b:02x}"));
            }
            c if is_printable(c) && (c as u32) > 0x7f => out.push(c),
            c => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a `float`: the shortest round-tripping digits, with
/// scientific notation below 1e-4 and from 1e16 on.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits in scientific form.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("scientific format");
    let exp: i32 = exp.parse().expect("exponent");
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..point as usize]);
            out.push('.');
            out.push_str(&digits[point as usize..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_quotes_follow_python() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("a'b"), "\"a'b\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(str_repr("a\\d\n\t"), "'a\\\\d\\n\\t'");
    }

    #[test]
    fn string_escapes_non_printables_like_python() {
        // Recorded from Python 3.11: repr('a\x7f\x85\u00a0\u2028\ufeff\U0001F600\u0378')
        assert_eq!(
            str_repr("a\x7f\u{85}\u{a0}\u{2028}\u{feff}\u{1F600}\u{378}"),
            "'a\\x7f\\x85\\xa0\\u2028\\ufeff😀\\u0378'"
        );
    }

    #[test]
    fn floats_follow_python_repr() {
        assert_eq!(float_repr(2629800.0), "2629800.0");
        assert_eq!(float_repr(31557600.0), "31557600.0");
        assert_eq!(float_repr(5400.0), "5400.0");
        assert_eq!(float_repr(0.5), "0.5");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e-5), "1.5e-05");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(-3.25), "-3.25");
    }

    #[test]
    fn lists_and_ints() {
        let v = PyValue::List(vec![
            PyValue::str("set"),
            PyValue::Int(10),
            PyValue::None,
            PyValue::List(vec![PyValue::str("x")]),
        ]);
        assert_eq!(v.repr(), "['set', 10, None, ['x']]");
    }
}
