//! The sled store behind [`Library`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{LibraryError, Result};
use samplemind_ml::SoundVectors;

mod marks;

/// Why a waveform overview could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PeaksError {
    /// The file did not decode.
    #[error(transparent)]
    Decode(#[from] samplemind_audio::DecodeError),
    /// The store failed.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

use super::record::{ContentHash, PathEntry, PathStatus, SampleRecord, SCHEMA_VERSION};

pub(super) const META_SCHEMA: &[u8] = b"schema_version";
/// Prefix of the `meta` keys that note a scanned root (the rest of the key is its path).
const META_ROOT: &[u8] = b"root:";

/// An open sample library. Cheap to clone: clones share the one sled database.
#[derive(Clone)]
pub struct Library {
    dir: PathBuf,
    db: sled::Db,
    samples: sled::Tree,
    paths: sled::Tree,
    meta: sled::Tree,
    vectors: sled::Tree,
    peaks: sled::Tree,
    /// Hand corrections by content hash, as replayed from the keep journal by `repair`: a
    /// sample analysed afresh takes them (its record was lost with a damaged store).
    kept: sled::Tree,
    /// The producer's marks by content hash ([`crate::curation::Curation`]).
    curation: sled::Tree,
    /// Collections by [`crate::curation::collection_key`].
    collections: sled::Tree,
    /// Paths the producer hid (the copies of a duplicate they keep one of), by path key.
    hidden: sled::Tree,
    /// Which open library this is, unique in the process, and how many writes to its paths
    /// and samples it has seen: together they name one state of what a search sees.
    instance: u64,
    writes: Arc<crate::changes::Log>,
    /// The scratch copy a read on a full disk opened instead of the store (see
    /// [`Library::open_for_reading`]); last, so the store closes before it is removed.
    scratch: Option<Arc<tempfile::TempDir>>,
}

/// Every opened library gets its own number, so that a reopened one is never mistaken for
/// the one before it.
static INSTANCES: AtomicU64 = AtomicU64::new(1);

/// One path of the library with its sample, as listed by [`Library::entries`].
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    /// The file.
    pub path: PathBuf,
    /// What the store knows of the path.
    pub entry: PathEntry,
    /// Its analysed content, when analysed.
    pub sample: Option<SampleRecord>,
}

/// Counts for `samplemind stats`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LibraryStats {
    /// Paths known.
    pub paths: u64,
    /// Paths analysed.
    pub analysed: u64,
    /// Paths waiting for analysis.
    pub pending: u64,
    /// Paths whose analysis failed.
    pub failed: u64,
    /// Paths not found on the last scan.
    pub missing: u64,
    /// Distinct contents analysed.
    pub unique_samples: u64,
    /// Total audio length of the distinct contents, seconds.
    pub total_duration_s: f64,
    /// Loops among the distinct contents.
    pub loops: u64,
    /// Size of the store on disk, bytes.
    pub store_bytes: u64,
    /// Records that could not be decoded (skipped).
    pub corrupt_records: u64,
    /// Why the store could not be read to its end, when it could not: it is damaged, and
    /// the counts above are of what still reads (`samplemind repair` is the way out).
    pub damaged: Option<String>,
}

/// What [`Library::verify`] read.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    /// Entries read, all trees together.
    pub entries: u64,
    /// Records that read from the store but do not decode (skipped by every reader).
    pub corrupt_records: u64,
}

impl Library {
    /// Open (or create) the library in `dir`, migrating an older schema.
    ///
    /// # Errors
    /// [`LibraryError::Store`] when sled cannot open the directory (permissions, another
    /// process holding it), [`LibraryError::NewerSchema`] when a newer SampleMind wrote it.
    pub fn open(dir: &Path) -> Result<Self> {
        super::files::create_private_dir(dir)
            .map_err(|e| LibraryError::from_store(dir, sled::Error::Io(e)))?;
        let lib = Self::open_store(dir, &dir.join("store"))?;
        lib.check_against_journal()?;
        Ok(lib)
    }

