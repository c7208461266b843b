//! The `name[key=value, …]` parameter grammar of `filter`, `action` and
//! friends, reproduced with fail2ban's own patterns (translated from Python
//! `re`: `$` may match before a final newline, `\s` includes `\x1c`-`\x1f`).

use crate::Map;
use crate::pyfmt::str_repr;
use crate::source::SString;
use fancy_regex::Regex;
use std::sync::OnceLock;

/// Python `\s` / `\S` as character classes.
const WS: &str = r"[\s\x1c-\x1f]";
const NWS: &str = r"[^\s\x1c-\x1f]";
/// Python's `$` without MULTILINE.
const END: &str = r"(?=\n?\z)";

fn build(pattern: &str) -> Regex {
    // `\w` only appears inside classes in these patterns.
    let p = pattern
        .replace(r"\w", crate::pyfmt::chars::word_class())
        .replace(r"\s", WS)
        .replace(r"\S", NWS)
        .replace("$", END);
    Regex::new(&format!("(?s){p}")).expect("fail2ban parameter pattern")
}

fn option_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| build(r"^([^\[]+)(?:\[(.*)\])?\s*$"))
}

fn extract_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        build(
            r#"\s*([\w\-_\.]+)=(?:"([^"]*)"|'([^']*)'|([^,\]]*))(?:,|\]\s*\[|$|(?P<wrngA>.+))|,?\s*$|(?P<wrngB>.+)"#,
        )
    })
}

fn split_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        build(
            r#"(?:[^\[\s]+(?:\s*\[\s*(?:[\w\-_\.]+=(?:"[^"]*"|'[^']*'|[^,\]]*)\s*(?:,|\]\s*\[)?\s*)*\])?\s*|\S+)(?=\n\s*|\s+|$)"#,
        )
    })
}

/// A parsed `name[k=v, …]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameterized {
    /// Everything before the first `[` (not stripped, as in fail2ban).
    pub name: SString,
    /// Options in the order given; later duplicates overwrite earlier ones.
    pub options: Map<String, SString>,
}

/// Why a `name[...]` could not be parsed, with the byte offset of the
/// offending text inside the parsed string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub message: String,
    pub offset: usize,
    pub len: usize,
}

fn char_index(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn py_strip_range(s: &str, start: usize, end: usize) -> (usize, usize) {
    let t = &s[start..end];
    let lead = t.len() - t.trim_start_matches(crate::ini::py_isspace).len();
    let trail = t.trim_end_matches(crate::ini::py_isspace).len();
    if trail < lead {
        (start + lead, start + lead)
    } else {
        (start + lead, start + trail)
    }
}

/// fail2ban's `extractOptions`.
pub fn extract_options(option: &SString) -> Result<Parameterized, ParamError> {
    let text = option.as_str();
    let caps = match option_re().captures(text) {
        Ok(Some(c)) => c,
        _ => {
            return Err(ParamError {
                message: "unexpected option syntax".into(),
                offset: 0,
                len: text.len(),
            });
        }
    };
    let name_m = caps.get(1).expect("group 1 always participates");
    let name = option.slice(name_m.start()..name_m.end());
    let mut options = Map::default();
    if let Some(opt_m) = caps.get(2) {
        let base = opt_m.start();
        let optstr = opt_m.as_str();
        let mut pos = 0;
        while pos <= optstr.len() {
            let m = match extract_re().captures_from_pos(optstr, pos) {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => {
                    return Err(ParamError {
                        message: format!("option list too complex to parse: {e}"),
                        offset: base + pos,
                        len: optstr.len() - pos,
                    });
                }
            };
            let whole = m.get(0).expect("match");
            if let Some(w) = m.name("wrngA") {
                return Err(ParamError {
                    message: format!(
                        "unexpected syntax at {} after option {}: {}",
                        char_index(optstr, w.start()),
                        str_repr(m.get(1).map_or("", |g| g.as_str())),
                        first_chars(w.as_str(), 25)
                    ),
                    offset: base + w.start(),
                    len: w.as_str().len(),
                });
            }
            if let Some(w) = m.name("wrngB") {
                return Err(ParamError {
                    message: format!(
                        "expected option, wrong syntax at {}: {}",
                        char_index(optstr, w.start()),
                        first_chars(w.as_str(), 25)
                    ),
                    offset: base + w.start(),
                    len: w.as_str().len(),
                });
            }
            if let Some(k) = m.get(1) {
                let v = [2, 3, 4]
                    .iter()
                    .find_map(|i| m.get(*i))
                    .expect("one value group participates");
                let key = crate::ini::py_strip(k.as_str()).to_string();
                let (vs, ve) = py_strip_range(optstr, v.start(), v.end());
                options.insert(key, option.slice(base + vs..base + ve));
            }
            if whole.end() == whole.start() {
                // An empty match only happens at the end of the list.
                break;
            }
            pos = whole.end();
        }
    }
    Ok(Parameterized { name, options })
}

/// fail2ban's `splitWithOptions`: the action tokens of a value, each with
/// its byte range in the value.
pub fn split_with_options(value: &SString) -> Result<Vec<SString>, ParamError> {
    let text = value.as_str();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        match split_re().find_from_pos(text, pos) {
            Ok(Some(m)) => {
                out.push(value.slice(m.start()..m.end()));
                pos = if m.end() > m.start() {
                    m.end()
                } else {
                    m.end() + text[m.end()..].chars().next().map_or(1, |c| c.len_utf8())
                };
            }
            Ok(None) => break,
            Err(e) => {
                return Err(ParamError {
                    message: format!("action list too complex to split: {e}"),
                    offset: pos,
                    len: text.len() - pos,
                });
            }
        }
    }
    Ok(out)
}

