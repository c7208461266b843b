//! Config-time `<tag>` substitution among the options of a filter or action
//! (fail2ban's `substituteRecursiveTags`), keeping source spans.

use super::error::ConfigError;
use crate::Map;
use crate::source::SString;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Tag values: `None` is Python's `None`.
pub type Tags = Map<String, Option<SString>>;

const MAX_TAG_REPLACE_COUNT: usize = 25;

/// Finds the next `<([^ <>]+)>` at or after `from`: (start, end, name).
pub fn find_tag(s: &str, from: usize) -> Option<(usize, usize, &str)> {
    let bytes = s.as_bytes();
    let mut i = from;
    while let Some(rel) = s.get(i..)?.find('<') {
        let start = i + rel;
        let mut j = start + 1;
        while j < bytes.len() && !matches!(bytes[j], b' ' | b'<' | b'>') {
            j += 1;
        }
        if j > start + 1 && j < bytes.len() && bytes[j] == b'>' {
            return Some((start, j + 1, &s[start + 1..j]));
        }
        i = start + 1;
    }
    None
}

/// Replaces every `pat` in `value` by `repl`, keeping spans of both.
pub fn replace_all(value: &SString, pat: &str, repl: &SString) -> SString {
    let mut out = SString::with_capacity(
        value.text.len() + repl.text.len(),
        value.segs.len() + repl.segs.len() + 2,
    );
    let mut pos = 0;
    while let Some(at) = find_from(&value.text, pat, pos) {
        out.push_slice(value, pos..at);
        out.push_sstring(repl);
        pos = at + pat.len();
    }
    out.push_slice(value, pos..value.text.len());
    out
}

