//! Turning read jails into fail2ban's command stream (what `fail2ban-client
//! -d` prints and the server executes).

use super::definition::Combined;
use super::error::ConfigError;
use super::jail::{Jail, JailAction};
use super::log::Level;
use super::params::splitwords;
use super::pypath;
use super::store::Store;
use super::value::OptValue;
use crate::pyfmt::PyValue;

fn s(v: &str) -> PyValue {
    PyValue::str(v)
}

/// `FilterReader._fillStream`: filter options (from a filter's combined set
/// or from the jail's own options) into commands.
pub fn fill_filter_stream(
    stream: &mut Vec<PyValue>,
    opts: &Combined,
    jail: &str,
) -> Result<(), ConfigError> {
    let mut prio0idx = 0;
    for (opt, value) in opts {
        if matches!(value, OptValue::None) {
            continue;
        }
        if opt == "failregex" || opt == "ignoreregex" {
            let text = value.as_var().map(|v| v.text).unwrap_or_default();
            let multi: Vec<PyValue> = text.split('\n').filter(|r| !r.is_empty()).map(s).collect();
            let cmd = format!("add{opt}");
            if multi.len() > 1 {
                stream.push(PyValue::List(vec![
                    s("multi-set"),
                    s(jail),
                    s(&cmd),
                    PyValue::List(multi),
                ]));
            } else if let Some(one) = multi.into_iter().next() {
                stream.push(PyValue::List(vec![s("set"), s(jail), s(&cmd), one]));
            }
        } else if matches!(opt.as_str(), "usedns" | "maxlines" | "prefregex") {
            let idx = if opt == "usedns" { 0 } else { prio0idx };
            stream.insert(
                idx.min(stream.len()),
                PyValue::List(vec![s("set"), s(jail), s(opt), value.to_py()]),
            );
            prio0idx += 1;
        } else if "datepattern".contains(opt.as_str()) {
            // fail2ban tests `opt in ('datepattern')`: a substring test.
            stream.push(PyValue::List(vec![
                s("set"),
                s(jail),
                s(opt),
                value.to_py(),
            ]));
        } else if opt == "journalmatch" {
            let text = value.as_var().map(|v| v.text).unwrap_or_default();
            for m in text.split('\n') {
                if m.is_empty() {
                    continue;
                }
                let words = super::shlex::split(m).map_err(|e| {
                    ConfigError::fatal(e, value.as_sstring().and_then(|v| v.first_loc()))
                })?;
                let mut cmd = vec![s("set"), s(jail), s("addjournalmatch")];
                cmd.extend(words.iter().map(|w| s(w)));
                stream.push(PyValue::List(cmd));
            }
        }
    }
    Ok(())
}

/// A command of a filter's stream as `(option, values)`: `set J opt V…`
/// gives its values, `multi-set J opt [V…]` its list (values as text).
pub fn filter_command(cmd: &PyValue) -> Option<(&str, Vec<String>)> {
    let PyValue::List(parts) = cmd else {
        return None;
    };
    let (Some(PyValue::Str(kind)), Some(PyValue::Str(opt))) = (parts.first(), parts.get(2)) else {
        return None;
    };
    let text = |v: &PyValue| match v {
        PyValue::Str(s) => s.clone(),
        other => other.repr(),
    };
    let values = match (kind.as_str(), parts.get(3)) {
        ("multi-set", Some(PyValue::List(v))) => v.iter().map(text).collect(),
        ("set", _) => parts[3..].iter().map(text).collect(),
        _ => return None,
    };
    Some((opt.as_str(), values))
}

/// `JailReader._glob`: existing files matching a pattern; dangling links
/// are reported and skipped.
fn glob_existing(store: &mut Store, path: &str) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    let found = pypath::glob(path).map_err(|m| ConfigError::python("ValueError", m, None))?;
    for p in found {
        if pypath::exists(&p) {
            out.push(p);
        } else {
            store.log.push(
                Level::Warning,
                "fail2ban.jailreader",
                format!("File {p} is a dangling link, thus cannot be monitored"),
                None,
            );
        }
    }
    Ok(out)
}

