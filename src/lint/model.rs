//! What a lint run looks at: the jails, filters and actions of a tree (or
//! single files), loaded with fail2ban's own reader so every value keeps
//! the span of the text it came from.

use crate::Map;
use crate::client::{ClientOptions, DumpMode, run as run_client};
use crate::config::definition::{Combined, DefinitionKind, DefinitionReader};
use crate::config::jail::JailAction;
use crate::config::pypath;
use crate::config::store::Store;
use crate::config::value::OptValue;
use crate::diag::Diagnostic;
use crate::filter::Flavor;
use crate::ini::IniFile;
use crate::source::{SString, Sources};
use std::rc::Rc;

/// What to lint.
#[derive(Debug, Clone, Default)]
pub struct LintInput {
    /// The configuration tree (`-c`); `None` with no paths means
    /// `/etc/fail2ban`.
    pub conf: Option<String>,
    /// Single files or tree directories.
    pub paths: Vec<String>,
    /// A directory of sample logs named after their filters (fail2ban's
    /// `tests/files/logs`), for the coverage rule.
    pub samples: Option<String>,
    pub flavor: Option<Flavor>,
}

/// A filter as fail2ban would load it, one unit per (file, parameters).
#[derive(Debug, Clone)]
pub struct FilterUnit {
    /// The filter name (`asterisk`) or the file stem.
    pub name: String,
    /// The main file (`…/filter.d/asterisk.conf`).
    pub path: String,
    /// Non-empty lines of `failregex`, config tags substituted, as the
    /// server receives them.
    pub failregex: Vec<SString>,
    pub ignoreregex: Vec<SString>,
    pub prefregex: Option<SString>,
    pub datepattern: Option<SString>,
    pub maxlines: Option<String>,
    pub journalmatch: Option<SString>,
    pub usedns: Option<String>,
    /// Every option after substitution (for rules that need more).
    pub options: Combined,
}

#[derive(Debug, Clone)]
pub struct ActionUnit {
    pub name: String,
    pub path: String,
    /// `[Init]` values after the jail's parameters.
    pub init: Map<String, SString>,
    pub options: Combined,
}

#[derive(Debug, Clone)]
pub struct JailUnit {
    pub name: String,
    pub enabled: bool,
    /// Typed options as fail2ban's reader returns them.
    pub opts: Map<String, OptValue>,
    /// The filter's file, when it was found.
    pub filter: Option<FilterUnit>,
    /// The `filter` option as written (name and parameters).
    pub filter_spec: Option<SString>,
    pub actions: Vec<ActionUnit>,
    /// Python actions (`x.py`) by name: not linted further.
    pub python_actions: usize,
    /// Why fail2ban skips the jail, if it does.
    pub config_error: Option<crate::config::error::ConfigError>,
}

impl JailUnit {
    pub fn opt_text(&self, key: &str) -> Option<&SString> {
        self.opts.get(key).and_then(|v| v.as_sstring())
    }

    /// Enabled, and not skipped by fail2ban: the jail would run.
    pub fn runs(&self) -> bool {
        self.enabled && self.config_error.is_none()
    }

    /// The `backend` option (fail2ban's default `auto`), trimmed.
    pub fn backend(&self) -> &str {
        self.opt_text("backend").map_or("auto", |b| b.text.trim())
    }
}

/// A configuration file as parsed (sections and entries with spans).
#[derive(Debug, Clone)]
pub struct RawFile {
    pub path: String,
    pub ini: Rc<IniFile>,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jail,
    Filter,
    Action,
    /// `fail2ban.conf`, `paths-*.conf`, includes of unknown role.
    Other,
}

pub struct Context {
    pub sources: Sources,
    pub filters: Vec<FilterUnit>,
    pub actions: Vec<ActionUnit>,
    pub jails: Vec<JailUnit>,
    pub files: Vec<RawFile>,
    /// What `f2b check` reports for the tree.
    pub check: Vec<Diagnostic>,
    /// Problems loading single files (unreadable, not a filter …).
    pub load_errors: Vec<(String, crate::config::error::ConfigError)>,
    pub samples: Option<String>,
    pub flavor: Flavor,
    /// Whether a tree was read (tree rules only run then).
    pub tree: Option<String>,
}

