//! Inputs the fuzz targets in `fuzz/` care about, kept as ordinary tests:
//! nasty hand-written inputs and (when the fuzzers find one) every crasher,
//! inline. Each test asserts that nothing panics and pins the outcome seen.
//! See docs/fuzzing.md.

use f2b::client::{ClientOptions, DumpMode, run};
use f2b::config::params::{extract_options, split_with_options};
use f2b::config::parser::{CfgParser, GetError, Vars};
use f2b::ini::{self, IniError, IniFile};
use f2b::source::SString;

/// What the `ini_reader` fuzz target does with one input, minus the
/// "ignore every error": parse, then `get` (interpolated) every key, plus the
/// parameter parsers on every raw value.
fn exercise(bytes: &[u8]) -> Result<IniFile, IniError> {
    let text = std::str::from_utf8(bytes).expect("test inputs are UTF-8");
    let file = ini::parse(text, 0)?;
    let parser = CfgParser::from_file(&file);
    for k in file.defaults.keys() {
        let _ = parser.get("DEFAULT", k, false, None);
    }
    for (name, sec) in &file.sections {
        for k in sec.entries.keys().chain(file.defaults.keys()) {
            let _ = parser.get(name, k, false, None);
            let _ = parser.get_ex(name, k, None);
            if let Ok(Some(raw)) = parser.get(name, k, true, None) {
                let _ = extract_options(&raw);
                let _ = split_with_options(&raw);
            }
        }
    }
    Ok(file)
}

fn parser_of(text: &str) -> CfgParser {
    CfgParser::from_file(&ini::parse(text, 0).expect("parses"))
}

fn get(p: &CfgParser, section: &str, option: &str) -> Result<Option<String>, GetError> {
    p.get(section, option, false, None)
        .map(|v| v.map(|s| s.text))
}

fn fatal_message(r: Result<Option<String>, GetError>) -> String {
    match r {
        Err(GetError::Fatal(e)) => e.message,
        other => panic!("expected a fatal interpolation error, got {other:?}"),
    }
}

/// A chain `a0 = %(a1)s`, …, `a{n-1} = %(a{n})s`, `a{n} = end`.
fn chain(n: usize) -> String {
    let mut s = String::from("[s]\n");
    for i in 0..n {
        s.push_str(&format!("a{i} = <%(a{})s>\n", i + 1));
    }
    s.push_str(&format!("a{n} = end\n"));
    s
}

// ---------------------------------------------------------------- recursion

#[test]
fn interpolation_chain_of_ten_resolves() {
    // Ten nested substitutions: a0 at depth 1 .. a9 at depth 10 (the limit).
    let p = parser_of(&chain(10));
    assert_eq!(
        get(&p, "s", "a0").unwrap().as_deref(),
        Some("<<<<<<<<<<end>>>>>>>>>>")
    );
}

#[test]
fn interpolation_chain_of_eleven_hits_the_recursion_limit() {
    let p = parser_of(&chain(11));
    let m = fatal_message(get(&p, "s", "a0"));
    assert!(
        m.starts_with("Recursion limit exceeded in value substitution: option 'a0' in section 's'"),
        "{m}"
    );
    assert!(m.ends_with("Raw value: '<%(a1)s>'"), "{m}");
    // One step shorter from the other end of the chain is fine.
    assert_eq!(
        get(&p, "s", "a1").unwrap().as_deref(),
        Some("<<<<<<<<<<end>>>>>>>>>>")
    );
}

#[test]
fn very_long_interpolation_chain_stops_at_the_limit() {
    // 5000 links: must stop after 10 levels, not walk (or overflow) the stack.
    let text = chain(5000);
    let file = exercise(text.as_bytes()).expect("parses");
    assert_eq!(file.sections["s"].entries.len(), 5001);
    let p = CfgParser::from_file(&file);
    let m = fatal_message(get(&p, "s", "a0"));
    assert!(m.starts_with("Recursion limit exceeded"), "{m}");
    assert_eq!(get(&p, "s", "a5000").unwrap().as_deref(), Some("end"));
}

