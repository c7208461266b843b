//! The server's per-line matcher (`Filter::process_line`) behind the date
//! detector, with the stock asterisk and sshd filters.
//!
//! Input layout: `FLAGS LINES…`. The first byte chooses the set-up:
//! bit 0 = filter (asterisk / sshd), bits 1-3 = `maxlines` (1..=8, so the
//! multi-line buffer and failure ids are exercised), bit 4 = `check_all`,
//! bit 5 = `ignore_pending`, bit 6 = `usedns` (`no` / `raw`; never `yes`/
//! `warn`, which would call the system resolver), bit 7 = add two
//! ignoreregexes. The rest is split into lines at `\n` (a trailing `\r` is
//! kept, as fail2ban-regex keeps it) and decoded as lossy UTF-8; each line
//! goes through `DateDetector::detect` then `Filter::process_line`.
//! Nothing may panic; a failed search (backtracking budget) is a normal
//! outcome.
//!
//! Compiling the filter and the date detector costs far more than matching
//! (about 8 inputs/s under coverage instrumentation), so with
//! `F2B_FUZZ_REUSE=1` in the environment the compiled `Filter` and
//! `DateDetector` are kept per flag byte and reused by later inputs: much
//! faster, but the line buffer, last date, failure-id cache and detector
//! order then carry over from earlier inputs (as they do over a long log).
//! Without it (the default, and how to reproduce a crash) every input gets
//! fresh ones.
//!
//! The regex strings below are data: the expanded values fail2ban 1.0.2's
//! `fail2ban-client -d` prints for the stock `[asterisk]` and `[sshd]` jails
//! (`<HOST>` and friends are left for `Filter` to expand).
#![no_main]

use f2b::date::{DateDetector, DateOptions};
use f2b::filter::groups::LogTime;
use f2b::filter::{DateFound, Filter, FilterOptions};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::collections::HashMap;

