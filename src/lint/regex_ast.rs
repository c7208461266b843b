//! Shared regex analysis for the lint rules: fail2ban's tag expansion, the
//! Python parse tree of the result, and a same-length stand-in for the
//! raw text so Python's error positions point into the file.

use crate::filter::Flavor;
use crate::filter::tags::{custom_tag, global_to_local_flags, resolve_tags, static_tag, tag_at};
use crate::pyre::{self, ast::Parsed};

/// The pattern fail2ban compiles for a configured regex.
pub fn expand(raw: &str, use_dns: &str, flavor: Flavor) -> String {
    global_to_local_flags(&resolve_tags(raw, use_dns, flavor))
}

/// The parse tree of the expanded pattern.
pub fn parse_expanded(raw: &str, use_dns: &str, flavor: Flavor) -> Result<Parsed, pyre::Error> {
    pyre::parse_tree(&expand(raw, use_dns, flavor), pyre::Flags::default())
}

/// `raw` with every fail2ban tag replaced by a regex of the same byte
/// length (`<HOST>` → `(?:xx)`, `<F-USER>` → `(?:xxxx`, `</F-USER>` →
/// `xxxxxxxx)`), so a Python error position in it is a column of `raw`.
pub fn raw_equivalent(raw: &str, flavor: Flavor) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let bytes = raw.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<'
            && let Some(end) = tag_at(raw, i)
        {
            let inner = &raw[i + 1..end - 1];
            let n = end - i;
            if inner == "SKIPLINES" || static_tag(inner, "yes", flavor).is_some() {
                out.push_str("(?:");
                out.push_str(&"x".repeat(n.saturating_sub(4)));
                out.push(')');
            } else if let Some((close, _)) = custom_tag(inner) {
                if close {
                    out.push_str(&"x".repeat(n - 1));
                    out.push(')');
                } else {
                    out.push_str("(?:");
                    out.push_str(&"x".repeat(n.saturating_sub(3)));
                }
            } else {
                out.push_str(&raw[i..end]);
            }
            i = end;
            continue;
        }
        let c = raw[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_in_keeps_length_and_positions() {
        let raw = r"^<F-USER>\S+</F-USER> from <HOST> (port";
        let eq = raw_equivalent(raw, Flavor::V1_0_2);
        assert_eq!(eq.len(), raw.len());
        let e = pyre::check(&eq, pyre::Flags::default()).unwrap_err();
        assert_eq!(e.pos, Some(raw.rfind('(').unwrap()));
    }
}
