//! The replay's reading and filtering on other threads. The ban engine is
//! sequential (every line moves the clock all jails share), but reading,
//! decoding and dating a file's lines, and running the filter on them, do
//! not depend on the engine's state:
//!
//! - one reader thread per piped file reads, decodes and dates its lines
//!   in batches, in file order (the file's jail has no other file, so its
//!   date detector sees the same lines in the same order as on one
//!   thread);
//! - worker threads evaluate the batches ([`crate::filter::Filter::speculate`]);
//! - the engine takes the batches in file order and uses each verdict
//!   when its own preparation of the line agrees ([`Verdict::applies`]),
//!   and evaluates the line itself otherwise.
//!
//! [`Verdict::applies`]: crate::filter::verdict::Verdict::applies

use super::clock::{LineFeed, Pending, Piece};
use crate::date::DateDetector;
use crate::filter::Filter;
use crate::filter::matcher::Compiled;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

/// Lines per batch: large enough that channel traffic is noise, small
/// enough that the first batch arrives at once.
const BATCH: usize = 512;
/// Batches a reader may have in flight before it waits for the engine.
const DEPTH: usize = 8;

/// The engine's ends of one piped feed: its lines in order, and the way
/// back for their buffers.
pub type FeedEnds = (mpsc::Receiver<Piece>, mpsc::Sender<Vec<String>>);

struct Job {
    jail: usize,
    lines: Vec<Pending>,
    reply: mpsc::SyncSender<Vec<Pending>>,
}

/// The running threads (joined by [`Pipeline::join`]).
pub struct Pipeline {
    threads: Vec<JoinHandle<()>>,
}

/// Threads for the replay: `F2B_AUDIT_THREADS` (1 = everything on one
/// thread), else the machine's cores.
pub fn thread_count() -> usize {
    match std::env::var("F2B_AUDIT_THREADS").map(|v| v.parse::<usize>()) {
        Ok(Ok(n)) => n.clamp(1, 16),
        _ => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
    }
}

impl Pipeline {
    /// Starts a reader per `(jail, feed, detector)` and `workers` filter
    /// workers (`filters[jail]` is the compiled filter of each piped
    /// jail). Returns the pieces of each feed, in the order given.
    pub fn start(
        feeds: Vec<(usize, LineFeed, DateDetector)>,
        filters: Vec<Option<Compiled>>,
        workers: usize,
    ) -> (Vec<FeedEnds>, Pipeline) {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let mut threads = Vec::new();
        let mut pieces = Vec::new();
        for (jail, mut feed, mut dd) in feeds {
            let (order_tx, order_rx) = mpsc::sync_channel(DEPTH);
            let (spare_tx, spare_rx) = mpsc::channel::<Vec<String>>();
            pieces.push((order_rx, spare_tx));
            let jobs = job_tx.clone();
            let reader = std::thread::Builder::new().name("f2b-read".into());
            let spawned = reader.spawn(move || {
                let mut spare = Vec::new();
                loop {
                    while spare.len() < BATCH
                        && let Ok(mut back) = spare_rx.try_recv()
                    {
                        spare.append(&mut back);
                    }
                    let lines = feed.read_batch(&mut dd, BATCH, &mut spare);
                    if lines.is_empty() {
                        let _ = order_tx.send(Piece::End(Box::new(feed)));
                        return;
                    }
                    let (reply, done) = mpsc::sync_channel(1);
                    if jobs.send(Job { jail, lines, reply }).is_err()
                        || order_tx.send(Piece::Batch(done)).is_err()
                    {
                        return;
                    }
                }
            });
            // Without a thread, the feed's receiver reports a stopped reader.
            if let Ok(t) = spawned {
                threads.push(t);
            }
        }
        drop(job_tx);
        let filters = Arc::new(filters);
        for _ in 0..workers.max(1) {
            let job_rx = job_rx.clone();
            let compiled = filters.clone();
            let worker = std::thread::Builder::new().name("f2b-filter".into());
            let spawned = worker.spawn(move || {
                let mut mine: Vec<Option<Filter>> = compiled.iter().map(|_| None).collect();
                loop {
                    let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(mut job) = job else { return };
                    if let Some(c) = &compiled[job.jail] {
                        let f =
                            mine[job.jail].get_or_insert_with(|| Filter::from_compiled(c.clone()));
                        for p in &mut job.lines {
                            p.verdict = f.speculate(&p.text, p.date);
                        }
                    }
                    let _ = job.reply.send(job.lines);
                }
            });
            if let Ok(t) = spawned {
                threads.push(t);
            }
        }
        (pieces, Pipeline { threads })
    }

    /// Waits for the threads (they end once every feed has been read, or
    /// its receiver dropped).
    pub fn join(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }
}
