//! Regex tag expansion (`<HOST>`, `<F-USER>`…`</F-USER>`, `<SKIPLINES>`)
//! and the mid-pattern global-flag rewrite, applied to every failregex,
//! ignoreregex and prefregex before compiling.

use std::collections::HashSet;

/// Which fail2ban's expansions to use: the IPv6 fragment differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavor {
    /// Debian's fail2ban 1.0.2 (the oracle).
    #[default]
    V1_0_2,
    /// fail2ban's upstream master (`|:` instead of `|::` in the IPv6 part).
    Upstream,
}

const IP4: &str = r"(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})";
const DNS: &str = r"(?P<dns>[\w\-.^_]*\w)";
const CIDR: &str = r"(?P<cidr>\d+)";

fn ip6(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::V1_0_2 => r"(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))",
        Flavor::Upstream => r"(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|:){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))",
    }
}

fn addr(flavor: Flavor) -> String {
    format!(r"\[?(?:{IP4}|{})\]?", ip6(flavor))
}

/// The replacement of a static tag (`<IP4>`, `<F-ID/>`, …), if it is one.
pub(crate) fn static_tag(name: &str, use_dns: &str, flavor: Flavor) -> Option<String> {
    Some(match name {
        "HOST" => {
            if use_dns == "no" {
                addr(flavor)
            } else {
                format!("(?:{}|{DNS})", addr(flavor))
            }
        }
        "IP4" | "F-IP4/" => IP4.to_string(),
        "IP6" | "F-IP6/" => ip6(flavor).to_string(),
        "ADDR" | "F-ADDR/" => addr(flavor),
        "CIDR" | "F-CIDR/" => CIDR.to_string(),
        "SUBNET" | "F-SUBNET/" => format!(r"\[?(?:{IP4}|{})(?:/{CIDR})?\]?", ip6(flavor)),
        "DNS" | "F-DNS/" => DNS.to_string(),
        "F-ID/" => r"(?P<fid>\S+)".to_string(),
        "F-PORT/" => r"(?P<fport>\w+)".to_string(),
        _ => return None,
    })
}

/// fail2ban's short group names for custom tags.
pub fn map_tag_to_opt(tag: &str) -> String {
    let t = tag.to_lowercase();
    match t.as_str() {
        "id" => "fid".into(),
        "port" => "fport".into(),
        _ => t,
    }
}

/// A tag candidate `</?[\w\-]+/?>` starting at `start`: its end (exclusive).
pub(crate) fn tag_at(s: &str, start: usize) -> Option<usize> {
    let rest = &s[start + 1..];
    let mut i = 0;
    if rest.starts_with('/') {
        i = 1;
    }
    let name_start = i;
    for (off, c) in rest[i..].char_indices() {
        if crate::pyfmt::chars::is_word(c) || c == '-' {
            continue;
        }
        let mut j = i + off;
        if j == name_start {
            return None;
        }
        if rest[j..].starts_with('/') {
            j += 1;
        }
        return rest[j..].starts_with('>').then_some(start + 1 + j + 1);
    }
    None
}

/// `F-NAME` or `/F-NAME` with NAME in `[A-Z0-9_\-]+`: (closing, NAME).
pub(crate) fn custom_tag(inner: &str) -> Option<(bool, &str)> {
    let (close, rest) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let name = rest.strip_prefix("F-")?;
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-'))
    .then_some((close, name))
}

/// `_resolveHostTag`: replaces fail2ban's tags by their regexes.
pub fn resolve_tags(regex: &str, use_dns: &str, flavor: Flavor) -> String {
    let mut out = String::with_capacity(regex.len() * 2);
    let mut open: HashSet<String> = HashSet::new();
    let mut skiplines = 0usize;
    let mut last = 0;
    let mut i = 0;
    let bytes = regex.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let Some(end) = tag_at(regex, i) else {
            i += 1;
            continue;
        };
        let tag = &regex[i..end];
        let inner = &tag[1..tag.len() - 1];
        out.push_str(&regex[last..i]);
        if inner == "SKIPLINES" {
            out.push_str(&format!(r"\n(?P<skiplines{skiplines}>(?:(?:.*\n)*?))"));
            skiplines += 1;
        } else if let Some(r) = static_tag(inner, use_dns, flavor) {
            out.push_str(&r);
        } else if let Some((close, name)) = custom_tag(inner) {
            if close {
                if open.contains(name) {
                    out.push(')');
                } else {
                    out.push_str(tag);
                }
            } else {
                open.insert(name.to_string());
                out.push_str(&format!("(?P<{}>", map_tag_to_opt(name)));
            }
        } else {
            out.push_str(tag);
        }
        last = end;
        i = end;
    }
    out.push_str(&regex[last..]);
    out
}

/// fail2ban rewrites `((?i)x)` and `(?:(?i)x)` to `(?i:x)`:
/// `(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)` → `\1:`.
pub fn global_to_local_flags(regex: &str) -> String {
    let b = regex.as_bytes();
    let mut out = String::with_capacity(regex.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' && (i == 0 || b[i - 1] != b'\\') {
            let mut j = i + 1;
            if b[j..].starts_with(b"?:") {
                j += 2;
            }
            if b[j..].starts_with(b"(?") {
                let letters = j + 2;
                let mut k = letters;
                while k < b.len() && b[k].is_ascii_lowercase() {
                    k += 1;
                }
                if k > letters && k < b.len() && b[k] == b')' {
                    out.push_str(&regex[last..i]);
                    out.push_str(&regex[j..k]);
                    out.push(':');
                    last = k + 1;
                    i = k + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&regex[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_tag_matches_the_documented_expansion() {
        assert_eq!(
            resolve_tags("<HOST>", "warn", Flavor::V1_0_2),
            r"(?:\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)))\]?|(?P<dns>[\w\-.^_]*\w))"
        );
        assert_eq!(
            resolve_tags("<HOST>", "no", Flavor::Upstream),
            r"\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|:){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)))\]?"
        );
    }

    #[test]
    fn custom_tags_open_and_close() {
        assert_eq!(
            resolve_tags(
                "<F-USER>\\S+</F-USER> <F-ID>x</F-ID> </F-X> <F-ALT_USER1>",
                "yes",
                Flavor::V1_0_2
            ),
            r"(?P<user>\S+) (?P<fid>x) </F-X> (?P<alt_user1>"
        );
        assert_eq!(
            resolve_tags("<f-user> <lower> <a b>", "yes", Flavor::V1_0_2),
            "<f-user> <lower> <a b>"
        );
        assert_eq!(
            resolve_tags("a<SKIPLINES>b<SKIPLINES>", "yes", Flavor::V1_0_2),
            r"a\n(?P<skiplines0>(?:(?:.*\n)*?))b\n(?P<skiplines1>(?:(?:.*\n)*?))"
        );
    }

    #[test]
    fn global_flags_become_scoped() {
        assert_eq!(
            global_to_local_flags("x((?i)LOGIN|AUTH)"),
            "x(?i:LOGIN|AUTH)"
        );
        assert_eq!(global_to_local_flags("(?:(?i)expn|vrfy)"), "(?i:expn|vrfy)");
        assert_eq!(global_to_local_flags(r"\((?i)x)"), r"\((?i)x)");
        assert_eq!(global_to_local_flags("(?i)x"), "(?i)x");
    }
}
