//! Drives that come and go, and folders that move (issue 25).
//!
//! - **Offline**: a sample whose scanned folder is not there now (an unplugged drive, an
//!   unmounted share) stays in the library and in searches, shown as offline with the name
//!   of the folder it lives on. Nothing marks it missing while its folder is away (a scan
//!   cannot reach it, and the watch leaves a vanished root alone), so it comes back on
//!   re-mount with no analysis: its size and time are unchanged.
//! - **Relink**: a folder moved elsewhere is pointed at its new place; its files are found
//!   again by content hash (no analysis), the old paths go, and the roots follow. Marks and
//!   collections are by content, so they follow too; a hidden copy stays hidden.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::scanner::{scan, ScanEvent, ScanOptions, ScanReport};
use crate::{Library, LibraryError, PathEntry, PathStatus};

/// The scanned folders that are not there now, each with the name a face shows for it (its
/// last component: the volume's or the share's name).
pub fn offline_roots(lib: &Library) -> Vec<(PathBuf, String)> {
    lib.roots()
        .into_iter()
        .filter(|r| !r.exists())
        .map(|r| {
            let name = r
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| r.display().to_string());
            (r, name)
        })
        .collect()
}

/// The name of the offline folder `path` lies in, if it does.
pub fn offline_name<'a>(offline: &'a [(PathBuf, String)], path: &Path) -> Option<&'a str> {
    offline
        .iter()
        .filter(|(r, _)| path.starts_with(r))
        .max_by_key(|(r, _)| r.components().count())
        .map(|(_, n)| n.as_str())
}

/// What a relink did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RelinkReport {
    /// Paths of the old folder the library knew.
    pub old_paths: u64,
    /// Old paths whose file was found at the new place (by relative path or by content).
    pub relinked: u64,
    /// The scan of the new folder (`reused` counts the contents found again).
    pub scan: ScanReport,
}

/// Point the library's folder `from` (moved away) at `to`: scan `to` (known contents take
/// their analyses, so nothing is analysed again), move what the producer set on paths (hidden
/// copies) to the new paths, forget the old paths, and make `to` a root in place of `from`.
///
/// # Errors
/// [`LibraryError::NotFound`] when the library knows no path under `from`, or `to` is not a
/// folder (nothing is changed then); store failures.
pub fn relink(
    lib: &Library,
    from: &Path,
    to: &Path,
    opts: &ScanOptions,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<RelinkReport, LibraryError> {
    let old: Vec<(PathBuf, PathEntry)> = lib.paths_under(from).into_iter().flatten().collect();
    if old.is_empty() {
        return Err(LibraryError::NotFound {
            what: format!(
                "{} (no sample of the library lies under it)",
                from.display()
            ),
        });
    }
    let to = std::fs::canonicalize(to).map_err(|e| LibraryError::NotFound {
        what: format!("{} ({e})", to.display()),
    })?;
    if !to.is_dir() {
        return Err(LibraryError::NotFound {
            what: format!("{} (not a folder)", to.display()),
        });
    }
    let mut out = RelinkReport {
        old_paths: old.len() as u64,
        ..RelinkReport::default()
    };
    let stop = AtomicBool::new(false);
    out.scan = scan(lib, std::slice::from_ref(&to), opts, &stop, on_event)?;
    let found: HashMap<crate::ContentHash, PathBuf> = lib
        .paths_under(&to)
        .into_iter()
        .flatten()
        .filter(|(_, e)| e.status == PathStatus::Analysed)
        .map(|(p, e)| (e.hash, p))
        .collect();
    for (p, e) in &old {
        // The same relative path first; else the same content anywhere under the new place.
        let same_place = p.strip_prefix(from).ok().map(|rel| to.join(rel));
        let new = same_place
            .filter(|n| {
                lib.path_entry(n)
                    .ok()
                    .flatten()
                    .is_some_and(|x| x.hash == e.hash)
            })
            .or_else(|| found.get(&e.hash).cloned());
        if let Some(n) = new {
            out.relinked += 1;
            if lib.is_hidden(p) {
                lib.set_hidden(&n, true)?;
                lib.set_hidden(p, false)?;
            }
        }
        if e.status != PathStatus::Missing {
            lib.put_path(
                p,
                &PathEntry {
                    status: PathStatus::Missing,
                    ..e.clone()
                },
            )?;
        }
    }
    if lib.roots().iter().any(|r| r == from) {
        lib.forget_root(from)?;
    }
    Ok(out)
}
