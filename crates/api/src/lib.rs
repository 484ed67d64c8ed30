//! The local HTTP API (`samplemind serve`): the same core functions as the CLI and the app,
//! for producers' scripts, DAW scripts and launchers.
//!
//! axum (on the tokio runtime the AI layer already uses) serves it; utoipa generates the
//! OpenAPI document from the handlers' own annotations, so the document cannot drift from the
//! code. It binds 127.0.0.1 by default; every route but `/api/v1/health` needs the bearer token
//! kept in `$SAMPLEMIND_HOME/api-token` (made at first start); files are read only inside the
//! library folders of the config; bodies are size-limited.

pub mod auth;
pub mod error;
pub mod exports;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod sync;
pub mod views;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use axum::Router as Http;

use samplemind_engine::ai::Router as AiRouter;
use samplemind_engine::config::Settings;
use samplemind_engine::library::browse::Browser;
use samplemind_engine::library::Library;
use samplemind_engine::ml::Models;

/// Largest JSON body, bytes.
pub const JSON_LIMIT: usize = 64 * 1024;
/// Largest upload to `POST /api/v1/analyze`, bytes.
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;
/// File holding the bearer token, in the SampleMind home.
pub const TOKEN_FILE: &str = "api-token";

/// What every handler shares.
pub struct ApiState {
    /// The library.
    pub lib: Library,
    /// Local models, when the runtime was found.
    pub models: Option<Arc<Models>>,
    /// The settings the server started with.
    pub settings: Settings,
    /// The AI router, unless it could not be built.
    pub ai: Option<Arc<AiRouter>>,
    /// Library folders, canonical: the only places files are read from.
    pub folders: Vec<PathBuf>,
    /// The bearer token.
    pub token: String,
    /// When the server started.
    pub started: Instant,
    /// Request counters for `/metrics`.
    pub metrics: metrics::Metrics,
    /// The last page's rows and the similar-sound index, kept while the library is unchanged.
    pub browse: Browser,
    /// The only folder exports and kits are written under.
    pub export_root: PathBuf,
}

impl ApiState {
    /// State over `lib` with `settings`; the token comes from (or is made in) `home`.
    ///
    /// # Errors
    /// The token file cannot be read or written.
    pub fn new(
        lib: Library,
        settings: Settings,
        models: Option<Arc<Models>>,
        ai: Option<Arc<AiRouter>>,
        home: &Path,
    ) -> std::io::Result<Self> {
        let folders = settings
            .library
            .folders
            .iter()
            .filter_map(|f| std::fs::canonicalize(f).ok())
            .collect();
        let export_root = settings
            .library
            .export_folder
            .clone()
            .unwrap_or_else(|| home.join("exports"));
        Ok(Self {
            lib,
            models,
            settings,
            ai,
            folders,
            token: auth::load_or_create_token(home)?,
            started: Instant::now(),
            metrics: metrics::Metrics::default(),
            browse: Browser::default(),
            export_root,
        })
    }
}

/// The API's routes over `state`.
pub fn app(state: Arc<ApiState>) -> Http {
    let protected = Http::new()
        .route("/api/v1/health/detailed", get(routes::health_detailed))
        .route("/metrics", get(routes::metrics))
        .route("/api/v1/samples", get(routes::list_samples))
        .route("/api/v1/samples/facets", get(routes::sample_facets))
        .route("/api/v1/folders", get(routes::folders))
        .route("/api/v1/duplicates", get(routes::duplicates))
        .route("/api/v1/duplicates/keep", post(routes::keep_duplicate))
        .route(
            "/api/v1/samples/{id}",
            get(routes::get_sample).patch(routes::correct_sample),
        )
        .route("/api/v1/samples/{id}/similar", get(routes::similar))
        .route("/api/v1/samples/{id}/sync", get(sync::sync_plan))
        .route("/api/v1/samples/{id}/synced", get(sync::synced))
        .route("/api/v1/samples/{id}/marks", patch(routes::mark_sample))
        .route(
            "/api/v1/collections",
            get(routes::list_collections)
                .post(routes::edit_collection)
                .delete(routes::delete_collection),
        )
        .route(
            "/api/v1/collections/samples",
            get(routes::collection_samples),
        )
        .route(
            "/api/v1/analyze",
            post(routes::analyze).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/api/v1/export", post(exports::export))
        .route("/api/v1/relink", post(exports::relink))
        .route("/api/v1/kit/suggest", get(exports::kit_suggest))
        .route("/api/v1/kit/export", post(exports::kit_export))
        .route("/api/v1/ai/ask", post(routes::ask))
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Http::new()
        .route("/api/v1/health", get(routes::health))
        .merge(protected)
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .with_state(state)
}

/// Bind `addr`, then serve `state` in the background on the current tokio runtime (the
/// desktop app's "start the API"); returns the bound address once it listens (port 0 picks
/// a free one).
///
/// # Errors
/// The address cannot be bound.
pub async fn start(state: Arc<ApiState>, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app(state)).await {
            tracing::error!("the HTTP API on {bound} stopped: {e}");
        }
    });
    Ok(bound)
}

/// Serve `state` on `addr` until the process ends. `on_ready` receives the bound address
/// (port 0 picks a free one).
///
/// # Errors
/// The address cannot be bound.
pub async fn serve(
    state: Arc<ApiState>,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    axum::serve(listener, app(state)).await
}
