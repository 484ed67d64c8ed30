//! The handlers: each parses the request, runs one core function (blocking work on tokio's
//! blocking pool) and returns its view.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;

use super::error::{ApiError, ErrorBody};
use super::views::*;
use super::ApiState;
use samplemind_engine::ai::{AskOptions, ChatRequest, Message};
use samplemind_engine::analysis::classify::CATEGORIES;
use samplemind_engine::library::{browse, curation, ContentHash};
use samplemind_engine::search::{similar, sort::SortKey};

pub(crate) type Shared = State<Arc<ApiState>>;

/// Run blocking core work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// Liveness: no token needed.
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, description = "The server answers", body = HealthSummary)))]
pub async fn health(State(s): Shared) -> Json<HealthSummary> {
    let st = s.clone();
    let status = tokio::task::spawn_blocking(move || {
        let h = samplemind_engine::health::check(Some(&st.lib), st.started, &st.settings.ml);
        serde_json::to_value(h.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "ok".into())
    })
    .await
    .unwrap_or_else(|_| "degraded".into());
    Json(HealthSummary {
        status,
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_seconds: s.started.elapsed().as_secs_f64(),
    })
}

/// Every component, the AI cache and the process figures (as `samplemind health --json`).
#[utoipa::path(get, path = "/api/v1/health/detailed", tag = "health", security(("bearer" = [])),
    responses((status = 200, description = "The detailed report", body = Object),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn health_detailed(State(s): Shared) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let h = samplemind_engine::health::report(
            Some(&s.lib),
            s.started,
            &s.settings,
            s.ai.as_deref(),
        );
        serde_json::to_value(h)
            .map(Json)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "health", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus exposition", body = String, content_type = "text/plain"),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn metrics(State(s): Shared) -> Result<impl IntoResponse, ApiError> {
    let text = blocking(move || Ok(super::metrics::render(&s))).await?;
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}

fn sort_key(s: &str) -> Result<SortKey, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        ApiError::bad_request(format!(
            "sort: unknown column {s:?} ({})",
            super::views::SORT_COLUMNS.join(", ")
        ))
    })
}

/// Search the library with the CLI's filters.
#[utoipa::path(get, path = "/api/v1/samples", tag = "samples", security(("bearer" = [])), params(SampleFilters),
    responses((status = 200, description = "Matching samples", body = SamplePage),
              (status = 400, description = "A bad filter", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "The collection filter names no collection", body = ErrorBody)))]
pub async fn list_samples(
    State(s): Shared,
    f: Result<Query<SampleFilters>, QueryRejection>,
) -> Result<Json<SamplePage>, ApiError> {
    let Query(f) = f?;
    let (key, limit) = check_filters(&f)?;
    let offset = f.offset.unwrap_or(0);
    blocking(move || {
        let page = s.browse.page(&s.lib, &f.page_query(key), offset, limit)?;
        Ok(Json(SamplePage {
            total: page.total.into(),
            samples: page.rows,
        }))
    })
    .await
}

/// How many of the samples matching the filters each category, key, loop or one-shot,
/// favourite and colour holds (what a filter menu shows beside each choice).
#[utoipa::path(get, path = "/api/v1/samples/facets", tag = "samples", security(("bearer" = [])), params(SampleFilters),
    responses((status = 200, description = "Counts of the matches", body = Facets),
              (status = 400, description = "A bad filter", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "The collection filter names no collection", body = ErrorBody)))]
pub async fn sample_facets(
    State(s): Shared,
    f: Result<Query<SampleFilters>, QueryRejection>,
) -> Result<Json<Facets>, ApiError> {
    let Query(f) = f?;
    let (key, _) = check_filters(&f)?;
    blocking(move || {
        let q = f.page_query(key).search_query();
        let (facets, _) = samplemind_engine::search::facets::facets(&s.lib, &q)
            .map_err(browse::BrowseError::from)?;
        Ok(Json(facets))
    })
    .await
}

