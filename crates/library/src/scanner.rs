//! The scanner: index folders first (walk, stat, hash, record at once), then analyse what is
//! new with a bounded worker pool.
//!
//! A rescan skips a path whose size and mtime are unchanged. A file whose content is already
//! known (a duplicate, or a file that moved) takes the stored analysis without decoding,
//! unless that analysis is outdated, as at a known path. A path no longer found under a
//! scanned folder is marked missing, its analysis kept.
//!
//! With a studio's share ([`ScanOptions::share`], [`crate::share`]), a new content's
//! analysis is first asked of the other machines, and what this scan analyses is offered to
//! them; a content another machine is analysing right now is left to the end of the scan.
//!
//! Crash safety: every path is recorded as `Pending` before analysis and flipped to
//! `Analysed` after its sample record is written, each a single sled insert. A kill -9
//! loses at most the files in flight (plus sled's 500 ms flush window); the next scan finds
//! them pending, or unrecorded, and finishes the job.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::RecvTimeoutError;
use rayon::prelude::*;
use serde::Serialize;

use super::error::Result;
use super::record::{ContentHash, PathEntry, PathStatus, SampleRecord, SCHEMA_VERSION};
use super::share::{self, AnalysisShare, Obtained};
use super::store::Library;
use samplemind_analysis::{
    analyse_audio, analyse_words, Analysed, Analysis, AnalysisOptions, ANALYSER_VERSION,
};
use samplemind_audio::has_audio_extension;

/// Options of [`scan`].
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Analysis worker threads.
    ///
    /// Default: the number of logical CPUs.
    pub threads: usize,
    /// Options handed to every analysis.
    ///
    /// Default: [`AnalysisOptions::default`].
    pub analysis: AnalysisOptions,
    /// Analyses shared with the studio's other machines ([`crate::share`]): asked before a
    /// new content is decoded, offered what this scan analysed.
    ///
    /// Default: `None` (this machine alone).
    pub share: Option<Arc<dyn AnalysisShare>>,
    /// Note the scanned folders and files as the library's roots (what `repair` rescans and
    /// the folder tree starts from). A watcher's scan of the files it saw change does not:
    /// they lie under roots already.
    ///
    /// Default: `true`.
    pub remember_roots: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            analysis: AnalysisOptions::default(),
            share: None,
            remember_roots: true,
        }
    }
}

/// A file the scan could not index or analyse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanFailure {
    /// The file (or folder, for walk errors); shown lossily when it is not UTF-8.
    #[serde(serialize_with = "super::record::stored_path::serialize")]
    pub path: PathBuf,
    /// Short stable kind: `io`, `symlink-loop`, `unsupported-codec`, `truncated`, ...
    pub kind: String,
    /// The full message, naming the file and the reason.
    pub message: String,
}

/// Progress of a scan, for a face to render.
#[derive(Debug)]
pub enum ScanEvent<'a> {
    /// The index phase finished: results already show in the library.
    Indexed {
        /// Audio files found.
        files: u64,
        /// Unchanged since the last scan.
        unchanged: u64,
        /// Distinct new contents that will be analysed.
        to_analyse: u64,
    },
    /// One content was analysed (or failed).
    Analysed {
        /// The file that was decoded.
        path: &'a Path,
        /// The outcome.
        outcome: std::result::Result<&'a Analysis, &'a ScanFailure>,
    },
}

