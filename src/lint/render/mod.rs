//! Renderers: miette text for people, JSON for scripts, SARIF 2.1.0 for
//! code-scanning UIs, and GitHub workflow annotations.

mod github;
mod json;
mod sarif;
mod text;

pub use github::render as github;
pub use json::render as json;
pub use sarif::render as sarif;
pub use text::render as text;

use super::finding::Finding;
use crate::source::Sources;

/// 1-based end line and end column (exclusive) of a finding's span.
pub(crate) fn end_position(f: &Finding, sources: &Sources) -> Option<(usize, usize)> {
    let loc = f.loc?;
    let end = crate::source::Loc {
        file: loc.file,
        offset: loc.offset + f.len,
    };
    Some(sources.line_col(end))
}
