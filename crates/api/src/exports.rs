//! The handlers that write files or move the library's paths: the tidy-up export, kits, and
//! relinking a moved folder. Files are written only under the export folder of the config
//! (a request names a folder under it, never a path of its own), and a relink may only point
//! at a place inside the library folders, where every read of the API stays.

use std::path::{Component, Path, PathBuf};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::Json;

use super::error::{ApiError, ErrorBody};
use super::routes::{blocking, body_bytes, canonical_inside, object_body, parse_id, Shared};
use super::views::*;
use super::ApiState;
use samplemind_engine::analysis::classify::CATEGORIES;
use samplemind_engine::library::tidy::{self, ExportError, Processing};
use samplemind_engine::library::{kit, ScanOptions};

/// The most samples one request exports (its answer lists each).
pub const MAX_EXPORTED: u32 = 10_000;

/// `folder` under the export folder, checked as [`FOLDER_PATTERN`] states: '/'-separated
/// names, none empty or starting with a dot or a space, no '\\', ':' or control character.
fn export_dir(s: &ApiState, folder: &str) -> Result<PathBuf, ApiError> {
    let bad = |why: &str| ApiError::bad_request(format!("folder: {folder:?} {why}"));
    if folder.is_empty() || folder.chars().count() > MAX_FOLDER_CHARS {
        return Err(bad(&format!("must be 1 to {MAX_FOLDER_CHARS} characters")));
    }
    let refused = |c: char| c == '\\' || c == ':' || ('\u{0}'..='\u{1f}').contains(&c);
    let refused = |c: char| refused(c) || ('\u{7f}'..='\u{9f}').contains(&c);
    if folder.chars().any(refused) {
        return Err(bad("holds a '\\', ':' or control character"));
    }
    for name in folder.split('/') {
        match name.chars().next() {
            None => {
                return Err(bad(
                    "has an empty name (a leading, doubled or trailing '/')",
                ))
            }
            Some(c) if c == '.' || c.is_whitespace() => {
                return Err(bad("has a name starting with a dot or a space"))
            }
            Some(_) => {}
        }
    }
    let rel = Path::new(folder);
    // The checks above leave only plain names; this says so to the reader and to the
    // platforms whose paths have other components.
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(bad("is not a relative folder"));
    }
    Ok(s.export_root.join(rel))
}

/// Text as the document's text schema states it: at most `max` characters, at least one
/// that is not a space, no control character.
fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() || value.chars().any(char::is_control) || value.chars().count() > max
    {
        return Err(ApiError::bad_request(format!(
            "{field}: blank, over {max} characters, or with a control character"
        )));
    }
    Ok(())
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Sample(b) => b.into(),
            ExportError::Search(samplemind_engine::search::SearchError::NoCollection(_)) => {
                Self::not_found(e.to_string())
            }
            ExportError::Search(samplemind_engine::search::SearchError::Library(l)) => l.into(),
            _ => Self::bad_request(e.to_string()),
        }
    }
}

/// Copies of chosen samples in a folder under the export folder: renamed from a template,
/// optionally trimmed, normalised and converted, with tempo and key written where other tools
/// read them. The originals are never changed; an existing file is never overwritten.
#[utoipa::path(post, path = "/api/v1/export", tag = "samples", security(("bearer" = [])),
    request_body = ExportBody,
    responses((status = 200, description = "The copies listed (dry run) or made; files that failed are named in the report", body = ExportDone),
              (status = 400, description = "A bad body: template, folder, target or filter, or over 10,000 samples chosen (nothing is written)", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "A sample or collection that is not in the library", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody)))]
pub async fn export(
    State(s): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ExportDone>, ApiError> {
    let req: ExportBody = object_body(&body_bytes(body)?)?;
    use samplemind_engine::library::curation::{
        MAX_COLLECTION_NAME_CHARS, MAX_TAGS, MAX_TAG_CHARS,
    };
    if let Some(r) = &req.rename {
        check_text("rename", r, MAX_TEMPLATE_CHARS)?;
    }
    if let Some(c) = &req.collection {
        check_text("collection", c, MAX_COLLECTION_NAME_CHARS)?;
    }
    if req.tags.len() > MAX_TAGS {
        return Err(ApiError::bad_request(format!("tags: at most {MAX_TAGS}")));
    }
    for t in &req.tags {
        check_text("tags", t, MAX_TAG_CHARS)?;
    }
    for id in &req.ids {
        parse_id(id)?;
    }
    if req.ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!("ids: at most {MAX_IDS}")));
    }
    if let Some(c) = &req.category {
        if !CATEGORIES.contains(&c.as_str()) {
            return Err(ApiError::bad_request(format!(
                "category: {c:?} is not one of {}",
                CATEGORIES.join(", ")
            )));
        }
    }
    let to = export_dir(&s, &req.folder)?;
    let request = tidy::ExportRequest {
        to,
        rename: req
            .rename
            .unwrap_or_else(|| tidy::job::DEFAULT_TEMPLATE.to_string()),
        dry_run: req.dry_run,
        processing: Processing {
            trim: req.trim,
            normalise_lufs: req.normalise_lufs,
            format: req.format.map(|f| match f {
                CopyFormat::Wav => samplemind_engine::audio::encode::Encoding::Wav,
                CopyFormat::Flac => samplemind_engine::audio::encode::Encoding::Flac,
            }),
            regions: req.regions,
        },
        ids: req.ids,
        collection: req.collection,
        favourite: req.favourite,
        category: req.category,
        tags: req.tags,
        at_most: Some(MAX_EXPORTED),
    };
    blocking(move || Ok(Json(tidy::export(&s.lib, &request)?))).await
}

