//! Date templates: strptime-style patterns turned into regexes, the special
//! templates (`EPOCH`, `LEPOCH`, `TAI64N`, `{NONE}`) and the default list.

use std::sync::OnceLock;

use super::engine::{DateRegex, meta};

pub const LINE_BEGIN: u8 = 8;
pub const LINE_END: u8 = 4;
pub const WORD_BEGIN: u8 = 2;
pub const WORD_END: u8 = 1;

/// How the date text of a template match is turned into a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// strptime-style named groups.
    Pattern,
    /// Seconds since the epoch in group `group`; `long` = `LEPOCH` scaling.
    Epoch { long: bool, group: usize },
    /// `@4000…` TAI64N label.
    Tai64n,
}

/// One template, as fail2ban builds it (before compilation).
#[derive(Clone, Debug)]
pub struct Template {
    pub name: String,
    /// The strptime-style pattern (`None` for `Epoch`/`TAI64N` built-ins).
    pub pattern: Option<String>,
    pub regex: String,
    pub flags: u8,
    pub weight: f64,
    pub kind: Kind,
}

/// The `%` directives with their regex and display name.
fn directive(key: &str, ex_year: &str) -> Option<(String, String)> {
    let (re, name): (&str, &str) = match key {
        "%" => ("%", "%"),
        "a" => ("(?P<a>mon|tue|wed|thu|fri|sat|sun)", "DAY"),
        "A" => (
            "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)",
            "DAYNAME",
        ),
        "b" => (
            "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
            "MON",
        ),
        "B" => (
            "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)",
            "MONTH",
        ),
        "c" => (
            r"(?P<a>mon|tue|wed|thu|fri|sat|sun)\s+(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])\s+(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d)\s+(?P<Y>\d\d\d\d)",
            "%c",
        ),
        "d" => (r"(?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1])", "Day"),
        "f" => ("(?P<f>[0-9]{1,6})", "Microseconds"),
        "G" => (r"(?P<G>\d\d\d\d)", "%G"),
        "H" => (r"(?P<H>[0-1]?\d|2[0-3])", "24hour"),
        "I" => ("(?P<I>1[0-2]|0[1-9]|[1-9])", "12hour"),
        "j" => (
            r"(?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9])",
            "Yearday",
        ),
        "k" => (r" ?(?P<H>[0-2]?\d)", "%k"),
        "l" => (r" ?(?P<I>1?\d)", "%l"),
        "m" => ("(?P<m>0?[1-9]|1[0-2])", "Month"),
        "M" => (r"(?P<M>[0-5]?\d)", "Minute"),
        "p" => ("(?P<p>am|pm)", "AMPM"),
        "S" => (r"(?P<S>[0-5]?\d|6[0-1])", "Second"),
        "u" => ("(?P<u>[1-7])", "%u"),
        "U" => (r"(?P<U>5[0-3]|[0-4]\d|\d)", "Yearweek"),
        "V" => (r"(?P<V>5[0-3]|0[1-9]|[1-4]\d|\d)", "%V"),
        "w" => ("(?P<w>[0-6])", "Weekday"),
        "W" => (r"(?P<W>5[0-3]|[0-4]\d|\d)", "Yearweek"),
        "x" => (
            r"(?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])/(?P<y>\d\d)",
            "%x",
        ),
        "X" => (
            r"(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d)",
            "%X",
        ),
        "y" => (r"(?P<y>\d\d)", "Year2"),
        "Y" => (r"(?P<Y>\d{4})", "Year"),
        "z" => (r"(?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?)", "Zone offset"),
        "Z" => ("(?P<Z>Z|[A-Z]{3,5})", "Zone name"),
        "ExZ" => ("(?P<Z>[A-Z](?:[A-Z]{2,4})?)", "ExZone name"),
        "Exz" => (
            r"(?P<z>(?:[A-Z](?:[A-Z]{2,4})?)?[+-][01]\d(?::?\d{2})?|[A-Z](?:[A-Z]{2,4})?)",
            "ExZone offset",
        ),
        "Exd" => (r"(?P<d>[1-2]\d|0[1-9]|3[0-1])", "ExDay"),
        "Exm" => ("(?P<m>0[1-9]|1[0-2])", "ExMonth"),
        "ExH" => (r"(?P<H>[0-1]\d|2[0-3])", "Ex24hour"),
        "Exk" => (r" ?(?P<H>[0-1]?\d|2[0-3])", "%Exk"),
        "Exl" => (r" ?(?P<I>1[0-2]|\d)", "%Exl"),
        "ExM" => (r"(?P<M>[0-5]\d)", "ExMinute"),
        "ExS" => (r"(?P<S>[0-5]\d|6[0-1])", "ExSecond"),
        "ExY" => return Some((format!(r"(?P<Y>{ex_year}\d)"), "ExYear".into())),
        "Exy" => (r"(?P<y>\d{2})", "ExYear2"),
        _ => return None,
    };
    Some((re.to_string(), name.to_string()))
}

