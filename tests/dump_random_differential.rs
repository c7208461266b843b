//! Randomized differential test: small generated configuration trees full of
//! fail2ban's tricky constructs, compared between `f2b client` and the
//! installed `fail2ban-client` 1.0.2 (`-d`, `-t`, and `--dp` on some cases).
//!
//! stdout must be byte-identical, exit codes equal, and stderr equal once
//! timestamps and pids are masked (see tests/common).
//!
//! Knobs (environment):
//! * `F2B_RANDOM_CASES`  number of generated cases (default 60)
//! * `F2B_RANDOM_SEED`   base seed; case `i` uses seed `base + i` (default 0x5eed)
//! * `F2B_RANDOM_JOBS`   parallel workers (default: available parallelism)
//! * `F2B_RANDOM_SHOW`   failing cases printed in full (default 5; the rest as a one-line summary)
//! * `F2B_RANDOM_KEEP`   directory where every failing tree is copied (`seed-N/`)
//! * `F2B_RANDOM_KEEP_ALL` also copy the trees that do not differ
//! * `F2B_RANDOM_PRETTY` compare `--dp` on every case (default: ~30% of them)
//! * `F2B_RANDOM_AVOID`  `|`-separated strings: a case with a file containing
//!   one is replaced by the case of seed `seed + k·2^32` (to look past an
//!   already known divergence)
//!
//! Below the random test, every divergence it found is pinned as a minimal
//! deterministic regression test named after the behaviour.

mod common;

/// A failing random case: seed, differences, the tree's files.
type Failure = (u64, Vec<String>, Vec<(String, Vec<u8>)>);
/// A named regression variant: label, files, modes to compare.
type Variant<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [&'a [&'a str]]);

use common::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