#[test]
fn self_and_mutual_references_hit_the_recursion_limit() {
    let p = parser_of("[DEFAULT]\nx = %(y)s\ny = %(x)s\n[s]\na = %(a)s\n");
    assert!(fatal_message(get(&p, "s", "a")).starts_with("Recursion limit exceeded"));
    assert!(fatal_message(get(&p, "s", "x")).starts_with("Recursion limit exceeded"));
    assert!(fatal_message(get(&p, "DEFAULT", "y")).starts_with("Recursion limit exceeded"));
}

#[test]
fn wide_fan_out_of_references_is_not_exponential() {
    // Each level references the next one twice: 2^10 leaf expansions at the
    // depth limit, which must still finish quickly.
    let mut s = String::from("[s]\n");
    for i in 0..10 {
        s.push_str(&format!("b{i} = %(b{0})s%(b{0})s\n", i + 1));
    }
    s.push_str("b10 = x\n");
    let p = parser_of(&s);
    let v = get(&p, "s", "b0").unwrap().unwrap();
    assert_eq!(v.len(), 1024);
    assert!(v.bytes().all(|b| b == b'x'));
}

// ------------------------------------------------------ malformed references

#[test]
fn unterminated_reference_is_a_bad_reference() {
    let p = parser_of("[s]\na = x %(\nb = %(name\nc = %(c)\nd = %()s\ne = 100%\n");
    assert_eq!(
        fatal_message(get(&p, "s", "a")),
        "bad interpolation variable reference '%('"
    );
    assert_eq!(
        fatal_message(get(&p, "s", "b")),
        "bad interpolation variable reference '%(name'"
    );
    assert_eq!(
        fatal_message(get(&p, "s", "c")),
        "bad interpolation variable reference '%(c)'"
    );
    assert_eq!(
        fatal_message(get(&p, "s", "d")),
        "bad interpolation variable reference '%()s'"
    );
    assert_eq!(
        fatal_message(get(&p, "s", "e")),
        "'%' must be followed by '%' or '(', found: '%'"
    );
}

#[test]
fn percent_escapes_and_unknown_names() {
    let p = parser_of("[s]\na = 100%%\nb = %(nope)s\nc = %(A)s\n[t]\nx = %(__name__)s\n");
    assert_eq!(get(&p, "s", "a").unwrap().as_deref(), Some("100%"));
    let m = fatal_message(get(&p, "s", "b"));
    assert!(
        m.starts_with(
            "Bad value substitution: option 'b' in section 's' contains an interpolation key 'nope'"
        ),
        "{m}"
    );
    // Names are lower-cased before lookup, so `%(A)s` finds `a`.
    assert_eq!(get(&p, "s", "c").unwrap().as_deref(), Some("100%"));
    assert_eq!(get(&p, "t", "x").unwrap().as_deref(), Some("t"));
}

#[test]
fn none_from_vars_is_a_type_error_not_a_panic() {
    let p = parser_of("[s]\na = %(v)s\n");
    let mut vars = Vars::default();
    vars.insert("v".into(), None);
    let r = p.get("s", "a", false, Some(&vars));
    assert_eq!(
        fatal_message(r.map(|v| v.map(|s| s.text))),
        "argument of type 'NoneType' is not iterable"
    );
    // The option itself supplied as None through vars is Ok(None).
    vars.insert("a".into(), None);
    assert!(matches!(p.get("s", "a", false, Some(&vars)), Ok(None)));
}

#[test]
fn missing_section_and_option() {
    let p = parser_of("[s]\na = 1\n");
    assert!(matches!(get(&p, "nope", "a"), Err(GetError::NoSection(_))));
    assert!(matches!(get(&p, "s", "b"), Err(GetError::NoOption { .. })));
    assert!(matches!(
        get(&p, "DEFAULT", "b"),
        Err(GetError::NoOption { .. })
    ));
}

