//! Filter and action files: `[Definition]` options read with the jail's
//! values as variables, `[Init]` defaults overridden by `name[k=v]`
//! parameters, and the combined option set after `<tag>` substitution.

use super::error::ConfigError;
use super::log::Level;
use super::parser::{GetError, Vars, split_conditional};
use super::store::{NamedConfig, Store};
use super::tags::{Tags, substitute_recursive_tags};
use super::value::{OptValue, as_bool, py_int};
use super::{OptSpec, ReaderVars, pypath, reader_get_options};
use crate::Map;
use crate::source::SString;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptType {
    Str,
    Int,
    Bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionKind {
    Filter,
    Action,
}

pub const FILTER_OPTS: &[(&str, OptType)] = &[
    ("usedns", OptType::Str),
    ("prefregex", OptType::Str),
    ("ignoreregex", OptType::Str),
    ("failregex", OptType::Str),
    ("maxlines", OptType::Int),
    ("datepattern", OptType::Str),
    ("journalmatch", OptType::Str),
];

pub const ACTION_OPTS: &[(&str, OptType)] = &[
    ("actionstart", OptType::Str),
    ("actionstart_on_demand", OptType::Bool),
    ("actionstop", OptType::Str),
    ("actionflush", OptType::Str),
    ("actionreload", OptType::Str),
    ("actioncheck", OptType::Str),
    ("actionrepair", OptType::Str),
    ("actionrepair_on_unban", OptType::Bool),
    ("actionban", OptType::Str),
    ("actionprolong", OptType::Str),
    ("actionreban", OptType::Str),
    ("actionunban", OptType::Str),
    ("norestored", OptType::Bool),
];

/// Whether `name` is one of the options a filter file defines.
pub fn is_filter_opt(name: &str) -> bool {
    FILTER_OPTS.iter().any(|(n, _)| *n == name)
}

/// Whether `name` is one of an action file's commands or flags.
pub fn is_action_opt(name: &str) -> bool {
    ACTION_OPTS.iter().any(|(n, _)| *n == name)
}

/// Combined options after substitution and conversion.
pub type Combined = Map<String, OptValue>;

/// A filter or action file read for one jail.
pub struct DefinitionReader {
    pub kind: DefinitionKind,
    /// The name as the jail wrote it (`sshd`, `iptables-multiport`).
    pub file: String,
    /// What fail2ban reads: the name, or its absolute path when it starts
    /// with `./` (resolved against the working directory, as fail2ban does).
    path: String,
    pub jail: String,
    /// The action name (`actname`) for actions.
    pub name: String,
    cfg: Option<Rc<NamedConfig>>,
    /// `_initOpts`: parameters, then `[Init]` values and `known/` copies.
    pub init_opts: Map<String, SString>,
    p_opts: Vars,
    opts: Map<String, Option<SString>>,
    def_cache: HashMap<String, Option<SString>>,
    /// The combined options of the last stream conversion (for reports).
    pub resolved: Option<Combined>,
}

impl DefinitionReader {
    pub fn new_filter(file: &str, jail: &str, params: Map<String, SString>) -> Self {
        DefinitionReader {
            kind: DefinitionKind::Filter,
            path: dot_slash_abspath(file),
            file: file.to_string(),
            jail: jail.to_string(),
            name: file.to_string(),
            cfg: None,
            init_opts: params,
            p_opts: Vars::default(),
            opts: Map::default(),
            def_cache: HashMap::default(),
            resolved: None,
        }
    }

    /// An action; `name` and `actname` default as fail2ban does.
    pub fn new_action(file: &str, jail: &str, mut params: Map<String, SString>) -> Self {
        let n = match params.get("name") {
            Some(n) => n.text.clone(),
            None => {
                params.insert("name".into(), SString::synthetic(jail));
                jail.to_string()
            }
        };
        let actname = match params.get("actname") {
            Some(a) => a.text.clone(),
            None => {
                let mut a = file.to_string();
                if n != jail {
                    match n.strip_prefix(jail) {
                        Some(rest) => a.push_str(rest),
                        None => {
                            a.push('-');
                            a.push_str(&n);
                        }
                    }
                }
                params.insert("actname".into(), SString::synthetic(a.clone()));
                a
            }
        };
        DefinitionReader {
            kind: DefinitionKind::Action,
            path: dot_slash_abspath(file),
            file: file.to_string(),
            jail: jail.to_string(),
            name: actname,
            cfg: None,
            init_opts: params,
            p_opts: Vars::default(),
            opts: Map::default(),
            def_cache: HashMap::default(),
            resolved: None,
        }
    }

    fn config_opts(&self) -> &'static [(&'static str, OptType)] {
        match self.kind {
            DefinitionKind::Filter => FILTER_OPTS,
            DefinitionKind::Action => ACTION_OPTS,
        }
    }

    /// The logical config name, e.g. `filter.d/sshd`.
    pub fn config_name(&self) -> String {
        let dir = match self.kind {
            DefinitionKind::Filter => "filter.d",
            DefinitionKind::Action => "action.d",
        };
        pypath::join(dir, &self.path)
    }

    fn cfg(&self) -> &NamedConfig {
        self.cfg.as_ref().expect("read before use")
    }

    /// Reads the file set; `false` when no file could be read.
    pub fn read(&mut self, store: &mut Store) -> Result<bool, ConfigError> {
        let c = store.read_named_shared(&self.config_name())?;
        let ok = c.ok;
        self.cfg = Some(c);
        Ok(ok)
    }

    /// `readexplicit()`: reads exactly this file (plus its includes and
    /// sibling `.local`), not the `filter.d/NAME` set.
    pub fn read_explicit(&mut self, store: &mut Store) -> Result<bool, ConfigError> {
        let mut parser = super::parser::CfgParser::default();
        let read = store.read_into(&mut parser, std::slice::from_ref(&self.path))?;
        let ok = !read.is_empty();
        self.cfg = Some(Rc::new(NamedConfig { parser, ok }));
        Ok(ok)
    }

    /// Sets `logtype` from the backend unless given or defined by the filter.
    pub fn apply_auto_options(&mut self, backend: &str) {
        let given = self
            .init_opts
            .get("logtype")
            .is_some_and(|v| !v.text.is_empty());
        let defined = self
            .cfg()
            .parser
            .sections
            .get("Definition")
            .is_some_and(|s| s.contains_key("logtype"));
        if !given && !defined {
            let t = if backend.starts_with("systemd") {
                "journal"
            } else {
                "file"
            };
            self.init_opts
                .insert("logtype".into(), SString::synthetic(t));
        }
    }

    /// `getOptions(pOpts, all)`.
    pub fn get_options(
        &mut self,
        store: &mut Store,
        p_opts: &Map<String, OptValue>,
        all: bool,
    ) -> Result<(), ConfigError> {
        let mut vars: Map<String, OptValue> = p_opts.clone();
        for (k, v) in &self.init_opts {
            vars.insert(k.clone(), OptValue::Str(v.clone()));
        }
        let cfg = self.cfg.clone().expect("read before use");
        let parser = &cfg.parser;
        let specs: Vec<OptSpec> = self
            .config_opts()
            .iter()
            .map(|(n, t)| OptSpec::new(n, *t, None))
            .collect();
        let vars = ReaderVars::new(vars);
        let opts = reader_get_options(
            store,
            parser,
            "Definition",
            &specs,
            Some(&vars),
            false,
            false,
        )?;
        self.opts = opts.into_iter().map(|(k, v)| (k, v.as_var())).collect();
        self.p_opts = vars.py;
        if parser.has_section("Init") {
            for opt in parser.own_options("Init").unwrap_or_default() {
                if opt == "__name__" {
                    continue;
                }
                let mut v: Option<SString> = None;
                if !opt.starts_with("known/") {
                    let got = get_plain(parser, "Init", &opt)?;
                    self.init_opts.insert(format!("known/{opt}"), got.clone());
                    v = Some(got);
                }
                if !self.init_opts.contains_key(&opt) {
                    let got = match v {
                        Some(v) => v,
                        None => get_plain(parser, "Init", &opt)?,
                    };
                    self.init_opts.insert(opt.clone(), got);
                }
            }
        }
        if all && parser.has_section("Definition") {
            // fail2ban's ConfigReader.options() defaults to withDefault=False:
            // the file's [DEFAULT] keys are not merged.
            for opt in parser.own_options("Definition").unwrap_or_default() {
                if opt == "__name__" || self.opts.contains_key(&opt) {
                    continue;
                }
                let got = get_plain(parser, "Definition", &opt)?;
                self.opts.insert(opt, Some(got));
            }
        }
        Ok(())
    }

    /// `getCombOption`: a `[Definition]` value resolved on demand for a tag.
    fn comb_option(&mut self, name: &str) -> Result<Option<SString>, ConfigError> {
        if let Some(v) = self.def_cache.get(name) {
            return Ok(v.clone());
        }
        let cfg = self.cfg.clone().expect("read before use");
        let v = match cfg.parser.get_ex("Definition", name, Some(&self.p_opts)) {
            Ok(v) => v,
            Err(GetError::Fatal(e)) => return Err(e),
            Err(_) => None,
        };
        self.def_cache.insert(name.to_string(), v.clone());
        Ok(v)
    }

    /// `getCombined(ignore)`: options plus init values, tags substituted,
    /// then typed.
    pub fn get_combined(
        &mut self,
        store: &mut Store,
        ignore: &[&str],
    ) -> Result<Combined, ConfigError> {
        let mut combined: Tags = self.opts.clone();
        for (k, v) in &self.init_opts {
            combined.insert(k.clone(), Some(v.clone()));
        }
        if combined.is_empty() {
            return Ok(Combined::default());
        }
        let mut ignore: HashSet<String> = ignore.iter().map(|s| s.to_string()).collect();
        for n in combined.keys() {
            if let Some((base, _)) = split_conditional(n) {
                ignore.insert(base.to_string());
            }
        }
        let subst =
            substitute_recursive_tags(&combined, "", &ignore, &mut |t| self.comb_option(t))?;
        let mut out: Combined = subst
            .into_iter()
            .map(|(k, v)| (k, v.map_or(OptValue::None, OptValue::Str)))
            .collect();
        for (name, ty) in self.config_opts() {
            let Some(OptValue::Str(v)) = out.get(*name) else {
                continue;
            };
            let converted = match ty {
                OptType::Str => continue,
                OptType::Bool => OptValue::Bool(as_bool(&v.text)),
                OptType::Int => match py_int(&v.text) {
                    Some(i) => OptValue::Int(i),
                    None => {
                        store.log.push(
                            Level::Warning,
                            "fail2ban.configreader",
                            format!(
                                "Wrong int value {} for {}. Using default one: None",
                                crate::pyfmt::str_repr(&v.text),
                                crate::pyfmt::str_repr(name)
                            ),
                            v.first_loc(),
                        );
                        OptValue::None
                    }
                },
            };
            out.insert(name.to_string(), converted);
        }
        Ok(out)
    }

    /// The filter's part of the command stream (`FilterReader.convert`).
    pub fn filter_stream(
        &mut self,
        store: &mut Store,
    ) -> Result<Vec<crate::pyfmt::PyValue>, ConfigError> {
        let opts = self.get_combined(store, &[])?;
        let mut stream = Vec::new();
        if !opts.is_empty() {
            super::stream::fill_filter_stream(&mut stream, &opts, &self.jail)?;
        }
        self.resolved = Some(opts);
        Ok(stream)
    }

    /// The action's part of the command stream (`ActionReader.convert`).
    pub fn action_stream(
        &mut self,
        store: &mut Store,
    ) -> Result<Vec<crate::pyfmt::PyValue>, ConfigError> {
        use crate::pyfmt::PyValue;
        let opts = self.get_combined(
            store,
            &[
                "matches",
                "ipmatches",
                "ipjailmatches",
                "timeout",
                "bantime",
            ],
        )?;
        self.resolved = Some(opts.clone());
        let jail = PyValue::str(&self.jail);
        let mut stream = vec![PyValue::List(vec![
            PyValue::str("set"),
            jail.clone(),
            PyValue::str("addaction"),
            PyValue::str(&self.name),
        ])];
        let mut multi: Vec<PyValue> = Vec::new();
        for (k, v) in &opts {
            if is_action_opt(k) && !k.starts_with("known/") {
                multi.push(PyValue::List(vec![PyValue::str(k), v.to_py()]));
            }
        }
        for (k, v) in &self.init_opts {
            if !is_action_opt(k) && !k.starts_with("known/") {
                multi.push(PyValue::List(vec![PyValue::str(k), PyValue::str(&v.text)]));
            }
        }
        if multi.len() > 1 {
            stream.push(PyValue::List(vec![
                PyValue::str("multi-set"),
                jail,
                PyValue::str("action"),
                PyValue::str(&self.name),
                PyValue::List(multi),
            ]));
        } else if let Some(PyValue::List(pair)) = multi.pop() {
            let mut cmd = vec![
                PyValue::str("set"),
                jail,
                PyValue::str("action"),
                PyValue::str(&self.name),
            ];
            cmd.extend(pair);
            stream.push(PyValue::List(cmd));
        }
        Ok(stream)
    }

    pub fn parser(&self) -> &super::parser::CfgParser {
        &self.cfg().parser
    }
}

/// fail2ban resolves filter and action names starting with `./` with
/// `os.path.abspath`, i.e. against the working directory, not the tree.
fn dot_slash_abspath(file: &str) -> String {
    if file.starts_with("./") {
        pypath::abspath(file)
    } else {
        file.to_string()
    }
}

/// configparser's `vars` conversion: keys lower-cased, values `str()`-ed.
pub fn to_vars(map: &Map<String, OptValue>) -> Vars {
    map.iter()
        .map(|(k, v)| (crate::pyfmt::chars::py_lower(k), v.as_var()))
        .collect()
}

/// `get(section, opt)` without vars; only interpolation errors can occur.
fn get_plain(
    parser: &super::parser::CfgParser,
    section: &str,
    opt: &str,
) -> Result<SString, ConfigError> {
    match parser.get(section, opt, false, None) {
        Ok(v) => Ok(v.unwrap_or_default()),
        Err(GetError::Fatal(e)) => Err(e),
        Err(other) => Err(ConfigError::fatal(other.python_message(), None)),
    }
}
