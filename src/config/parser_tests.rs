//! Interpolation and merge tests. Every expected value was recorded from the
//! real oracle (fail2ban 1.0.2's `SafeConfigParserWithIncludes` on Python
//! 3.11) with `scripts/record-ini-expectations.py CASE`; the case name is
//! given above each test. One file is read like `read(t.conf,
//! get_includes=False)` (= `CfgParser::from_file`), several files like
//! `read([a.conf, b.conf, ...])` (= `merge_file` of each in order).

use super::*;
use crate::config::value::as_bool;
use crate::ini;
use crate::source::{Loc, Sources};
use std::sync::Arc;

fn parse(text: &str, id: usize) -> ini::IniFile {
    ini::parse(text, id).unwrap_or_else(|e| panic!("parse error: {}", e.python_message("t.conf")))
}

fn single(text: &str) -> CfgParser {
    CfgParser::from_file(&parse(text, 0))
}

fn merged(texts: &[&str]) -> CfgParser {
    let mut p = CfgParser::default();
    for (i, t) in texts.iter().enumerate() {
        p.merge_file(&parse(t, i));
    }
    p
}

fn get_v(p: &CfgParser, section: &str, option: &str, vars: Option<&Vars>) -> Option<String> {
    match p.get(section, option, false, vars) {
        Ok(v) => v.map(|s| s.text),
        Err(e) => panic!(
            "get({section:?}, {option:?}) failed: {}",
            e.python_message()
        ),
    }
}

fn get(p: &CfgParser, section: &str, option: &str) -> String {
    get_v(p, section, option, None).expect("a value, not None")
}

fn get_err_v(p: &CfgParser, section: &str, option: &str, vars: Option<&Vars>) -> String {
    match p.get(section, option, false, vars) {
        Ok(v) => panic!("get({section:?}, {option:?}) should fail, gave {v:?}"),
        Err(e) => e.python_message(),
    }
}

fn get_err(p: &CfgParser, section: &str, option: &str) -> String {
    get_err_v(p, section, option, None)
}

fn get_ex(p: &CfgParser, section: &str, option: &str) -> Result<Option<String>, String> {
    p.get_ex(section, option, None)
        .map(|v| v.map(|s| s.text))
        .map_err(|e| e.python_message())
}

fn vars(items: &[(&str, Option<&str>)]) -> Vars {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(SString::synthetic)))
        .collect()
}

/// Section names (including hidden `KNOWN/…`) with their raw contents.
fn dump(p: &CfgParser) -> Vec<(String, Vec<(String, String)>)> {
    p.sections
        .iter()
        .map(|(n, s)| {
            (
                n.clone(),
                s.iter().map(|(k, v)| (k.clone(), v.text.clone())).collect(),
            )
        })
        .collect()
}

