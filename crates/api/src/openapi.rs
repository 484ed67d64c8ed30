//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use super::views::*;
use super::{exports, routes, sync};
use samplemind_engine::sync::SyncView;

#[derive(OpenApi)]
#[openapi(
    info(title = "SampleMind local API", description = "The sample library on this machine: search, analyse, similar sounds, marks and collections, tidy-up exports and kits, relinking moved folders, a sample in a project's tempo and key, health, AI."),
    paths(
        routes::health,
        routes::health_detailed,
        routes::metrics,
        routes::list_samples,
        routes::sample_facets,
        routes::folders,
        routes::get_sample,
        routes::correct_sample,
        routes::mark_sample,
        routes::duplicates,
        routes::keep_duplicate,
        routes::list_collections,
        routes::edit_collection,
        routes::collection_samples,
        routes::delete_collection,
        routes::similar,
        sync::sync_plan,
        sync::synced,
        routes::analyze,
        exports::export,
        exports::relink,
        exports::kit_suggest,
        exports::kit_export,
        routes::ask,
        openapi_json,
    ),
    components(schemas(SyncView, Region, RegionBody, HealthSummary, SampleSummary, SamplePage, SimilarSample, AnalyzeRequest, CorrectionRequest, MarksRequest, CollectionRequest, CollectionSummary, Colour, Facets, Count, FolderCount, DuplicateGroup, DuplicatePath, KeepRequest, ExportBody, CopyFormat, ExportDone, Planned, TidyReport, RelinkBody, RelinkSummary, Kit, Pad, Slot, PadChoice, KitExportBody, KitExport, AskRequest, AskResponse, ErrorBody, ErrorDetail)),
    modifiers(&Bearer),
)]
struct Doc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// This document. It lives beside the document it serves, so the handlers (`routes`) never
/// import the document that lists them.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", security(("bearer" = [])),
    responses((status = 200, description = "OpenAPI 3.1", body = Object),
              (status = 401, description = "No or wrong token", body = ErrorBody)))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}
