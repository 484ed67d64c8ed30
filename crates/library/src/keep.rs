//! What a rescan cannot rebuild, kept outside the store: an append-only journal
//! (`keep.jsonl` in the library folder) of the producer's own edits and of the folders
//! scanned.
//!
//! A damaged store loses whatever it held; analyses come back from a rescan, but hand
//! corrections, favourites, ratings, colours, user tags and collections would not. Each edit
//! appends one line, synced before the edit is stored, so the journal is never behind the
//! store. Human edits are few, so the file stays small and is never compacted; `repair`
//! replays it, the last line for a sample winning. A torn last line (a crash mid-append) is
//! skipped on reading.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::curation::{Collection, Curation};
use super::record::{stored_path, ContentHash, Corrections};

/// The journal's file name in the library folder.
pub const FILE_NAME: &str = "keep.jsonl";

/// Reading stops here: a journal of hand edits is kilobytes, and a file grown past this is not
/// one (the rest is reported as unread, never loaded).
const MAX_READ_BYTES: u64 = 64 << 20;

/// One journal line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    /// A folder or file given to a scan. `raw` is the path's bytes (lossless, also for a
    /// name that is not UTF-8); `shown` is for people reading the file.
    Root { raw: Vec<u8>, shown: String },
    /// A root forgotten (a folder relinked to its new place).
    ForgetRoot { raw: Vec<u8> },
    /// The hand corrections of a sample, replacing earlier ones.
    Corrections {
        hash: String,
        corrections: Corrections,
    },
    /// The marks on a sample (favourite, rating, colour, tags), replacing earlier ones.
    Curation { hash: String, curation: Curation },
    /// A path hidden from searches (a duplicate's copy), or shown again.
    Hidden { raw: Vec<u8>, hidden: bool },
    /// A collection as it now is, under its key; `None` when it was deleted.
    Collection {
        key: String,
        collection: Option<Collection>,
    },
}

/// Everything the journal holds, replayed.
#[derive(Debug, Default)]
pub struct Kept {
    /// Folders and files scanned, in the order first seen.
    pub roots: Vec<PathBuf>,
    /// The latest hand corrections of each sample.
    pub corrections: HashMap<ContentHash, Corrections>,
    /// The latest marks on each sample.
    pub curation: HashMap<ContentHash, Curation>,
    /// Paths hidden from searches, and shown again (`false`), the last word for each.
    pub hidden: HashMap<PathBuf, bool>,
    /// The latest state of each collection by key; `None` for a deleted one.
    pub collections: HashMap<String, Option<Collection>>,
    /// Lines that did not read (a torn last line, a hand edit gone wrong); skipped.
    pub unreadable_lines: usize,
}

/// Append that `root` was scanned.
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_root(library_dir: &Path, root: &Path) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::Root {
            raw: stored_path::raw(root),
            shown: root.display().to_string(),
        },
    )
}

/// Append that `root` is no longer one of the library's.
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_forget_root(library_dir: &Path, root: &Path) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::ForgetRoot {
            raw: stored_path::raw(root),
        },
    )
}

/// Append the hand corrections of the sample under `hash`.
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_corrections(
    library_dir: &Path,
    hash: &ContentHash,
    corrections: &Corrections,
) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::Corrections {
            hash: hash.to_hex(),
            corrections: corrections.clone(),
        },
    )
}

/// Append the marks on the sample under `hash`.
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_curation(
    library_dir: &Path,
    hash: &ContentHash,
    curation: &Curation,
) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::Curation {
            hash: hash.to_hex(),
            curation: curation.clone(),
        },
    )
}

/// Append that `path` is hidden (or shown again).
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_hidden(library_dir: &Path, path: &Path, hidden: bool) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::Hidden {
            raw: stored_path::raw(path),
            hidden,
        },
    )
}

/// Append a collection's new state under `key` (`None`: deleted).
///
/// # Errors
/// The file system's (a full disk among them).
pub fn append_collection(
    library_dir: &Path,
    key: &str,
    collection: Option<&Collection>,
) -> std::io::Result<()> {
    append(
        library_dir,
        &Line::Collection {
            key: key.to_string(),
            collection: collection.cloned(),
        },
    )
}