// ---------------------------------------------------------------------------
// PRNG (xorshift64, seeded through splitmix64 so neighbouring seeds differ)
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p` percent.
    fn pct(&mut self, p: u32) -> bool {
        (self.next() % 100) < u64::from(p)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

// ---------------------------------------------------------------------------
// A tiny INI model rendered with random (but legal unless asked) formatting
// ---------------------------------------------------------------------------

enum Entry {
    Section(String),
    /// key, value lines (the first one goes on the key line)
    Kv(String, Vec<String>),
    Raw(String),
}

#[derive(Default)]
struct Ini {
    entries: Vec<Entry>,
}

impl Ini {
    fn section(&mut self, name: &str) {
        self.entries.push(Entry::Section(name.to_string()));
    }

    /// Adds `key = value` unless the current section of this file already has
    /// the key (duplicates inside one file are fatal; see `kv_dup`).
    fn kv(&mut self, key: &str, value: &str) {
        let current = self
            .entries
            .iter()
            .rev()
            .take_while(|e| !matches!(e, Entry::Section(_)));
        let lower = key.to_lowercase();
        let exists = current
            .into_iter()
            .any(|e| matches!(e, Entry::Kv(k, _) if k.to_lowercase() == lower));
        if !exists {
            self.kv_dup(key, value);
        }
    }

    fn has_section(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e, Entry::Section(s) if s == name))
    }

    fn kv_dup(&mut self, key: &str, value: &str) {
        self.entries.push(Entry::Kv(
            key.to_string(),
            value.split('\n').map(str::to_string).collect(),
        ));
    }

    fn raw(&mut self, line: &str) {
        self.entries.push(Entry::Raw(line.to_string()));
    }

    fn render(&self, rng: &mut Rng) -> String {
        let mut out = String::new();
        if rng.pct(3) {
            out.push_str("# generated\n; by dump_random_differential\n\n");
        }
        for e in &self.entries {
            match e {
                Entry::Section(name) => {
                    if !out.is_empty() && rng.pct(70) {
                        out.push('\n');
                    }
                    let deco = match rng.below(40) {
                        0 => " ; section comment",
                        1 => "  # trailing junk",
                        2 => "\t",
                        _ => "",
                    };
                    let _ = writeln!(out, "[{name}]{deco}");
                }
                Entry::Raw(line) => {
                    out.push_str(line);
                    out.push('\n');
                }
                Entry::Kv(key, lines) => {
                    let key = match rng.below(30) {
                        0 => upper_first(key),
                        1 => key.to_uppercase(),
                        _ => key.clone(),
                    };
                    let sep = match rng.below(20) {
                        0 => "=",
                        1 => ": ",
                        2 => " : ",
                        3 => "\t=\t",
                        4 => " =  ",
                        _ => " = ",
                    };
                    // Rarely indent a key line: after another key this makes it
                    // a continuation of the previous value.
                    let lead = if rng.below(300) == 0 { " " } else { "" };
                    let first = &lines[0];
                    let trail = if rng.pct(4) {
                        rng.pick(&[" ", "\t", "  "])
                    } else {
                        ""
                    };
                    if first.is_empty() {
                        let _ = writeln!(out, "{lead}{key}{}{trail}", sep.trim_end());
                    } else {
                        let _ = writeln!(out, "{lead}{key}{sep}{first}{trail}");
                    }
                    let indent = match rng.below(24) {
                        0 => "\t",
                        1 => " ",
                        2 => " \t",
                        3 => "\u{a0}\u{a0}",
                        4 => "        ",
                        _ => "    ",
                    };
                    for line in &lines[1..] {
                        match rng.below(30) {
                            0 => out.push('\n'),
                            1 => out.push_str("# comment inside a value\n"),
                            2 => {
                                let _ = writeln!(out, "{indent}; indented comment");
                            }
                            3 => out.push_str("   \n"),
                            _ => {}
                        }
                        if line.is_empty() {
                            out.push('\n');
                        } else {
                            let _ = writeln!(out, "{indent}{line}");
                        }
                    }
                    if rng.pct(3) {
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}

/// Long values (for `--dp`'s wrapping at width 1000): many lines, or one
/// long line with or without spaces, sometimes with quotes.
fn long_text(rng: &mut Rng, head: &str) -> String {
    let words = [
        "alpha",
        "b'c",
        "d\"e",
        "<HOST>",
        "x",
        "\\d+",
        "quite-a-long-word-here",
        "caf\u{e9}",
    ];
    match rng.below(3) {
        0 => (0..rng.range(20, 60))
            .map(|i| format!("{head}{i} {}", rng.pick(&words)))
            .collect::<Vec<_>>()
            .join("\n"),
        1 => {
            let mut v = head.to_string();
            while v.len() < rng.range(900, 2600) {
                v.push_str(rng.pick(&words));
                v.push(' ');
            }
            v.trim_end().to_string()
        }
        _ => {
            let mut v = head.trim_end().to_string();
            while v.len() < 1500 {
                v.push_str(rng.pick(&words));
            }
            v
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// The generated case
// ---------------------------------------------------------------------------

/// A generated tree: files relative to the config dir. `{LOGS}` and `{CONF}`
/// in contents are replaced by the log dir and the config dir when written.
struct Case {
    seed: u64,
    files: Vec<(String, Vec<u8>)>,
    /// Also compare `--dp`.
    pretty: bool,
    /// Pass the config dir with a trailing slash.
    slash: bool,
}

const FILTERS: &[&str] = &["f1", "f2", "sshd", "web-a"];
const ACTIONS: &[&str] = &["a1", "a2", "a3"];
const JAILS: &[&str] = &[
    "j1",
    "sshd",
    "web-a",
    "J2",
    "f1",
    "mail.x",
    "j 3",
    "a1",
    "default",
    "j\u{e4}il",
    "Definition",
    "Init",
    "j'q",
    "j\"q",
    "j%1",
    "j\\b",
    "web-a?family=inet6",
];

struct Gen {
    rng: Rng,
    files: Vec<(String, Vec<u8>)>,
    filters: Vec<&'static str>,
    actions: Vec<&'static str>,
    jails: Vec<&'static str>,
    /// Whether this case may contain a construct that is fatal for the whole
    /// configuration (kept rare so that it does not hide everything else).
    chaos: bool,
}

impl Gen {
    fn add(&mut self, path: &str, ini: &Ini) {
        // `J0`: another section of this case (the first jail)
        let mut text = ini
            .render(&mut self.rng)
            .replace("%(J0/", &format!("%({}/", self.jails[0]));
        if self.rng.pct(5) {
            text = text.replace('\n', "\r\n");
        }
        self.files.push((path.to_string(), text.into_bytes()));
    }

    fn add_raw(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.push((path.to_string(), bytes));
    }

    fn boolean(&mut self, mostly_true: bool) -> String {
        let t = ["true", "1", "on", "Yes", "TRUE", "true ; yes it is", "yes"];
        let f = [
            "false",
            "ture",
            "0",
            "no",
            "off",
            "true # really",
            "enabled",
            "yes\nno",
            "",
        ];
        if mostly_true == self.rng.pct(85) {
            self.rng.pick(&t).to_string()
        } else {
            self.rng.pick(&f).to_string()
        }
    }

    fn int(&mut self) -> String {
        if self.rng.pct(50) {
            return self.rng.pick(&["3", "5", "10", "1"]).to_string();
        }
        self.rng
            .pick(&[
                "3",
                "3",
                "5",
                "10",
                "3x",
                " 3",
                "+3",
                "-1",
                "1_0",
                "0x1",
                "3.0",
                "\u{663}",
                "\u{b2}",
                "99999999999999999999",
                "%(default_maxretry)s",
                "007",
                "1__0",
                "",
                "%(default/maxretry)s",
                "%(Default/maxretry)s",
                "%(J0/maxretry)s",
                "%(KNOWN/maxretry)s",
                "\t4",
                "1\u{a0}",
                "\u{ff13}",
            ])
            .to_string()
    }

    fn time(&mut self) -> String {
        if self.rng.pct(50) {
            return self.rng.pick(&["10m", "1h", "600", "1d"]).to_string();
        }
        self.rng
            .pick(&[
                "10m",
                "1h",
                "600",
                "%(bantime_base)s*2",
                "%(Bantime_Base)s",
                "%(__NAME__)s",
                "1d 2h",
                "-1",
                "%(known/bantime)s",
                "5 ; minutes",
                "%(default/bantime)s",
                "%(J0/bantime)s",
                "%(Known/bantime)s",
                "%%(bantime)s",
                "%(__name__)s",
            ])
            .to_string()
    }

    fn logpath(&mut self) -> String {
        let one = |rng: &mut Rng| -> &'static str {
            rng.pick(&[
                "{LOGS}/a.log",
                "{LOGS}/a.log",
                "{LOGS}/b.log tail",
                "{LOGS}/a.log head",
                "{LOGS}/a.log  tail",
                "{LOGS}/c.log bogus",
                "{LOGS}/missing.log",
                "{LOGS}/*.log",
                "{LOGS}/[ab].log",
                "{LOGS}/?.log",
                "{LOGS}/*",
                "{LOGS}/sub/*.log",
                "{LOGS}/**/*.log",
                "{LOGS}/.hidden.log",
                "{LOGS}/dangling.log",
                "{LOGS}/a b.log",
                "{LOGS}/a.log # comment",
                "%(logdir)s/b.log",
                "relative-missing.log",
                "{LOGS}/[z].log",
                "{LOGS}/[!a].log",
                "{LOGS}/[a-c].log",
                "{LOGS}/[a-cz-x].log",
                "{LOGS}/[!z-a].log",
                "{LOGS}/[a--].log",
                "{LOGS}/[]a].log",
                "{LOGS}/s*/d.log",
                "{LOGS}/*/*.log",
                "{LOGS}/[.hidden.log",
                "{LOGS}/sub/",
                "{LOGS}/*/",
                "{LOGS}/.*",
                "{LOGS}//a.log",
                "{LOGS}/a.log\ttail",
                "{LOGS}/sub/../a.log",
                "%(J0/logpath)s",
            ])
        };
        let n = if self.rng.pct(25) {
            self.rng.range(2, 3)
        } else {
            1
        };
        let mut v: Vec<&str> = (0..n).map(|_| one(&mut self.rng)).collect();
        if self.rng.pct(4) {
            v.insert(0, "");
        }
        v.join("\n")
    }

    fn filter_ref(&mut self, jail: &str) -> String {
        let f = if self.rng.pct(90) {
            self.rng.pick(&self.filters.clone())
        } else {
            self.rng.pick(FILTERS)
        };
        match self.rng.below(50) {
            0 => format!("{f}[mode=aggressive]"),
            1 => format!("{f}[mode=\"a,b\"]"),
            2 => format!("{f}[mode='x y', extra=1][logtype=journal]"),
            3 => "%(__name__)s".into(),
            4 => "%(__name__)s[mode=%(mode)s]".into(),
            5 => "missing-filter".into(),
            6 => format!("{f}[mode=x"),
            7 => format!("{f}[=x]"),
            8 => format!("{f}[a=\"1\"x]"),
            9 => String::new(),
            10 => format!("{f} [mode=normal]"),
            11 => format!("../filter.d/{f}"),
            12 => format!("{f}[mode=ddos, maxlines=3]"),
            13 => format!("{f}[logtype=journal]"),
            14 => format!("{f}[journalmatch=\"_COMM=x\"]"),
            15 => format!("{f}[failregex=\"^param <HOST>$\"]"),
            16 if jail != "sshd" => "sshd".into(),
            17 => format!("{f}[mode=<known/mode>]"),
            18 => format!("{f}\n{f}"),
            19 => format!("{f}[mode=\"\u{e9}\"]"),
            20 => format!("{f}[mode=normal] "),
            21 => format!("{f}[mode=normal,]"),
            22 => format!("{f}[ mode = normal ]"),
            23 => format!("{f}[m\u{b2}de=normal]"),
            24 => format!("{f}[mod\u{e9}=normal, mode=aggressive]"),
            25 => format!("./{f}"),
            _ => f.to_string(),
        }
    }

    fn action_token(&mut self) -> String {
        let a = if self.rng.pct(90) && !self.actions.is_empty() {
            self.rng.pick(&self.actions.clone())
        } else {
            self.rng.pick(ACTIONS)
        };
        match self.rng.below(50) {
            0 => format!("{a}[name=%(__name__)s-tcp]"),
            1 => format!("{a}[name=other]"),
            2 => format!("{a}[actname=custom, port=\"%(port)s\", protocol=%(protocol)s]"),
            3 => format!("{a}[port=\"1,2\"][protocol=udp]"),
            4 => format!("{a}[k='x y', k2=\"a]b\"]"),
            5 => "%(banaction)s".into(),
            6 => "%(action_)s".into(),
            7 => "pyact.py".into(),
            8 => "pyact.py[actname=px, k=1, b=\"x,y\"]".into(),
            9 => "missing-act".into(),
            10 => format!("{a}[bad"),
            11 => format!("{a}[a=1]x"),
            12 => format!(
                "{a}[name=%(__name__)s, port=\"%(port)s\", protocol=\"%(protocol)s\", chain=\"%(chain)s\"]"
            ),
            13 => format!("{a}[port=22,\n     protocol=tcp]"),
            14 => format!("{a}[timeout=5, bantime=1]"),
            15 => format!("{a}[blocktype=DROP]"),
            16 => format!("{a}[actionban=\"echo param <ip>\"]"),
            17 => format!("{a}[name=\"quoted name\"]"),
            18 => "sub/pyact.py[actname=\"\"]".into(),
            19 => format!("{a}[port=<known/port>]"),
            20 => "pyact.py[k=\"\u{fc}\", q='a\"b', bs=\\d, n=\"\"]".into(),
            21 => format!("{a}[name=%(__name__)s]"),
            22 => format!("{a}[actname=\"it's\"]"),
            23 => format!("{a}[port=\"a\nb\"]"),
            24 => format!("{a}[ port = 1 , protocol = udp ]"),
            25 => format!("{a}[port=1,]"),
            26 => format!("{a}[name=%(__name__)s6, port=1]"),
            27 => format!("{a}[p\u{b2}=1, caf\u{e9}=2]"),
            28 => format!("{a}[x\u{301}=1]"),
            29 => format!("{a}[k\u{203f}=1]"),
            30 => format!("{a}[\u{2167}=roman]"),
            31 => format!("./{a}"),
            _ => a.to_string(),
        }
    }

    fn action_value(&mut self) -> String {
        let n = self.rng.range(1, 3);
        let toks: Vec<String> = (0..n).map(|_| self.action_token()).collect();
        let sep = self.rng.pick(&["\n", "\n", " ", "  \n", "\n\n"]);
        let v = toks.join(sep);
        if self.rng.pct(5) { format!("\n{v}") } else { v }
    }

    fn failregex(&mut self, in_filter: bool) -> String {
        let jail_safe: &[&'static str] = &[
            "^fail from <HOST>$",
            "^auth fail <HOST> ; trailing comment",
            "^with # hash <HOST>",
            "^tag <unknowntag> <HOST>",
            "^known <known/extra> <HOST>",
            "^x;y <HOST>",
            "^name %(__name__)s <HOST>",
            "^pct %%d <HOST>",
        ];
        let one = |rng: &mut Rng| -> &'static str {
            if !in_filter {
                return rng.pick(jail_safe);
            }
            rng.pick(&[
                "^fail from <HOST>$",
                "^%(__prefix_line)sFailed for <F-USER>.*</F-USER> from <HOST>( port \\d+)?$",
                "^auth fail <HOST> ; trailing comment",
                "^with # hash <HOST>",
                "^%(_daemon)s <HOST> %%d",
                "<cmnfailre>",
                "^<mode> <HOST>",
                "^tag <unknowntag> <HOST>",
                "<lt_<logtype>/pre> <HOST>",
                "^known <known/extra> <HOST>",
                "^x;y <HOST>",
                "^name %(__name__)s <HOST>",
                "^addr <ADDR> <HOST>",
                "^jailopts <maxretry> <enabled> <logpath> <backend> <Filter>",
                "^json \"<HOST>\" '<F-ID>\\S+</F-ID>'",
            ])
        };
        let n = if self.rng.pct(35) {
            self.rng.range(2, 4)
        } else {
            1
        };
        (0..n)
            .map(|_| one(&mut self.rng))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn journalmatch(&mut self) -> String {
        self.rng
            .pick(&[
                "_SYSTEMD_UNIT=sshd.service + _COMM=sshd",
                "_SYSTEMD_UNIT='a b.service'",
                "\"_COMM=x y\"",
                "_SYSTEMD_UNIT=a.service\nPRIORITY=5 SYSLOG_FACILITY=4",
                "",
                "_COMM=x\\ y",
                "<journalunit>",
                "a\"b c\"d 'it''s'",
                "x\\\\y _COMM=#notcomment",
                "+ _A=1 + + _B=2",
            ])
            .to_string()
    }

    fn datepattern(&mut self) -> String {
        self.rng
            .pick(&[
                "{^LN-BEG}",
                "%%Y-%%m-%%d %%H:%%M:%%S",
                "^%%b %%d",
                "{^LN-BEG}%%ExY(?P<_sep>[-/.])%%m(?P=_sep)%%d",
                "Epoch",
                "{DATE}",
                "^%%s",
            ])
            .to_string()
    }

    /// Maybe append an inline comment or a `#` that is part of the value.
    fn deco(&mut self, v: String) -> String {
        if v.contains('\n') || v.is_empty() {
            return v;
        }
        match self.rng.below(60) {
            0 => v + " ; comment",
            1 => v + "\t;comment",
            2 => v + ";not a comment",
            3 => v + "\u{c}",
            4 => v + "\u{1f}",
            5 => v + "\u{2003}",
            6 => v + "\u{85}",
            7 => v + "\u{a0};after-nbsp",
            8 => v + "\u{3000}; after-ideographic-space",
            _ => v,
        }
    }

    // -- fail2ban.conf ------------------------------------------------------

    fn fail2ban_conf(&mut self) {
        if self.rng.pct(3) {
            return; // no fail2ban.conf at all
        }
        let mut ini = Ini::default();
        if self.rng.pct(5) {
            ini.section("INCLUDES");
            ini.kv("before", "fail2ban-common.conf");
        }
        ini.section("Definition");
        let loglevel = if self.rng.pct(8) {
            self.rng.pick(&[
                "BOGUS",
                "basic_format",
                "_styles",
                "\u{663}",
                "\u{b2}",
                "",
                "warn",
                "5",
                "notice",
                "Info ; x",
            ])
        } else {
            self.rng.pick(&["INFO", "DEBUG", "NOTICE", "info"])
        };
        let keys: &[(&str, &[&str])] = &[
            ("loglevel", &[loglevel]),
            (
                "logtarget",
                &["STDERR", "SYSLOG", "/var/log/fail2ban.log", "%(x)s"],
            ),
            ("syslogsocket", &["auto", "/dev/log"]),
            ("socket", &["/var/run/fail2ban/fail2ban.sock"]),
            ("pidfile", &["/var/run/fail2ban/fail2ban.pid"]),
            ("allowipv6", &["auto", "yes"]),
            (
                "dbfile",
                &["/var/lib/fail2ban/fail2ban.sqlite3", ":memory:", "None"],
            ),
            ("dbmaxmatches", &["10", "x", "5 ; c"]),
            ("dbpurgeage", &["1d", "86400", "%(dbp)s"]),
        ];
        let mut defaults = Vec::new();
        for (k, vals) in keys {
            if self.rng.pct(55) {
                let v = self.rng.pick(vals).to_string();
                if v == "%(x)s" {
                    defaults.push(("x".to_string(), "/tmp/x".to_string()));
                }
                if v == "%(dbp)s" {
                    defaults.push(("dbp".to_string(), "12".to_string()));
                }
                ini.kv(k, &v);
            }
        }
        if !defaults.is_empty() && (!self.chaos || self.rng.pct(50)) {
            ini.section("DEFAULT");
            for (k, v) in defaults {
                ini.kv(&k, &v);
            }
        }
        if self.rng.pct(15) {
            ini.section("Thread");
            match self.rng.below(4) {
                0 => {}
                1 => ini.kv("stacksize", "0"),
                2 => ini.kv("stacksize", "32x"),
                _ => {
                    ini.kv("stacksize", "%(dbp)s");
                    if !self.chaos {
                        ini.kv("dbp", "64");
                    }
                }
            }
        }
        self.add("fail2ban.conf", &ini);
        if self.rng.pct(10) {
            let mut l = Ini::default();
            l.section("Definition");
            l.kv(
                "loglevel",
                self.rng.pick(&["DEBUG", "CRITICAL", "bad level"]),
            );
            if self.rng.pct(50) {
                l.kv("dbpurgeage", "2d");
            }
            let p = self
                .rng
                .pick(&["fail2ban.local", "fail2ban.d/x.conf", "fail2ban.d/y.local"]);
            self.add(p, &l);
        }
        if self.rng.pct(3) {
            let mut c = Ini::default();
            c.section("Definition");
            c.kv("allowipv6", "no");
            self.add("fail2ban-common.conf", &c);
        }
    }

    // -- filters --------------------------------------------------------------

    fn filter_file(&mut self, name: &str) {
        let mut ini = Ini::default();
        match self.rng.below(60) {
            0 => {
                // no [Definition] at all
                ini.section("Init");
                ini.kv("mode", "only-init");
                self.add(&format!("filter.d/{name}.conf"), &ini);
                return;
            }
            1 => {
                self.add_raw(&format!("filter.d/{name}.conf"), Vec::new());
                return;
            }
            2 => {
                self.add_raw(&format!("filter.d/{name}.conf/"), Vec::new());
                return;
            }
            _ => {}
        }
        let inc = self.rng.pct(40);
        if inc {
            ini.section("INCLUDES");
            let before = self.rng.pick(&[
                "common.conf",
                "common.conf",
                "common.conf",
                "missing.conf",
                "common.conf\nmissing.conf",
                "common.conf\n\nmissing.conf",
                "../filter.d",
                "%(inc)s",
                "{CONF}/filter.d/common.conf",
                "./common.conf",
            ]);
            ini.kv("before", before);
            if before == "%(inc)s" {
                ini.section("DEFAULT");
                ini.kv("inc", "common.conf");
            }
            if self.rng.pct(20) {
                ini.kv("after", &format!("{name}.local"));
            }
        }
        if !self.chaos || self.rng.pct(50) {
            ini.section("DEFAULT");
            ini.kv("_daemon", self.rng.pick(&["sshd", "\\S+", "%(__name__)s"]));
            if !self.chaos || self.rng.pct(50) {
                ini.kv("__prefix_line", "^%(_daemon)s\\[\\d+\\]:\\s*");
            }
            if self.rng.pct(20) {
                ini.kv("host", "default-host");
            }
        }
        if self.rng.pct(20) {
            ini.section("lt_file");
            ini.kv("pre", "^file");
            if self.rng.pct(70) {
                ini.section("lt_journal");
                ini.kv("pre", "^journal");
            }
        }
        if self.rng.pct(50) {
            ini.section("Init");
            if self.rng.pct(70) {
                ini.kv(
                    "mode",
                    self.rng
                        .pick(&["normal", "aggressive", "%(__name__)s", "<mode_default>"]),
                );
            }
            if self.rng.pct(20) {
                ini.kv("maxlines", self.rng.pick(&["1", "2", "x"]));
            }
            if self.rng.pct(20) {
                ini.kv("journalmatch", "_SYSTEMD_UNIT=init.service");
            }
            if self.rng.pct(15) {
                ini.kv("logtype", self.rng.pick(&["file", "journal", "short"]));
            }
            if self.rng.pct(5) {
                ini.kv("known/mode", "init-known");
            }
            if self.rng.pct(10) {
                ini.section("Init?family=inet6");
                ini.kv("mode", "v6");
            }
        }
        ini.section("Definition");
        if self.rng.pct(40) {
            ini.kv("normal", "^normal <HOST>");
            ini.kv("aggressive", "%(normal)s\n^aggr <HOST>");
            if self.rng.pct(50) {
                ini.kv("ddos", "^ddos <HOST>");
            }
        }
        if self.rng.pct(25) {
            ini.kv("cmnfailre", "^cmn <HOST>\n^cmn2 <HOST>");
        }
        if self.rng.pct(15) {
            ini.kv("extra", "defined-extra");
        }
        if self.rng.pct(10) {
            ini.kv("logtype", "file");
        }
        if self.rng.pct(10) {
            ini.kv("journalunit", "_SYSTEMD_UNIT=<__name__>.service");
        }
        if self.rng.pct(97) {
            let fr = if self.rng.pct(15) {
                "<<mode>>".to_string()
            } else if self.rng.pct(6) {
                long_text(&mut self.rng, "^long <HOST> ")
            } else {
                self.failregex(true)
            };
            ini.kv("failregex", &fr);
        }
        if self.rng.pct(40) {
            ini.kv(
                "ignoreregex",
                self.rng.pick(&["", "^ignore <HOST>", "^ig1\n^ig2 <HOST>"]),
            );
        }
        if self.rng.pct(20) {
            ini.kv(
                "prefregex",
                self.rng.pick(&[
                    "^<F-MLFID>\\S+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$",
                    "^%(__prefix_line)s<F-CONTENT>.+</F-CONTENT>$",
                ]),
            );
        }
        if self.rng.pct(25) {
            let d = self.datepattern();
            ini.kv("datepattern", &d);
        }
        if self.rng.pct(25) {
            let j = self.journalmatch();
            ini.kv("journalmatch", &j);
        }
        if self.rng.pct(15) {
            ini.kv("maxlines", self.rng.pick(&["1", "2", "x", "<ml>", " 10"]));
            if self.rng.pct(50) {
                ini.kv("ml", "4");
            }
        }
        if self.rng.pct(10) {
            ini.kv("usedns", self.rng.pick(&["no", "yes", "raw", "<x>"]));
        }
        if self.chaos && self.rng.pct(10) {
            self.chaos_line(&mut ini);
        }
        self.add(&format!("filter.d/{name}.conf"), &ini);
        if self.rng.pct(6) {
            // `filter.d/<name>.d/*.conf|*.local` are read too
            let mut l = Ini::default();
            l.section("Definition");
            l.kv("failregex", "%(known/failregex)s\n^from-dot-d <HOST>");
            let p = self.rng.pick(&["10-x.conf", "20-y.local", ".hidden.conf"]);
            self.add(&format!("filter.d/{name}.d/{p}"), &l);
        }
        if self.rng.pct(15) {
            let mut l = Ini::default();
            l.section("Definition");
            match self.rng.below(4) {
                0 => l.kv("failregex", "%(known/failregex)s\n^local <HOST>"),
                1 => l.kv("failregex", "^only-local <HOST>"),
                2 => l.kv("ignoreregex", "^local-ignore"),
                _ => l.kv("datepattern", "{^LN-BEG}"),
            }
            self.add(&format!("filter.d/{name}.local"), &l);
        }
    }

    fn common_filter(&mut self) {
        let mut ini = Ini::default();
        if self.rng.pct(40) {
            ini.section("INCLUDES");
            ini.kv(
                "after",
                self.rng.pick(&["common.local", "common.conf", "sshd.conf"]),
            );
        }
        ini.section("DEFAULT");
        ini.kv("_daemon", "\\S*");
        ini.kv(
            "__prefix_line",
            self.rng.pick(&[
                "^\\S+ %(_daemon)s:\\s*",
                "%(known/__prefix_line)s",
                "^<lt_<logtype>/pre> ",
            ]),
        );
        if self.rng.pct(30) {
            ini.kv("mode", "normal");
        }
        if self.rng.pct(50) {
            ini.section("lt_file");
            ini.kv("pre", "^common-file");
            ini.section("lt_journal");
            ini.kv("pre", "");
        }
        self.add("filter.d/common.conf", &ini);
        if self.rng.pct(30) {
            let mut l = Ini::default();
            l.section("DEFAULT");
            l.kv("_daemon", "local-daemon");
            self.add("filter.d/common.local", &l);
        }
    }

    // -- actions -----------------------------------------------------------

    fn action_file(&mut self, name: &str) {
        let mut ini = Ini::default();
        match self.rng.below(60) {
            0 => {
                // no [Definition] at all
                ini.section("Init");
                ini.kv("port", "only-init");
                self.add(&format!("action.d/{name}.conf"), &ini);
                return;
            }
            1 => {
                self.add_raw(&format!("action.d/{name}.conf"), Vec::new());
                return;
            }
            2 => {
                self.add_raw(&format!("action.d/{name}.conf/"), Vec::new());
                return;
            }
            _ => {}
        }
        if self.rng.pct(20) {
            ini.section("INCLUDES");
            ini.kv(
                "before",
                self.rng.pick(&[
                    "common-act.conf",
                    "missing-act.conf",
                    "common-%(__name__)s.conf",
                ]),
            );
        }
        if !self.chaos || self.rng.pct(50) {
            ini.section("DEFAULT");
            ini.kv("defport", "1234");
        }
        ini.section("Definition");
        let cmds = [
            "echo start <name> <port>",
            "echo <known/port> %(defport)s",
            "ban <ip> <name> <Port> <bantime> <ipmatches>",
            "iptables -A <chain> -p <protocol> --dport <port> -j <blocktype>",
            "echo <actname> <family> <br> <sp> <F-USER>",
            "echo <unknowntag> <a/b> <timeout>",
            "echo %%s <custom>",
            "echo <Init/port> <default/defport> <known/name>",
            "echo <matches> <ipjailmatches>",
            "echo '<name>' \"<port>\" ; comment",
            "echo <maxretry> <enabled> <action> <usedns> <Name> <logpath>",
            "echo %(maxretry)s",
            "echo # hash <ip>",
            "",
        ];
        for key in [
            "actionstart",
            "actionstop",
            "actioncheck",
            "actionban",
            "actionunban",
            "actionflush",
            "actionreban",
            "actionprolong",
            "actionreload",
            "actionrepair",
        ] {
            let p = if matches!(key, "actionban" | "actionunban") {
                85
            } else {
                25
            };
            if self.rng.pct(p) {
                if self.rng.pct(4) {
                    let v = long_text(&mut self.rng, "echo <ip> ");
                    ini.kv(key, &v);
                    continue;
                }
                let n = if self.rng.pct(25) {
                    self.rng.range(2, 3)
                } else {
                    1
                };
                let v: Vec<&str> = (0..n).map(|_| self.rng.pick(&cmds)).collect();
                ini.kv(key, &v.join("\n"));
            }
        }
        if self.rng.pct(15) {
            ini.kv(
                "actionstart_on_demand",
                self.rng.pick(&["false", "true", "x"]),
            );
        }
        if self.rng.pct(10) {
            ini.kv("actionrepair_on_unban", self.rng.pick(&["1", "no"]));
        }
        if self.rng.pct(10) {
            ini.kv("norestored", self.rng.pick(&["1", "true", "maybe"]));
        }
        if self.rng.pct(30) {
            ini.kv(
                "custom",
                self.rng
                    .pick(&["<name>-<protocol>", "plain", "<port>/<custom2>"]),
            );
            ini.kv("custom2", if self.rng.pct(8) { "<custom>y" } else { "c2" });
        }
        if self.rng.pct(20) {
            ini.kv("blocktype", "REJECT");
        }
        if self.rng.pct(70) {
            ini.section("Init");
            for (k, vals) in [
                ("name", &["default", "<__name__>"][..]),
                ("port", &["ssh", "22", "%(defport)s", "<defport>"][..]),
                ("protocol", &["tcp", "udp"][..]),
                ("chain", &["INPUT", "INPUT_direct"][..]),
                ("timeout", &["30", "1m"][..]),
                (
                    "blocktype",
                    &["REJECT --reject-with icmp-port-unreachable"][..],
                ),
                ("actname", &["init-actname"][..]),
                ("known/port", &["init-known-port"][..]),
            ] {
                if self.rng.pct(40) {
                    let v = self.rng.pick(vals);
                    ini.kv(k, v);
                }
            }
            if self.rng.pct(20) {
                ini.section("Init?family=inet6");
                ini.kv("blocktype", "DROP6");
                if self.rng.pct(50) {
                    ini.kv("port", "v6port");
                }
            }
        }
        if self.chaos && self.rng.pct(10) {
            self.chaos_line(&mut ini);
        }
        self.add(&format!("action.d/{name}.conf"), &ini);
        if self.rng.pct(6) {
            let mut l = Ini::default();
            l.section("Init");
            l.kv("port", "from-dot-d");
            let p = self.rng.pick(&["10-x.conf", "20-y.local"]);
            self.add(&format!("action.d/{name}.d/{p}"), &l);
        }
        if self.rng.pct(12) {
            let mut l = Ini::default();
            match self.rng.below(3) {
                0 => {
                    l.section("Init");
                    l.kv("port", "local-port");
                }
                1 => {
                    l.section("Definition");
                    l.kv("actionban", "%(known/actionban)s\necho local <ip>");
                }
                _ => {
                    l.section("Definition");
                    l.kv("actionunban", "echo local-unban");
                }
            }
            self.add(&format!("action.d/{name}.local"), &l);
        }
    }

    fn common_action(&mut self) {
        let mut ini = Ini::default();
        ini.section("DEFAULT");
        ini.kv("defport", "4321");
        ini.section("Definition");
        ini.kv("actionflush", "echo common flush <name>");
        ini.section("Init");
        ini.kv("protocol", "common-proto");
        self.add("action.d/common-act.conf", &ini);
        if self.rng.pct(50) {
            // reached through `before = common-%(__name__)s.conf` (`__name__` = INCLUDES)
            let mut inc = Ini::default();
            inc.section("Init");
            inc.kv("protocol", "from-INCLUDES");
            self.add("action.d/common-INCLUDES.conf", &inc);
        }
    }

    // -- jails -------------------------------------------------------------

    fn jail_options(&mut self, ini: &mut Ini, jail: &str, override_file: bool) {
        if self.rng.pct(if override_file { 60 } else { 90 }) {
            let b = self.boolean(true);
            ini.kv("enabled", &b);
        }
        if self.rng.pct(if override_file { 20 } else { 80 }) {
            let f = self.filter_ref(jail);
            ini.kv("filter", &f);
        }
        if self.rng.pct(if override_file { 20 } else { 70 }) {
            let l = self.logpath();
            ini.kv("logpath", &l);
        }
        let p = if override_file { 8 } else { 14 };
        if self.rng.pct(p + 10) {
            let v = self.int();
            let v = self.deco(v);
            ini.kv("maxretry", &v);
        }
        if self.rng.pct(p) {
            let v = self.int();
            ini.kv("maxmatches", &v);
        }
        if self.rng.pct(p) {
            let v = self.time();
            ini.kv("bantime", &v);
        }
        if self.rng.pct(p) {
            let v = self.time();
            ini.kv("findtime", &v);
        }
        if self.rng.pct(p) {
            let v = self.rng.pick(&[
                "auto",
                "polling",
                "systemd",
                "systemd[journalflags=1]",
                "pyinotify",
                "gamin",
                "%(default_backend)s",
                "Systemd",
            ]);
            ini.kv("backend", v);
        }
        if self.rng.pct(p) {
            let v = self.rng.pick(&[
                "127.0.0.1/8 ::1",
                "127.0.0.1/8,192.168.0.0/16",
                "10.0.0.1\n10.0.0.2  10.0.0.3",
                "",
                " , ,1.2.3.4",
                "%(ignoreip_base)s 1.1.1.1",
                "1.2.3.4\t5.6.7.8",
            ]);
            ini.kv("ignoreip", v);
        }
        if self.rng.pct(p / 2) {
            let v = self.boolean(false);
            ini.kv("ignoreself", &v);
        }
        if self.rng.pct(p / 2) {
            ini.kv(
                "ignorecommand",
                self.rng.pick(&[
                    "",
                    "/bin/true <ip>",
                    "echo %%s",
                    "echo 'single'",
                    "echo \"double\" 'single'",
                    "echo it's",
                    "echo \\d \\\\",
                    "echo caf\u{e9} \u{200b}zw \u{1b}esc \u{7f} \u{85}nel",
                    "echo \u{1fae8} \u{1f6dc} new in Unicode 15",
                    "echo\ttab",
                    "echo %%(x)s",
                ]),
            );
        }
        if self.rng.pct(p / 2) {
            ini.kv("ignorecache", "key=\"<ip>\", max-count=100, max-time=5m");
        }
        if self.rng.pct(p / 2) {
            let v = self.boolean(false);
            ini.kv("bantime.increment", &v);
            if self.rng.pct(50) {
                ini.kv("bantime.factor", "2");
                ini.kv("bantime.maxtime", "1w");
            }
        }
        if self.rng.pct(p / 3) {
            let v = self.boolean(false);
            ini.kv("bantime.overalljails", &v);
            ini.kv("bantime.rndtime", "5m");
            ini.kv("bantime.multipliers", "1 2 4 8");
            ini.kv(
                "bantime.formula",
                "ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor",
            );
        }
        if self.rng.pct(p / 2) {
            ini.kv("logtimezone", self.rng.pick(&["UTC", "UTC+0200"]));
        }
        if self.rng.pct(p / 2) {
            ini.kv("logencoding", self.rng.pick(&["auto", "utf-8", "latin-1"]));
        }
        if self.rng.pct(p) {
            ini.kv("usedns", self.rng.pick(&["warn", "no", "yes", "raw"]));
        }
        if self.rng.pct(p / 2) {
            ini.kv("maxlines", self.rng.pick(&["1", "2", "x", "%(ml)s"]));
        }
        if self.rng.pct(p / 2) {
            ini.kv(
                "prefregex",
                self.rng.pick(&[
                    "^jail-pref <known/prefregex>",
                    "^jail-pref <F-CONTENT>.+</F-CONTENT>$",
                ]),
            );
        }
        if self.rng.pct(p / 2) {
            let d = self.datepattern();
            ini.kv("datepattern", &d);
        }
        if self.rng.pct(p / 2) {
            let j = self.journalmatch();
            ini.kv("journalmatch", &j);
        }
        if self.rng.pct(p) {
            let v = if self.rng.pct(50) {
                "%(known/failregex)s\n^jail-extra <HOST>$".to_string()
            } else {
                self.failregex(false)
            };
            ini.kv("failregex", &v);
        }
        if self.rng.pct(p / 2) {
            ini.kv(
                "ignoreregex",
                self.rng.pick(&[
                    "",
                    "^jail-ignore",
                    "^jail-ignore2",
                    "^jail-ignore3",
                    "%(known/ignoreregex)s",
                ]),
            );
        }
        if self.rng.pct(p + 20) {
            let a = self.action_value();
            ini.kv("action", &a);
        }
        if self.rng.pct(p) {
            ini.kv(
                "port",
                self.rng
                    .pick(&["ssh", "22", "1,2", "0:65535", "http,https"]),
            );
        }
        if self.rng.pct(p / 2) {
            ini.kv(
                "mode",
                self.rng.pick(&["normal", "aggressive", "ddos", "bogus"]),
            );
        }
        if self.rng.pct(p / 2) {
            ini.kv(
                "banaction",
                self.rng.pick(&["a2", "a3[port=9]", "missing-act"]),
            );
        }
        if self.rng.pct(4) {
            ini.kv("mytag", "<known/failregex> %(__name__)s");
        }
        if self.rng.pct(2) {
            // a lone CR ends a line for Python's universal newlines
            ini.raw("ignorecommand = echo cr\rlogencoding = latin-1");
        }
        if self.rng.pct(1) {
            // another jail's merged filter options (only once that jail was read)
            ini.kv("ignorecommand", "echo %(J0/known/failregex)s");
        }
    }

    fn jail_conf(&mut self) {
        let mut ini = Ini::default();
        if self.rng.pct(40) {
            ini.section("INCLUDES");
            ini.kv(
                "before",
                self.rng.pick(&[
                    "paths.conf",
                    "paths.conf",
                    "missing-paths.conf",
                    "{CONF}/paths.conf",
                ]),
            );
            if self.rng.pct(20) {
                ini.kv(
                    "after",
                    self.rng.pick(&["after.conf", "jail.conf", "paths.conf"]),
                );
                let mut a = Ini::default();
                a.section("DEFAULT");
                a.kv("bantime", "77");
                self.add("after.conf", &a);
            }
            let mut p = Ini::default();
            if self.rng.pct(40) {
                p.section("INCLUDES");
                p.kv(
                    "before",
                    self.rng
                        .pick(&["paths-common.conf", "jail.conf", "paths.conf"]),
                );
                if self.rng.pct(50) {
                    p.kv("after", "paths-overrides.local");
                }
                if self.rng.pct(60) {
                    let mut c = Ini::default();
                    c.section("DEFAULT");
                    c.kv("default_backend", "polling");
                    c.kv("logdir", "/nonexistent");
                    self.add("paths-common.conf", &c);
                }
                if self.rng.pct(30) {
                    let mut o = Ini::default();
                    o.section("DEFAULT");
                    o.kv("logdir", "{LOGS}/sub");
                    self.add("paths-overrides.local", &o);
                }
            }
            p.section("DEFAULT");
            p.kv("logdir", "{LOGS}");
            p.kv("default_backend", "auto");
            self.add("paths.conf", &p);
            if self.rng.pct(15) {
                let mut l = Ini::default();
                l.section("DEFAULT");
                l.kv("default_backend", "pyinotify");
                self.add("paths.local", &l);
            }
        }
        ini.section("DEFAULT");
        let d: &[(&str, u32, &[&str])] = &[
            ("port", 60, &["ssh", "0:65535", "1,2"]),
            ("protocol", 40, &["tcp", "udp"]),
            ("chain", 30, &["INPUT", "<known/chain>"]),
            (
                "banaction",
                60,
                &[
                    "a1",
                    "a2[port=x]",
                    "missing-act",
                    "a3",
                    "a1",
                    "a2",
                    "a3[name=%(__name__)s-b]",
                ],
            ),
            ("bantime_base", 30, &["10m", "600"]),
            (
                "bantime",
                50,
                &["10m", "%(bantime_base)s", "1h ; comment", "%(bt1)s"],
            ),
            ("findtime", 30, &["10m", "1d"]),
            ("maxretry", 40, &["5", "3x", "%(default_maxretry)s"]),
            ("default_maxretry", 30, &["4"]),
            ("backend", 30, &["auto", "%(default_backend)s", "systemd"]),
            ("usedns", 30, &["warn", "no"]),
            ("logencoding", 20, &["auto"]),
            ("ignoreip", 30, &["127.0.0.1/8 ::1", "%(ignoreip_base)s"]),
            ("ignoreip_base", 30, &["10.0.0.0/8"]),
            (
                "filter",
                15,
                &["%(__name__)s", "%(__name__)s[mode=%(mode)s]", "f1"],
            ),
            ("mode", 20, &["normal", "aggressive"]),
            ("logdir", 40, &["{LOGS}"]),
            (
                "ignorecommand",
                10,
                &["", "echo <ip>", "echo %(__name__)s", "echo %%(__name__)s"],
            ),
            ("enabled", 20, &["false", "true"]),
            ("logpath", 15, &["{LOGS}/a.log", "%(logdir)s/c.log"]),
            ("ml", 20, &["3"]),
            ("default_backend", 20, &["auto"]),
            ("mta", 20, &["a3"]),
        ];
        // Helpers other values refer to: nearly always defined (a missing one
        // is fatal for the whole configuration).
        let helpers = [
            "port",
            "protocol",
            "chain",
            "banaction",
            "bantime_base",
            "bantime",
            "maxretry",
            "default_maxretry",
            "ignoreip_base",
            "mode",
            "logdir",
            "ml",
            "default_backend",
            "mta",
            "logpath",
        ];
        for (k, p, vals) in d {
            let p = if helpers.contains(k) {
                if self.chaos { 80 } else { 98 }
            } else {
                *p
            };
            if self.rng.pct(p) {
                let v = self.rng.pick(vals).to_string();
                let v = self.deco(v);
                ini.kv(k, &v);
            }
        }
        if self.rng.pct(5) {
            // interpolation nesting around configparser's limit of 10
            let n = self.rng.range(8, 11);
            for i in 1..=n {
                ini.kv(&format!("deep{i}"), &format!("%(deep{})s", i + 1));
            }
            ini.kv(&format!("deep{}", n + 1), "deep-end");
            ini.kv("findtime", "%(deep1)s");
        }
        if !self.chaos || self.rng.pct(50) {
            ini.kv("bt1", "%(bt2)s");
            ini.kv("bt2", "%(bt3)s");
            ini.kv("bt3", self.rng.pick(&["5m", "%%5"]));
        }
        if !self.chaos || self.rng.pct(50) {
            ini.kv(
                "action_",
                self.rng.pick(&[
                    "%(banaction)s[name=%(__name__)s, port=\"%(port)s\", protocol=\"%(protocol)s\", chain=\"%(chain)s\"]",
                    "%(banaction)s[port=\"%(port)s\"]",
                    "%(banaction)s",
                ]),
            );
            ini.kv("action_mw", "%(action_)s\n%(mta)s-whois[name=%(__name__)s]");
        }
        if self.rng.pct(if self.chaos { 50 } else { 92 }) {
            let a = if self.rng.pct(50) {
                self.rng
                    .pick(&["%(action_)s", "%(action_mw)s", "%(banaction)s"])
                    .to_string()
            } else {
                self.action_value()
            };
            ini.kv("action", &a);
        }
        let jails = self.jails.clone();
        for (i, jail) in jails.iter().enumerate() {
            if i > 0 && self.rng.pct(10) {
                // a jail only defined in jail.local / jail.d
                continue;
            }
            ini.section(jail);
            self.jail_options(&mut ini, jail, false);
            if self.rng.pct(5) {
                ini.section(&format!("{jail}?family=inet6"));
                ini.kv("port", "v6");
            }
        }
        if self.rng.pct(5) {
            ini.section("Definition");
            ini.kv("foo", "bar");
        }
        if self.rng.pct(3) {
            ini.raw(
                self.rng
                    .pick(&["[[weird]]", "[x]]", "[ j1 ]", "[j1] trailing", "[DEFAULT ]"]),
            );
            ini.kv("enabled", "true");
            ini.kv("filter", "f1");
        }
        if self.chaos && self.rng.pct(50) {
            self.chaos_line(&mut ini);
        }
        self.add("jail.conf", &ini);
    }

    fn override_file(&mut self, path: &str) {
        let mut ini = Ini::default();
        if self.rng.pct(5) {
            ini.section("INCLUDES");
            ini.kv(
                self.rng.pick(&["before", "after"]),
                self.rng.pick(&[
                    "../paths.conf",
                    "../jail.conf",
                    "{CONF}/paths.conf",
                    "sibling.conf",
                ]),
            );
        }
        if self.rng.pct(30) {
            ini.section("DEFAULT");
            match self.rng.below(6) {
                0 if self.chaos => ini.kv("bantime", "%(known/bantime)s"),
                0 => ini.kv("bantime", "%(bantime_base)s"),
                1 => ini.kv(
                    "banaction",
                    self.rng.pick(&["a2", "a3", "a1[port=%(port)s]"]),
                ),
                2 => ini.kv("maxretry", "7"),
                3 => ini.kv("port", "override-port"),
                4 => ini.kv("backend", "polling"),
                _ => ini.kv("enabled", "true"),
            }
        }
        let n = self.rng.range(1, 2);
        for _ in 0..n {
            let jail = self.rng.pick(&self.jails.clone());
            if ini.has_section(jail) {
                continue;
            }
            ini.section(jail);
            match self.rng.below(8) {
                0 => ini.kv("maxretry", "%(known/maxretry)s"),
                1 => ini.kv("bantime", "%(known/bantime)s0"),
                2 => ini.kv("failregex", "%(known/failregex)s\n^override <HOST>"),
                3 => ini.kv("action", "%(known/action)s\na3[name=ov]"),
                4 => ini.kv("logpath", "%(known/logpath)s\n{LOGS}/c.log"),
                _ => {}
            }
            self.jail_options(&mut ini, jail, true);
        }
        if self.rng.pct(5) {
            ini.section("KNOWN/j1");
            ini.kv("maxretry", "42");
        }
        if self.chaos && self.rng.pct(20) {
            self.chaos_line(&mut ini);
        }
        self.add(path, &ini);
    }

    /// Something fatal for the whole configuration (or nearly).
    fn chaos_line(&mut self, ini: &mut Ini) {
        match self.rng.below(14) {
            0 => ini.kv("chaos", "50%"),
            1 => ini.kv("bantime", "%(x"),
            2 => ini.kv("chaos", "%(nonexistent)s"),
            3 => ini.kv("chaos", "%(chaos)s"),
            4 => {
                ini.kv_dup("dupkey", "1");
                ini.kv_dup("dupkey", "2");
            }
            5 => ini.raw("this line has no delimiter"),
            6 => {
                ini.section("dupsec");
                ini.section("dupsec");
            }
            7 => ini.kv("journalmatch", "\"_COMM=unterminated"),
            8 => ini.kv("failregex", "<failregex>x"),
            9 => ini.kv("chaos", "a%\nb"),
            10 => ini.raw("= value without key"),
            11 => ini.kv("filter", "%(nonexistent)s"),
            12 => ini.kv("enabled", "%(__name__)s%"),
            _ => {
                ini.section("DEFAULT");
                ini.kv("logdir", "{LOGS}");
                ini.section("DEFAULT");
            }
        }
    }
}

