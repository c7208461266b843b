//! The merged configuration of one logical name (`jail`, `filter.d/sshd`):
//! what fail2ban's `SafeConfigParserWithIncludes` holds after reading a file
//! list, with configparser's lookup and `%(name)s` interpolation rules.

use super::error::ConfigError;
use crate::Map;
use crate::ini::IniFile;
use crate::pyfmt::str_repr;
use crate::source::SString;
use std::sync::OnceLock;

pub type Section = Map<String, SString>;

/// Caller-supplied variables (`vars=` in configparser), keys lower-cased.
/// `None` is Python's `None`: the lookup succeeds and yields `None`.
pub type Vars = Map<String, Option<SString>>;

const MAX_INTERPOLATION_DEPTH: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct CfgParser {
    pub defaults: Section,
    /// Sections in creation order, including hidden `KNOWN/…` ones.
    pub sections: Map<String, Section>,
    /// Values that are not strings in fail2ban (a filter's `maxlines` merged
    /// into a jail as `known/maxlines` is an int): (section, key) → Python
    /// type name. Interpolating one fails as it does in Python.
    pub non_str: Map<(String, String), &'static str>,
}

/// Why `get` found nothing.
#[derive(Debug, Clone)]
pub enum GetError {
    NoSection(String),
    NoOption {
        option: String,
        section: String,
    },
    /// An interpolation error: fatal for the whole configuration.
    Fatal(ConfigError),
}

impl GetError {
    pub fn python_message(&self) -> String {
        match self {
            GetError::NoSection(s) => format!("No section: {}", str_repr(s)),
            GetError::NoOption { option, section } => format!(
                "No option {} in section: {}",
                str_repr(option),
                str_repr(section)
            ),
            GetError::Fatal(e) => e.message.clone(),
        }
    }
}

/// Splits `Init?family=inet6` into (`Init`, `?family=inet6`): fail2ban's
/// `^(\w+)(\?.+)$`.
pub fn split_conditional(name: &str) -> Option<(&str, &str)> {
    let q = name.find('?')?;
    let (base, cond) = name.split_at(q);
    let word = crate::pyfmt::chars::is_word;
    if base.is_empty() || !base.chars().all(word) || cond.len() < 2 || cond.contains('\n') {
        return None;
    }
    Some((base, cond))
}

impl CfgParser {
    /// The parser of a single file (no conditional-section folding).
    pub fn from_file(file: &IniFile) -> Self {
        let mut p = CfgParser::default();
        for (k, e) in &file.defaults {
            p.defaults.insert(k.clone(), e.value.clone());
        }
        for (name, sec) in &file.sections {
            let s = sec
                .entries
                .iter()
                .map(|(k, e)| (k.clone(), e.value.clone()))
                .collect();
            p.sections.insert(name.clone(), s);
        }
        p
    }

