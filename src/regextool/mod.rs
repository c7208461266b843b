//! `f2b regex` / `fail2ban-regex`: tests a filter against a log the way
//! fail2ban-regex 1.0.2 does, with the same report, `-o` rows and exit
//! codes, plus JSON Lines for scripts.

pub mod input;
pub mod options;
pub mod outfmt;
pub mod report;
pub mod setup;

use crate::date::{DateDetector, DateOptions, TzSpec};
use crate::filter::groups::LogTime;
use crate::filter::{DateFound, Failure, Filter, FilterOptions, Flavor};
use options::{Format, RegexArgs};
use setup::{RegexHits, RegexKind};
use std::io::Write;

/// A progress bar on stderr for logs over 64 MiB, hidden when stderr is
/// not a terminal (the report itself goes to stdout, untouched).
fn progress_bar(file: &std::fs::File) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let len = file.metadata().map_or(0, |m| m.len());
    if len < 64 << 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Evaluates every prepared line of a block.
fn evaluate_block(filter: &mut Filter, block: &mut Block) {
    block.results.reserve(block.lines.len());
    for l in &block.lines {
        let line = &block.text[l.start..l.end];
        let r = filter.evaluate(line, &l.prepared).into_sent();
        let budget = std::mem::take(&mut filter.budget_warnings);
        block.results.push((r, budget));
    }
}

/// A block of lines for the worker threads.
struct Block {
    seq: u64,
    text: String,
    lines: Vec<BlockLine>,
    results: Vec<(
        crate::filter::matcher::SentResult,
        Vec<crate::filter::matcher::BudgetWarning>,
    )>,
}

struct BlockLine {
    start: usize,
    end: usize,
    line_no: u64,
    prepared: crate::filter::matcher::Prepared,
}

/// fail2ban-regex's line accounting.
#[derive(Default)]
pub struct LineStats {
    pub tested: u64,
    pub matched: u64,
    pub missed: i64,
    pub ignored: u64,
    pub matched_lines: Vec<String>,
    pub missed_lines: Vec<String>,
    pub ignored_lines: Vec<String>,
}

/// One fail2ban-regex run.
pub struct RegexTool {
    pub args: RegexArgs,
    pub filter: Filter,
    pub date: Option<DateDetector>,
    date_opts: DateOptions,
    pub backend: String,
    maxlines_set: bool,
    datepattern_set: bool,
    pub journalmatch: Option<Vec<String>>,
    pub fail_regexes: Vec<String>,
    pub ignore_regexes: Vec<String>,
    pub fail_hits: Vec<RegexHits>,
    pub ignore_hits: Vec<RegexHits>,
    pub pref_matched: u64,
    pub pref_groups: Vec<String>,
    pub stats: LineStats,
    /// `self._maxlines`: how many lines the report lists.
    pub print_limit: usize,
    current_regex_arg: String,
    out: Box<dyn Write>,
    /// Lines of stderr warnings f2b adds (never on stdout).
    pub warnings: Vec<String>,
    /// Searches stopped by the backtracking budget (the first 20 are shown).
    budget_hits: u64,
    clock: f64,
    clock_lines: u64,
    /// When line processing began (`[processed in …]`).
    pub started: Option<std::time::Instant>,
    /// The prefregex matched on the last line searched (fail2ban reads
    /// the regex object's last match, even for a line it skipped), and
    /// that match's groups when they were taken.
    pref_state: (bool, Option<crate::filter::FailMap>),
}

impl RegexTool {
    /// Prints a report line (suppressed with `-o` and `--format json`).
    pub fn output(&mut self, line: &str) {
        if self.args.out.is_none() && self.args.format == Format::Text {
            let _ = writeln!(self.out, "{line}");
        }
    }

