//! A runner for fail2ban's annotated sample logs (`tests/files/logs/<filter>`
//! with `# failJSON:` lines), with the rules of fail2ban's own sample test:
//! each option set of `filterOptions` gets its own filter, every annotated
//! line must give exactly the expected failure (or none), and every
//! failregex of every option set must be hit by some sample.

mod expr;
mod load;
pub mod table;

use crate::date::{DateDetector, DateOptions};
use crate::filter::groups::{FailValue, LogTime, TupleLine};
use crate::filter::ipaddr::{CIDR_UNSPEC, Family, IpAddr};
use crate::filter::{DateFound, Filter, Flavor};
use serde_json::{Map, Value};
use std::path::Path;

pub use load::load_filter;

/// fail2ban's test clock: Sun Aug 14 12:00:00 CEST 2005.
pub const TEST_NOW: f64 = 1_124_013_600.0;
/// fail2ban's test time zone.
pub const TEST_TZ: &str = "CET-01CEST-02,M3.5.0,M10.5.0";

/// Where a version's files live.
pub struct SampleEnv {
    pub flavor: Flavor,
    pub logs_dir: std::path::PathBuf,
    pub date_opts: DateOptions,
}

impl SampleEnv {
    pub fn new(flavor: Flavor, logs_dir: &Path) -> SampleEnv {
        let tz = jiff::tz::TimeZone::posix(TEST_TZ).expect("fail2ban's test zone");
        let mut date_opts = DateOptions::fixed(TEST_NOW, tz.clone());
        // `%ExY` comes from the real year, taken in the test process's zone.
        date_opts.year = i32::from(tz.to_datetime(jiff::Timestamp::now()).year());
        SampleEnv {
            flavor,
            logs_dir: logs_dir.to_path_buf(),
            date_opts,
        }
    }
}

/// A filter loaded for one option set.
pub struct LoadedFilter {
    pub filter: Filter,
    pub date: Option<DateDetector>,
    pub regexes: Vec<String>,
    pub used: Vec<bool>,
}

/// The outcome of one filter's sample file(s).
#[derive(Debug, Default, Clone)]
pub struct FilterOutcome {
    pub name: String,
    /// (option-set label, regex count) of each filter variant used.
    pub variants: Vec<(String, usize)>,
    /// Annotated or plain sample lines checked (per option set).
    pub checked: usize,
    pub passed: usize,
    pub failures: Vec<String>,
    /// Failregexes no sample hit: "variant: #index regex".
    pub uncovered: Vec<String>,
    /// The text of each uncovered failregex (as the filter's stream has it).
    pub uncovered_regexes: Vec<String>,
    /// Failregexes of all option sets, and those covered.
    pub regexes_total: usize,
    pub regexes_covered: usize,
    /// Failregexes with a greedy catch-all before `<HOST>`.
    pub greedy: Vec<String>,
    pub error: Option<String>,
}

impl FilterOutcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
            && self.failures.is_empty()
            && self.uncovered.is_empty()
            && self.greedy.is_empty()
    }
}

enum Header {
    FailJson(Map<String, Value>),
    FileOptions(Map<String, Value>),
    FilterOptions(Vec<Map<String, Value>>),
    AddFile(String),
}

/// `^#+ ?(failJSON|fileOptions|filterOptions|addFILE):(.+)$`
fn header(line: &str) -> Option<Result<Header, String>> {
    let rest = line.trim_start_matches('#');
    if rest.len() == line.len() {
        return None;
    }
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let (kind, json) = rest.split_once(':')?;
    if !matches!(
        kind,
        "failJSON" | "fileOptions" | "filterOptions" | "addFILE"
    ) || json.is_empty()
    {
        return None;
    }
    let v: Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("bad JSON in {kind}: {e}"))),
    };
    let obj = |v: Value| match v {
        Value::Object(m) => Ok(m),
        other => Err(format!("{kind} is not an object: {other}")),
    };
    Some(match kind {
        "failJSON" => obj(v).map(Header::FailJson),
        "fileOptions" => obj(v).map(Header::FileOptions),
        "filterOptions" => match v {
            Value::Array(items) => items
                .into_iter()
                .map(obj)
                .collect::<Result<Vec<_>, _>>()
                .map(Header::FilterOptions),
            other => obj(other).map(|m| Header::FilterOptions(vec![m])),
        },
        _ => match v {
            Value::String(s) => Ok(Header::AddFile(s)),
            other => Err(format!("addFILE is not a string: {other}")),
        },
    })
}

