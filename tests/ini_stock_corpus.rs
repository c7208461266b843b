//! The INI reader against Python's configparser (as fail2ban configures it)
//! on every .conf/.local file of both stock trees and both tests-config
//! trees: every section, key and raw value must be identical.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const PY: &str = r#"
import json, sys
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from fail2ban.client.configparserinc import SafeConfigParserWithIncludes
out = {}
for path in sys.argv[1:]:
    p = SafeConfigParserWithIncludes()
    try:
        p.read([path], get_includes=False)
        out[path] = {"DEFAULT": dict(p._defaults),
                     "sections": {n: dict(s) for n, s in p._sections.items()}}
    except Exception as e:
        out[path] = {"error": str(e)}
print(json.dumps(out))
"#;

fn config_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            config_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "conf" || x == "local") {
            out.push(p);
        }
    }
}

#[test]
fn reader_matches_python_configparser_on_every_stock_file() {
    let Some(compat) = require_oracle_and_corpus("ini_stock_corpus") else {
        return;
    };
    let mut files = Vec::new();
    for v in ["fail2ban-1.0.2", "fail2ban-upstream"] {
        config_files(&compat.join(v).join("config"), &mut files);
        config_files(&compat.join(v).join("tests-config"), &mut files);
    }
    files.sort();
    let out = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(PY)
        .args(&files)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let (mut values, mut mismatches) = (0, Vec::new());
    for f in &files {
        let key = f.to_string_lossy().to_string();
        let exp = &expected[&key];
        let text = std::fs::read_to_string(f).expect("utf-8 stock file");
        let parsed = f2b::ini::parse(&text, 0);
        match parsed {
            Err(e) => {
                let py = exp["error"].as_str().unwrap_or("<no error>");
                if e.python_message(&key) != py {
                    mismatches.push(format!(
                        "{key}: error {:?} vs python {:?}",
                        e.python_message(&key),
                        py
                    ));
                }
            }
            Ok(ini) => {
                let mut pairs: Vec<(&str, &str, &str, &serde_json::Value)> = Vec::new();
                for (k, e) in &ini.defaults {
                    pairs.push(("DEFAULT", k, &e.value.text, &exp["DEFAULT"][k]));
                }
                for (name, sec) in &ini.sections {
                    for (k, e) in &sec.entries {
                        pairs.push((name, k, &e.value.text, &exp["sections"][name][k]));
                    }
                }
                for (sec, k, v, py) in pairs {
                    values += 1;
                    if py.as_str() != Some(v) {
                        mismatches.push(format!("{key} [{sec}] {k}: {v:?} vs python {py}"));
                    }
                }
                for (name, sec) in &ini.sections {
                    let py_count = exp["sections"][name].as_object().map_or(0, |o| o.len());
                    if py_count != sec.entries.len() {
                        mismatches.push(format!(
                            "{key} [{name}]: {} keys vs python {py_count}",
                            sec.entries.len()
                        ));
                    }
                }
                let py_sections = exp["sections"].as_object().map_or(0, |o| o.len());
                if py_sections != ini.sections.len() {
                    mismatches.push(format!(
                        "{key}: {} sections vs python {py_sections}",
                        ini.sections.len()
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!(
        "{} files, {values} values identical to Python's configparser",
        files.len()
    );
    assert!(values > 2500, "too few values compared: {values}");
}