#[test]
fn section_option_references_to_hidden_and_missing_sections() {
    let mut p = parser_of(
        "[DEFAULT]\nd = dv\n[s]\na = %(known/a)s+\nb = %(t/x)s\nc = %(default/d)s\ne = %(zz/q)s\n[t]\nx = %(known/x)s\n",
    );
    // known/a with no KNOWN/s section falls back to DEFAULT, which lacks `a`.
    assert!(fatal_message(get(&p, "s", "a")).starts_with("Bad value substitution"));
    assert!(fatal_message(get(&p, "s", "b")).starts_with("Bad value substitution"));
    assert_eq!(get(&p, "s", "c").unwrap().as_deref(), Some("dv"));
    assert!(fatal_message(get(&p, "s", "e")).starts_with("Bad value substitution"));
    // After a merge that overrides `a`, known/a is the previous raw value.
    let over = ini::parse("[s]\na = new %(known/a)s\n", 1).unwrap();
    p.merge_file(&over);
    assert!(p.has_section("KNOWN/s"));
    let m = fatal_message(get(&p, "s", "a"));
    assert!(m.starts_with("Recursion limit exceeded"), "{m}");
}

// ------------------------------------------------------------- line endings

#[test]
fn lone_carriage_returns_end_lines() {
    let f = exercise(b"[s]\ra = 1\rb = 2\r\n  more\rc=3").unwrap();
    let s = &f.sections["s"].entries;
    assert_eq!(s["a"].value.text, "1");
    assert_eq!(s["b"].value.text, "2\nmore");
    assert_eq!(s["c"].value.text, "3");
}

#[test]
fn lone_carriage_return_only() {
    assert_eq!(exercise(b"\r").unwrap().sections.len(), 0);
    assert_eq!(exercise(b"\r\r\r\n\n").unwrap().sections.len(), 0);
    let f = exercise(b"[s]\na =\r\r\r").unwrap();
    assert_eq!(f.sections["s"].entries["a"].value.text, "");
}

// --------------------------------------------------------------- NUL bytes

#[test]
fn nul_bytes_are_ordinary_characters() {
    let f = exercise(b"[s\0]\nk\0ey = va\0lue\n").unwrap();
    assert_eq!(f.sections["s\0"].entries["k\0ey"].value.text, "va\0lue");
    let e = exercise(b"\0").unwrap_err();
    assert!(
        matches!(e, IniError::MissingSectionHeader { lineno: 1, .. }),
        "{e:?}"
    );
    let e = exercise(b"[s]\n\0\n").unwrap_err();
    match e {
        IniError::Parsing { errors } => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].0, 2);
            assert_eq!(errors[0].1, "\0\n");
        }
        other => panic!("{other:?}"),
    }
}

// -------------------------------------------------------------- long lines

#[test]
fn hundred_thousand_char_value() {
    let mut text = String::from("[s]\na = ");
    text.push_str(&"x".repeat(100_000));
    text.push('\n');
    let f = exercise(text.as_bytes()).unwrap();
    assert_eq!(f.sections["s"].entries["a"].value.text.len(), 100_000);
}

#[test]
fn hundred_thousand_char_key_and_section_name() {
    let name = "n".repeat(100_000);
    let text = format!("[{name}]\n{name} = v\n");
    let f = exercise(text.as_bytes()).unwrap();
    assert_eq!(
        f.sections[name.as_str()].entries[name.as_str()].value.text,
        "v"
    );
}

#[test]
fn hundred_thousand_char_line_without_delimiter() {
    let text = format!("[s]\n{}\n", "y".repeat(100_000));
    match exercise(text.as_bytes()).unwrap_err() {
        IniError::Parsing { errors } => assert_eq!(errors[0].1.len(), 100_001),
        other => panic!("{other:?}"),
    }
}

#[test]
fn long_parameter_lists_and_percent_runs() {
    // 25,000 options in one `name[...]`, and 50,000 escaped percents.
    let opts = format!("act[{}]", vec!["k=v"; 25_000].join(","));
    let p = extract_options(&SString::synthetic(opts.as_str())).unwrap();
    assert_eq!(p.name.text, "act");
    assert_eq!(p.options.len(), 1);
    assert_eq!(p.options["k"].text, "v");
    let parts = split_with_options(&SString::synthetic([opts.as_str(); 4].join("\n"))).unwrap();
    assert_eq!(parts.len(), 4);

    let text = format!("[s]\na = {}\n", "%%".repeat(50_000));
    let p = parser_of(&text);
    assert_eq!(get(&p, "s", "a").unwrap().unwrap().len(), 50_000);
}