/// `JailReader.convert`.
pub fn jail_stream(
    store: &mut Store,
    jail: &mut Jail,
    allow_no_files: bool,
) -> Result<Vec<PyValue>, ConfigError> {
    let name = jail.name.clone();
    if let Some(e) = &jail.config_error {
        return Ok(vec![PyValue::List(vec![
            s("config-error"),
            PyValue::str(format!(
                "Jail '{name}' skipped, because of wrong configuration: {}",
                e.message
            )),
        ])]);
    }
    let mut stream = Vec::new();
    let mut logpaths = Vec::new();
    if let Some(filter) = jail.filter.as_mut() {
        stream.extend(filter.filter_stream(store)?);
    }
    fill_filter_stream(&mut stream, &jail.opts, &name)?;
    let mut backend = String::new();
    for (opt, value) in &jail.opts {
        match opt.as_str() {
            "logpath" => {
                let backend_now = jail
                    .opts
                    .get("backend")
                    .and_then(|b| b.as_var())
                    .map(|b| b.text)
                    .unwrap_or_default();
                if backend_now.starts_with("systemd") {
                    continue;
                }
                let text = value.as_var().map(|v| v.text).unwrap_or_default();
                let mut found = 0;
                for line in text.split('\n') {
                    let (path, tail) = match line.rsplit_once(' ') {
                        Some((p, t)) => (p.to_string(), t.to_string()),
                        None => (line.to_string(), "head".to_string()),
                    };
                    let list = glob_existing(store, &path)?;
                    if list.is_empty() {
                        store.log.push(
                            Level::Notice,
                            "fail2ban.jailreader",
                            format!("No file(s) found for glob {path}"),
                            value.as_sstring().and_then(|v| v.first_loc()),
                        );
                    }
                    for p in list {
                        found += 1;
                        logpaths.push(PyValue::List(vec![
                            s("set"),
                            s(&name),
                            s("addlogpath"),
                            s(&p),
                            s(&tail),
                        ]));
                    }
                }
                if found == 0 {
                    let msg = format!("Have not found any log file for {name} jail");
                    let loc = value.as_sstring().and_then(|v| v.first_loc());
                    if !allow_no_files {
                        return Err(ConfigError::fatal(msg, loc));
                    }
                    store
                        .log
                        .push(Level::Warning, "fail2ban.jailreader", msg, loc);
                }
            }
            "backend" => backend = value.as_var().map(|v| v.text).unwrap_or_default(),
            "ignoreip" => {
                let text = value.as_var().map(|v| v.text).unwrap_or_default();
                let mut cmd = vec![s("set"), s(&name), s("addignoreip")];
                cmd.extend(splitwords(&text).iter().map(|w| s(w)));
                stream.push(PyValue::List(cmd));
            }
            o if is_ignored(o) => {}
            o => stream.push(PyValue::List(vec![s("set"), s(&name), s(o), value.to_py()])),
        }
    }
    stream.extend(logpaths);
    for action in jail.actions.iter_mut() {
        match action {
            JailAction::Command(a) => stream.extend(a.action_stream(store)?),
            JailAction::Python(p) => stream.push(p.command.clone()),
        }
    }
    stream.insert(0, PyValue::List(vec![s("add"), s(&name), s(&backend)]));
    Ok(stream)
}

fn is_ignored(name: &str) -> bool {
    matches!(name, "action" | "filter" | "enabled") || super::definition::is_filter_opt(name)
}

/// `JailsReader.convert`: every jail's commands, then `start` for each jail
/// without a configuration error.
pub fn jails_stream(
    store: &mut Store,
    jails: &mut [Jail],
    allow_no_files: bool,
) -> Result<Vec<PyValue>, ConfigError> {
    let mut stream = Vec::new();
    for jail in jails.iter_mut() {
        stream.extend(jail_stream(store, jail, allow_no_files)?);
    }
    for jail in jails.iter() {
        if jail.config_error.is_none() {
            stream.push(PyValue::List(vec![s("start"), s(&jail.name)]));
        }
    }
    Ok(stream)
}