/// What a scan did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanReport {
    /// Audio files found under the roots.
    pub files: u64,
    /// Skipped: same path, size and mtime as last time, analysed by this analyser.
    pub unchanged: u64,
    /// Paths with the same size and mtime, but analysed by an older analyser
    /// ([`samplemind_analysis::ANALYSER_VERSION`]) or, now that the models are on, without them:
    /// analysed again, its tags and corrections kept.
    pub outdated: u64,
    /// New or changed paths that were hashed.
    pub hashed: u64,
    /// Paths whose content was already analysed (duplicates, moved files): no decode.
    pub reused: u64,
    /// Contents decoded and analysed in this scan.
    pub analysed: u64,
    /// Contents whose analysis came from the studio's share ([`ScanOptions::share`]): not
    /// decoded here.
    pub shared: u64,
    /// Paths newly marked missing.
    pub missing: u64,
    /// Unchanged files this analyser already failed on: not tried again until they change
    /// (or a newer analyser comes), so one bad file costs one failure, not one per scan.
    pub failed_before: u64,
    /// Whether the scan was stopped before the end.
    pub cancelled: bool,
    /// Seconds spent indexing.
    pub index_seconds: f64,
    /// Seconds spent analysing.
    pub analyse_seconds: f64,
    /// Everything that failed, in the order it happened.
    pub failures: Vec<ScanFailure>,
}

/// One path waiting for analysis.
struct Pending {
    path: PathBuf,
    size: u64,
    mtime_ns: i64,
}