const MULTI: [&str; 12] = [
    "ExZ", "Exz", "Exd", "Exm", "ExH", "Exk", "Exl", "ExM", "ExS", "ExY", "Exy", "%",
];
const SINGLE: &str = "dfHIGjmMSUwuVyYzAaBbpZWcxXkl%";

/// The century part of `%ExY` for a process started in `year`: prefixes of
/// last year, of `year + 3`, and of 2000, 2003, … up to `year`.
pub fn ex_year_prefix(year: i32) -> String {
    let cent = |y: i32| {
        let s = y.to_string();
        s.chars().take(3).collect::<String>()
    };
    let mut set = std::collections::BTreeSet::new();
    set.insert(cent(year - 1));
    set.insert(cent(year + 3));
    let mut i = -1;
    while i < year - 2000 {
        set.insert(cent(2001 + i));
        i += 3;
    }
    let v: Vec<String> = set.into_iter().collect();
    group_alternatives(&v)
}

fn group_alternatives(set: &[String]) -> String {
    if set.len() > 1 {
        let mut c: Option<String> = None;
        for i in set {
            let head: String = {
                let n = i.chars().count();
                i.chars().take(n.saturating_sub(1)).collect()
            };
            if c.is_none() || c.as_deref() == Some(head.as_str()) {
                c = Some(head);
            } else {
                c = None;
                break;
            }
        }
        if c.as_deref().is_none_or(str::is_empty) {
            c = None;
            for i in set {
                let head: String = i.chars().take(1).collect();
                if c.is_none() || c.as_deref() == Some(head.as_str()) {
                    c = Some(head);
                } else {
                    c = None;
                    break;
                }
            }
        }
        if let Some(c) = c.filter(|c| !c.is_empty()) {
            let rest: Vec<String> = set
                .iter()
                .map(|i| i.chars().skip(c.chars().count()).collect())
                .collect();
            return format!("{c}{}", group_alternatives(&rest));
        }
        if set[0].chars().count() > 1 {
            format!("(?:{})", set.join("|"))
        } else {
            format!("[{}]", set.concat())
        }
    } else {
        set.concat()
    }
}

/// Python `fmt % mapping` where every directive became `%(key)s`; returns
/// the Python error text on failure.
fn py_format(fmt: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len() * 2);
    let mut i = 0;
    // Python's argument cursor: one (the mapping itself) available at start,
    // and one (the looked-up value) after each `%(key)`.
    let mut arg_available = true;
    let mut arg_is_mapping = true;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut value: Option<String> = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err("incomplete format key".into());
            }
            let key: String = chars[start..i - 1].iter().collect();
            match lookup(&key) {
                Some(v) => value = Some(v),
                None => {
                    return Err(format!(
                        "'{}'",
                        key.replace('\\', "\\\\").replace('\'', "\\'")
                    ));
                }
            }
            arg_available = true;
            arg_is_mapping = false;
        }
        while i < chars.len() && "-+ #0".contains(chars[i]) {
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            return Err("* wants int".into());
        }
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                return Err("* wants int".into());
            }
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        }
        while i < chars.len() && "hlL".contains(chars[i]) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err("incomplete format".into());
        };
        if conv == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        if !arg_available {
            return Err("not enough arguments for format string".into());
        }
        arg_available = false;
        match conv {
            's' | 'r' | 'a' if !arg_is_mapping => out.push_str(value.as_deref().unwrap_or("")),
            's' | 'r' | 'a' => {
                return Err("'%s' applied to the whole mapping is not supported".into());
            }
            'd' | 'i' | 'u' => {
                return Err(format!(
                    "%{conv} format: a real number is required, not {}",
                    arg_type(arg_is_mapping)
                ));
            }
            'o' | 'x' | 'X' => {
                return Err(format!(
                    "%{conv} format: an integer is required, not {}",
                    arg_type(arg_is_mapping)
                ));
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                return Err(format!(
                    "must be real number, not {}",
                    arg_type(arg_is_mapping)
                ));
            }
            'c' => return Err("%c requires int or char".into()),
            _ => {
                let shown = if (' '..='~').contains(&conv) {
                    conv
                } else {
                    '?'
                };
                return Err(format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {i}",
                    conv as u32
                ));
            }
        }
        i += 1;
    }
    Ok(out)
}

