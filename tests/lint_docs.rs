//! docs/rules/ is generated from the rule registry (`scripts/gen-rule-docs`):
//! this test fails when a page is missing, stale or undocumented.

use f2b::lint::registry::{RULES, index_markdown, markdown};
use std::path::Path;

#[test]
fn rule_pages_match_the_registry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut stale = Vec::new();
    for r in RULES {
        let i = &r.info;
        assert!(
            i.code.starts_with("F2B") && i.code[3..].parse::<u32>().is_ok(),
            "{}: code must be F2B plus a number",
            i.code
        );
        for (field, text) in [
            ("what", i.what),
            ("why", i.why),
            ("example", i.example),
            ("example_fixed", i.example_fixed),
        ] {
            assert!(
                !text.trim().is_empty() && !text.contains("TODO"),
                "{}: `{field}` is not written",
                i.code
            );
        }
        let page = dir.join(format!("{}.md", i.code));
        if std::fs::read_to_string(&page).ok().as_deref() != Some(markdown(i).as_str()) {
            stale.push(page.display().to_string());
        }
    }
    let index = dir.join("README.md");
    if std::fs::read_to_string(&index).ok().as_deref() != Some(index_markdown().as_str()) {
        stale.push(index.display().to_string());
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (run scripts/gen-rule-docs): {stale:?}"
    );
}

#[test]
fn codes_and_names_are_unique() {
    let mut codes: Vec<_> = RULES.iter().map(|r| r.info.code).collect();
    let mut names: Vec<_> = RULES.iter().map(|r| r.info.name).collect();
    codes.sort();
    names.sort();
    let n = codes.len();
    codes.dedup();
    names.dedup();
    assert_eq!(codes.len(), n, "duplicate rule code");
    assert_eq!(names.len(), n, "duplicate rule name");
}
