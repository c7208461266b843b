//! Loading what fail2ban-regex tests: the REGEX argument as a literal
//! regex, a filter name with `[params]` from `-c`, or a filter file path
//! (`Fail2banRegex.readRegex`), plus `-d` and `-L`.

use super::RegexTool;
use crate::config::definition::DefinitionReader;
use crate::config::params::extract_options;
use crate::config::pypath;
use crate::config::store::Store;
use crate::pyfmt::PyValue;
use crate::source::SString;

/// `shortstr`: strings longer than 53 characters become 50 + `...`.
pub fn shortstr(s: &str) -> String {
    if s.chars().count() > 53 {
        let mut out: String = s.chars().take(50).collect();
        out.push_str("...");
        out
    } else {
        s.to_string()
    }
}

fn looks_like_filter(value: &str) -> bool {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"(?ms)^/{0,3}[\w/_\-.]+(?:\[.*\])?$").expect("static"))
        .is_match(value)
}

/// Which kind of regex a REGEX/IGNOREREGEX argument supplies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RegexKind {
    Fail,
    Ignore,
}

impl RegexKind {
    fn name(self) -> &'static str {
        match self {
            RegexKind::Fail => "failregex",
            RegexKind::Ignore => "ignoreregex",
        }
    }
}

/// The last `n` characters are `fltName[~5:]` in Python: from index -6.
fn tail6(s: &str) -> &str {
    let n = s.chars().count();
    let skip = n.saturating_sub(6);
    match s.char_indices().nth(skip) {
        Some((i, _)) => &s[i..],
        None => "",
    }
}

