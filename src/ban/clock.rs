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
use crate::filter::verdict::Verdict;
use crate::regextool::input::{Encoding, LineReader, strip_eol};
use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, mpsc};

/// Line buffers handed back to a reader thread at a time.
const RECYCLE_BATCH: usize = 512;

/// The outlier rule's slack in seconds.
pub const OUTLIER_SLACK: f64 = 60.0;

/// A line read ahead, with the date detector's verdict on it.
pub struct Pending {
    pub text: String,
    pub date: DateFound,
    /// The converted date when the line has a usable one.
    pub time: Option<f64>,
    /// The filter's verdict, when a worker evaluated the line ahead.
    pub verdict: Option<Verdict>,
}

/// Reads, decodes and dates the lines of one file, and counts what they
/// look like (on the replay's thread, or on a reader thread of its own).
pub struct LineFeed {
    reader: Option<LineReader<Box<dyn Read + Send>>>,
    encoding: Encoding,
    /// Lines that had to be decoded with replacement characters.
    pub undecodable: u64,
    /// Why reading stopped early (a truncated gzip file, an I/O error):
    /// the lines before it are kept.
    pub error: Option<String>,
    /// What the input looked like, for the audit's warnings.
    pub stats: SourceStats,
    /// Bytes read so far, shared with a progress display.
    progress: Option<Arc<super::replay::Progress>>,
    unreported: u64,
}

/// A source's lines as a reader thread and the filter workers hand them
/// over, in file order.
pub enum Piece {
    /// The next lines, once a worker has evaluated them.
    Batch(mpsc::Receiver<Vec<Pending>>),
    /// The end of the file, with the reader's counts.
    End(Box<LineFeed>),
}

enum Feed {
    /// Read on the replay's thread, as lines are needed.
    Local(LineFeed),
    /// Read ahead by other threads; line buffers go back through the
    /// sender in batches (fresh allocations on one thread freed on
    /// another cost page faults).
    Piped(mpsc::Receiver<Piece>, mpsc::Sender<Vec<String>>),
    /// Done (the reader's counts are in `done`).
    Finished,
}

pub struct Source {
    pub jail: usize,
    pub path: String,
    feed: Feed,
    /// The reader's counts once a piped feed has ended.
    done: Option<LineFeed>,
    buf: VecDeque<Pending>,
    ndated: usize,
    last_key: Option<f64>,
    pool: Vec<String>,
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

impl LineFeed {
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

    /// The next line, decoded and dated (`text` is a reusable buffer).
    pub fn read(&mut self, dd: &mut DateDetector, mut text: String) -> Option<Pending> {
        let reader = self.reader.as_mut()?;
        let raw = match reader.next_line() {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                self.reader = None;
                self.count(0, true);
                return None;
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.reader = None;
                self.count(0, true);
                return None;
            }
        };
        let len = raw.len() as u64;
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
        self.stats.note(time);
        self.count(len, false);
        Some(Pending {
            text,
            date,
            time,
            verdict: None,
        })
    }

    /// Up to `n` lines, in buffers from `spare` while it has some.
    pub fn read_batch(
        &mut self,
        dd: &mut DateDetector,
        n: usize,
        spare: &mut Vec<String>,
    ) -> Vec<Pending> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.read(dd, spare.pop().unwrap_or_default()) {
                Some(p) => out.push(p),
                None => break,
            }
        }
        out
    }
}

impl Source {
    pub fn open(jail: usize, path: &str, encoding: Encoding) -> std::io::Result<Source> {
        let f = crate::audit::input::open_reader(std::path::Path::new(path))?;
        Ok(Source {
            jail,
            path: path.to_string(),
            feed: Feed::Local(LineFeed {
                reader: Some(LineReader::new(f)),
                encoding,
                undecodable: 0,
                error: None,
                stats: SourceStats::default(),
                progress: None,
                unreported: 0,
            }),
            done: None,
            buf: VecDeque::new(),
            ndated: 0,
            last_key: None,
            pool: Vec::new(),
        })
    }

    /// The file's counts: final once the file has been read to its end.
    pub fn counts(&self) -> Option<&LineFeed> {
        match &self.feed {
            Feed::Local(f) => Some(f),
            _ => self.done.as_ref(),
        }
    }

