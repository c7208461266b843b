//! Finding, reading and merging configuration files: the `.conf`/`.d`/`.local`
//! discovery, `[INCLUDES]` expansion with its loop guard, and the caches
//! fail2ban shares across one configuration read (they change results when
//! includes form loops, so they are reproduced, not just an optimisation).

use super::error::ConfigError;
use super::log::{Level, Log};
use super::parser::CfgParser;
use super::pypath;
use crate::ini::{self, IniFile};
use crate::pyfmt::str_repr;
use crate::source::{Loc, Sources};
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// How deep fail2ban can nest includes before Python's recursion limit
/// (1000 frames) stops it, measured with chains of distinct files: under
/// `jail` and `fail2ban` (read by the configurator) 488 nested includes load
/// and 489 fail; filters and actions are read one call deeper (from the jail
/// reader), where 487 load and 488 fail.
fn include_depth_limit(name: &str) -> usize {
    if matches!(name, "jail" | "fail2ban") {
        489
    } else {
        488
    }
}

/// The result of reading one file.
#[derive(Clone)]
enum FileRead {
    Parsed(Rc<IniFile>),
    /// Could not be opened (missing, a directory, no permission): skipped.
    Unreadable,
    /// Not UTF-8: logged and skipped (message, where the bad byte is).
    Undecodable(String, Option<Loc>),
}

/// A merged named configuration (`jail`, `filter.d/sshd`, …).
#[derive(Clone)]
pub struct NamedConfig {
    pub parser: CfgParser,
    /// Whether at least one file was read.
    pub ok: bool,
}

/// State shared by one configuration read.
pub struct Store {
    pub basedir: String,
    pub sources: Sources,
    pub log: Log,
    /// Findings fail2ban keeps silent (missing includes, unreadable files):
    /// shown by `f2b check`, never in fail2ban-compatible output.
    pub notes: Vec<ConfigError>,
    files: HashMap<String, FileRead>,
    include_lists: HashMap<String, Vec<String>>,
    /// Include nesting at which the current read fails like Python.
    depth_limit: usize,
    named: HashMap<String, Rc<NamedConfig>>,
    /// Every file parsed so far, latest parse per path (for the linter).
    parsed: Vec<(String, Rc<IniFile>)>,
    /// Files read after the tree's own jail files (`f2b lint -c DIR FILE`).
    pub extra_jail_files: Vec<String>,
}

impl Store {
    pub fn new(basedir: &str) -> Self {
        Store {
            basedir: basedir.trim_end_matches('/').to_string(),
            sources: Sources::default(),
            log: Log::default(),
            notes: Vec::new(),
            files: HashMap::default(),
            include_lists: HashMap::default(),
            depth_limit: include_depth_limit("jail"),
            named: HashMap::default(),
            parsed: Vec::new(),
            extra_jail_files: Vec::new(),
        }
    }

    /// Forgets the shared readers (fail2ban's `Configurator.Reload`); parsed
    /// files stay registered so locations remain valid.
    pub fn reload(&mut self) {
        self.include_lists.clear();
        self.named.clear();
        self.files.clear();
    }

    fn read_file(&mut self, path: &str) -> Result<FileRead, ConfigError> {
        if let Some(r) = self.files.get(path) {
            return Ok(r.clone());
        }
        if path.contains('\0') {
            return Err(ConfigError::python(
                "ValueError",
                pypath::EMBEDDED_NUL,
                None,
            ));
        }
        let bytes = match std::fs::read(pypath::os_path(path)) {
            Ok(b) => b,
            Err(_) => {
                self.files.insert(path.to_string(), FileRead::Unreadable);
                return Ok(FileRead::Unreadable);
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let msg = utf8_error_message(e.as_bytes());
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.sources.add(path, Arc::from(lossy.as_str()));
                return Ok(FileRead::Undecodable(
                    msg,
                    Some(Loc {
                        file: id,
                        offset: valid,
                    }),
                ));
            }
        };
        let id = self.sources.add(path, Arc::from(text.as_str()));
        let parsed = ini::parse(&text, id).map_err(|e| {
            let len = match &e {
                ini::IniError::DuplicateOption { option, .. } => option.len(),
                ini::IniError::DuplicateSection { section, .. } => section.len() + 2,
                _ => 0,
            };
            ConfigError::fatal(e.python_message(path), Some(e.loc())).with_len(len).with_hint(match &e {
                ini::IniError::DuplicateOption { .. } | ini::IniError::DuplicateSection { .. } => {
                    "inside one file every section and key may appear only once; across files they merge"
                }
                ini::IniError::MissingSectionHeader { .. } => {
                    "put a [Definition], [Init] or jail section header before the first key"
                }
                ini::IniError::Parsing { .. } => {
                    "a line must be `key = value`, a `[section]`, a comment, or an indented continuation"
                }
            })
        })?;
        let parsed = Rc::new(parsed);
        match self.parsed.iter_mut().find(|(p, _)| p == path) {
            Some(slot) => slot.1 = parsed.clone(),
            None => self.parsed.push((path.to_string(), parsed.clone())),
        }
        let r = FileRead::Parsed(parsed);
        self.files.insert(path.to_string(), r.clone());
        Ok(r)
    }