impl Context {
    pub fn file(&self, path: &str) -> Option<&RawFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Every filter and the options of every jail: all text that can name
    /// an option through `%(x)s` or `<x>`.
    pub fn all_values(&self) -> impl Iterator<Item = &SString> {
        self.files.iter().flat_map(|f| {
            f.ini
                .defaults
                .values()
                .chain(f.ini.sections.values().flat_map(|s| s.entries.values()))
                .map(|e| &e.value)
        })
    }
}

fn split_lines(v: &SString) -> Vec<SString> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in v.text.char_indices() {
        if c == '\n' {
            if i > start {
                out.push(v.slice(start..i));
            }
            start = i + 1;
        }
    }
    if start < v.text.len() {
        out.push(v.slice(start..v.text.len()));
    }
    out
}

fn text_of(c: &Combined, key: &str) -> Option<SString> {
    match c.get(key)? {
        OptValue::None => None,
        v => v.as_var(),
    }
}

/// A filter unit from a reader that has produced its stream.
pub fn filter_unit(reader: &DefinitionReader) -> Option<FilterUnit> {
    let opts = reader.resolved.clone()?;
    let lines = |k: &str| {
        text_of(&opts, k)
            .map(|v| split_lines(&v))
            .unwrap_or_default()
    };
    let nonempty = |k: &str| text_of(&opts, k).filter(|v| !v.text.is_empty());
    Some(FilterUnit {
        name: reader.name.clone(),
        path: reader.file.clone(),
        failregex: lines("failregex"),
        ignoreregex: lines("ignoreregex"),
        prefregex: nonempty("prefregex"),
        datepattern: nonempty("datepattern"),
        maxlines: text_of(&opts, "maxlines").map(|v| v.text),
        journalmatch: nonempty("journalmatch"),
        usedns: text_of(&opts, "usedns").map(|v| v.text),
        options: opts,
    })
}

fn action_unit(reader: &DefinitionReader) -> ActionUnit {
    ActionUnit {
        name: reader.name.clone(),
        path: reader.file.clone(),
        init: reader.init_opts.clone(),
        options: reader.resolved.clone().unwrap_or_default(),
    }
}

/// Classifies a file by its directory, then by its content.
pub fn classify(path: &str, ini: Option<&IniFile>) -> FileKind {
    let dir = pypath::basename(&pypath::dirname(path));
    match dir.as_str() {
        "filter.d" => return FileKind::Filter,
        "action.d" => return FileKind::Action,
        "jail.d" => return FileKind::Jail,
        _ => {}
    }
    let base = pypath::basename(path);
    if base.starts_with("jail.") {
        return FileKind::Jail;
    }
    if base.starts_with("fail2ban.") || base.starts_with("paths-") {
        return FileKind::Other;
    }
    let Some(ini) = ini else {
        // Unreadable as INI: load it as a filter, whose reader then reports
        // the decoding or parsing error with its position.
        return FileKind::Filter;
    };
    {
        if let Some(def) = ini.sections.get("Definition") {
            let has = |k: &str| def.entries.contains_key(k);
            if has("failregex") || has("prefregex") {
                return FileKind::Filter;
            }
            if has("actionban") || has("actionstart") || has("actionunban") {
                return FileKind::Action;
            }
        }
        if !ini.sections.is_empty() {
            return FileKind::Jail;
        }
    }
    FileKind::Other
}

