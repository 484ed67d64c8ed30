//! Watch folders (issue 25): a file copied into a watched folder is analysed within seconds,
//! a deleted one is marked missing, a renamed one keeps its analysis (its content is known).
//!
//! The OS reports changes through `notify` (inotify, FSEvents, ReadDirectoryChangesW). They
//! are gathered into batches: a batch closes after a quiet spell with no change, or at the
//! latest after [`WatchOptions::at_most`], so unzipping a 2,000-file pack is one scan, not
//! 2,000, and a file written in many chunks is read once it is whole. Each batch is one
//! ordinary scan of the changed files and folders (the scanner's content-hash reuse is what
//! makes a rename free), and the gone paths are marked missing, their analyses kept. An
//! editor's or a browser's temporary files (`.part`, `~$x.wav`, `.x.wav.swp`) are ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use serde::Serialize;

use crate::scanner::{scan, ScanEvent, ScanOptions, ScanReport};
use crate::{Library, LibraryError, PathEntry, PathStatus};

/// When a batch of changes closes.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// A batch closes after this long with no new change.
    ///
    /// Default: 1.5 s.
    pub quiet: Duration,
    /// ... or this long after its first change, however busy the folder.
    ///
    /// Default: 20 s.
    pub at_most: Duration,
    /// Held while a batch is applied: a face that also scans on demand (the app's drops)
    /// passes the lock its scans take, so that two scans never write at once.
    ///
    /// Default: none.
    pub one_scan_at_a_time: Option<Arc<Mutex<()>>>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            quiet: Duration::from_millis(1500),
            at_most: Duration::from_secs(20),
            one_scan_at_a_time: None,
        }
    }
}

/// What one batch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WatchBatch {
    /// Files and folders that changed (scanned), and paths that went.
    pub changed: u64,
    /// Paths marked missing (gone from the disk; their analyses are kept).
    pub gone: u64,
    /// The scan of what changed.
    pub scan: ScanReport,
}

/// Why watching could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The OS refused to watch a folder (a missing folder, or the limit of watches reached:
    /// on Linux, `fs.inotify.max_user_watches`).
    #[error("cannot watch {}: {reason}", path.display())]
    Watch {
        /// The folder.
        path: PathBuf,
        /// The OS's reason.
        reason: String,
    },
    /// Nothing to watch.
    #[error("no folder to watch (scan a folder first, or name one)")]
    Nothing,
    /// The store failed.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// Watch `folders` until `stop` is set, bringing `lib` up to date batch by batch (see the
/// module). `on_batch` hears what each batch did; `on_event` the scans' progress.
///
/// # Errors
/// [`WatchError::Watch`] when a folder cannot be watched (nothing is watched then);
/// [`WatchError::Library`] when the store fails (a file's own failure is in the batch's
/// report and never stops the watch).
pub fn watch(
    lib: &Library,
    folders: &[PathBuf],
    scan_opts: &ScanOptions,
    opts: &WatchOptions,
    stop: &AtomicBool,
    on_batch: &mut dyn FnMut(&WatchBatch),
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<(), WatchError> {
    if folders.is_empty() {
        return Err(WatchError::Nothing);
    }
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| WatchError::Watch {
        path: folders[0].clone(),
        reason: e.to_string(),
    })?;
    for f in folders {
        watcher
            .watch(f, RecursiveMode::Recursive)
            .map_err(|e| WatchError::Watch {
                path: f.clone(),
                reason: e.to_string(),
            })?;
    }
    let scan_opts = ScanOptions {
        remember_roots: false,
        ..scan_opts.clone()
    };
    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first: Option<Instant> = None;
    let mut last = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(event)) => {
                if matters(&event.kind) {
                    for p in event.paths.into_iter().filter(|p| !ignored(p)) {
                        pending.insert(p);
                    }
                    last = Instant::now();
                    first.get_or_insert(last);
                }
            }
            // The OS dropped events (its queue overflowed): the next batch rescans the folders.
            Ok(Err(e)) => {
                tracing::warn!("the folder watch lost events ({e}); rescanning the folders");
                pending.extend(folders.iter().cloned());
                last = Instant::now();
                first.get_or_insert(last);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let due =
            first.is_some_and(|f| last.elapsed() >= opts.quiet || f.elapsed() >= opts.at_most);
        if due && !pending.is_empty() {
            let batch = std::mem::take(&mut pending);
            first = None;
            let applied = {
                let _turn = opts
                    .one_scan_at_a_time
                    .as_ref()
                    .map(|l| l.lock().unwrap_or_else(|p| p.into_inner()));
                apply(lib, folders, batch, &scan_opts, stop, on_event)?
            };
            on_batch(&applied);
        }
    }
    Ok(())
}

