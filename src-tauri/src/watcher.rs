//! The library's folders watched while the app is open (`[library] watch`, on by default):
//! the core's `watch` on a thread of its own, restarted when a scan adds a folder. Each batch
//! is announced as a `FolderChanged` event, so the table and the folder tree refresh.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use samplemind::library::watch::{library_folders, watch, WatchOptions};
use samplemind::library::ScanOptions;
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::{FolderChanged, ScanFileFailed};
use crate::state::Shared;

/// Stop the watch that runs, and watch the library's folders as they are now.
pub fn restart(app: &AppHandle, st: &Shared) {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let mut current = st.watch_stop.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = current.replace(Arc::clone(&stop)) {
            old.store(true, Ordering::SeqCst);
        }
    }
    let settings = st.settings();
    if !settings.library.watch {
        return;
    }
    let folders = library_folders(&st.lib, &settings.library.folders);
    if folders.is_empty() {
        return;
    }
    let (app, st) = (app.clone(), Arc::clone(st));
    let spawned = std::thread::Builder::new()
        .name("samplemind-watch".into())
        .spawn(move || {
            let mut scan = ScanOptions::default();
            scan.analysis.models = st.models.clone();
            scan.share = samplemind::studio::analysis_share(&st.settings());
            let opts = WatchOptions {
                one_scan_at_a_time: Some(Arc::clone(&st.scan_lock)),
                ..WatchOptions::default()
            };
            let mut on_batch = |b: &samplemind::library::watch::WatchBatch| {
                for f in &b.scan.failures {
                    let _ = ScanFileFailed {
                        path: f.path.display().to_string(),
                        kind: f.kind.clone(),
                        message: f.message.clone(),
                    }
                    .emit(&app);
                }
                let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
                let _ = FolderChanged {
                    changed: n(b.changed),
                    analysed: n(b.scan.analysed),
                    known: n(b.scan.reused + b.scan.shared),
                    gone: n(b.gone),
                    failed: n(b.scan.failures.len() as u64),
                }
                .emit(&app);
            };
            if let Err(e) = watch(
                &st.lib,
                &folders,
                &scan,
                &opts,
                &stop,
                &mut on_batch,
                &mut |_| {},
            ) {
                tracing::warn!("the library's folders are not watched: {e}");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("no thread for the folder watch: {e}");
    }
}
