//! Writes docs/rules/ from the rule registry: one page per rule and an
//! index. Run through `scripts/gen-rule-docs`.

use f2b::lint::registry::{RULES, index_markdown, markdown};

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/rules".into());
    std::fs::create_dir_all(&dir)?;
    for r in RULES {
        std::fs::write(format!("{dir}/{}.md", r.info.code), markdown(&r.info))?;
    }
    std::fs::write(format!("{dir}/README.md"), index_markdown())?;
    Ok(())
}