fn generate(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let chaos = rng.pct(9);
    let pretty = rng.pct(30);
    let mut filters: Vec<&'static str> = FILTERS.iter().copied().filter(|_| rng.pct(88)).collect();
    if filters.is_empty() {
        filters.push("f1");
    }
    let actions: Vec<&'static str> = ACTIONS.iter().copied().filter(|_| rng.pct(88)).collect();
    let mut pool: Vec<&'static str> = JAILS.to_vec();
    let n = rng.range(1, 4);
    let mut jails = Vec::new();
    for _ in 0..n {
        let i = rng.below(pool.len());
        jails.push(pool.remove(i));
    }
    let mut g = Gen {
        rng,
        files: Vec::new(),
        filters,
        actions,
        jails,
        chaos,
    };
    g.fail2ban_conf();
    g.jail_conf();
    if g.rng.pct(50) {
        g.override_file("jail.local");
    }
    let nd = g.rng.pick(&[0, 0, 1, 1, 2]);
    for _ in 0..nd {
        let p = g.rng.pick(&[
            "jail.d/00-a.conf",
            "jail.d/zz.conf",
            "jail.d/b.local",
            "jail.d/x.conf.bak",
            "jail.d/.hidden.conf",
            "jail.d/A.conf",
        ]);
        if !g.files.iter().any(|(f, _)| f == p) {
            g.override_file(p);
        }
    }
    if g.rng.pct(4) {
        // not UTF-8: logged and skipped
        let bad: &[u8] = match g.rng.below(5) {
            0 => b"[DEFAULT]\nport = caf\xe9\n",
            1 => b"[DEFAULT]\nport = a\xe2\x82x\n",
            2 => b"[DEFAULT]\nport = a\xe2\x82",
            3 => b"[DEFAULT]\nport = \xed\xa0\x80\n",
            _ => b"[DEFAULT]\nport = \xf0\x9f\x98",
        };
        let path = g.rng.pick(&[
            "jail.d/latin1.conf",
            "filter.d/f2.local",
            "action.d/a2.local",
        ]);
        g.add_raw(path, bad.to_vec());
    }
    if g.rng.pct(2) {
        // a file name that is not UTF-8 (see write_tree)
        g.add_raw("jail.d/b{FF}.conf", b"[DEFAULT]\nbantime = 1234\n".to_vec());
    }
    if g.rng.pct(2) {
        g.add_raw("../logs/b{FF}.log", Vec::new());
    }
    if g.rng.pct(2) {
        // a BOM is not stripped by fail2ban's reader
        g.add_raw(
            "jail.d/bom.local",
            b"\xef\xbb\xbf[DEFAULT]\nport = bom\n".to_vec(),
        );
    }
    let filters = g.filters.clone();
    let mut common = false;
    for f in filters {
        g.filter_file(f);
        common |= g
            .files
            .last()
            .is_some_and(|(_, c)| String::from_utf8_lossy(c).contains("common.conf"));
    }
    if common && g.rng.pct(95) || g.rng.pct(10) {
        g.common_filter();
    }
    let actions = g.actions.clone();
    for a in actions {
        g.action_file(a);
    }
    if g.rng.pct(40) {
        g.common_action();
    }
    if g.rng.pct(85) {
        let mut w = Ini::default();
        w.section("Definition");
        w.kv("actionban", "whois <ip> | mail -s <name> <dest>");
        w.section("Init");
        w.kv("dest", "root@localhost");
        g.add("action.d/a3-whois.conf", &w);
    }
    if g.rng.pct(30) {
        // next to the config dir: where `./name` filters and actions are read
        g.add_raw(
            "../f1.conf",
            b"[Definition]\nfailregex = ^from-cwd <HOST>$\n".to_vec(),
        );
        g.add_raw(
            "../a1.conf",
            b"[Definition]\nactionban = cwd-ban <ip>\n".to_vec(),
        );
    }
    if g.rng.pct(3) {
        // no jail.conf: the jails come from the overrides only
        g.files.retain(|(p, _)| p != "jail.conf");
    }
    if g.rng.pct(3) {
        g.add_raw(
            "filter.d/f1.conf.local",
            b"[Definition]\nfailregex = never\n".to_vec(),
        );
    }
    let slash = g.rng.pct(8);
    Case {
        seed,
        files: g.files,
        pretty,
        slash,
    }
}

