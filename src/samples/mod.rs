//! A runner for fail2ban's annotated sample logs (`tests/files/logs/<filter>`
//! with `# failJSON:` lines), with the rules of fail2ban's own sample test:
//! each option set of `filterOptions` gets its own filter, every annotated
//! line must give exactly the expected failure (or none), and every
//! failregex of every option set must be hit by some sample.

mod expr;
mod load;

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
        SampleEnv {
            flavor,
            logs_dir: logs_dir.to_path_buf(),
            date_opts: DateOptions::fixed(TEST_NOW, tz),
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
    pub error: Option<String>,
}

impl FilterOutcome {
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.failures.is_empty() && self.uncovered.is_empty()
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
    if !matches!(kind, "failJSON" | "fileOptions" | "filterOptions" | "addFILE") || json.is_empty() {
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
    let mut lines: Vec<String> = text.split_inclusive('\n').map(|l| l.trim_end_matches(['\r', '\n']).to_string()).collect();
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

fn py_json_repr(v: &Value) -> String {
    match v {
        Value::String(s) => crate::pyfmt::str_repr(s),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
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
        (FailValue::Set(items) | FailValue::Tuple(items), Value::Array(exp)) => {
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

/// Local civil time of the test zone → epoch seconds (`time.mktime`).
fn json_time(t: &str, tz: &jiff::tz::TimeZone) -> Option<f64> {
    let (main, frac) = match t.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (t, None),
    };
    let dt: jiff::civil::DateTime = main.parse().ok()?;
    let ts = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
    let mut secs = ts.as_second() as f64;
    if let Some(f) = frac {
        let micros: f64 = format!("0.{f}").parse().ok()?;
        secs += micros;
    }
    Some(secs)
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
                        if let Some(Value::String(cond)) = opts.get("test.condition") {
                            ignore_block = !expr::eval(cond, name, &opts);
                        }
                        if !ignore_block {
                            let key = format!("{name}{}", label(&opts));
                            if !filters.contains_key(&key) {
                                match load_filter(name, basedir, &opts, env) {
                                    Ok(f) => {
                                        out.variants.push((key.clone(), f.regexes.len()));
                                        filters.insert(key.clone(), f);
                                    }
                                    Err(e) => {
                                        out.error = Some(format!("{key}: {e}"));
                                        return out;
                                    }
                                }
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
                if !filters.contains_key(&key) {
                    match load_filter(name, basedir, &Map::new(), env) {
                        Ok(f) => {
                            out.variants.push((key.clone(), f.regexes.len()));
                            filters.insert(key.clone(), f);
                        }
                        Err(e) => {
                            out.error = Some(format!("{key}: {e}"));
                            return out;
                        }
                    }
                }
                active.push((key, Map::new()));
            }
            for (key, opts) in &active {
                if let Some(Value::String(c)) = faildata.get("constraint")
                    && !expr::eval(c, name, opts)
                {
                    continue;
                }
                let flt = filters.get_mut(key).expect("loaded");
                out.checked += 1;
                match check_line(flt, &line, &faildata, opts, &tz, env) {
                    Ok(()) => out.passed += 1,
                    Err(e) => out.failures.push(format!(
                        "{key}: {}:{lnnum}: {e}\n  line: {line}",
                        files[i - 1]
                    )),
                }
            }
        }
    }
    // fail2ban's coverage rule, per option set and regex index.
    for (key, f) in &filters {
        for (n, used) in f.used.iter().enumerate() {
            if !used {
                out.uncovered.push(format!("{key}: #{} {}", n + 1, f.regexes[n]));
            }
        }
    }
    out
}

fn check_line(
    flt: &mut LoadedFilter,
    line: &str,
    faildata: &Map<String, Value>,
    opts: &Map<String, Value>,
    tz: &jiff::tz::TimeZone,
    env: &SampleEnv,
) -> Result<(), String> {
    let result = if opts.get("logtype").and_then(Value::as_str) != Some("journal") {
        let date = match flt.date.as_mut().and_then(|d| d.detect(line)) {
            Some(m) => DateFound::Match {
                start: m.span.0,
                end: m.span.1,
                time: m.time.map(|secs| LogTime {
                    secs,
                    is_int: m.time_is_int,
                }),
            },
            None => DateFound::NoMatch,
        };
        flt.filter.process_line(line, date, TEST_NOW)
    } else {
        let mut l = line.to_string();
        if let Some(Value::String(p)) = opts.get("test.prefix-line") {
            l = format!("{p}{l}");
        }
        flt.filter.process_dated(
            TupleLine::new("", "2005-08-14T10:00:00", &l),
            LogTime {
                secs: TEST_NOW,
                is_int: true,
            },
        )
    };
    let _ = env;
    let mut found = Vec::new();
    for f in &result.failures {
        if f.fid.is_none() || f.is_nofail() {
            flt.used[f.regex_index] = true;
            continue;
        }
        found.push(f);
    }
    let expect_match = faildata.get("match").and_then(Value::as_bool).unwrap_or(false);
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
        let idx: Vec<String> = found.iter().map(|f| (f.regex_index + 1).to_string()).collect();
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
            return Err(format!("{k}: expected {v}, got {got} (failregex #{})", f.regex_index + 1));
        }
    }
    if let Some(Value::String(t)) = faildata.get("time") {
        let want = json_time(t, tz).ok_or_else(|| format!("bad time {t}"))?;
        let got = f.date.map(|d| d.secs);
        if got != Some(want) {
            return Err(format!("time: expected {t} ({want}), got {got:?} (failregex #{})", f.regex_index + 1));
        }
    }
    flt.used[f.regex_index] = true;
    Ok(())
}
