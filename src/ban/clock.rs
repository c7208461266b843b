//! One log file of one jail, streamed line by line with the oracle's clock
//! rules: each line gets the simulated time at which it is processed.
//!
//! * A line processes at its own time, but never before the previous line
//!   of the same file (the clock does not go backwards).
//! * A line more than 60 s later than the next dated line of the file is an
//!   outlier and takes that next line's time instead.
//! * A line without a date takes the previous line's time, or at the start
//!   of a file the time of the first dated line (or NOW when there is none).
//!
//! Only the head line and the lines up to the next dated one are held in
//! memory, and their buffers are reused.

use crate::date::DateDetector;
use crate::filter::DateFound;
use crate::regextool::input::{Encoding, LineReader, strip_eol};
use std::collections::VecDeque;
use std::io::Read;

/// The outlier rule's slack in seconds.
pub const OUTLIER_SLACK: f64 = 60.0;

/// A line read ahead, with the date detector's verdict on it.
pub struct Pending {
    pub text: String,
    pub date: DateFound,
    /// The converted date when the line has a usable one.
    pub time: Option<f64>,
}

pub struct Source {
    pub jail: usize,
    pub path: String,
    reader: Option<LineReader<Box<dyn Read + Send>>>,
    encoding: Encoding,
    buf: VecDeque<Pending>,
    ndated: usize,
    last_key: Option<f64>,
    pool: Vec<String>,
    /// Lines that had to be decoded with replacement characters.
    pub undecodable: u64,
    /// Why reading stopped early (a truncated gzip file, an I/O error):
    /// the lines before it are kept.
    pub error: Option<String>,
    /// What the input looked like, for the audit's warnings.
    pub stats: SourceStats,
    /// Bytes read so far, shared with a progress display.
    progress: Option<std::sync::Arc<super::replay::Progress>>,
    unreported: u64,
}

/// Counts of unusual lines of one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceStats {
    pub lines: u64,
    /// Lines without a date the jail's detector recognises.
    pub undated: u64,
    /// Dated lines older than the newest dated line before them.
    pub backwards: u64,
    /// The largest step back, in seconds.
    pub max_backwards: f64,
    /// Steps back from the line before of about a whole number of half
    /// hours: what a change of time zone within the file looks like.
    pub zone_like: u64,
    /// Steps back from the line before (of more than a second).
    pub steps_back: u64,
    newest: Option<f64>,
    previous: Option<f64>,
}

impl Source {
    pub fn open(jail: usize, path: &str, encoding: Encoding) -> std::io::Result<Source> {
        let f = crate::audit::input::open_reader(std::path::Path::new(path))?;
        Ok(Source {
            jail,
            path: path.to_string(),
            reader: Some(LineReader::new(f)),
            error: None,
            stats: SourceStats::default(),
            progress: None,
            unreported: 0,
            encoding,
            buf: VecDeque::new(),
            ndated: 0,
            last_key: None,
            pool: Vec::new(),
            undecodable: 0,
        })
    }

    /// Counts the bytes this source reads into `progress`, and adds the
    /// file's size to its total (unless it is compressed).
    pub fn report_progress(&mut self, progress: std::sync::Arc<super::replay::Progress>) {
        let path = std::path::Path::new(&self.path);
        if !crate::audit::input::is_gzip(path) {
            let len = std::fs::metadata(path).map_or(0, |m| m.len());
            progress
                .total
                .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        }
        self.progress = Some(progress);
    }

    fn count(&mut self, bytes: u64, flush: bool) {
        if let Some(p) = &self.progress {
            self.unreported += bytes;
            if flush || self.unreported >= 1 << 16 {
                p.read
                    .fetch_add(self.unreported, std::sync::atomic::Ordering::Relaxed);
                self.unreported = 0;
            }
        }
    }

    fn read(&mut self, dd: &mut DateDetector) -> std::io::Result<bool> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(false);
        };
        let raw = match reader.next_line() {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                self.reader = None;
                self.count(0, true);
                return Ok(false);
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.reader = None;
                self.count(0, true);
                return Ok(false);
            }
        };
        let len = raw.len() as u64;
        let mut text = self.pool.pop().unwrap_or_default();
        text.clear();
        let (decoded, bad) = self.encoding.decode(strip_eol(raw));
        if bad {
            self.undecodable += 1;
        }
        text.push_str(&decoded);
        let date = DateFound::from_date_match(dd.detect(&text));
        let time = match date {
            DateFound::Match {
                start,
                end,
                time: Some(t),
            } if end > start => Some(t.secs),
            _ => None,
        };
        if time.is_some() {
            self.ndated += 1;
        }
        self.note(time);
        self.count(len, false);
        self.buf.push_back(Pending { text, date, time });
        Ok(true)
    }

    fn fill(&mut self, dd: &mut DateDetector) -> std::io::Result<()> {
        while self.reader.is_some() {
            let need = match self.buf.front() {
                None => 0,
                Some(p) if p.time.is_some() => 2,
                Some(_) => 1,
            };
            if need > 0 && self.ndated >= need {
                break;
            }
            if !self.read(dd)? {
                break;
            }
        }
        Ok(())
    }

    fn note(&mut self, time: Option<f64>) {
        let st = &mut self.stats;
        st.lines += 1;
        let Some(t) = time else {
            st.undated += 1;
            return;
        };
        if let Some(prev) = st.previous {
            // A step back from the line before of about a whole number of
            // half hours is what a change of time zone looks like.
            let back = prev - t;
            if back > 1.0 {
                st.steps_back += 1;
            }
            let halves = back / 1800.0;
            if back >= 1800.0 - 300.0 && (halves - halves.round()).abs() * 1800.0 <= 300.0 {
                st.zone_like += 1;
            }
        }
        st.previous = Some(t);
        match st.newest {
            Some(n) if t < n - 1.0 => {
                st.backwards += 1;
                st.max_backwards = st.max_backwards.max(n - t);
            }
            Some(n) if t <= n => {}
            _ => st.newest = Some(t),
        }
    }

    /// The simulated time of the next line, `None` at the end of the file.
    pub fn head_key(&mut self, dd: &mut DateDetector, now: f64) -> std::io::Result<Option<f64>> {
        self.fill(dd)?;
        let Some(head) = self.buf.front() else {
            return Ok(None);
        };
        let Some(date) = head.time else {
            if let Some(last) = self.last_key {
                return Ok(Some(last));
            }
            return Ok(Some(self.buf.iter().find_map(|p| p.time).unwrap_or(now)));
        };
        let mut k = date;
        if let Some(next) = self.buf.iter().skip(1).find_map(|p| p.time)
            && date > next + OUTLIER_SLACK
        {
            k = next;
        }
        if let Some(last) = self.last_key
            && last > k
        {
            k = last;
        }
        Ok(Some(k))
    }

    /// Takes the head line, which processes at `key` (from [`head_key`]).
    ///
    /// [`head_key`]: Source::head_key
    pub fn pop(&mut self, key: f64) -> Option<Pending> {
        let p = self.buf.pop_front()?;
        if p.time.is_some() {
            self.ndated -= 1;
        }
        self.last_key = Some(key);
        Some(p)
    }

    /// Gives a line's buffer back for reuse.
    pub fn recycle(&mut self, text: String) {
        if self.pool.len() < 8 {
            self.pool.push(text);
        }
    }
}