/// Scan `roots` (folders or files) into `lib`.
///
/// Stops between files when `cancel` becomes true, keeping all finished work.
///
/// # Errors
/// Only store failures stop a scan; per-file problems land in [`ScanReport::failures`].
pub fn scan(
    lib: &Library,
    roots: &[PathBuf],
    opts: &ScanOptions,
    cancel: &AtomicBool,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<ScanReport> {
    let mut report = ScanReport::default();
    let t0 = Instant::now();

    // ---- index: walk and stat
    let mut dirs = Vec::new();
    let mut candidates: Vec<(PathBuf, std::fs::Metadata)> = Vec::new();
    for root in roots {
        let root = match std::fs::canonicalize(root) {
            Ok(r) => r,
            Err(e) => {
                report.failures.push(io_failure(root, &e));
                continue;
            }
        };
        if opts.remember_roots {
            lib.remember_root(&root)?;
        }
        if root.is_dir() {
            walk(&root, &mut candidates, &mut report.failures);
            dirs.push(root);
        } else {
            match std::fs::metadata(&root) {
                Ok(m) if m.is_file() => candidates.push((root, m)),
                // A FIFO or a device named on the command line: opening it could wait for
                // ever, so it is refused here, as the folder walk skips it.
                Ok(_) => report.failures.push(ScanFailure {
                    message: format!("{}: not a regular file", root.display()),
                    path: root,
                    kind: "not-a-file".into(),
                }),
                Err(e) => report.failures.push(io_failure(&root, &e)),
            }
        }
    }
    report.files = candidates.len() as u64;

    // ---- index: classify against the store
    let mut seen: HashSet<PathBuf> = HashSet::with_capacity(candidates.len());
    let mut work: HashMap<ContentHash, Vec<Pending>> = HashMap::new();
    let mut order: Vec<ContentHash> = Vec::new();
    let mut to_hash: Vec<(PathBuf, u64, i64)> = Vec::new();
    for (path, meta) in candidates {
        let size = meta.len();
        let mtime_ns = mtime_ns(&meta);
        seen.insert(path.clone());
        let known = lib.path_entry(&path).unwrap_or_else(|e| {
            tracing::warn!("{e}; the path will be indexed again");
            None
        });
        if let Some(e) = known.filter(|e| e.size == size && e.mtime_ns == mtime_ns) {
            if e.status.failed_for_good() {
                report.failed_before += 1;
                continue;
            }
            let stored = stored_analysis(lib, &e.hash, opts);
            if stored == Stored::Outdated {
                report.outdated += 1;
            }
            if stored == Stored::Current {
                if e.status != PathStatus::Analysed {
                    lib.put_path(
                        &path,
                        &PathEntry {
                            status: PathStatus::Analysed,
                            ..e
                        },
                    )?;
                }
                report.unchanged += 1;
            } else {
                // Pending after a stop or crash, failed last time, or outdated: analyse again.
                push_work(
                    &mut work,
                    &mut order,
                    e.hash,
                    Pending {
                        path,
                        size,
                        mtime_ns,
                    },
                );
            }
            continue;
        }
        to_hash.push((path, size, mtime_ns));
    }

    // ---- index: hash new and changed files (I/O bound, so all threads)
    let hashed: Vec<(PathBuf, u64, i64, std::io::Result<ContentHash>)> = to_hash
        .into_par_iter()
        .map(|(p, s, m)| {
            let h = hash_file(&p);
            (p, s, m, h)
        })
        .collect();
    for (path, size, mtime_ns, h) in hashed {
        let hash = match h {
            Ok(h) => h,
            Err(e) => {
                report.failures.push(io_failure(&path, &e));
                continue;
            }
        };
        report.hashed += 1;
        // Known content (a duplicate, a moved file) takes the stored analysis at once, unless
        // that analysis is outdated: then it is analysed again like a known path's would be.
        let stored = stored_analysis(lib, &hash, opts);
        if stored == Stored::Outdated {
            report.outdated += 1;
        }
        let known = stored == Stored::Current;
        let status = if known {
            PathStatus::Analysed
        } else {
            PathStatus::Pending
        };
        lib.put_path(
            &path,
            &PathEntry {
                hash,
                size,
                mtime_ns,
                status,
            },
        )?;
        if known {
            report.reused += 1;
        } else {
            push_work(
                &mut work,
                &mut order,
                hash,
                Pending {
                    path,
                    size,
                    mtime_ns,
                },
            );
        }
    }
    // Duplicates inside this scan are analysed once and counted as reused.
    report.reused += work.values().map(|v| v.len() as u64 - 1).sum::<u64>();

    // ---- index: paths gone from the scanned folders
    for dir in &dirs {
        for item in lib.paths_under(dir) {
            match item {
                Ok((p, e)) if !seen.contains(&p) && e.status != PathStatus::Missing => {
                    lib.put_path(
                        &p,
                        &PathEntry {
                            status: PathStatus::Missing,
                            ..e
                        },
                    )?;
                    report.missing += 1;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("{e}; skipped"),
            }
        }
    }
    lib.flush()?;
    report.index_seconds = t0.elapsed().as_secs_f64();
    on_event(&ScanEvent::Indexed {
        files: report.files,
        unchanged: report.unchanged,
        to_analyse: order.len() as u64,
    });

    // ---- analyse
    let t1 = Instant::now();
    let items: Vec<(ContentHash, Vec<Pending>)> = order
        .into_iter()
        .filter_map(|h| work.remove(&h).map(|v| (h, v)))
        .collect();
    analyse_all(lib, &items, opts, cancel, &mut report, on_event)?;
    // A sound analysed again lost what its pack had learned from the user's corrections: its
    // distribution is new. Only the packs of this scan's analyses are read again, and none
    // in a library without a category correction (then nothing was learned).
    if !items.is_empty() && crate::learn::any_category_corrections(lib) {
        let known_roots = lib.roots();
        let packs: std::collections::BTreeSet<PathBuf> = items
            .iter()
            .flat_map(|(_, v)| {
                v.iter()
                    .map(|p| crate::learn::pack_of(&p.path, &known_roots))
            })
            .collect();
        for pack in packs {
            crate::learn::relearn_pack(lib, &pack)?;
        }
    }
    lib.flush()?;
    report.analyse_seconds = t1.elapsed().as_secs_f64();
    report.cancelled = cancel.load(Ordering::Relaxed);
    Ok(report)
}

/// What the library holds for a content, as the scanner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    /// No record.
    None,
    /// A record from an older analyser, or one the models never heard now that they are
    /// on: analysed again, and counted as outdated.
    Outdated,
    /// A record that does not decode: analysed again.
    Unreadable,
    /// A record this scan would not change.
    Current,
}

fn stored_analysis(lib: &Library, hash: &ContentHash, opts: &ScanOptions) -> Stored {
    let models_on = opts.analysis.models.is_some();
    match lib.sample(hash) {
        Ok(None) => Stored::None,
        Ok(Some(r))
            if r.analysis.analyser_version >= ANALYSER_VERSION
                && (r.analysis.models_heard || !models_on) =>
        {
            Stored::Current
        }
        Ok(Some(_)) => Stored::Outdated,
        Err(err) => {
            tracing::warn!("{err}; analysing it again");
            Stored::Unreadable
        }
    }
}

/// Analyse each distinct content on a pool of `opts.threads`, writing results from this
/// thread as they arrive. The channel is bounded so finished analyses never pile up.
fn analyse_all(
    lib: &Library,
    items: &[(ContentHash, Vec<Pending>)],
    opts: &ScanOptions,
    cancel: &AtomicBool,
    report: &mut ScanReport,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let threads = opts.threads.max(1);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("cannot build a worker pool ({e}); analysing on one thread");
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
                .map_err(|_| super::error::LibraryError::Encode("no thread for analysis".into()))?
        }
    };
    // With models, the writer embeds the samples' words in batches (see `TEXT_BATCH`), so the
    // workers leave that to it; a batch is at most `TEXT_BATCH_WAIT` old, so progress shows.
    let analysis_opts = &opts.analysis;
    let batch_size = if analysis_opts.models.is_some() {
        TEXT_BATCH
    } else {
        1
    };
    let share = opts.share.as_deref();
    let fingerprint = share.map(|_| analysis_opts.fingerprint());
    let (tx, rx) = crossbeam_channel::bounded(threads * 2);
    // Set when the writer fails: the workers start no new file, and the receiver is gone,
    // so a worker holding a result never waits on a full channel (the scan ends, no hang).
    let stop = AtomicBool::new(false);
    let halted = || cancel.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed);
    // Contents another machine is analysing: taken from it at the end of the scan.
    let theirs = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| -> Result<()> {
        s.spawn(|| {
            pool.install(|| {
                let tx2 = tx.clone();
                items.par_iter().for_each_with(tx, |tx, item| {
                    if halted() {
                        return;
                    }
                    let key = fingerprint.map(|fp| share::key(&item.0, &fp));
                    let obtained = match (share, &key) {
                        (Some(s), Some(k)) => share::obtain(s, k, &item.1[0].path, analysis_opts),
                        _ => Obtained::Analyse(None),
                    };
                    match obtained {
                        Obtained::Theirs => {
                            theirs.lock().unwrap_or_else(|p| p.into_inner()).push(item)
                        }
                        got => send(tx, item, key, got, analysis_opts),
                    }
                });
                let theirs = std::mem::take(&mut *theirs.lock().unwrap_or_else(|p| p.into_inner()));
                let (Some(s), Some(fp)) = (share, fingerprint) else {
                    return;
                };
                theirs.par_iter().for_each_with(tx2, |tx, item| {
                    let key = share::key(&item.0, &fp);
                    let path = &item.1[0].path;
                    if let Some(got) = share::wait_for_theirs(s, &key, path, analysis_opts, &halted)
                    {
                        send(tx, item, Some(key), got, analysis_opts);
                    }
                });
            })
        });
        let written = write_results(rx, lib, opts, batch_size, report, on_event);
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        written
    })
}