#[test]
fn long_unbalanced_brackets_in_parameters() {
    let s = format!("a{}", "[".repeat(100_000));
    let r = extract_options(&SString::synthetic(s.as_str()));
    assert_eq!(r.unwrap_err().message, "unexpected option syntax");
    let s = format!("a[{}", "]".repeat(100_000));
    let e = extract_options(&SString::synthetic(s.as_str())).unwrap_err();
    assert_eq!(
        e.message,
        format!("expected option, wrong syntax at 0: {}", "]".repeat(25))
    );
    assert_eq!((e.offset, e.len), (2, 99_999));
    let parts = split_with_options(&SString::synthetic(s.as_str())).unwrap();
    assert_eq!(parts.iter().map(|p| p.text.len()).sum::<usize>(), s.len());
}

// ------------------------------------------------------ headers without `]`

#[test]
fn open_bracket_without_close() {
    // Before any section: not a header, so "no section headers".
    let e = exercise(b"[s\na = 1\n").unwrap_err();
    assert!(
        matches!(e, IniError::MissingSectionHeader { lineno: 1, .. }),
        "{e:?}"
    );
    // Inside a section: neither header nor key.
    match exercise(b"[s]\n[t\na = 1\n").unwrap_err() {
        IniError::Parsing { errors } => {
            assert_eq!(errors.len(), 1);
            assert_eq!((errors[0].0, errors[0].1.as_str()), (2, "[t\n"));
        }
        other => panic!("{other:?}"),
    }
    // `[` alone, and `[]` (the header needs one character).
    assert!(matches!(
        exercise(b"[").unwrap_err(),
        IniError::MissingSectionHeader { .. }
    ));
    assert!(matches!(
        exercise(b"[]").unwrap_err(),
        IniError::MissingSectionHeader { .. }
    ));
    // A `[` line that has a delimiter is a key.
    let f = exercise(b"[s]\n[t = 1\n").unwrap();
    assert_eq!(f.sections["s"].entries["[t"].value.text, "1");
    // Greedy: the last `]` closes the header.
    let f = exercise(b"[a]b]\n[]]\n").unwrap();
    assert!(f.sections.contains_key("a]b"));
    assert!(f.sections.contains_key("]"));
}

// ------------------------------------------------- non-ASCII whitespace

#[test]
fn nbsp_indentation_continues_a_value() {
    let f = exercise("[s]\na = 1\n\u{a0}b = 2\n".as_bytes()).unwrap();
    let s = &f.sections["s"].entries;
    assert_eq!(s["a"].value.text, "1\nb = 2");
    assert!(!s.contains_key("b"));
}

#[test]
fn file_separator_indentation_continues_a_value() {
    let f = exercise("[s]\na = 1\n\u{1c}b = 2\n\u{1f}\u{85}c\n".as_bytes()).unwrap();
    let s = &f.sections["s"].entries;
    assert_eq!(s["a"].value.text, "1\nb = 2\nc");
}

#[test]
fn unicode_whitespace_is_stripped_around_keys_values_and_headers() {
    let f = exercise("\u{3000}[s]\u{2028}\nkey\u{a0}=\u{a0}v\u{1c}\n".as_bytes()).unwrap();
    assert_eq!(f.sections["s"].entries["key"].value.text, "v");
    // U+200B (zero width space) is not whitespace to Python.
    let f = exercise("[s]\na = 1\n\u{200b}b = 2\n".as_bytes()).unwrap();
    assert_eq!(f.sections["s"].entries["\u{200b}b"].value.text, "2");
}

#[test]
fn whitespace_only_indentation_before_any_section() {
    let e = exercise("\u{a0}k = v\n".as_bytes()).unwrap_err();
    assert!(
        matches!(e, IniError::MissingSectionHeader { lineno: 1, .. }),
        "{e:?}"
    );
}

