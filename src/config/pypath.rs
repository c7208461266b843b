//! Python's `os.path` and `glob.glob` semantics on POSIX, as fail2ban relies
//! on them for file names (string comparisons, not normalised paths).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Python decodes file names with `surrogateescape`: a byte that is not
/// UTF-8 becomes U+DC80+byte. Rust strings cannot hold lone surrogates, so
/// f2b carries such a byte as U+10FC00+byte (Supplementary Private Use
/// Area-B), prints it as Python does (`\udcff`) and turns it back into the
/// byte when touching the file system.
pub const ESCAPED_BYTE_BASE: u32 = 0x10FC00;

/// A file name from the OS as Python sees it.
pub fn name_from_os(name: &OsStr) -> String {
    let mut out = String::new();
    let mut bytes = name.as_bytes();
    while !bytes.is_empty() {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).expect("valid prefix"));
                let n = e.error_len().unwrap_or(bad.len());
                for b in &bad[..n] {
                    out.push(char::from_u32(ESCAPED_BYTE_BASE + *b as u32).expect("in range"));
                }
                bytes = &bad[n..];
            }
        }
    }
    out
}

/// The byte a name character stands for, if it is an escaped byte.
pub fn escaped_byte(c: char) -> Option<u8> {
    let n = c as u32;
    (ESCAPED_BYTE_BASE + 0x80..=ESCAPED_BYTE_BASE + 0xFF)
        .contains(&n)
        .then(|| (n - ESCAPED_BYTE_BASE) as u8)
}