/// The writer: store each worker's answer as it comes, after the pipeline's words stage on
/// a batch of them (when the models are on). It owns the receiver, so returning (on a store
/// error too) disconnects the workers.
fn write_results<'a>(
    rx: crossbeam_channel::Receiver<Answer<'a>>,
    lib: &Library,
    opts: &ScanOptions,
    batch_size: usize,
    report: &mut ScanReport,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<()> {
    {
        let mut batch: Vec<Answer<'a>> = Vec::with_capacity(batch_size);
        let mut deadline = Instant::now();
        loop {
            let next = if batch.is_empty() {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                rx.recv_deadline(deadline)
            };
            match next {
                Ok(item) => {
                    if batch.is_empty() {
                        deadline = Instant::now() + TEXT_BATCH_WAIT;
                    }
                    batch.push(item);
                    if batch.len() < batch_size {
                        continue;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) if batch.is_empty() => break,
                Err(RecvTimeoutError::Disconnected) => {}
            }
            let mut sounds: Vec<(&Path, &mut Analysed)> = batch
                .iter_mut()
                .filter_map(|(_, paths, r, _)| Some((paths[0].path.as_path(), r.as_mut().ok()?)))
                .collect();
            analyse_words(&opts.analysis, &mut sounds);
            for (hash, paths, result, origin) in batch.drain(..) {
                if let (Some(s), Some(key)) = (&opts.share, &origin.key) {
                    if let (Ok(done), false) = (&result, origin.from_share) {
                        if let Some(bytes) = share::encode(key, done) {
                            s.publish(key, &bytes);
                        }
                    }
                    // Offered (or failed: a failure is never shared, and a waiting machine
                    // then tries the file itself).
                    if let Some(token) = &origin.claim {
                        s.release(key, token);
                    }
                }
                store(
                    lib,
                    hash,
                    paths,
                    result,
                    origin.from_share,
                    report,
                    on_event,
                )?;
            }
        }
        Ok(())
    }
}

/// Texts the writer embeds per MiniLM call: 32 cost half as much per text as one at a time.
const TEXT_BATCH: usize = 32;
/// The longest a finished analysis waits for its batch to fill.
const TEXT_BATCH_WAIT: Duration = Duration::from_millis(200);

/// A worker's answer for one content: its hash, its paths, the analysis or the error, and
/// where the analysis came from.
type Answer<'a> = (
    &'a ContentHash,
    &'a Vec<Pending>,
    std::result::Result<Analysed, samplemind_analysis::AnalyseError>,
    Origin,
);

