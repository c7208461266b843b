//! Dialect tests for the INI reader. Every expected value was recorded from
//! the real oracle (fail2ban 1.0.2's `SafeConfigParserWithIncludes`, Python
//! 3.11 `configparser`, each file read with `read(name, get_includes=False)`
//! as fail2ban reads every file of its list) with
//! `scripts/record-ini-expectations.py CASE`; the case name is given above
//! each test. Python wrote the file as `t.conf`, hence the path in messages.

use super::*;
use crate::source::Sources;
use std::sync::Arc;

const PATH: &str = "t.conf";

fn ok(text: &str) -> IniFile {
    parse(text, 0).unwrap_or_else(|e| panic!("unexpected error: {}", e.python_message(PATH)))
}

fn err(text: &str) -> IniError {
    match parse(text, 0) {
        Ok(f) => panic!("expected an error, parsed {f:#?}"),
        Err(e) => e,
    }
}

fn pairs(entries: &Map<String, IniEntry>) -> Vec<(&str, &str)> {
    entries
        .iter()
        .map(|(k, e)| (k.as_str(), e.value.text.as_str()))
        .collect()
}

fn section<'a>(f: &'a IniFile, name: &str) -> Vec<(&'a str, &'a str)> {
    let sec = f
        .sections
        .get(name)
        .unwrap_or_else(|| panic!("no section {name:?} in {:?}", f.sections.keys()));
    pairs(&sec.entries)
}

fn section_names(f: &IniFile) -> Vec<&str> {
    f.sections.keys().map(String::as_str).collect()
}

/// (line, column) of a location in `text` registered as file 0.
fn line_col(text: &str, loc: Loc) -> (usize, usize) {
    let mut sources = Sources::default();
    let id = sources.add(PATH, Arc::from(text));
    assert_eq!(id, loc.file);
    sources.line_col(loc)
}

// ----------------------------------------------------------------- comments

/// Case `inline_comments`: `#` never starts an inline comment, `;` does at
/// column 0 or after whitespace (space or tab), `a;b` keeps its `;`.
#[test]
fn hash_is_not_inline_comment_semicolon_after_space_is() {
    let text = "[s] ;header comment\n\
                port = 5060 # sip\n\
                a = x ;comment\n\
                b = a;b\n\
                c = x\t;tab comment\n\
                ; column 0 comment\n\
                d = ;all comment\n\
                e = #not a comment\n\
                failregex = ^foo;bar #x ;c\n";
    let f = ok(text);
    assert_eq!(section_names(&f), vec!["s"]);
    assert!(f.defaults.is_empty());
    assert_eq!(
        section(&f, "s"),
        vec![
            ("port", "5060 # sip"),
            ("a", "x"),
            ("b", "a;b"),
            ("c", "x"),
            ("d", ""),
            ("e", "#not a comment"),
            ("failregex", "^foo;bar #x"),
        ]
    );
}

/// Case `comment_lines_in_continuation`: full-line comments (`#` or `;`,
/// indented or not) inside a multi-line value are skipped and do not end it.
#[test]
fn comment_lines_inside_continuation_are_skipped() {
    let text = concat!(
        "[s]\n",
        "failregex = ^a$\n",
        "# hash at column 0\n",
        "    ; indented semicolon\n",
        "  # indented hash\n",
        "            ^b$\n",
        ";\n",
        "            ^c$ ; inline\n",
        "next = 1\n",
    );
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![("failregex", "^a$\n^b$\n^c$"), ("next", "1")]
    );
}

// ------------------------------------------------------------- continuation

/// Case `continuation_and_blank_lines`: deeper lines continue the value,
/// each stripped; inner empty lines (also whitespace-only ones) are kept,
/// trailing ones stripped; an empty first value gives a leading `\n`.
#[test]
fn continuation_keeps_inner_blank_lines_and_strips_trailing() {
    let text = concat!(
        "[s]\n",
        "a = 1\n",
        "\n",
        "  2\n",
        "   \n",
        "\n",
        "      3\n",
        "\n",
        "\n",
        "b = x\n",
        "   y   \n",
        "\n",
        "c =\n",
        "  first\n",
        "  second\n",
        "d = last\n",
        "\n",
    );
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![
            ("a", "1\n\n2\n\n\n3"),
            ("b", "x\ny"),
            ("c", "\nfirst\nsecond"),
            ("d", "last"),
        ]
    );
}