/// Every folder that holds analysed samples, from the scanned folders down, with how many
/// lie under it.
#[utoipa::path(get, path = "/api/v1/folders", tag = "samples", security(("bearer" = [])),
    responses((status = 200, description = "Folders in path order", body = [FolderCount]),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn folders(State(s): Shared) -> Result<Json<Vec<FolderCount>>, ApiError> {
    blocking(move || Ok(Json(samplemind_engine::search::facets::folders(&s.lib)))).await
}

/// The checks of the filters the document states and serde does not make; the sort column
/// and the page's length.
fn check_filters(f: &SampleFilters) -> Result<(SortKey, u32), ApiError> {
    if f.rating_min.is_some_and(|r| r > 5) {
        return Err(ApiError::bad_request("rating_min: stars are 0 to 5"));
    }
    let limit = in_range("limit", f.limit, 100, 0, MAX_PAGE)?;
    let sort = f
        .sort
        .as_deref()
        .map(sort_key)
        .transpose()?
        .unwrap_or_default();
    Ok((sort, limit))
}

/// The most samples one page answers; the document's `limit` maximum.
pub const MAX_PAGE: u32 = 1000;
/// The most neighbours `similar` answers; the document's `n` maximum.
pub const MAX_SIMILAR: u32 = 200;
/// The longest answer `ask` asks for; the document's `max_tokens` maximum.
pub const MAX_ANSWER_TOKENS: u32 = 2048;

/// `value` (or `default`) when within `lo..=hi`, else a 400 naming the field: the document
/// states these bounds, so a value outside them is refused, not quietly clamped.
fn in_range(
    field: &str,
    value: Option<u32>,
    default: u32,
    lo: u32,
    hi: u32,
) -> Result<u32, ApiError> {
    let v = value.unwrap_or(default);
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::bad_request(format!(
            "{field}: {v} is outside {lo}..={hi}"
        )))
    }
}

pub(crate) fn parse_id(id: &str) -> Result<ContentHash, ApiError> {
    Ok(browse::parse_id(id)?)
}

/// One sample.
#[utoipa::path(get, path = "/api/v1/samples/{id}", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)),
    responses((status = 200, description = "The sample", body = SampleSummary),
              (status = 400, description = "Not an id", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody)))]
pub async fn get_sample(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<SampleSummary>, ApiError> {
    parse_id(&id)?;
    blocking(move || {
        let rec = browse::find(&s.lib, &id)?;
        Ok(Json(summary(&s, &rec)))
    })
    .await
}

/// Correct a sample by hand: its category, tempo, key, root note, loop or one-shot (JSON
/// merge-patch style).
#[utoipa::path(patch, path = "/api/v1/samples/{id}", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)),
    request_body = CorrectionRequest,
    responses((status = 200, description = "The sample as stored now", body = SampleSummary),
              (status = 400, description = "Not an id, or a bad body (nothing is changed)", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody)))]
pub async fn correct_sample(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Result<Json<SampleSummary>, ApiError> {
    parse_id(&id)?;
    let req: CorrectionRequest = object_body(&body)?;
    // The document's limits, checked as it states them: the engine would also take " Synth "
    // and round 999.00001 to an f32 of 999.
    if let Some(Some(c)) = &req.category {
        if !CATEGORIES.contains(&c.as_str()) {
            return Err(ApiError::bad_request(format!(
                "category: {c:?} is not one of {}",
                CATEGORIES.join(", ")
            )));
        }
    }
    let tempo = f64::from(*browse::TEMPO_RANGE.start())..=f64::from(*browse::TEMPO_RANGE.end());
    if let Some(Some(b)) = req.bpm {
        if !tempo.contains(&b) {
            return Err(ApiError::bad_request(format!(
                "bpm: {b} is outside {}..={}",
                tempo.start(),
                tempo.end()
            )));
        }
    }
    let edit = browse::Edit {
        category: req.category,
        bpm: req.bpm.map(|b| b.map(|b| b as f32)),
        key: req.key,
        root_note: req.root_note,
        is_loop: req.is_loop,
    };
    blocking(move || {
        let rec = browse::correct(&s.lib, &id, &edit)?;
        Ok(Json(summary(&s, &rec)))
    })
    .await
}

fn summary(s: &ApiState, rec: &samplemind_engine::library::SampleRecord) -> SampleSummary {
    samplemind_engine::library::view::summarise(&s.lib, &rec.path, rec)
}

/// The body, or the documented JSON error for one over the limit (axum's own answer is
/// plain text).
pub(crate) fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("a JSON body is at most 64 KiB")
        } else {
            ApiError::bad_request(format!("body: {}", e.body_text()))
        }
    })
}

