//! `f2b audit`: arguments, output formats, exit status.

use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use crate::audit::html;
use crate::audit::report::{AuditReport, duration};
use crate::audit::run::{AuditOptions, ConfigSource, audit};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Configuration tree whose enabled jails are replayed. Default:
    /// /etc/fail2ban when one of its jails reads the given logs (or no log
    /// is given), else f2b's built-in jails (Asterisk, sshd and recidive,
    /// with filters of our own).
    #[arg(
        short = 'c',
        long = "conf",
        value_name = "DIR",
        conflicts_with = "builtin"
    )]
    pub conf: Option<String>,
    /// Use the built-in jails even when /etc/fail2ban exists.
    #[arg(long)]
    pub builtin: bool,
    /// Replay only this jail (repeatable); a named jail runs even if disabled.
    #[arg(long = "jail", value_name = "NAME")]
    pub jails: Vec<String>,
    /// Read PATH for JAIL instead of its logpath (repeatable; rotated sets
    /// and .gz files are followed).
    #[arg(long = "log", value_name = "JAIL=PATH")]
    pub logs: Vec<String>,
    /// Logs for every replayed jail except those fed by fail2ban's own log
    /// (recidive). `messages` also reads `messages.1`, `messages.2.gz` …,
    /// oldest first.
    #[arg(value_name = "LOG")]
    pub positional: Vec<String>,
    /// Replay an ad hoc jail `audit` with this filter (a name from the
    /// configuration's filter.d, or a file), with --maxretry/--findtime/--bantime.
    #[arg(long, value_name = "NAME[params]")]
    pub filter: Option<String>,
    #[arg(long, value_name = "N", requires = "filter")]
    pub maxretry: Option<String>,
    #[arg(long, value_name = "TIME", requires = "filter")]
    pub findtime: Option<String>,
    /// Ban time of the ad hoc jail (`-1`: permanent).
    #[arg(
        long,
        value_name = "TIME",
        requires = "filter",
        allow_hyphen_values = true
    )]
    pub bantime: Option<String>,
    /// Replay again with one setting changed and report the difference:
    /// `maxretry=5`, `findtime=1h`, `bantime=1d`, optionally `@JAIL`.
    #[arg(long = "what-if", value_name = "KEY=VALUE[@JAIL]")]
    pub what_if: Vec<String>,
    /// Zone of log dates that carry none (default: the local zone).
    #[arg(long, value_name = "TZ")]
    pub tz: Option<String>,
    /// The moment of the audit, epoch seconds (reference for dates without
    /// a year; default: the newest log file's mtime).
    #[arg(long, value_name = "EPOCH")]
    pub now: Option<f64>,
    /// `text` (a summary), `json` (docs/audit.md), `csv` (the bans).
    #[arg(long, value_enum, default_value = "text")]
    pub format: AuditFormat,
    /// Also write a self-contained HTML report with charts.
    #[arg(long, value_name = "FILE")]
    pub html: Option<String>,
    /// How many offenders and slow attackers to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

fn ts(t: f64) -> String {
    html::utc(t)
}

/// The terminal summary.
pub fn text_summary(r: &AuditReport, source: &ConfigSource) -> String {
    let mut out = String::new();
    match source {
        ConfigSource::Tree(d) => out.push_str(&format!("Configuration: {d}\n")),
        ConfigSource::Builtin => out.push_str(
            "Configuration: f2b's built-in jails (asterisk, sshd, recidive; see docs/audit.md)\n",
        ),
    }
    if let Some((a, b)) = r.span {
        out.push_str(&format!(
            "Log time: {} to {} UTC ({})\n",
            ts(a),
            ts(b),
            duration(b - a)
        ));
    }
    out.push_str(
        "\nJail          lines   failures  addresses  bans  (maxretry/findtime/bantime)\n",
    );
    for j in &r.jails {
        out.push_str(&format!(
            "{:<12} {:>6} {:>10} {:>10} {:>5}  ({}/{}/{})\n",
            j.name,
            j.lines,
            j.failures,
            j.unique_ips,
            j.bans,
            j.maxretry,
            duration(j.findtime),
            duration(j.bantime)
        ));
    }
    if !r.offenders.is_empty() {
        out.push_str("\nTop offenders\n  address                        first seen (UTC)     last seen (UTC)      failures  bans  longest ban\n");
        for o in &r.offenders {
            out.push_str(&format!(
                "  {:<30} {}  {}  {:>8} {:>5}  {}\n",
                o.ip,
                ts(o.first_seen),
                ts(o.last_seen),
                o.failures,
                o.bans,
                if o.bans == 0 {
                    "-".to_string()
                } else {
                    duration(o.longest_ban)
                }
            ));
        }
    }
    if !r.slow.is_empty() {
        out.push_str(
            "\nSlow attackers (never reached maxretry within findtime)\n  jail         address                        failures  highest count\n",
        );
        for s in &r.slow {
            out.push_str(&format!(
                "  {:<12} {:<30} {:>8}  {}\n",
                s.jail, s.ip, s.failures, s.peak_retry
            ));
        }
    }
    if !r.what_if.is_empty() {
        out.push_str("\nWhat if\n");
        for w in &r.what_if {
            out.push_str(&format!(
                "  {} in [{}]: {} bans of {} addresses (now {} bans of {})\n",
                w.setting, w.jail, w.bans, w.unique_ips, w.baseline_bans, w.baseline_ips
            ));
        }
    }
    for w in &r.warnings {
        out.push_str(&format!("\nwarning: {w}"));
    }
    if !r.warnings.is_empty() {
        out.push('\n');
    }
    out
}

