//! The configuration side of `fail2ban-client`: `-d` (dump), `--dp` and
//! `-t` (test), reproducing its output and exit status.

use crate::Map;
use crate::config::error::ConfigError;
use crate::config::general::{check_log_level, early_options, general_options, general_stream};
use crate::config::jail::{Jail, read_jails};
use crate::config::log::Level;
use crate::config::parser::CfgParser;
use crate::config::store::Store;
use crate::config::stream::jails_stream;
use crate::config::value::OptValue;
use crate::pyfmt::{PyValue, pformat};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpMode {
    /// `-d`: one `repr` per line.
    Plain,
    /// `--dp`: `pprint.pformat(width=1000, indent=2)`.
    Pretty,
}

#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub conf: String,
    pub dump: Option<DumpMode>,
    pub test: bool,
    pub socket: Option<String>,
    pub pidfile: Option<String>,
    pub loglevel: Option<String>,
    pub logtarget: Option<String>,
    pub syslogsocket: Option<String>,
    /// Jail files read after the tree's own (`f2b lint -c DIR jail.local`).
    pub extra_jail_files: Vec<String>,
}

/// Everything one run produced.
pub struct ClientOutcome {
    /// What fail2ban-client prints on stdout.
    pub stdout: String,
    pub exit_code: i32,
    /// The store: sources and log records (stderr).
    pub store: Store,
    /// The command stream, when the configuration could be converted.
    pub stream: Option<Vec<PyValue>>,
    /// The jails as read (for JSON output and diagnostics).
    pub jails: Vec<Jail>,
    /// The fatal error that stopped reading, if any.
    pub fatal: Option<ConfigError>,
}

struct ReadResult {
    ok: bool,
    stream: Option<Vec<PyValue>>,
    jails: Vec<Jail>,
    fatal: Option<ConfigError>,
}

fn read_config(
    store: &mut Store,
    f2b_cfg: &mut Option<crate::config::store::NamedConfig>,
    main_opts: &Map<String, OptValue>,
    opts: &ClientOptions,
) -> ReadResult {
    let mut jails = Vec::new();
    let result = (|| -> Result<(bool, Vec<PyValue>), ConfigError> {
        store.reload();
        if f2b_cfg.is_none() {
            *f2b_cfg = Some(store.read_named_fresh("fail2ban")?);
        }
        let jail_cfg = store.read_named_fresh("jail")?;
        let mut jail_parser: CfgParser = jail_cfg.parser;
        let general = general_options(store, f2b_cfg.as_ref().expect("read above"), main_opts)?;
        let read = read_jails(store, &mut jail_parser, None, !opts.test, false)?;
        jails = read.jails;
        let mut stream = general_stream(&general);
        stream.extend(jails_stream(store, &mut jails, opts.dump.is_some())?);
        Ok((read.ok, stream))
    })();
    match result {
        Ok((ok, stream)) => ReadResult {
            ok,
            stream: Some(stream),
            jails,
            fatal: None,
        },
        Err(e) => {
            store.log.push(
                Level::Error,
                "fail2ban",
                format!("Failed during configuration: {}", e.message),
                e.loc,
            );
            ReadResult {
                ok: false,
                stream: None,
                jails,
                fatal: Some(e),
            }
        }
    }
}

/// Runs fail2ban-client's configuration handling for `-d`/`--dp`/`-t`.
pub fn run(opts: &ClientOptions) -> ClientOutcome {
    let mut store = Store::new(&opts.conf);
    store.extra_jail_files = opts.extra_jail_files.clone();
    let mut stdout = String::new();
    let mut f2b_cfg = None;
    let mut main_opts: Map<String, OptValue> = Map::default();
    let given = [
        ("socket", &opts.socket),
        ("pidfile", &opts.pidfile),
        ("logtarget", &opts.logtarget),
        ("loglevel", &opts.loglevel),
        ("syslogsocket", &opts.syslogsocket),
    ];
    for (k, v) in &given {
        if let Some(v) = v {
            main_opts.insert(k.to_string(), OptValue::str(v.as_str()));
        }
    }

    let fail = |mut store: Store, stdout: String, fatal: Option<ConfigError>| {
        store.log.push(
            Level::Error,
            "fail2ban",
            "Init of command line failed".into(),
            None,
        );
        ClientOutcome {
            stdout,
            exit_code: 255,
            store,
            stream: None,
            jails: vec![],
            fatal,
        }
    };

    if given.iter().any(|(_, v)| v.is_none()) {
        let early = store.read_named_fresh("fail2ban").and_then(|cfg| {
            let e = early_options(&mut store, &cfg)?;
            Ok((cfg, e))
        });
        match early {
            Ok((cfg, early)) => {
                for (k, v) in given {
                    if v.is_none() {
                        if let Some(ev) = early.get(k) {
                            main_opts.insert(k.to_string(), ev.clone());
                        }
                    }
                }
                f2b_cfg = Some(cfg);
            }
            Err(e) => {
                stdout.push_str(&format!("ERROR: {}\n", e.message));
                return fail(store, stdout, Some(e));
            }
        }
    }
    if let Some(level) = main_opts.get("loglevel") {
        if let Err(m) = check_log_level(level) {
            stdout.push_str(&format!("ERROR: {m}\n"));
            return fail(store, stdout, Some(ConfigError::fatal(m, None)));
        }
    }
    // Only these overlay the general options (fail2ban merges its whole
    // command-line dict, but only ranked keys reach the stream).
    let overlay: Map<String, OptValue> = main_opts
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "loglevel" | "logtarget" | "syslogsocket"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    // Read once: with both -d and -t fail2ban dumps, then tests the same read.
    let r = read_config(&mut store, &mut f2b_cfg, &overlay, opts);
    if let Some(mode) = opts.dump {
        match &r.stream {
            Some(stream) => {
                for cmd in stream {
                    match mode {
                        DumpMode::Plain => stdout.push_str(&cmd.repr()),
                        DumpMode::Pretty => stdout.push_str(&pformat(cmd, 1000, 2)),
                    }
                    stdout.push('\n');
                }
            }
            None => stdout.push_str(
                "ERROR: The configuration stream failed because of the invalid syntax.\n",
            ),
        }
    }
    // What fail2ban logs when the run fails: -t reports its own verdict,
    // -d alone fails its command-line init; f2b's own reads log nothing.
    let failure_log = if opts.test {
        Some("ERROR: test configuration failed")
    } else if opts.dump.is_some() {
        Some("Init of command line failed")
    } else {
        None
    };
    if !r.ok {
        if let Some(msg) = failure_log {
            store.log.push(Level::Error, "fail2ban", msg.into(), None);
        }
    } else if opts.test {
        stdout.push_str("OK: configuration test is successful\n");
    }
    ClientOutcome {
        stdout,
        exit_code: if r.ok { 0 } else { 255 },
        store,
        stream: r.stream,
        jails: r.jails,
        fatal: r.fatal,
    }
}