    /// Merges one more file the way fail2ban merges its file list: DEFAULT is
    /// updated, conditional sections fold into their base with suffixed keys,
    /// and the values a file overrides are remembered in `KNOWN/<section>`.
    pub fn merge_file(&mut self, file: &IniFile) {
        for (k, e) in &file.defaults {
            self.defaults.insert(k.clone(), e.value.clone());
        }
        for (name, sec) in &file.sections {
            let mut s: Section = sec
                .entries
                .iter()
                .map(|(k, e)| (k.clone(), e.value.clone()))
                .collect();
            let mut name = name.as_str();
            if let Some((base, cond)) = split_conditional(name) {
                name = base;
                s = s.into_iter().map(|(k, v)| (k + cond, v)).collect();
            }
            if let Some(existing) = self.sections.get(name) {
                let known: Section = existing
                    .iter()
                    .filter(|(k, _)| s.contains_key(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.merge_section(&format!("KNOWN/{name}"), known, "");
                let existing = self.sections.get_mut(name).expect("present");
                for (k, v) in s {
                    existing.insert(k, v);
                }
            } else {
                self.sections.insert(name.to_string(), s);
            }
        }
    }

    /// fail2ban's `merge_section`: creates the section if needed; with a
    /// prefix, keys are prefixed (keys already carrying it are skipped).
    pub fn merge_section(&mut self, section: &str, options: Section, pref: &str) {
        let sec = self.sections.entry(section.to_string()).or_default();
        for (k, v) in options {
            if pref.is_empty() {
                sec.insert(k, v);
            } else if !k.starts_with(pref) && k != "__name__" {
                sec.insert(format!("{pref}{k}"), v);
            }
        }
    }

    /// Section names fail2ban enumerates (hidden `KNOWN/` ones excluded).
    pub fn visible_sections(&self) -> impl Iterator<Item = &String> {
        self.sections.keys().filter(|n| !n.starts_with("KNOWN/"))
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.sections.contains_key(section)
    }

    /// configparser's `has_option`.
    pub fn has_option(&self, section: &str, option: &str) -> bool {
        let option = crate::pyfmt::chars::py_lower(option);
        if section.is_empty() || section == "DEFAULT" {
            return self.defaults.contains_key(&option);
        }
        match self.sections.get(section) {
            None => false,
            Some(s) => s.contains_key(&option) || self.defaults.contains_key(&option),
        }
    }

    /// Own option names of a section (`options(section, withDefault=False)`).
    pub fn own_options(&self, section: &str) -> Result<Vec<String>, GetError> {
        self.sections
            .get(section)
            .map(|s| s.keys().cloned().collect())
            .ok_or_else(|| GetError::NoSection(section.to_string()))
    }

    fn section_dict(&self, section: &str) -> Result<Option<&Section>, GetError> {
        match self.sections.get(section) {
            Some(s) => Ok(Some(s)),
            None if section == "DEFAULT" => Ok(None),
            None => Err(GetError::NoSection(section.to_string())),
        }
    }

    /// The raw value through vars, section and DEFAULT (no interpolation).
    fn lookup_raw<'a>(
        &'a self,
        section: &str,
        option: &str,
        vars: Option<&'a Vars>,
    ) -> Result<Option<&'a SString>, GetError> {
        let sec = self.section_dict(section)?;
        if let Some(v) = vars.and_then(|v| v.get(option)) {
            return Ok(v.as_ref());
        }
        if let Some(v) = sec.and_then(|s| s.get(option)) {
            return Ok(Some(v));
        }
        if let Some(v) = self.defaults.get(option) {
            return Ok(Some(v));
        }
        Err(GetError::NoOption {
            option: option.to_string(),
            section: section.to_string(),
        })
    }

    /// configparser's `get(section, option, raw=raw, vars=vars)`.
    /// `Ok(None)` is a `None` supplied through `vars`.
    pub fn get(
        &self,
        section: &str,
        option: &str,
        raw: bool,
        vars: Option<&Vars>,
    ) -> Result<Option<SString>, GetError> {
        let option = crate::pyfmt::chars::py_lower(option);
        let value = match self.lookup_raw(section, &option, vars)? {
            None => return Ok(None),
            Some(v) => v.clone(),
        };
        if raw {
            return Ok(Some(value));
        }
        let mut extra: Map<String, Mapped> = Map::default();
        let ctx = InterpCtx {
            parser: self,
            section,
            option: &option,
            vars,
        };
        let mut out = SString::default();
        ctx.interpolate_some(&mut out, &value, &mut extra, 1)
            .map_err(GetError::Fatal)?;
        Ok(Some(out))
    }