    /// Prints unconditionally (fail2ban's module-level `output`).
    pub fn emit(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}");
    }

    pub fn set_maxlines(&mut self, n: usize) {
        if !self.maxlines_set {
            self.filter.opts.maxlines = n;
            self.maxlines_set = true;
            self.output(&format!("Use         maxlines : {n}"));
        }
    }

    /// `setDatePattern`; `false` after printing an error.
    pub fn set_datepattern(&mut self, pattern: Option<&str>) -> bool {
        if self.datepattern_set {
            return true;
        }
        match pattern {
            None => self.date = None,
            Some(p) => match DateDetector::from_datepattern(p, self.date_opts.clone()) {
                Ok(d) => {
                    let name = d.display_name();
                    self.date = Some(d);
                    self.output(&format!("Use      datepattern : {p} : {name}"));
                }
                Err(e) => {
                    self.emit(&format!("ERROR: {e}"));
                    return false;
                }
            },
        }
        self.datepattern_set = true;
        true
    }
}

/// A LOG argument that was probably meant as a file name.
fn looks_like_path(log: &str) -> bool {
    !log.contains(char::is_whitespace)
        && (log.contains('/') || log.ends_with(".log") || log.ends_with(".gz"))
}

/// Current wall-clock time as fail2ban's `time.time()`.
fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Runs fail2ban-regex with `argv` (program name first); returns the exit
/// code. `stdout`/`stderr` receive exactly what fail2ban-regex prints.
pub fn run(argv: &[String], stdout: Box<dyn Write>, stderr: &mut dyn Write) -> i32 {
    let prog = argv
        .first()
        .cloned()
        .unwrap_or_else(|| "fail2ban-regex".into());
    let parsed = options::parse(&argv[1.min(argv.len())..]);
    let mut stdout = stdout;
    let args = match parsed {
        options::Parsed::Run(a) => *a,
        options::Parsed::Help => {
            let _ = write!(stdout, "{}", report::help_text(&prog));
            return 0;
        }
        options::Parsed::Version => {
            let _ = writeln!(stdout, "fail2ban-regex {}", crate::cli::FAIL2BAN_VERSION);
            return 0;
        }
        options::Parsed::ShortVersion => {
            let _ = writeln!(stdout, "{}", crate::cli::FAIL2BAN_VERSION);
            return 0;
        }
        options::Parsed::Error(e) => {
            let base = crate::config::pypath::basename(&prog);
            let _ = write!(
                stderr,
                "Usage: {prog} [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]\n\n{base}: error: {e}\n"
            );
            return 2;
        }
    };
    let mut errors = Vec::new();
    if args.print_no_missed && args.print_all_missed {
        errors.push("ERROR: --print-no-missed and --print-all-missed are mutually exclusive.");
    }
    if args.print_no_ignored && args.print_all_ignored {
        errors.push("ERROR: --print-no-ignored and --print-all-ignored are mutually exclusive.");
    }
    if !(2..=3).contains(&args.positional.len()) {
        errors.push("ERROR: provide both <LOG> and <REGEX>.");
    }
    if !errors.is_empty() {
        let _ = write!(stdout, "{}", report::help_text(&prog));
        let _ = write!(stderr, "\n{}\n", errors.join("\n"));
        return 255;
    }
    let mut tool = match RegexTool::new(args, stdout) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let code = if tool.start() { 0 } else { 255 };
    if tool.budget_hits > 20 {
        tool.warnings.push(format!(
            "warning: {} more searches gave up after their backtracking budget",
            tool.budget_hits - 20
        ));
    }
    for w in &tool.warnings {
        let _ = writeln!(stderr, "f2b: {w}");
    }
    let _ = tool.out.flush();
    code
}