/// A JSON object body as `T`, or a 400 naming what is wrong (serde also reads a struct
/// from an array; the document promises an object).
pub(crate) fn object_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::bad_request("body: not a JSON object"));
    }
    serde_json::from_value(v).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}

/// Star, rate, colour or tag a sample. Keyed by content, so a moved or renamed file keeps
/// its marks.
#[utoipa::path(patch, path = "/api/v1/samples/{id}/marks", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)),
    request_body = MarksRequest,
    responses((status = 200, description = "The sample as stored now", body = SampleSummary),
              (status = 400, description = "Not an id, or a bad body (nothing is changed)", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody)))]
pub async fn mark_sample(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SampleSummary>, ApiError> {
    parse_id(&id)?;
    let req: MarksRequest = object_body(&body_bytes(body)?)?;
    let most = samplemind_engine::library::curation::MAX_TAGS;
    if req.add_tags.len().max(req.remove_tags.len()) > most {
        return Err(ApiError::bad_request(format!(
            "add_tags, remove_tags: at most {most} tags each"
        )));
    }
    let rating = match req.rating {
        Some(r) if r > 5 => return Err(ApiError::bad_request("rating: stars are 0 to 5")),
        r => r.map(|r| r as u8),
    };
    let edit = samplemind_engine::library::CurationEdit {
        favourite: req.favourite,
        rating,
        colour: req.colour,
        add_tags: req.add_tags,
        remove_tags: req.remove_tags,
        region: req.region.map(|r| r.map(Region::from)),
    };
    blocking(move || Ok(Json(curation::mark(&s.lib, &id, &edit)?))).await
}

/// Every sample found at two or more paths, the most copies first.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "samples", security(("bearer" = [])),
    responses((status = 200, description = "The groups", body = [DuplicateGroup]),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn duplicates(State(s): Shared) -> Result<Json<Vec<DuplicateGroup>>, ApiError> {
    blocking(move || Ok(Json(samplemind_engine::search::duplicates::exact(&s.lib)))).await
}

/// Keep one path of a duplicated sample and hide the others from every search (no file is
/// touched); without `keep`, show them all again.
#[utoipa::path(post, path = "/api/v1/duplicates/keep", tag = "samples", security(("bearer" = [])),
    request_body = KeepRequest,
    responses((status = 200, description = "The group as it now is", body = DuplicateGroup),
              (status = 400, description = "A bad body", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "Not a duplicated sample, or not one of its paths", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody)))]
pub async fn keep_duplicate(
    State(s): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DuplicateGroup>, ApiError> {
    let req: KeepRequest = object_body(&body_bytes(body)?)?;
    parse_id(&req.id)?;
    blocking(move || {
        let keep = req.keep.as_deref().map(std::path::Path::new);
        Ok(Json(samplemind_engine::search::duplicates::keep(
            &s.lib, &req.id, keep,
        )?))
    })
    .await
}

/// Every collection, in name order.
#[utoipa::path(get, path = "/api/v1/collections", tag = "collections", security(("bearer" = [])),
    responses((status = 200, description = "The collections", body = [CollectionSummary]),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn list_collections(State(s): Shared) -> Result<Json<Vec<CollectionSummary>>, ApiError> {
    blocking(move || Ok(Json(curation::list_collections(&s.lib)))).await
}

/// Make a collection, add samples to its end, take some out, or rename it (in that order).
#[utoipa::path(post, path = "/api/v1/collections", tag = "collections", security(("bearer" = [])),
    request_body = CollectionRequest,
    responses((status = 200, description = "The collection as it now is", body = CollectionSummary),
              (status = 400, description = "A bad body (nothing is changed)", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "A sample to add is not in the library, or nothing to take out of", body = ErrorBody),
              (status = 413, description = "A body over 64 KiB", body = ErrorBody),
              (status = 409, description = "The new name is another collection's (nothing is changed)", body = ErrorBody)))]