fn append(library_dir: &Path, line: &Line) -> std::io::Result<()> {
    let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
    text.push('\n');
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(library_dir.join(FILE_NAME))?;
    // One write call per line: an append of a few hundred bytes lands whole or not at all
    // in practice, and a torn one is skipped on reading.
    f.write_all(text.as_bytes())?;
    f.sync_data()
}

/// Read the journal of `library_dir` (empty when there is none).
///
/// # Errors
/// The file system's, other than a missing file.
pub fn read(library_dir: &Path) -> std::io::Result<Kept> {
    let mut kept = Kept::default();
    let f = match std::fs::File::open(library_dir.join(FILE_NAME)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(kept),
        Err(e) => return Err(e),
    };
    let mut seen_roots = BTreeSet::new();
    for line in BufReader::new(f.take(MAX_READ_BYTES)).split(b'\n') {
        replay(&line?, &mut kept, &mut seen_roots);
    }
    Ok(kept)
}

/// Replay the journal lines in `bytes` (what [`read`] does with a file).
pub fn read_lines(bytes: &[u8]) -> Kept {
    let mut kept = Kept::default();
    let mut seen_roots = BTreeSet::new();
    for line in bytes.split(|&b| b == b'\n') {
        replay(line, &mut kept, &mut seen_roots);
    }
    kept
}

fn replay(line: &[u8], kept: &mut Kept, seen_roots: &mut BTreeSet<PathBuf>) {
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    match serde_json::from_slice::<Line>(line) {
        Ok(Line::Root { raw, .. }) => {
            let p = stored_path::from_raw(&raw);
            if seen_roots.insert(p.clone()) {
                kept.roots.push(p);
            }
        }
        Ok(Line::ForgetRoot { raw }) => {
            let p = stored_path::from_raw(&raw);
            kept.roots.retain(|r| *r != p);
            seen_roots.remove(&p);
        }
        Ok(Line::Corrections { hash, corrections }) => match ContentHash::from_hex(&hash) {
            Some(h) => {
                kept.corrections.insert(h, corrections);
            }
            None => kept.unreadable_lines += 1,
        },
        Ok(Line::Curation { hash, curation }) => match ContentHash::from_hex(&hash) {
            Some(h) if curation.is_valid() => {
                kept.curation.insert(h, curation);
            }
            _ => kept.unreadable_lines += 1,
        },
        Ok(Line::Hidden { raw, hidden }) => {
            kept.hidden.insert(stored_path::from_raw(&raw), hidden);
        }
        Ok(Line::Collection { key, collection }) => {
            if collection.as_ref().is_some_and(|c| c.key() != key) {
                kept.unreadable_lines += 1;
            } else {
                kept.collections.insert(key, collection);
            }
        }
        Err(_) => kept.unreadable_lines += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_the_last_corrections_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let h = ContentHash([7; 32]);
        let first = Corrections {
            bpm: Some(90.0),
            ..Default::default()
        };
        let last = Corrections {
            key: Some("A minor".into()),
            ..Default::default()
        };
        append_corrections(dir.path(), &h, &first).unwrap();
        append_root(dir.path(), Path::new("/packs/drums")).unwrap();
        append_root(dir.path(), Path::new("/packs/drums")).unwrap();
        append_corrections(dir.path(), &h, &last).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE_NAME))
            .unwrap();
        f.write_all(b"{\"kind\":\"corrections\",\"hash\":\"07")
            .unwrap();
        let kept = read(dir.path()).unwrap();
        assert_eq!(kept.corrections.get(&h), Some(&last));
        assert_eq!(kept.roots, vec![PathBuf::from("/packs/drums")]);
        assert_eq!(kept.unreadable_lines, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_root_that_is_not_utf8_comes_back_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let p = PathBuf::from(std::ffi::OsStr::from_bytes(b"/packs/caf\xe9"));
        append_root(dir.path(), &p).unwrap();
        assert_eq!(read(dir.path()).unwrap().roots, vec![p]);
    }
}