fn arg_type(mapping: bool) -> &'static str {
    if mapping { "dict" } else { "str" }
}

struct MetaRes {
    directive: fancy_regex::Regex,
    alpha: fancy_regex::Regex,
    grouped: fancy_regex::Regex,
    group: fancy_regex::Regex,
    global_flags: fancy_regex::Regex,
    no_wrd_beg: fancy_regex::Regex,
    no_wrd_end: fancy_regex::Regex,
    del_wrd: fancy_regex::Regex,
    line_beg: fancy_regex::Regex,
    line_end: fancy_regex::Regex,
    ex_sanc: fancy_regex::Regex,
    ex_eanc: fancy_regex::Regex,
    epoch_pat: fancy_regex::Regex,
    date_pre: fancy_regex::Regex,
}

fn metas() -> &'static MetaRes {
    static M: OnceLock<MetaRes> = OnceLock::new();
    M.get_or_init(|| {
        let dir = format!("%({}|[{}])", MULTI.join("|"), SINGLE);
        MetaRes {
            directive: meta(&dir),
            alpha: meta(r"(?<!%)%[aAbBpc]"),
            grouped: meta(r"(?<!(?:\(\?))(?<!\\)\((?!\?)"),
            group: meta(r"^((?:\(\?\w+\))?\^?(?:\(\?\w+\))?)(.*?)(\$?)$"),
            global_flags: meta(r"((?:^|(?!<\\))\(\?[a-z]+\))"),
            no_wrd_beg: meta(r"^\(*(?:\(\?\w+\))?(?:\^|\(*\*\*|\((?:\?:)?\^)"),
            no_wrd_end: meta(r"(?<!\\)(?:\$\)?|\\b|\\s|\*\*\)*)$"),
            del_wrd: meta(r"^\(*(?:\(\?\w+\))?\(*\*\*|(?<!\\)\*\*\)*$"),
            line_beg: meta(r"^(?:\(\?\w+\))?(?:\^|\((?:\?:)?\^(?!\|))"),
            line_end: meta(r"(?<![\\\|])(?:\$\)?)$"),
            ex_sanc: meta(r"^\((?:\?:)?\^\|\\b\|\\W\)"),
            ex_eanc: meta(r"\(\?=\\b\|\\W\|\$\)$"),
            epoch_pat: meta(r"(?i)(?<!\\)\{L?EPOCH\}"),
            date_pre: meta(r"(?i)(?<!\\)\{DATE\}"),
        }
    })
}

fn found(re: &fancy_regex::Regex, s: &str) -> bool {
    re.is_match(s).unwrap_or(false)
}