/// A folder of the library moved (a drive mounted elsewhere, a folder renamed): point its
/// samples at the new place. Known contents keep their analyses, marks and collections.
#[utoipa::path(post, path = "/api/v1/relink", tag = "samples", security(("bearer" = [])),
    request_body = RelinkBody,
    responses((status = 200, description = "What was found again", body = RelinkSummary),
              (status = 400, description = "A bad body", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 403, description = "The new place is outside the library folders", body = ErrorBody),
              (status = 404, description = "No sample lies under the old folder, or the new one is not a folder", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody)))]
pub async fn relink(
    State(s): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RelinkSummary>, ApiError> {
    let req: RelinkBody = object_body(&body_bytes(body)?)?;
    check_text("from", &req.from, MAX_PATH_CHARS)?;
    check_text("to", &req.to, MAX_PATH_CHARS)?;
    blocking(move || {
        let to = folder_inside_library(&s, &req.to)?;
        let mut opts = ScanOptions::default();
        opts.analysis = samplemind_engine::analysis::AnalysisOptions::with_models(s.models.clone());
        let r = samplemind_engine::library::drives::relink(
            &s.lib,
            Path::new(&req.from),
            &to,
            &opts,
            &mut |_| {},
        )?;
        Ok(Json(RelinkSummary {
            old_paths: r.old_paths,
            relinked: r.relinked,
            analysed: r.scan.analysed,
            reused: r.scan.reused,
            failed: r.scan.failures.iter().map(|f| f.message.clone()).collect(),
        }))
    })
    .await
}

/// `path`, canonical, when it is a folder inside a library folder.
fn folder_inside_library(s: &ApiState, path: &str) -> Result<PathBuf, ApiError> {
    let p = canonical_inside(s, path, "folder")?;
    if !p.is_dir() {
        return Err(ApiError::not_found(format!("{path}: not a folder")));
    }
    Ok(p)
}

/// A drum kit around one sound: on each pad, the one-shot of its kind that sounds most like
/// it.
#[utoipa::path(get, path = "/api/v1/kit/suggest", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Query, description = "The sound the kit is built around (content hash)", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)),
    responses((status = 200, description = "The kit (pads with nothing suited are left out)", body = Kit),
              (status = 400, description = "Not an id", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody)))]
pub async fn kit_suggest(
    State(s): Shared,
    params: Result<Query<KitSuggestParams>, QueryRejection>,
) -> Result<Json<Kit>, ApiError> {
    let Query(p) = params?;
    parse_id(&p.id)?;
    blocking(move || {
        let opts = samplemind_engine::analysis::AnalysisOptions::with_models(s.models.clone());
        Ok(Json(kit::suggest(&s.lib, &p.id, &opts)?))
    })
    .await
}

/// Write a kit into a folder under the export folder: its samples (copies), an SFZ
/// instrument and a Decent Sampler preset, each pad on its General MIDI drum note.
#[utoipa::path(post, path = "/api/v1/kit/export", tag = "samples", security(("bearer" = [])),
    request_body = KitExportBody,
    responses((status = 200, description = "What was written", body = KitExport),
              (status = 400, description = "A bad body", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "A pad's sample is not in the library", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody)))]
pub async fn kit_export(
    State(s): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<KitExport>, ApiError> {
    let req: KitExportBody = object_body(&body_bytes(body)?)?;
    if req.pads.is_empty() || req.pads.len() > kit::Slot::ALL.len() {
        return Err(ApiError::bad_request("pads: 1 to 8 pads"));
    }
    for p in &req.pads {
        parse_id(&p.id)?;
    }
    check_text(
        "name",
        &req.name,
        samplemind_engine::library::curation::MAX_COLLECTION_NAME_CHARS,
    )?;
    let dir = export_dir(&s, &req.folder)?;
    blocking(move || {
        let mut k = kit::Kit::default();
        for p in &req.pads {
            k.set(&s.lib, p.slot, &p.id)?;
        }
        kit::export(&s.lib, &k, &dir, &req.name)
            .map(Json)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
}
