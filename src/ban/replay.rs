//! The replay driver: all jails' log lines merged in time order on the
//! log's clock, each line through the jail's filter, then the work of
//! fail2ban's observer and actions threads run to completion, unbans and
//! the hourly database purge at their due times, and fail2ban's own log
//! lines fed to recidive-style jails as they are written.
//!
//! It reproduces what `fail2ban-replay` (the test oracle driving fail2ban
//! 1.0.2's server objects) reports: the same ban and unban events and the
//! same per-jail summary.

use super::bans::{BanManager, NotBanned};
use super::clock::Source;
use super::f2blog::{self, Level, LogFormat};
use super::failures::{FailManager, MAX_TIME, Ticket};
use super::ids::{IpId, IpTable};
use super::ignore::IgnoreList;
use super::increment::{BanDb, BipRow, Increment, PyRandom, bad_ip_weight};
use super::jail::{JailConfig, ReplayConfig};
use crate::config::timestr::Seconds;
use crate::date::{DateDetector, DateOptions, TzSpec};
use crate::filter::groups::LogTime;
use crate::filter::ipaddr::IpAddr;
use crate::filter::verdict::Verdict;
use crate::filter::{DateFound, Filter, FilterOptions};
use crate::regextool::input::Encoding;
use jiff::tz::TimeZone;
use rustc_hash::FxHashMap;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};
use std::io::Write;

/// fail2ban unbans when now > end of ban; the check runs this long after
/// the end.
const UNBAN_EPS: f64 = 0.001;
/// The observer purges the database once an hour.
const DB_PURGE_INTERVAL: f64 = 3600.0;
/// Bans and unbans fail2ban's actions thread handles per check.
const UNBAN_MAX_COUNT: usize = 20;

/// What the replay reads and how.
#[derive(Clone, Debug, Default)]
pub struct ReplayInputs {
    /// Files to read instead of a jail's `logpath`, by jail name.
    pub logs: Vec<(String, Vec<String>)>,
    /// Replay only these jails (default: all jails of the configuration).
    pub only: Option<Vec<String>>,
    /// Zone of log dates without zone and of the synthesized fail2ban.log
    /// (a `TZ` name such as `UTC` or `Europe/Berlin`); `None` = the
    /// process's zone.
    pub tz: Option<String>,
    /// The moment of the audit (reference for dates without a year; the
    /// clock runs on to it). Default: the newest mtime of the logs.
    pub now: Option<f64>,
    /// Do not feed synthesized fail2ban.log lines to recidive-style jails.
    pub no_recidive_feed: bool,
    /// Seed of the generator behind `bantime.rndtime`.
    pub seed: u64,
    /// Also write the synthesized fail2ban.log here.
    pub f2b_log_out: Option<String>,
    /// Bytes read from the logs and their total (for a progress bar).
    pub progress: Option<std::sync::Arc<Progress>>,
}

/// Replay progress in bytes of log read (all jails' reads of a file count).
#[derive(Debug, Default)]
pub struct Progress {
    pub read: std::sync::atomic::AtomicU64,
    /// Total bytes of the uncompressed logs to read; gzip files add nothing.
    pub total: std::sync::atomic::AtomicU64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Ban,
    Unban,
}

/// A ban or unban, with the fields of the oracle's JSON lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub jail: String,
    pub ip: String,
    /// Ban: the simulated time of the ban. Unban: the end of the ban.
    pub time: f64,
    /// The effective ban time in seconds (−1 permanent).
    pub ban_time: Seconds,
    /// The ticket's `<failures>`.
    pub failures: i64,
    /// The n-th ban of this ip in this jail during the replay.
    pub ban_count: u32,
    /// fail2ban's (rescaled, weighted) failure counter.
    pub retry: i64,
    /// fail2ban's own `<bancount>`.
    pub f2b_ban_count: i64,
}

/// Per-jail totals.
#[derive(Clone, Debug, PartialEq)]
pub struct JailSummary {
    pub name: String,
    pub lines: u64,
    /// "Total failed".
    pub failures: u64,
    pub bans: u64,
    pub unbans: u64,
    pub banned_at_end: u64,
    pub ips_banned: u64,
    /// The files read; `None` for the synthesized fail2ban.log.
    pub sources: Option<Vec<String>>,
    pub fed_fail2ban_log: bool,
}

/// What the replay saw of one address over all jails.
#[derive(Clone, Debug, PartialEq)]
pub struct IpStats {
    pub ip: String,
    /// Time of the first and the last counted failure.
    pub first_seen: f64,
    pub last_seen: f64,
    /// Failures counted (after ignore rules), over all jails.
    pub failures: u64,
    pub bans: u64,
    /// The longest effective ban (−1 when one was permanent).
    pub longest_ban: Option<Seconds>,
    /// Jails that banned it.
    pub jails: Vec<String>,
}

/// What one jail saw of one address.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JailIpStats {
    pub first_seen: f64,
    pub last_seen: f64,
    pub failures: u64,
    pub bans: u64,
    /// The highest failure count fail2ban held for the address (compared
    /// with maxretry).
    pub peak_retry: i64,
}

/// The whole result of a replay.
#[derive(Clone, Debug)]
pub struct ReplayOutcome {
    pub events: Vec<Event>,
    pub jails: Vec<JailSummary>,
    /// Per address, in order of first failure.
    pub ips: Vec<IpStats>,
    /// Per jail (by name), per address.
    pub per_jail_ips:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, JailIpStats>>,
    /// Per jail (by name): counted failures per minute (epoch minute).
    pub failures_per_minute:
        std::collections::BTreeMap<String, std::collections::BTreeMap<i64, u64>>,
    pub first: Option<f64>,
    pub last_line: Option<f64>,
    pub now: f64,
    pub end: f64,
    pub dns_lookups_suppressed: u64,
    /// Things worth telling the user (skipped jails, evaluation errors).
    pub warnings: Vec<String>,
}

/// A replay set up from a configuration.
pub struct Replay {
    config: ReplayConfig,
}

impl Replay {
    pub fn new(config: ReplayConfig) -> Replay {
        Replay { config }
    }

