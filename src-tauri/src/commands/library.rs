//! Browse the library: search with filters, one sample's detail, its waveform, hand
//! corrections, similar sounds, MIDI export.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use samplemind::library::view;
use samplemind::search::similar;
use tauri::State;

use super::blocking;
use crate::dto::{
    PageQuery, Peaks, SampleDetail, SamplePage, SampleSummary, SimilarAspect, SimilarRow,
};
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::{AppState, ResultCache, Shared};

/// Most rows one page may ask for.
const MAX_PAGE: u32 = 2000;

/// All rows of `q`, sorted, from the cache when the library has not changed since.
fn rows(st: &AppState, q: &PageQuery) -> CmdResult<(Arc<Vec<SampleSummary>>, Vec<String>)> {
    let generation = st.generation.load(Ordering::SeqCst);
    if let Ok(c) = st.results.lock() {
        if let Some(c) = c
            .as_ref()
            .filter(|c| &c.query == q && c.generation == generation)
        {
            return Ok((c.rows.clone(), c.problems.clone()));
        }
    }
    let (rows, problems) = view::matches(&st.lib, q)?;
    let rows = Arc::new(rows);
    if let Ok(mut c) = st.results.lock() {
        *c = Some(ResultCache {
            query: q.clone(),
            generation,
            rows: rows.clone(),
            problems: problems.clone(),
        });
    }
    Ok((rows, problems))
}

/// A window of the results of `query`: rows `offset .. offset + limit` and the total.
#[tauri::command]
#[specta::specta]
pub async fn search_samples(
    state: State<'_, Shared>,
    query: PageQuery,
    offset: u32,
    limit: u32,
) -> CmdResult<SamplePage> {
    blocking(&state, move |st| {
        let (all, problems) = rows(st, &query)?;
        Ok(SamplePage {
            total: all.len() as u32,
            offset: offset.min(all.len() as u32),
            rows: view::window(&all, offset as usize, limit.min(MAX_PAGE) as usize),
            problems,
        })
    })
    .await
}

/// Everything known about one sample.
#[tauri::command]
#[specta::specta]
pub async fn get_sample(state: State<'_, Shared>, id: String) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        let (path, rec) = st.sample(&id)?;
        Ok(SampleDetail::of(&path, &rec))
    })
    .await
}

/// The waveform overview of a sample in `columns` columns (computed once, then cached).
#[tauri::command]
#[specta::specta]
pub async fn sample_peaks(state: State<'_, Shared>, id: String, columns: u32) -> CmdResult<Peaks> {
    blocking(&state, move |st| {
        let (path, rec) = st.sample(&id)?;
        let p = st.lib.peaks(&rec.hash, &path, columns as usize)?;
        Ok(Peaks {
            min: p.min,
            max: p.max,
            duration_s: p.duration_s,
        })
    })
    .await
}

/// Set (or clear, with null) the tempo by hand: the ×2 / ÷2 buttons. A rescan keeps it.
#[tauri::command]
#[specta::specta]
pub async fn correct_bpm(
    state: State<'_, Shared>,
    id: String,
    bpm: Option<f32>,
) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        if bpm.is_some_and(|b| !(1.0..=999.0).contains(&b)) {
            return Err(AppError::new(
                ErrorKind::BadInput,
                format!("tempo out of range: {bpm:?} (1 to 999 BPM)"),
            ));
        }
        let (path, rec) = st.sample(&id)?;
        let mut c = rec.corrections.clone();
        c.bpm = bpm;
        let rec = st.lib.set_corrections(&rec.hash, c)?;
        st.touch();
        Ok(SampleDetail::of(&path, &rec))
    })
    .await
}

/// The `n` sounds most like sample `id` by `aspect`.
#[tauri::command]
#[specta::specta]
pub async fn similar_samples(
    state: State<'_, Shared>,
    id: String,
    aspect: SimilarAspect,
    n: u32,
) -> CmdResult<Vec<SimilarRow>> {
    blocking(&state, move |st| {
        let generation = st.generation.load(Ordering::SeqCst);
        let index = {
            let mut cache = st
                .similar
                .lock()
                .map_err(|_| AppError::new(ErrorKind::Other, "similar index lock poisoned"))?;
            match cache.as_ref().filter(|(g, _)| *g == generation) {
                Some((_, idx)) => idx.clone(),
                None => {
                    let (idx, _problems) = similar::SimilarIndex::build(&st.lib);
                    let idx = Arc::new(idx);
                    *cache = Some((generation, idx.clone()));
                    idx
                }
            }
        };
        let mut opts = samplemind::analysis::AnalysisOptions::default();
        opts.models = st.models.clone();
        let (probe, own) = similar::probe_for(&st.lib, &id, &opts)?;
        let aspect = match aspect {
            SimilarAspect::Overall => similar::Aspect::Overall,
            SimilarAspect::Timbre => similar::Aspect::Timbre,
            SimilarAspect::Pitch => similar::Aspect::Pitch,
            SimilarAspect::Rhythm => similar::Aspect::Rhythm,
        };
        Ok(index
            .query(&probe, aspect, n.clamp(1, 200) as usize, own)
            .into_iter()
            .filter_map(|nb| {
                let rec = st.lib.sample(&nb.hash).ok()??;
                Some(SimilarRow {
                    row: SampleSummary::of(&nb.path, &rec),
                    score: nb.score,
                })
            })
            .collect())
    })
    .await
}

/// Transcribe a sample's notes (basic-pitch) to a MIDI file in `$SAMPLEMIND_HOME/midi`;
/// returns its path, for dragging into a DAW.
#[tauri::command]
#[specta::specta]
pub async fn export_midi(state: State<'_, Shared>, id: String) -> CmdResult<String> {
    blocking(&state, move |st| {
        let models = st.models.clone().ok_or_else(|| {
            AppError::new(
                ErrorKind::Models,
                "MIDI export needs the local models (ONNX Runtime was not found: see Health)",
            )
        })?;
        let (path, _) = st.sample(&id)?;
        let (info, mono) = samplemind::audio::decode_mono(&path, Some(600.0))?;
        let notes = samplemind::ml::basic_pitch::notes(
            &models,
            &mono,
            info.sample_rate,
            &samplemind::ml::basic_pitch::NoteOptions::default(),
        )
        .map_err(|e| AppError::new(ErrorKind::Models, format!("{}: {e}", path.display())))?;
        let dir = samplemind::config::home_dir().join("midi");
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::new(ErrorKind::Other, format!("{}: {e}", dir.display())))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| id.clone());
        let out = dir.join(format!("{stem}.mid"));
        samplemind::ml::midi_file::write(&out, &notes)
            .map_err(|e| AppError::new(ErrorKind::Other, format!("{}: {e}", out.display())))?;
        Ok(out.display().to_string())
    })
    .await
}
