//! Arbitrary bytes through the INI reader, then every value through
//! interpolation (`get`, not raw) and the `name[k=v]` parameter parsers.
//! Errors are expected; panics, hangs and OOMs are bugs.
#![no_main]

use f2b::config::params::{extract_options, split_with_options};
use f2b::config::parser::CfgParser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = f2b::ini::parse(text, 0) else {
        return;
    };
    let parser = CfgParser::from_file(&file);

    // Every key where it is defined (DEFAULT keys through DEFAULT), plus
    // DEFAULT keys seen from the first few sections (they interpolate with
    // that section's `__name__` and values).
    let mut own: Vec<(&str, &str)> = file
        .defaults
        .keys()
        .map(|k| ("DEFAULT", k.as_str()))
        .collect();
    let mut inherited: Vec<(&str, &str)> = Vec::new();
    for (i, (name, sec)) in file.sections.iter().enumerate() {
        for k in sec.entries.keys() {
            own.push((name, k));
        }
        if i < 4 {
            for k in file.defaults.keys() {
                inherited.push((name, k));
            }
        }
    }
    for (section, option) in own.iter().chain(inherited.iter()) {
        let _ = parser.get(section, option, false, None);
        let _ = parser.get_ex(section, option, None);
    }
    // The parameter grammars, once per written value.
    for (section, option) in &own {
        if let Ok(Some(raw)) = parser.get(section, option, true, None) {
            let _ = extract_options(&raw);
            let _ = split_with_options(&raw);
        }
    }
});
