//! Writes docs/lint-report.md: f2b lint over fail2ban's own trees and the
//! founding setup. Run through `scripts/gen-lint-report`.

fn main() {
    let mut args = std::env::args().skip(1);
    let compat = args.next().unwrap_or_else(|| "../shared/compat".into());
    let out = args.next().unwrap_or_else(|| "docs/lint-report.md".into());
    let reviews = std::fs::read_to_string("compat-fixtures/lint-review.txt").unwrap_or_default();
    let (text, unreviewed) =
        match f2b::lint::corpus::report(std::path::Path::new(&compat), &reviews) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("gen-lint-report: {compat}: {e}");
                std::process::exit(1);
            }
        };
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("gen-lint-report: {out}: {e}");
        std::process::exit(1);
    }
    for u in &unreviewed {
        eprintln!("gen-lint-report: error finding without a review: {u}");
    }
    if !unreviewed.is_empty() {
        std::process::exit(1);
    }
}
