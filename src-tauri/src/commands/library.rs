//! Browse the library: search with filters, one sample's detail, its waveform, hand
//! corrections, similar sounds, MIDI export.

use samplemind::analysis::AnalysisOptions;
use samplemind::library::browse::{self, SamplePage, SimilarSample};
use samplemind::ml::midi_file;
use samplemind::search::facets::{self, Facets, FolderCount};
use samplemind::search::similar::Aspect;
use tauri::State;

use super::blocking;
use crate::dto::{PageQuery, Peaks, SampleDetail};
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::Shared;

/// Most rows one page may ask for.
const MAX_PAGE: u32 = 2000;

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
        Ok(st
            .browse
            .page(&st.lib, &query, offset, limit.min(MAX_PAGE))?)
    })
    .await
}

/// How many matches of `query` each category, key, loop / one-shot, favourite and colour
/// holds: the counts beside the filter menus' choices.
#[tauri::command]
#[specta::specta]
pub async fn sample_facets(state: State<'_, Shared>, query: PageQuery) -> CmdResult<Facets> {
    blocking(&state, move |st| {
        let (f, _) =
            facets::facets(&st.lib, &query.search_query()).map_err(browse::BrowseError::from)?;
        Ok(f)
    })
    .await
}

/// The folders that hold analysed samples, from the scanned folders down: the folder tree.
#[tauri::command]
#[specta::specta]
pub async fn list_folders(state: State<'_, Shared>) -> CmdResult<Vec<FolderCount>> {
    blocking(&state, move |st| Ok(facets::folders(&st.lib))).await
}

/// Everything known about one sample.
#[tauri::command]
#[specta::specta]
pub async fn get_sample(state: State<'_, Shared>, id: String) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        let (path, rec) = st.sample(&id)?;
        Ok(SampleDetail::of(&st.lib, &path, &rec))
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
        let rec = browse::correct_bpm(&st.lib, &id, bpm)?;
        Ok(SampleDetail::of(&st.lib, &rec.path, &rec))
    })
    .await
}

/// Set (or clear, with null) the category by hand. The other sounds of its pack are read
/// again with what the correction teaches; a rescan keeps it.
#[tauri::command]
#[specta::specta]
pub async fn correct_category(
    state: State<'_, Shared>,
    id: String,
    category: Option<String>,
) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        let rec = browse::correct_category(&st.lib, &id, category.as_deref())?;
        Ok(SampleDetail::of(&st.lib, &rec.path, &rec))
    })
    .await
}

/// Set (or clear, with null) the key by hand ("A minor", "F#m", "8A"). A rescan keeps it.
#[tauri::command]
#[specta::specta]
pub async fn correct_key(
    state: State<'_, Shared>,
    id: String,
    key: Option<String>,
) -> CmdResult<SampleDetail> {
    edit(
        state,
        id,
        browse::Edit {
            key: Some(key),
            ..Default::default()
        },
    )
    .await
}

/// Set (or clear, with null) the root note with its octave ("C2") by hand.
#[tauri::command]
#[specta::specta]
pub async fn correct_root(
    state: State<'_, Shared>,
    id: String,
    root: Option<String>,
) -> CmdResult<SampleDetail> {
    edit(
        state,
        id,
        browse::Edit {
            root_note: Some(root),
            ..Default::default()
        },
    )
    .await
}

/// Set (or clear, with null) loop (true) or one-shot (false) by hand.
#[tauri::command]
#[specta::specta]
pub async fn correct_loop(
    state: State<'_, Shared>,
    id: String,
    is_loop: Option<bool>,
) -> CmdResult<SampleDetail> {
    edit(
        state,
        id,
        browse::Edit {
            is_loop: Some(is_loop),
            ..Default::default()
        },
    )
    .await
}

async fn edit(state: State<'_, Shared>, id: String, e: browse::Edit) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        let rec = browse::correct(&st.lib, &id, &e)?;
        Ok(SampleDetail::of(&st.lib, &rec.path, &rec))
    })
    .await
}

/// The `n` (1 to 200) sounds most like sample `id` by `aspect`.
#[tauri::command]
#[specta::specta]
pub async fn similar_samples(
    state: State<'_, Shared>,
    id: String,
    aspect: Aspect,
    n: u32,
) -> CmdResult<Vec<SimilarSample>> {
    blocking(&state, move |st| {
        let opts = AnalysisOptions::with_models(st.models.clone());
        let hash = browse::parse_id(&id)?;
        let n = n.clamp(1, 200) as usize;
        Ok(st.browse.similar(&st.lib, &hash, aspect, n, &opts)?)
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
        let out = samplemind::config::midi_file_for(&path);
        midi_file::transcribe(&models, &path, &out)?;
        Ok(out.display().to_string())
    })
    .await
}