    /// Reads a configuration directory (enabled jails) and sets up a replay.
    pub fn from_dir(conf: &str) -> Result<Replay, String> {
        Ok(Replay::new(ReplayConfig::from_dir(conf)?))
    }

    pub fn config(&self) -> &ReplayConfig {
        &self.config
    }

    /// Runs the replay and collects its events.
    pub fn run(&self, inputs: &ReplayInputs) -> Result<ReplayOutcome, String> {
        let mut events = Vec::new();
        let mut outcome = self.run_streaming(inputs, &mut |e| events.push(e.clone()))?;
        outcome.events = events;
        Ok(outcome)
    }

    /// Runs the replay, handing each event to `sink` as it happens (the
    /// outcome's `events` stay empty).
    pub fn run_streaming(
        &self,
        inputs: &ReplayInputs,
        sink: &mut dyn FnMut(&Event),
    ) -> Result<ReplayOutcome, String> {
        let mut eng = Engine::new(&self.config, inputs, sink)?;
        eng.run()?;
        Ok(eng.finish())
    }
}

struct JailRt {
    name: String,
    idx: u16,
    filter: Filter,
    /// `None` once handed to the reader thread of the jail's only file.
    dd: Option<DateDetector>,
    encoding: Encoding,
    fail: FailManager,
    bans: BanManager,
    queue: VecDeque<Ticket>,
    inc: Increment,
    ignore: IgnoreList,
    next_svc: f64,
    proc_lines: u64,
    lines: u64,
    n_bans: u64,
    n_unbans: u64,
    ipbans: FxHashMap<IpId, u32>,
    feed: bool,
    paths: Vec<String>,
    warn_sim_next: f64,
    warn_nodate_next: f64,
}

enum ObsEvent {
    FailureFound {
        jail: usize,
        ip: IpId,
        time: f64,
        tick: Option<u64>,
    },
    BanFound {
        jail: usize,
        ip: IpId,
        btime: Seconds,
    },
}

#[derive(Default)]
struct IpAcc {
    first: f64,
    last: f64,
    failures: u64,
    bans: u64,
    longest: Option<Seconds>,
    jails: Vec<u16>,
}

struct Engine<'a> {
    jails: Vec<JailRt>,
    sources: Vec<Source>,
    sink: &'a mut dyn FnMut(&Event),
    clock: Option<f64>,
    mytime: f64,
    now: f64,
    first: Option<f64>,
    last_line: Option<f64>,
    next_purge: f64,
    db: Option<BanDb>,
    ips: IpTable,
    obs: VecDeque<ObsEvent>,
    feed_queue: VecDeque<String>,
    feed_jails: Vec<usize>,
    pumping: bool,
    pending_bans: Vec<(usize, IpId, f64)>,
    rng: PyRandom,
    logfmt: LogFormat,
    log_level: u32,
    log_out: Option<std::io::BufWriter<std::fs::File>>,
    line_buf: String,
    stats: FxHashMap<IpId, IpAcc>,
    jail_stats: FxHashMap<(usize, IpId), JailIpStats>,
    minutes: Vec<FxHashMap<i64, u64>>,
    warnings: Vec<String>,
    dns_checks: u64,
    pipeline: Option<super::pipeline::Pipeline>,
}

/// A total order on times for the merge heap.
#[derive(Clone, Copy, PartialEq)]
struct Key(f64, usize);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

fn zone(name: Option<&str>) -> Result<TimeZone, String> {
    match name {
        None => Ok(TimeZone::system()),
        Some(n) if n.eq_ignore_ascii_case("UTC") || n == "UTC0" || n == "GMT" => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).map_err(|e| format!("time zone {n:?}: {e}")),
    }
}

fn encoding_of(name: &str) -> Result<Encoding, String> {
    if name.eq_ignore_ascii_case("auto") {
        return Ok(Encoding::Utf8);
    }
    Encoding::lookup(name)
}

/// `extractOptions(logtarget)`: the target and its `[k=v, …]` options.
fn split_target(t: &str) -> (String, Vec<(String, String)>) {
    let t = t.trim();
    match t.find('[') {
        Some(i) if t.ends_with(']') => {
            let opts = t[i + 1..t.len() - 1]
                .split(',')
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    Some((
                        k.trim().to_string(),
                        v.trim().trim_matches(|c| c == '"' || c == '\'').to_string(),
                    ))
                })
                .collect();
            (t[..i].trim().to_string(), opts)
        }
        _ => (t.to_string(), Vec::new()),
    }
}

fn abspath(p: &str) -> String {
    crate::config::pypath::abspath(p)
}

fn mtime(p: &str) -> Option<f64> {
    let m = std::fs::metadata(p).ok()?.modified().ok()?;
    m.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs_f64())
}

fn build_filter(j: &JailConfig) -> Result<Filter, String> {
    let mut f = Filter::new(FilterOptions {
        use_dns: j.use_dns.clone(),
        maxlines: j.maxlines,
        check_all: false,
        ignore_pending: true,
        resolve_dns: false,
        mlfid_ttl: Some(300.0),
        ..Default::default()
    });
    let err = |e: crate::filter::regex::RegexError| format!("jail {}: {e}", j.name);
    if let Some(p) = &j.prefregex {
        f.set_prefregex(p).map_err(err)?;
    }
    for r in &j.failregex {
        f.add_failregex(r).map_err(err)?;
    }
    for r in &j.ignoreregex {
        f.add_ignoreregex(r).map_err(err)?;
    }
    Ok(f)
}