/// `hay[from..].find(pat)` as an absolute offset; `pat` starts with `<`,
/// so a byte scan for that first byte is enough (and faster).
fn find_from(hay: &str, pat: &str, from: usize) -> Option<usize> {
    let first = pat.as_bytes()[0];
    let bytes = hay.as_bytes();
    let mut i = from;
    while let Some(rel) = bytes[i..].iter().position(|b| *b == first) {
        let at = i + rel;
        if bytes[at..].starts_with(pat.as_bytes()) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn py_str(v: &Option<SString>) -> SString {
    match v {
        Some(s) => s.clone(),
        None => SString::synthetic("None"),
    }
}

/// Substitutes `<tag>`s among `input` until stable. Tags in `ignore` are
/// neither replaced nor substituted into; `addrepl` resolves tags that are
/// not keys of `input` (`Ok(None)`: leave the tag as it is).
pub fn substitute_recursive_tags(
    input: &Tags,
    conditional: &str,
    ignore: &HashSet<String>,
    addrepl: &mut dyn FnMut(&str) -> Result<Option<SString>, ConfigError>,
) -> Result<Tags, ConfigError> {
    let mut tags = input.clone();
    // Keys never change during substitution, only values: track by index.
    let mut done = vec![false; tags.len()];
    let skip: Vec<bool> = tags.keys().map(|k| ignore.contains(k)).collect();
    let mut rep_counts: HashMap<usize, Map<String, usize>> = HashMap::default();
    loop {
        let mut rep_flag = false;
        for idx in 0..tags.len() {
            if skip[idx] || done[idx] {
                continue;
            }
            // Values without a tag never change: settle them without copying.
            let has_tag = match &tags[idx] {
                Some(v) => find_tag(&v.text, 0).is_some(),
                None => false,
            };
            if !has_tag {
                let no_lt = tags[idx].as_ref().is_none_or(|v| !v.text.contains('<'));
                if no_lt {
                    done[idx] = true;
                }
                continue;
            }
            let tag = tags.get_index(idx).expect("index").0.clone();
            let mut value = py_str(&tags[idx]);
            let mut replaced_any = false;
            let stored = rep_counts.remove(&idx);
            let was_stored = stored.is_some();
            let mut rplc = stored.unwrap_or_default();
            let mut m = find_tag(&value.text, 0).map(|(s, e, n)| (s, e, n.to_string()));
            while let Some((start, end, rtag)) = m {
                if ignore.contains(&rtag) {
                    m = find_tag(&value.text, end).map(|(s, e, n)| (s, e, n.to_string()));
                    continue;
                }
                if rtag == tag || rplc.get(&rtag).copied().unwrap_or(1) > MAX_TAG_REPLACE_COUNT {
                    let counts: Vec<String> = rplc
                        .iter()
                        .map(|(k, v)| format!("{}: {}", crate::pyfmt::str_repr(k), v))
                        .collect();
                    return Err(ConfigError::fatal(
                        format!(
                            "properties contain self referencing definitions and cannot be resolved, fail tag: {}, found: {} in {{{}}}, value: {}",
                            tag,
                            rtag,
                            counts.join(", "),
                            value.text
                        ),
                        value.loc_at(start),
                    )
                    .with_len(end - start));
                }
                let pattern = format!("<{rtag}>");
                let conditional_hit = if conditional.is_empty() {
                    None
                } else {
                    tags.get(&format!("{rtag}?{conditional}"))
                        .and_then(|v| v.as_ref())
                };
                let replaced =
                    match conditional_hit.or_else(|| tags.get(&rtag).and_then(|v| v.as_ref())) {
                        Some(repl) => Some(replace_all(&value, &pattern, repl)),
                        None => addrepl(&rtag)?.map(|repl| replace_all(&value, &pattern, &repl)),
                    };
                let Some(replaced) = replaced else {
                    m = find_tag(&value.text, end).map(|(s, e, n)| (s, e, n.to_string()));
                    continue;
                };
                value = replaced;
                replaced_any = true;
                *rplc.entry(rtag).or_insert(0) += 1;
                m = find_tag(&value.text, start).map(|(s, e, n)| (s, e, n.to_string()));
            }
            // `tags[idx]` still holds the value this round started from.
            let changed = replaced_any && py_str(&tags[idx]).text != value.text;
            if changed && find_tag(&value.text, 0).is_some() {
                rep_counts.insert(idx, rplc);
                rep_flag = true;
            } else if was_stored {
                rep_counts.insert(idx, rplc);
            }
            let settled = !value.text.contains('<');
            if changed {
                tags[idx] = Some(value);
            }
            if settled {
                done[idx] = true;
            }
        }
        if !rep_flag {
            break;
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(SString::synthetic(*v))))
            .collect()
    }

    fn none(_: &str) -> Result<Option<SString>, ConfigError> {
        Ok(None)
    }

    #[test]
    fn substitutes_nested_and_leaves_unknown() {
        let t = tags(&[("a", "3"), ("b", "<a>_3"), ("c", "<b> <HOST> <x<a>>")]);
        let r = substitute_recursive_tags(&t, "", &HashSet::default(), &mut none).unwrap();
        assert_eq!(r["b"].as_ref().unwrap().text, "3_3");
        assert_eq!(r["c"].as_ref().unwrap().text, "3_3 <HOST> <x3>");
    }

    #[test]
    fn self_reference_is_an_error() {
        let t = tags(&[("a", "x<a>")]);
        assert!(substitute_recursive_tags(&t, "", &HashSet::default(), &mut none).is_err());
    }

    #[test]
    fn ignored_tags_stay() {
        let t = tags(&[("a", "<b>"), ("b", "1")]);
        let ignore: HashSet<String> = ["b".to_string()].into_iter().collect();
        let r = substitute_recursive_tags(&t, "", &ignore, &mut none).unwrap();
        assert_eq!(r["a"].as_ref().unwrap().text, "<b>");
    }

    #[test]
    fn find_tag_follows_tag_regex() {
        assert_eq!(find_tag("<a <b>", 0), Some((3, 6, "b")));
        assert_eq!(find_tag("<<x>", 0), Some((1, 4, "x")));
        assert_eq!(find_tag("<>", 0), None);
    }
}