impl RegexTool {
    fn new(args: RegexArgs, out: Box<dyn Write>) -> Result<RegexTool, i32> {
        let date_opts = DateOptions::system();
        let mut fopts = FilterOptions {
            check_all: args.check_all && args.out.is_none(),
            ignore_pending: args.out.is_some(),
            return_raw_host: args.raw,
            flavor: Flavor::V1_0_2,
            ..Default::default()
        };
        if let Some(u) = &args.usedns {
            let v = u.to_lowercase();
            fopts.use_dns = if matches!(v.as_str(), "yes" | "warn" | "no" | "raw") {
                v
            } else {
                "no".into()
            };
        }
        let mut tool = RegexTool {
            print_limit: if args.maxlines != 0 {
                args.maxlines.max(0) as usize
            } else {
                20
            },
            args,
            filter: Filter::new(fopts),
            date: Some(DateDetector::new_default(date_opts.clone())),
            date_opts,
            backend: "auto".into(),
            maxlines_set: false,
            datepattern_set: false,
            journalmatch: None,
            fail_regexes: Vec::new(),
            ignore_regexes: Vec::new(),
            fail_hits: Vec::new(),
            ignore_hits: Vec::new(),
            pref_matched: 0,
            pref_groups: Vec::new(),
            stats: LineStats::default(),
            current_regex_arg: String::new(),
            out,
            warnings: Vec::new(),
            budget_hits: 0,
            clock: 0.0,
            clock_lines: 0,
            started: None,
            pref_state: (false, None),
        };
        tool.output("");
        tool.output("Running tests");
        tool.output("=============");
        tool.output("");
        let setup = (|| -> Result<(), String> {
            if tool.args.maxlines != 0 {
                if tool.args.maxlines < 0 {
                    return Err("maxlines must be integer greater than zero".into());
                }
                tool.set_maxlines(tool.args.maxlines as usize);
            }
            if let Some(m) = tool.args.journalmatch.clone() {
                tool.journalmatch =
                    Some(crate::config::shlex::split(&m).map_err(|e| e.to_string())?);
            }
            if let Some(tz) = tool.args.timezone.clone() {
                tool.date_opts.default_tz = Some(TzSpec::parse(&tz)?);
                tool.date = Some(DateDetector::new_default(tool.date_opts.clone()));
            }
            Ok(())
        })();
        if let Err(e) = setup {
            tool.emit(&format!("ERROR: {e}"));
            let _ = tool.out.flush();
            return Err(255);
        }
        if let Some(p) = tool.args.datepattern.clone()
            && !tool.set_datepattern(Some(&p))
        {
            let _ = tool.out.flush();
            return Err(255);
        }
        Ok(tool)
    }

