//! The built-in jail set (our own filters), written to a scratch directory
//! so the normal configuration reader can read it.

use std::path::{Path, PathBuf};

const FILES: &[(&str, &str)] = &[
    ("fail2ban.conf", include_str!("builtin/fail2ban.conf")),
    ("jail.conf", include_str!("builtin/jail.conf")),
    (
        "filter.d/f2b-asterisk.conf",
        include_str!("builtin/filter.d/f2b-asterisk.conf"),
    ),
    (
        "filter.d/f2b-sshd.conf",
        include_str!("builtin/filter.d/f2b-sshd.conf"),
    ),
    (
        "filter.d/f2b-recidive.conf",
        include_str!("builtin/filter.d/f2b-recidive.conf"),
    ),
];

/// A configuration directory that is removed when dropped.
pub struct ScratchTree {
    pub dir: PathBuf,
}

impl Drop for ScratchTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch_dir(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "f2b-audit-{label}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes the built-in set.
pub fn write_builtin() -> std::io::Result<ScratchTree> {
    let dir = scratch_dir("builtin");
    for (name, text) in FILES {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("has a parent"))?;
        std::fs::write(path, text)?;
    }
    std::fs::create_dir_all(dir.join("action.d"))?;
    Ok(ScratchTree { dir })
}

/// Copies a configuration tree (to add an ad hoc jail to it).
pub fn copy_tree(from: &Path) -> std::io::Result<ScratchTree> {
    let dir = scratch_dir("copy");
    crate::samples::table::copy_dir(from, &dir)?;
    Ok(ScratchTree { dir })
}

/// The built-in filter files, for `f2b lint` and the tests.
pub fn builtin_filters() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES
        .iter()
        .filter(|(n, _)| n.starts_with("filter.d/"))
        .copied()
}
