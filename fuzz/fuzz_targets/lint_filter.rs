//! `f2b lint` on an arbitrary filter file: the input bytes are written as
//! `filter.d/fuzz.conf` of an otherwise empty directory and linted with
//! every rule (regex compilation, injection search, the backtracking model,
//! dead literals, dialect checks, duplicate detection, inline comments).
//! Nothing may panic or hang; findings of any kind are normal outcomes.
#![no_main]

use f2b::lint::{LintInput, run, select::Selection};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("f2b-fuzz-lint-{}", std::process::id()));
        std::fs::create_dir_all(d.join("filter.d")).expect("scratch dir");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let path = dir().join("filter.d/fuzz.conf");
    std::fs::write(&path, data).expect("write input");
    let input = LintInput {
        conf: None,
        paths: vec![path.display().to_string()],
        samples: None,
        flavor: None,
    };
    let _ = run(&input, &Selection::default());
});
