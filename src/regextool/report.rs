//! fail2ban-regex's report (`printStats`/`printLines`) and f2b's help.

use super::RegexTool;
use super::setup::RegexHits;

/// `pprint_list`: a `|`-framed block, nothing when empty.
fn pprint_list(tool: &mut RegexTool, lines: &[String], header: Option<&str>) {
    if lines.is_empty() {
        return;
    }
    let mut s = String::new();
    if let Some(h) = header {
        s.push_str(&format!("|- {h}\n"));
    }
    s.push_str("|  ");
    s.push_str(&lines.join("\n|  "));
    s.push_str("\n`-");
    tool.output(&s);
}

/// `time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(t))`.
fn local_time_string(t: Option<crate::filter::groups::LogTime>) -> String {
    let t = t.map_or_else(super::now, |t| t.secs);
    let ts = jiff::Timestamp::from_second(t.floor() as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let z = ts.to_zoned_datetime(jiff::tz::TimeZone::system());
    z.strftime("%a %b %d %H:%M:%S %Y").to_string()
}

impl RegexTool {
    fn print_regexes(&mut self, title: &str, regexes: &[String], hits: &[RegexHits]) {
        let mut total = 0;
        let mut out = Vec::new();
        for (i, r) in regexes.iter().enumerate() {
            let h = hits.get(i).cloned().unwrap_or_default();
            total += h.count;
            if h.count > 0 || self.args.verbose > 0 {
                out.push(format!("{:>2}) [{}] {r}", i + 1, h.count));
            }
            if self.args.verbose > 0 {
                for (id, time, multiple) in &h.ips {
                    out.push(format!(
                        "    {id}  {}{}",
                        local_time_string(*time),
                        if *multiple {
                            " (multiple regex matched)"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        self.output(&format!("\n{title}: {total} total"));
        pprint_list(self, &out, Some(" #) [# of hits] regular expression"));
    }

    /// `printStats`.
    pub fn print_stats(&mut self) {
        if self.args.out.is_some() {
            return;
        }
        self.output("");
        self.output("Results");
        self.output("=======");
        if let Some(p) = &self.filter.pref {
            let mut out = vec![p.expanded.clone()];
            if self.args.verbose > 0 {
                for g in &self.pref_groups {
                    out.push(format!("    {g}"));
                }
            }
            let n = self.pref_matched;
            self.output(&format!("\nPrefregex: {n} total"));
            pprint_list(self, &out, None);
        }
        let (fr, fh) = (self.fail_regexes.clone(), self.fail_hits.clone());
        self.print_regexes("Failregex", &fr, &fh);
        let (ir, ih) = (self.ignore_regexes.clone(), self.ignore_hits.clone());
        self.print_regexes("Ignoreregex", &ir, &ih);
        if let Some(d) = &self.date {
            let mut out = Vec::new();
            for t in d.templates() {
                if self.args.verbose > 0 || t.hits > 0 {
                    out.push(format!("[{}] {}", t.hits, t.name));
                    if self.args.verbose_date {
                        out.extend(t.verbose_lines());
                    }
                }
            }
            self.output("\nDate template hits:");
            pprint_list(self, &out, Some("[# of hits] date format"));
        }
        let s = &self.stats;
        let line = format!(
            "\nLines: {} lines, {} ignored, {} matched, {} missed",
            s.tested, s.ignored, s.matched, s.missed
        );
        self.output(&line);
        let secs = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        self.output(&format!("[processed in {secs:.2} sec]"));
        self.output("");
        if self.args.print_all_matched {
            self.print_lines("matched");
        }
        if !self.args.print_no_ignored {
            self.print_lines("ignored");
        }
        if !self.args.print_no_missed {
            self.print_lines("missed");
        }
    }

    /// `printLines(ltype)`.
    fn print_lines(&mut self, kind: &str) {
        let (count, lines, all) = match kind {
            "matched" => (
                self.stats.matched as i64,
                self.stats.matched_lines.clone(),
                self.args.print_all_matched,
            ),
            "ignored" => (
                self.stats.ignored as i64,
                self.stats.ignored_lines.clone(),
                self.args.print_all_ignored,
            ),
            _ => (
                self.stats.missed,
                self.stats.missed_lines.clone(),
                self.args.print_all_missed,
            ),
        };
        if count == 0 {
            return;
        }
        let mut cap = kind.to_string();
        cap[..1].make_ascii_uppercase();
        let header = format!("{cap} line(s):");
        if count < self.print_limit as i64 || all {
            let stripped: Vec<String> = lines
                .iter()
                .map(|l| l.trim_end_matches(crate::ini::py_isspace).to_string())
                .collect();
            pprint_list(self, &stripped, Some(&header));
        } else {
            self.output(&format!(
                "{header} too many to print.  Use --print-all-{kind} to print all {count} lines"
            ));
        }
    }
}

/// Python's text for an `open()` failure.
pub fn io_error_text(e: &std::io::Error, path: &str) -> String {
    let (errno, msg) = match e.raw_os_error() {
        Some(n) => (n, std::io::Error::from_raw_os_error(n).to_string()),
        None => (0, e.to_string()),
    };
    let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
    format!("[Errno {errno}] {msg}: {}", crate::pyfmt::str_repr(path))
}

/// f2b's own help for the fail2ban-regex command line.
pub fn help_text(prog: &str) -> String {
    format!(
        "Usage: {prog} [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]

Test fail2ban regular expressions against a log, exactly as fail2ban-regex 1.0.2
does: same report, same -o rows, same exit codes (0 after a run, 255 on a bad
regex or filter, 2 on a bad option).

LOG is a log file, a log line given as text (several lines when it contains
\\n), or systemd-journal.
REGEX is a failregex, a filter name from <config>/filter.d with optional
[params] (sshd[mode=aggressive]), or a path to a filter file (which may carry
[params] too).
IGNOREREGEX is an ignoreregex (always taken literally).

Examples:
  {prog} /var/log/auth.log sshd
  {prog} -c /etc/fail2ban /var/log/asterisk/messages 'asterisk[logtype=file]'
  {prog} -o row /var/log/auth.log /etc/fail2ban/filter.d/sshd.conf
  {prog} '2024-05-01 10:00:00 x from 192.0.2.1' 'from <HOST>$'
  {prog} --format json /var/log/auth.log sshd | jq .host

Options:
  -c DIR, --config=DIR        configuration directory for filter names
                              (default /etc/fail2ban)
  -d PATTERN, --datepattern=PATTERN
                              date pattern instead of the default templates
                              (%Y-%m-%d %H:%M:%S, {{^LN-BEG}}, EPOCH, {{NONE}}, ...)
  --timezone=TZ, --TZ=TZ      zone for dates without one (UTC, UTC+0200, CET)
  -e ENC, --encoding=ENC      log encoding (UTF-8, latin-1, ascii; default UTF-8)
  -r, --raw                   keep host names as ids, never resolve them
  --usedns=MODE               yes | warn | no | raw (no: <HOST> matches addresses only)
  -L N, --maxlines=N          buffer N lines for multi-line regexes; also how many
                              missed/ignored lines the report lists (default 20)
  -m MATCH, --journalmatch=MATCH
                              journal matches (systemd-journal only)
  -l LEVEL, --log-level=LEVEL fail2ban log level (accepted, not used)
  -V                          print the fail2ban version f2b reproduces
  --version                   print 'fail2ban-regex <version>'
  -v, --verbose               more detail (repeatable): hits per regex with
                              address and time, prefregex groups, all templates
  --verbosity=N               set the verbosity level
  --verbose-date, --VD        show weight, pattern and regex of each date template
  -D, --debuggex              accepted; f2b prints no debuggex.com links
  --no-check-all              stop at the first failregex that matches a line
  -o FMT, --out=FMT           one line per failure instead of the report:
                              id, ip, msg, row (Python repr), a group name
                              (user, fid, ...) or a template like '<ip> <F-USER>'
  --print-no-missed           do not list missed lines
  --print-no-ignored          do not list ignored lines
  --print-all-matched         list all matched lines
  --print-all-missed          list all missed lines
  --print-all-ignored         list all ignored lines
  -t, --log-traceback, --full-traceback
                              accepted for compatibility
  --format=FORMAT             text (the report) or json: JSON Lines, one object
                              per line a failregex matched (see docs/json.md)
  --json                      same as --format=json
  -h, --help                  show this help

f2b also warns on stderr about what fail2ban-regex does silently: a last line
without a newline (never read), undecodable bytes, a regex that gave up on a
line after too much backtracking.
"
    )
}