/// fail2ban 1.0.2's `splitwords`: split on runs of space, comma or newline.
pub fn splitwords(s: &str) -> Vec<String> {
    s.split([' ', ',', '\n'])
        .map(crate::ini::py_strip)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(s: &str) -> Result<(String, Vec<(String, String)>), String> {
        extract_options(&SString::synthetic(s))
            .map(|p| {
                (
                    p.name.text,
                    p.options.into_iter().map(|(k, v)| (k, v.text)).collect(),
                )
            })
            .map_err(|e| e.message)
    }

    #[test]
    fn parses_names_and_options() {
        assert_eq!(
            opts(r#"iptables[name=SSH, port="5060,5061", protocol='udp']"#).unwrap(),
            (
                "iptables".into(),
                vec![
                    ("name".into(), "SSH".into()),
                    ("port".into(), "5060,5061".into()),
                    ("protocol".into(), "udp".into())
                ]
            )
        );
        assert_eq!(opts("sshd").unwrap(), ("sshd".into(), vec![]));
        assert_eq!(
            opts("x[a=1][b=2]").unwrap().1,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn bracket_in_unquoted_value_is_an_error() {
        // What breaks the rich-rules seed (digest part G).
        let e = opts("firewallcmd-rich-rules[actiontype=<multiport>][name=asterisk-tcp, actname=firewallcmd-rich-rules[actiontype=<multiport>]-tcp]").unwrap_err();
        assert!(e.starts_with("unexpected syntax at"), "{e}");
    }

    #[test]
    fn splits_actions_on_whitespace_outside_brackets() {
        let v = SString::synthetic("a1[x=1,\n  y=\"a b\"]\n  a2   a3[p=2]");
        let parts: Vec<String> = split_with_options(&v)
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect();
        // Recorded from fail2ban 1.0.2's splitWithOptions on the same input.
        assert_eq!(parts, vec!["a1[x=1,\n  y=\"a b\"]\n ", "a2  ", "a3[p=2]"]);
    }

    #[test]
    fn splitwords_drops_empties() {
        assert_eq!(
            splitwords("127.0.0.1/8 ::1,  10.0.0.0/8\n"),
            vec!["127.0.0.1/8", "::1", "10.0.0.0/8"]
        );
        assert!(splitwords("").is_empty());
    }
}
