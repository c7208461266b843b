//! `fail2ban.conf` & co.: the server-wide options and their part of the
//! command stream (fail2ban's `Fail2banReader`).

use super::definition::OptType;
use super::error::ConfigError;
use super::store::{NamedConfig, Store};
use super::value::OptValue;
use super::{OptSpec, reader_get_options};
use crate::Map;
use crate::pyfmt::PyValue;

/// Options the client needs before anything else (`getEarlyOptions`).
pub fn early_options(
    store: &mut Store,
    cfg: &NamedConfig,
) -> Result<Map<String, OptValue>, ConfigError> {
    let specs = [
        ("socket", "/var/run/fail2ban/fail2ban.sock"),
        ("pidfile", "/var/run/fail2ban/fail2ban.pid"),
        ("loglevel", "INFO"),
        ("logtarget", "/var/log/fail2ban.log"),
        ("syslogsocket", "auto"),
    ]
    .map(|(n, d)| OptSpec::new(n, OptType::Str, Some(OptValue::str(d))));
    reader_get_options(store, &cfg.parser, "Definition", &specs, None, false, true)
}

/// fail2ban's `str2LogLevel` plus the `logging.getLevelName` the client
/// calls on its result: `Err` with Python's message if either fails.
pub fn check_log_level(value: &OptValue) -> Result<(), String> {
    use crate::pyfmt::chars::{decimal_value, is_digit};
    let text = match value {
        OptValue::Int(_) => return Ok(()),
        OptValue::Str(s) => s.text.clone(),
        other => other.to_py().repr(),
    };
    if !text.is_empty() && text.chars().all(is_digit) {
        // isdigit() accepts superscripts that int() then rejects.
        return if text.chars().all(|c| decimal_value(c).is_some()) {
            Ok(())
        } else {
            Err(format!(
                "invalid literal for int() with base 10: {}",
                crate::pyfmt::str_repr(&text)
            ))
        };
    }
    // Attributes of Python's `logging` module (with fail2ban's levels) that
    // `getattr(logging, value.upper())` can reach.
    match text.to_uppercase().as_str() {
        "BASIC_FORMAT" | "CRITICAL" | "DEBUG" | "ERROR" | "FATAL" | "HEAVYDEBUG" | "INFO"
        | "MSG" | "NOTICE" | "NOTSET" | "TRACEDEBUG" | "WARN" | "WARNING" => Ok(()),
        "_STYLES" => Err("unhashable type: 'dict'".into()),
        _ => Err(format!(
            "Invalid log level {}",
            crate::pyfmt::str_repr(&text)
        )),
    }
}

/// The general options (`Fail2banReader.getOptions`), overlaid by the
/// command-line/early values in `main_opts`.
pub fn general_options(
    store: &mut Store,
    cfg: &NamedConfig,
    main_opts: &Map<String, OptValue>,
) -> Result<Map<String, OptValue>, ConfigError> {
    use OptType::*;
    let specs = vec![
        OptSpec::new("loglevel", Str, Some(OptValue::str("INFO"))),
        OptSpec::new("logtarget", Str, Some(OptValue::str("STDERR"))),
        OptSpec::new("syslogsocket", Str, Some(OptValue::str("auto"))),
        OptSpec::new("allowipv6", Str, Some(OptValue::str("auto"))),
        OptSpec::new(
            "dbfile",
            Str,
            Some(OptValue::str("/var/lib/fail2ban/fail2ban.sqlite3")),
        ),
        OptSpec::new("dbmaxmatches", Int, None),
        OptSpec::new("dbpurgeage", Str, Some(OptValue::str("1d"))),
    ];
    let mut opts = reader_get_options(store, &cfg.parser, "Definition", &specs, None, false, true)?;
    for (k, v) in main_opts {
        opts.insert(k.clone(), v.clone());
    }
    if let Some(level) = opts.get("loglevel") {
        check_log_level(level).map_err(|m| ConfigError::fatal(m, None))?;
    }
    if cfg.parser.has_section("Thread") {
        let th = reader_get_options(
            store,
            &cfg.parser,
            "Thread",
            &[OptSpec::new("stacksize", Int, None)],
            None,
            false,
            true,
        )?;
        if !th.is_empty() {
            opts.insert("thread".into(), OptValue::Dict(th.into_iter().collect()));
        }
    }
    Ok(opts)
}

/// The general part of the stream, in fail2ban's fixed rank order.
pub fn general_stream(opts: &Map<String, OptValue>) -> Vec<PyValue> {
    let rank = |k: &str| -> Option<u8> {
        Some(match k {
            "thread" => 0,
            "syslogsocket" => 11,
            "loglevel" => 12,
            "logtarget" => 13,
            "allowipv6" => 14,
            "dbfile" => 50,
            "dbmaxmatches" | "dbpurgeage" => 51,
            _ => return None,
        })
    };
    let mut ranked: Vec<(u8, &str, PyValue)> = opts
        .iter()
        .filter_map(|(k, v)| rank(k).map(|r| (r, k.as_str(), v.to_py())))
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    ranked
        .into_iter()
        .map(|(_, k, v)| PyValue::List(vec![PyValue::str("set"), PyValue::str(k), v]))
        .collect()
}