/// Where a worker's analysis came from.
struct Origin {
    /// The key it is shared under, when the scan has a share.
    key: Option<[u8; 32]>,
    /// Taken from the share, not decoded here.
    from_share: bool,
    /// The claim this scan holds on it, given back once its analysis is offered.
    claim: Option<String>,
}

/// Hand one content's analysis to the writer: the share's, or one made here (decoding the
/// first of its paths).
fn send<'a>(
    tx: &crossbeam_channel::Sender<Answer<'a>>,
    (hash, paths): &'a (ContentHash, Vec<Pending>),
    key: Option<[u8; 32]>,
    got: Obtained,
    opts: &AnalysisOptions,
) {
    let (result, from_share, claim) = match got {
        Obtained::Shared(a) => (Ok(*a), true, None),
        // analyse_audio catches its own panics: the file fails, not the scan.
        Obtained::Analyse(claim) => (analyse_audio(&paths[0].path, opts), false, claim),
        Obtained::Theirs => return,
    };
    let origin = Origin {
        key,
        from_share,
        claim,
    };
    let _ = tx.send((hash, paths, result, origin));
}

/// Write one worker's answer: the record and its paths, or the failure on every path.
fn store(
    lib: &Library,
    hash: &ContentHash,
    paths: &[Pending],
    result: std::result::Result<Analysed, samplemind_analysis::AnalyseError>,
    from_share: bool,
    report: &mut ScanReport,
    on_event: &mut dyn FnMut(&ScanEvent<'_>),
) -> Result<()> {
    match result {
        Ok(Analysed {
            analysis, vectors, ..
        }) => {
            let first = &paths[0];
            if let Some(v) = vectors {
                lib.put_vectors(hash, &v)?;
            }
            // Analysed again (outdated, or its record did not decode): what the producer
            // added (corrections, an AI description) stays; their marks live apart.
            let before = lib.sample(hash).ok().flatten().unwrap_or_default();
            let rec = SampleRecord {
                schema: SCHEMA_VERSION,
                hash: *hash,
                size: first.size,
                path: first.path.clone(),
                analysis,
                analysed_at: unix_now(),
                corrections: before.corrections,
                ai: before.ai,
                // Learned from the old distribution: the scan learns again at its end.
                learned: None,
            };
            // Record first, then flip the paths: a crash in between leaves them
            // Pending, and the next scan finds the record and just flips them.
            lib.put_sample(&rec)?;
            for p in paths {
                lib.put_path(&p.path, &entry(hash, p, PathStatus::Analysed))?;
            }
            if from_share {
                report.shared += 1;
            } else {
                report.analysed += 1;
            }
            on_event(&ScanEvent::Analysed {
                path: &first.path,
                outcome: Ok(&rec.analysis),
            });
        }
        Err(err) => {
            for p in paths {
                let status = PathStatus::Failed {
                    kind: err.kind().into(),
                    message: err.to_string(),
                    analyser_version: ANALYSER_VERSION,
                };
                lib.put_path(&p.path, &entry(hash, p, status))?;
                let failure = ScanFailure {
                    path: p.path.clone(),
                    kind: err.kind().into(),
                    message: message_for(&p.path, &paths[0].path, &err.to_string()),
                };
                on_event(&ScanEvent::Analysed {
                    path: &p.path,
                    outcome: Err(&failure),
                });
                report.failures.push(failure);
            }
        }
    }
    Ok(())
}

/// The message for a duplicate names its own path, not the copy that was decoded.
fn message_for(path: &Path, decoded: &Path, msg: &str) -> String {
    if path == decoded {
        msg.to_string()
    } else {
        msg.replacen(
            &decoded.display().to_string(),
            &path.display().to_string(),
            1,
        )
    }
}

fn entry(hash: &ContentHash, p: &Pending, status: PathStatus) -> PathEntry {
    PathEntry {
        hash: *hash,
        size: p.size,
        mtime_ns: p.mtime_ns,
        status,
    }
}

fn push_work(
    work: &mut HashMap<ContentHash, Vec<Pending>>,
    order: &mut Vec<ContentHash>,
    hash: ContentHash,
    p: Pending,
) {
    work.entry(hash)
        .or_insert_with(|| {
            order.push(hash);
            Vec::new()
        })
        .push(p);
}

/// Walk `root` following links; loops and unreadable folders become failures.
fn walk(root: &Path, out: &mut Vec<(PathBuf, std::fs::Metadata)>, failures: &mut Vec<ScanFailure>) {
    for item in walkdir::WalkDir::new(root).follow_links(true) {
        match item {
            Ok(e) if e.file_type().is_file() && has_audio_extension(e.path()) => match e.metadata()
            {
                Ok(m) => out.push((e.into_path(), m)),
                Err(err) => failures.push(ScanFailure {
                    path: e.path().to_path_buf(),
                    kind: "io".into(),
                    message: format!("{}: {err}", e.path().display()),
                }),
            },
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                let (kind, message) = match err.loop_ancestor() {
                    Some(anc) => (
                        "symlink-loop",
                        format!("{}: symlink loop back to {}", path.display(), anc.display()),
                    ),
                    None => (
                        "io",
                        format!(
                            "{}: {}",
                            path.display(),
                            err.io_error()
                                .map(|e| e.to_string())
                                .unwrap_or_else(|| err.to_string())
                        ),
                    ),
                };
                failures.push(ScanFailure {
                    path,
                    kind: kind.into(),
                    message,
                });
            }
        }
    }
}

fn io_failure(path: &Path, e: &std::io::Error) -> ScanFailure {
    ScanFailure {
        path: path.to_path_buf(),
        kind: "io".into(),
        message: format!("{}: {e}", path.display()),
    }
}

/// blake3 of a file's bytes, streamed in 64 KiB reads.
pub fn hash_file(path: &Path) -> std::io::Result<ContentHash> {
    let mut f = std::fs::File::open(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(ContentHash(*h.finalize().as_bytes()))
}

fn mtime_ns(m: &std::fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}
