//! The producer's marks and collections: star (F), rate, colour, tag a sample; make and fill
//! collections; keep one copy of a duplicate. Each is one call into `samplemind::library::curation`, as the CLI and the API
//! make it.

use samplemind::library::curation::{self, CollectionSummary};
use samplemind::library::kit::{self, Kit, Slot};
use samplemind::library::CurationEdit;
use samplemind::search::duplicates::{self, DuplicateGroup};
use tauri::State;

use super::blocking;
use crate::dto::{SampleDetail, SampleSummary};
use crate::error::CmdResult;
use crate::state::Shared;

/// Change the marks of sample `id` (a field left out stays); the sample as it now is.
#[tauri::command]
#[specta::specta]
pub async fn mark_sample(
    state: State<'_, Shared>,
    id: String,
    edit: CurationEdit,
) -> CmdResult<SampleDetail> {
    blocking(&state, move |st| {
        curation::mark(&st.lib, &id, &edit)?;
        let (path, rec) = st.sample(&id)?;
        Ok(SampleDetail::of(&st.lib, &path, &rec))
    })
    .await
}

/// Change the marks of every selected sample (each is checked before any is written); how
/// many changed.
#[tauri::command]
#[specta::specta]
pub async fn mark_samples(
    state: State<'_, Shared>,
    ids: Vec<String>,
    edit: CurationEdit,
) -> CmdResult<u32> {
    blocking(&state, move |st| {
        let n = curation::mark_many(&st.lib, &ids, &edit)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    })
    .await
}

/// Set (or clear, with null) the category of every selected sample; each is found before
/// any is changed. How many.
#[tauri::command]
#[specta::specta]
pub async fn correct_samples_category(
    state: State<'_, Shared>,
    ids: Vec<String>,
    category: Option<String>,
) -> CmdResult<u32> {
    blocking(&state, move |st| {
        let edit = samplemind::library::browse::Edit {
            category: Some(category),
            ..Default::default()
        };
        let n = samplemind::library::browse::correct_many(&st.lib, &ids, &edit)?.len();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    })
    .await
}

/// Every collection, in name order.
#[tauri::command]
#[specta::specta]
pub async fn list_collections(state: State<'_, Shared>) -> CmdResult<Vec<CollectionSummary>> {
    blocking(&state, move |st| Ok(curation::list_collections(&st.lib))).await
}

/// Add samples to the end of a collection (made when there is none).
#[tauri::command]
#[specta::specta]
pub async fn add_to_collection(
    state: State<'_, Shared>,
    name: String,
    ids: Vec<String>,
) -> CmdResult<CollectionSummary> {
    blocking(&state, move |st| {
        Ok(curation::add_to_collection(&st.lib, &name, &ids)?)
    })
    .await
}

/// Take samples out of a collection (the library keeps them).
#[tauri::command]
#[specta::specta]
pub async fn remove_from_collection(
    state: State<'_, Shared>,
    name: String,
    ids: Vec<String>,
) -> CmdResult<CollectionSummary> {
    blocking(&state, move |st| {
        Ok(curation::remove_from_collection(&st.lib, &name, &ids)?)
    })
    .await
}

/// A collection's samples, in its order.
#[tauri::command]
#[specta::specta]
pub async fn collection_samples(
    state: State<'_, Shared>,
    name: String,
) -> CmdResult<Vec<SampleSummary>> {
    blocking(&state, move |st| {
        Ok(curation::collection_samples(&st.lib, &name)?)
    })
    .await
}

/// Delete a collection; its samples stay in the library.
#[tauri::command]
#[specta::specta]
pub async fn delete_collection(state: State<'_, Shared>, name: String) -> CmdResult<()> {
    blocking(&state, move |st| {
        Ok(curation::delete_collection(&st.lib, &name)?)
    })
    .await
}

/// Every sample found at two or more paths, the most copies first.
#[tauri::command]
#[specta::specta]
pub async fn list_duplicates(state: State<'_, Shared>) -> CmdResult<Vec<DuplicateGroup>> {
    blocking(&state, move |st| Ok(duplicates::exact(&st.lib))).await
}

/// Keep path `keep` of sample `id` and hide its other paths from searches (no file is
/// touched); with no `keep`, show them all again.
#[tauri::command]
#[specta::specta]
pub async fn keep_duplicate(
    state: State<'_, Shared>,
    id: String,
    keep: Option<String>,
) -> CmdResult<DuplicateGroup> {
    blocking(&state, move |st| {
        let keep = keep.as_deref().map(std::path::Path::new);
        Ok(duplicates::keep(&st.lib, &id, keep)?)
    })
    .await
}

/// A drum kit around sample `id`: on each pad, the one-shot of its category that sounds most
/// like it.
#[tauri::command]
#[specta::specta]
pub async fn suggest_kit(state: State<'_, Shared>, id: String) -> CmdResult<Kit> {
    blocking(&state, move |st| {
        let opts = samplemind::analysis::AnalysisOptions::with_models(st.models.clone());
        Ok(kit::suggest(&st.lib, &id, &opts)?)
    })
    .await
}

/// Put sample `id` on pad `slot` of `kit`; the kit as it now is.
#[tauri::command]
#[specta::specta]
pub async fn set_kit_pad(
    state: State<'_, Shared>,
    kit: Kit,
    slot: Slot,
    id: String,
) -> CmdResult<Kit> {
    blocking(&state, move |st| {
        let mut kit = kit;
        kit.set(&st.lib, slot, &id)?;
        Ok(kit)
    })
    .await
}

/// Write `kit` into folder `dir` (the WAVs, an SFZ and a Decent Sampler preset).
#[tauri::command]
#[specta::specta]
pub async fn export_kit(
    state: State<'_, Shared>,
    kit: Kit,
    dir: String,
    name: String,
) -> CmdResult<String> {
    blocking(&state, move |st| {
        let out = kit::export(&st.lib, &kit, std::path::Path::new(&dir), &name).map_err(|e| {
            crate::error::AppError::new(crate::error::ErrorKind::Other, e.to_string())
        })?;
        Ok(out.sfz.display().to_string())
    })
    .await
}
