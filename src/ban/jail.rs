//! A replay configuration from fail2ban's command stream (what
//! `fail2ban-client -d` prints and the server executes): the general
//! settings the replay needs and, per jail, the filter, the failure and ban
//! settings and the log files.

use super::expr::Expr;
use super::ignore::IgnoreList;
use super::increment::Increment;
use crate::config::timestr::{Seconds, str2seconds};
use crate::pyfmt::PyValue;

/// One jail as the server would run it.
#[derive(Clone, Debug)]
pub struct JailConfig {
    pub name: String,
    pub backend: String,
    /// `usedns` (the replay uses `no` when the stream does not set it).
    pub use_dns: String,
    pub prefregex: Option<String>,
    pub failregex: Vec<String>,
    pub ignoreregex: Vec<String>,
    pub maxlines: usize,
    pub datepattern: Option<String>,
    pub logtimezone: Option<String>,
    pub logencoding: String,
    pub maxretry: i64,
    /// `findtime` in seconds.
    pub findtime: f64,
    pub bantime: Seconds,
    pub increment: Increment,
    pub ignore: IgnoreList,
    /// `addlogpath` files.
    pub logpaths: Vec<String>,
    /// The `logpath` entries as configured (for the recidive test), when
    /// known.
    pub logpath_raw: Vec<String>,
}

impl JailConfig {
    /// A jail with the server's built-in defaults.
    pub fn new(name: &str, backend: &str) -> JailConfig {
        JailConfig {
            name: name.to_string(),
            backend: backend.to_string(),
            use_dns: "no".into(),
            prefregex: None,
            failregex: Vec::new(),
            ignoreregex: Vec::new(),
            maxlines: 1,
            datepattern: None,
            logtimezone: None,
            logencoding: "auto".into(),
            maxretry: 3,
            findtime: 600.0,
            bantime: Seconds::Int(600),
            increment: Increment::default(),
            ignore: IgnoreList::new(),
            logpaths: Vec::new(),
            logpath_raw: Vec::new(),
        }
    }
}

/// Everything a replay needs from a configuration.
#[derive(Clone, Debug)]
pub struct ReplayConfig {
    pub jails: Vec<JailConfig>,
    pub loglevel: String,
    pub logtarget: String,
    /// `dbfile` is not `None`: ban history (and so `bantime.increment`)
    /// is kept.
    pub db: bool,
    /// `dbpurgeage` in seconds.
    pub db_purge_age: f64,
}

fn text(v: &PyValue) -> String {
    match v {
        PyValue::Str(s) => s.clone(),
        PyValue::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        PyValue::Int(i) => i.to_string(),
        PyValue::LongInt(s) => s.clone(),
        PyValue::Float(f) => crate::pyfmt::float_repr(*f),
        PyValue::None => "None".to_string(),
        other => other.repr(),
    }
}

/// Python truthiness of a stream value.
fn truthy(v: &PyValue) -> bool {
    match v {
        PyValue::Bool(b) => *b,
        PyValue::Str(s) => !s.is_empty(),
        PyValue::Int(i) => *i != 0,
        PyValue::Float(f) => *f != 0.0,
        PyValue::None => false,
        PyValue::LongInt(_) => true,
        PyValue::List(l) => !l.is_empty(),
        PyValue::Dict(d) => !d.is_empty(),
    }
}

fn seconds(v: &PyValue, what: &str) -> Result<Seconds, String> {
    match v {
        PyValue::Int(i) => Ok(Seconds::Int(*i as i128)),
        PyValue::Float(f) => Ok(Seconds::Float(*f)),
        other => str2seconds(&text(other)).map_err(|e| format!("{what}: {e}")),
    }
}

fn int(v: &PyValue, what: &str) -> Result<i64, String> {
    match v {
        PyValue::Int(i) => Ok(*i),
        other => {
            let t = text(other);
            crate::config::value::py_int(&t)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("{what}: invalid literal for int(): {t:?}"))
        }
    }
}

#[derive(Default)]
struct Extra {
    opts: Vec<(String, PyValue)>,
}

