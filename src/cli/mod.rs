//! The command line: `f2b <command>`, or fail2ban-client's own options when
//! the binary is invoked as `fail2ban-client`.
//!
//! Exit codes of f2b's own commands: 0 success, 1 the configuration has
//! errors, 2 bad usage. The fail2ban-client front end keeps fail2ban's codes
//! (0 and 255).

mod audit;
mod check;
mod client_args;
mod dump;
mod lint;

pub use check::diagnostics as check_diagnostics;

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;

/// The fail2ban version f2b reproduces.
pub const FAIL2BAN_VERSION: &str = "1.0.2";

pub const EXIT_OK: i32 = 0;
pub const EXIT_PROBLEMS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "f2b",
    version,
    about = "A Rust toolchain that speaks fail2ban",
    long_about = "f2b reads real fail2ban configuration trees (jail.conf, jail.local, jail.d/, \
filter.d/, action.d/) and resolves them exactly as fail2ban 1.0.2 does.\n\n\
Examples:\n  \
f2b dump -c /etc/fail2ban             # the command stream fail2ban-client -d prints\n  \
f2b dump -c /etc/fail2ban --format json\n  \
f2b check -c /etc/fail2ban            # fail2ban-client -t, with pointed diagnostics\n  \
f2b client -c /etc/fail2ban -d        # fail2ban-client's own options and exit codes\n  \
f2b regex /var/log/auth.log sshd      # fail2ban-regex, same report and -o rows\n  \
f2b lint -c /etc/fail2ban             # lint jails, filters and actions (rules: f2b lint --list-rules)\n  \
f2b audit /var/log/asterisk/messages  # replay the jails over history: attackers and bans\n\n\
Installed or symlinked as `fail2ban-client` or `fail2ban-regex`, the binary accepts \
that program's options.",
    after_long_help = "Exit codes: 0 success; 1 the configuration has problems (dump: fail2ban-client would \
exit 255; check: fail2ban rejects it or f2b found an error; lint: an error finding; audit: the replay \
could not run); 2 bad usage. `f2b client` keeps \
fail2ban-client's codes (0 and 255), `f2b regex` fail2ban-regex's (0, 2 and 255)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the command stream `fail2ban-client -d` would send to the server.
    ///
    /// The text output is byte-identical to fail2ban-client 1.0.2; fail2ban's
    /// warnings go to stderr in its log format. `--format json` prints the
    /// resolved model (jails, options, filters, actions) and the stream.
    ///
    /// Example: f2b dump -c compat-fixtures/founding-setup
    Dump {
        /// Configuration directory (like fail2ban-client -c).
        #[arg(
            short = 'c',
            long = "conf",
            default_value = "/etc/fail2ban",
            value_name = "DIR"
        )]
        conf: String,
        /// Pretty-print like `fail2ban-client --dp`.
        #[arg(long)]
        pretty: bool,
        /// `text`: the stream as fail2ban prints it; `json`: the resolved model
        /// (see docs/json.md).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Test a configuration like `fail2ban-client -t`, explaining each problem.
    ///
    /// Prints fail2ban's verdict plus one diagnostic per problem with
    /// file:line:column, the offending text underlined and a hint.
    /// The last stdout line is fail2ban's own verdict. Exit code 0 when
    /// fail2ban accepts the configuration and f2b found no error; 1 when
    /// fail2ban rejects it or when f2b found an error fail2ban only logs
    /// (a file that is not UTF-8, a file that cannot be read).
    ///
    /// Example: f2b check -c /etc/fail2ban
    Check {
        /// Configuration directory (like fail2ban-client -c).
        #[arg(
            short = 'c',
            long = "conf",
            default_value = "/etc/fail2ban",
            value_name = "DIR"
        )]
        conf: String,
        /// Like dump: missing log files are not errors.
        #[arg(long)]
        allow_missing_logs: bool,
        /// Also show notes (defaults fail2ban.conf leaves to fail2ban).
        #[arg(short, long)]
        verbose: bool,
        /// `text`: diagnostics for people on stderr, the verdict on stdout;
        /// `json`: one document on stdout (see docs/json.md).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Test a filter against a log, like fail2ban-regex (same report, same `-o` rows).
    ///
    /// `f2b regex [OPTIONS] LOG REGEX [IGNOREREGEX]` takes every option of
    /// fail2ban-regex 1.0.2; `f2b regex --help` explains them. Installed or
    /// symlinked as `fail2ban-regex`, the binary behaves as this command.
    ///
    /// Example: f2b regex -c compat-fixtures/founding-setup /var/log/asterisk/messages asterisk
    #[command(disable_help_flag = true)]
    Regex {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Lint filter, action and jail files: injection, dead patterns, misspelled options …
    ///
    /// With `-c DIR` (default /etc/fail2ban) the tree's jails and every file of
    /// filter.d and action.d are linted; PATHs lint single files. Output for
    /// people, or `--format json|sarif|github` for CI. Exit code 0 when no
    /// error was found (and no warning with --deny-warnings), 1 otherwise,
    /// 2 on bad usage. Rules: `f2b lint --list-rules`, `--explain F2B105`,
    /// docs/rules/.
    ///
    /// Examples:
    ///   f2b lint -c /etc/fail2ban
    ///   f2b lint filter.d/asterisk-custom.conf --format sarif > lint.sarif
    ///   f2b lint -c /etc/fail2ban jail.d/custom.local --select F2B2 --deny-warnings
    #[command(verbatim_doc_comment)]
    Lint(lint::LintArgs),
    /// Replay jails over historical logs: who attacked, who would have been banned, and when.
    ///
    /// The enabled jails of a configuration (or f2b's built-in Asterisk, sshd
    /// and recidive jails when there is none) run over the logs on the logs'
    /// own clock, with fail2ban's failure counting, bans, bantime.increment
    /// and recidive. Prints a summary, `--format json|csv`, and with
    /// `--html FILE` a report with charts. Exit 0 when the replay ran, 1 when
    /// it could not (bad configuration, unreadable log), 2 on bad usage.
    /// See docs/audit.md.
    ///
    /// Examples:
    ///   f2b audit /var/log/asterisk/messages          # built-in jails, rotated files too
    ///   f2b audit -c /etc/fail2ban --jail asterisk --log asterisk=/var/log/asterisk/messages
    ///   f2b audit --filter sshd --maxretry 3 --findtime 1h --bantime 1d /var/log/auth.log
    ///   f2b audit messages --what-if maxretry=5 --html report.html
    #[command(verbatim_doc_comment)]
    Audit(audit::AuditArgs),
    /// fail2ban-client's command line: `-c DIR -d`, `--dp`, `-t`, `--str2sec`.
    ///
    /// Same output and exit status as fail2ban-client 1.0.2. Server commands
    /// (status, set, get, …) are not implemented yet.
    #[command(disable_help_flag = true)]
    Client {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Entry point; returns the process exit code.
pub fn main(argv: Vec<OsString>) -> i32 {
    let prog = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if prog == "fail2ban-client" {
        let args: Vec<String> = argv[1..]
            .iter()
            .map(|a| a.to_string_lossy().to_string())
            .collect();
        return client_args::run(&prog, &args);
    }
    if prog == "fail2ban-regex" {
        let args: Vec<String> = argv
            .iter()
            .map(|a| a.to_string_lossy().to_string())
            .collect();
        return run_regex(args);
    }
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Dump {
            conf,
            pretty,
            format,
        } => dump::run(&conf, pretty, format),
        Command::Check {
            conf,
            allow_missing_logs,
            verbose,
            format,
        } => check::run(&conf, allow_missing_logs, verbose, format),
        Command::Lint(args) => lint::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Client { args } => client_args::run("fail2ban-client", &args),
        Command::Regex { args } => {
            let mut argv = vec!["f2b regex".to_string()];
            argv.extend(args);
            run_regex(argv)
        }
    }
}

fn run_regex(argv: Vec<String>) -> i32 {
    let stdout = Box::new(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout(),
    ));
    crate::regextool::run(&argv, stdout, &mut std::io::stderr())
}

/// Writes fail2ban-style log lines to stderr.
pub(crate) fn print_log(log: &crate::config::log::Log, min: crate::config::log::Level) {
    let now = jiff::ZonedDateTime::now();
    let ts = format!(
        "{},{:03}",
        now.strftime("%Y-%m-%d %H:%M:%S"),
        now.millisecond()
    );
    eprint!("{}", log.render(min, &ts, std::process::id()));
}