    /// A store emptied or cut back to before its first scan (a file truncated to nothing, an
    /// old copy put back) opens as a valid, empty library: only the keep journal, written
    /// beside it, still knows that folders were scanned into it. A root the journal names and
    /// the store does not know is that loss, named as damage so that `repair` rebuilds.
    fn check_against_journal(&self) -> Result<()> {
        let Ok(kept) = super::keep::read(&self.dir) else {
            return Ok(());
        };
        let known = self.roots();
        let lost = kept.roots.iter().filter(|r| !known.contains(r)).count();
        if lost == 0 {
            return Ok(());
        }
        Err(LibraryError::Damaged {
            path: self.dir.clone(),
            reason: format!(
                "the store has lost what it held: {lost} of the {} folders its journal says were scanned are unknown to it",
                kept.roots.len()
            ),
        })
    }

    /// Open the sled store at `store` as the library of `dir`. sled's recovery reads every
    /// segment of a damaged file, and it panics on some (an index out of bounds on a
    /// truncated segment): that panic is caught here and named as damage, so opening a
    /// library never takes the process down.
    pub(super) fn open_store(dir: &Path, store: &Path) -> Result<Self> {
        let opened = samplemind_analysis::isolate::catch(|| Self::open_unguarded(dir, store));
        let lib = opened.map_err(|message| LibraryError::Damaged {
            path: dir.to_path_buf(),
            reason: format!("the store failed while opening: {message}"),
        })??;
        lib.migrate()?;
        Ok(lib)
    }

    fn open_unguarded(dir: &Path, store: &Path) -> Result<Self> {
        let store_err = |source| LibraryError::from_store(dir, source);
        let db = sled::Config::new()
            .path(store)
            // Bounded flush interval: a kill -9 loses at most this much finished work.
            .flush_every_ms(Some(500))
            .open()
            .map_err(store_err)?;
        let open_tree = |name: &str| db.open_tree(name).map_err(store_err);
        Ok(Library {
            dir: dir.to_path_buf(),
            samples: open_tree("samples")?,
            paths: open_tree("paths")?,
            meta: open_tree("meta")?,
            vectors: open_tree("vectors")?,
            peaks: open_tree("peaks")?,
            kept: open_tree("kept")?,
            curation: open_tree("curation")?,
            collections: open_tree("collections")?,
            hidden: open_tree("hidden")?,
            db,
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            writes: Arc::new(crate::changes::Log::default()),
            scratch: None,
        })
    }

    /// Open the library for a command that only reads (search, stats, export, health).
    ///
    /// On a full disk sled may not open at all: its recovery zeroes the log's tail and can
    /// need a new segment, so "a read needs a write". Then the store is copied to a private
    /// scratch folder (memory-backed `/dev/shm` on Linux when it exists, else the temporary
    /// folder, usually another file system) and read from there; whatever the command would
    /// write (a cached overview) is dropped with the copy, and [`Library::is_scratch_copy`]
    /// says so.
    ///
    /// # Errors
    /// As [`Library::open`]; [`LibraryError::DiskFull`] when the copy has no room either.
    pub fn open_for_reading(dir: &Path) -> Result<Self> {
        match Self::open(dir) {
            Err(LibraryError::DiskFull { path }) => Self::open_scratch_copy(dir).map_err(|e| {
                tracing::debug!("no scratch copy either: {e}");
                LibraryError::DiskFull { path }
            }),
            other => other,
        }
    }

    fn open_scratch_copy(dir: &Path) -> Result<Self> {
        let io = |e| LibraryError::from_store(dir, sled::Error::Io(e));
        let scratch = tempfile::Builder::new()
            .prefix("samplemind-")
            .tempdir_in(super::files::scratch_parent())
            .map_err(io)?;
        let copy = scratch.path().join("store");
        super::files::copy_dir(&dir.join("store"), &copy, &|_| true).map_err(io)?;
        let mut lib = Self::open_store(dir, &copy)?;
        lib.scratch = Some(Arc::new(scratch));
        tracing::warn!(
            "the disk of library {} is full: reading from a temporary copy; nothing this command writes is kept",
            dir.display()
        );
        Ok(lib)
    }

    /// Whether this is a scratch copy opened on a full disk (writes are not kept).
    pub fn is_scratch_copy(&self) -> bool {
        self.scratch.is_some()
    }

