//! fail2ban-regex's command line, parsed with Python optparse's rules:
//! `--opt=value` or `--opt value`, unique prefixes of long options, bundled
//! short flags, `-Lvalue`, options anywhere among the arguments, `--` to
//! end them. f2b adds `--format text|json` (`--json`).

use crate::config::value::py_int;

/// The parsed command line.
#[derive(Clone, Debug, Default)]
pub struct RegexArgs {
    pub config: Option<String>,
    pub datepattern: Option<String>,
    pub timezone: Option<String>,
    pub encoding: Option<String>,
    pub raw: bool,
    pub usedns: Option<String>,
    pub maxlines: i64,
    pub journalmatch: Option<String>,
    pub log_level: Option<String>,
    pub verbose: i64,
    pub verbose_date: bool,
    pub debuggex: bool,
    pub check_all: bool,
    pub out: Option<String>,
    pub print_no_missed: bool,
    pub print_no_ignored: bool,
    pub print_all_matched: bool,
    pub print_all_missed: bool,
    pub print_all_ignored: bool,
    pub log_traceback: bool,
    pub full_traceback: bool,
    /// f2b: `text` (fail2ban-regex's report) or `json` (JSON Lines).
    pub format: Format,
    pub positional: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Parsed {
    Run(Box<RegexArgs>),
    Help,
    Version,
    ShortVersion,
    /// An optparse error (`no such option`, …): printed after the usage
    /// line, exit code 2.
    Error(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Flag,
    Value,
    Int,
}

struct Spec {
    shorts: &'static [char],
    longs: &'static [&'static str],
    kind: Kind,
    dest: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        shorts: &[],
        longs: &["version"],
        kind: Kind::Flag,
        dest: "version",
    },
    Spec {
        shorts: &['h'],
        longs: &["help"],
        kind: Kind::Flag,
        dest: "help",
    },
    Spec {
        shorts: &['c'],
        longs: &["config"],
        kind: Kind::Value,
        dest: "config",
    },
    Spec {
        shorts: &['d'],
        longs: &["datepattern"],
        kind: Kind::Value,
        dest: "datepattern",
    },
    Spec {
        shorts: &[],
        longs: &["timezone", "TZ"],
        kind: Kind::Value,
        dest: "timezone",
    },
    Spec {
        shorts: &['e'],
        longs: &["encoding"],
        kind: Kind::Value,
        dest: "encoding",
    },
    Spec {
        shorts: &['r'],
        longs: &["raw"],
        kind: Kind::Flag,
        dest: "raw",
    },
    Spec {
        shorts: &[],
        longs: &["usedns"],
        kind: Kind::Value,
        dest: "usedns",
    },
    Spec {
        shorts: &['L'],
        longs: &["maxlines"],
        kind: Kind::Int,
        dest: "maxlines",
    },
    Spec {
        shorts: &['m'],
        longs: &["journalmatch"],
        kind: Kind::Value,
        dest: "journalmatch",
    },
    Spec {
        shorts: &['l'],
        longs: &["log-level"],
        kind: Kind::Value,
        dest: "log_level",
    },
    Spec {
        shorts: &['V'],
        longs: &[],
        kind: Kind::Flag,
        dest: "short_version",
    },
    Spec {
        shorts: &['v'],
        longs: &["verbose"],
        kind: Kind::Flag,
        dest: "verbose",
    },
    Spec {
        shorts: &[],
        longs: &["verbosity"],
        kind: Kind::Int,
        dest: "verbosity",
    },
    Spec {
        shorts: &[],
        longs: &["verbose-date", "VD"],
        kind: Kind::Flag,
        dest: "verbose_date",
    },
    Spec {
        shorts: &['D'],
        longs: &["debuggex"],
        kind: Kind::Flag,
        dest: "debuggex",
    },
    Spec {
        shorts: &[],
        longs: &["no-check-all"],
        kind: Kind::Flag,
        dest: "no_check_all",
    },
    Spec {
        shorts: &['o'],
        longs: &["out"],
        kind: Kind::Value,
        dest: "out",
    },
    Spec {
        shorts: &[],
        longs: &["print-no-missed"],
        kind: Kind::Flag,
        dest: "print_no_missed",
    },
    Spec {
        shorts: &[],
        longs: &["print-no-ignored"],
        kind: Kind::Flag,
        dest: "print_no_ignored",
    },
    Spec {
        shorts: &[],
        longs: &["print-all-matched"],
        kind: Kind::Flag,
        dest: "print_all_matched",
    },
    Spec {
        shorts: &[],
        longs: &["print-all-missed"],
        kind: Kind::Flag,
        dest: "print_all_missed",
    },
    Spec {
        shorts: &[],
        longs: &["print-all-ignored"],
        kind: Kind::Flag,
        dest: "print_all_ignored",
    },
    Spec {
        shorts: &['t'],
        longs: &["log-traceback"],
        kind: Kind::Flag,
        dest: "log_traceback",
    },
    Spec {
        shorts: &[],
        longs: &["full-traceback"],
        kind: Kind::Flag,
        dest: "full_traceback",
    },
    Spec {
        shorts: &[],
        longs: &["format"],
        kind: Kind::Value,
        dest: "format",
    },
    Spec {
        shorts: &[],
        longs: &["json"],
        kind: Kind::Flag,
        dest: "json",
    },
];

