//! Add files and folders to the library: index, then analyse, with progress events. Scans
//! run one after another: a drop during a scan waits for it, then runs.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samplemind::library::progress::{Progress, Step};
use samplemind::library::{scan, ScanEvent, ScanFailure, ScanOptions};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::blocking;
use crate::dto::ScanSummary;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::events::{SampleAnalysed, ScanFileFailed, ScanFinished, ScanProgress};
use crate::state::{AppState, Shared};

/// Progress events at most this often (a table refresh per event would be too many).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Scan `roots` into the library, sending events to `app`. Blocking.
pub fn run_scan(app: &AppHandle, st: &AppState, roots: Vec<PathBuf>) -> CmdResult<ScanSummary> {
    if roots.is_empty() {
        return Err(AppError::new(
            ErrorKind::BadInput,
            "nothing to scan: no path given",
        ));
    }
    let lock = Arc::clone(&st.scan_lock);
    let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
    st.scanning.store(true, Ordering::SeqCst);
    st.cancel_scan.store(false, Ordering::SeqCst);
    let t0 = Instant::now();
    let mut opts = ScanOptions::default();
    opts.analysis.models = st.models.clone();
    opts.share = samplemind::studio::analysis_share(&st.settings());
    let mut progress = Progress::new(PROGRESS_EVERY);
    let show = |p: &Progress| {
        let _ = ScanProgress {
            phase: p.phase.as_str().into(),
            done: p.done as u32,
            total: p.total as u32,
            current: p.current.as_ref().map(|c| c.display().to_string()),
        }
        .emit(app);
    };
    show(&progress);
    let mut on_event = |ev: &ScanEvent<'_>| {
        let shown = match progress.step(ev) {
            // Indexed files already show (as pending), so the table refreshes now.
            Step::Indexed => true,
            Step::Analysed { path, show } => {
                let _ = SampleAnalysed {
                    path: path.display().to_string(),
                }
                .emit(app);
                show
            }
            Step::Failed { failure, show } => {
                failed(app, failure);
                show
            }
        };
        if shown {
            show(&progress);
        }
    };
    let result = scan(&st.lib, &roots, &opts, &st.cancel_scan, &mut on_event);
    st.scanning.store(false, Ordering::SeqCst);
    let report = result?;
    for f in progress.unnamed(&report) {
        failed(app, f);
    }
    let summary = ScanSummary::of(&report, t0.elapsed().as_secs_f64());
    let _ = ScanFinished {
        summary: summary.clone(),
    }
    .emit(app);
    Ok(summary)
}

/// Name one failed file to the UI.
fn failed(app: &AppHandle, f: &ScanFailure) {
    let _ = ScanFileFailed {
        path: f.path.display().to_string(),
        kind: f.kind.clone(),
        message: f.message.clone(),
    }
    .emit(app);
}

/// Scan files and folders (what was dropped on the window, or chosen in settings).
#[tauri::command]
#[specta::specta]
pub async fn scan_paths(
    app: AppHandle,
    state: State<'_, Shared>,
    paths: Vec<String>,
) -> CmdResult<ScanSummary> {
    let shared = state.inner().clone();
    blocking(&state, move |st| {
        let r = run_scan(&app, st, paths.into_iter().map(PathBuf::from).collect());
        // The folders scanned are the library's now: watch them too.
        crate::watcher::restart(&app, &shared);
        r
    })
    .await
}

/// Rescan every library folder of the settings.
#[tauri::command]
#[specta::specta]
pub async fn rescan_library(app: AppHandle, state: State<'_, Shared>) -> CmdResult<ScanSummary> {
    blocking(&state, move |st| {
        let folders = st.settings().library.folders;
        run_scan(&app, st, folders)
    })
    .await
}

/// Stop the running scan after the files in flight; finished work is kept.
#[tauri::command]
#[specta::specta]
pub async fn cancel_scan(state: State<'_, Shared>) -> CmdResult<bool> {
    let running = state.scanning.load(Ordering::SeqCst);
    state.cancel_scan.store(true, Ordering::SeqCst);
    Ok(running)
}