// ---------------------------------------------------------------------------
// Running both tools
// ---------------------------------------------------------------------------

/// A written tree: `root/config` holds the configuration, `root/logs` the
/// log files the generated `logpath`s point at.
struct Written {
    _tmp: tempfile::TempDir,
    conf: PathBuf,
    logs: PathBuf,
}

fn write_tree(files: &[(String, Vec<u8>)]) -> Written {
    let tmp = tempfile::tempdir().expect("tempdir");
    let conf = tmp.path().join("config");
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&conf).expect("mkdir config");
    std::fs::create_dir_all(logs.join("sub")).expect("mkdir logs");
    for f in [
        "a.log",
        "b.log",
        "c.log",
        ".hidden.log",
        "a b.log",
        "sub/d.log",
    ] {
        std::fs::write(logs.join(f), "").expect("log file");
    }
    std::os::unix::fs::symlink(logs.join("nonexistent-target"), logs.join("dangling.log"))
        .expect("symlink");
    for (rel, content) in files {
        if rel.contains("{FF}") {
            // a file name that is not UTF-8: `{FF}` stands for the byte 0xff
            use std::os::unix::ffi::OsStrExt;
            let mut bytes = conf.as_os_str().as_bytes().to_vec();
            bytes.push(b'/');
            bytes.extend(
                rel.replace("{FF}", "\u{1}")
                    .bytes()
                    .map(|b| if b == 1 { 0xff } else { b }),
            );
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(&bytes));
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, expand(content, &conf, &logs)).expect("write");
            continue;
        }
        if let Some(dir) = rel.strip_suffix('/') {
            // a directory where a file is expected
            std::fs::create_dir_all(conf.join(dir)).expect("mkdir");
            continue;
        }
        let path = conf.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, expand(content, &conf, &logs)).expect("write");
    }
    Written {
        _tmp: tmp,
        conf,
        logs,
    }
}