pub async fn edit_collection(
    State(s): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CollectionSummary>, ApiError> {
    let req: CollectionRequest = object_body(&body_bytes(body)?)?;
    for id in req.add.iter().chain(&req.remove) {
        parse_id(id)?;
    }
    if req.add.len().max(req.remove.len()) > MAX_IDS {
        return Err(ApiError::bad_request(format!("at most {MAX_IDS} ids")));
    }
    blocking(move || {
        let lib = &s.lib;
        let name = samplemind_engine::library::curation::normalise_collection_name(&req.name)
            .map_err(browse::BrowseError::from)?;
        if let Some(to) = &req.rename_to {
            samplemind_engine::library::curation::normalise_collection_name(to)
                .map_err(browse::BrowseError::from)?;
        }
        let mut out = curation::add_to_collection(lib, &name, &req.add)?;
        if !req.remove.is_empty() {
            out = curation::remove_from_collection(lib, &name, &req.remove)?;
        }
        if let Some(to) = &req.rename_to {
            out = curation::rename_collection(lib, &name, to)?;
        }
        Ok(Json(out))
    })
    .await
}

/// A collection's samples, in its order.
#[utoipa::path(get, path = "/api/v1/collections/samples", tag = "collections", security(("bearer" = [])),
    params(("name" = String, Query, description = "The collection's name, any case", min_length = 1, max_length = 80, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")),
    responses((status = 200, description = "Its samples, in order", body = [SampleSummary]),
              (status = 400, description = "A bad name", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such collection", body = ErrorBody)))]
pub async fn collection_samples(
    State(s): Shared,
    q: Result<Query<CollectionName>, QueryRejection>,
) -> Result<Json<Vec<SampleSummary>>, ApiError> {
    let Query(q) = q?;
    blocking(move || Ok(Json(curation::collection_samples(&s.lib, &q.name)?))).await
}

/// Delete a collection; its samples stay in the library.
#[utoipa::path(delete, path = "/api/v1/collections", tag = "collections", security(("bearer" = [])),
    params(("name" = String, Query, description = "The collection's name, any case", min_length = 1, max_length = 80, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")),
    responses((status = 204, description = "Deleted"),
              (status = 400, description = "A bad name", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such collection", body = ErrorBody)))]
pub async fn delete_collection(
    State(s): Shared,
    q: Result<Query<CollectionName>, QueryRejection>,
) -> Result<axum::http::StatusCode, ApiError> {
    let Query(q) = q?;
    blocking(move || {
        curation::delete_collection(&s.lib, &q.name)?;
        Ok(axum::http::StatusCode::NO_CONTENT)
    })
    .await
}

/// The samples most like one.
#[utoipa::path(get, path = "/api/v1/samples/{id}/similar", tag = "samples", security(("bearer" = [])),
    params(("id" = String, Path, description = "Content hash, 64 hex digits", pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64), SimilarParams),
    responses((status = 200, description = "Nearest first", body = [SimilarSample]),
              (status = 400, description = "Not an id, or a bad aspect", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 404, description = "No such sample", body = ErrorBody)))]
pub async fn similar(
    State(s): Shared,
    UrlPath(id): UrlPath<String>,
    p: Result<Query<SimilarParams>, QueryRejection>,
) -> Result<Json<Vec<SimilarSample>>, ApiError> {
    let Query(p) = p?;
    let hash = parse_id(&id)?;
    let aspect: similar::Aspect = p
        .aspect
        .as_deref()
        .unwrap_or("overall")
        .parse()
        .map_err(|e| ApiError::bad_request(format!("aspect: {e}")))?;
    let n = in_range("n", p.n, 20, 1, MAX_SIMILAR)? as usize;
    blocking(move || {
        let opts = samplemind_engine::analysis::AnalysisOptions::with_models(s.models.clone());
        Ok(Json(s.browse.similar(&s.lib, &hash, aspect, n, &opts)?))
    })
    .await
}

/// Analyse a file inside a library folder (JSON `{"path"}`), or an uploaded file (any other
/// content type, at most 32 MiB). Nothing is stored.
#[utoipa::path(post, path = "/api/v1/analyze", tag = "samples", security(("bearer" = [])),
    request_body(content((AnalyzeRequest = "application/json"), (Vec<u8> = "application/octet-stream"))),
    responses((status = 200, description = "Every analysed field", body = Object),
              (status = 400, description = "A bad body", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 403, description = "A path outside the library folders", body = ErrorBody),
              (status = 404, description = "No such file", body = ErrorBody),
              (status = 413, description = "The upload is too large", body = ErrorBody),
              (status = 422, description = "The file does not decode", body = ErrorBody)))]
pub async fn analyze(
    State(s): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    blocking(move || {
        let opts = samplemind_engine::analysis::AnalysisOptions::with_models(s.models.clone());
        let (path, upload_dir) = if json {
            if body.len() > super::JSON_LIMIT {
                return Err(ApiError::too_large("a JSON body is at most 64 KiB"));
            }
            let req: AnalyzeRequest = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
            (inside_library(&s, &req.path)?, None)
        } else {
            if body.is_empty() {
                return Err(ApiError::bad_request("empty upload"));
            }
            let dir = tempfile::tempdir().map_err(|e| ApiError::internal(e.to_string()))?;
            let p = dir.path().join("upload");
            std::fs::write(&p, &body).map_err(|e| ApiError::internal(e.to_string()))?;
            (p, Some(dir))
        };
        let a = samplemind_engine::analysis::analyse_file(&path, &opts).map_err(|e| {
            let message = e.to_string();
            // An upload's temporary path is the server's business: name it "the upload".
            ApiError::unprocessable(match upload_dir {
                Some(_) => message.replace(&path.display().to_string(), "the upload"),
                None => message,
            })
        })?;
        serde_json::to_value(&a.analysis)
            .map(Json)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
}

/// `path`, canonical, when it is a file inside a library folder.
pub(crate) fn inside_library(s: &ApiState, path: &str) -> Result<PathBuf, ApiError> {
    let p = canonical_inside(s, path, "file")?;
    if !p.is_file() {
        // Well-formed, and inside the library: a folder (the folder list names them) cannot
        // be analysed as one sound.
        return Err(ApiError::unprocessable(format!(
            "{path}: a folder, not a file"
        )));
    }
    Ok(p)
}

/// `path` canonicalised (so `..` and symlinks cannot leave), when it lies inside a library
/// folder; `what` ("file", "folder") names it in a 404.
pub(crate) fn canonical_inside(s: &ApiState, path: &str, what: &str) -> Result<PathBuf, ApiError> {
    if s.folders.is_empty() {
        return Err(ApiError::forbidden(
            "no library folders are configured ([library] folders in config.toml): no path can be read",
        ));
    }
    let p = std::fs::canonicalize(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ApiError::not_found(format!("{path}: no such {what}")),
        _ => ApiError::forbidden(format!("{path}: {e}")),
    })?;
    if !s.folders.iter().any(|f| p.starts_with(f)) {
        return Err(ApiError::forbidden(format!(
            "{path}: outside the library folders"
        )));
    }
    Ok(p)
}

/// Ask the language model (through the router and its cache).
#[utoipa::path(post, path = "/api/v1/ai/ask", tag = "ai", security(("bearer" = [])),
    request_body = AskRequest,
    responses((status = 200, description = "The answer", body = AskResponse),
              (status = 400, description = "A bad body", body = ErrorBody),
              (status = 401, description = "No or wrong token", body = ErrorBody),
              (status = 503, description = "No language model answers", body = ErrorBody)))]
pub async fn ask(State(s): Shared, body: Bytes) -> Result<Json<AskResponse>, ApiError> {
    let req: AskRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
    if req.prompt.trim().is_empty() {
        return Err(ApiError::bad_request("prompt: empty"));
    }
    let router = s.ai.clone().ok_or_else(|| {
        ApiError::unavailable("no language-model router (see /api/v1/health/detailed)")
    })?;
    let chat = ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(req.prompt)],
        max_tokens: Some(in_range(
            "max_tokens",
            req.max_tokens,
            256,
            1,
            MAX_ANSWER_TOKENS,
        )?),
        ..ChatRequest::default()
    };
    let r = router
        .chat(&chat, &AskOptions::default())
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(Json(AskResponse {
        answer: r.text,
        provider: r.provider,
        model: r.model,
        cached: r.cached,
    }))
}

/// Anything else.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route (see /api/v1/openapi.json)")
}
