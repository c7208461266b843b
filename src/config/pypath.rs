//! Python's `os.path` and `glob.glob` semantics on POSIX, as fail2ban relies
//! on them for file names (string comparisons, not normalised paths).

use std::path::Path;

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

pub fn exists(p: &str) -> bool {
    Path::new(p).exists()
}

pub fn is_file(p: &str) -> bool {
    Path::new(p).is_file()
}

fn lexists(p: &str) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `fnmatch.fnmatchcase(name, pat)`.
pub fn fnmatch(name: &str, pat: &str) -> bool {
    let mut re = String::from("(?s)^");
    let chars: Vec<char> = pat.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => {
                while i < chars.len() && chars[i] == '*' {
                    i += 1;
                }
                re.push_str(".*");
            }
            '?' => re.push('.'),
            '[' => {
                let mut j = i;
                if j < chars.len() && chars[j] == '!' {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    re.push_str("\\[");
                } else {
                    let mut class: String = chars[i..j].iter().collect();
                    i = j + 1;
                    let negate = class.starts_with('!');
                    if negate {
                        class.remove(0);
                    }
                    let body: String = class
                        .chars()
                        .map(|ch| match ch {
                            '\\' | '[' | ']' | '&' | '~' | '^' => format!("\\{ch}"),
                            _ => ch.to_string(),
                        })
                        .collect();
                    if body.is_empty() {
                        // `[]` / `[!]` never / always match one char.
                        re.push_str(if negate { "." } else { "[^\\s\\S]" });
                    } else {
                        re.push('[');
                        if negate {
                            re.push('^');
                        }
                        re.push_str(&body);
                        re.push(']');
                    }
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(name))
}

fn list_dir(dir: &str) -> Vec<String> {
    let d = if dir.is_empty() { "." } else { dir };
    match std::fs::read_dir(d) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect(),
        Err(_) => vec![],
    }
}

/// `glob.glob(pattern)` (non-recursive), in directory order like Python.
pub fn glob(pattern: &str) -> Vec<String> {
    if !has_magic(pattern) {
        return if lexists(pattern) {
            vec![pattern.to_string()]
        } else {
            vec![]
        };
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
        glob(dir_trimmed)
            .into_iter()
            .filter(|d| Path::new(d).is_dir())
            .collect()
    } else {
        vec![dir_trimmed.to_string()]
    };
    let mut out = Vec::new();
    for d in dirs {
        if has_magic(base) {
            for name in list_dir(&d) {
                if name.starts_with('.') && !base.starts_with('.') {
                    continue;
                }
                if fnmatch(&name, base) {
                    out.push(join(&d, &name));
                }
            }
        } else if base.is_empty() {
            if Path::new(&d).is_dir() {
                out.push(join(&d, base));
            }
        } else {
            let p = join(&d, base);
            if lexists(&p) {
                out.push(p);
            }
        }
    }
    out
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
    }

    #[test]
    fn fnmatch_follows_python() {
        assert!(fnmatch("a.conf", "*.conf"));
        assert!(!fnmatch("a.conf.bak", "*.conf"));
        assert!(fnmatch("x1", "x[0-9]"));
        assert!(fnmatch("xa", "x[!0-9]"));
        assert!(fnmatch("x[", "x["));
    }
}
