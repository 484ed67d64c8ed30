//! `samplemind repair`: bring a damaged library back without losing anything that can be
//! kept.
//!
//! The damaged store is moved aside, never deleted (`store.damaged-<time>`: someone may want
//! to send it in, or try again by hand). Then what still reads is saved: sled's recovery is
//! tried on a copy as it is, and on a copy without its snapshot files (sled then rebuilds its
//! page table from the log alone, which is the by-hand fix that works when a snapshot is
//! damaged); whichever reads more is copied into a fresh store. The keep journal
//! ([`super::keep`]) gives back the hand corrections, and names the folders to rescan, which
//! the caller does: a rescan re-analyses exactly what was not saved.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::{LibraryError, Result};
use super::keep;
use super::record::{ContentHash, Corrections, PathStatus, SampleRecord};
use super::store::{fused, Library, VerifyReport, META_SCHEMA};

/// How a repair went.
#[derive(Debug)]
pub enum RepairOutcome {
    /// The store opened and every entry read: nothing was changed.
    Healthy(VerifyReport),
    /// The store was damaged and has been rebuilt.
    Rebuilt(Rebuilt),
}

/// What a rebuild did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Rebuilt {
    /// Why the store was found damaged.
    pub found: String,
    /// Where the damaged store now is (never deleted).
    pub kept_aside: PathBuf,
    /// Entries saved from the damaged store into the new one.
    pub saved_entries: u64,
    /// Whether the damaged store read to its end (then nothing but unreadable pages was lost).
    pub read_whole: bool,
    /// Whether the save worked best without sled's snapshot files.
    pub without_snapshot: bool,
    /// Hand corrections given back from the keep journal.
    pub corrections_restored: usize,
    /// Samples whose marks (favourite, rating, colour, tags) came back from the journal.
    pub marks_restored: usize,
    /// Collections given back from the journal.
    pub collections_restored: usize,
    /// Journal lines that did not read (skipped).
    pub unreadable_journal_lines: usize,
    /// Folders and files to rescan: those scanned before, and the folders of saved paths
    /// outside them.
    pub roots: Vec<PathBuf>,
}

/// Check the library in `dir` and rebuild it when it is damaged (see the module).
///
/// # Errors
/// [`LibraryError::Locked`] when another process has it open (nothing is touched),
/// [`LibraryError::NewerSchema`], a full disk, and the file system's errors while moving the
/// store aside or writing the new one.
pub fn repair(dir: &Path) -> Result<RepairOutcome> {
    let found = match Library::open(dir).and_then(|lib| lib.verify()) {
        Ok(report) => return Ok(RepairOutcome::Healthy(report)),
        Err(
            e @ (LibraryError::Locked { .. }
            | LibraryError::NewerSchema { .. }
            | LibraryError::DiskFull { .. }),
        ) => return Err(e),
        Err(e) => e.damage().map_or_else(|| e.to_string(), str::to_string),
    };
    let io = |e: std::io::Error| LibraryError::from_store(dir, sled::Error::Io(e));

    let store = dir.join("store");
    let aside = aside_name(dir);
    std::fs::rename(&store, &aside).map_err(io)?;
    tracing::info!("damaged store moved to {}", aside.display());

    let mut out = Rebuilt {
        found,
        kept_aside: aside.clone(),
        ..Default::default()
    };
    let scratch = dir.join("salvage.tmp");
    // Count first, copy the better one after: holding a whole library in memory to compare
    // would not stay bounded at a million samples.
    let mut best: Option<(bool, Salvage)> = None;
    for without_snapshot in [false, true] {
        let Ok(count) = with_copy(&aside, &scratch, without_snapshot, |copy| {
            Ok(salvage(copy, None))
        }) else {
            continue;
        };
        let better = best
            .as_ref()
            .is_none_or(|(_, b)| (count.whole, count.entries) > (b.whole, b.entries));
        if better {
            best = Some((without_snapshot, count));
        }
    }

    // Not `Library::open`: the fresh store does not yet know the journal's roots, which
    // that would call damage.
    let fresh = Library::open_store(dir, &store)?;
    if let Some((without_snapshot, _)) = best {
        let saved = with_copy(&aside, &scratch, without_snapshot, |copy| {
            Ok(salvage(copy, Some(&fresh)))
        })
        .map_err(io)?;
        out.saved_entries = saved.entries;
        out.read_whole = saved.whole;
        out.without_snapshot = without_snapshot && saved.entries > 0;
    }

    let kept = keep::read(dir).map_err(io)?;
    out.unreadable_journal_lines = kept.unreadable_lines;
    for root in &kept.roots {
        fresh.know_root(root)?;
    }
    for (hash, corrections) in &kept.corrections {
        restore_corrections(&fresh, hash, corrections)?;
        out.corrections_restored += 1;
    }
    for (hash, c) in &kept.curation {
        fresh.restore_curation(hash, c)?;
        out.marks_restored += 1;
    }
    for (path, hidden) in &kept.hidden {
        fresh.restore_hidden(path, *hidden)?;
    }
    for (key, c) in &kept.collections {
        fresh.restore_collection(key, c.as_ref())?;
        out.collections_restored += usize::from(c.is_some());
    }
    out.roots = roots_to_rescan(&fresh, kept.roots);
    fresh.flush()?;
    Ok(RepairOutcome::Rebuilt(out))
}