impl RegexTool {
    /// `readRegex(value, regextype)`; `false` means exit 255 (the error
    /// was printed).
    pub fn read_regex(&mut self, value: &str, kind: RegexKind) -> bool {
        let config = self
            .args
            .config
            .clone()
            .unwrap_or_else(|| "/etc/fail2ban".into());
        let mut basedir = config.clone();
        let mut flt_name = value.to_string();
        let mut flt_file: Option<String> = None;
        let mut flt_opts: crate::Map<String, SString> = crate::Map::default();
        if kind == RegexKind::Fail && looks_like_filter(value) {
            match extract_options(&SString::synthetic(value)) {
                Ok(p) => {
                    flt_name = p.name.text.clone();
                    flt_opts = p.options;
                    let tries: Vec<String> = if tail6(&flt_name).contains('.') {
                        vec![flt_name.clone()]
                    } else {
                        vec![
                            flt_name.clone(),
                            format!("{flt_name}.conf"),
                            format!("{flt_name}.local"),
                        ]
                    };
                    for t in tries {
                        let candidate = if !t.contains('/') {
                            if pypath::basename(&basedir) == "filter.d" {
                                pypath::join(&basedir, &t)
                            } else {
                                pypath::join(&pypath::join(&basedir, "filter.d"), &t)
                            }
                        } else {
                            basedir = pypath::dirname(&t);
                            t.clone()
                        };
                        if pypath::is_file(&candidate) {
                            flt_file = Some(candidate);
                            break;
                        }
                    }
                }
                Err(e) => {
                    self.emit(&format!(
                        "ERROR: Wrong filter name or options: {}",
                        e.message
                    ));
                    self.emit(&format!("       while parsing: {value}"));
                    return false;
                }
            }
        }
        let mut commands: Vec<PyValue> = Vec::new();
        if flt_file.is_some() {
            let in_tree = basedir == config
                || pypath::basename(&basedir) == "filter.d"
                || (!tail6(&flt_name).contains('.') && !flt_name.contains('/'));
            let explicit;
            if in_tree {
                if pypath::basename(&basedir) == "filter.d" {
                    basedir = pypath::dirname(&basedir);
                }
                flt_name = pypath::strip_ext(&pypath::basename(&flt_name)).to_string();
                self.output(&format!(
                    "Use {:>11} filter file : {flt_name}, basedir: {basedir}",
                    kind.name()
                ));
                explicit = false;
            } else {
                self.output(&format!("Use {:>11} file : {flt_name}", kind.name()));
                if !flt_name.starts_with('/') {
                    flt_name = pypath::abspath(&flt_name);
                }
                explicit = true;
            }
            if !flt_opts.is_empty() {
                let dict: Vec<String> = flt_opts
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}: {}",
                            crate::pyfmt::str_repr(k),
                            crate::pyfmt::str_repr(&v.text)
                        )
                    })
                    .collect();
                self.output(&format!("Use   filter options : {{{}}}", dict.join(", ")));
            }
            let mut store = Store::new(if explicit { "/etc/fail2ban" } else { &basedir });
            let mut reader =
                DefinitionReader::new_filter(&flt_name, "fail2ban-regex-jail", flt_opts.clone());
            let read = if explicit {
                reader.read_explicit(&mut store)
            } else {
                reader.read(&mut store)
            };
            let ok = match read {
                Ok(ok) => ok,
                Err(e) => {
                    self.emit(&format!("Wrong config file: {}", e.message));
                    false
                }
            };
            if !ok {
                self.emit(&format!("ERROR: failed to load filter {value}"));
                return false;
            }
            reader.apply_auto_options(&self.backend);
            let stream = reader
                .get_options(&mut store, &crate::Map::default(), false)
                .and_then(|_| reader.filter_stream(&mut store));
            match stream {
                Ok(s) => commands = s,
                Err(e) => {
                    self.emit(&format!("ERROR: {}", e.message));
                    return false;
                }
            }
            if self.args.verbose > 1 {
                self.dump_real_options(&reader, &flt_opts);
            }
        } else {
            self.output(&format!(
                "Use {:>11} line : {}",
                kind.name(),
                shortstr(value)
            ));
            let cmd = if kind == RegexKind::Fail {
                "addfailregex"
            } else {
                "addignoreregex"
            };
            commands.push(PyValue::List(vec![
                PyValue::str("set"),
                PyValue::str("fail2ban-regex-jail"),
                PyValue::str(cmd),
                PyValue::str(value),
            ]));
        }
        self.apply_commands(&commands)
    }

    /// fail2ban-regex's `ERROR: …` line, and on stderr the Python error
    /// with a caret under its position.
    fn regex_error(&mut self, e: &crate::filter::regex::RegexError) {
        self.emit(&format!("ERROR: {e}"));
        if let Some(p) = e.pointed() {
            self.warnings.push(format!("error: {p}"));
        }
    }

    /// `_dumpRealOptions` (`-vv`).
    fn dump_real_options(
        &mut self,
        reader: &DefinitionReader,
        flt_opts: &crate::Map<String, SString>,
    ) {
        let mut keys: Vec<String> = vec!["logtype".into(), "datepattern".into()];
        keys.extend(flt_opts.keys().cloned());
        let mut parts: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for k in keys {
            let v = reader
                .resolved
                .as_ref()
                .and_then(|c| c.get(&k))
                .map(|v| v.to_py().repr())
                .or_else(|| {
                    reader
                        .parser()
                        .get("Definition", &k, false, None)
                        .ok()
                        .flatten()
                        .map(|v| crate::pyfmt::str_repr(&v.text))
                });
            if let Some(v) = v
                && seen.insert(k.clone())
            {
                parts.push(format!("{}: {v}", crate::pyfmt::str_repr(&k)));
            }
        }
        self.output(&format!("Real  filter options : {{{}}}", parts.join(", ")));
    }

    /// Applies the filter's stream commands the way fail2ban-regex does:
    /// prefregex at once, regexes collected and added at the end.
    fn apply_commands(&mut self, commands: &[PyValue]) -> bool {
        let mut fails: Vec<String> = Vec::new();
        let mut ignores: Vec<String> = Vec::new();
        let mut got_fail = false;
        let mut got_ignore = false;
        for cmd in commands {
            let Some((opt, values)) = crate::config::stream::filter_command(cmd) else {
                continue;
            };
            match opt {
                "prefregex" => {
                    for v in values {
                        if let Err(e) = self.filter.set_prefregex(&v) {
                            self.regex_error(&e);
                            return false;
                        }
                    }
                }
                "addfailregex" => {
                    got_fail = true;
                    fails.extend(values);
                }
                "addignoreregex" => {
                    got_ignore = true;
                    ignores.extend(values);
                }
                "maxlines" => {
                    for v in values {
                        let n =
                            crate::config::value::py_int(&v).and_then(|s| s.parse::<i64>().ok());
                        match n {
                            Some(n) if n > 0 => self.set_maxlines(n as usize),
                            _ => {
                                self.emit(&format!(
                                    "ERROR: Invalid value for maxlines ({}) read from {}: maxlines must be integer greater than zero",
                                    crate::pyfmt::str_repr(&v),
                                    self.current_regex_arg
                                ));
                                return false;
                            }
                        }
                    }
                }
                "datepattern" => {
                    for v in values {
                        if !self.set_datepattern(Some(&v)) {
                            return false;
                        }
                    }
                }
                "addjournalmatch" if self.args.journalmatch.is_none() => {
                    self.journalmatch = Some(values);
                }
                _ => {}
            }
        }
        if got_fail {
            self.fail_regexes = fails.clone();
            for r in &fails {
                if let Err(e) = self.filter.add_failregex(r) {
                    self.regex_error(&e);
                    return false;
                }
            }
            self.fail_hits = vec![RegexHits::default(); self.fail_regexes.len()];
        }
        if got_ignore {
            self.ignore_regexes = ignores.clone();
            for r in &ignores {
                if let Err(e) = self.filter.add_ignoreregex(r) {
                    self.regex_error(&e);
                    return false;
                }
            }
            self.ignore_hits = vec![RegexHits::default(); self.ignore_regexes.len()];
        }
        true
    }
}

/// Per-regex counters of the report.
#[derive(Clone, Default)]
pub struct RegexHits {
    pub count: u64,
    /// `-v`: (failure id, time, "multiple regex matched").
    pub ips: Vec<(String, Option<crate::filter::groups::LogTime>, bool)>,
}
