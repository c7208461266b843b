//! Reading the jails of `jail.conf` & co. (fail2ban's `JailsReader` and
//! `JailReader`): two passes over each jail, its filter merged in as
//! `known/…` options, its actions parsed from `name[params]` tokens.

use super::definition::{DefinitionReader, FILTER_OPTS, OptType};
use super::error::ConfigError;
use super::log::Level;
use super::params::{ParamError, Parameterized, extract_options, split_with_options};
use super::parser::CfgParser;
use super::store::Store;
use super::value::OptValue;
use super::{OptSpec, pypath, reader_get_options};
use crate::Map;
use crate::pyfmt::{PyValue, str_repr};
use crate::source::SString;

/// The version fail2ban reports as `fail2ban_version`.
pub const FAIL2BAN_VERSION: &str = "1.0.2";

fn jail_specs_first() -> Vec<OptSpec> {
    vec![
        OptSpec::new("enabled", OptType::Bool, Some(OptValue::Bool(false))),
        OptSpec::new("backend", OptType::Str, Some(OptValue::str("auto"))),
        OptSpec::new("filter", OptType::Str, Some(OptValue::str(""))),
    ]
}

/// The jail options of the second pass, in fail2ban's order.
pub fn jail_specs() -> Vec<OptSpec> {
    use OptType::*;
    let mut specs = vec![
        OptSpec::new("enabled", Bool, Some(OptValue::Bool(false))),
        OptSpec::new("backend", Str, Some(OptValue::str("auto"))),
        OptSpec::new("maxretry", Int, None),
        OptSpec::new("maxmatches", Int, None),
        OptSpec::new("findtime", Str, None),
        OptSpec::new("bantime", Str, None),
        OptSpec::new("bantime.increment", Bool, None),
        OptSpec::new("bantime.factor", Str, None),
        OptSpec::new("bantime.formula", Str, None),
        OptSpec::new("bantime.multipliers", Str, None),
        OptSpec::new("bantime.maxtime", Str, None),
        OptSpec::new("bantime.rndtime", Str, None),
        OptSpec::new("bantime.overalljails", Bool, None),
        OptSpec::new("ignorecommand", Str, None),
        OptSpec::new("ignoreself", Bool, None),
        OptSpec::new("ignoreip", Str, None),
        OptSpec::new("ignorecache", Str, None),
        OptSpec::new("filter", Str, Some(OptValue::str(""))),
        OptSpec::new("logtimezone", Str, None),
        OptSpec::new("logencoding", Str, None),
        OptSpec::new("logpath", Str, None),
        OptSpec::new("action", Str, Some(OptValue::str(""))),
    ];
    for (name, ty) in FILTER_OPTS {
        specs.push(OptSpec::new(name, *ty, None));
    }
    specs
}

/// A python action (`name.py[...]`), sent as one `addaction` command.
#[derive(Debug, Clone)]
pub struct PythonAction {
    pub command: PyValue,
}

pub enum JailAction {
    Command(Box<DefinitionReader>),
    Python(PythonAction),
}

/// One jail section as read.
pub struct Jail {
    pub name: String,
    pub opts: Map<String, OptValue>,
    pub filter: Option<Box<DefinitionReader>>,
    pub actions: Vec<JailAction>,
    /// Why the jail is skipped (fail2ban's `config-error`).
    pub config_error: Option<ConfigError>,
}

impl Jail {
    pub fn is_enabled(&self, force: bool) -> bool {
        force || self.opts.get("enabled").is_some_and(|v| v.is_truthy())
    }
}

fn param_error(what: &str, source: &SString, e: ParamError) -> ConfigError {
    let loc = source.loc_at(e.offset.min(source.text.len().saturating_sub(1)));
    ConfigError::fatal(
        format!(
            "Invalid {what} definition {}: {}",
            str_repr(&source.text),
            e.message
        ),
        loc,
    )
    .with_len(e.len.max(1))
    .with_hint(
        "the syntax is name[key=value, key=\"value, with, commas\"]: an unquoted value ends at \
         the first `,` or `]`, so quote values that contain them; fail2ban skips the jail",
    )
}

/// Finds an unquoted `key=value` inside `name[...]` parameters whose value
/// contains `[`: fail2ban's grammar cannot carry that, so the action list
/// splits in the wrong places. Returns (start, end, key) byte offsets.
pub fn bracket_in_unquoted_value(text: &str) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let key_re = regex::Regex::new(r"[\[,]\s*([\w\-.]+)=").expect("valid");
    for caps in key_re.captures_iter(text) {
        let key = caps.get(1)?;
        let mut i = caps.get(0)?.end();
        if matches!(bytes.get(i), Some(b'"') | Some(b'\'')) {
            continue;
        }
        while i < bytes.len() && !matches!(bytes[i], b',' | b']' | b'[' | b'\n') {
            i += 1;
        }
        if bytes.get(i) != Some(&b'[') {
            continue;
        }
        // Extend over the nested group and the rest of the value.
        let mut depth = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'[' => depth += 1,
                b']' if depth > 0 => depth -= 1,
                b']' | b',' | b'\n' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        return Some((key.start(), i, key.as_str().to_string()));
    }
    None
}