impl<'a> Engine<'a> {
    fn new(
        cfg: &ReplayConfig,
        inputs: &ReplayInputs,
        sink: &'a mut dyn FnMut(&Event),
    ) -> Result<Engine<'a>, String> {
        let tz = zone(inputs.tz.as_deref())?;
        let mut warnings = Vec::new();
        let selected: Vec<&JailConfig> = match &inputs.only {
            Some(names) => {
                let mut v = Vec::new();
                for n in names {
                    match cfg.jails.iter().find(|j| &j.name == n) {
                        Some(j) => v.push(j),
                        None => return Err(format!("jail {n:?} is not in the configuration")),
                    }
                }
                v
            }
            None => cfg.jails.iter().collect(),
        };
        for (name, _) in &inputs.logs {
            if !selected.iter().any(|j| &j.name == name) {
                return Err(format!(
                    "log given for jail {name:?}, which is not among the replayed jails"
                ));
            }
        }
        let (target, topts) = split_target(&cfg.logtarget);
        let target_is_file = !matches!(
            target.to_uppercase().as_str(),
            "STDOUT" | "STDERR" | "SYSLOG" | "SYSOUT" | "SYSTEMD-JOURNAL" | "INHERITED"
        );
        let target_path = target_is_file.then(|| abspath(&target));
        let opt_bool = |k: &str| {
            topts
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| crate::config::value::as_bool(v))
        };
        if topts.iter().any(|(k, _)| k == "format") {
            return Err(format!(
                "logtarget {:?}: a custom log format is not supported by the replay",
                cfg.logtarget
            ));
        }
        let logfmt = LogFormat {
            tz: tz.clone(),
            datetime: opt_bool("datetime").unwrap_or(true),
            padding: opt_bool("padding").unwrap_or(true),
        };
        let log_level = f2blog::parse_level(&cfg.loglevel).unwrap_or(20).max(25);

        // which files each jail reads
        let mut plan: Vec<(Vec<String>, bool)> = Vec::new();
        for j in &selected {
            if let Some((_, pats)) = inputs.logs.iter().find(|(n, _)| n == &j.name) {
                let mut paths = Vec::new();
                for pat in pats {
                    let found = crate::config::pypath::glob(pat).unwrap_or_default();
                    if found.is_empty() {
                        return Err(format!("--log {}={pat}: no such file", j.name));
                    }
                    let mut found = found;
                    found.sort();
                    paths.extend(found);
                }
                plan.push((paths, false));
                continue;
            }
            let is_f2blog = j.name == "recidive"
                || target_path
                    .as_ref()
                    .is_some_and(|t| j.logpath_raw.iter().any(|p| &abspath(p) == t));
            if is_f2blog && !inputs.no_recidive_feed {
                if !target_is_file {
                    warnings.push(format!(
                        "jail {}: fail2ban logtarget is {target}, not a file; feeding it file-format fail2ban.log lines anyway",
                        j.name
                    ));
                }
                plan.push((Vec::new(), true));
                continue;
            }
            if j.backend.starts_with("systemd") {
                warnings.push(format!(
                    "jail {} uses backend {} (journal): give its log as a file to replay it; skipped",
                    j.name, j.backend
                ));
                plan.push((Vec::new(), false));
                continue;
            }
            if j.logpaths.is_empty() {
                warnings.push(format!(
                    "jail {}: no log file found for logpath {:?}; skipped",
                    j.name,
                    j.logpath_raw.join(" ")
                ));
            }
            plan.push((j.logpaths.clone(), false));
        }
        let now = match inputs.now {
            Some(n) => n,
            None => {
                let m = plan
                    .iter()
                    .flat_map(|(p, _)| p.iter())
                    .map(|p| mtime(p).ok_or_else(|| format!("{p}: cannot stat")))
                    .collect::<Result<Vec<f64>, String>>()?;
                match m.into_iter().reduce(f64::max) {
                    Some(v) => v.trunc(),
                    None => return Err("nothing to replay: no jail has a log file".into()),
                }
            }
        };
        let mut jails = Vec::new();
        let mut sources = Vec::new();
        let mut feed_jails = Vec::new();
        for (i, (j, (paths, feed))) in selected.iter().zip(plan).enumerate() {
            let mut opts = DateOptions::fixed(now, tz.clone());
            opts.wall_clock = Some(now);
            if let Some(z) = &j.logtimezone {
                opts.default_tz =
                    Some(TzSpec::parse(z).map_err(|e| format!("jail {}: {e}", j.name))?);
            }
            let dd = match &j.datepattern {
                Some(p) => DateDetector::from_datepattern(p, opts)
                    .map_err(|e| format!("jail {}: {e}", j.name))?,
                None => DateDetector::new_default(opts),
            };
            let encoding =
                encoding_of(&j.logencoding).map_err(|e| format!("jail {}: {e}", j.name))?;
            for p in &paths {
                let mut src = Source::open(i, p, encoding).map_err(|e| format!("{p}: {e}"))?;
                if let Some(c) = &inputs.progress {
                    src.report_progress(c.clone());
                }
                sources.push(src);
            }
            if feed {
                feed_jails.push(i);
            }
            jails.push(JailRt {
                name: j.name.clone(),
                idx: i as u16,
                filter: build_filter(j)?,
                dd: Some(dd),
                encoding,
                fail: FailManager::new(j.maxretry, j.findtime),
                bans: BanManager::new(j.bantime),
                queue: VecDeque::new(),
                inc: j.increment.clone(),
                ignore: j.ignore.clone(),
                next_svc: f64::NEG_INFINITY,
                proc_lines: 0,
                lines: 0,
                n_bans: 0,
                n_unbans: 0,
                ipbans: FxHashMap::default(),
                feed,
                paths,
                warn_sim_next: 0.0,
                warn_nodate_next: 0.0,
            });
        }
        let log_out = match &inputs.f2b_log_out {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::File::create(p).map_err(|e| format!("{p}: {e}"))?,
            )),
            None => None,
        };
        Ok(Engine {
            jails,
            sources,
            sink,
            clock: None,
            mytime: now,
            now,
            first: None,
            last_line: None,
            next_purge: f64::INFINITY,
            db: cfg.db.then(|| BanDb::new(cfg.db_purge_age)),
            ips: IpTable::default(),
            obs: VecDeque::new(),
            feed_queue: VecDeque::new(),
            feed_jails,
            pumping: false,
            pending_bans: Vec::new(),
            rng: PyRandom::new(inputs.seed),
            logfmt,
            log_level,
            log_out,
            line_buf: String::new(),
            stats: FxHashMap::default(),
            jail_stats: FxHashMap::default(),
            minutes: Vec::new(),
            warnings,
            dns_checks: 0,
            pipeline: None,
        })
    }

    /// Moves the reading and filtering of each file that is its jail's
    /// only input (and not fed by the replay) to other threads.
    fn start_pipeline(&mut self) {
        let threads = super::pipeline::thread_count();
        if threads < 2 {
            return;
        }
        let mut feeds = Vec::new();
        let mut filters: Vec<Option<crate::filter::matcher::Compiled>> =
            self.jails.iter().map(|_| None).collect();
        for i in 0..self.sources.len() {
            let j = self.sources[i].jail;
            let alone = self.sources.iter().filter(|s| s.jail == j).count() == 1;
            let jail = &mut self.jails[j];
            if !alone || jail.feed || !jail.filter.order_independent() {
                continue;
            }
            let Some(dd) = jail.dd.take() else { continue };
            let Some(feed) = self.sources[i].take_feed() else {
                jail.dd = Some(dd);
                continue;
            };
            filters[j] = Some(jail.filter.compiled());
            feeds.push((i, j, feed, dd));
        }
        if feeds.is_empty() {
            return;
        }
        let order: Vec<usize> = feeds.iter().map(|f| f.0).collect();
        let (pieces, pipeline) = super::pipeline::Pipeline::start(
            feeds.into_iter().map(|(_, j, f, d)| (j, f, d)).collect(),
            filters,
            threads,
        );
        for (i, (rx, spare)) in order.into_iter().zip(pieces) {
            self.sources[i].receive(rx, spare);
        }
        self.pipeline = Some(pipeline);
    }

    fn run(&mut self) -> Result<(), String> {
        self.start_pipeline();
        let mut heap: BinaryHeap<Reverse<Key>> = BinaryHeap::new();
        for i in 0..self.sources.len() {
            self.push_head(i, &mut heap)?;
        }
        while let Some(Reverse(Key(key, i))) = heap.pop() {
            let line = self.sources[i].pop(key).expect("head line");
            let j = self.sources[i].jail;
            self.process(j, &line.text, line.date, line.verdict, key);
            self.sources[i].recycle(line.text);
            self.push_head(i, &mut heap)?;
        }
        if self.clock.is_none() {
            // no line at all: the clock starts at NOW
            self.clock = Some(self.now);
            self.mytime = self.now;
        }
        let clock = self.clock.expect("set");
        let end = clock.max(self.now);
        if self.now < clock {
            self.warnings.push(format!(
                "NOW ({}) is before the last log line ({clock}); the replay ends at the last line",
                self.now
            ));
        }
        self.advance(end);
        for j in 0..self.jails.len() {
            self.perform_svc(j, true);
        }
        if let Some(out) = &mut self.log_out {
            out.flush().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn push_head(&mut self, i: usize, heap: &mut BinaryHeap<Reverse<Key>>) -> Result<(), String> {
        let src = &mut self.sources[i];
        let dd = self.jails[src.jail].dd.as_mut();
        if let Some(k) = src.head_key(dd, self.now) {
            heap.push(Reverse(Key(k, i)));
        }
        Ok(())
    }

    fn finish(mut self) -> ReplayOutcome {
        if let Some(p) = self.pipeline.take() {
            p.join();
        }
        for s in &self.sources {
            let Some(counts) = s.counts() else { continue };
            let st = &counts.stats;
            if st.undated > 0 {
                self.warnings.push(format!(
                    "{}: {} of {} lines have no date the jail's date detector recognises; \
                     they take the time of the line before them (at the start of the file, of \
                     the first dated line), as fail2ban does",
                    s.path, st.undated, st.lines
                ));
            }
            if st.backwards > 0 {
                // Zone switches are few, large, whole-hour steps; a shuffled
                // log has many steps of every size.
                let zone = if st.zone_like > 0 && st.zone_like * 10 >= st.steps_back {
                    format!(
                        " {} of {} steps back are about whole hours: this looks like a \
                         mixture of time zones; check --tz and the jail's logtimezone.",
                        st.zone_like, st.steps_back
                    )
                } else {
                    String::new()
                };
                self.warnings.push(format!(
                    "{}: {} lines are older than a line before them (by up to {}); the \
                     replay's clock does not go backwards, so they count at the later time, \
                     as in a running fail2ban.{zone}",
                    s.path,
                    st.backwards,
                    crate::audit::report::duration(st.max_backwards)
                ));
            }
            if let Some(e) = &counts.error {
                self.warnings.push(format!(
                    "{}: reading stopped early ({e}); the lines before it were replayed",
                    s.path
                ));
            }
        }
        for s in &self.sources {
            let undecodable = s.counts().map_or(0, |c| c.undecodable);
            if undecodable > 0 {
                self.warnings.push(format!(
                    "{}: {} lines were not valid {:?} and were read with replacement characters",
                    s.path, undecodable, self.jails[s.jail].encoding
                ));
            }
        }
        // A file read by several jails is reported once.
        let mut seen = std::collections::HashSet::new();
        self.warnings.retain(|w| seen.insert(w.clone()));
        let jails = self
            .jails
            .iter()
            .map(|j| JailSummary {
                name: j.name.clone(),
                lines: j.lines,
                failures: j.fail.total(),
                bans: j.n_bans,
                unbans: j.n_unbans,
                banned_at_end: j.bans.size() as u64,
                ips_banned: j.ipbans.len() as u64,
                sources: (!j.feed).then(|| j.paths.clone()),
                fed_fail2ban_log: j.feed,
            })
            .collect();
        let mut ips: Vec<(IpId, &IpAcc)> = self.stats.iter().map(|(k, v)| (*k, v)).collect();
        ips.sort_by(|a, b| a.1.first.total_cmp(&b.1.first).then(a.0.cmp(&b.0)));
        let ips = ips
            .into_iter()
            .map(|(id, a)| IpStats {
                ip: self.ips.text(id).to_string(),
                first_seen: a.first,
                last_seen: a.last,
                failures: a.failures,
                bans: a.bans,
                longest_ban: a.longest,
                jails: a
                    .jails
                    .iter()
                    .map(|j| self.jails[*j as usize].name.clone())
                    .collect(),
            })
            .collect();
        let dns = self.dns_checks
            + self
                .jails
                .iter()
                .map(|j| j.filter.dns_suppressed)
                .sum::<u64>();
        let end = self.clock.unwrap_or(self.now).max(self.now);
        let mut per_jail_ips: std::collections::BTreeMap<_, std::collections::BTreeMap<_, _>> =
            Default::default();
        for ((j, ip), st) in std::mem::take(&mut self.jail_stats) {
            per_jail_ips
                .entry(self.jails[j].name.clone())
                .or_default()
                .insert(self.ips.text(ip).to_string(), st);
        }
        let mut failures_per_minute: std::collections::BTreeMap<
            _,
            std::collections::BTreeMap<_, _>,
        > = Default::default();
        for (j, m) in std::mem::take(&mut self.minutes).into_iter().enumerate() {
            if !m.is_empty() {
                failures_per_minute.insert(self.jails[j].name.clone(), m.into_iter().collect());
            }
        }
        ReplayOutcome {
            events: Vec::new(),
            jails,
            ips,
            per_jail_ips,
            failures_per_minute,
            first: self.first,
            last_line: self.last_line,
            now: self.now,
            end,
            dns_lookups_suppressed: dns,
            warnings: self.warnings,
        }
    }

    // ---------------------------------------------------------------- log

    /// A record of fail2ban's own log (only those the file target writes).
    fn log(&mut self, module: &str, level: Level, msg: &str) {
        if (level as u32) < self.log_level || (self.feed_jails.is_empty() && self.log_out.is_none())
        {
            return;
        }
        let mut buf = std::mem::take(&mut self.line_buf);
        self.logfmt.line(self.mytime, module, level, msg, &mut buf);
        if let Some(out) = &mut self.log_out {
            let _ = writeln!(out, "{buf}");
        }
        if !self.feed_jails.is_empty() {
            for l in buf.split('\n') {
                self.feed_queue.push_back(l.to_string());
            }
        }
        self.line_buf = buf;
    }

    // -------------------------------------------------------------- clock

    /// Moves the clock to `t`, running the unbans and purges due on the way.
    fn advance(&mut self, t: f64) {
        let Some(mut clock) = self.clock else {
            self.clock = Some(t);
            self.first = Some(t);
            if self.db.is_some() {
                self.next_purge = t + DB_PURGE_INTERVAL;
            }
            self.mytime = t;
            return;
        };
        loop {
            let nu = self
                .jails
                .iter()
                .map(|j| j.bans.next_unban)
                .fold(f64::INFINITY, f64::min);
            let n = nu.min(self.next_purge);
            if n > t {
                break;
            }
            if n > clock {
                clock = n;
                self.clock = Some(clock);
            }
            if self.next_purge <= nu {
                self.mytime = clock;
                if let Some(db) = &mut self.db {
                    db.purge(clock);
                }
                self.next_purge += DB_PURGE_INTERVAL;
            } else {
                self.mytime = nu + UNBAN_EPS;
                for j in 0..self.jails.len() {
                    if self.jails[j].bans.next_unban <= nu {
                        self.check_unban(j);
                    }
                }
                self.mytime = clock;
            }
            self.settle();
            self.pump_feed();
        }
        if t > clock {
            self.clock = Some(t);
        }
        self.mytime = self.clock.expect("set");
    }

    // ------------------------------------------------------------- filter

    fn process(
        &mut self,
        j: usize,
        text: &str,
        date: DateFound,
        verdict: Option<Verdict>,
        key: f64,
    ) {
        self.advance(key);
        self.last_line = Some(key);
        self.perform_svc(j, false);
        self.jails[j].lines += 1;
        self.process_line_and_add(j, text, date, verdict);
        self.settle();
        self.pump_feed();
    }

    fn perform_svc(&mut self, j: usize, force: bool) {
        let tm = self.mytime;
        let jail = &mut self.jails[j];
        if force || tm >= jail.next_svc {
            jail.next_svc = tm + 5.0;
            jail.fail.cleanup(tm);
        }
    }

    /// `Filter.processLineAndAdd` in operation mode.
    fn process_line_and_add(
        &mut self,
        j: usize,
        text: &str,
        date: DateFound,
        verdict: Option<Verdict>,
    ) {
        let now = self.mytime;
        let jail = &mut self.jails[j];
        let mut prepared = jail.filter.prepare(text, date, now);
        let mut records: Vec<(Level, String)> = Vec::new();
        let no_date = !matches!(date, DateFound::Match { start, end, time: Some(_) } if end > start)
            && !matches!(date, DateFound::Match { start, end, .. } if end == start);
        if let DateFound::Match {
            start,
            end,
            time: None,
        } = date
            && end > start
        {
            records.push((
                Level::Error,
                format!(
                    "findFailure failed to parse timeText: {}",
                    &text[start..end]
                ),
            ));
        }
        let mut t = prepared.time.map(|t| t.secs).unwrap_or(now);
        let delta = (t - now).trunc();
        if delta.abs() > 60.0 {
            if now >= jail.warn_sim_next {
                jail.warn_sim_next = now + 86400.0;
                let d = delta.abs();
                records.push((
                    Level::Warning,
                    format!(
                        "[{}] Detected a log entry {} {} the current time in operation mode. This looks like a {} problem. Treating such entries as if they just happened.",
                        jail.name,
                        f2blog::seconds2str(d, false),
                        if delta < 0.0 { "before" } else { "after" },
                        if (-3300.0..0.0).contains(&delta) { "latency" } else { "timezone" }
                    ),
                ));
                records.push((
                    Level::Warning,
                    format!(
                        "[{}] Please check a jail for a timing issue. Line with odd timestamp: {text}",
                        jail.name
                    ),
                ));
            }
            t = now;
            jail.filter.set_last_date(LogTime::float(now));
        }
        if prepared.time.is_none_or(|p| p.secs != t) {
            prepared.time = Some(LogTime::float(t));
        }
        // (fail2ban's failure date is the prepared time.)
        let failures: Vec<(Option<IpAddr>, Option<LogTime>)> = match verdict {
            Some(v) if v.applies(&prepared) => {
                jail.filter.dns_suppressed += v.dns_suppressed;
                v.fids.into_iter().map(|fid| (fid, prepared.time)).collect()
            }
            _ => {
                let result = jail.filter.evaluate(text, &prepared);
                result
                    .failures
                    .into_iter()
                    .map(|f| (f.fid, f.date))
                    .collect()
            }
        };
        if no_date && !failures.is_empty() && now >= jail.warn_nodate_next {
            jail.warn_nodate_next = now + 86400.0;
            let (pre, d, rest) = prepared.parts(text);
            records.push((
                Level::Warning,
                format!(
                    "[{}] Found a match but no valid date/time found for {}.",
                    jail.name,
                    crate::pyfmt::str_repr(d)
                ),
            ));
            records.push((
                Level::Warning,
                format!("[{}] Match without a timestamp: {pre}{d}{rest}", jail.name),
            ));
            records.push((
                Level::Warning,
                format!(
                    "[{}] Please try setting a custom date pattern (see man page jail.conf(5)).",
                    jail.name
                ),
            ));
        }
        for (lvl, msg) in records {
            self.log("filter", lvl, &msg);
        }
        for (fid, date) in failures {
            let Some(fid) = fid else { continue };
            let mut ft = date.map(|d| d.secs).unwrap_or(now);
            if ft > now {
                ft = now;
            }
            let jail = &mut self.jails[j];
            if jail.ignore.check(&fid, &mut self.dns_checks).is_some() {
                continue;
            }
            let ip = self.ips.intern(&fid);
            let acc = self.stats.entry(ip).or_insert_with(|| IpAcc {
                first: ft,
                last: ft,
                ..Default::default()
            });
            acc.failures += 1;
            acc.first = acc.first.min(ft);
            acc.last = acc.last.max(ft);
            let jail = &mut self.jails[j];
            let added = jail.fail.add_failure(ip, ft);
            let js = self
                .jail_stats
                .entry((j, ip))
                .or_insert_with(|| JailIpStats {
                    first_seen: ft,
                    last_seen: ft,
                    ..Default::default()
                });
            js.failures += 1;
            js.first_seen = js.first_seen.min(ft);
            js.last_seen = js.last_seen.max(ft);
            js.peak_retry = js.peak_retry.max(added.attempts);
            if self.minutes.len() <= j {
                self.minutes.resize_with(j + 1, FxHashMap::default);
            }
            *self.minutes[j]
                .entry((ft / 60.0).floor() as i64)
                .or_default() += 1;
            if added.attempts >= jail.fail.max_retry {
                self.perform_ban(j, Some(ip));
            }
            if self.jails[j].inc.enabled {
                self.obs.push_back(ObsEvent::FailureFound {
                    jail: j,
                    ip,
                    time: ft,
                    tick: added.new_entry,
                });
            }
        }
        let jail = &mut self.jails[j];
        jail.proc_lines += 1;
        if jail.proc_lines % 100 == 0 {
            self.perform_svc(j, false);
        }
    }

    fn perform_ban(&mut self, j: usize, ip: Option<IpId>) {
        let jail = &mut self.jails[j];
        while let Some(t) = jail.fail.to_ban(ip) {
            jail.queue.push_back(t);
            if ip.is_some() {
                break;
            }
        }
        self.perform_svc(j, false);
    }

    // ------------------------------------------------------------ threads

    /// What the observer and actions threads do after a line.
    fn settle(&mut self) {
        self.drain_observer();
        for j in 0..self.jails.len() {
            while !self.jails[j].queue.is_empty() {
                self.check_ban(j);
            }
        }
        self.drain_observer();
        self.flush_bans();
    }

    fn drain_observer(&mut self) {
        while let Some(ev) = self.obs.pop_front() {
            match ev {
                ObsEvent::FailureFound {
                    jail,
                    ip,
                    time,
                    tick,
                } => self.failure_found(jail, ip, time, tick),
                ObsEvent::BanFound { jail, ip, btime } => self.ban_found(jail, ip, btime),
            }
        }
    }

    /// The ticket object a failure was recorded with, when it still exists
    /// (it does when the failure started a failure-list entry).
    fn tick_mut(&mut self, j: usize, ip: IpId, serial: Option<u64>) -> Option<(&mut Ticket, bool)> {
        let serial = serial?;
        let jail = &mut self.jails[j];
        if jail.fail.get(ip).is_some_and(|t| t.serial == serial) {
            return jail.fail.get_mut(ip).map(|t| (t, true));
        }
        if let Some(t) = jail.queue.iter_mut().find(|t| t.serial == serial) {
            return Some((t, false));
        }
        match jail.bans.get_mut(ip) {
            Some(t) if t.serial == serial => Some((t, false)),
            _ => None,
        }
    }

    /// `ObserverThread.failureFound`: failures of known bad ids count more.
    fn failure_found(&mut self, j: usize, ip: IpId, time: f64, tick: Option<u64>) {
        if !self.jails[j].inc.enabled {
            return;
        }
        let max_retry = self.jails[j].fail.max_retry;
        let idx = self.jails[j].idx;
        let (tick_bc, tick_failures, tick_retry, tick_is_entry) = match self.tick_mut(j, ip, tick) {
            Some((t, is_entry)) => (t.ban_count, t.failures, t.retry, is_entry),
            None => (0, 0, 0, false),
        };
        let Some(db) = &self.db else { return };
        let mut ban_count = 0;
        let mut weight = 1.0f64;
        let mut time_of_ban = None;
        if let Some((bc, tob)) = db.get(ip, idx, false) {
            ban_count = bc.max(tick_bc);
            weight = bad_ip_weight(ban_count, max_retry);
            time_of_ban = Some(tob);
        }
        weight = weight.min(max_retry as f64);
        if let Some(tob) = time_of_ban
            && time <= tob as f64
        {
            return;
        }
        if weight <= 1.0 {
            return;
        }
        // what the observed ticket adds to <failures>: one when it is the
        // entry itself, else its own attempts (a merged failure has none
        // and counts one)
        let attempt = if tick_is_entry {
            1
        } else if tick_failures <= 0 {
            tick_failures + 1
        } else {
            tick_failures
        };
        let count = weight as i64 - 1;
        let retry = match self.jails[j].fail.add_observed(ip, time, count, attempt) {
            Some(r) => r,
            None => tick_retry,
        };
        if let Some((t, _)) = self.tick_mut(j, ip, tick) {
            t.raise_ban_count(ban_count);
        }
        if retry >= max_retry {
            self.perform_ban(j, Some(ip));
        }
    }

    /// `Actions.__checkBan` until the jail's queue is empty.
    fn check_ban(&mut self, j: usize) {
        let clock = self.clock.unwrap_or(self.mytime);
        while let Some(t) = self.jails[j].queue.pop_front() {
            let jail = &mut self.jails[j];
            let ip = t.ip;
            let btime = t.ban_time_or(jail.bans.ban_time);
            match jail.bans.add(t, self.mytime) {
                Ok(()) => {
                    self.obs
                        .push_back(ObsEvent::BanFound { jail: j, ip, btime });
                    let msg = format!("[{}] Ban {}", self.jails[j].name, self.ips.text(ip));
                    self.log("actions", Level::Notice, &msg);
                    self.pending_bans.push((j, ip, clock));
                }
                Err(NotBanned::Expired) => {}
                Err(NotBanned::AlreadyBanned { diff }) => {
                    let level = if diff < 3.0 {
                        None
                    } else if diff < 60.0 {
                        Some(Level::Notice)
                    } else {
                        Some(Level::Warning)
                    };
                    if let Some(level) = level {
                        let msg = format!(
                            "[{}] {} already banned",
                            self.jails[j].name,
                            self.ips.text(ip)
                        );
                        self.log("actions", level, &msg);
                    }
                }
            }
        }
    }

    /// `ObserverThread.banFound`: ban time increment and the ban history.
    fn ban_found(&mut self, j: usize, ip: IpId, btime: Seconds) {
        let idx = self.jails[j].idx;
        let default_bt = self.jails[j].bans.ban_time;
        let Some(t) = self.jails[j].bans.get(ip) else {
            return;
        };
        if t.restored {
            return;
        }
        let old = btime;
        let mut btime = btime;
        if btime.as_f64() != -1.0 && t.ban_time.is_none() {
            btime = self.incr_ban_time(j, ip, btime);
            let t = self.jails[j].bans.get_mut(ip).expect("banned");
            if btime.as_f64() == -1.0 || btime.as_f64() > old.as_f64() {
                t.ban_time = Some(btime);
            }
        }
        let t = self.jails[j].bans.get(ip).expect("banned").clone();
        let logtime = if btime.as_f64() != -1.0 {
            let bend = t.time + btime.as_f64();
            if bend < self.mytime {
                return;
            }
            (
                f2blog::seconds2str(btime.as_f64(), matches!(btime, Seconds::Float(_))),
                f2blog::time2str(&self.logfmt.tz, bend),
            )
        } else {
            ("permanent".to_string(), "infinite".to_string())
        };
        if btime.as_f64() != old.as_f64() {
            let msg = format!(
                "[{}] Increase Ban {} ({} # {} -> {})",
                self.jails[j].name,
                self.ips.text(ip),
                t.ban_count,
                logtime.0,
                logtime.1
            );
            self.log("observer", Level::Notice, &msg);
        }
        if let Some(db) = &mut self.db
            && !t.restored
        {
            db.add(
                ip,
                idx,
                BipRow {
                    time_of_ban: t.time.round_ties_even() as i64,
                    ban_time: t.ban_time_or(default_bt),
                    ban_count: t.ban_count,
                },
            );
        }
    }

    /// `ObserverThread.incrBanTime`.
    fn incr_ban_time(&mut self, j: usize, ip: IpId, ban_time: Seconds) -> Seconds {
        let Some(db) = &self.db else { return ban_time };
        let jail = &self.jails[j];
        if !(ban_time.as_f64() > 0.0 && jail.inc.enabled) {
            return ban_time;
        }
        let Some((bc, tob)) = db.get(ip, jail.idx, jail.inc.overall_jails) else {
            return ban_time;
        };
        let mut new = ban_time;
        if bc > 0 {
            match jail.inc.ban_time(ban_time, bc, &mut self.rng) {
                Ok(v) => new = v,
                Err(e) => {
                    let msg = format!("bantime.formula of jail {}: {e}", jail.name);
                    self.warnings.push(msg.clone());
                    let jail = &mut self.jails[j];
                    if let Some(t) = jail.bans.get_mut(ip)
                        && bc >= t.ban_count
                    {
                        t.ban_count = bc + 1;
                    }
                    self.log("observer", Level::Error, &e);
                    return ban_time;
                }
            }
        }
        let t = self.jails[j].bans.get_mut(ip).expect("banned");
        if bc >= t.ban_count {
            t.ban_count = bc + 1;
        }
        t.ban_time = Some(new);
        if t.time <= tob as f64 {
            t.restored = true;
        }
        new
    }

    fn flush_bans(&mut self) {
        if self.pending_bans.is_empty() {
            return;
        }
        let pend = std::mem::take(&mut self.pending_bans);
        for (j, ip, time) in pend {
            let jail = &mut self.jails[j];
            jail.n_bans += 1;
            let n = jail.ipbans.entry(ip).or_insert(0);
            *n += 1;
            let n = *n;
            let Some(t) = jail.bans.get(ip) else { continue };
            let bt = t.ban_time_or(jail.bans.ban_time);
            let ev = Event {
                kind: EventKind::Ban,
                jail: jail.name.clone(),
                ip: self.ips.text(ip).to_string(),
                time,
                ban_time: bt,
                failures: t.failures,
                ban_count: n,
                retry: t.retry,
                f2b_ban_count: t.ban_count,
            };
            self.jail_stats.entry((j, ip)).or_default().bans += 1;
            let acc = self.stats.entry(ip).or_default();
            acc.bans += 1;
            if !acc.jails.contains(&jail.idx) {
                acc.jails.push(jail.idx);
            }
            acc.longest = Some(longer(acc.longest, bt));
            (self.sink)(&ev);
        }
    }

    /// `Actions.__checkUnBan` at the current (just past the end) time.
    fn check_unban(&mut self, j: usize) {
        let list = self.jails[j].bans.unban_list(self.mytime, UNBAN_MAX_COUNT);
        for t in list {
            let msg = format!("[{}] Unban {}", self.jails[j].name, self.ips.text(t.ip));
            self.log("actions", Level::Notice, &msg);
            let jail = &mut self.jails[j];
            jail.n_unbans += 1;
            let bt = t.ban_time_or(jail.bans.ban_time);
            let ev = Event {
                kind: EventKind::Unban,
                jail: jail.name.clone(),
                ip: self.ips.text(t.ip).to_string(),
                time: t.end_of_ban(jail.bans.ban_time),
                ban_time: bt,
                failures: t.failures,
                ban_count: jail.ipbans.get(&t.ip).copied().unwrap_or(0),
                retry: t.retry,
                f2b_ban_count: t.ban_count,
            };
            let acc = self.stats.entry(t.ip).or_default();
            acc.longest = Some(longer(acc.longest, bt));
            (self.sink)(&ev);
        }
    }

    // --------------------------------------------------------------- feed

    fn pump_feed(&mut self) {
        if self.pumping || self.feed_queue.is_empty() {
            return;
        }
        self.pumping = true;
        while let Some(text) = self.feed_queue.pop_front() {
            for k in 0..self.feed_jails.len() {
                let j = self.feed_jails[k];
                let dd = self.jails[j]
                    .dd
                    .as_mut()
                    .expect("fed jails keep their detector");
                let date = DateFound::from_date_match(dd.detect(&text));
                self.perform_svc(j, false);
                self.jails[j].lines += 1;
                self.process_line_and_add(j, &text, date, None);
                self.settle();
            }
        }
        self.pumping = false;
    }
}

/// The longer of two ban times (permanent is longest).
fn longer(a: Option<Seconds>, b: Seconds) -> Seconds {
    match a {
        None => b,
        Some(a) if a.as_f64() == -1.0 => a,
        Some(_) if b.as_f64() == -1.0 => b,
        Some(a) => {
            if b.as_f64() > a.as_f64() {
                b
            } else {
                a
            }
        }
    }
}

impl Event {
    /// The event as one of the oracle's JSON lines.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "event": match self.kind { EventKind::Ban => "ban", EventKind::Unban => "unban" },
            "jail": self.jail,
            "ip": self.ip,
            "time": json_num(self.time),
            "bantime": json_num(self.ban_time.as_f64()),
            "failures": self.failures,
            "bancount": self.ban_count,
            "retry": self.retry,
            "f2b_bancount": self.f2b_ban_count,
        })
    }
}

