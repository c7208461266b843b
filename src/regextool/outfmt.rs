//! `-o/--out` (fail2ban-regex's one-line-per-failure forms) and f2b's JSON
//! Lines output.

use crate::filter::groups::{FailValue, dict_repr, time_repr};
use crate::filter::{Failure, LineResult};
use crate::pyfmt::{float_repr, str_repr};
use std::io::Write;

fn fid_str(f: &Failure) -> String {
    f.fid.as_ref().map_or_else(|| "None".into(), |i| i.ntoa())
}

fn fid_repr(f: &Failure) -> String {
    f.fid
        .as_ref()
        .map_or_else(|| "None".into(), |i| str_repr(&i.ntoa()))
}

fn match_lines(f: &Failure) -> Vec<String> {
    match f.fail.borrow().get("matches") {
        Some(FailValue::Lines(l)) => l.iter().map(|t| t.full()).collect(),
        _ => Vec::new(),
    }
}

/// Prints the failures of one line in the `-o FMT` form.
pub fn print_out(out: &mut dyn Write, fmt: &str, ret: &[&Failure]) {
    match fmt {
        "id" | "fid" => {
            for r in ret {
                let _ = writeln!(out, "{}", fid_str(r));
            }
        }
        "ip" => {
            for r in ret {
                let v = r.fail.borrow().get("ip").map(|v| v.to_py_str());
                let _ = writeln!(out, "{}", v.unwrap_or_else(|| fid_str(r)));
            }
        }
        "msg" => {
            for r in ret {
                for l in match_lines(r) {
                    let _ = writeln!(out, "{l}");
                }
            }
        }
        "row" => {
            for r in ret {
                let _ = writeln!(
                    out,
                    "[{},\t{},\t{}],",
                    fid_repr(r),
                    time_repr(r.date),
                    dict_repr(&r.fail.borrow(), "matches")
                );
            }
        }
        f if !f.contains('<') => {
            for r in ret {
                let v = r.fail.borrow().get(f).map(|v| v.to_py_str());
                let _ = writeln!(out, "{}", v.unwrap_or_else(|| "None".into()));
            }
        }
        template => print_template(out, template, ret),
    }
}

const MSG_MARK: &str = "\x00msg\x00";

/// Ban-info tags of a failure, as fail2ban's ActionInfo exposes them.
fn action_tag(f: &Failure, tag: &str, wrap: &mut bool) -> Option<String> {
    let fail = f.fail.borrow();
    let ip = || {
        fail.get("ip")
            .map(|v| v.to_py_str())
            .unwrap_or_else(|| fid_str(f))
    };
    let joined = || match_lines(f).join("\n");
    Some(match tag {
        "ip" => ip(),
        "fid" => fid_str(f),
        "family" => {
            let ipv = crate::filter::ipaddr::IpAddr::new(&ip(), crate::filter::ipaddr::CIDR_UNSPEC);
            match ipv.family {
                crate::filter::ipaddr::Family::V4 => "inet4".into(),
                crate::filter::ipaddr::Family::V6 => "inet6".into(),
                _ => "None".into(),
            }
        }
        "failures" | "ipfailures" | "ipjailfailures" => match fail.get("failures") {
            Some(v) => v.to_py_str(),
            None => "0".into(),
        },
        // A failure without a date gets the current time as its ticket time.
        "time" => f
            .date
            .map_or_else(|| float_repr(super::now()), |t| t.repr()),
        "bancount" | "restored" => "0".into(),
        "matches" | "ipmatches" | "ipjailmatches" => joined(),
        "msg" => {
            if !*wrap && match_lines(f).len() <= 1 {
                joined()
            } else {
                *wrap = true;
                MSG_MARK.into()
            }
        }
        "br" => "\n".into(),
        "sp" => " ".into(),
        _ => return None,
    })
}

