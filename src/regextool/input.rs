//! Reading log lines as fail2ban-regex does: a file in binary, split at
//! `\n`, decoded with the chosen encoding (invalid bytes replaced, one
//! warning per file), trailing `\r`/`\n` stripped. Like fail2ban, a last
//! line without its newline is never read (it may still be being written).

use std::io::{self, Read};

/// A text encoding fail2ban users pass with `-e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Latin1,
    Ascii,
}

impl Encoding {
    /// Python's codec lookup for the encodings f2b supports.
    pub fn lookup(name: &str) -> Result<Encoding, String> {
        let norm: String = name
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect();
        match norm.as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Ok(Encoding::Utf8),
            "latin_1" | "latin1" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
            | "latin" => Ok(Encoding::Latin1),
            "ascii" | "us_ascii" | "646" | "us" => Ok(Encoding::Ascii),
            _ => Err(format!("unknown encoding: {name}")),
        }
    }

    /// Decodes one line; `true` when bytes had to be replaced.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> (std::borrow::Cow<'a, str>, bool) {
        match self {
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => (s.into(), false),
                Err(_) => (String::from_utf8_lossy(bytes), true),
            },
            Encoding::Latin1 => match std::str::from_utf8(bytes) {
                Ok(s) if s.is_ascii() => (s.into(), false),
                _ => (
                    bytes.iter().map(|&b| b as char).collect::<String>().into(),
                    false,
                ),
            },
            Encoding::Ascii => {
                if bytes.is_ascii() {
                    (std::str::from_utf8(bytes).expect("ascii").into(), false)
                } else {
                    let s: String = bytes
                        .iter()
                        .map(|&b| if b < 0x80 { b as char } else { '\u{FFFD}' })
                        .collect();
                    (s.into(), true)
                }
            }
        }
    }
}

/// Streams the complete lines of a reader in large chunks, with bounded
/// memory: each call yields the bytes of one line without its `\n`.
pub struct LineReader<R: Read> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes of a final line that had no newline (never processed).
    pub unterminated: usize,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            unterminated: 0,
        }
    }

    /// Reads more: the partial line moves to the front, the buffer grows
    /// for long lines.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        let n = self.inner.read(&mut self.buf[self.end..])?;
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
        Ok(())
    }

    /// The next complete line, or `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        loop {
            if let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let s = self.start;
                self.start += pos + 1;
                return Ok(Some(&self.buf[s..s + pos]));
            }
            if self.eof {
                self.unterminated = self.end - self.start;
                self.start = self.end;
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// A block of whole lines (for parallel work): the bytes up to and
    /// including the last newline within about `want` bytes.
    pub fn next_block(&mut self, want: usize) -> io::Result<Option<Vec<u8>>> {
        loop {
            let avail = self.end - self.start;
            if avail >= want || self.eof {
                let window = &self.buf[self.start..self.end];
                let cut = match memchr::memrchr(b'\n', &window[..avail.min(want.max(1))]) {
                    Some(p) => Some(p + 1),
                    None => memchr::memchr(b'\n', window).map(|p| p + 1),
                };
                match cut {
                    Some(c) => {
                        let block = window[..c].to_vec();
                        self.start += c;
                        return Ok(Some(block));
                    }
                    None if self.eof => {
                        self.unterminated = avail;
                        self.start = self.end;
                        return Ok(None);
                    }
                    None => {}
                }
            }
            self.fill()?;
        }
    }
}

/// One `journalctl -o json` entry as fail2ban's systemd backend formats
/// it: `(("", ISO-time + " ", "HOST IDENT[PID]: MESSAGE"), time)`.
pub fn journal_entry(
    json: &[u8],
) -> Option<(crate::filter::TupleLine, crate::filter::groups::LogTime)> {
    use serde_json::Value;
    let v: Value = serde_json::from_slice(json).ok()?;
    let o = v.as_object()?;
    // journalctl prints non-UTF-8 fields as arrays of bytes.
    let field = |k: &str| -> Option<String> {
        match o.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Array(bytes) => {
                let b: Vec<u8> = bytes
                    .iter()
                    .filter_map(|x| x.as_u64().map(|n| n as u8))
                    .collect();
                Some(String::from_utf8_lossy(&b).into_owned())
            }
            other => Some(other.to_string()),
        }
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(h) = field("_HOSTNAME").filter(|s| !s.is_empty()) {
        parts.push(h);
    }
    if let Some(ident) = field("SYSLOG_IDENTIFIER")
        .filter(|s| !s.is_empty())
        .or_else(|| field("_COMM").filter(|s| !s.is_empty()))
    {
        let mut e = ident;
        if let Some(pid) = field("SYSLOG_PID")
            .filter(|s| !s.is_empty())
            .or_else(|| field("_PID").filter(|s| !s.is_empty()))
        {
            match pid.trim().parse::<i64>() {
                Ok(n) => e.push_str(&format!("[{n}]")),
                Err(_) => e.push_str(&format!("[{pid}]")),
            }
        }
        e.push(':');
        if e == "kernel:" {
            let mono = field("_SOURCE_MONOTONIC_TIMESTAMP")
                .or_else(|| field("__MONOTONIC_TIMESTAMP"))
                .and_then(|m| m.parse::<f64>().ok())
                .unwrap_or(0.0);
            parts.push(e);
            parts.push(format!("[{:12.6}]", mono / 1e6));
        } else {
            parts.push(e);
        }
    }
    parts.push(field("MESSAGE").unwrap_or_default());
    let line = parts.join(" ").replace('\n', "\\n");
    let micros: i64 = field("_SOURCE_REALTIME_TIMESTAMP")
        .or_else(|| field("__REALTIME_TIMESTAMP"))?
        .parse()
        .ok()?;
    let ts = jiff::Timestamp::from_microsecond(micros).ok()?;
    let local = ts.to_zoned_datetime(jiff::tz::TimeZone::system());
    let mut iso = local.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let us = micros.rem_euclid(1_000_000);
    if us != 0 {
        iso.push_str(&format!(".{us:06}"));
    }
    iso.push(' ');
    Some((
        crate::filter::TupleLine::new("", &iso, &line),
        crate::filter::groups::LogTime::float(micros as f64 / 1e6),
    ))
}

/// `line.rstrip('\r\n')` on bytes.
pub fn strip_eol(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = b {
        b = rest;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_the_unterminated_tail() {
        let data = b"a\r\n\nlong line\nlast".to_vec();
        let mut r = LineReader::new(&data[..]);
        let mut got = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            got.push(String::from_utf8(strip_eol(l).to_vec()).unwrap());
        }
        assert_eq!(got, vec!["a", "", "long line"]);
        assert_eq!(r.unterminated, 4);
    }

    #[test]
    fn decoding_replaces_invalid_bytes() {
        let (s, bad) = Encoding::Utf8.decode(b"a\xffb");
        assert_eq!(s, "a\u{FFFD}b");
        assert!(bad);
        assert_eq!(Encoding::Latin1.decode(b"\xe9").0, "\u{e9}");
        assert_eq!(Encoding::lookup("UTF-8"), Ok(Encoding::Utf8));
        assert!(Encoding::lookup("bogus").is_err());
    }
}
