//! Small hand-written trees for behaviours the stock trees do not exercise,
//! each compared with the installed fail2ban-client (-d and -t).

mod common;

use common::*;

/// Writes `files` into a temp tree and compares both tools on -d and -t.
fn assert_same(test: &str, files: &[(&str, &str)]) {
    if require_oracle_and_corpus(test).is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, text) in files {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let dir = tmp.path().to_str().expect("utf-8");
    for mode in ["-d", "-t", "--dp"] {
        let failures = oracle_diffs(&format!("{test} {mode}"), &["-c", dir, mode], &["client"]);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

const GENERAL: (&str, &str) = (
    "fail2ban.conf",
    "[Definition]\nloglevel = INFO\nlogtarget = STDERR\nsyslogsocket = auto\nsocket = /run/f2b.sock\npidfile = /run/f2b.pid\nallowipv6 = auto\n",
);

#[test]
fn known_maxlines_is_an_int_and_cannot_be_interpolated() {
    assert_same(
        "known_maxlines_is_an_int_and_cannot_be_interpolated",
        &[
            GENERAL,
            (
                "filter.d/t.conf",
                "[Definition]\nfailregex = x <HOST>\nmaxlines = 2\n",
            ),
            (
                "jail.conf",
                "[t]\nenabled = true\nfilter = t\nlogpath = /dev/null\nbantime = %(known/maxlines)s\n",
            ),
        ],
    );
}

#[test]
fn known_failregex_extends_the_filter_in_a_jail() {
    assert_same(
        "known_failregex_extends_the_filter_in_a_jail",
        &[
            GENERAL,
            (
                "filter.d/t.conf",
                "[Definition]\nfailregex = ^one <HOST>$\n",
            ),
            (
                "jail.conf",
                "[DEFAULT]\nbackend = auto\n[t]\nenabled = true\nfilter = t\nlogpath = /dev/null\nfailregex = %(known/failregex)s\n            ^two <HOST>$\n",
            ),
        ],
    );
}

#[test]
fn rich_rules_banaction_breaks_actname() {
    assert_same(
        "rich_rules_banaction_breaks_actname",
        &[
            GENERAL,
            ("filter.d/t.conf", "[Definition]\nfailregex = ^x <HOST>$\n"),
            (
                "action.d/a.conf",
                "[Definition]\nactionban = ban <ip> <actiontype>\n[Init]\nactiontype = <multiport>\nmultiport = -p tcp\n",
            ),
            (
                "jail.conf",
                "[DEFAULT]\nbackend = auto\nbanaction = a[actiontype=<multiport>]\n[t]\nenabled = true\nfilter = t\nlogpath = /dev/null\naction = %(banaction)s[name=%(__name__)s-tcp, actname=%(banaction)s-tcp]\n[u]\nenabled = true\nfilter = t\nlogpath = /dev/null\naction = %(banaction)s[name=%(__name__)s-tcp]\n",
            ),
        ],
    );
}
