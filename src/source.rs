//! Source files and strings that remember where each character came from.
//!
//! Every configuration value is an [`SString`]: its text plus a segment map
//! from text offsets back to byte offsets in a source file. Interpolation
//! concatenates these maps, so a diagnostic on an expanded value can still
//! point into the file (and line) where the offending text was written.

use std::ops::Range;
use std::sync::Arc;

pub type FileId = usize;

/// A byte offset inside a registered source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    pub offset: usize,
}

/// One run of an [`SString`]: text from `start` up to the next segment maps
/// linearly onto the source starting at `loc` (or to no source at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seg {
    pub start: usize,
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SString {
    pub text: String,
    pub segs: Vec<Seg>,
}

impl SString {
    /// Text with no known origin (built-in defaults, command-line values).
    pub fn synthetic(text: impl Into<String>) -> Self {
        let text = text.into();
        let segs = if text.is_empty() {
            vec![]
        } else {
            vec![Seg {
                start: 0,
                loc: None,
            }]
        };
        SString { text, segs }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Appends text that maps onto `loc` (if any) character for character.
    pub fn push_located(&mut self, text: &str, loc: Option<Loc>) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        let continues = match (self.segs.last(), loc) {
            (Some(last), Some(l)) => last.loc.is_some_and(|ll| {
                ll.file == l.file && ll.offset + (start - last.start) == l.offset
            }),
            (Some(last), None) => last.loc.is_none(),
            _ => false,
        };
        if !continues {
            self.segs.push(Seg { start, loc });
        }
        self.text.push_str(text);
    }

    /// Appends `other[range]`, keeping its origins.
    pub fn push_slice(&mut self, other: &SString, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if other.segs.is_empty() {
            self.push_located(&other.text[range], None);
            return;
        }
        let mut idx = other.seg_index(range.start);
        let mut pos = range.start;
        while pos < range.end {
            let seg = other.segs[idx];
            let seg_end = other
                .segs
                .get(idx + 1)
                .map_or(other.text.len(), |s| s.start)
                .min(range.end);
            let loc = seg.loc.map(|l| Loc {
                file: l.file,
                offset: l.offset + (pos - seg.start),
            });
            self.push_located(&other.text[pos..seg_end], loc);
            pos = seg_end;
            idx += 1;
        }
    }

    pub fn with_capacity(text: usize, segs: usize) -> Self {
        SString {
            text: String::with_capacity(text),
            segs: Vec::with_capacity(segs),
        }
    }

    pub fn push_sstring(&mut self, other: &SString) {
        self.push_slice(other, 0..other.text.len());
    }

    pub fn slice(&self, range: Range<usize>) -> SString {
        let mut s = SString::default();
        s.push_slice(self, range);
        s
    }

    fn seg_index(&self, offset: usize) -> usize {
        match self.segs.binary_search_by(|s| s.start.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }

    /// Where the character at `offset` came from.
    pub fn loc_at(&self, offset: usize) -> Option<Loc> {
        if self.segs.is_empty() {
            return None;
        }
        let seg = self.segs[self.seg_index(offset)];
        seg.loc.map(|l| Loc {
            file: l.file,
            offset: l.offset + (offset - seg.start),
        })
    }

    /// Where the first character with a known origin came from.
    pub fn first_loc(&self) -> Option<Loc> {
        self.segs
            .iter()
            .find_map(|s| s.loc.map(|l| (s.start, l)))
            .map(|(_, l)| l)
    }
}

/// A source file read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: Arc<str>,
}

/// All source files read during one run; [`FileId`] indexes into it.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: &str, text: Arc<str>) -> FileId {
        self.files.push(SourceFile {
            path: path.to_string(),
            text,
        });
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The latest registration of a path.
    pub fn find(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().rev().find(|f| f.path == path)
    }

    /// 1-based line and column (in characters) of a location. Lines end at
    /// `\r\n`, `\r` or `\n`, as Python's universal newlines read them.
    pub fn line_col(&self, loc: Loc) -> (usize, usize) {
        let text = &self.files[loc.file].text;
        let offset = floor_char_boundary(text, loc.offset.min(text.len()));
        let bytes = text.as_bytes();
        let (mut line, mut line_start, mut i) = (1, 0, 0);
        while i < offset {
            match bytes[i] {
                b'\n' => {
                    line += 1;
                    line_start = i + 1;
                }
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        let col = text[line_start.min(offset)..offset].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_keep_origins() {
        let mut s = SString::default();
        s.push_located(
            "abc",
            Some(Loc {
                file: 0,
                offset: 10,
            }),
        );
        s.push_located("XY", None);
        s.push_located("def", Some(Loc { file: 1, offset: 0 }));
        assert_eq!(
            s.loc_at(1),
            Some(Loc {
                file: 0,
                offset: 11
            })
        );
        assert_eq!(s.loc_at(3), None);
        let t = s.slice(2..7);
        assert_eq!(t.text, "cXYde");
        assert_eq!(
            t.loc_at(0),
            Some(Loc {
                file: 0,
                offset: 12
            })
        );
        assert_eq!(t.loc_at(4), Some(Loc { file: 1, offset: 1 }));
    }

    #[test]
    fn adjacent_runs_merge() {
        let mut s = SString::default();
        s.push_located("ab", Some(Loc { file: 0, offset: 0 }));
        s.push_located("cd", Some(Loc { file: 0, offset: 2 }));
        assert_eq!(s.segs.len(), 1);
    }
}