/// `<([^ <>]+)>` tags, then `<F-NAME>` capture tags, each replaced once.
fn substitute(template: &str, f: &Failure, wrap: &mut bool) -> String {
    let mut out = String::with_capacity(template.len());
    let b = template.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'<'
            && let Some(len) = template[i + 1..].find(['<', '>', ' '])
            && len > 0
            && template[i + 1 + len..].starts_with('>')
        {
            let tag = &template[i + 1..i + 1 + len];
            if let Some(v) = action_tag(f, tag, wrap) {
                out.push_str(&template[last..i]);
                if tag == "msg" {
                    out.push_str(&v);
                } else {
                    out.push_str(&v.replace('\x00', "\\x00"));
                }
                i += len + 2;
                last = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&template[last..]);
    if !out.contains('<') {
        return out;
    }
    // Capture tags: `<F-NAME>` with NAME upper case.
    let fail = f.fail.borrow();
    let mut res = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(p) = rest.find("<F-") {
        let after = &rest[p + 3..];
        let n = after
            .bytes()
            .take_while(|c| {
                c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-'
            })
            .count();
        if n > 0 && after[n..].starts_with('>') {
            res.push_str(&rest[..p]);
            let key = crate::filter::tags::map_tag_to_opt(&after[..n]);
            // The ticket keeps only groups that matched (not `None`).
            if let Some(v) = fail.get(&key).filter(|v| !v.is_none()) {
                res.push_str(&v.to_py_str().replace('\x00', "\\x00"));
            }
            rest = &after[n + 1..];
        } else {
            res.push_str(&rest[..p + 3]);
            rest = after;
        }
    }
    res.push_str(rest);
    res
}

fn print_template(out: &mut dyn Write, template: &str, ret: &[&Failure]) {
    let mut wrap = false;
    let mut rows: Vec<(&Failure, String)> = Vec::new();
    for r in ret {
        let v = substitute(template, r, &mut wrap);
        if wrap {
            rows.push((r, v));
            continue;
        }
        let _ = writeln!(out, "{v}");
    }
    for (r, v) in rows {
        for l in match_lines(r) {
            let _ = writeln!(out, "{}", v.replace(MSG_MARK, &l));
        }
    }
}

fn json_value(v: &FailValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        FailValue::None => Value::Null,
        FailValue::Str(s) => Value::String(s.clone()),
        FailValue::Int(i) => Value::from(*i),
        FailValue::Tuple(items) | FailValue::Set(items) => {
            Value::Array(items.iter().map(json_value).collect())
        }
        FailValue::Ip(ip) => Value::String(ip.ntoa()),
        FailValue::Lines(l) => Value::Array(l.iter().map(|t| Value::String(t.full())).collect()),
    }
}

/// One JSON object for a line a failregex matched (see docs/json.md).
pub fn json_line(
    out: &mut dyn Write,
    line_no: u64,
    result: &LineResult,
    counted: &[&Failure],
    ignored: bool,
) {
    use serde_json::{Map, Value, json};
    let first = counted.first().copied().or(result.failures.first());
    let regex_index = first
        .map(|f| f.regex_index)
        .or(result.ignored_fail_hits.first().copied());
    let Some(index) = regex_index else {
        return;
    };
    let mut groups = Map::new();
    let (host, ip, time) = match first {
        Some(f) => {
            let fail = f.fail.borrow();
            for (k, v) in fail.iter() {
                if k == "matches" || k == "nofail-matches" {
                    continue;
                }
                groups.insert(k.clone(), json_value(v));
            }
            let host = f.fid.as_ref().map(|i| i.ntoa());
            let ip = fail.get("ip").map(|v| v.to_py_str()).or(host.clone());
            (host, ip, f.date)
        }
        None => (None, None, None),
    };
    let mut regexes: Vec<usize> = result.failures.iter().map(|f| f.regex_index).collect();
    regexes.extend(result.ignored_fail_hits.iter().copied());
    regexes.dedup();
    let obj = json!({
        "line": line_no,
        "matched": !counted.is_empty() && !ignored,
        "ignored": ignored,
        "host": host,
        "ip": ip,
        "time": time.map(|t| t.secs),
        "failregex": index,
        "failregexes": regexes,
        "groups": Value::Object(groups),
    });
    let _ = writeln!(out, "{obj}");
}
