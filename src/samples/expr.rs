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
    if let Some(inner) = s
        .strip_prefix("opts.get(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let key = quoted(inner)?;
        return Some(opts.get(key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }));
    }
    None
}

/// Evaluates a comparison; `None` for any other expression (the caller
/// reports it instead of guessing).
pub fn eval(expr: &str, name: &str, opts: &Map<String, Value>) -> Option<bool> {
    for (op, want_eq) in [("==", true), ("!=", false)] {
        if let Some((l, r)) = expr.split_once(op)
            && let (Some(a), Some(b)) = (operand(l, name, opts), operand(r, name, opts))
        {
            return Some((a == b) == want_eq);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_expressions() {
        let mut o = Map::new();
        assert_eq!(eval("name=='sshd'", "sshd", &o), Some(true));
        assert_eq!(eval("name == 'sshd'", "sshd-journal", &o), Some(false));
        assert_eq!(
            eval("opts.get('mode') != 'aggressive'", "x", &o),
            Some(true)
        );
        o.insert("mode".into(), Value::String("aggressive".into()));
        assert_eq!(
            eval("opts.get('mode') == 'aggressive'", "x", &o),
            Some(true)
        );
        assert_eq!(eval("len(name) > 2", "x", &o), None);
    }
}
