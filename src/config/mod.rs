//! fail2ban's configuration model: reading trees exactly as fail2ban's
//! client does and turning them into its command stream.

pub mod definition;
pub mod error;
pub mod general;
pub mod jail;
pub mod log;
pub mod params;
pub mod parser;
pub mod pyjson;
pub mod pypath;
pub mod shlex;
pub mod store;
pub mod stream;
pub mod tags;
pub mod timestr;
pub mod value;

pub use error::ConfigError;

use crate::Map;
use definition::OptType;
use log::Level;
use parser::{CfgParser, GetError};
use store::Store;
use value::{OptValue, as_bool, py_int};

/// One option a reader asks for: name, type and default (`None`: no default,
/// the option is simply absent when undefined).
#[derive(Debug, Clone)]
pub struct OptSpec {
    pub name: &'static str,
    pub ty: OptType,
    pub default: Option<OptValue>,
}

impl OptSpec {
    pub fn new(name: &'static str, ty: OptType, default: Option<OptValue>) -> Self {
        OptSpec { name, ty, default }
    }
}

/// The `pOptions` of a reader: the caller's keys as given (fail2ban skips
/// exactly these) and their configparser form (lower-cased, `str()`-ed).
#[derive(Debug, Clone, Default)]
pub struct ReaderVars {
    pub raw: Map<String, OptValue>,
    pub py: parser::Vars,
}

impl ReaderVars {
    pub fn new(raw: Map<String, OptValue>) -> Self {
        let py = definition::to_vars(&raw);
        ReaderVars { raw, py }
    }
}

/// fail2ban's `ConfigReaderUnshared.getOptions`: reads each option of
/// `specs` from `section` (skipping names supplied in `vars`), converting
/// types when `convert` is set, with fail2ban's warnings for defaults.
pub fn reader_get_options(
    store: &mut Store,
    parser: &CfgParser,
    section: &str,
    specs: &[OptSpec],
    vars: Option<&ReaderVars>,
    should_exist: bool,
    convert: bool,
) -> Result<Map<String, OptValue>, ConfigError> {
    let mut values = Map::default();
    for spec in specs {
        if vars.is_some_and(|v| v.raw.contains_key(spec.name)) {
            continue;
        }
        match parser.get(section, spec.name, false, vars.map(|v| &v.py)) {
            Ok(None) => {
                values.insert(spec.name.to_string(), OptValue::None);
            }
            Ok(Some(v)) => {
                let value = if !convert {
                    OptValue::Str(v)
                } else {
                    match spec.ty {
                        OptType::Str => OptValue::Str(v),
                        OptType::Bool => OptValue::Bool(as_bool(&v.text)),
                        OptType::Int => match py_int(&v.text) {
                            Some(i) => OptValue::Int(i),
                            None => {
                                let default = spec.default.clone().unwrap_or(OptValue::None);
                                store.log.push(
                                    Level::Warning,
                                    "fail2ban.configreader",
                                    format!(
                                        "Wrong value for '{}' in '{}'. Using default one: '{}'",
                                        spec.name,
                                        section,
                                        default.to_py().repr()
                                    ),
                                    v.first_loc(),
                                );
                                default
                            }
                        },
                    }
                };
                values.insert(spec.name.to_string(), value);
            }
            Err(GetError::NoSection(s)) => {
                if should_exist {
                    return Err(ConfigError::fatal(
                        GetError::NoSection(s).python_message(),
                        None,
                    ));
                }
                store.log.push(
                    Level::Error,
                    "fail2ban.configreader",
                    GetError::NoSection(s).python_message(),
                    None,
                );
                values.insert(
                    spec.name.to_string(),
                    spec.default.clone().unwrap_or(OptValue::None),
                );
            }
            Err(GetError::NoOption { .. }) => {
                if let Some(default) = &spec.default {
                    store.log.push(
                        Level::Warning,
                        "fail2ban.configreader",
                        format!(
                            "'{}' not defined in '{}'. Using default one: {}",
                            spec.name,
                            section,
                            default.to_py().repr()
                        ),
                        None,
                    );
                    values.insert(spec.name.to_string(), default.clone());
                }
            }
            Err(GetError::Fatal(e)) => return Err(e),
        }
    }
    Ok(values)
}