/// optparse's long-option lookup: exact, else a unique prefix.
fn match_long(name: &str) -> Result<&'static Spec, String> {
    let mut exact = None;
    let mut prefixed: Vec<(&'static str, &'static Spec)> = Vec::new();
    for spec in SPECS {
        for l in spec.longs {
            if *l == name {
                exact = Some(spec);
            } else if l.starts_with(name) {
                prefixed.push((l, spec));
            }
        }
    }
    if let Some(s) = exact {
        return Ok(s);
    }
    match prefixed.len() {
        0 => Err(format!("no such option: --{name}")),
        1 => Ok(prefixed[0].1),
        _ => {
            let mut names: Vec<String> = prefixed.iter().map(|(l, _)| format!("--{l}")).collect();
            names.sort();
            Err(format!(
                "ambiguous option: --{name} ({}?)",
                names.join(", ")
            ))
        }
    }
}

fn match_short(c: char) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.shorts.contains(&c))
}

/// Applies one option; `Some` ends parsing (help, version, error).
fn apply(a: &mut RegexArgs, spec: &Spec, shown: &str, value: Option<String>) -> Option<Parsed> {
    let int = |v: &str| -> Result<i64, Parsed> {
        py_int(v)
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| {
                Parsed::Error(format!(
                    "option {shown}: invalid integer value: {}",
                    crate::pyfmt::str_repr(v)
                ))
            })
    };
    let v = value.unwrap_or_default();
    match spec.dest {
        "version" => return Some(Parsed::Version),
        "help" => return Some(Parsed::Help),
        "short_version" => return Some(Parsed::ShortVersion),
        "config" => a.config = Some(v),
        "datepattern" => a.datepattern = Some(v),
        "timezone" => a.timezone = Some(v),
        "encoding" => a.encoding = Some(v),
        "raw" => a.raw = true,
        "usedns" => a.usedns = Some(v),
        "maxlines" => match int(&v) {
            Ok(n) => a.maxlines = n,
            Err(e) => return Some(e),
        },
        "journalmatch" => a.journalmatch = Some(v),
        "log_level" => a.log_level = Some(v),
        "verbose" => a.verbose += 1,
        "verbosity" => match int(&v) {
            Ok(n) => a.verbose = n,
            Err(e) => return Some(e),
        },
        "verbose_date" => a.verbose_date = true,
        "debuggex" => a.debuggex = true,
        "no_check_all" => a.check_all = false,
        "out" => a.out = Some(v),
        "print_no_missed" => a.print_no_missed = true,
        "print_no_ignored" => a.print_no_ignored = true,
        "print_all_matched" => a.print_all_matched = true,
        "print_all_missed" => a.print_all_missed = true,
        "print_all_ignored" => a.print_all_ignored = true,
        "log_traceback" => a.log_traceback = true,
        "full_traceback" => a.full_traceback = true,
        "format" => match v.as_str() {
            "text" => a.format = Format::Text,
            "json" => a.format = Format::Json,
            other => {
                return Some(Parsed::Error(format!(
                    "option --format: invalid choice: {} (choose from 'text', 'json')",
                    crate::pyfmt::str_repr(other)
                )));
            }
        },
        "json" => a.format = Format::Json,
        _ => unreachable!("every spec has a handler"),
    }
    None
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Parsed {
    let mut a = RegexArgs {
        check_all: true,
        ..Default::default()
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            a.positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = match match_long(name) {
                Ok(s) => s,
                Err(e) => return Parsed::Error(e),
            };
            let shown = format!(
                "--{}",
                spec.longs
                    .iter()
                    .find(|l| l.starts_with(name))
                    .unwrap_or(&name)
            );
            let value = if spec.kind == Kind::Flag {
                if inline.is_some() {
                    return Parsed::Error(format!("{shown} option does not take a value"));
                }
                None
            } else if inline.is_some() {
                inline
            } else if i < args.len() {
                i += 1;
                Some(args[i - 1].clone())
            } else {
                return Parsed::Error(format!("{shown} option requires 1 argument"));
            };
            if let Some(p) = apply(&mut a, spec, &shown, value) {
                return p;
            }
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let Some(spec) = match_short(c) else {
                    return Parsed::Error(format!("no such option: -{c}"));
                };
                let shown = format!("-{c}");
                let value = if spec.kind == Kind::Flag {
                    None
                } else if j < chars.len() {
                    let v: String = chars[j..].iter().collect();
                    j = chars.len();
                    Some(v)
                } else if i < args.len() {
                    i += 1;
                    Some(args[i - 1].clone())
                } else {
                    return Parsed::Error(format!("{shown} option requires 1 argument"));
                };
                if let Some(p) = apply(&mut a, spec, &shown, value) {
                    return p;
                }
            }
            continue;
        }
        a.positional.push(arg.clone());
    }
    Parsed::Run(Box::new(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> RegexArgs {
        match parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()) {
            Parsed::Run(a) => *a,
            other => panic!("{other:?}"),
        }
    }

    fn err(args: &[&str]) -> String {
        match parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()) {
            Parsed::Error(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn optparse_forms() {
        let a = run(&[
            "-rvv",
            "-L2",
            "--print-all-mi",
            "log",
            "--out=row",
            "re",
            "-c",
            "/x",
        ]);
        assert!(a.raw);
        assert_eq!(a.verbose, 2);
        assert_eq!(a.maxlines, 2);
        assert!(a.print_all_missed);
        assert_eq!(a.out.as_deref(), Some("row"));
        assert_eq!(a.config.as_deref(), Some("/x"));
        assert_eq!(a.positional, vec!["log", "re"]);
        assert_eq!(
            run(&["--VD", "--TZ", "UTC", "a", "b"]).timezone.as_deref(),
            Some("UTC")
        );
        assert_eq!(run(&["--", "-x", "b"]).positional, vec!["-x", "b"]);
    }

    #[test]
    fn optparse_errors_match_python() {
        assert_eq!(err(&["--bogus"]), "no such option: --bogus");
        assert_eq!(
            err(&["--print"]),
            "ambiguous option: --print (--print-all-ignored, --print-all-matched, --print-all-missed, --print-no-ignored, --print-no-missed?)"
        );
        assert_eq!(err(&["-L", "x"]), "option -L: invalid integer value: 'x'");
        assert_eq!(err(&["-Q"]), "no such option: -Q");
    }
}
