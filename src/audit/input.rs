//! Historical log inputs: plain or gzip files, and whole rotated sets
//! (`messages`, `messages.1`, `messages.2.gz` …) in the order they were
//! written.

use flate2::read::MultiGzDecoder;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One file of a rotated set with its rotation index (0 = the live file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    pub path: PathBuf,
    pub rotation: u32,
    pub gzip: bool,
}

/// Whether a file is gzip (by name or by its magic number).
pub fn is_gzip(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "gz") {
        return true;
    }
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|_| magic == [0x1f, 0x8b])
}

/// The rotation index of `name` relative to `base`: `base` → 0,
/// `base.3` / `base.3.gz` → 3, `base-20240301` (dateext) → ordered by date
/// after the numbered ones. `None` when `name` is not of the set.
fn rotation_of(base: &str, name: &str) -> Option<(u32, String)> {
    if name == base {
        return Some((0, String::new()));
    }
    let rest = name.strip_prefix(base)?;
    let rest = rest.strip_suffix(".gz").unwrap_or(rest);
    if let Some(n) = rest.strip_prefix('.')
        && let Ok(n) = n.parse::<u32>()
    {
        return Some((n, String::new()));
    }
    // logrotate's dateext: base-YYYYMMDD[HH]; older dates are older files.
    let stamp = rest.strip_prefix('-')?;
    (stamp.len() >= 8 && stamp.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (u32::MAX, stamp.to_string()))
}

/// The files of the rotated set `path` belongs to, oldest first. A path
/// that names a rotated file itself (`messages.2.gz`) gives just that file.
pub fn rotated_set(path: &Path) -> std::io::Result<Vec<LogFile>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no such file", path.display()),
        ));
    }
    let base_is_live = rotation_of(&name, &name).is_some()
        && !name.ends_with(".gz")
        && name
            .rsplit('.')
            .next()
            .is_none_or(|ext| ext.parse::<u32>().is_err());
    if !base_is_live {
        return Ok(vec![LogFile {
            path: path.to_path_buf(),
            rotation: 0,
            gzip: is_gzip(path),
        }]);
    }
    let mut found: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let n = entry.file_name().to_string_lossy().to_string();
        if let Some((rot, stamp)) = rotation_of(&name, &n)
            && entry.file_type()?.is_file()
        {
            found.push((rot, stamp, entry.path()));
        }
    }
    // Oldest first: dateext stamps ascending come before nothing; numbered
    // rotations descending; the live file last.
    found.sort_by(|a, b| match (a.0, b.0) {
        (u32::MAX, u32::MAX) => a.1.cmp(&b.1),
        (u32::MAX, _) => std::cmp::Ordering::Less,
        (_, u32::MAX) => std::cmp::Ordering::Greater,
        (x, y) => y.cmp(&x),
    });
    let mut out = Vec::new();
    for (rot, _, p) in found {
        let gzip = is_gzip(&p);
        out.push(LogFile {
            path: if p.starts_with("./") && !path.starts_with("./") {
                p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p)
            } else {
                p
            },
            rotation: rot,
            gzip,
        });
    }
    Ok(out)
}

/// The raw bytes of a log file, decompressed when it is gzip (by magic
/// number, whatever its name), for readers that buffer themselves.
pub fn open_reader(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    let f = std::fs::File::open(path)?;
    if is_gzip(path) {
        Ok(Box::new(NamedReader {
            inner: MultiGzDecoder::new(f),
            path: path.to_path_buf(),
        }))
    } else {
        Ok(Box::new(f))
    }
}

/// A reader over one file's bytes, decompressing gzip. A truncated gzip
/// stream surfaces as an `UnexpectedEof` read error naming the file.
pub fn open(file: &LogFile) -> std::io::Result<Box<dyn BufRead + Send>> {
    let f = std::fs::File::open(&file.path)?;
    if file.gzip {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            NamedReader {
                inner: MultiGzDecoder::new(f),
                path: file.path.clone(),
            },
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// Adds the file name to decompression errors.
struct NamedReader<R> {
    inner: R,
    path: PathBuf,
}

impl<R: Read> Read for NamedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                "truncated gzip file (the rest of it is lost)".to_string()
            } else {
                format!("corrupt gzip data: {e}")
            };
            std::io::Error::new(e.kind(), format!("{}: {what}", self.path.display()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(path: &Path, text: &str) {
        let f = std::fs::File::create(path).expect("create");
        let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        e.write_all(text.as_bytes()).expect("write");
        e.finish().expect("finish");
    }

    #[test]
    fn rotated_sets_come_oldest_first() {
        let d = tempfile::tempdir().expect("tmp");
        let p = |n: &str| d.path().join(n);
        std::fs::write(p("messages"), "live\n").expect("w");
        std::fs::write(p("messages.1"), "one\n").expect("w");
        gz(&p("messages.2.gz"), "two\n");
        gz(&p("messages.10.gz"), "ten\n");
        std::fs::write(p("messages-other"), "x\n").expect("w");
        let set = rotated_set(&p("messages")).expect("set");
        let names: Vec<String> = set
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            names,
            ["messages.10.gz", "messages.2.gz", "messages.1", "messages"]
        );
        let mut text = String::new();
        for f in &set {
            open(f)
                .expect("open")
                .read_to_string(&mut text)
                .expect("read");
        }
        assert_eq!(text, "ten\ntwo\none\nlive\n");
        // A rotated file named on its own is just that file.
        assert_eq!(rotated_set(&p("messages.2.gz")).expect("one").len(), 1);
    }

    #[test]
    fn truncated_gzip_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().expect("tmp");
        let full = d.path().join("full.gz");
        gz(&full, &"a line of text\n".repeat(2000));
        let bytes = std::fs::read(&full).expect("read");
        let cut = d.path().join("cut.gz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
        let file = LogFile {
            path: cut.clone(),
            rotation: 0,
            gzip: true,
        };
        let mut s = String::new();
        let err = open(&file)
            .expect("open")
            .read_to_string(&mut s)
            .unwrap_err();
        assert!(err.to_string().contains("cut.gz: truncated gzip"), "{err}");
        assert!(
            s.starts_with("a line of text\n"),
            "the readable part is kept"
        );
    }
}
