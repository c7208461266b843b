//! A whole configuration directory through `fail2ban-client -d`.
//!
//! Input layout: `JAIL \0 FILTER`. `JAIL` becomes `jail.conf` and `FILTER`
//! becomes `filter.d/test.conf`, written next to a fixed minimal
//! `fail2ban.conf` and `action.d/test.conf` (so that a fuzzed jail can get
//! past the general options and find an action) in a fresh temp dir.
//! `f2b::client::run` with dump mode must never panic.
#![no_main]

use f2b::client::{ClientOptions, DumpMode, run};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering};

const FAIL2BAN_CONF: &str = "[DEFAULT]\nloglevel = INFO\nlogtarget = STDERR\n\
syslogsocket = auto\nsocket = /var/run/fail2ban/fail2ban.sock\n\
pidfile = /var/run/fail2ban/fail2ban.pid\n\
dbfile = /var/lib/fail2ban/fail2ban.sqlite3\ndbpurgeage = 1d\ndbmaxmatches = 10\n\
[Definition]\n[Thread]\n";

const ACTION_CONF: &str = "[Definition]\nactionstart = echo start <name>\n\
actionban = echo ban <ip> <port>\nactionunban = echo unban <ip>\n\
[Init]\nname = default\nport = ssh\n";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes the directory even if `run` panics, so a crash leaves no litter.
struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fuzz_target!(|data: &[u8]| {
    let (jail, filter) = match data.iter().position(|&c| c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = TempDir(
        std::env::temp_dir().join(format!("f2b-fuzz-config-tree-{}-{n}", std::process::id())),
    );
    let root = &dir.0;
    std::fs::create_dir_all(root.join("filter.d")).expect("mkdir filter.d");
    std::fs::create_dir_all(root.join("action.d")).expect("mkdir action.d");
    std::fs::write(root.join("fail2ban.conf"), FAIL2BAN_CONF).expect("write");
    std::fs::write(root.join("action.d/test.conf"), ACTION_CONF).expect("write");
    std::fs::write(root.join("jail.conf"), jail).expect("write");
    std::fs::write(root.join("filter.d/test.conf"), filter).expect("write");

    let opts = ClientOptions {
        conf: root.to_string_lossy().into_owned(),
        dump: Some(DumpMode::Plain),
        ..Default::default()
    };
    let _ = run(&opts);
});