/// A number as the oracle prints it: integral values as ints, others
/// rounded to 6 decimals.
pub fn json_num(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        // Python's round(v, 6): the exact value rounded to 6 decimals
        let text = format!("{v:.6}");
        serde_json::Value::from(text.parse::<f64>().unwrap_or(v))
    }
}

/// `MAX_TIME` is the end of a permanent ban.
pub const PERMANENT_END: f64 = MAX_TIME;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyfmt::PyValue;

    fn cmd(parts: &[&str]) -> PyValue {
        PyValue::List(parts.iter().map(|p| PyValue::str(*p)).collect())
    }

    fn config() -> ReplayConfig {
        ReplayConfig::from_stream(&[
            cmd(&["set", "dbfile", ":memory:"]),
            cmd(&["add", "web", "polling"]),
            cmd(&["set", "web", "addfailregex", "fail from <HOST>$"]),
            cmd(&["set", "web", "maxretry", "2"]),
            cmd(&["set", "web", "findtime", "600"]),
            cmd(&["set", "web", "bantime", "60"]),
            cmd(&["set", "web", "addignoreip", "192.0.2.99"]),
            cmd(&["add", "other", "polling"]),
            cmd(&["set", "other", "addfailregex", "^x <HOST>$"]),
        ])
        .unwrap()
    }

    #[test]
    fn ban_unban_and_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("web.log");
        std::fs::write(
            &log,
            "2024-01-01 00:00:00 fail from 192.0.2.1\n\
             2024-01-01 00:00:10 fail from 192.0.2.99\n\
             2024-01-01 00:00:20 fail from 192.0.2.99\n\
             2024-01-01 00:00:30 fail from 192.0.2.1\n\
             2024-01-01 00:05:00 something else\n",
        )
        .unwrap();
        let outcome = Replay::new(config())
            .run(&ReplayInputs {
                logs: vec![("web".into(), vec![log.display().to_string()])],
                only: Some(vec!["web".into()]),
                tz: Some("UTC".into()),
                now: Some(1704067200.0 + 3600.0),
                ..Default::default()
            })
            .unwrap();
        let t0 = 1704067200.0;
        let kinds: Vec<(EventKind, &str, f64)> = outcome
            .events
            .iter()
            .map(|e| (e.kind, e.ip.as_str(), e.time))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::Ban, "192.0.2.1", t0 + 30.0),
                (EventKind::Unban, "192.0.2.1", t0 + 90.0),
            ]
        );
        assert_eq!(outcome.events[0].failures, 2);
        assert_eq!(outcome.jails.len(), 1);
        let s = &outcome.jails[0];
        assert_eq!((s.lines, s.failures, s.bans, s.unbans), (5, 2, 1, 1));
        assert_eq!(outcome.ips.len(), 1);
        let ip = &outcome.ips[0];
        assert_eq!((ip.first_seen, ip.last_seen), (t0, t0 + 30.0));
        assert_eq!(ip.longest_ban, Some(Seconds::Int(60)));
        assert_eq!(ip.jails, vec!["web".to_string()]);
        assert_eq!(outcome.end, t0 + 3600.0);
    }

    #[test]
    fn unknown_jail_is_an_error() {
        let err = Replay::new(config())
            .run(&ReplayInputs {
                only: Some(vec!["nope".into()]),
                now: Some(0.0),
                ..Default::default()
            })
            .unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }
}