    /// fail2ban's `get_ex`: understands `sec/opt` and `known/opt` names.
    pub fn get_ex(
        &self,
        section: &str,
        option: &str,
        vars: Option<&Vars>,
    ) -> Result<Option<SString>, GetError> {
        if let Some((sec, opt)) = split_section_option(option) {
            let candidates: Vec<String> = match crate::pyfmt::chars::py_lower(sec).as_str() {
                "known" => vec![format!("KNOWN/{section}"), section.to_string()],
                "default" => vec!["DEFAULT".to_string()],
                _ => vec![sec.to_string()],
            };
            for cand in candidates {
                match self.get(&cand, opt, false, None) {
                    Ok(v) => return Ok(v),
                    Err(GetError::NoSection(_)) | Err(GetError::NoOption { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.get(section, option, false, vars)
    }

    /// The raw value `get(section, option, raw=True)` would return, if any.
    fn raw_or(&self, section: &str, option: &str, fallback: &str) -> String {
        match self.lookup_raw(section, option, None) {
            Ok(Some(v)) => v.text.clone(),
            _ => fallback.to_string(),
        }
    }
}

/// `^([\w\-]+)/([^\s>]+)$` (fail2ban's SECTION_OPTNAME_CRE).
pub fn split_section_option(name: &str) -> Option<(&str, &str)> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let w = crate::pyfmt::chars::word_class();
        regex::Regex::new(&format!(r"^([{w}\-]+)/([^\s\x1c-\x1f>]+)$")).expect("valid")
    });
    let caps = re.captures(name)?;
    Some((caps.get(1)?.as_str(), caps.get(2)?.as_str()))
}

/// A name added to the interpolation map (`__name__`, a mapped `sec/opt`),
/// with the Python type of its value when that is not `str`.
#[derive(Debug, Clone)]
struct Mapped {
    value: SString,
    py_type: Option<&'static str>,
}

struct InterpCtx<'a> {
    parser: &'a CfgParser,
    section: &'a str,
    option: &'a str,
    vars: Option<&'a Vars>,
}

impl InterpCtx<'_> {
    /// Lookup order: names added during interpolation (`__name__`, mapped
    /// `sec/opt`), then vars, the section, DEFAULT.
    fn lookup<'b>(
        &'b self,
        extra: &'b Map<String, Mapped>,
        name: &str,
    ) -> Option<Option<&'b SString>> {
        if let Some(m) = extra.get(name) {
            return Some(Some(&m.value));
        }
        if let Some(v) = self.vars.and_then(|v| v.get(name)) {
            return Some(v.as_ref());
        }
        if let Some(v) = self
            .parser
            .sections
            .get(self.section)
            .and_then(|s| s.get(name))
        {
            return Some(Some(v));
        }
        self.parser.defaults.get(name).map(Some)
    }

    /// Python's type name of a section value that is not a string.
    fn non_str_type(&self, extra: &Map<String, Mapped>, name: &str) -> Option<&'static str> {
        if let Some(m) = extra.get(name) {
            return m.py_type;
        }
        if self.vars.is_some_and(|v| v.contains_key(name)) {
            return None;
        }
        self.parser
            .non_str
            .get(&(self.section.to_string(), name.to_string()))
            .copied()
    }

    fn contains(&self, extra: &Map<String, Mapped>, name: &str) -> bool {
        self.lookup(extra, name).is_some()
    }

    /// BasicInterpolation's `_interpolate_some`, with fail2ban's wrapper.
    /// The wrapper's guard tests the module name, not `'__name__'`, so it
    /// always fires: every level works on a copy of the first map with
    /// `__name__` set and the `%(sec/opt)s` references of its own text mapped.
    fn interpolate_some(
        &self,
        out: &mut SString,
        rest_s: &SString,
        extra: &mut Map<String, Mapped>,
        depth: usize,
    ) -> Result<(), ConfigError> {
        if !self.section.is_empty() {
            let mut fresh = extra.clone();
            fresh.insert(
                "__name__".into(),
                Mapped {
                    value: SString::synthetic(self.section),
                    py_type: None,
                },
            );
            self.map_section_options(&rest_s.text, &mut fresh);
            return self.interpolate_inner(out, rest_s, &mut fresh, depth);
        }
        self.interpolate_inner(out, rest_s, extra, depth)
    }

    fn interpolate_inner(
        &self,
        out: &mut SString,
        rest_s: &SString,
        extra: &mut Map<String, Mapped>,
        depth: usize,
    ) -> Result<(), ConfigError> {
        // Only error messages need the raw value.
        let rawval = || self.parser.raw_or(self.section, self.option, &rest_s.text);
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(ConfigError::fatal(
                format!(
                    "Recursion limit exceeded in value substitution: option {} in section {} contains an interpolation key which cannot be substituted in {} steps. Raw value: {}",
                    str_repr(self.option),
                    str_repr(self.section),
                    MAX_INTERPOLATION_DEPTH,
                    str_repr(&rawval())
                ),
                rest_s.first_loc(),
            )
            .with_len(rest_s.text.len())
            .with_hint("these values refer to each other in a loop (or nest deeper than 10 levels); fail2ban aborts the whole configuration"));
        }
        let text = &rest_s.text;
        let mut pos = 0;
        while pos < text.len() {
            let Some(rel) = text[pos..].find('%') else {
                out.push_slice(rest_s, pos..text.len());
                return Ok(());
            };
            let p = pos + rel;
            out.push_slice(rest_s, pos..p);
            let after = &text[p + 1..];
            if after.starts_with('%') {
                out.push_slice(rest_s, p..p + 1);
                pos = p + 2;
            } else if let Some(inner) = after.strip_prefix('(') {
                // %\(([^)]+)\)s
                let close = inner.find(')');
                let valid = close.is_some_and(|c| c > 0 && inner[c + 1..].starts_with('s'));
                if !valid {
                    return Err(ConfigError::fatal(
                        format!(
                            "bad interpolation variable reference {}",
                            str_repr(&text[p..])
                        ),
                        rest_s.loc_at(p),
                    )
                    .with_len(1)
                    .with_hint(
                        "a reference is written %(name)s; write a literal percent sign as %%",
                    ));
                }
                let close = close.expect("checked");
                let var = crate::pyfmt::chars::py_lower(&inner[..close]);
                let end = p + 2 + close + 2;
                match self.lookup(extra, &var) {
                    None => {
                        return Err(ConfigError::fatal(
                            format!(
                                "Bad value substitution: option {} in section {} contains an interpolation key {} which is not a valid option name. Raw value: {}",
                                str_repr(self.option),
                                str_repr(self.section),
                                str_repr(&var),
                                str_repr(&rawval())
                            ),
                            rest_s.loc_at(p),
                        )
                        .with_len(end - p)
                        .with_hint(format!("define `{var}` in this section or in [DEFAULT]; fail2ban aborts the whole configuration on an undefined reference")));
                    }
                    Some(None) => {
                        // Python: `"%" in None` raises TypeError.
                        return Err(ConfigError::python(
                            "TypeError",
                            "argument of type 'NoneType' is not iterable".to_string(),
                            rest_s.loc_at(p),
                        ));
                    }
                    Some(Some(_)) if self.non_str_type(extra, &var).is_some() => {
                        // Python: `"%" in 1` raises TypeError.
                        return Err(ConfigError::python(
                            "TypeError",
                            format!(
                                "argument of type '{}' is not iterable",
                                self.non_str_type(extra, &var).unwrap_or("int")
                            ),
                            rest_s.loc_at(p),
                        )
                        .with_len(end - p));
                    }
                    Some(Some(v)) => {
                        if v.text.contains('%') {
                            let v = v.clone();
                            self.interpolate_some(out, &v, extra, depth + 1)?;
                        } else {
                            out.push_sstring(v);
                        }
                    }
                }
                pos = end;
            } else {
                return Err(ConfigError::fatal(
                    format!(
                        "'%' must be followed by '%' or '(', found: {}",
                        str_repr(&text[p..])
                    ),
                    rest_s.loc_at(p),
                )
                .with_len(1)
                .with_hint("write a literal percent sign as %% (date patterns too: %%Y-%%m-%%d)"));
            }
        }
        Ok(())
    }

    /// fail2ban's `_map_section_options`: resolves `%(sec/opt)s`,
    /// `%(known/opt)s` and `%(default/opt)s` to raw values.
    fn map_section_options(&self, rest: &str, extra: &mut Map<String, Mapped>) {
        if !rest.contains('/') || !rest.contains("%(") {
            return;
        }
        static RE: OnceLock<regex::Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            let w = crate::pyfmt::chars::word_class();
            regex::Regex::new(&format!(r"%\(([{w}\-]+/([^\)]+))\)s")).expect("valid regex")
        });
        for caps in re.captures_iter(rest) {
            let sopt = &caps[1];
            let opt = &caps[2];
            if self.contains(extra, sopt) {
                continue;
            }
            let sec = &sopt[..sopt.len() - opt.len() - 1];
            let seclwr = crate::pyfmt::chars::py_lower(sec);
            let mut found: Option<SString> = None;
            let mut py_type: Option<&'static str> = None;
            let mut usedef = false;
            if seclwr == "default" {
                usedef = true;
            } else if seclwr == "known" {
                match self
                    .parser
                    .sections
                    .get(&format!("KNOWN/{}", self.section))
                    .and_then(|s| s.get(opt))
                {
                    Some(v) => found = Some(v.clone()),
                    None => usedef = true,
                }
            } else {
                let Some(s) = self.parser.sections.get(sec) else {
                    continue;
                };
                match s.get(opt) {
                    Some(v) => {
                        found = Some(v.clone());
                        py_type = self
                            .parser
                            .non_str
                            .get(&(sec.to_string(), opt.to_string()))
                            .copied();
                    }
                    None => usedef = true,
                }
            }
            if usedef {
                match self.parser.defaults.get(opt) {
                    Some(v) => found = Some(v.clone()),
                    None => continue,
                }
            }
            if let Some(value) = found {
                extra.insert(sopt.to_string(), Mapped { value, py_type });
            }
        }
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
