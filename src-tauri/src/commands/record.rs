//! Record a take from the input: a live meter while recording, then the take is trimmed,
//! analysed and added to the library like any scanned file.

use samplemind::audio::device::{RecordOptions, TakeInProgress};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::blocking;
use crate::dto::TakeResult;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::events::{InputLevel, TakeRecorded};
use crate::state::Shared;

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
        let out =
            samplemind::config::new_take_path().map_err(|e| AppError::new(ErrorKind::Other, e))?;
        let path = out.display().to_string();
        let mut opts = RecordOptions::on(st.settings().audio.input_device, MAX_TAKE_SECONDS);
        opts.trim = trim;
        *take = Some(TakeInProgress::start(out, opts, move |l| {
            let _ = InputLevel::from(l).emit(&app);
        })?);
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
        let rec = take.stop()?;
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

/// Longest listen of a search by sound, seconds.
const MAX_LISTEN_SECONDS: f64 = 10.0;

/// Find by sound: listen to the input for `seconds` (the meter shows it), trim, and list the
/// `n` one-shots nearest to what was heard by `aspect`. The take is thrown away.
#[tauri::command]
#[specta::specta]
pub async fn find_by_sound(
    app: AppHandle,
    state: State<'_, Shared>,
    seconds: f64,
    aspect: samplemind::search::similar::Aspect,
    n: u32,
) -> CmdResult<Vec<samplemind::library::browse::SimilarSample>> {
    blocking(&state, move |st| {
        if !(0.5..=MAX_LISTEN_SECONDS).contains(&seconds) {
            return Err(AppError::new(
                ErrorKind::BadInput,
                format!("listen for 0.5 to {MAX_LISTEN_SECONDS} s, not {seconds}"),
            ));
        }
        // The take lives only as long as the search.
        let scratch = std::env::temp_dir().join(format!(
            "samplemind-listen-{}-{}.wav",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let analysis = samplemind::analysis::AnalysisOptions::with_models(st.models.clone());
        let found = samplemind::find_by_sound::find_by_sound(
            &st.lib,
            &scratch,
            st.settings().audio.input_device,
            seconds,
            aspect,
            n.clamp(1, 100) as usize,
            &analysis,
            &std::sync::atomic::AtomicBool::new(false),
            &mut |l| {
                let _ = InputLevel::from(l).emit(&app);
            },
        );
        let _ = std::fs::remove_file(&scratch);
        let found = found.map_err(|e| match e {
            samplemind::find_by_sound::FindError::Device(d) => d.into(),
            samplemind::find_by_sound::FindError::Probe(p) => p.into(),
            silent => AppError::new(ErrorKind::BadInput, silent.to_string()),
        })?;
        Ok(samplemind::library::browse::similar_samples(
            &st.lib,
            found.neighbours,
        ))
    })
    .await
}