    /// Read every entry of every tree, as `repair` and `health` need to know whether the
    /// store is whole. Bounded: sled's iterators end at the first error (see [`fused`]), and
    /// a panic inside sled is caught.
    ///
    /// # Errors
    /// [`LibraryError::Damaged`] naming what failed; other store errors.
    pub fn verify(&self) -> Result<VerifyReport> {
        let read_all = || -> Result<VerifyReport> {
            let mut r = VerifyReport::default();
            for (name, tree) in self.trees() {
                for kv in fused(tree.iter()) {
                    let (_, v) = kv.map_err(|e| self.store_err(e))?;
                    r.entries += 1;
                    let decodes = match name {
                        "samples" => decode::<SampleRecord>(name, "", &v).is_ok(),
                        "paths" => decode::<PathEntry>(name, "", &v).is_ok(),
                        _ => true,
                    };
                    r.corrupt_records += u64::from(!decodes);
                }
            }
            Ok(r)
        };
        let report = samplemind_analysis::isolate::catch(read_all).map_err(|message| {
            LibraryError::Damaged {
                path: self.dir.clone(),
                reason: format!("the store failed while reading: {message}"),
            }
        })??;
        self.check_against_journal()?;
        Ok(report)
    }

    /// Every tree with its name, always in the same order (`repair` copies tree by tree).
    pub(super) fn trees(&self) -> [(&'static str, &sled::Tree); 9] {
        [
            ("meta", &self.meta),
            ("samples", &self.samples),
            ("paths", &self.paths),
            ("vectors", &self.vectors),
            ("peaks", &self.peaks),
            ("kept", &self.kept),
            ("curation", &self.curation),
            ("collections", &self.collections),
            ("hidden", &self.hidden),
        ]
    }

    /// The library directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A name for the current state of the paths and samples: it changes with every write
    /// through this library (sled lets one process open a store at a time, so no other
    /// writer exists). Search keeps its in-memory catalogue while it stays the same.
    pub fn generation(&self) -> (u64, u64) {
        (self.instance, self.writes.last())
    }

    /// The paths and samples written since `generation` (of this library), or `None` when
    /// that is another library's or too far back to say (see [`crate::changes`]).
    pub fn changes_since(&self, generation: (u64, u64)) -> Option<crate::changes::Changes> {
        (generation.0 == self.instance)
            .then(|| self.writes.since(generation.1))
            .flatten()
    }

    fn wrote(&self, touched: crate::changes::Touched) {
        self.writes.wrote(touched);
    }

    fn store_err(&self, source: sled::Error) -> LibraryError {
        LibraryError::from_store(&self.dir, source)
    }

    /// Bring an older library up to [`SCHEMA_VERSION`], one step per version, each rewriting
    /// what changed in one pass; the version is written after its step, so a step cut short
    /// runs again on the next open.
    fn migrate(&self) -> Result<()> {
        let found = self
            .meta
            .get(META_SCHEMA)
            .map_err(|e| self.store_err(e))?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes));
        match found {
            Some(v) if v > SCHEMA_VERSION => Err(LibraryError::NewerSchema {
                path: self.dir.clone(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
            Some(v) if v == SCHEMA_VERSION => Ok(()),
            found => {
                // A new library has nothing to rewrite.
                if found.is_some() || !self.samples.is_empty() {
                    self.tags_to_marks()?;
                }
                self.meta
                    .insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(|e| self.store_err(e))?;
                Ok(())
            }
        }
    }

    /// The schema version on disk.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .meta
            .get(META_SCHEMA)
            .map_err(|e| self.store_err(e))?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0))
    }

    /// The sample stored under `hash`.
    ///
    /// # Errors
    /// [`LibraryError::Corrupt`] when the record does not decode; store errors.
    pub fn sample(&self, hash: &ContentHash) -> Result<Option<SampleRecord>> {
        match self.samples.get(hash.0).map_err(|e| self.store_err(e))? {
            None => Ok(None),
            Some(bytes) => decode("samples", &hash.short(), &bytes).map(Some),
        }
    }

    /// Whether a sample is stored under `hash`.
    pub fn has_sample(&self, hash: &ContentHash) -> Result<bool> {
        self.samples
            .contains_key(hash.0)
            .map_err(|e| self.store_err(e))
    }

    /// Store a sample record, keeping the corrections and AI description of an existing one.
    pub fn put_sample(&self, rec: &SampleRecord) -> Result<()> {
        let mut rec = rec.clone();
        let old = self.sample(&rec.hash).ok().flatten();
        if old.is_none() && rec.corrections == Default::default() {
            // Analysed afresh after a repair: the corrections the journal kept come back.
            if let Ok(Some(bytes)) = self.kept.get(rec.hash.0) {
                if let Ok(c) = decode("kept", &rec.hash.short(), &bytes) {
                    rec.corrections = c;
                }
            }
        }
        if let Some(old) = old {
            if rec.corrections == Default::default() {
                rec.corrections = old.corrections;
            }
            if rec.ai.is_none() {
                rec.ai = old.ai;
            }
        }
        let bytes = encode(&rec)?;
        self.samples
            .insert(rec.hash.0, bytes)
            .map_err(|e| self.store_err(e))?;
        self.wrote(crate::changes::Touched::Sample(rec.hash));
        Ok(())
    }

    /// The waveform overview of the sample under `hash` in `columns` columns, computed from
    /// `path` on first use and cached (overviews are redrawn far more often than files
    /// change, and the content hash names the content exactly).
    ///
    /// # Errors
    /// The decode error naming the file; store errors. A cached entry that does not decode
    /// is computed again.
    pub fn peaks(
        &self,
        hash: &ContentHash,
        path: &Path,
        columns: usize,
    ) -> std::result::Result<samplemind_audio::peaks::Peaks, PeaksError> {
        let columns = columns.clamp(1, 8192);
        let mut key = hash.0.to_vec();
        key.extend_from_slice(&(columns as u32).to_be_bytes());
        if let Some(bytes) = self.peaks.get(&key).map_err(|e| self.store_err(e))? {
            if let Ok(p) = decode("peaks", &hash.short(), &bytes) {
                return Ok(p);
            }
        }
        let p = samplemind_audio::peaks::peaks(path, columns)?;
        self.peaks
            .insert(key, encode(&p)?)
            .map_err(|e| self.store_err(e))?;
        Ok(p)
    }

    /// Set the hand corrections of the sample under `hash` (a rescan keeps them).
    ///
    /// # Errors
    /// [`LibraryError::NotFound`] when no sample is stored under `hash`; store errors.
    pub fn set_corrections(
        &self,
        hash: &ContentHash,
        corrections: super::record::Corrections,
    ) -> Result<SampleRecord> {
        let mut rec = self.sample(hash)?.ok_or_else(|| LibraryError::NotFound {
            what: hash.to_hex(),
        })?;
        // The journal first: once the store has the edit, so has the journal.
        super::keep::append_corrections(&self.dir, hash, &corrections)
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        rec.corrections = corrections;
        let bytes = encode(&rec)?;
        self.samples
            .insert(rec.hash.0, bytes)
            .map_err(|e| self.store_err(e))?;
        self.wrote(crate::changes::Touched::Sample(rec.hash));
        Ok(rec)
    }

    /// Store the embeddings of the sample under `hash` (apart from its record: they are read
    /// in bulk by similar-sound search and never by the list views).
    pub fn put_vectors(&self, hash: &ContentHash, v: &SoundVectors) -> Result<()> {
        let bytes = encode(v)?;
        self.vectors
            .insert(hash.0, bytes)
            .map_err(|e| self.store_err(e))?;
        // The similar-sound index is built from the vectors: it must see them change.
        self.wrote(crate::changes::Touched::Other);
        Ok(())
    }

    /// The embeddings of the sample under `hash`.
    ///
    /// # Errors
    /// [`LibraryError::Corrupt`] when they do not decode; store errors.
    pub fn vectors(&self, hash: &ContentHash) -> Result<Option<SoundVectors>> {
        match self.vectors.get(hash.0).map_err(|e| self.store_err(e))? {
            None => Ok(None),
            Some(bytes) => decode("vectors", &hash.short(), &bytes).map(Some),
        }
    }

    /// Every stored set of embeddings; entries that do not decode come back as errors.
    pub fn all_vectors(&self) -> impl Iterator<Item = Result<(ContentHash, SoundVectors)>> + '_ {
        fused(self.vectors.iter()).map(move |kv| {
            let (k, v) = kv.map_err(|e| self.store_err(e))?;
            let hash = ContentHash(k.as_ref().try_into().map_err(|_| LibraryError::Corrupt {
                tree: "vectors",
                key: format!("{k:?}"),
                reason: "key is not a content hash".into(),
            })?);
            Ok((hash, decode("vectors", &hash.short(), &v)?))
        })
    }

    /// What the store knows about `path`.
    pub fn path_entry(&self, path: &Path) -> Result<Option<PathEntry>> {
        let key = path_key(path);
        match self.paths.get(&key).map_err(|e| self.store_err(e))? {
            None => Ok(None),
            Some(bytes) => decode("paths", &path.display().to_string(), &bytes).map(Some),
        }
    }

    /// Record what we know about `path`.
    pub fn put_path(&self, path: &Path, entry: &PathEntry) -> Result<()> {
        let bytes = encode(entry)?;
        self.paths
            .insert(path_key(path), bytes)
            .map_err(|e| self.store_err(e))?;
        self.wrote(crate::changes::Touched::Path(path.to_path_buf()));
        Ok(())
    }

    /// Store `rec` and its path as analysed, as a finished scan leaves them (tests build
    /// libraries this way).
    #[cfg(test)]
    pub(crate) fn put_analysed(&self, rec: &SampleRecord) -> Result<()> {
        self.put_sample(rec)?;
        self.put_path(
            &rec.path,
            &PathEntry {
                hash: rec.hash,
                size: 1,
                mtime_ns: 0,
                status: PathStatus::Analysed,
            },
        )
    }

    /// Every path stored under `root` (a directory prefix), decoded; corrupt entries come
    /// back as errors in place so the caller can report and skip them.
    pub fn paths_under(&self, root: &Path) -> Vec<Result<(PathBuf, PathEntry)>> {
        let mut prefix = path_key(root);
        if !prefix.ends_with(std::path::MAIN_SEPARATOR_STR.as_bytes()) {
            prefix.extend_from_slice(std::path::MAIN_SEPARATOR_STR.as_bytes());
        }
        fused(self.paths.scan_prefix(&prefix))
            .map(|kv| self.decode_path_kv(kv))
            .collect()
    }

    /// Every stored path, in path order.
    pub fn all_paths(&self) -> impl Iterator<Item = Result<(PathBuf, PathEntry)>> + '_ {
        fused(self.paths.iter()).map(|kv| self.decode_path_kv(kv))
    }

    fn decode_path_kv(
        &self,
        kv: sled::Result<(sled::IVec, sled::IVec)>,
    ) -> Result<(PathBuf, PathEntry)> {
        let (k, v) = kv.map_err(|e| self.store_err(e))?;
        let path = key_path(&k);
        let entry = decode("paths", &path.display().to_string(), &v)?;
        Ok((path, entry))
    }

    /// Every analysed, present path with its sample. Corrupt records are returned apart, to
    /// report; they never stop the listing.
    pub fn entries(&self) -> (Vec<LibraryEntry>, Vec<LibraryError>) {
        let mut out = Vec::new();
        let problems = self.for_each_entry(|e| out.push(e));
        (out, problems)
    }

    /// As [`Self::entries`], handing each entry to `f` as it is read instead of holding
    /// them all: a million decoded records at once weighed over a gigabyte.
    pub fn for_each_entry(&self, mut f: impl FnMut(LibraryEntry)) -> Vec<LibraryError> {
        let mut problems = Vec::new();
        for item in self.all_paths() {
            match item {
                Ok((path, entry)) => {
                    if entry.status != PathStatus::Analysed {
                        continue;
                    }
                    match self.sample(&entry.hash) {
                        Ok(sample) => f(LibraryEntry {
                            path,
                            entry,
                            sample,
                        }),
                        Err(e) => problems.push(e),
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        problems
    }

    /// Note that `root` was given to a scan: in the store, and the first time also in the
    /// keep journal, so that `repair` knows what to rescan even when the store is lost.
    ///
    /// # Errors
    /// Store and journal write errors (a full disk among them).
    pub fn remember_root(&self, root: &Path) -> Result<()> {
        if self
            .meta
            .contains_key(root_key(root))
            .map_err(|e| self.store_err(e))?
        {
            return Ok(());
        }
        super::keep::append_root(&self.dir, root)
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        self.know_root(root)
    }

    /// Note `root` as scanned in the store alone (`repair` gives the journal's roots back
    /// to a fresh store; the journal has them already).
    pub(super) fn know_root(&self, root: &Path) -> Result<()> {
        self.meta
            .insert(root_key(root), &[])
            .map_err(|e| self.store_err(e))?;
        Ok(())
    }

    /// Forget that `root` was scanned (a folder relinked to its new place): journalled, so
    /// that `repair` does not rescan it, then removed from the store.
    ///
    /// # Errors
    /// Store and journal write errors.
    pub fn forget_root(&self, root: &Path) -> Result<()> {
        super::keep::append_forget_root(&self.dir, root)
            .map_err(|e| self.store_err(sled::Error::Io(e)))?;
        self.meta
            .remove(root_key(root))
            .map_err(|e| self.store_err(e))?;
        Ok(())
    }

    /// Every folder or file given to a scan so far, as [`Library::remember_root`] noted them.
    pub fn roots(&self) -> Vec<PathBuf> {
        fused(self.meta.scan_prefix(META_ROOT))
            .filter_map(|kv| kv.ok())
            .map(|(k, _)| key_path(&k[META_ROOT.len()..]))
            .collect()
    }

    /// Store hand corrections to be given to the sample under `hash` when it is analysed
    /// afresh (`repair` replays the keep journal through this).
    pub(super) fn keep_corrections(
        &self,
        hash: &ContentHash,
        corrections: &super::record::Corrections,
    ) -> Result<()> {
        self.kept
            .insert(hash.0, encode(corrections)?)
            .map_err(|e| self.store_err(e))?;
        Ok(())
    }

    /// Whether no sample has been analysed into the library yet (cheap at any size: it reads
    /// one key at most).
    pub fn has_no_samples(&self) -> bool {
        self.samples.is_empty()
    }

    /// Counts over the whole library.
    pub fn stats(&self) -> LibraryStats {
        let mut s = LibraryStats::default();
        for item in self.all_paths() {
            match item {
                Err(e) if e.is_damaged() => s.damaged = Some(e.to_string()),
                Ok((_, e)) => {
                    s.paths += 1;
                    match e.status {
                        PathStatus::Analysed => s.analysed += 1,
                        PathStatus::Pending => s.pending += 1,
                        PathStatus::Failed { .. } => s.failed += 1,
                        PathStatus::Missing => s.missing += 1,
                    }
                }
                Err(_) => s.corrupt_records += 1,
            }
        }
        for kv in fused(self.samples.iter()) {
            let (k, v) = match kv {
                Ok(kv) => kv,
                Err(e) => {
                    s.damaged = Some(self.store_err(e).to_string());
                    continue;
                }
            };
            match decode::<SampleRecord>("samples", &hex_short(&k), &v) {
                Ok(rec) => {
                    s.unique_samples += 1;
                    s.total_duration_s += rec.analysis.duration_s;
                    s.loops += rec.analysis.is_loop as u64;
                }
                Err(_) => s.corrupt_records += 1,
            }
        }
        s.store_bytes = self.db.size_on_disk().unwrap_or(0);
        s
    }

    /// Write everything to disk now.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(|e| self.store_err(e))
    }

    /// Raw access for tests of corruption handling: overwrite a sample's bytes.
    #[doc(hidden)]
    pub fn put_raw_sample(&self, hash: &ContentHash, bytes: &[u8]) -> Result<()> {
        self.wrote(crate::changes::Touched::Sample(*hash));
        self.samples
            .insert(hash.0, bytes)
            .map(|_| ())
            .map_err(|e| self.store_err(e))
    }
}

/// sled's iterators do not move past an error: asked again, they fail again on the same
/// page, for ever (a damaged store made every listing spin). This ends the iteration at the
/// first error, after handing it on.
pub(super) fn fused<T>(
    it: impl Iterator<Item = sled::Result<T>>,
) -> impl Iterator<Item = sled::Result<T>> {
    let mut failed = false;
    it.map_while(move |item| {
        if failed {
            return None;
        }
        failed = item.is_err();
        Some(item)
    })
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(v).map_err(|e| LibraryError::Encode(e.to_string()))
}

fn decode<T: DeserializeOwned>(tree: &'static str, key: &str, bytes: &[u8]) -> Result<T> {
    rmp_serde::from_slice(bytes).map_err(|e| LibraryError::Corrupt {
        tree,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

fn hex_short(k: &[u8]) -> String {
    k.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Paths are keyed by their raw bytes where the platform has them, so sled's order is path
/// order and a folder is a key prefix.
pub(crate) fn path_key(p: &Path) -> Vec<u8> {
    super::record::stored_path::raw(p)
}

/// The `meta` key that notes `root` as scanned.
fn root_key(root: &Path) -> Vec<u8> {
    [META_ROOT, &path_key(root)].concat()
}

fn key_path(k: &[u8]) -> PathBuf {
    super::record::stored_path::from_raw(k)
}