/// Reads a single filter or action file with its includes.
fn load_definition(
    store: &mut Store,
    path: &str,
    kind: DefinitionKind,
) -> Result<Option<DefinitionReader>, crate::config::error::ConfigError> {
    let stem = pypath::strip_ext(&pypath::basename(path)).to_string();
    // Paths stay as given, so findings name files the way the user did.
    let mut reader = match kind {
        DefinitionKind::Filter => DefinitionReader::new_filter(path, "f2b-lint", Map::default()),
        DefinitionKind::Action => DefinitionReader::new_action(path, "f2b-lint", Map::default()),
    };
    reader.name = stem;
    if !reader.read_explicit(store)? {
        return Ok(None);
    }
    if kind == DefinitionKind::Filter {
        reader.apply_auto_options("auto");
    }
    reader.get_options(store, &Map::default(), false)?;
    match kind {
        DefinitionKind::Filter => {
            reader.filter_stream(store)?;
        }
        DefinitionKind::Action => {
            reader
                .get_combined(store, &[])
                .map(|c| reader.resolved = Some(c))?;
        }
    }
    Ok(Some(reader))
}

fn sorted_glob(pattern: &str) -> Vec<String> {
    let mut v = pypath::glob(pattern).unwrap_or_default();
    v.sort();
    v
}

/// The `.conf` files of a directory minus those another file of it
/// includes (`common.conf`, `iptables-common.conf`): those are parts, not
/// filters or actions fail2ban would load on their own.
fn standalone_files(dir: &str) -> Vec<String> {
    let all = sorted_glob(&format!("{dir}/*.conf"));
    let mut included = std::collections::HashSet::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(ini) = crate::ini::parse(&text, 0) else {
            continue;
        };
        if let Some(inc) = ini.sections.get("INCLUDES") {
            for key in ["before", "after"] {
                if let Some(e) = inc.entries.get(key) {
                    for name in e.value.text.split_whitespace() {
                        included.insert(pypath::basename(name));
                    }
                }
            }
        }
    }
    all.into_iter()
        .filter(|p| !included.contains(&pypath::basename(p)))
        .collect()
}

fn jail_unit(j: &crate::config::jail::Jail) -> JailUnit {
    let filter = j
        .filter
        .as_ref()
        .filter(|r| r.resolved.is_some())
        .and_then(|r| filter_unit(r));
    let mut actions = Vec::new();
    let mut python_actions = 0;
    for a in &j.actions {
        match a {
            JailAction::Command(r) => actions.push(action_unit(r)),
            JailAction::Python(_) => python_actions += 1,
        }
    }
    JailUnit {
        name: j.name.clone(),
        enabled: j.is_enabled(false),
        opts: j.opts.clone(),
        filter,
        filter_spec: j.opts.get("filter").and_then(|v| v.as_sstring()).cloned(),
        actions,
        python_actions,
        config_error: j.config_error.clone(),
    }
}