/// Points a broken action definition at the unquoted value that carries
/// `[...]`, in the file where that `key=` was written.
fn explain_broken_action(err: ConfigError, action_value: &SString) -> ConfigError {
    let Some((start, end, key)) = bracket_in_unquoted_value(&action_value.text) else {
        return err;
    };
    let value = &action_value.text[start..end];
    let (Some(first), Some(last)) = (action_value.loc_at(start), action_value.loc_at(end - 1))
    else {
        return err;
    };
    let len = if last.file == first.file && last.offset >= first.offset {
        last.offset + 1 - first.offset
    } else {
        key.len() + 1
    };
    ConfigError {
        loc: Some(first),
        len,
        hint: Some(format!(
            "after interpolation this parameter reads `{value}`: its unquoted value contains `[`, \
             which fail2ban's `name[key=value, …]` grammar cannot carry, so the action list is cut \
             in the wrong place and the jail is skipped. This happens when a banaction that itself \
             has parameters (like `firewallcmd-rich-rules[actiontype=<multiport>]`) is interpolated \
             into `{key}=`; drop `{key}=` or write the name literally."
        )),
        ..err
    }
}

/// Reads one jail (`JailReader.getOptions`). `Ok(jail)` may carry a
/// `config_error`; `Err` is fatal for the whole configuration.
pub fn read_jail(store: &mut Store, cfg: &mut CfgParser, name: &str) -> Result<Jail, ConfigError> {
    cfg.defaults.insert(
        "fail2ban_version".into(),
        SString::synthetic(FAIL2BAN_VERSION),
    );
    cfg.defaults.insert(
        "fail2ban_confpath".into(),
        SString::synthetic(&store.basedir),
    );
    let first = reader_get_options(store, cfg, name, &jail_specs_first(), None, true, true)?;
    let mut jail = Jail {
        name: name.to_string(),
        opts: first,
        filter: None,
        actions: vec![],
        config_error: None,
    };
    if !jail.is_enabled(false) {
        return Ok(jail);
    }
    match read_enabled_jail(store, cfg, &mut jail) {
        Ok(()) => Ok(jail),
        Err(JailReadError::Fatal(e)) => Err(e),
        Err(JailReadError::Skip(e)) => {
            store.log.push(
                Level::Error,
                "fail2ban.jailreader",
                e.message.clone(),
                e.loc,
            );
            jail.config_error = Some(e);
            Ok(jail)
        }
    }
}

enum JailReadError {
    /// A jail definition error: the jail is skipped.
    Skip(ConfigError),
    Fatal(ConfigError),
}

impl From<ConfigError> for JailReadError {
    fn from(e: ConfigError) -> Self {
        JailReadError::Fatal(e)
    }
}

