//! Python's `shlex.split` (POSIX mode, no comments), used for `journalmatch`.

/// Splits like `shlex.split`; `Err` carries Python's ValueError text.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut token = String::new();
    let mut in_token = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() && " \t\r\n".contains(c) => {
                if in_token {
                    out.push(std::mem::take(&mut token));
                    in_token = false;
                }
            }
            '\\' => {
                in_token = true;
                match chars.next() {
                    Some(n) => token.push(n),
                    None => return Err("No escaped character".into()),
                }
            }
            '\'' => {
                in_token = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => token.push(n),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_token = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n) if n == '"' || n == '\\' => token.push(n),
                            Some(n) => {
                                token.push('\\');
                                token.push(n);
                            }
                            None => return Err("No closing quotation".into()),
                        },
                        Some(n) => token.push(n),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            c => {
                in_token = true;
                token.push(c);
            }
        }
    }
    if in_token {
        out.push(token);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_like_python_shlex() {
        assert_eq!(
            split("_SYSTEMD_UNIT=sshd.service + _COMM=sshd").unwrap(),
            vec!["_SYSTEMD_UNIT=sshd.service", "+", "_COMM=sshd"]
        );
        assert_eq!(
            split(r#"a "b c" 'd e' f\ g"#).unwrap(),
            vec!["a", "b c", "d e", "f g"]
        );
        assert_eq!(split("''").unwrap(), vec![""]);
        assert!(split("'open").is_err());
    }
}