fn expand(content: &[u8], conf: &Path, logs: &Path) -> Vec<u8> {
    match std::str::from_utf8(content) {
        Ok(s) => s
            .replace("{LOGS}", logs.to_str().expect("utf-8"))
            .replace("{CONF}", conf.to_str().expect("utf-8"))
            .into_bytes(),
        Err(_) => content.to_vec(),
    }
}

/// Compares one mode; returns the differences found.
fn compare_mode(dir: &Path, args: &[&str]) -> Vec<String> {
    compare_mode_full(dir, args).0
}

/// Compares one mode; returns the differences found and the oracle's output.
/// Both tools run in the directory above the config dir (the tree's root),
/// so relative paths resolve the same way in every run.
fn compare_mode_full(dir: &Path, args: &[&str]) -> (Vec<String>, std::process::Output) {
    let cwd = dir.parent().expect("config dir has a parent").to_path_buf();
    let dir = dir.to_str().expect("utf-8 path");
    let mut oracle = Command::new("fail2ban-client");
    oracle.current_dir(&cwd).args(["-c", dir]).args(args);
    let expected = run(oracle);
    let mut ours = f2b();
    ours.current_dir(&cwd)
        .args(["client", "-c", dir])
        .args(args);
    let actual = run(ours);
    let out = compare_outputs(&args.join(" "), &expected, &actual);
    (out, expected)
}

fn show_files(files: &[(String, Vec<u8>)]) -> String {
    let mut s = String::new();
    if files.len() > 30 {
        let _ = writeln!(s, "(showing 10 of {} files)", files.len());
    }
    let shown = if files.len() > 30 {
        &files[..10]
    } else {
        files
    };
    for (rel, content) in shown {
        let _ = writeln!(s, "---- {rel}");
        let text = String::from_utf8_lossy(content);
        for line in text.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let shown: String = body
                .chars()
                .map(|c| match c {
                    '\r' => "\\r".to_string(),
                    '\t' => "\\t".to_string(),
                    '\u{a0}' => "\\u{a0}".to_string(),
                    '\u{feff}' => "\\u{feff}".to_string(),
                    c => c.to_string(),
                })
                .collect();
            let _ = writeln!(s, "    |{shown}");
        }
    }
    s
}

/// Writes a tree, compares every mode, and returns the failures (empty: equal).
fn check_files(files: &[(String, Vec<u8>)], modes: &[&[&str]]) -> Vec<String> {
    let w = write_tree(files);
    let mut failures = Vec::new();
    for mode in modes {
        failures.extend(compare_mode(&w.conf, mode));
    }
    failures
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            if let Some(h) = v.strip_prefix("0x") {
                u64::from_str_radix(h, 16).unwrap_or_else(|_| panic!("{name}={v}: not a number"))
            } else {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
            }
        }
        Err(_) => default,
    }
}

/// `common::require_oracle_and_corpus` semantics for a test that needs only
/// the oracle: under CI a missing oracle fails, elsewhere a loud note.
fn require_oracle(test: &str) -> bool {
    if oracle_available() {
        return true;
    }
    if in_ci() {
        panic!("{test}: fail2ban-client missing under CI=true");
    }
    eprintln!(
        "NOTE: {test} did not run: fail2ban-client (apt-get install fail2ban) missing (it fails under CI=true)"
    );
    false
}