impl ReplayConfig {
    /// Reads the enabled jails of a configuration directory, as
    /// `fail2ban-client` would send them to the server.
    pub fn from_dir(conf: &str) -> Result<ReplayConfig, String> {
        let out = crate::client::run(&crate::client::ClientOptions {
            conf: conf.to_string(),
            test: true,
            dump: Some(crate::client::DumpMode::Plain),
            ..Default::default()
        });
        if let Some(e) = &out.fatal {
            return Err(format!("configuration of {conf}: {}", e.message));
        }
        let Some(stream) = &out.stream else {
            return Err(format!("configuration of {conf} has errors"));
        };
        let mut cfg = ReplayConfig::from_stream(stream)?;
        for j in &mut cfg.jails {
            if let Some(jail) = out.jails.iter().find(|x| x.name == j.name)
                && let Some(v) = jail.opts.get("logpath").and_then(|v| v.as_var())
            {
                j.logpath_raw = v
                    .text
                    .split('\n')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| match l.rsplit_once(' ') {
                        Some((p, "head" | "tail")) => p.to_string(),
                        _ => l.to_string(),
                    })
                    .collect();
            }
        }
        Ok(cfg)
    }

    /// Builds the configuration from a command stream.
    pub fn from_stream(stream: &[PyValue]) -> Result<ReplayConfig, String> {
        let mut cfg = ReplayConfig {
            jails: Vec::new(),
            loglevel: "INFO".into(),
            logtarget: "/var/log/fail2ban.log".into(),
            db: true,
            db_purge_age: 86400.0,
        };
        let mut extras: Vec<Extra> = Vec::new();
        for cmd in stream {
            let PyValue::List(parts) = cmd else { continue };
            let word = |i: usize| parts.get(i).map(text).unwrap_or_default();
            match word(0).as_str() {
                "add" => {
                    let backend = parts.get(2).map(text).unwrap_or_else(|| "auto".into());
                    cfg.jails.push(JailConfig::new(&word(1), &backend));
                    extras.push(Extra::default());
                }
                "set" if parts.len() == 3 => {
                    let v = &parts[2];
                    match word(1).as_str() {
                        "loglevel" => cfg.loglevel = text(v),
                        "logtarget" => cfg.logtarget = text(v),
                        "dbfile" => cfg.db = text(v).to_lowercase() != "none",
                        "dbpurgeage" => cfg.db_purge_age = seconds(v, "dbpurgeage")?.as_f64(),
                        _ => {}
                    }
                }
                "set" | "multi-set" if parts.len() >= 4 => {
                    let name = word(1);
                    let Some(idx) = cfg.jails.iter().position(|j| j.name == name) else {
                        continue;
                    };
                    let opt = word(2);
                    let values: Vec<&PyValue> = if word(0) == "multi-set" {
                        match &parts[3] {
                            PyValue::List(l) => l.iter().collect(),
                            other => vec![other],
                        }
                    } else {
                        parts[3..].iter().collect()
                    };
                    let j = &mut cfg.jails[idx];
                    let first = values[0];
                    match opt.as_str() {
                        "usedns" => {
                            let v = text(first).to_lowercase();
                            j.use_dns = if matches!(v.as_str(), "yes" | "warn" | "no" | "raw") {
                                v
                            } else {
                                "no".into()
                            };
                        }
                        "prefregex" => {
                            let v = text(first);
                            j.prefregex = (!v.is_empty()).then_some(v);
                        }
                        "addfailregex" => j.failregex.extend(values.iter().map(|v| text(v))),
                        "addignoreregex" => j.ignoreregex.extend(values.iter().map(|v| text(v))),
                        "maxlines" => j.maxlines = int(first, "maxlines")?.max(1) as usize,
                        "datepattern" => j.datepattern = Some(text(first)),
                        "logtimezone" => j.logtimezone = Some(text(first)),
                        "logencoding" => j.logencoding = text(first),
                        "maxretry" => j.maxretry = int(first, "maxretry")?,
                        "findtime" => j.findtime = seconds(first, "findtime")?.as_f64(),
                        "bantime" => j.bantime = seconds(first, "bantime")?,
                        "ignoreself" => {
                            j.ignore.ignore_self = crate::config::value::as_bool(&text(first))
                        }
                        "addignoreip" => {
                            for v in &values {
                                j.ignore.add(&text(v));
                            }
                        }
                        "ignorecommand" => {
                            let v = text(first);
                            j.ignore.command = (!v.is_empty()).then_some(v);
                        }
                        "addlogpath" => j.logpaths.push(text(first)),
                        o if o.starts_with("bantime.") => extras[idx]
                            .opts
                            .push((o["bantime.".len()..].to_string(), first.clone())),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        for (j, extra) in cfg.jails.iter_mut().zip(extras) {
            apply_increment(j, &extra)?;
            if j.logpath_raw.is_empty() {
                j.logpath_raw = j.logpaths.clone();
            }
        }
        Ok(cfg)
    }
}

/// The `bantime.*` options in the order they were set (`setBanTimeExtra`).
fn apply_increment(j: &mut JailConfig, extra: &Extra) -> Result<(), String> {
    let mut inc = Increment::default();
    let mut factor = "1".to_string();
    let mut formula: Option<String> = None;
    let mut set_any = false;
    for (opt, v) in &extra.opts {
        let t = text(v);
        let unset = matches!(v, PyValue::Str(s) if s.is_empty()) || matches!(v, PyValue::None);
        let ctx = |e: String| format!("jail {}: bantime.{opt}: {e}", j.name);
        set_any = true;
        match opt.as_str() {
            "increment" => inc.enabled = !unset && crate::config::value::as_bool(&t),
            "overalljails" => inc.overall_jails = !unset && truthy(v),
            "factor" => factor = if unset { "1".into() } else { t },
            "formula" => formula = (!unset).then_some(t),
            "multipliers" => {
                inc.multipliers = if unset {
                    Vec::new()
                } else {
                    t.split(' ')
                        .map(|w| {
                            w.parse::<i64>()
                                .map_err(|_| ctx(format!("invalid literal for int(): {w:?}")))
                        })
                        .collect::<Result<_, _>>()?
                }
            }
            "maxtime" => {
                inc.max_time = if unset {
                    None
                } else {
                    Some(seconds(v, "maxtime").map_err(ctx)?)
                }
            }
            "rndtime" => {
                inc.rnd_time = if unset {
                    None
                } else {
                    Some(seconds(v, "rndtime").map_err(ctx)?)
                }
            }
            _ => {}
        }
    }
    if set_any {
        let f =
            Expr::parse(&factor).map_err(|e| format!("jail {}: bantime.factor: {e}", j.name))?;
        if f.uses_vars() {
            return Err(format!(
                "jail {}: bantime.factor {factor:?}: fail2ban evaluates it without ban variables",
                j.name
            ));
        }
        inc.factor = f
            .eval(&super::expr::Env {
                ban_time: Seconds::Int(0),
                ban_count: 0,
                ban_factor: Seconds::Int(1),
            })
            .map_err(|e| format!("jail {}: bantime.factor: {e}", j.name))?;
        if let Some(text) = formula {
            inc.formula =
                Expr::parse(&text).map_err(|e| format!("jail {}: bantime.formula: {e}", j.name))?;
        }
    }
    j.increment = inc;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(parts: &[&str]) -> PyValue {
        PyValue::List(parts.iter().map(|p| PyValue::str(*p)).collect())
    }

    fn stream(extra: &[&[&str]]) -> Vec<PyValue> {
        let mut s = vec![
            cmd(&["set", "dbpurgeage", "2h"]),
            cmd(&["set", "loglevel", "NOTICE"]),
            cmd(&["add", "web", "polling"]),
            cmd(&["set", "web", "usedns", "no"]),
            cmd(&["set", "web", "maxretry", "4"]),
            cmd(&["set", "web", "findtime", "1h"]),
            cmd(&["set", "web", "bantime", "-1"]),
            cmd(&["set", "web", "addignoreip", "10.0.0.0/8", "192.0.2.1"]),
            cmd(&["set", "web", "addlogpath", "/var/log/web.log", "head"]),
        ];
        s.extend(extra.iter().map(|p| cmd(p)));
        s
    }

    #[test]
    fn settings_from_the_stream() {
        let cfg = ReplayConfig::from_stream(&stream(&[
            &["set", "web", "bantime.increment", "true"],
            &["set", "web", "bantime.factor", "2"],
            &["set", "web", "bantime.maxtime", "1d"],
        ]))
        .unwrap();
        assert_eq!(cfg.db_purge_age, 7200.0);
        assert_eq!(cfg.loglevel, "NOTICE");
        let j = &cfg.jails[0];
        assert_eq!((j.maxretry, j.findtime), (4, 3600.0));
        assert_eq!(j.bantime, Seconds::Int(-1));
        assert_eq!(j.logpaths, vec!["/var/log/web.log".to_string()]);
        assert!(j.increment.enabled);
        assert_eq!(j.increment.factor, Seconds::Int(2));
        assert_eq!(j.increment.max_time, Some(Seconds::Int(86400)));
    }

    #[test]
    fn expressions_outside_the_evaluator_are_errors() {
        let e = ReplayConfig::from_stream(&stream(&[&[
            "set",
            "web",
            "bantime.formula",
            "__import__('os').getpid()",
        ]]))
        .unwrap_err();
        assert!(e.contains("bantime.formula"), "{e}");
        let e =
            ReplayConfig::from_stream(&stream(&[&["set", "web", "bantime.factor", "ban.Time"]]))
                .unwrap_err();
        assert!(e.contains("bantime.factor"), "{e}");
    }
}
