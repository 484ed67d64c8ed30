//! Duplicates (issue 25): the same content at several paths (a pack copied twice, a kit
//! bundled in two libraries). "Keep one, hide the rest" hides the other paths from every
//! search, a flag in the library: no file is deleted or moved, and "show all" undoes it.
//!
//! Near-duplicates (the same sound re-encoded or trimmed) are not found yet: telling them from
//! different takes of one drum needs a threshold chosen by measuring, which is not done.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalogue;
use crate::browse::{parse_id, BrowseError};
use crate::{ContentHash, Library};

/// One content found at several paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateGroup {
    /// The content hash, hex: the sample's id.
    pub id: String,
    /// Its paths, in path order.
    pub paths: Vec<DuplicatePath>,
}

/// One path of a duplicated content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePath {
    /// The file (shown lossily when it is not UTF-8).
    pub path: String,
    /// Hidden from searches.
    pub hidden: bool,
}

/// Every content analysed at two or more present paths, the most copies first.
pub fn exact(lib: &Library) -> Vec<DuplicateGroup> {
    let (cat, _) = catalogue::of(lib);
    let mut by_hash: HashMap<ContentHash, Vec<(&Path, bool)>> = HashMap::new();
    for r in &cat.rows {
        by_hash
            .entry(r.hash)
            .or_default()
            .push((r.path.as_path(), r.hidden));
    }
    let mut groups: Vec<DuplicateGroup> = by_hash
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|(hash, paths)| DuplicateGroup {
            id: hash.to_hex(),
            paths: paths
                .into_iter()
                .map(|(p, hidden)| DuplicatePath {
                    path: p.display().to_string(),
                    hidden,
                })
                .collect(),
        })
        .collect();
    groups.sort_by(|a, b| {
        b.paths
            .len()
            .cmp(&a.paths.len())
            .then_with(|| a.paths[0].path.cmp(&b.paths[0].path))
    });
    groups
}

/// Keep `keep` (one of sample `id`'s paths; the first in path order when `None`) and hide
/// the rest; the group as it now is.
///
/// # Errors
/// [`BrowseError::BadId`]; [`BrowseError::NotFound`] when `id` is not a duplicated content or
/// `keep` is not one of its paths (nothing is hidden then); store errors.
pub fn keep_one(
    lib: &Library,
    id: &str,
    keep: Option<&Path>,
) -> Result<DuplicateGroup, BrowseError> {
    let paths = paths_of(lib, id)?;
    let keep: PathBuf = match keep {
        Some(k) if paths.iter().any(|p| p == k) => k.to_path_buf(),
        Some(k) => {
            return Err(BrowseError::NotFound(format!(
                "{} (not a path of {id})",
                k.display()
            )))
        }
        None => paths[0].clone(),
    };
    for p in &paths {
        let hide = *p != keep;
        if lib.is_hidden(p) != hide {
            lib.set_hidden(p, hide)?;
        }
    }
    group(lib, id)
}

/// Show every path of sample `id` again.
///
/// # Errors
/// As [`keep_one`].
pub fn show_all(lib: &Library, id: &str) -> Result<DuplicateGroup, BrowseError> {
    for p in paths_of(lib, id)? {
        if lib.is_hidden(&p) {
            lib.set_hidden(&p, false)?;
        }
    }
    group(lib, id)
}

/// The present paths of sample `id` in path order, when it has two or more.
fn paths_of(lib: &Library, id: &str) -> Result<Vec<PathBuf>, BrowseError> {
    let hash = parse_id(id)?;
    let (cat, _) = catalogue::of(lib);
    let paths: Vec<PathBuf> = cat
        .rows
        .iter()
        .filter(|r| r.hash == hash)
        .map(|r| r.path.clone())
        .collect();
    if paths.len() < 2 {
        return Err(BrowseError::NotFound(format!("{id} (not at two paths)")));
    }
    Ok(paths)
}

fn group(lib: &Library, id: &str) -> Result<DuplicateGroup, BrowseError> {
    let hash = parse_id(id)?;
    exact(lib)
        .into_iter()
        .find(|g| g.id == hash.to_hex())
        .ok_or_else(|| BrowseError::NotFound(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{search, Query};
    use crate::{PathEntry, PathStatus, SampleRecord};

    #[test]
    fn keep_one_hides_the_other_copies_from_search_and_show_all_brings_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let rec = SampleRecord {
            hash: ContentHash([3; 32]),
            path: dir.path().join("a/kick.wav"),
            ..SampleRecord::default()
        };
        lib.put_analysed(&rec).unwrap();
        lib.put_analysed(&SampleRecord {
            hash: ContentHash([4; 32]),
            path: dir.path().join("a/snare.wav"),
            ..SampleRecord::default()
        })
        .unwrap();
        for copy in ["b/kick.wav", "c/kick copy.wav"] {
            lib.put_path(
                &dir.path().join(copy),
                &PathEntry {
                    hash: rec.hash,
                    size: 1,
                    mtime_ns: 0,
                    status: PathStatus::Analysed,
                },
            )
            .unwrap();
        }
        let count = |q: &Query| search(&lib, q).unwrap().0.len();
        assert_eq!(count(&Query::default()), 4);
        let groups = exact(&lib);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].paths.len(), 3);
        let id = rec.hash.to_hex();
        let keep = dir.path().join("b/kick.wav");
        let g = keep_one(&lib, &id, Some(&keep)).unwrap();
        assert_eq!(g.paths.iter().filter(|p| p.hidden).count(), 2);
        assert_eq!(count(&Query::default()), 2, "one kick and the snare");
        let all = Query {
            include_hidden: true,
            ..Query::default()
        };
        assert_eq!(count(&all), 4);
        assert!(keep_one(&lib, &id, Some(&dir.path().join("x.wav"))).is_err());
        assert!(keep_one(&lib, &ContentHash([4; 32]).to_hex(), None).is_err());
        // The journal has it: a lost store gives the hidden paths back.
        assert!(crate::keep::read(dir.path()).unwrap().hidden[&dir.path().join("a/kick.wav")]);
        show_all(&lib, &id).unwrap();
        assert_eq!(count(&Query::default()), 4);
    }
}