/// `re.sub(pattern, f, s, count)` with a replacement function.
fn sub_with(
    re: &fancy_regex::Regex,
    s: &str,
    count: usize,
    f: &dyn Fn(&fancy_regex::Captures<'_, str>) -> String,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut n = 0;
    for c in re.captures_iter(s) {
        let Ok(c) = c else { break };
        let m = c.get(0).unwrap();
        out.push_str(&s[last..m.start()]);
        out.push_str(&f(&c));
        last = m.end();
        n += 1;
        if count > 0 && n >= count {
            break;
        }
    }
    out.push_str(&s[last..]);
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Begin {
    No,
    Word,
    Start,
}

/// fail2ban's `DateTemplate.setRegex`: boundaries, group 1 and flags.
fn set_regex(regex: &str, begin: Begin, word_end: bool, name: &mut String) -> (String, u8) {
    let m = metas();
    let mut regex = regex.trim().to_string();
    let gf = m
        .global_flags
        .captures(&regex)
        .ok()
        .flatten()
        .map(|c| c.get(1).unwrap().as_str().to_string());
    if gf.is_some() {
        regex = sub_with(&m.global_flags, &regex, 1, &|_| String::new());
    }
    let bound_begin = begin != Begin::No && !found(&m.no_wrd_beg, &regex);
    let bound_end = word_end && !found(&m.no_wrd_end, &regex);
    if !found(&m.grouped, &regex) {
        regex = sub_with(&m.group, &regex, 0, &|c| {
            let g = |i| c.get(i).map_or("", |m| m.as_str());
            format!("{}({}){}", g(1), g(2), g(3))
        });
    }
    let mut flags = 0u8;
    if bound_begin {
        if begin == Begin::Start {
            flags |= LINE_BEGIN;
            regex = format!(r"^(?:\W{{0,2}})?{regex}");
            if !name.starts_with("{^LN-BEG}") {
                name.insert_str(0, "{^LN-BEG}");
            }
        } else {
            flags |= WORD_BEGIN;
            regex = format!(r"(?=^|\b|\W){regex}");
        }
    }
    if bound_end {
        flags |= WORD_END;
        regex.push_str(r"(?=\b|\W|$)");
    }
    if flags & LINE_BEGIN == 0 && found(&m.line_beg, &regex) {
        flags |= LINE_BEGIN;
    }
    if flags & LINE_END == 0 && found(&m.line_end, &regex) {
        flags |= LINE_END;
    }
    regex = sub_with(&m.del_wrd, &regex, 0, &|c| {
        c.get(0).unwrap().as_str().replace("**", "")
    });
    if let Some(gf) = gf {
        regex.insert_str(0, &gf);
    }
    (regex, flags)
}

/// `DatePatternRegex(pattern)`; the error is the text fail2ban prints.
pub fn pattern_template(pattern: &str, ex_year: &str) -> Result<Template, String> {
    let m = metas();
    let orig = pattern;
    let mut p = pattern;
    let mut begin = Begin::Word;
    let mut word_end = true;
    if let Some(rest) = p.strip_prefix("{UNB}") {
        p = rest;
        begin = Begin::No;
        word_end = false;
    }
    if begin != Begin::No {
        if let Some(rest) = p.strip_prefix("{^LN-BEG}") {
            p = rest;
            begin = Begin::Start;
        }
    }
    let fmt = sub_with(&m.directive, p, 0, &|c| {
        format!("%({})s", c.get(1).unwrap().as_str())
    });
    let wrap = |e: String| {
        format!(
            "Failed to set datepattern '{p}' (may be an invalid format or unescaped percent char): {e}"
        )
    };
    let mut name = py_format(&fmt, &|k| directive(k, ex_year).map(|d| d.1)).map_err(wrap)?;
    let mut regex = py_format(&fmt, &|k| directive(k, ex_year).map(|d| d.0)).map_err(wrap)?;
    if found(&m.alpha, p) {
        regex.insert_str(0, "(?iu)");
    }
    let (regex, flags) = set_regex(&regex, begin, word_end, &mut name);
    Ok(Template {
        name,
        pattern: Some(orig.to_string()),
        regex,
        flags,
        weight: 1.0,
        kind: Kind::Pattern,
    })
}

const EPOCH_RE: &str = r"\d{10,11}\b(?:\.\d{3,6})?";
const LEPOCH_RE: &str = r"\d{10,11}(?:\d{3}(?:\.\d{1,6}|\d{3})?)?";

/// `DateEpoch(lineBeginOnly, pattern, longFrm)`.
pub fn epoch_template(line_begin: bool, pattern: Option<&str>, long: bool) -> Template {
    let e = if long { LEPOCH_RE } else { EPOCH_RE };
    let mut name = match (pattern, long) {
        (Some(p), _) => p.to_string(),
        (None, false) => "Epoch".into(),
        (None, true) => "LongEpoch".into(),
    };
    let (regex, flags, group) = if let Some(p) = pattern {
        let inner = sub_with(&metas().epoch_pat, p, 0, &|_| format!("({e})"));
        let (r, f) = set_regex(&format!("({inner})"), Begin::Word, true, &mut name);
        (r, f, 2)
    } else if !line_begin {
        let r = r"((?:^|(?P<square>(?<=^\[))|(?P<selinux>(?<=\baudit\()))%E%)(?:(?(selinux)(?=:\d+\)))|(?(square)(?=\])))"
            .replace("%E%", e);
        let (r, f) = set_regex(&r, Begin::No, true, &mut name);
        (r, f, 1)
    } else {
        let r = format!(r"((?P<square>(?<=^\[))?{e})(?(square)(?=\]))");
        let (r, f) = set_regex(&r, Begin::Start, true, &mut name);
        (r, f, 1)
    };
    Template {
        name,
        pattern: None,
        regex,
        flags,
        weight: 1.0,
        kind: Kind::Epoch { long, group },
    }
}

/// `DateTai64n(wordBegin)`.
pub fn tai64n_template(line_begin: bool) -> Template {
    let mut name = "TAI64N".to_string();
    let (regex, flags) = set_regex(
        "@[0-9a-f]{24}",
        if line_begin { Begin::Start } else { Begin::No },
        true,
        &mut name,
    );
    Template {
        name,
        pattern: None,
        regex,
        flags,
        weight: 1.0,
        kind: Kind::Tai64n,
    }
}

/// fail2ban's `_getPatternTemplate(pattern, key)`.
pub fn pattern_or_special(
    pattern: &str,
    key: Option<&str>,
    ex_year: &str,
) -> Result<Template, String> {
    let key = match key {
        Some(k) => k.to_string(),
        None if pattern.contains('%') => pattern.to_string(),
        None => pattern.to_uppercase(),
    };
    if key.contains("EPOCH") {
        if found(&metas().epoch_pat, pattern) {
            return Ok(epoch_template(false, Some(pattern), key.contains("LEPOCH")));
        }
        match key.as_str() {
            "EPOCH" | "{^LN-BEG}EPOCH" | "^EPOCH" => {
                return Ok(epoch_template(key != "EPOCH", None, false));
            }
            "LEPOCH" | "{^LN-BEG}LEPOCH" | "^LEPOCH" => {
                return Ok(epoch_template(key != "LEPOCH", None, true));
            }
            _ => {}
        }
    }
    match key.as_str() {
        "TAI64N" | "{^LN-BEG}TAI64N" | "^TAI64N" => Ok(tai64n_template(key != "TAI64N")),
        _ => pattern_template(pattern, ex_year),
    }
}

/// The 17 base default patterns, in fail2ban 1.0.2's order.
pub const DEFAULT_PATTERNS: [&str; 17] = [
    r"%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?",
    r"(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?",
    r"(?:%a )?%b %d %ExY %k:%M:%S(?:\.%f)?",
    r"%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S",
    r"%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\.%f)?(?: %z)?",
    r"%m/%d/%ExY:%H:%M:%S",
    r"%m-%d-%ExY %k:%M:%S(?:\.%f)?",
    r"EPOCH",
    r"{^LN-BEG}%H:%M:%S",
    r"^<%m/%d/%Exy@%H:%M:%S>",
    r"%Exy%Exm%Exd  ?%H:%M:%S",
    r"%b %d, %ExY %I:%M:%S %p",
    r"^%b-%d-%Exy %k:%M:%S",
    r"%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\s*%z)?",
    r"(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?",
    r"(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?",
    r"TAI64N",
];

/// The 17 base templates.
pub fn base_defaults(ex_year: &str) -> Vec<Template> {
    DEFAULT_PATTERNS
        .iter()
        .map(|p| pattern_or_special(p, None, ex_year).expect("default template"))
        .collect()
}

/// For each default without line-begin anchor, the pattern-cache keys
/// `_getAnchoredTemplate` looks up for its line-begin copy, in order.
pub fn anchored_default_lookups(ex_year: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for t in base_defaults(ex_year) {
        if t.name.starts_with("{^LN-BEG}") || t.name.starts_with('^') {
            continue;
        }
        let name = format!("{{^LN-BEG}}{}", t.name);
        let second = match &t.pattern {
            Some(p) => format!("{{^LN-BEG}}{p}"),
            None if name.contains('%') => name.clone(),
            None => name.to_uppercase(),
        };
        out.push(vec![name, second]);
    }
    out
}

/// The keys the line-begin default copies are cached under.
pub fn anchored_default_keys(ex_year: &str) -> Vec<String> {
    anchored_default_lookups(ex_year)
        .into_iter()
        .map(|mut v| v.pop().expect("two keys"))
        .collect()
}

/// `_getAnchoredTemplate(template, wrap)`.
fn anchored(
    t: &Template,
    wrap: &dyn Fn(&str) -> String,
    ex_year: &str,
) -> Result<Template, String> {
    let name = wrap(&t.name);
    match &t.pattern {
        None => pattern_or_special(&name, None, ex_year),
        Some(p) => pattern_or_special(&wrap(p), None, ex_year),
    }
}

/// The full 31-entry default list: line-begin copies (weight 100) first.
pub fn all_defaults(ex_year: &str) -> Vec<Template> {
    type ByYear = std::sync::Mutex<Vec<(String, Vec<Template>)>>;
    static CACHE: OnceLock<ByYear> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, v)) = cache.lock().unwrap().iter().find(|(y, _)| y == ex_year) {
        return v.clone();
    }
    let v = build_defaults(ex_year);
    cache.lock().unwrap().push((ex_year.to_string(), v.clone()));
    v
}