    /// Counts the bytes this source reads into `progress`, and adds the
    /// file's size to its total (unless it is compressed).
    pub fn report_progress(&mut self, progress: Arc<super::replay::Progress>) {
        let path = std::path::Path::new(&self.path);
        if !crate::audit::input::is_gzip(path) {
            let len = std::fs::metadata(path).map_or(0, |m| m.len());
            progress
                .total
                .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        }
        if let Feed::Local(f) = &mut self.feed {
            f.progress = Some(progress);
        }
    }

    /// Hands the reading to another thread: the feed to run there (`None`
    /// when it is not local). Until [`Source::receive`], the source is at
    /// its end.
    pub fn take_feed(&mut self) -> Option<LineFeed> {
        match std::mem::replace(&mut self.feed, Feed::Finished) {
            Feed::Local(f) => Some(f),
            other => {
                self.feed = other;
                None
            }
        }
    }

    /// Reads from the thread that runs this source's feed, and gives it
    /// the line buffers back through `spare`.
    pub fn receive(&mut self, pieces: mpsc::Receiver<Piece>, spare: mpsc::Sender<Vec<String>>) {
        self.feed = Feed::Piped(pieces, spare);
    }

    /// Reads one more line or batch; `false` at the end of the file. A
    /// local feed needs the jail's date detector.
    fn read(&mut self, dd: Option<&mut DateDetector>) -> bool {
        match &mut self.feed {
            Feed::Local(f) => {
                let Some(dd) = dd else { return false };
                let text = self.pool.pop().unwrap_or_default();
                match f.read(dd, text) {
                    Some(p) => {
                        self.push(p);
                        true
                    }
                    None => false,
                }
            }
            Feed::Piped(rx, _) => {
                let batch = match rx.recv() {
                    Ok(Piece::Batch(b)) => b.recv().ok(),
                    Ok(Piece::End(feed)) => {
                        self.done = Some(*feed);
                        None
                    }
                    Err(_) => None,
                };
                match batch {
                    Some(lines) => {
                        for p in lines {
                            self.push(p);
                        }
                        true
                    }
                    None => {
                        if self.done.is_none() {
                            let mut lost = LineFeed::empty();
                            lost.error = Some("a reading thread stopped unexpectedly".into());
                            self.done = Some(lost);
                        }
                        self.feed = Feed::Finished;
                        false
                    }
                }
            }
            Feed::Finished => false,
        }
    }

    fn push(&mut self, p: Pending) {
        if p.time.is_some() {
            self.ndated += 1;
        }
        self.buf.push_back(p);
    }

    fn fill(&mut self, mut dd: Option<&mut DateDetector>) {
        loop {
            let need = match self.buf.front() {
                None => 0,
                Some(p) if p.time.is_some() => 2,
                Some(_) => 1,
            };
            if need > 0 && self.ndated >= need {
                break;
            }
            if !self.read(dd.as_deref_mut()) {
                break;
            }
        }
    }
}

impl LineFeed {
    fn empty() -> LineFeed {
        LineFeed {
            reader: None,
            encoding: Encoding::Utf8,
            undecodable: 0,
            error: None,
            stats: SourceStats::default(),
            progress: None,
            unreported: 0,
        }
    }
}

impl SourceStats {
    fn note(&mut self, time: Option<f64>) {
        let st = self;
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
}

impl Source {
    /// The simulated time of the next line, `None` at the end of the file.
    pub fn head_key(&mut self, dd: Option<&mut DateDetector>, now: f64) -> Option<f64> {
        self.fill(dd);
        let head = self.buf.front()?;
        let Some(date) = head.time else {
            if let Some(last) = self.last_key {
                return Some(last);
            }
            return Some(self.buf.iter().find_map(|p| p.time).unwrap_or(now));
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
        Some(k)
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
        match &self.feed {
            Feed::Piped(_, spare) => {
                self.pool.push(text);
                if self.pool.len() >= RECYCLE_BATCH {
                    let _ = spare.send(std::mem::take(&mut self.pool));
                }
            }
            _ if self.pool.len() < 8 => self.pool.push(text),
            _ => {}
        }
    }
}