fn sec(name: &str, items: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    (
        name.to_string(),
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

// -------------------------------------------------------------- basic rules

/// Case `percent_escape`: `%%` is `%`; the result is not re-scanned.
#[test]
fn percent_percent_is_literal_percent() {
    let p = single("[s]\na = 100%%\nb = %%(a)s\nc = %%%(a)s\n");
    assert_eq!(get(&p, "s", "a"), "100%");
    assert_eq!(get(&p, "s", "b"), "%(a)s");
    assert_eq!(get(&p, "s", "c"), "%100%");
}

/// Case `nested`: substituted values are interpolated again; names are
/// lower-cased; the option name too.
#[test]
fn nested_references_and_lowercased_names() {
    let p = single("[DEFAULT]\nc = C\n[s]\na = <%(b)s>\nb = [%(c)s|%(C)s]\n");
    assert_eq!(get(&p, "s", "a"), "<[C|C]>");
    assert_eq!(get(&p, "s", "A"), "<[C|C]>");
}

/// Case `depth_limit`: ten nested levels work, eleven fail; the raw value
/// in the message is the one of the requested option.
#[test]
fn depth_limit_is_ten() {
    let mut text = String::from("[s]\n");
    for i in 0..12 {
        text.push_str(&format!("v{i} = %(v{})s\n", i + 1));
    }
    text.push_str("v12 = end\nself = x%(self)s\n");
    let p = single(&text);
    assert_eq!(get(&p, "s", "v2"), "end");
    assert_eq!(
        get_err(&p, "s", "v1"),
        "Recursion limit exceeded in value substitution: option 'v1' in section 's' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(v2)s'"
    );
    assert_eq!(
        get_err(&p, "s", "v0"),
        "Recursion limit exceeded in value substitution: option 'v0' in section 's' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(v1)s'"
    );
    assert_eq!(
        get_err(&p, "s", "self"),
        "Recursion limit exceeded in value substitution: option 'self' in section 's' contains an interpolation key which cannot be substituted in 10 steps. Raw value: 'x%(self)s'"
    );
}

/// Case `missing_key`: the message names the requested option and its raw
/// value even when the missing name is in a nested value.
#[test]
fn missing_key_message() {
    let p = single("[s]\na = x %(nope)s\nb = y%(a)s\n");
    assert_eq!(
        get_err(&p, "s", "a"),
        "Bad value substitution: option 'a' in section 's' contains an interpolation key 'nope' which is not a valid option name. Raw value: 'x %(nope)s'"
    );
    assert_eq!(
        get_err(&p, "s", "b"),
        "Bad value substitution: option 'b' in section 's' contains an interpolation key 'nope' which is not a valid option name. Raw value: 'y%(a)s'"
    );
}

/// Case `bad_syntax`: `%(x`, `%x`, a trailing `%`, `%(y)d`, `%()s`, and a
/// bad `%` inside a nested value.
#[test]
fn bad_interpolation_syntax_messages() {
    let p = single(
        "[s]\na = x%(y\nb = x%y\nc = 100%\nd = %(y)d\ne = %()s\ny = 1\nf = <%(g)s>\ng = %z\n",
    );
    assert_eq!(
        get_err(&p, "s", "a"),
        "bad interpolation variable reference '%(y'"
    );
    assert_eq!(
        get_err(&p, "s", "b"),
        "'%' must be followed by '%' or '(', found: '%y'"
    );
    assert_eq!(
        get_err(&p, "s", "c"),
        "'%' must be followed by '%' or '(', found: '%'"
    );
    assert_eq!(
        get_err(&p, "s", "d"),
        "bad interpolation variable reference '%(y)d'"
    );
    assert_eq!(
        get_err(&p, "s", "e"),
        "bad interpolation variable reference '%()s'"
    );
    assert_eq!(
        get_err(&p, "s", "f"),
        "'%' must be followed by '%' or '(', found: '%z'"
    );
}

/// Case `name`: `%(__name__)s` is the section being read, also through
/// DEFAULT and when reading DEFAULT itself.
#[test]
fn dunder_name_is_the_section() {
    let p = single("[DEFAULT]\nn = %(__name__)s\n[jail1]\nx = 1\n[Definition]\nm = <%(n)s>\n");
    assert_eq!(get(&p, "jail1", "n"), "jail1");
    assert_eq!(get(&p, "Definition", "m"), "<Definition>");
    assert_eq!(get(&p, "DEFAULT", "n"), "DEFAULT");
}

// ----------------------------------------------------------- known/ default/

/// Case `known_after_override`: `%(known/x)s` is the value before the
/// override in this section; the override is remembered in `KNOWN/j`.
#[test]
fn known_is_value_before_override() {
    let p = merged(&[
        "[DEFAULT]\nbantime = 10\n[j]\nbantime = 20\nother = o\n",
        "[j]\nbantime = %(known/bantime)s*2\n",
    ]);
    assert_eq!(get(&p, "j", "bantime"), "20*2");
    assert_eq!(get_ex(&p, "j", "known/bantime"), Ok(Some("20".into())));
    assert_eq!(
        dump(&p),
        vec![
            sec("j", &[("bantime", "%(known/bantime)s*2"), ("other", "o")]),
            sec("KNOWN/j", &[("bantime", "20")]),
        ]
    );
    assert_eq!(p.visible_sections().collect::<Vec<_>>(), vec!["j"]);
}

/// Case `known_last_override`: `KNOWN/` holds the value immediately before
/// the last override.
#[test]
fn known_is_value_before_last_override() {
    let p = merged(&[
        "[j]\nbantime = 20\n",
        "[j]\nbantime = 30\n",
        "[j]\nbantime = %(known/bantime)s+1\n",
    ]);
    assert_eq!(get(&p, "j", "bantime"), "30+1");
}

/// Case `known_twice_self`: when the remembered value itself uses
/// `%(known/x)s`, the mapped name points at itself → recursion limit.
#[test]
fn known_of_known_recurses() {
    let p = merged(&[
        "[j]\nbantime = 20\n",
        "[j]\nbantime = %(known/bantime)s*2\n",
        "[j]\nbantime = %(known/bantime)s+1\n",
    ]);
    assert_eq!(
        get_err(&p, "j", "bantime"),
        "Recursion limit exceeded in value substitution: option 'bantime' in section 'j' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(known/bantime)s+1'"
    );
}

/// Case `known_falls_back_to_default`: no remembered value (the section
/// existed without the key, or did not exist) → DEFAULT's raw value.
#[test]
fn known_falls_back_to_default() {
    let p = merged(&[
        "[DEFAULT]\nbantime = 10\n[j]\nx = 1\n",
        "[j]\nbantime = %(known/bantime)s*2\n[k]\nbantime = %(known/bantime)s*3\n",
    ]);
    assert_eq!(get(&p, "j", "bantime"), "10*2");
    assert_eq!(get(&p, "k", "bantime"), "10*3");
    assert_eq!(
        dump(&p),
        vec![
            sec("j", &[("x", "1"), ("bantime", "%(known/bantime)s*2")]),
            sec("KNOWN/j", &[]),
            sec("k", &[("bantime", "%(known/bantime)s*3")]),
        ]
    );
}

/// Case `known_in_default_recurses`: DEFAULT keeps no history, so
/// `%(known/x)s` in a second file's `[DEFAULT]` refers to itself.
#[test]
fn known_in_default_of_second_file_recurses() {
    let p = merged(&[
        "[DEFAULT]\nbantime = 10\n[j]\nx = 1\n",
        "[DEFAULT]\nbantime = %(known/bantime)s*2\n",
    ]);
    assert_eq!(
        get_err(&p, "j", "bantime"),
        "Recursion limit exceeded in value substitution: option 'bantime' in section 'j' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(known/bantime)s*2'"
    );
    assert_eq!(
        get_err(&p, "DEFAULT", "bantime"),
        "Recursion limit exceeded in value substitution: option 'bantime' in section 'DEFAULT' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(known/bantime)s*2'"
    );
}

/// Case `default_reinterpolated`: the raw DEFAULT value is interpolated in
/// the current section (asterisk's port), while `get_ex` reads it in
/// DEFAULT.
#[test]
fn default_ref_is_reinterpolated_in_current_section() {
    let p = single(
        "[DEFAULT]\nport = 0:65535\naction_ = ban[port=\"%(port)s\"]\n[asterisk]\nport = 5060\naction = %(default/action_)s\n[other]\naction = %(default/action_)s\n",
    );
    assert_eq!(get(&p, "asterisk", "action"), "ban[port=\"5060\"]");
    assert_eq!(get(&p, "other", "action"), "ban[port=\"0:65535\"]");
    assert_eq!(
        get_ex(&p, "asterisk", "default/action_"),
        Ok(Some("ban[port=\"0:65535\"]".into()))
    );
}

/// Case `other_section`: `%(sec/x)s` takes the raw value of another
/// section (DEFAULT's if that section lacks it), interpolated in the current
/// section; a missing section leaves the name for normal lookup.
#[test]
fn other_section_reference() {
    let p = single(concat!(
        "[DEFAULT]\nonlydef = D\n",
        "[lt_file]\ndatepattern = {^LN-BEG}\nx = %(__name__)s\n",
        "[Definition]\n",
        "dp = %(lt_file/datepattern)s\n",
        "fromdef = %(lt_file/onlydef)s\n",
        "nosec = %(nosec/x)s\n",
        "name = %(lt_file/x)s\n",
    ));
    assert_eq!(get(&p, "Definition", "dp"), "{^LN-BEG}");
    assert_eq!(get(&p, "Definition", "fromdef"), "D");
    assert_eq!(
        get_err(&p, "Definition", "nosec"),
        "Bad value substitution: option 'nosec' in section 'Definition' contains an interpolation key 'nosec/x' which is not a valid option name. Raw value: '%(nosec/x)s'"
    );
    assert_eq!(get(&p, "Definition", "name"), "Definition");
    assert_eq!(
        get_ex(&p, "Definition", "lt_file/datepattern"),
        Ok(Some("{^LN-BEG}".into()))
    );
    assert_eq!(
        get_ex(&p, "Definition", "lt_file/nope"),
        Err("No option 'lt_file/nope' in section: 'Definition'".into())
    );
}

/// Case `nested_default_reference`: section references are mapped at every
/// nesting level, not only in the requested option's own text.
#[test]
fn default_ref_inside_nested_value() {
    let p = single("[DEFAULT]\nx = D\n[s]\nx = S\na = (%(b)s)\nb = <%(default/x)s|%(x)s>\n");
    assert_eq!(get(&p, "s", "a"), "(<D|S>)");
    assert_eq!(get(&p, "s", "b"), "<D|S>");
}

// --------------------------------------------------------------------- vars

/// Case `vars_precedence`: vars → section → DEFAULT, for the option itself
/// and inside interpolation; a `None` var is returned as `None` and fails
/// when interpolated; var values are interpolated too.
#[test]
fn vars_take_precedence() {
    let p = single(
        "[DEFAULT]\nport = D\nboth = D\n[s]\nport = S\nuse = p=%(port)s\nnone = %(nothing)s\n",
    );
    let v = vars(&[("port", Some("V"))]);
    assert_eq!(get_v(&p, "s", "port", Some(&v)).as_deref(), Some("V"));
    assert_eq!(get_v(&p, "s", "use", Some(&v)).as_deref(), Some("p=V"));
    let v = vars(&[("both", Some("V"))]);
    assert_eq!(get_v(&p, "s", "both", Some(&v)).as_deref(), Some("V"));
    assert_eq!(get(&p, "s", "port"), "S");
    let v = vars(&[("port", None)]);
    assert_eq!(get_v(&p, "s", "port", Some(&v)), None);
    assert_eq!(
        get_err_v(&p, "s", "use", Some(&v)),
        "argument of type 'NoneType' is not iterable"
    );
    let v = vars(&[("nothing", Some("%(port)s"))]);
    assert_eq!(get_v(&p, "s", "none", Some(&v)).as_deref(), Some("S"));
    let v = vars(&[("port", Some("%(both)s"))]);
    assert_eq!(get_v(&p, "s", "use", Some(&v)).as_deref(), Some("p=D"));
}

// ------------------------------------------------------ conditional sections

/// Case `conditional_sections`: `[Init?family=inet6]` folds into `Init`
/// with suffixed keys, also within one file; overrides are remembered.
#[test]
fn conditional_sections_fold_into_base() {
    let p = merged(&[
        "[Init]\na = 1\n[Init?family=inet6]\na = 2\nb = 3\n",
        "[Init?family=inet6]\nb = 4\n",
    ]);
    assert_eq!(
        dump(&p),
        vec![
            sec(
                "Init",
                &[("a", "1"), ("a?family=inet6", "2"), ("b?family=inet6", "4")]
            ),
            sec("KNOWN/Init", &[("b?family=inet6", "3")]),
        ]
    );
    assert_eq!(get(&p, "Init", "a?family=inet6"), "2");
    assert_eq!(get(&p, "Init", "b?family=inet6"), "4");
}

// ----------------------------------------------------------- trap list (H)

/// Case `trap_hash_semicolon_regex` (H1, H6): `#` stays in a regex, ` ;`
/// cuts it even on continuation lines; booleans are only 1/on/true/yes, so
/// `1 # on` and `ture` are false.
#[test]
fn trap_comments_in_regex_and_booleans() {
    let p = single(concat!(
        "[Definition]\nfailregex = ^user (?P<u>\\S+);#1 ; comment\n",
        "            ^x #y;z ;tail\n",
        "enabled = 1 # on\nban = yes ; really\nflag = ture\nother = True\n",
    ));
    assert_eq!(
        get(&p, "Definition", "failregex"),
        "^user (?P<u>\\S+);#1\n^x #y;z"
    );
    let b = |o: &str| {
        let v = get(&p, "Definition", o);
        (v.clone(), as_bool(&v))
    };
    assert_eq!(b("enabled"), ("1 # on".to_string(), false));
    assert_eq!(b("ban"), ("yes".to_string(), true));
    assert_eq!(b("flag"), ("ture".to_string(), false));
    assert_eq!(b("other"), ("True".to_string(), true));
}

/// Case `trap_duplicates_merge_across_files` (H1): the same key in two
/// files merges (later wins) where one file would have been fatal
/// (see `ini::tests::duplicate_option_in_one_file_is_fatal`).
#[test]
fn trap_duplicates_across_files_merge() {
    let p = merged(&[
        "[DEFAULT]\nbantime = 1\n[j]\nmaxretry = 3\n",
        "[DEFAULT]\nbantime = 2\n[j]\nmaxretry = 5\n",
    ]);
    assert_eq!(get(&p, "j", "maxretry"), "5");
    assert_eq!(get(&p, "j", "bantime"), "2");
    assert_eq!(
        dump(&p),
        vec![
            sec("j", &[("maxretry", "5")]),
            sec("KNOWN/j", &[("maxretry", "3")])
        ]
    );
}

// -------------------------------------------------------------------- spans

/// Interpolated text keeps the origin of each substituted character
/// (values as in case `nested`, positions from the file text).
#[test]
fn interpolated_value_keeps_origins() {
    let text = "[s]\nb = xyz\na = <%(b)s>\n";
    let mut sources = Sources::default();
    let id = sources.add("t.conf", Arc::from(text));
    let p = CfgParser::from_file(&parse(text, id));
    let v = p.get("s", "a", false, None).expect("ok").expect("some");
    assert_eq!(v.text, "<xyz>");
    assert_eq!(
        v.loc_at(0),
        Some(Loc {
            file: id,
            offset: 16
        })
    );
    assert_eq!(
        v.loc_at(1),
        Some(Loc {
            file: id,
            offset: 8
        })
    );
    assert_eq!(
        v.loc_at(3),
        Some(Loc {
            file: id,
            offset: 10
        })
    );
    assert_eq!(
        v.loc_at(4),
        Some(Loc {
            file: id,
            offset: 22
        })
    );
    assert_eq!(sources.line_col(v.loc_at(1).expect("located")), (2, 5));
    assert_eq!(sources.line_col(v.loc_at(4).expect("located")), (3, 11));
}