/// Loads everything `input` names.
pub fn load(input: &LintInput) -> Context {
    let flavor = input.flavor.unwrap_or(Flavor::V1_0_2);
    let mut files: Vec<String> = Vec::new();
    let mut trees: Vec<String> = Vec::new();
    let mut extra_jail_files = Vec::new();
    for p in &input.paths {
        if std::path::Path::new(p).is_dir() {
            trees.push(p.trim_end_matches('/').to_string());
        } else {
            files.push(p.clone());
        }
    }
    let single_kinds: Vec<(String, FileKind)> = files
        .iter()
        .map(|f| {
            let ini = std::fs::read_to_string(f)
                .ok()
                .and_then(|t| crate::ini::parse(&t, 0).ok());
            (f.clone(), classify(f, ini.as_ref()))
        })
        .collect();
    for (f, k) in &single_kinds {
        if *k == FileKind::Jail {
            extra_jail_files.push(if f.starts_with('/') {
                f.clone()
            } else {
                pypath::abspath(f)
            });
        }
    }
    // One tree per run: `-c DIR`, else a directory argument, else the
    // system's when there is nothing else or a jail file needs one.
    if let Some(c) = &input.conf {
        trees.insert(0, c.trim_end_matches('/').to_string());
    } else if trees.is_empty() && (input.paths.is_empty() || !extra_jail_files.is_empty()) {
        trees.push("/etc/fail2ban".to_string());
    }
    trees.truncate(1);

    let mut ctx = Context {
        sources: Sources::default(),
        filters: Vec::new(),
        actions: Vec::new(),
        jails: Vec::new(),
        files: Vec::new(),
        check: Vec::new(),
        load_errors: Vec::new(),
        samples: input.samples.clone(),
        flavor,
        tree: trees.first().cloned(),
    };
    // One store carries all sources so every span stays valid.
    let mut store_sources = Sources::default();
    let mut tree_file_paths: Vec<(String, Rc<IniFile>)> = Vec::new();

    if let Some(tree) = trees.first() {
        let opts = ClientOptions {
            conf: tree.clone(),
            test: true,
            dump: Some(DumpMode::Plain),
            extra_jail_files: extra_jail_files.clone(),
            ..Default::default()
        };
        let mut outcome = run_client(&opts);
        ctx.check.extend(crate::cli::check_diagnostics(&outcome));
        let mut store = std::mem::replace(&mut outcome.store, Store::new(tree));
        for j in std::mem::take(&mut outcome.jails) {
            ctx.jails.push(jail_unit(&j));
        }
        // Every filter and action file of the tree, on its own.
        for path in standalone_files(&format!("{tree}/filter.d")) {
            match load_definition(&mut store, &path, DefinitionKind::Filter) {
                Ok(Some(r)) => {
                    if let Some(u) = filter_unit(&r) {
                        ctx.filters.push(u);
                    }
                }
                Ok(None) => {}
                Err(e) => ctx.load_errors.push((path.clone(), e)),
            }
        }
        for path in standalone_files(&format!("{tree}/action.d")) {
            match load_definition(&mut store, &path, DefinitionKind::Action) {
                Ok(Some(r)) => ctx.actions.push(action_unit(&r)),
                Ok(None) => {}
                Err(e) => ctx.load_errors.push((path.clone(), e)),
            }
        }
        tree_file_paths.extend(store.parsed_files().iter().cloned());
        store_sources = std::mem::take(&mut store.sources);
    }

    // Single filter and action files.
    let mut store = Store::new(trees.first().map_or("/etc/fail2ban", |s| s.as_str()));
    store.sources = store_sources;
    for (path, kind) in &single_kinds {
        let def_kind = match kind {
            FileKind::Filter => DefinitionKind::Filter,
            FileKind::Action => DefinitionKind::Action,
            FileKind::Jail => continue, // read with the tree
            FileKind::Other => {
                ctx.load_errors.push((
                    path.clone(),
                    crate::config::error::ConfigError::fatal(
                        "not a filter, action or jail file (no [Definition] with failregex or \
                         actionban, no jail section)"
                            .to_string(),
                        None,
                    ),
                ));
                continue;
            }
        };
        if !pypath::is_file(path) {
            ctx.load_errors.push((
                path.clone(),
                crate::config::error::ConfigError::fatal("no such file".to_string(), None),
            ));
            continue;
        }
        match load_definition(&mut store, path, def_kind) {
            Ok(Some(r)) => match def_kind {
                DefinitionKind::Filter => {
                    if let Some(u) = filter_unit(&r) {
                        ctx.filters.push(u);
                    }
                }
                DefinitionKind::Action => {
                    ctx.actions.push(action_unit(&r));
                }
            },
            Ok(None) => {
                // The reader logged why (not UTF-8, unreadable): use that.
                let logged = store.log.records.iter().rev().find(|r| {
                    r.level == crate::config::log::Level::Error && r.message.contains(path.as_str())
                });
                let e = match logged {
                    Some(r) => crate::config::error::ConfigError::fatal(r.message.clone(), r.loc),
                    None => crate::config::error::ConfigError::fatal("cannot be read", None),
                };
                ctx.load_errors.push((path.clone(), e));
            }
            Err(e) => ctx.load_errors.push((path.clone(), e)),
        }
    }
    tree_file_paths.extend(store.parsed_files().iter().cloned());
    ctx.sources = std::mem::take(&mut store.sources);

    let mut seen = std::collections::HashSet::new();
    for (path, ini) in tree_file_paths.into_iter().rev() {
        if seen.insert(path.clone()) {
            let kind = classify(&path, Some(&ini));
            ctx.files.push(RawFile { path, ini, kind });
        }
    }
    ctx.files.reverse();
    ctx
}
