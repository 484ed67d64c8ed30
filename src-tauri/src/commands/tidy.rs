//! Files out and folders moved: the tidy-up export of the selected samples, the folders
//! whose drive is not there, and relinking a moved folder. Each is one call into
//! `samplemind::library` (`tidy::export`, `drives`), as the CLI and the API make it.

use std::path::PathBuf;

use samplemind::library::drives;
use samplemind::library::tidy::{self, ExportDone, ExportRequest};
use samplemind::library::ScanOptions;
use serde::Serialize;
use tauri::{AppHandle, State};

use super::blocking;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::Shared;

/// Copy the chosen samples into a folder under tidy names, optionally trimmed, normalised
/// and converted (a dry run lists the names only). The originals are never changed.
#[tauri::command]
#[specta::specta]
pub async fn export_samples(
    state: State<'_, Shared>,
    request: ExportRequest,
) -> CmdResult<ExportDone> {
    blocking(&state, move |st| {
        tidy::export(&st.lib, &request).map_err(|e| {
            let kind = match e {
                tidy::ExportError::Sample(_) => ErrorKind::NotFound,
                tidy::ExportError::Search(_) => ErrorKind::Library,
                _ => ErrorKind::BadInput,
            };
            AppError::new(kind, e.to_string())
        })
    })
    .await
}

/// A folder of the library whose drive or share is not there now.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct OfflineFolder {
    /// The folder, as the library knows it.
    pub path: String,
    /// The name shown for it ("offline: <name>").
    pub name: String,
}

/// The library's folders that are not there now (an unplugged drive, a share not mounted).
#[tauri::command]
#[specta::specta]
pub async fn offline_folders(state: State<'_, Shared>) -> CmdResult<Vec<OfflineFolder>> {
    blocking(&state, move |st| {
        Ok(drives::offline_roots(&st.lib)
            .into_iter()
            .map(|(path, name)| OfflineFolder {
                path: path.display().to_string(),
                name,
            })
            .collect())
    })
    .await
}

/// What a relink found.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RelinkSummary {
    /// Paths under the old folder.
    pub old_paths: u32,
    /// Of them, found at the new place.
    pub relinked: u32,
    /// Files at the new place analysed afresh.
    pub analysed: u32,
    /// Files that could not be read.
    pub failed: u32,
}

/// Point folder `from` (moved, or on a drive mounted elsewhere) at `to`: known sounds keep
/// their analyses, marks and collections; nothing is analysed again.
#[tauri::command]
#[specta::specta]
pub async fn relink_folder(
    app: AppHandle,
    state: State<'_, Shared>,
    from: String,
    to: String,
) -> CmdResult<RelinkSummary> {
    let shared = state.inner().clone();
    blocking(&state, move |st| {
        // A relink scans the new place: one scan at a time, as the watcher's and a drop's.
        let lock = std::sync::Arc::clone(&st.scan_lock);
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut opts = ScanOptions::default();
        opts.analysis.models = st.models.clone();
        let r = drives::relink(
            &st.lib,
            &PathBuf::from(&from),
            &PathBuf::from(&to),
            &opts,
            &mut |_| {},
        )?;
        drop(_one_at_a_time);
        // The settings' library folders follow (a rescan reads them).
        let new_place = std::fs::canonicalize(&to).unwrap_or_else(|_| PathBuf::from(&to));
        let saved = {
            let mut settings = st.settings.write().unwrap_or_else(|p| p.into_inner());
            settings
                .relink_folder(std::path::Path::new(&from), &new_place)
                .then(|| settings.save_to(&st.config_path))
        };
        if let Some(Err(e)) = saved {
            tracing::warn!("the relink is done, but the settings could not be saved: {e}");
        }
        // The new place is a library folder now: watch it instead of the old one.
        crate::watcher::restart(&app, &shared);
        let n = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
        Ok(RelinkSummary {
            old_paths: n(r.old_paths),
            relinked: n(r.relinked),
            analysed: n(r.scan.analysed),
            failed: n(r.scan.failures.len() as u64),
        })
    })
    .await
}
