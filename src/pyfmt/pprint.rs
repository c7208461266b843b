//! `pprint.pformat(obj, width=W, indent=I)` for lists, dicts and strings,
//! following Python 3.11's layout rules (what `fail2ban-client --dp` prints).

use super::{PyValue, str_repr};

struct Printer {
    width: usize,
    indent_per_level: usize,
    out: String,
}

/// Python's `pprint.pformat(value, width=width, indent=indent)`.
pub fn pformat(value: &PyValue, width: usize, indent: usize) -> String {
    let mut p = Printer {
        width,
        indent_per_level: indent,
        out: String::new(),
    };
    p.format(value, 0, 0, 0);
    p.out
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

impl Printer {
    fn format(&mut self, value: &PyValue, indent: usize, allowance: usize, level: usize) {
        let rep = value.repr();
        let max_width = self.width as isize - indent as isize - allowance as isize;
        if char_len(&rep) as isize > max_width {
            match value {
                PyValue::List(items) => {
                    self.out.push('[');
                    self.format_items(items, indent, allowance + 1, level + 1);
                    self.out.push(']');
                    return;
                }
                PyValue::Dict(items) => {
                    self.out.push('{');
                    if self.indent_per_level > 1 {
                        self.out.push_str(&" ".repeat(self.indent_per_level - 1));
                    }
                    if !items.is_empty() {
                        self.format_dict_items(
                            items,
                            indent + self.indent_per_level,
                            allowance + 1,
                            level + 1,
                        );
                    }
                    self.out.push('}');
                    return;
                }
                PyValue::Str(s) => {
                    self.format_str(s, indent, allowance, level + 1);
                    return;
                }
                _ => {}
            }
        }
        self.out.push_str(&rep);
    }

    fn format_items(&mut self, items: &[PyValue], indent: usize, allowance: usize, level: usize) {
        let indent = indent + self.indent_per_level;
        if self.indent_per_level > 1 {
            self.out.push_str(&" ".repeat(self.indent_per_level - 1));
        }
        let delimnl = format!(",\n{}", " ".repeat(indent));
        for (i, item) in items.iter().enumerate() {
            let last = i + 1 == items.len();
            if i > 0 {
                self.out.push_str(&delimnl);
            }
            self.format(item, indent, if last { allowance } else { 1 }, level);
        }
    }

    fn format_dict_items(
        &mut self,
        items: &[(PyValue, PyValue)],
        indent: usize,
        allowance: usize,
        level: usize,
    ) {
        let delimnl = format!(",\n{}", " ".repeat(indent));
        for (i, (k, v)) in items.iter().enumerate() {
            let last = i + 1 == items.len();
            if i > 0 {
                self.out.push_str(&delimnl);
            }
            let rep = k.repr();
            self.out.push_str(&rep);
            self.out.push_str(": ");
            let rep_len = char_len(&rep);
            self.format(
                v,
                indent + rep_len + 2,
                if last { allowance } else { 1 },
                level,
            );
        }
    }

    fn format_str(&mut self, s: &str, indent: usize, allowance: usize, level: usize) {
        if s.is_empty() {
            self.out.push_str(&str_repr(s));
            return;
        }
        let (mut indent, mut allowance) = (indent, allowance);
        if level == 1 {
            indent += 1;
            allowance += 1;
        }
        let lines = splitlines_keepends(s);
        let max_width = self.width as isize - indent as isize;
        let mut max_width1 = max_width;
        let mut chunks: Vec<String> = Vec::new();
        let mut rep = String::new();
        for (i, line) in lines.iter().enumerate() {
            rep = str_repr(line);
            let last_line = i + 1 == lines.len();
            if last_line {
                max_width1 -= allowance as isize;
            }
            if char_len(&rep) as isize <= max_width1 {
                chunks.push(rep.clone());
                continue;
            }
            let parts = split_nonspace_space(line);
            let mut max_width2 = max_width;
            let mut current = String::new();
            for (j, part) in parts.iter().enumerate() {
                let candidate = format!("{current}{part}");
                if j + 1 == parts.len() && last_line {
                    max_width2 -= allowance as isize;
                }
                if char_len(&str_repr(&candidate)) as isize > max_width2 {
                    if !current.is_empty() {
                        chunks.push(str_repr(&current));
                    }
                    current = part.to_string();
                } else {
                    current = candidate;
                }
            }
            if !current.is_empty() {
                chunks.push(str_repr(&current));
            }
        }
        if chunks.len() == 1 {
            self.out.push_str(&rep);
            return;
        }
        if level == 1 {
            self.out.push('(');
        }
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
                self.out.push_str(&" ".repeat(indent));
            }
            self.out.push_str(chunk);
        }
        if level == 1 {
            self.out.push(')');
        }
    }
}

/// Python's `str.splitlines(True)`.
fn splitlines_keepends(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end = match c {
            '\r' => {
                if let Some((_, '\n')) = iter.peek() {
                    iter.next();
                    i + 2
                } else {
                    i + 1
                }
            }
            '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        lines.push(&s[start..end]);
        start = end;
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// `re.findall(r'\S*\s*', line)` without the final empty match.
fn split_nonspace_space(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        while k < chars.len() && !crate::ini::py_isspace(chars[k].1) {
            k += 1;
        }
        while k < chars.len() && crate::ini::py_isspace(chars[k].1) {
            k += 1;
        }
        let end = if k < chars.len() {
            chars[k].0
        } else {
            line.len()
        };
        parts.push(&line[start..end]);
        start = end;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lists_stay_on_one_line() {
        let v = PyValue::List(vec![PyValue::str("set"), PyValue::Int(1)]);
        assert_eq!(pformat(&v, 1000, 2), "['set', 1]");
    }

    #[test]
    fn long_lists_wrap_with_indent() {
        let long = "x".repeat(30);
        let v = PyValue::List(vec![
            PyValue::str("set"),
            PyValue::List(vec![PyValue::str(long.clone()), PyValue::str(long.clone())]),
        ]);
        // Recorded from Python 3.11: pprint.pformat(v, width=40, indent=2)
        let expected = "[ 'set',\n  [ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',\n    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']]";
        assert_eq!(pformat(&v, 40, 2), expected);
    }

    #[test]
    fn splitlines_matches_python() {
        assert_eq!(
            splitlines_keepends("a\nb\r\nc\rd"),
            vec!["a\n", "b\r\n", "c\r", "d"]
        );
        assert_eq!(split_nonspace_space("ab  cd e"), vec!["ab  ", "cd ", "e"]);
    }
}