fn build_defaults(ex_year: &str) -> Vec<Template> {
    let mut front = Vec::new();
    let mut back = Vec::new();
    for t in base_defaults(ex_year) {
        if !t.name.starts_with("{^LN-BEG}") && !t.name.starts_with('^') {
            let mut t2 =
                anchored(&t, &|s| format!("{{^LN-BEG}}{s}"), ex_year).expect("anchored default");
            if t2.name != t.name {
                t2.weight = 100.0;
                front.push(t2);
            }
        }
        back.push(t);
    }
    front.extend(back);
    front
}

/// fail2ban's `DateTemplate.unboundPattern`.
pub fn unbound_pattern(p: &str) -> String {
    let m = metas();
    let p = p.strip_prefix("{UNB}").unwrap_or(p);
    let p = p.strip_prefix("{^LN-BEG}").unwrap_or(p);
    let p = sub_with(&m.ex_sanc, p, 0, &|_| String::new());
    sub_with(&m.ex_eanc, &p, 0, &|_| String::new())
}

/// The 17 base templates with their (unbounded) pattern put into the
/// `{DATE}` placeholder(s) of `pre`.
pub fn date_prematch(pre: &str, ex_year: &str) -> Result<Vec<Template>, String> {
    let m = metas();
    base_defaults(ex_year)
        .iter()
        .map(|t| {
            anchored(
                t,
                &|s| {
                    let u = unbound_pattern(s);
                    sub_with(&m.date_pre, pre, 0, &|_| u.clone())
                },
                ex_year,
            )
        })
        .collect()
}

/// Compile a template's regex.
pub(crate) fn compile(t: &Template) -> Result<std::sync::Arc<DateRegex>, String> {
    super::engine::compile_cached(&t.regex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ex_year_prefixes() {
        assert_eq!(ex_year_prefix(2025), "20[012]");
        assert_eq!(ex_year_prefix(2026), "20[012]");
        assert_eq!(ex_year_prefix(2027), "20[0123]");
        assert_eq!(ex_year_prefix(2005), "200");
    }

    #[test]
    fn format_errors() {
        let e = pattern_template("%q %Y", "20[012]").unwrap_err();
        assert!(
            e.ends_with("unsupported format character 'q' (0x71) at index 1"),
            "{e}"
        );
        let e = pattern_template("%Y %q", "20[012]").unwrap_err();
        assert!(e.ends_with("not enough arguments for format string"), "{e}");
    }
}