#[test]
fn random_trees_dump_and_test_like_fail2ban() {
    if !require_oracle("random_trees_dump_and_test_like_fail2ban") {
        return;
    }
    let cases = env_num("F2B_RANDOM_CASES", 60);
    let base = env_num("F2B_RANDOM_SEED", 0x5eed);
    let show = env_num("F2B_RANDOM_SHOW", 5) as usize;
    let jobs = env_num(
        "F2B_RANDOM_JOBS",
        std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
    )
    .max(1);
    let keep = std::env::var_os("F2B_RANDOM_KEEP").map(PathBuf::from);
    let keep_all = std::env::var_os("F2B_RANDOM_KEEP_ALL").is_some();
    let all_pretty = std::env::var_os("F2B_RANDOM_PRETTY").is_some();
    let avoid: Vec<String> = std::env::var("F2B_RANDOM_AVOID")
        .map(|v| {
            v.split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let skipped = std::sync::atomic::AtomicU64::new(0);
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    // oracle -d: [fatal exit, has config-error, starts a jail, has an action]
    let stats = Mutex::new([0u64; 4]);
    std::thread::scope(|s| {
        for w in 0..jobs {
            let failures = &failures;
            let keep = &keep;
            let stats = &stats;
            let avoid = &avoid;
            let skipped = &skipped;
            s.spawn(move || {
                let mut i = w;
                while i < cases {
                    // An avoided case is replaced by the case of a derived seed
                    // (base + i + k·2^32), which F2B_RANDOM_SEED reproduces alone.
                    let mut seed = base.wrapping_add(i);
                    let mut case = generate(seed);
                    let avoided = |case: &Case| {
                        case.files.iter().any(|(_, c)| {
                            let text = String::from_utf8_lossy(c);
                            avoid.iter().any(|a| text.contains(a.as_str()))
                        })
                    };
                    let mut tries = 0;
                    while avoided(&case) && tries < 50 {
                        seed = seed.wrapping_add(1 << 32);
                        case = generate(seed);
                        tries += 1;
                    }
                    if avoided(&case) {
                        skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        i += jobs;
                        continue;
                    }
                    let mut modes: Vec<&[&str]> = vec![&["-d"], &["-t"]];
                    if case.pretty || all_pretty {
                        modes.push(&["--dp"]);
                    }
                    let w = write_tree(&case.files);
                    let mut diffs = Vec::new();
                    for mode in &modes {
                        let dir = if case.slash {
                            PathBuf::from(format!("{}/", w.conf.display()))
                        } else {
                            w.conf.clone()
                        };
                        let (d, out) = compare_mode_full(&dir, mode);
                        diffs.extend(d);
                        if mode[0] == "-d" {
                            let text = String::from_utf8_lossy(&out.stdout);
                            let mut st = stats.lock().expect("lock");
                            st[0] += u64::from(out.status.code() != Some(0));
                            st[1] += u64::from(text.contains("'config-error'"));
                            st[2] += u64::from(text.contains("['start', "));
                            st[3] += u64::from(text.contains("'addaction'"));
                        }
                    }
                    drop(w);
                    if !diffs.is_empty() || keep_all {
                        if let Some(dir) = keep {
                            let d = dir.join(format!("seed-{}", case.seed));
                            for (rel, content) in &case.files {
                                if rel.ends_with('/') {
                                    std::fs::create_dir_all(d.join(rel)).expect("mkdir keep");
                                    continue;
                                }
                                let p = d.join(rel.replace("../", "ROOT/"));
                                std::fs::create_dir_all(p.parent().expect("parent"))
                                    .expect("mkdir keep");
                                std::fs::write(p, content).expect("keep");
                            }
                            std::fs::write(d.join("DIFF.txt"), diffs.join("\n"))
                                .expect("keep diff");
                        }
                    }
                    if !diffs.is_empty() {
                        failures
                            .lock()
                            .expect("lock")
                            .push((case.seed, diffs, case.files));
                    }
                    i += jobs;
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("lock");
    failures.sort_by_key(|f| f.0);
    let st = stats.into_inner().expect("lock");
    eprintln!(
        "{cases} random cases ({} skipped): oracle -d exit != 0 in {}, config-error in {}, jails started in {}, actions in {}",
        skipped.into_inner(),
        st[0],
        st[1],
        st[2],
        st[3]
    );
    if failures.is_empty() {
        eprintln!(
            "{cases} random cases (seeds {base}..{}) identical",
            base.wrapping_add(cases)
        );
        return;
    }
    let mut report = format!(
        "{} of {cases} random cases differ (F2B_RANDOM_SEED={base}, F2B_RANDOM_CASES={cases}; rerun one case with F2B_RANDOM_SEED=<seed> F2B_RANDOM_CASES=1)\n",
        failures.len()
    );
    for (seed, diffs, _) in &failures {
        let first = diffs
            .iter()
            .map(|d| {
                let mut lines = d.lines();
                let head = lines.next().unwrap_or("");
                let change = lines
                    .find(|l| {
                        (l.starts_with('-') || l.starts_with('+'))
                            && !l.starts_with("---")
                            && !l.starts_with("+++")
                    })
                    .unwrap_or("");
                format!("{head} {}", change.chars().take(160).collect::<String>())
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let _ = writeln!(report, "  seed {seed}: {first}");
    }
    for (seed, diffs, files) in failures.iter().take(show) {
        let _ = writeln!(report, "\n======== seed {seed}\n{}", show_files(files));
        for d in diffs {
            let _ = writeln!(report, "{d}");
        }
    }
    panic!("{report}");
}

// ---------------------------------------------------------------------------
// Minimal regression tests for the divergences the random test found
// ---------------------------------------------------------------------------

/// Compares a fixed tree (text files) in the given modes; returns a report
/// of the differences (empty: identical).
fn fixed_tree_diffs(files: &[(&str, &str)], modes: &[&[&str]]) -> String {
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
        .collect();
    byte_tree_diffs(&files, modes)
}

/// `fixed_tree_diffs` for files given as bytes.
fn byte_tree_diffs(files: &[(String, Vec<u8>)], modes: &[&[&str]]) -> String {
    let diffs = check_files(files, modes);
    if diffs.is_empty() {
        return String::new();
    }
    format!("{}\n{}", show_files(files), diffs.join("\n"))
}

/// Compares a fixed tree (text files) in the given modes.
fn regression(test: &str, files: &[(&str, &str)], modes: &[&[&str]]) {
    if !require_oracle(test) {
        return;
    }
    let report = fixed_tree_diffs(files, modes);
    assert!(
        report.is_empty(),
        "{test}: f2b differs from fail2ban-client\n{report}"
    );
}

/// Several fixed trees for one behaviour: every variant is compared, and the
/// test fails listing all that differ.
fn regression_variants(test: &str, variants: &[Variant]) {
    if !require_oracle(test) {
        return;
    }
    let reports: Vec<String> = variants
        .iter()
        .filter_map(|(label, files, modes)| {
            let r = fixed_tree_diffs(files, modes);
            (!r.is_empty()).then(|| format!("== variant {label}\n{r}"))
        })
        .collect();
    assert!(
        reports.is_empty(),
        "{test}: {} of {} variants differ from fail2ban-client\n{}",
        reports.len(),
        variants.len(),
        reports.join("\n")
    );
}

const MINIMAL_F2B: (&str, &str) = (
    "fail2ban.conf",
    "[Definition]\nloglevel = INFO\nlogtarget = STDERR\nsyslogsocket = auto\nsocket = /var/run/fail2ban/fail2ban.sock\npidfile = /var/run/fail2ban/fail2ban.pid\nallowipv6 = auto\ndbfile = :memory:\ndbpurgeage = 1d\n",
);

/// One jail `j1` reading filter `f1` and an existing log file.
const J1: &str =
    "[j1]\nenabled = true\nfilter = f1\nlogpath = {LOGS}/a.log\nbackend = auto\naction =\n";
const F1: (&str, &str) = (
    "filter.d/f1.conf",
    "[Definition]\nfailregex = ^fail <HOST>$\n",
);

/// Python's `int()` takes any Unicode decimal digit (category Nd), so
/// `maxretry = ٣` (ARABIC-INDIC DIGIT THREE) is 3 and `３` (fullwidth) too.
/// This holds for every int option: jail `maxretry`/`maxmatches`
/// (`ConfigReaderUnshared.getOptions`), filter `maxlines`
/// (`DefinitionInitConfigReader.convertOptions`), `dbmaxmatches` and
/// `[Thread] stacksize` in fail2ban.conf.
#[test]
fn int_options_accept_unicode_decimal_digits() {
    regression(
        "int_options_accept_unicode_decimal_digits",
        &[
            (
                "fail2ban.conf",
                "[Definition]\nloglevel = INFO\nlogtarget = STDERR\nsyslogsocket = auto\nsocket = /x.sock\npidfile = /x.pid\nallowipv6 = auto\ndbfile = :memory:\ndbpurgeage = 1d\ndbmaxmatches = \u{661}\u{660}\n[Thread]\nstacksize = \u{ff13}\u{ff12}\n",
            ),
            (
                "jail.conf",
                &format!("{J1}maxretry = \u{663}\nmaxmatches = \u{ff13}\n"),
            ),
            (
                "filter.d/f1.conf",
                "[Definition]\nfailregex = ^fail <HOST>$\nmaxlines = \u{663}\n",
            ),
        ],
        &[&["-d"]],
    );
}

/// Python ints have no size limit: `maxretry = 99999999999999999999` is
/// sent as that number, not replaced by `None` with a warning.
#[test]
fn int_options_are_not_limited_to_64_bits() {
    regression(
        "int_options_are_not_limited_to_64_bits",
        &[
            (
                "fail2ban.conf",
                "[Definition]\nloglevel = INFO\nlogtarget = STDERR\nsyslogsocket = auto\nsocket = /x.sock\npidfile = /x.pid\nallowipv6 = auto\ndbfile = :memory:\ndbpurgeage = 1d\n[Thread]\nstacksize = 100000000000000000000000\n",
            ),
            (
                "jail.conf",
                &format!(
                    "{J1}maxretry = 99999999999999999999\nmaxmatches = -99999999999999999999\n"
                ),
            ),
            (
                "filter.d/f1.conf",
                "[Definition]\nfailregex = ^fail <HOST>$\nmaxlines = 1_000_000_000_000_000_000_000\n",
            ),
        ],
        &[&["-d"]],
    );
}

/// `str2LogLevel` (helpers.py): `value.isdigit()` then `int(value)`, else
/// `getattr(logging, value.upper())`; then `initCmdLine` logs
/// `logging.getLevelName(llev)`. So a Unicode digit is a valid level, a
/// superscript digit (`isdigit()` but not `int()`-able) fails with int's
/// message, `basic_format` names `logging.BASIC_FORMAT` (valid), and `_styles`
/// names the dict `logging._STYLES` which `getLevelName` cannot hash.
#[test]
fn loglevel_is_validated_like_str2loglevel() {
    let confs: Vec<(&str, String)> = ["\u{663}", "\u{b2}", "basic_format", "_styles"]
        .iter()
        .map(|level| {
            (
                *level,
                format!(
                    "[Definition]\nloglevel = {level}\nlogtarget = STDERR\nsyslogsocket = auto\nsocket = /x.sock\npidfile = /x.pid\nallowipv6 = auto\ndbfile = :memory:\ndbpurgeage = 1d\n"
                ),
            )
        })
        .collect();
    let variants: Vec<Variant> = confs
        .iter()
        .map(|(level, conf)| {
            let modes: &[&[&str]] = &[&["-d"], &["-t"]];
            (
                *level,
                vec![("fail2ban.conf", conf.as_str()), ("jail.conf", J1), F1],
                modes,
            )
        })
        .collect();
    regression_variants("loglevel_is_validated_like_str2loglevel", &variants);
}

/// `DefinitionInitConfigReader.getOptions(all=True)` merges
/// `self.options("Definition")` into the jail as `known/…`; that is
/// `ConfigReader.options(section, withDefault=False)`: the filter's own
/// `[Definition]` keys only, never its `[DEFAULT]` keys. So a broken
/// `[DEFAULT]` value that nothing uses is never interpolated, and
/// `%(known/x)s` in the jail for a filter DEFAULT key `x` falls back to the
/// jail config's DEFAULT (configparserinc.py `_map_section_options`).
#[test]
fn filter_default_keys_are_not_merged_into_the_jail() {
    let jail = format!("[DEFAULT]\nx = fromjail\n\n{J1}failregex = ^%(known/x)s <HOST>$\n");
    regression_variants(
        "filter_default_keys_are_not_merged_into_the_jail",
        &[
            (
                "unused self-referencing DEFAULT key",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", J1),
                    (
                        "filter.d/f1.conf",
                        "[DEFAULT]\nloop = %(loop)s\n\n[Definition]\nfailregex = ^fail <HOST>$\n",
                    ),
                ],
                &[&["-d"], &["-t"]],
            ),
            (
                "known/ of a filter DEFAULT key",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", &jail),
                    (
                        "filter.d/f1.conf",
                        "[DEFAULT]\nx = fromfilter\n\n[Definition]\nfailregex = ^fail <HOST>$\n",
                    ),
                ],
                &[&["-d"]],
            ),
        ],
    );
}

/// The include loop guard (`SafeConfigParserWithIncludes.__getIncludesUncached`)
/// compares unnormalised path strings (`os.path.join(resourceDir, name)` in
/// `seen`), so `before = ./f1.conf` inside f1.conf yields `…/./f1.conf`,
/// `…/././f1.conf`, … until Python's recursion limit: the whole configuration
/// fails with `Failed during configuration: maximum recursion depth exceeded
/// while calling a Python object` (exit 255). f2b instead stops when the path
/// gets too long (and dumps normally) or overflows its stack (abort).
#[test]
fn include_loop_through_dot_slash_hits_the_recursion_limit() {
    regression_variants(
        "include_loop_through_dot_slash_hits_the_recursion_limit",
        &[
            (
                "self include (f2b dumps normally)",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", J1),
                    (
                        "filter.d/f1.conf",
                        "[INCLUDES]\nbefore = ./f1.conf\n\n[Definition]\nfailregex = ^fail <HOST>$\n",
                    ),
                ],
                &[&["-d"], &["-t"]],
            ),
            (
                "two files (f2b overflows its stack)",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", J1),
                    (
                        "filter.d/f1.conf",
                        "[INCLUDES]\nbefore = ./common.conf\n\n[Definition]\nfailregex = ^fail <HOST>$\n",
                    ),
                    ("filter.d/common.conf", "[INCLUDES]\nafter = f1.conf\n"),
                ],
                &[&["-d"]],
            ),
        ],
    );
}

/// fail2ban's patterns use Python's `\w`, which is "`str.isalnum()` or
/// `_`": it takes `²` (No) and `Ⅷ` (Nl) but not combining marks (Mn, e.g.
/// U+0301) nor connector punctuation other than `_` (Pc, e.g. `‿`), unlike
/// the Unicode `\w` of Rust's regex crates. Affected: option names in
/// `name[k=v]` (helpers.py `OPTION_EXTRACT_CRE`, `OPTION_SPLIT_CRE`), the
/// section part of `%(sec/opt)s` (configparserinc.py `SECTION_OPTSUBST_CRE`)
/// and of `<sec/opt>` tags (`SECTION_OPTNAME_CRE`, used by `get_ex`).
#[test]
fn python_word_class_in_option_names_and_section_references() {
    let act = |param: &'static str| -> String {
        format!(
            "[j1]\nenabled = true\nfilter = f1\nlogpath = {{LOGS}}/a.log\nbackend = auto\naction = a1[{param}=1]\n"
        )
    };
    let a1 = ("action.d/a1.conf", "[Definition]\nactionban = ban <ip>\n");
    let (sup, comb, pc) = (act("p\u{b2}"), act("x\u{301}"), act("k\u{203f}"));
    let secref = |sec: &str| -> String {
        format!(
            "[DEFAULT]\nx = dflt\n\n[{sec}]\nenabled = false\n\n{J1}ignorecommand = %({sec}/x)s\n"
        )
    };
    let (sec_sup, sec_comb) = (secref("j\u{b2}"), secref("jx\u{301}"));
    let tag_action = "[Definition]\nactionban = ban <ip> <Init\u{b2}/p> <Initx\u{301}/p>\n\n[Init\u{b2}]\np = sup\n\n[Initx\u{301}]\np = comb\n";
    let tag_jail =
        "[j1]\nenabled = true\nfilter = f1\nlogpath = {LOGS}/a.log\nbackend = auto\naction = a1\n";
    let d: &[&[&str]] = &[&["-d"]];
    regression_variants(
        "python_word_class_in_option_names_and_section_references",
        &[
            (
                "param name p² (Python: accepted)",
                vec![MINIMAL_F2B, ("jail.conf", &sup), F1, a1],
                d,
            ),
            (
                "param name x+U+0301 (Python: wrong syntax)",
                vec![MINIMAL_F2B, ("jail.conf", &comb), F1, a1],
                d,
            ),
            (
                "param name k‿ (Python: wrong syntax)",
                vec![MINIMAL_F2B, ("jail.conf", &pc), F1, a1],
                d,
            ),
            (
                "%(j²/x)s (Python: resolves)",
                vec![MINIMAL_F2B, ("jail.conf", &sec_sup), F1],
                d,
            ),
            (
                "%(jx+U+0301/x)s (Python: not a section reference)",
                vec![MINIMAL_F2B, ("jail.conf", &sec_comb), F1],
                d,
            ),
            (
                "<Init²/p> and <Initx+U+0301/p> tags",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", tag_jail),
                    F1,
                    ("action.d/a1.conf", tag_action),
                ],
                d,
            ),
        ],
    );
}

/// `repr()` escapes what `str.isprintable()` rejects, using Python 3.11's
/// Unicode 14.0.0 database: characters assigned later (U+1FAE8 SHAKING FACE
/// and U+1F6DC WIRELESS, Unicode 15.0; U+1E4F0 NAG MUNDARI DIGIT ZERO, 15.0)
/// are still unassigned (Cn) there and print as `\U0001fae8`.
#[test]
fn repr_uses_the_unicode_14_database_of_python_3_11() {
    regression(
        "repr_uses_the_unicode_14_database_of_python_3_11",
        &[
            MINIMAL_F2B,
            (
                "jail.conf",
                &format!("{J1}ignorecommand = echo \u{1fae8} \u{1f6dc} \u{200b} \u{1e4f0}\n"),
            ),
            F1,
        ],
        &[&["-d"], &["--dp"]],
    );
}

/// `logpath` globs go through `glob.glob` → `fnmatch.translate` (Python
/// 3.11), which rewrites character classes before compiling them: a
/// reversed range inside a class is dropped (`[a-cz-x]` = `[a-c]`), a class
/// left empty never matches (`[a--]`, `[b-a]`) and a negated empty one
/// matches any character (`[!z-a]`). Logs a.log, b.log, c.log exist.
#[test]
fn glob_character_class_ranges_follow_fnmatch_translate() {
    regression(
        "glob_character_class_ranges_follow_fnmatch_translate",
        &[
            MINIMAL_F2B,
            (
                "jail.conf",
                "[j1]\nenabled = true\nfilter = f1\nbackend = auto\naction =\nlogpath = {LOGS}/[a-cz-x].log\n          {LOGS}/[!z-a].log\n          {LOGS}/[a--].log\n",
            ),
            F1,
        ],
        &[&["-d"], &["-t"]],
    );
}

/// `DefinitionInitConfigReader.__init__` (configreader.py) turns a file
/// name starting with `./` into `os.path.abspath(file_)`, relative to the
/// process's working directory; `FilterReader.setFile`/`ActionReader.setFile`
/// then join it to `filter.d`/`action.d`, which keeps the absolute path. So
/// `filter = ./f1` reads `<cwd>/f1.conf`, not `filter.d/f1.conf` (the tools
/// run in the tree's root here, where `f1.conf` and `a1.conf` exist), and the
/// action keeps `./a1` as its name. With no such file in the working
/// directory: "Found no accessible config files for '<cwd>/f1' under …".
#[test]
fn dot_slash_filter_and_action_names_are_relative_to_the_working_directory() {
    let jail = "[j1]\nenabled = true\nfilter = ./f1\nlogpath = {LOGS}/a.log\nbackend = auto\naction = ./a1\n";
    let a1 = (
        "action.d/a1.conf",
        "[Definition]\nactionban = config-ban <ip>\n",
    );
    let d: &[&[&str]] = &[&["-d"], &["-t"]];
    regression_variants(
        "dot_slash_filter_and_action_names_are_relative_to_the_working_directory",
        &[
            (
                "files in the working directory",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", jail),
                    F1,
                    a1,
                    (
                        "../f1.conf",
                        "[Definition]\nfailregex = ^from-cwd <HOST>$\n",
                    ),
                    ("../a1.conf", "[Definition]\nactionban = cwd-ban <ip>\n"),
                ],
                d,
            ),
            (
                "no files in the working directory",
                vec![MINIMAL_F2B, ("jail.conf", jail), F1, a1],
                d,
            ),
        ],
    );
}

/// "Error decoding config file" carries `str(UnicodeDecodeError)` from the
/// incremental decoder of the text file configparser iterates (Python's
/// TextIOWrapper decodes 8192-byte chunks, plus bytes of a character left
/// incomplete by the previous chunk):
/// * an invalid sequence longer than one byte is reported as a range:
///   `can't decode bytes in position 18-19: invalid continuation byte`
///   (`\xe2\x82` followed by `x`);
/// * a sequence cut by the end of the file fails in the final decode of the
///   leftover bytes only: `can't decode bytes in position 0-1: unexpected
///   end of data` (`byte … in position 0` for one byte);
/// * positions count from the start of the chunk: a bad byte at offset 9000
///   is `position 808`.
#[test]
fn utf8_decode_errors_are_reported_like_python_textiowrapper() {
    if !require_oracle("utf8_decode_errors_are_reported_like_python_textiowrapper") {
        return;
    }
    let mut far = b"[DEFAULT]\n".to_vec();
    while far.len() < 9000 - 64 {
        far.extend_from_slice(b"# padding padding padding padding padding padding padding pad\n");
    }
    while far.len() < 8999 {
        far.push(b'#');
    }
    far.extend_from_slice(b"\n\xff\n");
    assert_eq!(far.iter().position(|b| *b == 0xff), Some(9000));
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "two-byte invalid sequence",
            b"[DEFAULT]\nport = a\xe2\x82x\n".to_vec(),
        ),
        (
            "sequence cut by the end of the file",
            b"[DEFAULT]\nport = a\xe2\x82".to_vec(),
        ),
        (
            "one byte cut by the end of the file",
            b"[DEFAULT]\nport = a\xe9".to_vec(),
        ),
        ("bad byte in the second 8192-byte chunk", far),
    ];
    let mut reports = Vec::new();
    for (label, bad) in &variants {
        let files: Vec<(String, Vec<u8>)> = vec![
            (MINIMAL_F2B.0.to_string(), MINIMAL_F2B.1.as_bytes().to_vec()),
            ("jail.conf".to_string(), J1.as_bytes().to_vec()),
            (F1.0.to_string(), F1.1.as_bytes().to_vec()),
            ("jail.d/bad.conf".to_string(), bad.clone()),
        ];
        let r = byte_tree_diffs(&files, &[&["-d"]]);
        if !r.is_empty() {
            reports.push(format!("== variant {label}\n{r}"));
        }
    }
    assert!(
        reports.is_empty(),
        "utf8_decode_errors_are_reported_like_python_textiowrapper: {} of {} variants differ\n{}",
        reports.len(),
        variants.len(),
        reports.join("\n")
    );
}

/// `JailReader.getOptions` wraps any other exception raised while reading
/// an action as `ValueError("Error in action definition %r: %r" % (act, e))`:
/// the exception is formatted with `repr()`. configparser's errors define
/// `__repr__` as their message, but a `TypeError` (an action value using
/// `%(maxretry)s` while the jail's `maxretry` is invalid, i.e. `None` in the
/// vars: `"%" in None`) or a `RecursionError` (include loop through `./`,
/// see above) print as `TypeError("argument of type 'NoneType' is not
/// iterable")` and `RecursionError('maximum recursion depth exceeded while
/// calling a Python object')`. Fatal for the whole configuration.
#[test]
fn action_read_errors_are_formatted_with_repr() {
    let jail_bad_int = "[j1]\nenabled = true\nfilter = f1\nlogpath = {LOGS}/a.log\nbackend = auto\nmaxretry = x\naction = a1\n";
    let jail =
        "[j1]\nenabled = true\nfilter = f1\nlogpath = {LOGS}/a.log\nbackend = auto\naction = a1\n";
    let d: &[&[&str]] = &[&["-d"], &["-t"]];
    regression_variants(
        "action_read_errors_are_formatted_with_repr",
        &[
            (
                "TypeError from a None var",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", jail_bad_int),
                    F1,
                    (
                        "action.d/a1.conf",
                        "[Definition]\nactionban = ban <ip> %(maxretry)s\n",
                    ),
                ],
                d,
            ),
            (
                "RecursionError from an include loop",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", jail),
                    F1,
                    (
                        "action.d/a1.conf",
                        "[INCLUDES]\nbefore = ./a1.conf\n\n[Definition]\nactionban = ban <ip>\n",
                    ),
                ],
                d,
            ),
        ],
    );
}