/// Case `tabs_count_as_one`: indentation is the index of the first
/// non-whitespace character, so two tabs are less than eight spaces.
#[test]
fn tabs_count_as_one_indentation_step() {
    let text = "[s]\n        a = 1\n\t\tb = 2\n\t\t\tc\n  d = 3\n";
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![("a", "1"), ("b", "2\nc"), ("d", "3")]
    );
}

/// Case `blank_line_keeps_indent`: a blank line does not reset the
/// indentation level; the reference level is the key line's own indentation.
#[test]
fn blank_line_does_not_reset_indentation() {
    let text = "[s]\n    a = 1\n\n     deeper after blank\n    b = 2\n  c = 3\n   cont of c\n";
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![
            ("a", "1\n\ndeeper after blank"),
            ("b", "2"),
            ("c", "3\ncont of c"),
        ]
    );
}

/// Case `no_newline_at_end`.
#[test]
fn last_line_without_newline() {
    let f = ok("[s]\na = 1\n  2");
    assert_eq!(section(&f, "s"), vec![("a", "1\n2")]);
}

// --------------------------------------------------------- keys and headers

/// Case `keys_and_sections_case`: keys are lower-cased, section names are
/// case-sensitive, only the exact `DEFAULT` is the defaults section.
#[test]
fn keys_lowercased_sections_case_sensitive() {
    let text = "[Sec]\nFailRegex = X\n[sec]\nfailregex = y\n[default]\nk = not the defaults\n[DEFAULT]\nKeY = d\n";
    let f = ok(text);
    assert_eq!(section_names(&f), vec!["Sec", "sec", "default"]);
    assert_eq!(section(&f, "Sec"), vec![("failregex", "X")]);
    assert_eq!(section(&f, "sec"), vec![("failregex", "y")]);
    assert_eq!(section(&f, "default"), vec![("k", "not the defaults")]);
    assert_eq!(pairs(&f.defaults), vec![("key", "d")]);
    // The key as written is kept for diagnostics.
    assert_eq!(f.sections["Sec"].entries["failregex"].raw_key, "FailRegex");
    assert_eq!(f.defaults["key"].raw_key, "KeY");
}

/// Case `first_delimiter_splits`: the first `=` or `:` splits; the key is
/// right-stripped, the value stripped; empty values are allowed.
#[test]
fn first_delimiter_splits_key_and_value() {
    let text = "[s]\na:b = c\nd=e:f\ng   :   h = i\nj=\nk :\n";
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![
            ("a", "b = c"),
            ("d", "e:f"),
            ("g", "h = i"),
            ("j", ""),
            ("k", ""),
        ]
    );
}

/// Case `section_header_greedy`: `\[(?P<header>.+)\]` anchored at the start
/// only, greedy; inner whitespace is kept.
#[test]
fn section_header_is_greedy_and_unanchored_at_end() {
    let text = "[a] trailing\nx = 1\n[a]b]\nx = 2\n[ c ]\nx = 3\n[]]\nx = 4\n[d] # c\nx = 5\n";
    let f = ok(text);
    assert_eq!(section_names(&f), vec!["a", "a]b", " c ", "]", "d"]);
    for (name, v) in [
        ("a", "1"),
        ("a]b", "2"),
        (" c ", "3"),
        ("]", "4"),
        ("d", "5"),
    ] {
        assert_eq!(section(&f, name), vec![("x", v)], "section {name:?}");
    }
}

// ------------------------------------------------------------------- errors

/// Case `duplicate_option`.
#[test]
fn duplicate_option_in_one_file_is_fatal() {
    let text = "[s]\na = 1\nA = 2\n";
    let e = err(text);
    assert_eq!(
        e.python_message(PATH),
        "While reading from 't.conf' [line  3]: option 'a' in section 's' already exists"
    );
    assert_eq!(line_col(text, e.loc()).0, 3);
}

/// Case `duplicate_section`.
#[test]
fn duplicate_section_in_one_file_is_fatal() {
    let text = "[s]\na = 1\n[t]\n[s]\nb = 2\n";
    let e = err(text);
    assert_eq!(
        e.python_message(PATH),
        "While reading from 't.conf' [line  4]: section 's' already exists"
    );
    assert_eq!(line_col(text, e.loc()).0, 4);
}