#[test]
fn non_ascii_key_lowercasing_changes_length() {
    // 'İ'.lower() is two code points in Python and in Rust; spans must cope.
    let f = exercise("[s]\n\u{130}x = 1\n".as_bytes()).unwrap();
    assert_eq!(f.sections["s"].entries["i\u{307}x"].raw_key, "\u{130}x");
    let p = CfgParser::from_file(&f);
    assert_eq!(get(&p, "s", "\u{130}X").unwrap().as_deref(), Some("1"));
}

// -------------------------------------------------------- merge and config tree

#[test]
fn merging_conditional_sections_and_known_overrides() {
    let a = ini::parse("[s]\na = 1\nb = %(a)s\n[s?family=inet6]\na = 6\n", 0).unwrap();
    let b = ini::parse("[s]\na = 2 %(known/a)s\n[s?x=]\n", 1).unwrap();
    let mut p = CfgParser::from_file(&a);
    p.merge_file(&b);
    p.merge_file(&a);
    assert_eq!(get(&p, "s", "a").unwrap().as_deref(), Some("1"));
    assert_eq!(get(&p, "s", "b").unwrap().as_deref(), Some("1"));
}

/// What the `config_tree` fuzz target does: a conf dir with a fixed
/// fail2ban.conf, a fuzzed jail.conf and filter.d/test.conf.
fn run_tree(jail: &[u8], filter: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("filter.d")).unwrap();
    std::fs::create_dir_all(root.join("action.d")).unwrap();
    std::fs::write(
        root.join("fail2ban.conf"),
        "[DEFAULT]\nloglevel = INFO\nlogtarget = STDERR\n[Definition]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("action.d/test.conf"),
        "[Definition]\nactionban = echo ban <ip>\n[Init]\nname = default\n",
    )
    .unwrap();
    std::fs::write(root.join("jail.conf"), jail).unwrap();
    std::fs::write(root.join("filter.d/test.conf"), filter).unwrap();
    let out = run(&ClientOptions {
        conf: root.to_string_lossy().into_owned(),
        dump: Some(DumpMode::Plain),
        ..Default::default()
    });
    (out.exit_code, out.stdout)
}

#[test]
fn config_tree_minimal_jail_dumps() {
    let (code, out) = run_tree(
        b"[t]\nenabled = true\nfilter = test\naction = test\nlogpath = /dev/null\nbackend = polling\n",
        b"[Definition]\nfailregex = ^<HOST> bad$\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("['add', 't', 'polling']"), "{out}");
    assert!(
        out.contains("['set', 't', 'addfailregex', '^<HOST> bad$']"),
        "{out}"
    );
}

#[test]
fn config_tree_nasty_inputs_do_not_panic() {
    let cases: &[(&[u8], &[u8], i32)] = &[
        // Empty jail.conf: nothing to start, a valid (empty) stream.
        (b"", b"", 0),
        // Not UTF-8: skipped with an error, like fail2ban.
        (b"\xff\xfe[t]\n", b"", 0),
        // Unterminated reference in an enabled jail.
        (b"[t]\nenabled = true\nfilter = test[x=%(]\nlogpath = /dev/null\n", b"[Definition]\n", 255),
        // Recursion through the filter option.
        (b"[t]\nenabled = true\nfilter = %(filter)s\n", b"", 255),
        // Unbalanced brackets in filter and action.
        (b"[t]\nenabled = true\nfilter = test[[[\naction = test]]]\nlogpath = /dev/null\n", b"[Definition]\n", 255),
        // Filter file with a header that never closes.
        (b"[t]\nenabled = true\nfilter = test\nlogpath = /dev/null\n", b"[Definition\nfailregex = x\n", 255),
        // Self-including filter.
        (b"[t]\nenabled = true\nfilter = test\nlogpath = /dev/null\n", b"[INCLUDES]\nbefore = test.conf\nafter = test.conf\n[Definition]\nfailregex = ^<HOST>$\n", 0),
    ];
    for (i, (jail, filter, expected)) in cases.iter().enumerate() {
        let (code, out) = run_tree(jail, filter);
        assert_eq!(code, *expected, "case {i}: {out}");
    }
}