/// `asterisk` prefregex, from `fail2ban-client -d` (stock 1.0.2 config).
const ASTERISK_PREFREGEX: &str = r#"^(?:\[\])?\s*(?:<[^.]+\.[^.]+>\s+)?(?:\S+\s+)?(?:kernel:\s?\[ *\d+\.\d+\]:?\s+)?(?:@vserver_\S+\s+)?(?:(?:(?:\s*\[\d+\])?:\s+[\[\(]?asterisk(?:\(\S+\))?[\]\)]?:?|[\[\(]?asterisk(?:\(\S+\))?[\]\)]?:?(?:\s*\[\d+\])?:?)\s+)?(?:\[ID \d+ \S+\]\s+)?(?:NOTICE|SECURITY|WARNING)(?:\s*\[\d+\]):?(?:\[C-[\da-f]*\])?:? [^:]+:\d*(?:(?: in)? [^:]+:)? <F-CONTENT>.+</F-CONTENT>$"#;
/// `asterisk` failregexes, from `fail2ban-client -d` (stock 1.0.2 config).
const ASTERISK_FAILREGEX: &[&str] = &[
    r#"^Registration from '[^']*' failed for '<HOST>(:\d+)?' - (?:Wrong password|Username/auth name mismatch|No matching peer found|Not a local domain|Device does not match ACL|Peer is not supposed to register|ACL error \(permit/deny\)|Not a local domain)$"#,
    r#"^Call from '[^']*' \((?:(?:TCP|UDP):)?<HOST>:\d+\) to extension '[^']*' rejected because extension not found in context"#,
    r#"^(?:Host )?<HOST> (?:failed (?:to authenticate\b|MD5 authentication\b)|tried to authenticate with nonexistent user\b)"#,
    r#"^No registration for peer '[^']*' \(from <HOST>\)$"#,
    r#"^hacking attempt detected '<HOST>'$"#,
    r#"^SecurityEvent="(?:FailedACL|InvalidAccountID|ChallengeResponseFailed|InvalidPassword)"(?:(?:,(?!RemoteAddress=)\w+="[^"]*")*|.*?),RemoteAddress="IPV[46]/[^/"]+/<HOST>/\d+"(?:,(?!RemoteAddress=)\w+="[^"]*")*$"#,
    r#"^"Rejecting unknown SIP connection from <HOST>(?::\d+)?"$"#,
    r#"^Request (?:'[^']*' )?from '(?:[^']*|.*?)' failed for '<HOST>(?::\d+)?'\s\(callid: [^\)]*\) - (?:No matching endpoint found|Not match Endpoint(?: Contact)? ACL|(?:Failed|Error) to authenticate)\s*$"#,
];
/// `sshd` prefregex, from `fail2ban-client -d` (stock 1.0.2 config).
const SSHD_PREFREGEX: &str = r#"^<F-MLFID>(?:\[\])?\s*(?:<[^.]+\.[^.]+>\s+)?(?:\S+\s+)?(?:kernel:\s?\[ *\d+\.\d+\]:?\s+)?(?:@vserver_\S+\s+)?(?:(?:(?:\[\d+\])?:\s+[\[\(]?sshd(?:\(\S+\))?[\]\)]?:?|[\[\(]?sshd(?:\(\S+\))?[\]\)]?:?(?:\[\d+\])?:?)\s+)?(?:\[ID \d+ \S+\]\s+)?</F-MLFID>(?:(?:error|fatal): (?:PAM: )?)?<F-CONTENT>.+</F-CONTENT>$"#;
/// `sshd` failregexes, from `fail2ban-client -d` (stock 1.0.2 config).
const SSHD_FAILREGEX: &[&str] = &[
    r#"^[aA]uthentication (?:failure|error|failed) for <F-USER>.*</F-USER> from <HOST>( via \S+)?(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User not known to the underlying authentication module for <F-USER>.*</F-USER> from <HOST>(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^Failed publickey for invalid user <F-USER>(?P<cond_user>\S+)|(?:(?! from ).)*?</F-USER> from <HOST>(?: (?:port \d+|on \S+)){0,2}(?: ssh\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$)"#,
    r#"^Failed (?:<F-NOFAIL>publickey</F-NOFAIL>|\S+) for (?P<cond_inv>invalid user )?<F-USER>(?P<cond_user>\S+)|(?(cond_inv)(?:(?! from ).)*?|[^:]+)</F-USER> from <HOST>(?: (?:port \d+|on \S+)){0,2}(?: ssh\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$)"#,
    r#"^<F-USER>ROOT</F-USER> LOGIN REFUSED FROM <HOST>"#,
    r#"^[iI](?:llegal|nvalid) user <F-USER>.*?</F-USER> from <HOST>(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> from <HOST> not allowed because not listed in AllowUsers(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> from <HOST> not allowed because listed in DenyUsers(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> from <HOST> not allowed because not in any group(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^refused connect from \S+ \(<HOST>\)"#,
    r#"^Received <F-MLFFORGET>disconnect</F-MLFFORGET> from <HOST>(?: (?:port \d+|on \S+)){0,2}:\s*3: .*: Auth fail(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> from <HOST> not allowed because a group is listed in DenyGroups(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> from <HOST> not allowed because none of user's groups are listed in AllowGroups(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^<F-NOFAIL>pam_[a-z]+\(sshd:auth\):\s+authentication failure;</F-NOFAIL>(?:\s+(?:(?:logname|e?uid|tty)=\S*)){0,4}\s+ruser=<F-ALT_USER>\S*</F-ALT_USER>\s+rhost=<HOST>(?:\s+user=<F-USER>\S*</F-USER>)?(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^maximum authentication attempts exceeded for <F-USER>.*</F-USER> from <HOST>(?: (?:port \d+|on \S+)){0,2}(?: ssh\d*)?(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^User <F-USER>\S+|.*?</F-USER> not allowed because account is locked(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*"#,
    r#"^<F-MLFFORGET>Disconnecting</F-MLFFORGET>(?: from)?(?: (?:invalid|authenticating)) user <F-USER>\S+</F-USER> <HOST>(?: (?:port \d+|on \S+)){0,2}:\s*Change of username or service not allowed:\s*.*\[preauth\]\s*$"#,
    r#"^Disconnecting: Too many authentication failures(?: for <F-USER>\S+|.*?</F-USER>)?(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*$"#,
    r#"^<F-NOFAIL>Received <F-MLFFORGET>disconnect</F-MLFFORGET></F-NOFAIL> from <HOST>(?: (?:port \d+|on \S+)){0,2}:\s*11:"#,
    r#"^<F-NOFAIL><F-MLFFORGET>(Connection (?:closed|reset)|Disconnected)</F-MLFFORGET></F-NOFAIL> (?:by|from)(?: (?:invalid|authenticating) user <F-USER>\S+|.*?</F-USER>)? <HOST>(?:(?: (?:port \d+|on \S+|\[preauth\])){0,3}\s*|\s*)$"#,
    r#"^<F-MLFFORGET><F-MLFGAINED>Accepted \w+</F-MLFGAINED></F-MLFFORGET> for <F-USER>\S+</F-USER> from <HOST>(?:\s|$)"#,
    r#"^<F-NOFAIL>Connection from</F-NOFAIL> <HOST>"#,
];