/// The folders to watch for `lib`: the ones it was scanned from (a file scanned on its own
/// stands for its folder) and `extra` (the settings' library folders), each once, the
/// outermost of nested ones only, the ones that exist.
pub fn library_folders(lib: &Library, extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for r in lib.roots().into_iter().chain(extra.iter().cloned()) {
        let f = match r.parent() {
            Some(parent) if r.is_file() => parent.to_path_buf(),
            _ => r,
        };
        let f = std::fs::canonicalize(&f).unwrap_or(f);
        if f.is_dir() && !out.contains(&f) {
            out.push(f);
        }
    }
    let all = out.clone();
    out.retain(|f| !all.iter().any(|o| o != f && f.starts_with(o)));
    out
}

/// Scan what is there of `changed`, mark missing what went.
fn apply(
    lib: &Library,
    folders: &[PathBuf],
    changed: BTreeSet<PathBuf>,
    scan_opts: &ScanOptions,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<WatchBatch, LibraryError> {
    let mut out = WatchBatch {
        changed: changed.len() as u64,
        ..WatchBatch::default()
    };
    let (present, gone): (Vec<PathBuf>, Vec<PathBuf>) =
        changed.into_iter().partition(|p| p.exists());
    // A folder's scan covers what lies in it: its files are not scanned twice.
    let dirs: Vec<&PathBuf> = present.iter().filter(|p| p.is_dir()).collect();
    let roots: Vec<PathBuf> = present
        .iter()
        .filter(|p| p.is_dir() || samplemind_audio::has_audio_extension(p))
        .filter(|p| !dirs.iter().any(|f| *f != *p && p.starts_with(f)))
        .cloned()
        .collect();
    // A watched folder that is itself gone is a drive unplugged or a share unmounted, not
    // files deleted: its samples stay, offline, until it is back (see `crate::drives`).
    let unplugged = |p: &Path| folders.iter().any(|f| p.starts_with(f) && !f.exists());
    for p in gone.iter().filter(|p| !unplugged(p)) {
        out.gone += mark_missing(lib, p)?;
    }
    if !roots.is_empty() {
        out.scan = scan(lib, &roots, scan_opts, stop, on_event)?;
    }
    Ok(out)
}

/// Mark `path`, and every path under it when it was a folder, missing; how many.
fn mark_missing(lib: &Library, path: &Path) -> Result<u64, LibraryError> {
    let mut n = 0;
    let mut put = |p: &Path, e: PathEntry| -> Result<(), LibraryError> {
        if e.status != PathStatus::Missing {
            lib.put_path(
                p,
                &PathEntry {
                    status: PathStatus::Missing,
                    ..e
                },
            )?;
            n += 1;
        }
        Ok(())
    };
    if let Some(e) = lib.path_entry(path)? {
        put(path, e)?;
    }
    for (p, e) in lib.paths_under(path).into_iter().flatten() {
        put(&p, e)?;
    }
    Ok(n)
}

/// Whether a change of this kind can change what the library holds (reads and metadata-only
/// touches cannot).
fn matters(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Modify(m) => !matches!(m, notify::event::ModifyKind::Metadata(_)),
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// An editor's, a browser's or the OS's temporary or hidden file: never a sample.
fn ignored(p: &Path) -> bool {
    let Some(name) = p.file_name().map(|n| n.to_string_lossy().to_lowercase()) else {
        return true;
    };
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || [
            ".tmp",
            ".part",
            ".partial",
            ".crdownload",
            ".download",
            ".swp",
            ".swx",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_and_hidden_files_are_ignored() {
        for p in [
            "/s/.kick.wav.swp",
            "/s/~$kick.wav",
            "/s/kick.wav.part",
            "/s/kick.wav.crdownload",
            "/s/kick.wav~",
            "/s/.DS_Store",
        ] {
            assert!(ignored(Path::new(p)), "{p}");
        }
        assert!(!ignored(Path::new("/s/Kick 01.wav")));
        assert!(!ignored(Path::new("/s/Drums")));
    }
}
