//! Interpolation with caller-supplied vars, and merging of two files.
//!
//! Input layout: `A \0 B`. `A` is parsed as a config file; every key is
//! read with `get` using vars built from a few other keys of the same file
//! (one of them mapped to Python's `None`). If `B` is present it is parsed
//! too, merged on top of `A` with `merge_file` (conditional sections and
//! `KNOWN/` bookkeeping), and every key is read again, also through
//! `get_ex` (`sec/opt` and `known/opt` names).
#![no_main]

use f2b::config::parser::{CfgParser, Vars};
use libfuzzer_sys::fuzz_target;

fn read_all(parser: &CfgParser) {
    let mut sections: Vec<String> = vec!["DEFAULT".into()];
    sections.extend(parser.sections.keys().cloned());
    let mut keys: Vec<String> = parser.defaults.keys().cloned().collect();
    for s in parser.sections.values() {
        keys.extend(s.keys().cloned());
    }
    keys.truncate(64);

    for (i, section) in sections.iter().enumerate().take(16) {
        for (j, option) in keys.iter().enumerate() {
            let _ = parser.get(section, option, false, None);
            // vars from up to three other keys, values taken raw from the
            // DEFAULT/section so that vars can themselves interpolate.
            let mut vars = Vars::default();
            for (n, k) in keys.iter().enumerate().skip(j + 1).take(3) {
                let v = parser.get(section, k, true, None).ok().flatten();
                let v = if (n + i) % 4 == 0 { None } else { v };
                vars.insert(k.clone(), v);
            }
            if let Some(k) = keys.get((j + i) % keys.len().max(1)) {
                // A second `None` entry, keyed by another key of the file.
                vars.entry(k.clone()).or_insert(None);
            }
            let _ = parser.get(section, option, false, Some(&vars));
            let _ = parser.get_ex(section, option, Some(&vars));
            let _ = parser.get_ex(section, &format!("known/{option}"), None);
            let _ = parser.get_ex(section, &format!("default/{option}"), None);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(a) = std::str::from_utf8(a) else {
        return;
    };
    let Ok(fa) = f2b::ini::parse(a, 0) else {
        return;
    };
    let mut parser = CfgParser::from_file(&fa);
    read_all(&parser);

    let Some(b) = b else { return };
    let Ok(b) = std::str::from_utf8(b) else {
        return;
    };
    let Ok(fb) = f2b::ini::parse(b, 1) else {
        return;
    };
    parser.merge_file(&fb);
    // Merging the same file twice exercises the KNOWN/ overrides path.
    parser.merge_file(&fa);
    read_all(&parser);
});