/// A progress bar on stderr when the logs are large (64 MiB or more, about
/// a second of work per replay) and stderr is a terminal; each replay
/// (the real one, then one per --what-if) runs it from the start.
fn progress_bar(
    opts: &AuditOptions,
) -> Option<(
    indicatif::ProgressBar,
    std::sync::Arc<crate::ban::replay::Progress>,
)> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let mut size = 0u64;
    let paths = opts
        .positional
        .iter()
        .chain(opts.logs.iter().map(|(_, p)| p));
    for p in paths {
        for f in crate::audit::input::rotated_set(std::path::Path::new(p)).ok()? {
            // A compressed file holds several times its size of log.
            let factor = if f.gzip { 8 } else { 1 };
            size += factor * std::fs::metadata(&f.path).map_or(0, |m| m.len());
        }
    }
    if size < 64 << 20 {
        return None;
    }
    let runs = 1 + opts.what_if.len();
    let what = if runs > 1 {
        format!("replaying ({runs} runs)")
    } else {
        "replaying".to_string()
    };
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(s) = indicatif::ProgressStyle::with_template(&format!(
        "{what} {{bar:40}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}}"
    )) {
        bar.set_style(s);
    }
    Some((
        bar,
        std::sync::Arc::new(crate::ban::replay::Progress::default()),
    ))
}

pub fn run(args: AuditArgs) -> i32 {
    let mut logs = Vec::new();
    for l in &args.logs {
        match l.split_once('=') {
            Some((j, p)) if !j.is_empty() && !p.is_empty() => {
                logs.push((j.to_string(), p.to_string()))
            }
            _ => {
                eprintln!("f2b audit: --log {l:?}: expected JAIL=PATH");
                return EXIT_USAGE;
            }
        }
    }
    for w in &args.what_if {
        if let Err(e) = crate::audit::run::parse_what_if(w) {
            eprintln!("f2b audit: {e}");
            return EXIT_USAGE;
        }
    }
    let opts = AuditOptions {
        conf: args.conf,
        builtin: args.builtin,
        jails: args.jails,
        logs,
        positional: args.positional,
        filter: args.filter,
        maxretry: args.maxretry,
        findtime: args.findtime,
        bantime: args.bantime,
        what_if: args.what_if,
        tz: args.tz,
        now: args.now,
        top: args.top,
        progress: None,
    };
    let mut opts = opts;
    let bar = progress_bar(&opts);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = bar.as_ref().map(|(bar, counter)| {
        opts.progress = Some(counter.clone());
        let (bar, counter, stop) = (bar.clone(), counter.clone(), stop.clone());
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering;
            while !stop.load(Ordering::Relaxed) {
                let total = counter.total.load(Ordering::Relaxed);
                let read = counter.read.load(Ordering::Relaxed);
                // Compressed logs have no known total: let the bar grow.
                bar.set_length(total.max(read));
                bar.set_position(read);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        })
    });
    let result = audit(&opts);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(t) = ticker {
        let _ = t.join();
    }
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("f2b audit: {e}");
            return EXIT_PROBLEMS;
        }
    };
    let r = &result.report;
    match args.format {
        AuditFormat::Text => print!("{}", text_summary(r, &result.source)),
        AuditFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&r.to_json()).expect("json")
        ),
        AuditFormat::Csv => print!("{}", r.bans_csv()),
    }
    if let Some(path) = &args.html {
        let page = html::render(r, "f2b audit");
        if let Err(e) = std::fs::write(path, page) {
            eprintln!("f2b audit: {path}: {e}");
            return EXIT_PROBLEMS;
        }
    }
    if args.format != AuditFormat::Text {
        for w in &r.warnings {
            eprintln!("f2b audit: warning: {w}");
        }
    }
    EXIT_OK
}