/// A NUL character in a path that Python passes to `open()` or
/// `os.scandir()` raises `ValueError: embedded null byte`, which no reader
/// catches (`ConfigParser.read` only skips `OSError`), so the whole
/// configuration fails: "Failed during configuration: embedded null byte".
/// Reached by a filter/action name (`ConfigReaderUnshared.read` globs
/// `filter.d/<name>.d/*.conf`), an `[INCLUDES]` entry (`open`), and a
/// `logpath` glob with magic whose directory part has the NUL (`os.scandir`).
/// Only `os.path.exists`/`lexists` swallow it (a NUL in a plain `logpath` is
/// just "not found").
#[test]
fn nul_in_paths_is_a_fatal_valueerror() {
    let jail = |filter: &str, logpath: &str| {
        format!(
            "[j1]\nenabled = true\nfilter = {filter}\nlogpath = {logpath}\nbackend = auto\naction =\n"
        )
    };
    let (by_name, by_glob, plain) = (
        jail("f\u{0}1", "{LOGS}/a.log"),
        jail("f1", "{LOGS}/s\0ub/*.log"),
        jail("f1", "{LOGS}/a\0.log\n          {LOGS}/b.log"),
    );
    let d: &[&[&str]] = &[&["-d"]];
    regression_variants(
        "nul_in_paths_is_a_fatal_valueerror",
        &[
            (
                "filter name",
                vec![MINIMAL_F2B, ("jail.conf", &by_name), F1],
                d,
            ),
            (
                "include",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", J1),
                    (
                        "filter.d/f1.conf",
                        "[INCLUDES]\nbefore = com\0mon.conf\n\n[Definition]\nfailregex = ^fail <HOST>$\n",
                    ),
                ],
                d,
            ),
            (
                "logpath glob directory",
                vec![MINIMAL_F2B, ("jail.conf", &by_glob), F1],
                d,
            ),
            (
                "plain logpath (not fatal)",
                vec![MINIMAL_F2B, ("jail.conf", &plain), F1],
                d,
            ),
        ],
    );
}

