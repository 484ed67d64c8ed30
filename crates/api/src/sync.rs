//! A sample in a project's tempo and key: how it would play (`/sync`), and the render of it
//! as a WAV (`/synced`), for a DAW script or a plug-in that wants what the app's drag
//! delivers. The project is the config's `[project]`, with any tempo, key or note the
//! request names on top.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ErrorBody};
use super::routes::{blocking, parse_id, Shared};
use samplemind_engine::analysis::pitch::midi_of;
use samplemind_engine::library::browse;
use samplemind_engine::sync::{self, Project, SyncView};

/// `GET /api/v1/samples/{id}/sync` and `/synced` options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// Project tempo, BPM (default: the config's `[project] bpm`).
    #[param(minimum = 20, maximum = 400)]
    pub bpm: Option<f32>,
    /// Project key: "F minor", "F#m", "Eb", "Bb maj", Camelot "8A" (default: the config's
    /// `[project] key`).
    #[param(
        max_length = 16,
        pattern = r"^([A-Ga-g][#b♯♭]?( ?(m|min|minor|maj|major))?|(1[0-2]|[1-9])[ABab])$"
    )]
    pub key: Option<String>,
    /// Play a one-shot at this note ("C3", octaves 0 to 8) instead of the scale's nearest.
    #[param(max_length = 3, pattern = r"^[A-Ga-g][#b]?[0-8]$")]
    pub note: Option<String>,
}

/// Whether `k` is spelled as the document's key pattern allows: a tonic, an accidental, a
/// mode (after one space or none), or a Camelot number and letter.
fn documented_key(k: &str) -> bool {
    if let Some(n) = k.strip_suffix(['A', 'B', 'a', 'b']) {
        let camelot = n.starts_with(|c: char| ('1'..='9').contains(&c))
            && n.parse::<u8>().is_ok_and(|n| (1..=12).contains(&n));
        if camelot {
            return true;
        }
    }
    let mut chars = k.chars();
    if !chars
        .next()
        .is_some_and(|c| ('A'..='G').contains(&c.to_ascii_uppercase()))
    {
        return false;
    }
    let rest = chars.as_str();
    let rest = rest.strip_prefix(['#', 'b', '♯', '♭']).unwrap_or(rest);
    let mode = rest.strip_prefix(' ').unwrap_or(rest);
    rest.is_empty() || ["m", "min", "minor", "maj", "major"].contains(&mode)
}

/// Whether `n` is spelled as the document's note pattern allows: a letter, a sharp or flat,
/// an octave 0 to 8.
fn documented_note(n: &str) -> bool {
    let letter = |c: &u8| (b'A'..=b'G').contains(&c.to_ascii_uppercase());
    let octave = |c: &u8| (b'0'..=b'8').contains(c);
    match n.as_bytes() {
        [l, o] => letter(l) && octave(o),
        [l, a, o] => letter(l) && (*a == b'#' || *a == b'b') && octave(o),
        _ => false,
    }
}

/// The project of the config with the request's fields on top, and the chosen note.
fn project_of(base: &Project, p: &SyncParams) -> Result<(Project, Option<u8>), ApiError> {
    if let Some(k) = p.key.as_deref().filter(|k| !documented_key(k)) {
        return Err(ApiError::bad_request(format!(
            "key: {k:?} is not a key (\"F minor\", \"F#m\", \"8A\")"
        )));
    }
    if let Some(n) = p.note.as_deref().filter(|n| !documented_note(n)) {
        return Err(ApiError::bad_request(format!(
            "note: {n:?} is not a note (\"C3\", octaves 0 to 8)"
        )));
    }
    let project = Project {
        bpm: p.bpm.or(base.bpm),
        key: p.key.clone().or_else(|| base.key.clone()),
        sync: true,
    };
    project.check().map_err(ApiError::bad_request)?;
    let note =
        match &p.note {
            Some(n) => Some(midi_of(n).ok_or_else(|| {
                ApiError::bad_request(format!("note: {n:?} is not a note (\"C3\")"))
            })?),
            None => None,
        };
    Ok((project, note))
}

/// How a sample would play in the project: its tempo and bars, its key or note, the
/// stretch and shift, and why a part plays as it is.
#[utoipa::path(get, path = "/api/v1/samples/{id}/sync", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64), SyncParams),
    responses((status = 200, description = "How it plays", body = SyncView),
              (status = 400, description = "Not an id, a tempo out of range, not a key or not a note", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody)))]
pub async fn sync_plan(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
    p: Result<Query<SyncParams>, QueryRejection>,
) -> Result<Json<SyncView>, ApiError> {
    let Query(p) = p?;
    parse_id(&id)?;
    let (project, note) = project_of(&s.settings.project, &p)?;
    blocking(move || {
        let rec = browse::find(&s.lib, &id)?;
        Ok(Json(SyncView::from(&sync::plan(
            &rec.corrected(),
            &project,
            note,
        ))))
    })
    .await
}

/// The sample as it plays in the project, rendered to a 24-bit WAV (made once per tempo and
/// key, then served again). A sample that plays as it is comes back as it is, in WAV.
#[utoipa::path(get, path = "/api/v1/samples/{id}/synced", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64), SyncParams),
    responses((status = 200, description = "The render", body = Vec<u8>, content_type = "audio/wav"),
              (status = 400, description = "Not an id, a tempo out of range, not a key or not a note", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody),
              (status = 422, description = "The file cannot be decoded or is too long to render", body = ErrorBody)))]
pub async fn synced(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
    p: Result<Query<SyncParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(p) = p?;
    parse_id(&id)?;
    let (project, note) = project_of(&s.settings.project, &p)?;
    let bytes = blocking(move || {
        let rec = browse::find(&s.lib, &id)?;
        let plan = sync::plan(&rec.corrected(), &project, note);
        let out = sync::rendered_path(&rec.path, &rec.hash.to_hex(), &plan, None);
        if !out.exists() {
            sync::render(&rec.path, plan.stretch, None, &out).map_err(ApiError::unprocessable)?;
        }
        std::fs::read(&out).map_err(|e| ApiError::internal(format!("{}: {e}", out.display())))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "audio/wav")], bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_spellings_are_the_ones_the_engine_reads() {
        for k in [
            "F minor",
            "F#m",
            "Eb",
            "bb",
            "Bb maj",
            "a min",
            "C♯minor",
            "8A",
            "12b",
            "1B",
            "Gmajor",
        ] {
            assert!(documented_key(k), "{k}");
            assert!(
                samplemind_engine::analysis::key_name::normalise(k).is_some(),
                "{k}"
            );
        }
        for k in [
            "", "H", "C  minor", "Cm ", "13A", "0A", "+1A", "purple", "C##", "F minor7",
        ] {
            assert!(!documented_key(k), "{k}");
        }
        for n in ["C3", "a0", "G#8", "Bb4", "b#8", "Cb0"] {
            assert!(documented_note(n), "{n}");
            assert!(midi_of(n).is_some(), "{n}");
        }
        for n in ["C9", "H2", "C", "C-1", "C#10", "é4"] {
            assert!(!documented_note(n), "{n}");
        }
    }
}