    /// `start(args)`: loads the regexes, reads the log, prints the report.
    fn start(&mut self) -> bool {
        let log = self.args.positional[0].clone();
        let regex = self.args.positional[1].clone();
        if log.starts_with("systemd-journal") {
            self.backend = "systemd".into();
        }
        self.current_regex_arg = regex.clone();
        if !self.read_regex(&regex, RegexKind::Fail) {
            return false;
        }
        if let Some(ign) = self.args.positional.get(2).cloned() {
            self.current_regex_arg = ign.clone();
            if !self.read_regex(&ign, RegexKind::Ignore) {
                return false;
            }
        }
        let path = crate::config::pypath::os_path(&log);
        let encoding_name = self.args.encoding.clone().unwrap_or_else(|| "UTF-8".into());
        if path.is_file() {
            let enc = match input::Encoding::lookup(&encoding_name) {
                Ok(e) => e,
                Err(e) => {
                    self.emit(&format!("ERROR: {e}"));
                    return false;
                }
            };
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    self.emit(&crate::regextool::report::io_error_text(&e, &log));
                    return false;
                }
            };
            self.output(&format!("Use         log file : {log}"));
            self.output(&format!("Use         encoding : {encoding_name}"));
            self.output("");
            self.started = Some(std::time::Instant::now());
            if let Err(e) = self.process_file(file, enc, &log) {
                self.warnings.push(format!("error: reading {log}: {e}"));
                return false;
            }
        } else if log.starts_with("systemd-journal") {
            return self.process_journal(&log, &encoding_name);
        } else {
            if looks_like_path(&log) {
                let why = match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => "is a directory".to_string(),
                    Ok(_) => "is not a regular file".to_string(),
                    Err(e) => e.to_string(),
                };
                self.warnings.push(format!(
                    "warning: {log}: {why}; testing the text itself as a log line, as fail2ban-regex does"
                ));
            }
            let lines: Vec<String> = if self.filter.opts.maxlines <= 1 && !log.contains('\n') {
                self.output(&format!(
                    "Use      single line : {}",
                    setup::shortstr(&log.replace('\n', "\\n"))
                ));
                vec![log.clone()]
            } else {
                let lines: Vec<String> = log.split('\n').map(str::to_string).collect();
                self.output(&format!("Use      multi line : {} line(s)", lines.len()));
                for (i, l) in lines.iter().enumerate() {
                    if i >= 5 {
                        self.output("| ...");
                        break;
                    }
                    let n = format!("{}", i + 1);
                    let n: String = n.chars().take(2).collect();
                    self.output(&format!("| {n:>2}: {}", setup::shortstr(l)));
                }
                self.output("`-");
                lines
            };
            self.output("");
            self.started = Some(std::time::Instant::now());
            for (i, l) in lines.iter().enumerate() {
                let l = l.trim_end_matches(['\r', '\n']).to_string();
                self.process_one(&l, i as u64 + 1);
            }
        }
        self.print_stats();
        true
    }

    /// `systemd-journal[...]`: entries read through `journalctl -o json`,
    /// formatted as fail2ban's systemd backend does (`HOST IDENT[PID]: MSG`
    /// with the entry's own time, no date detection).
    fn process_journal(&mut self, log: &str, encoding_name: &str) -> bool {
        let mut cmd = std::process::Command::new("journalctl");
        cmd.args(["-o", "json", "--no-pager", "-q"]);
        if log != "systemd-journal" {
            self.warnings.push(format!(
                "warning: {log}: journal options are ignored; f2b reads the local journal with journalctl"
            ));
        }
        self.output("Use         systemd journal");
        self.output(&format!("Use         encoding : {encoding_name}"));
        self.datepattern_set = false;
        self.set_datepattern(None);
        if let Some(m) = self.journalmatch.clone() {
            self.output(&format!("Use    journal match : {}", m.join(" ")));
            cmd.args(&m);
        }
        self.output("");
        self.started = Some(std::time::Instant::now());
        let child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                self.emit(&format!("Error: cannot run journalctl: {e}. Exiting..."));
                return false;
            }
        };
        let stdout = child.stdout.take().expect("piped");
        let mut reader = input::LineReader::new(stdout);
        let mut n = 0u64;
        loop {
            let entry = match reader.next_line() {
                Ok(Some(l)) => l.to_vec(),
                Ok(None) => break,
                Err(e) => {
                    self.warnings.push(format!("warning: journalctl: {e}"));
                    break;
                }
            };
            n += 1;
            let Some((tuple, time)) = input::journal_entry(&entry) else {
                self.warnings.push(format!(
                    "warning: journalctl: entry {n} is not a journal JSON object"
                ));
                continue;
            };
            self.process_dated(tuple, time, n);
        }
        let _ = child.wait();
        self.print_stats();
        true
    }

    fn process_file(
        &mut self,
        file: std::fs::File,
        enc: input::Encoding,
        name: &str,
    ) -> std::io::Result<()> {
        let progress = progress_bar(&file);
        if let Some(workers) = self.parallel_workers(&file) {
            let r = self.process_file_parallel(file, enc, name, workers, &progress);
            progress.finish_and_clear();
            return r;
        }
        let mut reader = input::LineReader::new(file);
        let mut line_no = 0u64;
        let mut warned = false;
        let mut bytes = 0u64;
        while let Some(raw) = reader.next_line()? {
            line_no += 1;
            bytes += raw.len() as u64 + 1;
            if line_no % 65536 == 0 {
                progress.set_position(bytes);
            }
            let raw = input::strip_eol(raw);
            if raw.is_empty() || raw[0] == b'#' {
                continue;
            }
            let (text, bad) = enc.decode(raw);
            if bad {
                self.warn_undecodable(name, line_no, &mut warned);
            }
            self.process_one(&text, line_no);
        }
        progress.finish_and_clear();
        self.warn_unterminated(name, reader.unterminated);
        Ok(())
    }

    /// Filters for worker threads (same regexes), when the log is large,
    /// there are two cores and lines can be evaluated out of order.
    /// `F2B_REGEX_THREADS=1` turns this off, `=N` uses N threads in all
    /// (the reading thread and N-1 workers).
    fn parallel_workers(
        &mut self,
        file: &std::fs::File,
    ) -> Option<Vec<crate::filter::matcher::Compiled>> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = match std::env::var("F2B_REGEX_THREADS")
            .ok()
            .map(|v| v.parse::<usize>())
        {
            Some(Ok(n)) if n <= 1 => return None,
            Some(Ok(n)) => n.min(16) - 1,
            _ => {
                let big = file.metadata().map_or(0, |m| m.len()) >= 8 << 20;
                if cores < 2 || !big {
                    return None;
                }
                cores.min(8) - 1
            }
        };
        self.filter.want_pref_groups = self.args.verbose > 0;
        if !self.filter.order_independent() {
            return None;
        }
        let compiled = self.filter.compiled();
        Some(vec![compiled; workers])
    }

    /// The reading thread decodes blocks of lines and detects dates (which
    /// is stateful, so in line order); workers evaluate whole blocks; the
    /// blocks are accounted in order. Output is the same as sequentially.
    fn process_file_parallel(
        &mut self,
        file: std::fs::File,
        enc: input::Encoding,
        name: &str,
        workers: Vec<crate::filter::matcher::Compiled>,
        progress: &indicatif::ProgressBar,
    ) -> std::io::Result<()> {
        use std::sync::{Arc, Mutex, mpsc};
        const BLOCK: usize = 256 << 10;
        let n_workers = workers.len();
        let (to_workers, work) = mpsc::sync_channel::<Block>(n_workers);
        let work = Arc::new(Mutex::new(work));
        let (to_main, done) = mpsc::channel::<Block>();
        std::thread::scope(|scope| -> std::io::Result<()> {
            for compiled in workers {
                let work = Arc::clone(&work);
                let to_main = to_main.clone();
                scope.spawn(move || {
                    let mut w = Filter::from_compiled(compiled);
                    loop {
                        let next = work.lock().map(|r| r.recv());
                        let Ok(Ok(mut block)) = next else {
                            break;
                        };
                        evaluate_block(&mut w, &mut block);
                        if to_main.send(block).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(to_main);
            let mut reader = input::LineReader::new(file);
            let mut line_no = 0u64;
            let mut warned = false;
            let mut sent = 0u64;
            let mut next = 0u64;
            let mut waiting = std::collections::BTreeMap::new();
            let result = (|| -> std::io::Result<()> {
                while let Some(raw) = reader.next_block(BLOCK)? {
                    progress.inc(raw.len() as u64);
                    let (text, lines) =
                        self.prepare_block(&raw, enc, name, &mut line_no, &mut warned);
                    let block = Block {
                        seq: sent,
                        text,
                        lines,
                        results: Vec::new(),
                    };
                    // Workers busy: this thread evaluates the block itself.
                    match to_workers.try_send(block) {
                        Ok(()) => {}
                        Err(mpsc::TrySendError::Full(mut b)) => {
                            evaluate_block(&mut self.filter, &mut b);
                            waiting.insert(b.seq, b);
                        }
                        Err(mpsc::TrySendError::Disconnected(_)) => break,
                    }
                    sent += 1;
                    while let Ok(b) = done.try_recv() {
                        waiting.insert(b.seq, b);
                    }
                    while let Some(b) = waiting.remove(&next) {
                        self.account_block(b);
                        next += 1;
                    }
                }
                Ok(())
            })();
            drop(to_workers);
            while next < sent {
                if let Some(b) = waiting.remove(&next) {
                    self.account_block(b);
                    next += 1;
                    continue;
                }
                match done.recv() {
                    Ok(b) => {
                        waiting.insert(b.seq, b);
                    }
                    Err(_) => break,
                }
            }
            self.warn_unterminated(name, reader.unterminated);
            result
        })
    }

    /// Decodes a block of whole lines and prepares each tested line.
    fn prepare_block(
        &mut self,
        raw: &[u8],
        enc: input::Encoding,
        name: &str,
        line_no: &mut u64,
        warned: &mut bool,
    ) -> (String, Vec<BlockLine>) {
        let mut text = String::with_capacity(raw.len());
        let mut lines = Vec::new();
        for raw_line in raw.split_inclusive(|&b| b == b'\n') {
            *line_no += 1;
            let bytes = input::strip_eol(raw_line);
            if bytes.is_empty() || bytes[0] == b'#' {
                continue;
            }
            let (decoded, bad) = enc.decode(bytes);
            if bad {
                self.warn_undecodable(name, *line_no, warned);
            }
            let start = text.len();
            text.push_str(&decoded);
            let end = text.len();
            let line = &text[start..end];
            let date = self.detect(line);
            let clock = self.clock();
            let prepared = self.filter.prepare(line, date, clock);
            lines.push(BlockLine {
                start,
                end,
                line_no: *line_no,
                prepared,
            });
        }
        (text, lines)
    }

    fn account_block(&mut self, block: Block) {
        for (l, (result, budget)) in block.lines.iter().zip(block.results) {
            self.filter.budget_warnings.extend(budget);
            let line = &block.text[l.start..l.end];
            self.account(line, l.line_no, result.into_result(), Vec::new(), true);
        }
    }

    /// The date detector's verdict for a line.
    fn detect(&mut self, line: &str) -> DateFound {
        DateFound::from_date_match(self.date.as_mut().and_then(|d| d.detect(line)))
    }

    /// fail2ban reads the clock per line; only lines without a date within
    /// a minute of "now" can tell, so once per 256 lines is enough.
    fn clock(&mut self) -> f64 {
        if self.clock_lines % 256 == 0 {
            self.clock = now();
        }
        self.clock_lines += 1;
        self.clock
    }

    /// fail2ban's reader never returns a last line without its newline.
    fn warn_unterminated(&mut self, name: &str, unterminated: usize) {
        if unterminated > 0 {
            self.warnings.push(format!(
                "warning: {name}: the last line has no newline; fail2ban-regex does not read it, so neither does f2b"
            ));
        }
    }

    /// One warning per file for undecodable bytes, as fail2ban logs it.
    fn warn_undecodable(&mut self, name: &str, line_no: u64, warned: &mut bool) {
        if !*warned {
            *warned = true;
            self.warnings.push(format!(
                "warning: {name}:{line_no}: bytes that are not valid {} replaced by U+FFFD (as fail2ban does; later lines are not reported)",
                self.args.encoding.as_deref().unwrap_or("UTF-8")
            ));
        }
    }

    /// What `testRegex` notes before a line: the multi-line buffer (to see
    /// which lines a match consumed) and whether it was full.
    fn before_line(&mut self) -> (Vec<crate::filter::TupleLine>, bool) {
        let maxlines = self.filter.opts.maxlines;
        let org_buffer = if maxlines > 1 {
            self.filter.line_buffer().to_vec()
        } else {
            Vec::new()
        };
        let full_buffer = self.filter.line_buffer().len() >= maxlines;
        self.filter.want_pref_groups =
            self.args.verbose > 0 && self.pref_groups.len() <= self.print_limit;
        (org_buffer, full_buffer)
    }

    /// `process` for one line (comments and empty lines already skipped
    /// for files; `line_no` is the physical line number).
    fn process_one(&mut self, line: &str, line_no: u64) {
        if line.starts_with('#') || line.is_empty() {
            return;
        }
        let (org_buffer, full_buffer) = self.before_line();
        let date = self.detect(line);
        let clock = self.clock();
        let result = self.filter.process_line(line, date, clock);
        self.account(line, line_no, result, org_buffer, full_buffer);
    }

    /// A journal entry (comes with its time; never skipped as a comment).
    fn process_dated(&mut self, tuple: crate::filter::TupleLine, time: LogTime, n: u64) {
        let (org_buffer, full_buffer) = self.before_line();
        let line = tuple.full();
        let result = self.filter.process_dated(tuple, time);
        self.account(&line, n, result, org_buffer, full_buffer);
    }

    /// fail2ban-regex's bookkeeping after one line (`testRegex` + `process`).
    fn account(
        &mut self,
        line: &str,
        line_no: u64,
        result: crate::filter::LineResult,
        org_buffer: Vec<crate::filter::TupleLine>,
        full_buffer: bool,
    ) {
        let maxlines = self.filter.opts.maxlines;
        for w in std::mem::take(&mut self.filter.budget_warnings) {
            self.budget_hits += 1;
            if self.budget_hits > 20 {
                continue;
            }
            self.warnings.push(format!(
                "warning: line {line_no}: {} {} gave up after its backtracking budget; \
                 the line counts as not matched by it (fail2ban would keep searching): {}",
                w.kind, w.regex, w.line
            ));
        }
        let line_ignored = !result.ignored_by.is_empty();
        for i in &result.ignored_by {
            if let Some(h) = self.ignore_hits.get_mut(*i) {
                h.count += 1;
            }
        }
        let mut is_ignored = false;
        let mut ret: Vec<&Failure> = Vec::new();
        let quiet = self.args.out.is_some();
        for f in &result.failures {
            if !quiet {
                let multiple = ret.len() > 1;
                if let Some(h) = self.fail_hits.get_mut(f.regex_index) {
                    h.count += 1;
                    if self.args.verbose > 0 {
                        let id = f.fid.as_ref().map_or("None".to_string(), |i| i.ntoa());
                        h.ips.push((id, f.date, multiple));
                    }
                }
            }
            if !f.is_nofail() {
                ret.push(f);
            } else {
                is_ignored = true;
            }
        }
        if self.args.format == Format::Json {
            outfmt::json_line(
                &mut self.out,
                line_no,
                &result,
                &ret,
                is_ignored || line_ignored,
            );
        }
        if let Some(fmt) = self.args.out.clone() {
            if !ret.is_empty() {
                outfmt::print_out(&mut self.out, &fmt, &ret);
            }
            return;
        }
        // prefregex statistics read the regex's last match.
        if self.filter.pref.is_some() {
            if let Some(m) = result.pref_matched {
                self.pref_state = (m, result.pref_groups.clone());
            }
            if self.pref_state.0 {
                self.pref_matched += 1;
                if self.args.verbose > 0 {
                    if self.pref_groups.len() < self.print_limit {
                        let g = self.pref_state.1.clone().unwrap_or_default();
                        self.pref_groups
                            .push(crate::filter::groups::dict_repr(&g, ""));
                    } else if self.pref_groups.len() == self.print_limit {
                        self.pref_groups.push("...".into());
                    }
                }
            }
        }
        if maxlines > 1 {
            let now_buf = self.filter.line_buffer().to_vec();
            for buf_line in org_buffer.iter().skip(full_buffer as usize) {
                if !now_buf.contains(buf_line) {
                    let joined = buf_line.full();
                    if let Some(p) = self.stats.missed_lines.iter().position(|l| *l == joined) {
                        self.stats.missed_lines.remove(p);
                    }
                    if self.args.print_all_matched {
                        self.stats.matched_lines.push(joined);
                    }
                    self.stats.matched += 1;
                    self.stats.missed -= 1;
                }
            }
        }
        let is_ignored = is_ignored || line_ignored;
        let limit = self.print_limit as u64 + 1;
        if is_ignored {
            self.stats.ignored += 1;
            if !self.args.print_no_ignored
                && (self.args.print_all_ignored || self.stats.ignored <= limit)
            {
                self.stats.ignored_lines.push(line.to_string());
            }
        } else if !ret.is_empty() {
            self.stats.matched += 1;
            if self.args.print_all_matched {
                self.stats.matched_lines.push(line.to_string());
            }
        } else {
            self.stats.missed += 1;
            if !self.args.print_no_missed
                && (self.args.print_all_missed || self.stats.missed <= limit as i64)
            {
                self.stats.missed_lines.push(line.to_string());
            }
        }
        self.stats.tested += 1;
    }
}