/// Case `duplicate_default_header`: `[DEFAULT]` may be opened twice.
#[test]
fn duplicate_default_header_is_allowed() {
    let f = ok("[DEFAULT]\na = 1\n[s]\nx = 1\n[DEFAULT]\nb = 2\n");
    assert_eq!(pairs(&f.defaults), vec![("a", "1"), ("b", "2")]);
    assert_eq!(section_names(&f), vec!["s"]);
    assert_eq!(section(&f, "s"), vec![("x", "1")]);
}

/// Case `duplicate_option_in_second_default`: but its keys are still unique.
#[test]
fn duplicate_key_across_default_headers_is_fatal() {
    let e = err("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n");
    assert_eq!(
        e.python_message(PATH),
        "While reading from 't.conf' [line  5]: option 'a' in section 'DEFAULT' already exists"
    );
}

/// Case `missing_section_header`: blank and comment lines may precede the
/// first header, a key line may not.
#[test]
fn key_before_any_section_is_missing_section_header() {
    let text = "\n# c\na = 1\n[s]\n";
    let e = err(text);
    assert_eq!(
        e.python_message(PATH),
        "File contains no section headers.\nfile: 't.conf', line: 3\n'a = 1\\n'"
    );
    assert_eq!(line_col(text, e.loc()), (3, 1));
}

/// Case `parsing_errors`: lines without a delimiter (and an empty key) are
/// collected and reported together at the end; a continuation after a bad
/// line is not an error; the last line has no newline.
#[test]
fn parsing_errors_list_every_bad_line() {
    let text = "[s]\nfoo\na = 1\n  cont\nbar baz\n= x\nlast";
    let e = err(text);
    assert_eq!(
        e.python_message(PATH),
        "Source contains parsing errors: 't.conf'\n\t[line  2]: 'foo\\n'\n\t[line  5]: 'bar baz\\n'\n\t[line  6]: '= x\\n'\n\t[line  7]: 'last'"
    );
    assert_eq!(line_col(text, e.loc()), (2, 1));
}

/// Case `duplicate_after_parse_error`: a duplicate raises at once, the
/// pending parse errors are lost.
#[test]
fn duplicate_wins_over_pending_parse_errors() {
    let e = err("[s]\nfoo\na = 1\na = 2\n");
    assert_eq!(
        e.python_message(PATH),
        "While reading from 't.conf' [line  4]: option 'a' in section 's' already exists"
    );
}

// ------------------------------------------------------ line ends and BOM

/// Case `crlf`: universal newlines; blank CRLF lines are blank.
#[test]
fn crlf_line_endings() {
    let f = ok("[s]\r\na = 1\r\n  2\r\n\r\n  3\r\nb = x\r\n");
    assert_eq!(section(&f, "s"), vec![("a", "1\n2\n\n3"), ("b", "x")]);
}

/// Case `lone_cr`: a lone CR ends a line too (file reading, not
/// `read_string`).
#[test]
fn lone_cr_line_endings() {
    let f = ok("[s]\ra = 1\r  2\rb = x\ry = 2");
    assert_eq!(
        section(&f, "s"),
        vec![("a", "1\n2"), ("b", "x"), ("y", "2")]
    );
}

/// Case `crlf_parse_error`: the reported line ends in `\n`, not `\r\n`.
#[test]
fn crlf_parse_error_reports_translated_line() {
    let e = err("[s]\r\nbad line\r\n");
    assert_eq!(
        e.python_message(PATH),
        "Source contains parsing errors: 't.conf'\n\t[line  2]: 'bad line\\n'"
    );
}

/// Case `lone_cr_duplicate`: line numbers count lone CRs.
#[test]
fn lone_cr_line_numbers_in_messages() {
    let e = err("[s]\ra = 1\rb = 2\ra = 3\r");
    assert_eq!(
        e.python_message(PATH),
        "While reading from 't.conf' [line  4]: option 'a' in section 's' already exists"
    );
}

/// Case `bom`: Python's `utf-8` codec keeps the BOM, which is not
/// whitespace, so the header is not recognised.
#[test]
fn bom_makes_first_header_a_missing_section_header() {
    let e = err("\u{feff}[s]\na = 1\n");
    assert_eq!(
        e.python_message(PATH),
        "File contains no section headers.\nfile: 't.conf', line: 1\n'\\ufeff[s]\\n'"
    );
}

/// Case `bom_before_comment`: even a comment line is no longer a comment.
#[test]
fn bom_before_comment_line() {
    let e = err("\u{feff}# comment\n[s]\na = 1\n");
    assert_eq!(
        e.python_message(PATH),
        "File contains no section headers.\nfile: 't.conf', line: 1\n'\\ufeff# comment\\n'"
    );
}

