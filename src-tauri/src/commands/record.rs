//! Record a take from the input: a live meter while recording, then the take is trimmed,
//! analysed and added to the library like any scanned file.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use samplemind::audio::device::{record, RecordOptions};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::blocking;
use crate::dto::TakeResult;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::events::{InputLevel, TakeRecorded};
use crate::state::{Shared, Take};

/// Longest take, seconds.
const MAX_TAKE_SECONDS: f64 = 600.0;

/// Start recording from the configured input (or the default one). `trim` cuts the
/// silence at both ends when the take stops.
#[tauri::command]
#[specta::specta]
pub async fn start_recording(
    app: AppHandle,
    state: State<'_, Shared>,
    trim: bool,
) -> CmdResult<String> {
    blocking(&state, move |st| {
        let mut take = st
            .take
            .lock()
            .map_err(|_| AppError::new(ErrorKind::Other, "recording lock poisoned"))?;
        if take.is_some() {
            return Err(AppError::new(ErrorKind::BadInput, "already recording"));
        }
        let dir = st.recordings_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::new(ErrorKind::Other, format!("{}: {e}", dir.display())))?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let out = dir.join(format!("take-{stamp}.wav"));
        let mut opts = RecordOptions::on(st.settings().audio.input_device, MAX_TAKE_SECONDS);
        opts.trim = trim;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let path = out.display().to_string();
        let thread = std::thread::Builder::new()
            .name("samplemind-record".into())
            .spawn(move || {
                record(&out, &opts, &flag, &mut |l| {
                    let _ = InputLevel {
                        peak_db: l.peak_db,
                        rms_db: l.rms_db,
                        clipped: l.clipped,
                    }
                    .emit(&app);
                })
            })
            .map_err(|e| AppError::new(ErrorKind::Other, format!("cannot start recording: {e}")))?;
        *take = Some(Take { stop, thread });
        Ok(path)
    })
    .await
}

/// Stop recording; the take is analysed and stored, and comes back as a row.
#[tauri::command]
#[specta::specta]
pub async fn stop_recording(app: AppHandle, state: State<'_, Shared>) -> CmdResult<TakeResult> {
    blocking(&state, move |st| {
        let take = st
            .take
            .lock()
            .map_err(|_| AppError::new(ErrorKind::Other, "recording lock poisoned"))?
            .take()
            .ok_or_else(|| AppError::new(ErrorKind::BadInput, "not recording"))?;
        take.stop.store(true, Ordering::SeqCst);
        let rec = take
            .thread
            .join()
            .map_err(|_| AppError::new(ErrorKind::Audio, "the recording thread failed"))??;
        super::scan::run_scan(&app, st, vec![rec.path.clone()])?;
        let row = st.row_for_path(&rec.path).ok_or_else(|| {
            AppError::new(
                ErrorKind::Decode,
                format!("{}: the take could not be analysed", rec.path.display()),
            )
        })?;
        let _ = TakeRecorded { row: row.clone() }.emit(&app);
        Ok(TakeResult {
            row,
            trimmed_s: rec.trimmed_s,
            peak_db: rec.peak_db,
        })
    })
    .await
}
