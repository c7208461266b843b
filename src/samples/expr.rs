//! The tiny Python expressions of sample files (`test.condition`,
//! `constraint`): `name == 'x'`, `name != 'x'`, `opts.get('k') == 'v'`.

use serde_json::{Map, Value};

fn quoted(s: &str) -> Option<&str> {
    let s = s.trim();
    let q = s.chars().next()?;
    if (q == '\'' || q == '"') && s.len() >= 2 && s.ends_with(q) {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

fn operand(s: &str, name: &str, opts: &Map<String, Value>) -> Option<Option<String>> {
    let s = s.trim();
    if s == "name" {
        return Some(Some(name.to_string()));
    }
    if let Some(q) = quoted(s) {
        return Some(Some(q.to_string()));
    }
    if let Some(inner) = s.strip_prefix("opts.get(").and_then(|r| r.strip_suffix(')')) {
        let key = quoted(inner)?;
        return Some(opts.get(key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }));
    }
    None
}

/// Evaluates a comparison; anything else is true (and reported by tests
/// that cover the corpus's expressions).
pub fn eval(expr: &str, name: &str, opts: &Map<String, Value>) -> bool {
    for (op, want_eq) in [("==", true), ("!=", false)] {
        if let Some((l, r)) = expr.split_once(op)
            && let (Some(a), Some(b)) = (operand(l, name, opts), operand(r, name, opts))
        {
            return (a == b) == want_eq;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_expressions() {
        let mut o = Map::new();
        assert!(eval("name=='sshd'", "sshd", &o));
        assert!(!eval("name == 'sshd'", "sshd-journal", &o));
        assert!(eval("opts.get('mode') != 'aggressive'", "x", &o));
        o.insert("mode".into(), Value::String("aggressive".into()));
        assert!(eval("opts.get('mode') == 'aggressive'", "x", &o));
    }
}
