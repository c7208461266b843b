//! docs/lint-report.md is what f2b lint says about the corpus trees today,
//! and every error-severity finding in it has a review.

mod common;

#[test]
fn lint_report_is_current_and_reviewed() {
    let Some(compat) = common::require_oracle_and_corpus("lint_report") else {
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let reviews =
        std::fs::read_to_string(root.join("compat-fixtures/lint-review.txt")).expect("reviews");
    let (text, unreviewed) = f2b::lint::corpus::report(&compat, &reviews).expect("report");
    assert!(
        unreviewed.is_empty(),
        "error findings without a review in compat-fixtures/lint-review.txt: {unreviewed:#?}"
    );
    let current = std::fs::read_to_string(root.join("docs/lint-report.md")).unwrap_or_default();
    assert!(
        current == text,
        "docs/lint-report.md is stale; run scripts/gen-lint-report:\n{}",
        common::diff(&current, &text)
    );
}