/// The lines of a sample file as fail2ban reads it (UTF-8, invalid bytes
/// replaced, `\r\n` stripped, a last line without newline included).
fn read_lines(path: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|l| l.trim_end_matches(['\r', '\n']).to_string())
        .collect();
    if text.is_empty() {
        lines.clear();
    }
    Ok(lines)
}

fn label(opts: &Map<String, Value>) -> String {
    if let Some(Value::String(n)) = opts.get("test.filter-name") {
        return n.clone();
    }
    let flt: Vec<String> = opts
        .iter()
        .filter(|(k, _)| !k.starts_with("test."))
        .map(|(k, v)| format!("{}: {}", crate::pyfmt::str_repr(k), py_json_repr(v)))
        .collect();
    if flt.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", flt.join(", "))
    }
}

/// `repr()` of a value `json.loads` returned.
fn py_json_repr(v: &Value) -> String {
    match v {
        Value::String(s) => crate::pyfmt::str_repr(s),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_json_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", crate::pyfmt::str_repr(k), py_json_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Number(n) => n.to_string(),
    }
}

/// `IPAddr == str` as the sample test compares hosts.
fn ip_matches(fid: &IpAddr, expected: &str) -> bool {
    if matches!(fid.family, Family::Raw | Family::Unspec) {
        return fid.raw == expected;
    }
    let other = IpAddr::new(expected, CIDR_UNSPEC);
    other.family == fid.family && other.addr == fid.addr && other.plen == fid.plen
}

