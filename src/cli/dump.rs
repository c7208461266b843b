//! `f2b dump`: fail2ban-client -d's command stream, or the resolved model
//! as JSON.

use super::{EXIT_OK, EXIT_PROBLEMS, Format};
use crate::client::{ClientOptions, DumpMode, run as run_client};
use crate::config::jail::JailAction;
use crate::config::log::Level;
use crate::diag::{Diagnostic, Severity};
use serde_json::{Value, json};
use std::io::Write;

pub fn run(conf: &str, pretty: bool, format: Format) -> i32 {
    let opts = ClientOptions {
        conf: conf.to_string(),
        dump: Some(if pretty {
            DumpMode::Pretty
        } else {
            DumpMode::Plain
        }),
        ..Default::default()
    };
    let outcome = run_client(&opts);
    match format {
        Format::Text => {
            super::print_log(&outcome.store.log, Level::Warning);
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(outcome.stdout.as_bytes());
            let _ = out.flush();
            if outcome.exit_code == 0 {
                EXIT_OK
            } else {
                EXIT_PROBLEMS
            }
        }
        Format::Json => {
            let jails: Vec<Value> = outcome
                .jails
                .iter()
                .map(|j| {
                    let opts: serde_json::Map<String, Value> = j
                        .opts
                        .iter()
                        .map(|(k, v)| (k.clone(), py_to_json(&v.to_py())))
                        .collect();
                    let actions: Vec<Value> = j
                        .actions
                        .iter()
                        .map(|a| match a {
                            JailAction::Command(a) => json!({
                                "name": a.name,
                                "file": a.file,
                                "params": a.init_opts.iter()
                                    .filter(|(k, _)| !k.starts_with("known/"))
                                    .map(|(k, v)| (k.clone(), Value::String(v.text.clone())))
                                    .collect::<serde_json::Map<_, _>>(),
                                "commands": resolved_json(
                                    a.resolved.as_ref(),
                                    crate::config::definition::is_action_opt,
                                ),
                            }),
                            JailAction::Python(p) => json!({"python": py_to_json(&p.command)}),
                        })
                        .collect();
                    json!({
                        "name": j.name,
                        "enabled": j.is_enabled(false),
                        "config_error": j.config_error.as_ref().map(|e| {
                            Diagnostic::from_config_error(Severity::Error, "jail::config-error", e)
                                .to_json(&outcome.store.sources)
                        }),
                        "filter": j.filter.as_ref().map(|f| json!({
                            "name": f.file,
                            "options": resolved_json(
                                f.resolved.as_ref(),
                                crate::config::definition::is_filter_opt,
                            ),
                        })),
                        "options": opts,
                        "actions": actions,
                    })
                })
                .collect();
            let doc = json!({
                "conf": conf,
                "ok": outcome.exit_code == 0,
                "error": outcome.fatal.as_ref().map(|e| {
                    Diagnostic::from_config_error(Severity::Error, "config::fatal", e)
                        .to_json(&outcome.store.sources)
                }),
                "jails": jails,
                "stream": outcome.stream.as_ref().map(|s| s.iter().map(py_to_json).collect::<Vec<_>>()),
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
            if outcome.exit_code == 0 {
                EXIT_OK
            } else {
                EXIT_PROBLEMS
            }
        }
    }
}

/// The resolved (substituted) options of a filter or action whose names
/// pass `keep`, or null when the jail was not converted.
fn resolved_json(
    resolved: Option<&crate::config::definition::Combined>,
    keep: impl Fn(&str) -> bool,
) -> Value {
    match resolved {
        None => Value::Null,
        Some(opts) => Value::Object(
            opts.iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| (k.clone(), py_to_json(&v.to_py())))
                .collect(),
        ),
    }
}

pub(crate) fn py_to_json(v: &crate::pyfmt::PyValue) -> Value {
    use crate::pyfmt::PyValue;
    match v {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Bool(*b),
        PyValue::Int(i) => json!(i),
        // Beyond JSON's safe integers: keep the exact digits as a string.
        PyValue::LongInt(s) => Value::String(s.clone()),
        PyValue::Float(f) => json!(f),
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::List(items) => Value::Array(items.iter().map(py_to_json).collect()),
        PyValue::Dict(items) => Value::Object(
            items
                .iter()
                .map(|(k, v)| match k {
                    PyValue::Str(s) => (s.clone(), py_to_json(v)),
                    other => (other.repr(), py_to_json(v)),
                })
                .collect(),
        ),
    }
}
