//! Helpers the rules share: walking a filter's regexes, compiling them the
//! way the server does.

use crate::filter::Flavor;
use crate::lint::model::{Context, FilterUnit};
use crate::source::SString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexKind {
    Prefregex,
    Failregex,
    Ignoreregex,
}

impl RegexKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegexKind::Prefregex => "prefregex",
            RegexKind::Failregex => "failregex",
            RegexKind::Ignoreregex => "ignoreregex",
        }
    }
}

/// One configured regex line of a filter.
pub struct RegexLine<'a> {
    pub filter: &'a FilterUnit,
    pub kind: RegexKind,
    /// 0-based index within its option (failregex 0, 1, …).
    pub index: usize,
    pub text: &'a SString,
}

impl RegexLine<'_> {
    /// `failregex #2` (the location names the file).
    pub fn describe(&self) -> String {
        match self.kind {
            RegexKind::Prefregex => "prefregex".to_string(),
            k => format!("{} #{}", k.as_str(), self.index + 1),
        }
    }

    pub fn use_dns(&self) -> &str {
        self.filter.usedns.as_deref().unwrap_or("warn")
    }
}

/// Every regex line of every loaded filter.
pub fn regex_lines(ctx: &Context) -> Vec<RegexLine<'_>> {
    let mut out = Vec::new();
    for f in all_filters(ctx) {
        if let Some(p) = &f.prefregex {
            out.push(RegexLine {
                filter: f,
                kind: RegexKind::Prefregex,
                index: 0,
                text: p,
            });
        }
        for (i, r) in f.failregex.iter().enumerate() {
            out.push(RegexLine {
                filter: f,
                kind: RegexKind::Failregex,
                index: i,
                text: r,
            });
        }
        for (i, r) in f.ignoreregex.iter().enumerate() {
            out.push(RegexLine {
                filter: f,
                kind: RegexKind::Ignoreregex,
                index: i,
                text: r,
            });
        }
    }
    out
}

/// Standalone filters and the filters of jails (a jail's parameters can
/// change the regexes, so both are linted).
pub fn all_filters(ctx: &Context) -> impl Iterator<Item = &FilterUnit> {
    ctx.filters
        .iter()
        .chain(ctx.jails.iter().filter_map(|j| j.filter.as_ref()))
}

pub fn flavor(ctx: &Context) -> Flavor {
    ctx.flavor
}

/// Whether the pattern starts with an anchor once leading groups are
/// opened (`^`, `\A`).
pub fn starts_anchored(nodes: &[crate::pyre::ast::Node]) -> bool {
    use crate::pyre::ast::{At, Node};
    match nodes.first() {
        Some(Node::At(At::Beginning | At::BeginningString)) => true,
        Some(Node::Group { body, .. }) | Some(Node::Atomic(body)) => starts_anchored(body),
        Some(Node::Branch(alts)) => alts.iter().all(|a| starts_anchored(a)),
        _ => false,
    }
}

/// The raw `key = value` entries that set `key` for a jail section, in
/// reading order (the last one wins), falling back to `[DEFAULT]`.
pub fn jail_entries<'a>(ctx: &'a Context, jail: &str, key: &str) -> Vec<&'a crate::ini::IniEntry> {
    use crate::lint::model::FileKind;
    let jail_files = || ctx.files.iter().filter(|f| f.kind == FileKind::Jail);
    let own: Vec<_> = jail_files()
        .filter_map(|f| f.ini.sections.get(jail).and_then(|s| s.entries.get(key)))
        .collect();
    if !own.is_empty() {
        return own;
    }
    ctx.files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Jail | FileKind::Other))
        .filter_map(|f| f.ini.defaults.get(key))
        .collect()
}

/// The last entry of `key` in the jail's own section (no `[DEFAULT]`).
pub fn jail_own_entry<'a>(
    ctx: &'a Context,
    jail: &str,
    key: &str,
) -> Option<&'a crate::ini::IniEntry> {
    use crate::lint::model::FileKind;
    ctx.files
        .iter()
        .filter(|f| f.kind == FileKind::Jail)
        .rev()
        .find_map(|f| f.ini.sections.get(jail).and_then(|s| s.entries.get(key)))
}

/// The entry that decides `key` for `jail` (the last one read).
pub fn jail_entry<'a>(ctx: &'a Context, jail: &str, key: &str) -> Option<&'a crate::ini::IniEntry> {
    jail_entries(ctx, jail, key).pop()
}

/// A time value in seconds as fail2ban's server computes it.
pub fn seconds(text: &str) -> Option<f64> {
    crate::config::timestr::str2seconds(text)
        .ok()
        .map(|s| s.as_f64())
}

/// A finding from one of `f2b check`'s diagnostics; without a position it
/// is about the tree.
pub fn finding_from_diagnostic(
    info: &'static crate::lint::registry::RuleInfo,
    ctx: &Context,
    d: &crate::diag::Diagnostic,
) -> crate::lint::finding::Finding {
    let mut f = crate::lint::finding::Finding::new(info, d.message.clone())
        .at_loc(d.loc, d.len)
        .label(d.label.clone());
    f.hint = d.hint.clone();
    if f.loc.is_none() {
        f.file = ctx.tree.clone();
    }
    f
}

/// Points a jail finding at the entry that sets the option, else at the
/// tree (the option has its default).
pub fn at_entry(
    f: crate::lint::finding::Finding,
    ctx: &Context,
    entry: Option<&crate::ini::IniEntry>,
) -> crate::lint::finding::Finding {
    match entry {
        Some(e) => f.at(&e.value, 0..e.value.text.len()),
        None => f.in_file(ctx.tree.clone().unwrap_or_default()),
    }
}