    /// Files that follow `filenames` once includes are expanded.
    fn get_includes(
        &mut self,
        filenames: &[String],
        seen: &[String],
    ) -> Result<Vec<String>, ConfigError> {
        let filenames = expand_with_local(filenames);
        let key = filenames.join("\x01");
        if let Some(list) = self.include_lists.get(&key) {
            return Ok(list.clone());
        }
        let mut full = Vec::new();
        for f in &filenames {
            full.extend(self.get_includes_uncached(f, seen)?);
        }
        self.include_lists.insert(key, full.clone());
        Ok(full)
    }

    fn get_includes_uncached(
        &mut self,
        resource: &str,
        seen: &[String],
    ) -> Result<Vec<String>, ConfigError> {
        let ini = match self.read_file(resource)? {
            FileRead::Parsed(_) if seen.len() >= self.depth_limit => {
                return Err(ConfigError::python(
                    "RecursionError",
                    "maximum recursion depth exceeded while calling a Python object",
                    None,
                )
                .with_hint(format!(
                    "includes nest {} files deep at {resource}; fail2ban runs out of Python stack \
                     (an include loop through paths like `./x.conf` never repeats the same string)",
                    seen.len() + 1
                )));
            }
            FileRead::Parsed(ini) => ini,
            FileRead::Unreadable => return Ok(vec![]),
            FileRead::Undecodable(msg, loc) => {
                self.log.push(
                    Level::Error,
                    "fail2ban.configparserinc",
                    format!("Error decoding config file '{resource}': {msg}"),
                    loc,
                );
                return Ok(vec![]);
            }
        };
        let dir = pypath::dirname(resource);
        let mut before = Vec::new();
        let mut after = Vec::new();
        if ini.sections.contains_key("INCLUDES") {
            let parser = CfgParser::from_file(&ini);
            for (opt, list) in [("before", &mut before), ("after", &mut after)] {
                if !parser.has_option("INCLUDES", opt) {
                    continue;
                }
                let value = parser
                    .get("INCLUDES", opt, false, None)
                    .map_err(|e| match e {
                        super::parser::GetError::Fatal(f) => f,
                        other => ConfigError::fatal(other.python_message(), None),
                    })?
                    .unwrap_or_default();
                let mut line_start = 0;
                for line in value.text.split('\n') {
                    let line_loc = value.loc_at(line_start);
                    line_start += line.len() + 1;
                    let r = if pypath::is_abs(line) {
                        line.to_string()
                    } else {
                        pypath::join(&dir, line)
                    };
                    self.note_missing_include(&r, line, line_loc);
                    if seen.contains(&r) {
                        continue;
                    }
                    let mut s = seen.to_vec();
                    s.push(resource.to_string());
                    list.extend(self.get_includes(&[r], &s)?);
                }
            }
        }
        let mut out = before;
        out.push(resource.to_string());
        out.extend(after);
        Ok(out)
    }