/// Include chains without loops also end in Python's `RecursionError` once
/// they are deep enough, and the depth that still works depends on how deep
/// the reader already is: measured here with chains of distinct files
/// `c1.conf` → `c2.conf` → …, 488 nested includes still load for `jail`
/// and `fail2ban` (read by `Configurator.readAll`/`readEarly`), 489 fail;
/// for `filter.d/*` and `action.d/*` (read one level deeper, from
/// `JailReader.getOptions`) 487 load and 488 fail. f2b applies the filter
/// limit everywhere, so a 488-deep chain under jail.conf or fail2ban.conf
/// fails in f2b only.
#[test]
fn include_nesting_limit_depends_on_the_reader() {
    let chain = |n: usize, prefix: &str, key: &str| -> Vec<(String, String)> {
        (1..=n)
            .map(|i| {
                (
                    format!("{prefix}c{i}.conf"),
                    format!(
                        "[INCLUDES]\n{key} = c{}.conf\n\n[DEFAULT]\nv{i} = {i}\n",
                        i + 1
                    ),
                )
            })
            .collect()
    };
    let jail_before = format!("[INCLUDES]\nbefore = c1.conf\n\n{J1}");
    let jail_after = format!("[INCLUDES]\nafter = c1.conf\n\n{J1}");
    let f2b_before = format!("[INCLUDES]\nbefore = c1.conf\n\n{}", MINIMAL_F2B.1);
    let filter_before = "[INCLUDES]\nbefore = c1.conf\n\n[Definition]\nfailregex = ^fail <HOST>$\n";
    let owned = [
        (
            "jail.conf before-chain of 488",
            vec![("jail.conf".to_string(), jail_before)],
            chain(488, "", "before"),
        ),
        (
            "jail.conf after-chain of 488",
            vec![("jail.conf".to_string(), jail_after)],
            chain(488, "", "after"),
        ),
        (
            "fail2ban.conf before-chain of 488",
            vec![
                ("fail2ban.conf".to_string(), f2b_before),
                ("jail.conf".to_string(), J1.to_string()),
            ],
            chain(488, "", "before"),
        ),
        (
            "filter before-chain of 487 (identical)",
            vec![
                ("jail.conf".to_string(), J1.to_string()),
                ("filter.d/f1.conf".to_string(), filter_before.to_string()),
            ],
            chain(487, "filter.d/", "before"),
        ),
        (
            "filter before-chain of 488 (identical)",
            vec![
                ("jail.conf".to_string(), J1.to_string()),
                ("filter.d/f1.conf".to_string(), filter_before.to_string()),
            ],
            chain(488, "filter.d/", "before"),
        ),
    ];
    let variants: Vec<Variant> = owned
        .iter()
        .map(|(label, top, chain)| {
            let mut files: Vec<(&str, &str)> = Vec::new();
            if !top.iter().any(|(p, _)| p == "fail2ban.conf") {
                files.push(MINIMAL_F2B);
            }
            if !top.iter().any(|(p, _)| p.starts_with("filter.d/")) {
                files.push(F1);
            }
            files.extend(top.iter().map(|(p, c)| (p.as_str(), c.as_str())));
            files.extend(chain.iter().map(|(p, c)| (p.as_str(), c.as_str())));
            let modes: &[&[&str]] = &[&["-d"]];
            (*label, files, modes)
        })
        .collect();
    regression_variants("include_nesting_limit_depends_on_the_reader", &variants);
}

/// `JailReader.getOptions` merges the filter's combined options into the
/// jail section as `known/…` with their converted types: `maxlines` as an
/// `int`, and `None` for options that could not be read (a filter without
/// `[Definition]`: every filter option is `None`). A section-qualified
/// reference `%(j1/known/maxlines)s` takes that value as is
/// (configparserinc.py `_map_section_options`), and configparser's
/// `BasicInterpolation._interpolate_some` then tests `"%" in v`: `TypeError:
/// argument of type 'int' is not iterable` (or `'NoneType'`), fatal for the
/// whole configuration. f2b substitutes `2`/`None` as text instead (the
/// unqualified `%(known/maxlines)s` already fails like Python).
#[test]
fn section_qualified_reference_to_a_typed_known_option_is_a_typeerror() {
    let jail = |opt: &str| {
        format!(
            "[j1]\nenabled = true\nfilter = f1\nlogpath = {{LOGS}}/a.log\nbackend = auto\naction =\nignorecommand = echo %(j1/known/{opt})s\n"
        )
    };
    let (int_jail, none_jail) = (jail("maxlines"), jail("failregex"));
    let d: &[&[&str]] = &[&["-d"]];
    regression_variants(
        "section_qualified_reference_to_a_typed_known_option_is_a_typeerror",
        &[
            (
                "int (maxlines = 2)",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", &int_jail),
                    (
                        "filter.d/f1.conf",
                        "[Definition]\nfailregex = ^fail <HOST>$\nmaxlines = 2\n",
                    ),
                ],
                d,
            ),
            (
                "None (filter without [Definition])",
                vec![
                    MINIMAL_F2B,
                    ("jail.conf", &none_jail),
                    ("filter.d/f1.conf", "[Init]\nmode = normal\n"),
                ],
                d,
            ),
        ],
    );
}

/// Python lists directories with `os.scandir` on a `str` path, so a file
/// name that is not UTF-8 arrives surrogate-escaped (`b\xff.conf` →
/// `'b\udcff.conf'`) and is used like any other: `jail.d/*.conf` includes it
/// (`ConfigReaderUnshared.read`'s `glob.glob`), and a `logpath` glob adds it
/// as a log file, printed by `repr` as `'…/b\udcff.log'`. f2b skips such
/// names. Here `jail.d/b\xff.conf` enables the jail and `logs/b\xff.log` is
/// matched by `*.log`.
#[test]
fn non_utf8_file_names_are_surrogate_escaped_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    if !require_oracle("non_utf8_file_names_are_surrogate_escaped_not_skipped") {
        return;
    }
    let files: Vec<(String, Vec<u8>)> = [
        MINIMAL_F2B,
        (
            "jail.conf",
            "[j1]\nenabled = false\nfilter = f1\nlogpath = {LOGS}/*.log\nbackend = auto\naction =\n",
        ),
        F1,
    ]
    .iter()
    .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
    .collect();
    let w = write_tree(&files);
    std::fs::create_dir_all(w.conf.join("jail.d")).expect("jail.d");
    let name = |b: &[u8]| std::ffi::OsStr::from_bytes(b).to_os_string();
    std::fs::write(
        w.conf.join("jail.d").join(name(b"b\xff.conf")),
        "[j1]\nenabled = true\n",
    )
    .expect("write");
    std::fs::write(w.logs.join(name(b"b\xff.log")), "").expect("write");
    let mut diffs = compare_mode(&w.conf, &["-d"]);
    diffs.extend(compare_mode(&w.conf, &["-t"]));
    assert!(
        diffs.is_empty(),
        "non_utf8_file_names_are_surrogate_escaped_not_skipped:\n{}\n(plus jail.d/b\\xff.conf enabling j1 and logs/b\\xff.log)\n{}",
        show_files(&files),
        diffs.join("\n")
    );
}

/// configparser lower-cases option names with `str.lower()`, whose case
/// tables are Python 3.11's Unicode 14.0.0: U+A7CB LATIN CAPITAL LETTER RAMS
/// HORN (new in Unicode 16.0) has no lower-case mapping there, while Rust's
/// `to_lowercase` (Unicode 16) maps it to U+0264. So in Python `xꟋ` and `xɤ`
/// are two different keys: both may be defined in one section, and
/// `%(xꟋ)s` does not find `xɤ` (fatal "Bad value substitution … key
/// 'x\ua7cb' …").
#[test]
fn key_lowercasing_uses_the_unicode_14_case_tables() {
    let lookup = format!("{J1}x\u{264} = lower\nignorecommand = %(x\u{a7cb})s\n");
    let both = format!("{J1}x\u{a7cb} = upper\nx\u{264} = lower\nignorecommand = %(x\u{264})s\n");
    let d: &[&[&str]] = &[&["-d"]];
    regression_variants(
        "key_lowercasing_uses_the_unicode_14_case_tables",
        &[
            (
                "%(xꟋ)s does not find xɤ",
                vec![MINIMAL_F2B, ("jail.conf", &lookup), F1],
                d,
            ),
            (
                "xꟋ and xɤ are distinct keys",
                vec![MINIMAL_F2B, ("jail.conf", &both), F1],
                d,
            ),
        ],
    );
}

#[test]
fn regression_smoke_minimal_tree_is_identical() {
    regression(
        "regression_smoke_minimal_tree_is_identical",
        &[
            MINIMAL_F2B,
            (
                "jail.conf",
                "[j1]\nenabled = true\nfilter = f1\nlogpath = {LOGS}/a.log\nbackend = auto\n",
            ),
            (
                "filter.d/f1.conf",
                "[Definition]\nfailregex = ^fail <HOST>$\n",
            ),
        ],
        &[&["-d"], &["-t"]],
    );
}
