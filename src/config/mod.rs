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

use definition::OptType;
use indexmap::IndexMap;
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

/// fail2ban's `ConfigReaderUnshared.getOptions`: reads each option of
/// `specs` from `section` (skipping names supplied in `vars`), converting
/// types when `convert` is set, with fail2ban's warnings for defaults.
pub fn reader_get_options(
    store: &mut Store,
    parser: &CfgParser,
    section: &str,
    specs: &[OptSpec],
    vars: &IndexMap<String, OptValue>,
    should_exist: bool,
    convert: bool,
) -> Result<IndexMap<String, OptValue>, ConfigError> {
    let py_vars = definition::to_vars(vars);
    let mut values = IndexMap::new();
    for spec in specs {
        if vars.contains_key(spec.name) {
            continue;
        }
        match parser.get(section, spec.name, false, Some(&py_vars)) {
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