fn value_matches(fv: &FailValue, v: &Value) -> bool {
    match (fv, v) {
        (FailValue::None, Value::Null) => true,
        (FailValue::Str(s), Value::String(e)) => s == e,
        (FailValue::Ip(ip), Value::String(e)) => ip_matches(ip, e),
        (FailValue::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
        // Only sets and lists are compared sorted; a tuple never equals a
        // JSON list.
        (FailValue::Set(items), Value::Array(exp)) => {
            let mut a: Vec<String> = items.iter().map(|x| x.to_py_str()).collect();
            let mut b: Vec<String> = exp
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            a.sort();
            b.sort();
            a == b
        }
        _ => false,
    }
}

/// `strptime(t, "%Y-%m-%dT%H:%M:%S")` (or with `.%f`): like Python, the
/// fields after the year take one or two digits, `%f` one to six.
fn parse_json_time(t: &str) -> Option<(jiff::civil::DateTime, f64)> {
    fn num(s: &str, min: usize, max: usize) -> Option<i64> {
        (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    }
    let (date, rest) = t.split_once('T')?;
    let (hms, frac) = match rest.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (rest, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    let h: Vec<&str> = hms.split(':').collect();
    if d.len() != 3 || h.len() != 3 {
        return None;
    }
    let dt = jiff::civil::DateTime::new(
        i16::try_from(num(d[0], 4, 4)?).ok()?,
        i8::try_from(num(d[1], 1, 2)?).ok()?,
        i8::try_from(num(d[2], 1, 2)?).ok()?,
        i8::try_from(num(h[0], 1, 2)?).ok()?,
        i8::try_from(num(h[1], 1, 2)?).ok()?,
        i8::try_from(num(h[2], 1, 2)?).ok()?,
        0,
    )
    .ok()?;
    let micros = match frac {
        Some(f) => num(f, 1, 6)? as f64 * 10f64.powi(6 - f.len() as i32),
        None => 0.0,
    };
    Some((dt, micros))
}

/// Local civil time of the test zone → epoch seconds, as
/// `time.mktime(...) + microsecond / 1000000.0`.
fn json_time(t: &str, tz: &jiff::tz::TimeZone) -> Option<f64> {
    let (dt, micros) = parse_json_time(t)?;
    let ts = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
    Some(ts.as_second() as f64 + micros / 1_000_000.0)
}

/// Runs the sample file `logs/<name>` (plus its `addFILE`s) against the
/// filter `name` of `basedir`.
pub fn run_filter(name: &str, basedir: &Path, env: &SampleEnv) -> FilterOutcome {
    let mut out = FilterOutcome {
        name: name.to_string(),
        ..Default::default()
    };
    let mut filters: crate::Map<String, LoadedFilter> = crate::Map::default();
    let mut active: Vec<(String, Map<String, Value>)> = Vec::new();
    let mut files = vec![name.to_string()];
    let mut common: Map<String, Value> = Map::new();
    let tz = env.date_opts.local_tz.clone();
    let greed = wrong_greed(env.flavor);
    let mut i = 0;
    while i < files.len() {
        let file = env.logs_dir.join(&files[i]);
        i += 1;
        let lines = match read_lines(&file) {
            Ok(l) => l,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        let mut ignore_block = false;
        let mut idx = 0;
        while idx < lines.len() {
            let lnnum = idx + 1;
            let mut line = lines[idx].clone();
            idx += 1;
            let faildata: Map<String, Value>;
            match header(&line) {
                Some(Err(e)) => {
                    out.error = Some(format!("{}:{lnnum}: {e}", file.display()));
                    return out;
                }
                Some(Ok(Header::FileOptions(m))) => {
                    common = m;
                    continue;
                }
                Some(Ok(Header::FilterOptions(sets))) => {
                    active.clear();
                    ignore_block = false;
                    for set in sets {
                        let mut opts = common.clone();
                        for (k, v) in set {
                            opts.insert(k, v);
                        }
                        // Python: `if opts.get('test.condition'):` (a truthy value).
                        if let Some(Value::String(cond)) = opts.get("test.condition")
                            && !cond.is_empty()
                        {
                            match expr::eval(cond, name, &opts) {
                                Some(v) => ignore_block = !v,
                                None => {
                                    out.error = Some(format!(
                                        "{}:{lnnum}: unsupported test.condition {cond:?}",
                                        file.display()
                                    ));
                                    return out;
                                }
                            }
                        }
                        if !ignore_block {
                            let key = format!("{name}{}", label(&opts));
                            let variant = Variant {
                                name,
                                basedir,
                                env,
                                greed: &greed,
                            };
                            if !variant.ensure(&mut filters, &mut out, &key, &opts) {
                                return out;
                            }
                            active.push((key, opts));
                        }
                    }
                    continue;
                }
                Some(Ok(Header::AddFile(f))) => {
                    files.push(f);
                    continue;
                }
                Some(Ok(Header::FailJson(m))) => {
                    faildata = m;
                    if idx < lines.len() {
                        line = lines[idx].clone();
                        idx += 1;
                    } else {
                        // `next(logFile)` at the end: fail2ban stops the file.
                        break;
                    }
                }
                None => {
                    if ignore_block || line.starts_with('#') || line.trim().is_empty() {
                        continue;
                    }
                    faildata = Map::new();
                }
            }
            if ignore_block {
                continue;
            }
            if active.is_empty() {
                let key = name.to_string();
                let variant = Variant {
                    name,
                    basedir,
                    env,
                    greed: &greed,
                };
                if !variant.ensure(&mut filters, &mut out, &key, &Map::new()) {
                    return out;
                }
                active.push((key, Map::new()));
            }
            for (key, opts) in &active {
                if let Some(Value::String(c)) = faildata.get("constraint")
                    && !c.is_empty()
                {
                    match expr::eval(c, name, opts) {
                        Some(true) => {}
                        Some(false) => continue,
                        None => {
                            out.error = Some(format!(
                                "{}:{lnnum}: unsupported constraint {c:?}",
                                file.display()
                            ));
                            return out;
                        }
                    }
                }
                let flt = filters.get_mut(key).expect("loaded");
                out.checked += 1;
                // Like the Python loop, a journal prefix is prepended to the
                // line variable itself (so it also reaches later option sets).
                if opts.get("logtype").and_then(Value::as_str) == Some("journal")
                    && let Some(Value::String(p)) = opts.get("test.prefix-line")
                    && !p.is_empty()
                {
                    line = format!("{p}{line}");
                }
                match check_line(flt, &line, &faildata, opts, &tz) {
                    Ok(()) => out.passed += 1,
                    Err(e) => out.failures.push(format!(
                        "{key}: {}:{lnnum}: {e}\n  line: {line}",
                        files[i - 1]
                    )),
                }
            }
        }
    }
    // fail2ban's coverage rule: every regex of every option set was hit
    // in that set, or the same regex text was hit in another set.
    let used_re: std::collections::HashSet<&str> = filters
        .values()
        .flat_map(|f| {
            f.regexes
                .iter()
                .zip(&f.used)
                .filter(|(_, u)| **u)
                .map(|(r, _)| r.as_str())
        })
        .collect();
    for (key, f) in &filters {
        out.regexes_total += f.regexes.len();
        for (n, used) in f.used.iter().enumerate() {
            if *used || used_re.contains(f.regexes[n].as_str()) {
                out.regexes_covered += 1;
            } else {
                out.uncovered
                    .push(format!("{key}: regex {n} has no samples: {}", f.regexes[n]));
                out.uncovered_regexes.push(f.regexes[n].clone());
            }
        }
    }
    out
}

/// What loading one option set of a filter needs.
struct Variant<'a> {
    name: &'a str,
    basedir: &'a Path,
    env: &'a SampleEnv,
    greed: &'a crate::pyre::Regex,
}

impl Variant<'_> {
    /// Loads the option set `key` once (fail2ban's `_readFilter` cache);
    /// `false` after recording the error in `out`.
    fn ensure(
        &self,
        filters: &mut crate::Map<String, LoadedFilter>,
        out: &mut FilterOutcome,
        key: &str,
        opts: &Map<String, Value>,
    ) -> bool {
        if filters.contains_key(key) {
            return true;
        }
        match load_filter(self.name, self.basedir, opts, self.env) {
            Ok(f) => {
                lint_greedy(out, self.greed, key, &f);
                out.variants.push((key.to_string(), f.regexes.len()));
                filters.insert(key.to_string(), f);
                true
            }
            Err(e) => {
                out.error = Some(format!("{key}: {e}"));
                false
            }
        }
    }
}

fn lint_greedy(out: &mut FilterOutcome, greed: &crate::pyre::Regex, key: &str, f: &LoadedFilter) {
    for r in &f.regexes {
        if greed.is_match(r).unwrap_or(false) {
            out.greedy.push(format!(
                "{key}: greedy catch-all before <HOST>, not hard-anchored: {r}"
            ));
        }
    }
}

/// Python's `re.escape` (3.7+): escapes only the special characters.
fn py_re_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The sample test's lint: a greedy catch-all (`.*`/`.+`) before `<HOST>`
/// that is not hard-anchored at the end (`RE_WRONG_GREED`).
pub fn wrong_greed(flavor: Flavor) -> crate::pyre::Regex {
    let host = crate::filter::tags::resolve_tags("<HOST>", "yes", flavor);
    let pattern = format!(
        r"\.[+\*](?!\?)[^\$\^]*{}.*(?:\.[+\*].*|[^\$])$",
        py_re_escape(&host)
    );
    crate::pyre::compile(&pattern, crate::pyre::Flags::default()).expect("RE_WRONG_GREED compiles")
}

fn check_line(
    flt: &mut LoadedFilter,
    line: &str,
    faildata: &Map<String, Value>,
    opts: &Map<String, Value>,
    tz: &jiff::tz::TimeZone,
) -> Result<(), String> {
    let result = if opts.get("logtype").and_then(Value::as_str) != Some("journal") {
        let date = DateFound::from_date_match(flt.date.as_mut().and_then(|d| d.detect(line)));
        flt.filter.process_line(line, date, TEST_NOW)
    } else {
        flt.filter.process_dated(
            TupleLine::new("", "2005-08-14T10:00:00", line),
            LogTime {
                secs: TEST_NOW,
                is_int: true,
            },
        )
    };
    let mut found = Vec::new();
    for f in &result.failures {
        if f.fid.is_none() || f.is_nofail() {
            flt.used[f.regex_index] = true;
            continue;
        }
        found.push(f);
    }
    let expect_match = faildata
        .get("match")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if found.is_empty() {
        return if expect_match {
            Err("line not matched when it should have been".into())
        } else {
            Ok(())
        };
    }
    if !expect_match {
        return Err(format!(
            "line matched by failregex #{} when it should not have been",
            found[0].regex_index + 1
        ));
    }
    if found.len() != 1 {
        let idx: Vec<String> = found
            .iter()
            .map(|f| (f.regex_index + 1).to_string())
            .collect();
        return Err(format!("multiple regexes matched: {}", idx.join(", ")));
    }
    let f = found[0];
    let fail = f.fail.borrow();
    for (k, v) in faildata {
        if matches!(k.as_str(), "time" | "match" | "desc" | "constraint") {
            continue;
        }
        let fv = fail.get(k).cloned().unwrap_or(FailValue::None);
        let ok = if fv.is_none() && k == "host" {
            match (&f.fid, v) {
                (Some(fid), Value::String(e)) => ip_matches(fid, e),
                _ => false,
            }
        } else if fv.is_none() && k == "attempts" {
            let n = match fail.get("matches") {
                Some(FailValue::Lines(l)) => l.len() as i64,
                _ => 0,
            };
            v.as_i64() == Some(n)
        } else {
            value_matches(&fv, v)
        };
        if !ok {
            let got = if k == "host" && fv.is_none() {
                f.fid.as_ref().map_or("None".into(), |i| i.ntoa())
            } else {
                fv.repr()
            };
            return Err(format!(
                "{k}: expected {v}, got {got} (failregex #{})",
                f.regex_index + 1
            ));
        }
    }
    if let Some(Value::String(t)) = faildata.get("time") {
        let want = json_time(t, tz).ok_or_else(|| format!("bad time {t}"))?;
        let got = f.date.map(|d| d.secs);
        if got != Some(want) {
            return Err(format!(
                "time: expected {t} ({want}), got {got:?} (failregex #{})",
                f.regex_index + 1
            ));
        }
    }
    flt.used[f.regex_index] = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_time_like_strptime() {
        let tz = jiff::tz::TimeZone::posix(TEST_TZ).expect("zone");
        assert_eq!(json_time("2005-08-14T12:00:00", &tz), Some(TEST_NOW));
        assert_eq!(
            json_time("2005-03-7T02:09:33", &tz),
            json_time("2005-03-07T02:09:33", &tz)
        );
        assert_eq!(
            json_time("2005-08-14T12:00:00.5", &tz),
            Some(TEST_NOW + 0.5)
        );
        assert_eq!(
            json_time("2005-08-14T12:00:00.000123", &tz),
            Some(TEST_NOW + 0.000123)
        );
        assert_eq!(json_time("05-08-14T12:00:00", &tz), None);
    }
}