/// A path string as the OS path it names.
pub fn os_path(p: &str) -> PathBuf {
    if !p.chars().any(|c| escaped_byte(c).is_some()) {
        return PathBuf::from(p);
    }
    let mut bytes = Vec::with_capacity(p.len());
    for c in p.chars() {
        match escaped_byte(c) {
            Some(b) => bytes.push(b),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    PathBuf::from(OsStr::from_bytes(&bytes))
}

pub fn is_abs(p: &str) -> bool {
    p.starts_with('/')
}

/// `os.path.join(a, b)` for two parts.
pub fn join(a: &str, b: &str) -> String {
    if is_abs(b) || a.is_empty() {
        b.to_string()
    } else if a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `os.path.dirname`.
pub fn dirname(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let head = &p[..i];
    let trimmed = head.trim_end_matches('/');
    if trimmed.is_empty() {
        head.to_string()
    } else {
        trimmed.to_string()
    }
}

/// `os.path.basename(p)`.
pub fn basename(p: &str) -> String {
    p[p.rfind('/').map_or(0, |i| i + 1)..].to_string()
}

/// `os.path.splitext(p)[0]`.
pub fn strip_ext(p: &str) -> &str {
    let base_start = p.rfind('/').map_or(0, |i| i + 1);
    let base = &p[base_start..];
    let lead = base.len() - base.trim_start_matches('.').len();
    match base[lead..].rfind('.') {
        Some(dot) => &p[..base_start + lead + dot],
        None => p,
    }
}

/// `os.path.normpath` (POSIX).
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = format!("{}{}", "/".repeat(initial), comps.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// `os.path.abspath`: relative to the process's working directory.
pub fn abspath(path: &str) -> String {
    if is_abs(path) {
        return normpath(path);
    }
    let cwd = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    normpath(&join(&cwd, path))
}

pub fn exists(p: &str) -> bool {
    os_path(p).exists()
}

pub fn is_file(p: &str) -> bool {
    os_path(p).is_file()
}

fn lexists(p: &str) -> bool {
    if p.contains('\0') {
        return false;
    }
    std::fs::symlink_metadata(os_path(p)).is_ok()
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Python 3.11's `fnmatch.translate`, as a regex for fancy-regex.
fn fnmatch_translate(pat: &str) -> String {
    enum Piece {
        Star,
        Text(String),
    }
    let chars: Vec<char> = pat.chars().collect();
    let n = chars.len();
    let mut res: Vec<Piece> = Vec::new();
    let mut i = 0;
    let slice = |a: usize, b: usize| -> String { chars[a..b].iter().collect() };
    while i < n {
        let c = chars[i];
        i += 1;
        match c {
            '*' => {
                if !matches!(res.last(), Some(Piece::Star)) {
                    res.push(Piece::Star);
                }
            }
            '?' => res.push(Piece::Text(".".into())),
            '[' => {
                let mut j = i;
                if j < n && chars[j] == '!' {
                    j += 1;
                }
                if j < n && chars[j] == ']' {
                    j += 1;
                }
                while j < n && chars[j] != ']' {
                    j += 1;
                }
                if j >= n {
                    res.push(Piece::Text("\\[".into()));
                    continue;
                }
                let mut stuff = slice(i, j);
                if !stuff.contains('-') {
                    stuff = stuff.replace('\\', "\\\\");
                } else {
                    let mut chunks: Vec<String> = Vec::new();
                    let mut k = if chars[i] == '!' { i + 2 } else { i + 1 };
                    loop {
                        let found = (k..j).find(|&x| chars[x] == '-');
                        let Some(kk) = found else { break };
                        chunks.push(slice(i, kk));
                        i = kk + 1;
                        k = kk + 3;
                    }
                    let chunk = slice(i, j);
                    if !chunk.is_empty() {
                        chunks.push(chunk);
                    } else if let Some(last) = chunks.last_mut() {
                        last.push('-');
                    }
                    // Remove empty (reversed) ranges.
                    let mut k = chunks.len();
                    while k > 1 {
                        k -= 1;
                        let prev_last = chunks[k - 1].chars().last();
                        let next_first = chunks[k].chars().next();
                        if let (Some(a), Some(b)) = (prev_last, next_first)
                            && a > b
                        {
                            let mut merged: String = {
                                let mut p: Vec<char> = chunks[k - 1].chars().collect();
                                p.pop();
                                p.into_iter().collect()
                            };
                            merged.extend(chunks[k].chars().skip(1));
                            chunks[k - 1] = merged;
                            chunks.remove(k);
                        }
                    }
                    stuff = chunks
                        .iter()
                        .map(|s| s.replace('\\', "\\\\").replace('-', "\\-"))
                        .collect::<Vec<_>>()
                        .join("-");
                }
                let mut escaped = String::new();
                for ch in stuff.chars() {
                    if matches!(ch, '&' | '~' | '|') {
                        escaped.push('\\');
                    }
                    escaped.push(ch);
                }
                let stuff = escaped;
                i = j + 1;
                if stuff.is_empty() {
                    res.push(Piece::Text("(?!)".into()));
                } else if stuff == "!" {
                    res.push(Piece::Text(".".into()));
                } else {
                    let body = if let Some(rest) = stuff.strip_prefix('!') {
                        format!("^{rest}")
                    } else if stuff.starts_with(['^', '[']) {
                        format!("\\{stuff}")
                    } else {
                        stuff
                    };
                    // Python reads `[` inside a class literally; fancy-regex
                    // would open a nested class.
                    res.push(Piece::Text(format!("[{}]", escape_class_brackets(&body))));
                }
            }
            c => res.push(Piece::Text(regex::escape(&c.to_string()))),
        }
    }
    let mut out = String::new();
    let mut idx = 0;
    while idx < res.len() {
        if let Piece::Text(t) = &res[idx] {
            out.push_str(t);
            idx += 1;
        } else {
            break;
        }
    }
    while idx < res.len() {
        idx += 1; // the star
        if idx == res.len() {
            out.push_str(".*");
            break;
        }
        let mut fixed = String::new();
        while idx < res.len() {
            match &res[idx] {
                Piece::Text(t) => fixed.push_str(t),
                Piece::Star => break,
            }
            idx += 1;
        }
        if idx == res.len() {
            out.push_str(".*");
            out.push_str(&fixed);
        } else {
            out.push_str(&format!("(?>.*?{fixed})"));
        }
    }
    format!("(?s:{out})\\z")
}

/// Escapes `[` inside a class body (Python treats it as a literal there).
fn escape_class_brackets(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut prev_backslash = false;
    for ch in body.chars() {
        if ch == '[' && !prev_backslash {
            out.push('\\');
        }
        prev_backslash = ch == '\\' && !prev_backslash;
        out.push(ch);
    }
    out
}

/// `fnmatch.fnmatchcase(name, pat)`.
pub fn fnmatch(name: &str, pat: &str) -> bool {
    let re = format!("^{}", fnmatch_translate(pat));
    fancy_regex::Regex::new(&re).is_ok_and(|r| r.is_match(name).unwrap_or(false))
}

/// Python raises `ValueError: embedded null byte` for a path with NUL
/// (only `os.path.exists`/`lexists` swallow it).
pub const EMBEDDED_NUL: &str = "embedded null byte";

/// `os.scandir(dir)` names; OSError means no names, NUL is a ValueError.
fn list_dir(dir: &str) -> Result<Vec<String>, &'static str> {
    if dir.contains('\0') {
        return Err(EMBEDDED_NUL);
    }
    let d = if dir.is_empty() { "." } else { dir };
    Ok(match std::fs::read_dir(os_path(d)) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| name_from_os(&e.file_name()))
            .collect(),
        Err(_) => vec![],
    })
}

/// `glob.glob(pattern)` (non-recursive), in directory order like Python.
/// `Err` is Python's ValueError for a directory path with NUL.
pub fn glob(pattern: &str) -> Result<Vec<String>, &'static str> {
    if !has_magic(pattern) {
        return Ok(if lexists(pattern) {
            vec![pattern.to_string()]
        } else {
            vec![]
        });
    }
    let (dir, base) = match pattern.rfind('/') {
        Some(i) => (&pattern[..i + 1], &pattern[i + 1..]),
        None => ("", pattern),
    };
    // os.path.split strips trailing slashes from the head unless it is all slashes.
    let dir_trimmed = {
        let t = dir.trim_end_matches('/');
        if t.is_empty() { dir } else { t }
    };
    let dirs: Vec<String> = if dir_trimmed.is_empty() {
        vec![String::new()]
    } else if has_magic(dir_trimmed) {
        glob(dir_trimmed)?
            .into_iter()
            .filter(|d| os_path(d).is_dir())
            .collect()
    } else {
        vec![dir_trimmed.to_string()]
    };
    let mut out = Vec::new();
    for d in dirs {
        if has_magic(base) {
            for name in list_dir(&d)? {
                if name.starts_with('.') && !base.starts_with('.') {
                    continue;
                }
                if fnmatch(&name, base) {
                    out.push(join(&d, &name));
                }
            }
        } else if base.is_empty() {
            if os_path(&d).is_dir() {
                out.push(join(&d, base));
            }
        } else {
            let p = join(&d, base);
            if lexists(&p) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_helpers_follow_os_path() {
        assert_eq!(join("/etc/fail2ban", "jail"), "/etc/fail2ban/jail");
        assert_eq!(join("/etc/", "x"), "/etc/x");
        assert_eq!(join("/etc", "/abs"), "/abs");
        assert_eq!(join("", "x"), "x");
        assert_eq!(dirname("/a/b/c.conf"), "/a/b");
        assert_eq!(dirname("c.conf"), "");
        assert_eq!(dirname("/c.conf"), "/");
        assert_eq!(strip_ext("/a/b.c/d.conf"), "/a/b.c/d");
        assert_eq!(strip_ext("/a/.hidden"), "/a/.hidden");
        assert_eq!(strip_ext("/a/b.c/d"), "/a/b.c/d");
        assert_eq!(normpath("/a/./b/../c//d/"), "/a/c/d");
        assert_eq!(normpath("../x/./.."), "..");
        assert_eq!(normpath("//a"), "//a");
        assert_eq!(normpath(""), ".");
    }

    #[test]
    fn fnmatch_follows_python() {
        assert!(fnmatch("a.conf", "*.conf"));
        assert!(!fnmatch("a.conf.bak", "*.conf"));
        assert!(fnmatch("x1", "x[0-9]"));
        assert!(fnmatch("xa", "x[!0-9]"));
        assert!(fnmatch("x[", "x["));
        // fnmatch.translate drops reversed ranges (Python 3.11).
        assert!(fnmatch("a", "[a-cz-x]"));
        assert!(!fnmatch("y", "[a-cz-x]"));
        assert!(!fnmatch("a", "[b-a]"));
        assert!(fnmatch("q", "[!z-a]"));
        assert!(fnmatch("ab", "*a*b"));
        assert!(fnmatch("x[y", "x[[]y"));
    }
}
