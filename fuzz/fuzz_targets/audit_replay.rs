//! The ban engine on arbitrary log text: the input is written as the log of
//! f2b's built-in jails (asterisk, sshd and recidive, with
//! `bantime.increment` on for asterisk) and replayed. Dates far in the past
//! or future, lines out of order, undecodable bytes and huge lines must give
//! results or warnings, never a panic or a hang.
#![no_main]

use f2b::ban::jail::ReplayConfig;
use f2b::ban::{Replay, ReplayInputs};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Setup {
    replay: Replay,
    log: std::path::PathBuf,
    /// Kept (a static is never dropped) so the directory lives for the
    /// whole run; `mem::forget` made LeakSanitizer report it.
    _tree: f2b::audit::builtin::ScratchTree,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let tree = f2b::audit::builtin::write_builtin().expect("built-in tree");
        std::fs::create_dir_all(tree.dir.join("jail.d")).expect("jail.d");
        std::fs::write(
            tree.dir.join("jail.d/zz-fuzz.local"),
            "[asterisk]\nbantime.increment = true\nbantime.maxtime = 1w\nmaxretry = 2\n",
        )
        .expect("write");
        let cfg = ReplayConfig::from_dir(&tree.dir.display().to_string()).expect("config");
        let log = tree.dir.join("messages");
        Setup {
            replay: Replay::new(cfg),
            log,
            _tree: tree,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    std::fs::write(&s.log, data).expect("write log");
    let log = s.log.display().to_string();
    let inputs = ReplayInputs {
        logs: vec![
            ("asterisk".into(), vec![log.clone()]),
            ("sshd".into(), vec![log]),
        ],
        tz: Some("UTC".into()),
        now: Some(1_800_000_000.0),
        ..Default::default()
    };
    let _ = s.replay.run(&inputs);
});
