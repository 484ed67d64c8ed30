//! What the app holds for its lifetime: the open library, the models, the audition thread,
//! the AI router, and caches a face needs to feel instant (the current result list, the
//! similar-sound index).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use samplemind::ai::Router;
use samplemind::audio::device::AudioService;
use samplemind::config::Settings;
use samplemind::library::{ContentHash, SampleRecord};
use samplemind::ml::Models;
use samplemind::search::similar::SimilarIndex;
use samplemind::Library;

use crate::dto::{PageQuery, SampleSummary};
use crate::error::{AppError, CmdResult, ErrorKind};

/// The sorted result rows of the last search, kept so that scrolling asks only for a window.
pub struct ResultCache {
    /// The query it answers.
    pub query: PageQuery,
    /// The library generation it was computed at.
    pub generation: u64,
    /// All rows, in order.
    pub rows: Arc<Vec<SampleSummary>>,
    /// Records that could not be read.
    pub problems: Vec<String>,
}

/// A recording in progress.
pub struct Take {
    /// Set to end it.
    pub stop: Arc<AtomicBool>,
    /// The thread writing it.
    pub thread: std::thread::JoinHandle<
        Result<samplemind::audio::device::Recording, samplemind::audio::device::DeviceError>,
    >,
}

/// Shared by every command (behind an `Arc`, so blocking work can take it to a worker).
pub struct AppState {
    /// The library.
    pub lib: Library,
    /// The local models, when the runtime was found.
    pub models: Option<Arc<Models>>,
    /// Settings, as last saved.
    pub settings: RwLock<Settings>,
    /// Where settings are saved.
    pub config_path: PathBuf,
    /// Audition.
    pub audio: AudioService,
    /// The AI router (rebuilt when settings change).
    pub router: RwLock<Option<Arc<Router>>>,
    /// Why the router could not be built.
    pub router_error: RwLock<Option<String>>,
    /// When the app started, for health.
    pub started: Instant,
    /// Bumped whenever the library changes: caches older than it are stale.
    pub generation: AtomicU64,
    /// The last search's rows.
    pub results: Mutex<Option<ResultCache>>,
    /// The similar-sound index and the generation it was built at.
    pub similar: Mutex<Option<(u64, Arc<SimilarIndex>)>>,
    /// A scan is running.
    pub scanning: AtomicBool,
    /// Set to stop the running scan after the files in flight.
    pub cancel_scan: Arc<AtomicBool>,
    /// The recording in progress.
    pub take: Mutex<Option<Take>>,
    /// The local HTTP API, once started from the settings.
    pub api: Mutex<Option<crate::dto::ApiStatus>>,
    /// Folders to rescan once the window is up, after a repair at start rebuilt the library.
    pub rescan_after_repair: Mutex<Vec<PathBuf>>,
}

impl AppState {
    /// Open the library in the SampleMind home and start the audition thread. The models
    /// and the router are optional: without them the app runs, and health says why.
    /// `bundled_ml` is the packages' folder of the ONNX runtime and models, when installed
    /// (Tauri's rule; without it, the core's own [`samplemind::config::installed_ml_dir`]).
    pub fn open(bundled_ml: Option<PathBuf>) -> Result<Self, String> {
        let home = samplemind::config::home_dir();
        let config_path = home.join(samplemind::config::CONFIG_FILE);
        let mut settings = Settings::load_from(&config_path)?;
        if bundled_ml.is_some() {
            settings.ml.bundled_dir = bundled_ml;
        }
        // A damaged library is repaired here rather than refused: a desktop app that exits
        // at start says nothing to the producer who launched it from a dock.
        let (lib, repaired) =
            samplemind::library::open_or_repair(&samplemind::config::library_dir(None))
                .map_err(|e| e.to_string())?;
        if let Some(r) = &repaired {
            tracing::warn!(
                "the library was damaged ({}); the damaged store is kept at {}, {} entries were saved from it, and {} folders are rescanned",
                r.found,
                r.kept_aside.display(),
                r.saved_entries,
                r.roots.len()
            );
        }
        let models = if settings.ml.enabled {
            match samplemind::ml::open(&settings.ml) {
                Ok(m) => Some(m),
                Err(e) => {
                    tracing::warn!("local models off: {e}");
                    None
                }
            }
        } else {
            None
        };
        let state = Self {
            lib,
            models,
            settings: RwLock::new(settings),
            config_path,
            audio: AudioService::start(),
            router: RwLock::new(None),
            router_error: RwLock::new(None),
            started: Instant::now(),
            generation: AtomicU64::new(0),
            results: Mutex::new(None),
            similar: Mutex::new(None),
            scanning: AtomicBool::new(false),
            cancel_scan: Arc::new(AtomicBool::new(false)),
            take: Mutex::new(None),
            api: Mutex::new(None),
            rescan_after_repair: Mutex::new(repaired.map(|r| r.roots).unwrap_or_default()),
        };
        state.rebuild_router();
        Ok(state)
    }

    /// Build the router from the current settings.
    pub fn rebuild_router(&self) {
        let settings = self.settings().ai;
        let built = samplemind::ai::setup::router(
            &settings,
            &samplemind::config::ai_cache_dir(),
            self.models.clone(),
        );
        let (router, error) = match built {
            Ok(r) => (Some(Arc::new(r)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        if let Ok(mut r) = self.router.write() {
            *r = router;
        }
        if let Ok(mut e) = self.router_error.write() {
            *e = error;
        }
    }

    /// A copy of the settings.
    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The router, or why there is none.
    pub fn router(&self) -> CmdResult<Arc<Router>> {
        if let Some(r) = self.router.read().ok().and_then(|r| r.clone()) {
            return Ok(r);
        }
        let why = self
            .router_error
            .read()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_else(|| "no language-model provider is configured".into());
        Err(AppError::new(ErrorKind::Ai, why))
    }

    /// The library changed: drop what was computed from it.
    pub fn touch(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The sample with id `id` (hex content hash) and a path where it lives.
    pub fn sample(&self, id: &str) -> CmdResult<(PathBuf, SampleRecord)> {
        let hash = ContentHash::from_hex(id).ok_or_else(|| {
            AppError::new(ErrorKind::BadInput, format!("not a sample id: {id:?}"))
        })?;
        let rec = self.lib.sample(&hash)?.ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                format!("no sample {id} in the library"),
            )
        })?;
        Ok((rec.path.clone(), rec))
    }

    /// The row of the file at `path`, once analysed.
    pub fn row_for_path(&self, path: &Path) -> Option<SampleSummary> {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let entry = self.lib.path_entry(&canon).ok()??;
        let rec = self.lib.sample(&entry.hash).ok()??;
        Some(SampleSummary::of(&canon, &rec))
    }

    /// Where takes are written: `$SAMPLEMIND_HOME/recordings`.
    pub fn recordings_dir(&self) -> PathBuf {
        samplemind::config::home_dir().join("recordings")
    }
}

/// What commands receive.
pub type Shared = Arc<AppState>;
