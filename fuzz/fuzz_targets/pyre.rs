//! `PATTERN \0 TEXT`: compile the pattern as Python would; when it compiles,
//! search the text (small backtrack limit) and check the gate builds and
//! accepts every haystack the regex matches.
#![no_main]

use f2b::pyre::{self, Flags, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (pat, text) = s.split_once('\0').unwrap_or((s, "a b\n"));
    if pat.len() > 300 {
        return;
    }
    let flags = Flags {
        ignorecase: pat.len() % 3 == 0,
        multiline: pat.len() % 5 == 0,
        ..Flags::default()
    };
    let opts = Options {
        backtrack_limit: 20_000,
        ..Options::default()
    };
    let Ok(re) = pyre::compile_with(pat, flags, opts) else {
        return;
    };
    let _ = re.search_range(text, 1, text.len());
    if let Ok(Some(m)) = re.search(text) {
        for i in 0..=re.group_count() {
            let _ = m.as_str(i);
        }
        if let Ok(hit) = pyre::gate_is_match(&re, text) {
            assert!(hit, "gate {:?} misses {:?}", re.gate(), text);
        }
    }
});
