//! fail2ban-client's getopt-style options (`hc:s:p:xfbdtviqV` plus long
//! options), for the `fail2ban-client` name and `f2b client`.

use crate::client::{ClientOptions, DumpMode, run as run_client};
use crate::config::log::Level;
use crate::config::timestr::str2seconds;
use std::io::Write;

const USAGE: &str = "Usage: fail2ban-client [OPTIONS] <COMMAND>

f2b's fail2ban-client front end (configuration handling of fail2ban 1.0.2).

Options:
    -c, --conf <DIR>        configuration directory
    -s, --socket <FILE>     socket path
    -p, --pidfile <FILE>    pidfile path
    --loglevel <LEVEL>      logging level
    --logtarget <TARGET>    logging target
    --syslogsocket auto|<FILE>
    -d                      dump configuration. For debugging
    --dp, --dump-pretty     dump the configuration using more human readable representation
    -t, --test              test configuration
    -v                      increase verbosity
    -q                      decrease verbosity
    --str2sec <STRING>      convert time abbreviation format to seconds
    -h, --help              display this help message
    -V, --version           print the version (-V returns machine-readable short format)

Server commands (start, status, set, get, ...) are not implemented by f2b yet.
";

enum Parsed {
    Run(ClientOptions, Vec<String>, i32),
    Exit(i32),
}

fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut o = ClientOptions {
        conf: "/etc/fail2ban".into(),
        ..Default::default()
    };
    let mut verbose = 1;
    let mut i = 0;
    let takes = |c: char| matches!(c, 'c' | 's' | 'p');
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let with_value = [
                "loglevel",
                "logtarget",
                "syslogsocket",
                "conf",
                "pidfile",
                "pname",
                "socket",
                "timeout",
                "str2sec",
            ];
            let flags = ["test", "async", "help", "version", "dp", "dump-pretty"];
            let value = if with_value.contains(&name) {
                match inline {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        Some(
                            args.get(i)
                                .cloned()
                                .ok_or_else(|| format!("option --{name} requires argument"))?,
                        )
                    }
                }
            } else if flags.contains(&name) {
                None
            } else {
                return Err(format!("option --{name} not recognized"));
            };
            match name {
                "conf" => o.conf = value.unwrap_or_default(),
                "socket" => o.socket = value,
                "pidfile" => o.pidfile = value,
                "loglevel" => o.loglevel = value,
                "logtarget" => o.logtarget = value,
                "syslogsocket" => o.syslogsocket = value,
                "dp" | "dump-pretty" => o.dump = Some(DumpMode::Pretty),
                "test" => o.test = true,
                "help" => {
                    print!("{USAGE}");
                    return Ok(Parsed::Exit(0));
                }
                "version" => {
                    println!("Fail2Ban v1.0.2");
                    return Ok(Parsed::Exit(0));
                }
                "str2sec" => {
                    let v = value.unwrap_or_default();
                    return Ok(match str2seconds(&v) {
                        Ok(s) => {
                            println!("{}", s.python_str());
                            Parsed::Exit(0)
                        }
                        Err(e) => {
                            println!("ERROR: {e}");
                            // fail2ban has no log handler yet at this point:
                            // Python's last-resort handler prints the bare text.
                            eprintln!("Init of command line failed");
                            Parsed::Exit(255)
                        }
                    });
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        if let Some(shorts) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = shorts.chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                if takes(c) {
                    let rest: String = chars[k + 1..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("option -{c} requires argument"))?
                    };
                    match c {
                        'c' => o.conf = v,
                        's' => o.socket = Some(v),
                        _ => o.pidfile = Some(v),
                    }
                    break;
                }
                match c {
                    'd' => o.dump = Some(DumpMode::Plain),
                    't' => o.test = true,
                    'v' => verbose += 1,
                    'q' => verbose -= 1,
                    'x' | 'f' | 'b' | 'i' => {}
                    'h' => {
                        print!("{USAGE}");
                        return Ok(Parsed::Exit(0));
                    }
                    'V' => {
                        println!("1.0.2");
                        return Ok(Parsed::Exit(0));
                    }
                    _ => return Err(format!("option -{c} not recognized")),
                }
                k += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    Ok(Parsed::Run(o, args[i..].to_vec(), verbose))
}

/// Runs the front end; returns fail2ban-client's exit code.
pub fn run(_prog: &str, args: &[String]) -> i32 {
    let (opts, rest, verbose) = match parse(args) {
        Ok(Parsed::Run(o, r, v)) => (o, r, v),
        Ok(Parsed::Exit(code)) => return code,
        Err(_) => {
            print!("{USAGE}");
            eprintln!("Init of command line failed");
            return 255;
        }
    };
    if opts.dump.is_none() && !opts.test {
        eprintln!(
            "f2b: fail2ban-client server commands are not implemented; use -d, --dp, -t or --str2sec"
        );
        return 255;
    }
    if !rest.is_empty() && opts.dump.is_none() {
        eprintln!("f2b: server commands after -t are not implemented");
        return 255;
    }
    let outcome = run_client(&opts);
    let min = match verbose {
        v if v <= 0 => Level::Error,
        1 => Level::Warning,
        _ => Level::Info,
    };
    super::print_log(&outcome.store.log, min);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(outcome.stdout.as_bytes());
    let _ = out.flush();
    outcome.exit_code
}