fn read_enabled_jail(
    store: &mut Store,
    cfg: &mut CfgParser,
    jail: &mut Jail,
) -> Result<(), JailReadError> {
    let name = jail.name.clone();
    let flt = jail
        .opts
        .get("filter")
        .and_then(|v| v.as_sstring())
        .cloned()
        .unwrap_or_default();
    if !flt.text.is_empty() {
        let Parameterized {
            name: filter_name,
            options,
        } = extract_options(&flt)
            .map_err(|e| JailReadError::Skip(param_error("filter", &flt, e)))?;
        let mut filter = DefinitionReader::new_filter(&filter_name.text, &name, options);
        if !filter.read(store)? {
            return Err(JailReadError::Skip(
                ConfigError::fatal(
                    format!("Unable to read the filter {}", str_repr(&filter_name.text)),
                    flt.first_loc(),
                )
                .with_len(filter_name.text.len())
                .with_hint(format!(
                    "no {} found under {}",
                    pypath::join("filter.d", &filter_name.text) + ".conf/.local",
                    store.basedir
                )),
            ));
        }
        let backend = jail
            .opts
            .get("backend")
            .and_then(|v| v.as_sstring())
            .map(|s| s.text.clone())
            .unwrap_or_default();
        filter.apply_auto_options(&backend);
        filter.get_options(store, &jail.opts, true)?;
        let combined = filter.get_combined(store, &[])?;
        let mut known: Map<String, SString> = Map::default();
        for (k, v) in combined {
            let s = match v {
                OptValue::Str(s) => s,
                other => {
                    let ty = match other {
                        OptValue::Int(_) => "int",
                        OptValue::Bool(_) => "bool",
                        _ => "NoneType",
                    };
                    if !k.starts_with("known/") {
                        cfg.non_str.insert((name.clone(), format!("known/{k}")), ty);
                    }
                    SString::synthetic(other.to_py().repr())
                }
            };
            known.insert(k, s);
        }
        cfg.merge_section(&name, known, "known/");
        jail.filter = Some(Box::new(filter));
    } else {
        store.log.push(
            Level::Warning,
            "fail2ban.jailreader",
            format!("No filter set for jail {name}"),
            None,
        );
    }

    jail.opts = reader_get_options(store, cfg, &name, &jail_specs(), None, false, true)?;
    if let Some(filter) = jail.filter.as_mut() {
        filter.get_options(store, &jail.opts, false)?;
    }

    let action_value = jail
        .opts
        .get("action")
        .and_then(|v| v.as_sstring())
        .cloned()
        .unwrap_or_default();
    let tokens = split_with_options(&action_value)
        .map_err(|e| JailReadError::Skip(param_error("action", &action_value, e)))?;
    for token in tokens {
        let (s, e) = strip_range(&token.text);
        let act = token.slice(s..e);
        if act.text.is_empty() {
            continue;
        }
        let parsed = extract_options(&act).map_err(|e| {
            JailReadError::Skip(explain_broken_action(
                param_error("action", &act, e),
                &action_value,
            ))
        })?;
        let act_name = parsed.name.text.clone();
        if act_name.ends_with(".py") {
            let mut options = parsed.options;
            let actname = options
                .shift_remove("actname")
                .map(|s| s.text)
                .unwrap_or_else(|| pypath::strip_ext(&act_name).to_string());
            let path = pypath::join(&pypath::join(&store.basedir, "action.d"), &act_name);
            let json = super::pyjson::dumps_str_map(&options);
            jail.actions.push(JailAction::Python(PythonAction {
                command: PyValue::List(vec![
                    PyValue::str("set"),
                    PyValue::str(&name),
                    PyValue::str("addaction"),
                    PyValue::str(actname),
                    PyValue::str(path),
                    PyValue::str(json),
                ]),
            }));
            continue;
        }
        let mut action = DefinitionReader::new_action(&act_name, &name, parsed.options);
        let ok = action.read(store).map_err(|e| wrap_action_error(&act, e))?;
        if !ok {
            return Err(JailReadError::Skip(
                ConfigError::fatal(
                    format!("Unable to read action {}", str_repr(&act_name)),
                    act.first_loc(),
                )
                .with_len(act_name.len()),
            ));
        }
        action
            .get_options(store, &jail.opts, false)
            .map_err(|e| wrap_action_error(&act, e))?;
        jail.actions.push(JailAction::Command(Box::new(action)));
    }
    if jail.actions.is_empty() {
        store.log.push(
            Level::Warning,
            "fail2ban.jailreader",
            format!("No actions were defined for {name}"),
            None,
        );
    }
    Ok(())
}

/// Non-definition errors inside an action become fatal `ValueError`s.
fn wrap_action_error(act: &SString, e: ConfigError) -> JailReadError {
    let msg = format!(
        "Error in action definition {}: {}",
        str_repr(&act.text),
        e.python_repr()
    );
    JailReadError::Fatal(ConfigError {
        message: msg,
        py_class: Some("ValueError"),
        ..e
    })
}

fn strip_range(s: &str) -> (usize, usize) {
    let start = s.len() - s.trim_start_matches(crate::ini::py_isspace).len();
    let end = s.trim_end_matches(crate::ini::py_isspace).len().max(start);
    (start, end)
}

/// All jail sections in order (`JailsReader.getOptions`).
pub struct JailsResult {
    pub jails: Vec<Jail>,
    /// `getOptions`' return value: the `-t` verdict before conversion.
    pub ok: bool,
}

pub fn read_jails(
    store: &mut Store,
    cfg: &mut CfgParser,
    only: Option<&str>,
    ignore_wrong: bool,
    force_enable: bool,
) -> Result<JailsResult, ConfigError> {
    let names: Vec<String> = match only {
        Some(j) => vec![j.to_string()],
        None => cfg.visible_sections().cloned().collect(),
    };
    let mut jails = Vec::new();
    let mut status = 0u8;
    for sec in names {
        if sec == "INCLUDES" {
            continue;
        }
        let jail = read_jail(store, cfg, &sec)?;
        if jail.config_error.is_none() {
            if jail.is_enabled(force_enable) {
                status |= 1;
                jails.push(jail);
            }
        } else {
            store.log.push(
                Level::Error,
                "fail2ban.jailsreader",
                format!(
                    "Errors in jail {}.{}",
                    str_repr(&sec),
                    if ignore_wrong { " Skipping..." } else { "" }
                ),
                None,
            );
            jails.push(jail);
            status |= 2;
        }
    }
    let ok = (ignore_wrong && status & 1 != 0) || status & 2 == 0;
    Ok(JailsResult { jails, ok })
}
