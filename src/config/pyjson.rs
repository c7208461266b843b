//! `json.dumps` of a flat string map, byte-identical to Python's defaults
//! (`", "`/`": "` separators, `ensure_ascii=True`).

use crate::Map;
use crate::source::SString;

fn dumps_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn dumps_str_map(map: &Map<String, SString>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        dumps_str(k, &mut out);
        out.push_str(": ");
        dumps_str(&v.text, &mut out);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_json_dumps() {
        let mut m = Map::default();
        m.insert("a".to_string(), SString::synthetic("x\"y"));
        m.insert("b".to_string(), SString::synthetic("é😀"));
        assert_eq!(
            dumps_str_map(&m),
            r#"{"a": "x\"y", "b": "\u00e9\ud83d\ude00"}"#
        );
        assert_eq!(dumps_str_map(&Map::default()), "{}");
    }
}