/// Open the library in `dir`, repairing it first when it is damaged: for a face that cannot
/// ask (the desktop app at start, which would otherwise not start at all). Nothing is lost by
/// it: the damaged store is kept aside. The caller rescans [`Rebuilt::roots`].
///
/// # Errors
/// As [`Library::open`] for anything but damage; as [`repair`] when the repair fails.
pub fn open_or_repair(dir: &Path) -> Result<(Library, Option<Rebuilt>)> {
    match Library::open(dir) {
        Err(e) if e.is_damaged() => {
            tracing::warn!("{e}; repairing it");
            let rebuilt = match repair(dir)? {
                RepairOutcome::Rebuilt(r) => Some(r),
                RepairOutcome::Healthy(_) => None,
            };
            Ok((Library::open(dir)?, rebuilt))
        }
        other => other.map(|lib| (lib, None)),
    }
}

/// A name beside `store` that is not taken.
fn aside_name(dir: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut n = 0;
    loop {
        let name = match n {
            0 => format!("store.damaged-{secs}"),
            n => format!("store.damaged-{secs}-{n}"),
        };
        let p = dir.join(name);
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

/// Run `f` on a fresh copy of the damaged store (its snapshot files left out when asked),
/// then remove the copy: sled's recovery writes, and the store kept aside must stay as found.
fn with_copy<T>(
    damaged: &Path,
    scratch: &Path,
    without_snapshot: bool,
    f: impl FnOnce(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let _ = std::fs::remove_dir_all(scratch);
    super::files::copy_dir(damaged, scratch, &|name| {
        !(without_snapshot && name.to_string_lossy().starts_with("snap."))
    })?;
    let out = f(scratch);
    let _ = std::fs::remove_dir_all(scratch);
    out
}

/// What a salvage read.
#[derive(Debug, Default)]
struct Salvage {
    entries: u64,
    whole: bool,
}

/// Read every tree of the store at `copy`, up to its first unreadable page, copying each
/// entry into `into` when given. A store that does not open saves nothing.
fn salvage(copy: &Path, into: Option<&Library>) -> Salvage {
    let mut out = Salvage::default();
    let run = || {
        let Ok(old) = Library::open_store(copy, copy) else {
            return;
        };
        out.whole = true;
        let targets = into.map(Library::trees);
        for (i, (name, tree)) in old.trees().into_iter().enumerate() {
            let target = targets.map(|t| t[i].1);
            for kv in fused(tree.iter()) {
                let Ok((k, v)) = kv else {
                    out.whole = false;
                    break;
                };
                // The new store writes its own schema version.
                if name == "meta" && k.as_ref() == META_SCHEMA {
                    continue;
                }
                if let Some(t) = target {
                    if t.insert(k, v).is_err() {
                        out.whole = false;
                        return;
                    }
                }
                out.entries += 1;
            }
        }
    };
    if samplemind_analysis::isolate::catch(run).is_err() {
        out.whole = false;
    }
    out
}

/// Give the journal's corrections back: to the saved record when there is one, and for the
/// sample's next analysis either way.
fn restore_corrections(lib: &Library, hash: &ContentHash, c: &Corrections) -> Result<()> {
    lib.keep_corrections(hash, c)?;
    if let Ok(Some(rec)) = lib.sample(hash) {
        if rec.corrections != *c {
            lib.put_sample(&SampleRecord {
                corrections: c.clone(),
                ..rec
            })?;
        }
    }
    Ok(())
}

/// The roots scanned before, then the folders of saved paths that lie outside them (a
/// library older than the journal names no roots).
fn roots_to_rescan(lib: &Library, journal: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for r in journal.into_iter().chain(lib.roots()) {
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    let mut extra = BTreeSet::new();
    for (path, entry) in lib.all_paths().flatten() {
        if entry.status == PathStatus::Missing || roots.iter().any(|r| path.starts_with(r)) {
            continue;
        }
        if let Some(parent) = path.parent() {
            extra.insert(parent.to_path_buf());
        }
    }
    // Only the outermost of nested folders: a scan walks into the rest.
    let extra: Vec<PathBuf> = extra.into_iter().collect();
    for p in &extra {
        if !extra.iter().any(|q| q != p && p.starts_with(q)) {
            roots.push(p.clone());
        }
    }
    roots
}