    /// fail2ban silently ignores includes it cannot read; say so for `.conf`
    /// includes (a missing `.local` is the normal case).
    fn note_missing_include(&mut self, path: &str, written: &str, loc: Option<Loc>) {
        if written.is_empty() || path.ends_with(".local") {
            return;
        }
        let problem = if !pypath::exists(path) {
            "does not exist"
        } else if std::fs::File::open(pypath::os_path(path)).is_err()
            || pypath::os_path(path).is_dir()
        {
            "cannot be read"
        } else {
            return;
        };
        let note = ConfigError::fatal(format!("included file {path} {problem}"), loc)
            .with_len(written.len())
            .with_hint("fail2ban skips unreadable includes without a word; the options it was meant to provide are missing");
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Reads `filenames` with their includes, merging into `parser`.
    /// Returns the files that were read.
    pub fn read_into(
        &mut self,
        parser: &mut CfgParser,
        filenames: &[String],
    ) -> Result<Vec<String>, ConfigError> {
        let full = self.get_includes(filenames, &[])?;
        let mut read = Vec::new();
        for f in full {
            if let FileRead::Parsed(ini) = self.read_file(&f)? {
                read.push(f.clone());
                parser.merge_file(&ini);
            }
        }
        Ok(read)
    }

    /// The candidate files of a logical name: `X.conf`, `X.d/*.conf`,
    /// `X.local`, `X.d/*.local`, the existing ones only.
    pub fn candidate_files(&self, name: &str) -> Result<Vec<String>, ConfigError> {
        let nul = |m| ConfigError::python("ValueError", m, None);
        let basename = pypath::join(&self.basedir, name);
        let conf_d = format!("{basename}.d");
        let mut files = vec![format!("{basename}.conf")];
        let mut confs = pypath::glob(&format!("{conf_d}/*.conf")).map_err(nul)?;
        confs.sort();
        files.extend(confs);
        files.push(format!("{basename}.local"));
        let mut locals = pypath::glob(&format!("{conf_d}/*.local")).map_err(nul)?;
        locals.sort();
        files.extend(locals);
        if name == "jail" {
            files.extend(self.extra_jail_files.iter().cloned());
        }
        Ok(files.into_iter().filter(|f| pypath::exists(f)).collect())
    }

    /// Every file parsed so far with its sections (latest parse per path).
    pub fn parsed_files(&self) -> &[(String, Rc<IniFile>)] {
        &self.parsed
    }

    /// fail2ban's `ConfigReaderUnshared.read(name)` into a fresh parser.
    pub fn read_named_fresh(&mut self, name: &str) -> Result<NamedConfig, ConfigError> {
        if !pypath::exists(&self.basedir) {
            return Err(ConfigError::fatal(
                format!(
                    "Base configuration directory {} does not exist ",
                    self.basedir
                ),
                None,
            ));
        }
        let mut parser = CfgParser::default();
        self.depth_limit = include_depth_limit(name);
        let files = self.candidate_files(name)?;
        let not_found = format!(
            "Found no accessible config files for {} under {}",
            str_repr(name),
            self.basedir
        );
        if files.is_empty() {
            self.log
                .push(Level::Error, "fail2ban.configreader", not_found, None);
            return Ok(NamedConfig { parser, ok: false });
        }
        let read = self.read_into(&mut parser, &files)?;
        let missed: Vec<&String> = files.iter().filter(|f| !read.contains(f)).collect();
        if !missed.is_empty() {
            let list: Vec<&str> = missed.iter().map(|s| s.as_str()).collect();
            self.log.push(
                Level::Error,
                "fail2ban.configreader",
                format!("Could not read config files: {}", list.join(", ")),
                None,
            );
        }
        if read.is_empty() {
            self.log
                .push(Level::Error, "fail2ban.configreader", not_found, None);
            return Ok(NamedConfig { parser, ok: false });
        }
        Ok(NamedConfig { parser, ok: true })
    }

    /// A shared, read-once named configuration (filters and actions).
    pub fn read_named_shared(&mut self, name: &str) -> Result<Rc<NamedConfig>, ConfigError> {
        if let Some(c) = self.named.get(name) {
            return Ok(c.clone());
        }
        let c = Rc::new(self.read_named_fresh(name)?);
        self.named.insert(name.to_string(), c.clone());
        Ok(c)
    }
}

/// Adds each file's sibling `.local` when it exists and is not listed.
fn expand_with_local(filenames: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(filenames.len());
    for f in filenames {
        out.push(f.clone());
        let local = format!("{}.local", pypath::strip_ext(f));
        if !filenames.contains(&local) && pypath::is_file(&local) {
            out.push(local);
        }
    }
    out
}

/// Python's UnicodeDecodeError text, as configparser meets it while
/// iterating a text file: TextIOWrapper decodes 8192-byte chunks with an
/// incremental decoder, so positions count from the start of the chunk (plus
/// the bytes of a character the previous chunk left incomplete), and a
/// character cut by the end of the file fails in the final, separate decode.
fn utf8_error_message(bytes: &[u8]) -> String {
    const CHUNK: usize = 8192;
    let describe = |input: &[u8], at: usize, len: usize, reason: &str| {
        if len == 1 {
            format!(
                "'utf-8' codec can't decode byte 0x{:02x} in position {at}: {reason}",
                input[at]
            )
        } else {
            format!(
                "'utf-8' codec can't decode bytes in position {at}-{}: {reason}",
                at + len - 1
            )
        }
    };
    let mut pending_from = 0;
    let mut chunk_end = 0;
    while chunk_end < bytes.len() {
        chunk_end = (chunk_end + CHUNK).min(bytes.len());
        let input = &bytes[pending_from..chunk_end];
        match std::str::from_utf8(input) {
            Ok(_) => pending_from = chunk_end,
            Err(e) => match e.error_len() {
                Some(len) => {
                    let at = e.valid_up_to();
                    let first = input[at];
                    let reason = if (0x80..0xc2).contains(&first) || first >= 0xf5 {
                        "invalid start byte"
                    } else {
                        "invalid continuation byte"
                    };
                    return describe(input, at, len, reason);
                }
                // An incomplete character at the end of this chunk: the
                // decoder keeps it for the next one.
                None => pending_from += e.valid_up_to(),
            },
        }
    }
    let rest = &bytes[pending_from..];
    describe(rest, 0, rest.len().max(1), "unexpected end of data")
}
