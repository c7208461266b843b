//! A failure's data: the Python dict fail2ban builds from regex groups and
//! bookkeeping keys, with Python reference semantics where fail2ban relies
//! on them (the multi-line failure cache mutates dicts already handed out).

use crate::Map;
use crate::pyfmt::{float_repr, str_repr};
use std::cell::RefCell;
use std::rc::Rc;

use super::ipaddr::IpAddr;

/// One log line split around its date: `(before, date, after)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TupleLine {
    pub pre: String,
    pub date: String,
    pub rest: String,
}

impl TupleLine {
    pub fn new(pre: &str, date: &str, rest: &str) -> Self {
        TupleLine {
            pre: pre.to_string(),
            date: date.to_string(),
            rest: rest.to_string(),
        }
    }

    /// The line without its date (`"".join(t[::2])`).
    pub fn without_date(&self) -> String {
        let mut s = String::with_capacity(self.pre.len() + self.rest.len());
        s.push_str(&self.pre);
        s.push_str(&self.rest);
        s
    }

    /// The whole line (`"".join(t)`).
    pub fn full(&self) -> String {
        let mut s = String::with_capacity(self.pre.len() + self.date.len() + self.rest.len());
        s.push_str(&self.pre);
        s.push_str(&self.date);
        s.push_str(&self.rest);
        s
    }

    fn repr(&self) -> String {
        format!(
            "({}, {}, {})",
            str_repr(&self.pre),
            str_repr(&self.date),
            str_repr(&self.rest)
        )
    }
}

/// A value in a failure dict.
#[derive(Clone, Debug, PartialEq)]
pub enum FailValue {
    None,
    Str(String),
    Int(i64),
    Tuple(Vec<FailValue>),
    Ip(IpAddr),
    /// `users`: a Python set of user names, in insertion order.
    Set(Vec<FailValue>),
    /// `matches` / `nofail-matches`.
    Lines(Vec<TupleLine>),
}

impl FailValue {
    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            FailValue::None => false,
            FailValue::Str(s) => !s.is_empty(),
            FailValue::Int(i) => *i != 0,
            FailValue::Tuple(v) | FailValue::Set(v) => !v.is_empty(),
            FailValue::Ip(_) => true,
            FailValue::Lines(v) => !v.is_empty(),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, FailValue::None)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            FailValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python `repr()`.
    pub fn repr(&self) -> String {
        match self {
            FailValue::None => "None".into(),
            FailValue::Str(s) => str_repr(s),
            FailValue::Int(i) => i.to_string(),
            FailValue::Tuple(v) => {
                let parts: Vec<String> = v.iter().map(|x| x.repr()).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            FailValue::Ip(ip) => str_repr(&ip.ntoa()),
            FailValue::Set(v) => {
                if v.is_empty() {
                    "set()".into()
                } else {
                    let parts: Vec<String> = v.iter().map(|x| x.repr()).collect();
                    format!("{{{}}}", parts.join(", "))
                }
            }
            FailValue::Lines(v) => {
                let parts: Vec<String> = v.iter().map(|l| l.repr()).collect();
                format!("[{}]", parts.join(", "))
            }
        }
    }

    /// Python `str()`.
    pub fn to_py_str(&self) -> String {
        match self {
            FailValue::Str(s) => s.clone(),
            FailValue::Ip(ip) => ip.ntoa(),
            other => other.repr(),
        }
    }
}

/// A failure dict (insertion ordered like a Python dict).
pub type FailMap = Map<String, FailValue>;

/// A shared failure dict: fail2ban hands out the same dict it keeps in
/// its multi-line cache and keeps mutating it.
pub type Fail = Rc<RefCell<FailMap>>;

pub fn new_fail(map: FailMap) -> Fail {
    Rc::new(RefCell::new(map))
}

/// `repr(dict)` without the given keys.
pub fn dict_repr(map: &FailMap, skip: &str) -> String {
    let parts: Vec<String> = map
        .iter()
        .filter(|(k, _)| k.as_str() != skip)
        .map(|(k, v)| format!("{}: {}", str_repr(k), v.repr()))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// A log time as fail2ban holds it: a float, or an `int` for a few
/// template kinds (TAI64N, dates with an explicit zone) – which shows in
/// `repr()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogTime {
    pub secs: f64,
    pub is_int: bool,
}

impl LogTime {
    pub fn float(secs: f64) -> LogTime {
        LogTime {
            secs,
            is_int: false,
        }
    }

    /// Python `repr()` / `str()` of the value.
    pub fn repr(&self) -> String {
        if self.is_int {
            format!("{}", self.secs as i64)
        } else {
            float_repr(self.secs)
        }
    }
}

/// `repr()` of an optional timestamp.
pub fn time_repr(t: Option<LogTime>) -> String {
    match t {
        Some(t) => t.repr(),
        None => "None".into(),
    }
}

/// Python `str.splitlines()` (without keeping ends).
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        out.push(&s[start..i]);
        let mut next = i + c.len_utf8();
        if c == '\r' && it.peek().is_some_and(|(_, n)| *n == '\n') {
            it.next();
            next += 1;
        }
        start = next;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprs_follow_python() {
        let mut m = FailMap::default();
        m.insert("ip4".into(), FailValue::Str("1.2.3.4".into()));
        m.insert("ip6".into(), FailValue::None);
        m.insert(
            "t".into(),
            FailValue::Tuple(vec![FailValue::Str("a".into())]),
        );
        m.insert("matches".into(), FailValue::Lines(vec![]));
        assert_eq!(
            dict_repr(&m, "matches"),
            "{'ip4': '1.2.3.4', 'ip6': None, 't': ('a',)}"
        );
        assert_eq!(
            time_repr(Some(LogTime::float(1329153714.0))),
            "1329153714.0"
        );
        assert_eq!(
            time_repr(Some(LogTime {
                secs: 1124013600.0,
                is_int: true
            })),
            "1124013600"
        );
        assert_eq!(py_splitlines("a\r\nb\rc\n"), vec!["a", "b", "c"]);
        assert_eq!(py_splitlines(""), Vec::<&str>::new());
    }
}