/// Ignoreregexes of our own (the stock jails have none): one on the
/// content, one with a tag, so the ignore paths run too.
const IGNOREREGEX: &[&str] = &[r#"from 192\.168\.1\.\d+"#, r#"^Accepted \S+ for \S+ from <HOST>"#];

/// A fixed "now" (2018-10-13 21:20:00 UTC, inside the generated logs'
/// range) so that a crash reproduces whatever the wall clock says.
const NOW: f64 = 1_539_465_600.0;

fn date_found(det: &mut DateDetector, line: &str) -> DateFound {
    match det.detect(line) {
        Some(m) => DateFound::Match {
            start: m.span.0,
            end: m.span.1,
            time: m.time.map(|secs| LogTime {
                secs,
                is_int: m.time_is_int,
            }),
        },
        None => DateFound::NoMatch,
    }
}

fn build(flags: u8) -> (Filter, DateDetector) {
    let sshd = flags & 1 != 0;
    let opts = FilterOptions {
        use_dns: if flags & 0x40 != 0 { "raw" } else { "no" }.into(),
        maxlines: 1 + ((flags >> 1) & 7) as usize,
        check_all: flags & 0x10 != 0,
        ignore_pending: flags & 0x20 != 0,
        ..FilterOptions::default()
    };
    let mut filter = Filter::new(opts);
    let (pref, fails) = if sshd {
        (SSHD_PREFREGEX, SSHD_FAILREGEX)
    } else {
        (ASTERISK_PREFREGEX, ASTERISK_FAILREGEX)
    };
    filter.set_prefregex(pref).expect("stock prefregex compiles");
    for f in fails {
        filter.add_failregex(f).expect("stock failregex compiles");
    }
    if flags & 0x80 != 0 {
        for i in IGNOREREGEX {
            filter.add_ignoreregex(i).expect("ignoreregex compiles");
        }
    }
    let mut dopts = DateOptions::system();
    dopts.now = NOW;
    dopts.year = 2018;
    dopts.wall_clock = Some(NOW);
    (filter, DateDetector::new_default(dopts))
}

thread_local! {
    static REUSE: bool = std::env::var_os("F2B_FUZZ_REUSE").is_some_and(|v| v == "1");
    static CACHE: RefCell<HashMap<u8, (Filter, DateDetector)>> = RefCell::new(HashMap::new());
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if REUSE.with(|r| *r) {
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            // Bound memory: at most 32 compiled set-ups at a time.
            if c.len() >= 32 && !c.contains_key(&flags) {
                c.clear();
            }
            let (filter, det) = c.entry(flags).or_insert_with(|| build(flags));
            feed(filter, det, rest);
            filter.budget_warnings.clear();
        });
    } else {
        let (mut filter, mut det) = build(flags);
        feed(&mut filter, &mut det, rest);
    }
});

fn feed(filter: &mut Filter, det: &mut DateDetector, rest: &[u8]) {
    for raw in rest.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(raw);
        let date = date_found(det, &line);
        let res = filter.process_line(&line, date, NOW);
        // Touch what fail2ban-regex reads from the result.
        for f in &res.failures {
            let _ = f.is_nofail();
            let _ = f.fid.as_ref().map(|ip| ip.ntoa());
        }
        let _ = res.without_date.len();
    }
}
