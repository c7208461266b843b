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

    let mut targets: Vec<(String, String)> = file
        .defaults
        .keys()
        .map(|k| ("DEFAULT".to_string(), k.clone()))
        .collect();
    for (name, sec) in &file.sections {
        for k in sec.entries.keys() {
            targets.push((name.clone(), k.clone()));
        }
        // DEFAULT keys are visible from every section too.
        for k in file.defaults.keys() {
            targets.push((name.clone(), k.clone()));
        }
    }
    for (section, option) in &targets {
        let _ = parser.get(section, option, false, None);
        let _ = parser.get_ex(section, option, None);
        if let Ok(Some(raw)) = parser.get(section, option, true, None) {
            let _ = extract_options(&raw);
            let _ = split_with_options(&raw);
        }
    }
});