// ---------------------------------------------------- non-ASCII whitespace

/// Case `unicode_whitespace`: U+00A0, U+001C, U+3000, U+2028 are whitespace
/// for stripping, indentation and the `;` rule (`str.isspace`); U+200B is
/// not.
#[test]
fn unicode_whitespace_follows_python_isspace() {
    let text = "[s]\n\
                a =\u{a0}x\u{a0}\n\
                \u{a0}\u{a0}y\n\
                b\u{a0}= 1\u{1c}\n\
                \u{1c}cont\n\
                c = v\u{a0};comment\n\
                d = \u{200b}z\u{200b}\n\
                e = \u{3000}w\u{2028}\n";
    let f = ok(text);
    assert_eq!(
        section(&f, "s"),
        vec![
            ("a", "x\ny"),
            ("b", "1\ncont"),
            ("c", "v"),
            ("d", "\u{200b}z\u{200b}"),
            ("e", "w"),
        ]
    );
}

// -------------------------------------------------------------------- spans

/// The characters of a multi-line value map back to their bytes in the file
/// (positions computed with Python on the encoded text; the parsed value
/// `'^a$\n\n^bé$'` and the sections were checked with the oracle).
#[test]
fn spans_of_multiline_value_point_into_file() {
    let text =
        "[s]\nfailregex = ^a$ ; c\n# comment\n\n            ^bé$\n  ; indented\n[t]\n    Key = 1\n";
    let f = ok(text);
    assert_eq!(section(&f, "s"), vec![("failregex", "^a$\n\n^bé$")]);
    assert_eq!(section(&f, "t"), vec![("key", "1")]);
    let v = &f.sections["s"].entries["failregex"].value;
    let at = |i: usize| v.loc_at(i).map(|l| l.offset);
    // "^a$" at byte 16, "^bé$" at byte 47 ("é" 49..51, "$" 51).
    assert_eq!(at(0), Some(16));
    assert_eq!(at(2), Some(18));
    assert_eq!(at(5), Some(47));
    assert_eq!(at(7), Some(49));
    assert_eq!(at(9), Some(51));
    let lc = |i: usize| line_col(text, v.loc_at(i).expect("located"));
    assert_eq!(lc(0), (2, 13));
    assert_eq!(lc(5), (5, 13));
    assert_eq!(lc(7), (5, 15));
    assert_eq!(lc(9), (5, 16)); // columns count characters, not bytes
    assert_eq!(line_col(text, f.sections["s"].header_loc), (1, 1));
    assert_eq!(line_col(text, f.sections["t"].header_loc), (7, 1));
    let key = &f.sections["t"].entries["key"];
    assert_eq!(key.key_loc.offset, 74);
    assert_eq!(line_col(text, key.key_loc), (8, 5));
}

/// CRLF: byte offsets count the `\r`; lines/columns are unaffected.
#[test]
fn spans_with_crlf() {
    let text = "[s]\r\na = x\r\n\r\n   yz\r\n";
    let f = ok(text);
    assert_eq!(section(&f, "s"), vec![("a", "x\n\nyz")]);
    let v = &f.sections["s"].entries["a"].value;
    assert_eq!(v.loc_at(0).map(|l| l.offset), Some(9));
    assert_eq!(v.loc_at(3).map(|l| l.offset), Some(17));
    assert_eq!(v.loc_at(4).map(|l| l.offset), Some(18));
    assert_eq!(line_col(text, v.loc_at(0).expect("located")), (2, 5));
    assert_eq!(line_col(text, v.loc_at(3).expect("located")), (4, 4));
}

/// Lone CR: Python numbers lines by universal newlines (see
/// `lone_cr_line_numbers_in_messages`), so a location in such a file
/// should report the same line as Python's messages do.
#[test]
fn spans_with_lone_cr_use_python_line_numbers() {
    let text = "[s]\ra = x\r\r   yz\r";
    let f = ok(text);
    assert_eq!(section(&f, "s"), vec![("a", "x\n\nyz")]);
    let v = &f.sections["s"].entries["a"].value;
    assert_eq!(v.loc_at(0).map(|l| l.offset), Some(8));
    assert_eq!(v.loc_at(3).map(|l| l.offset), Some(14));
    assert_eq!(line_col(text, v.loc_at(0).expect("located")), (2, 5));
    assert_eq!(line_col(text, v.loc_at(3).expect("located")), (4, 4));
}
