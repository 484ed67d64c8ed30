//! What the app holds for its lifetime: the open library, the models, the audition thread,
//! the AI router, and the caches that keep browsing instant (the engine's [`Browser`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use samplemind::ai::Router;
use samplemind::audio::device::{AudioService, PadsSession, TakeInProgress};
use samplemind::config::Settings;
use samplemind::library::browse::{self, Browser};
use samplemind::library::view;
use samplemind::library::SampleRecord;
use samplemind::ml::Models;
use samplemind::Library;

use crate::dto::SampleSummary;
use crate::error::{AppError, CmdResult, ErrorKind};

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
    /// The last search's rows and the similar-sound index, kept while the library is
    /// unchanged.
    pub browse: Browser,
    /// A scan is running.
    pub scanning: AtomicBool,
    /// Set to stop the running scan after the files in flight.
    pub cancel_scan: Arc<AtomicBool>,
    /// Taken by every scan, the folder watch's included: one writes at a time.
    pub scan_lock: Arc<Mutex<()>>,
    /// Stops the folder watch that runs ([`crate::watcher`]).
    pub watch_stop: Mutex<Option<Arc<AtomicBool>>>,
    /// The recording in progress.
    pub take: Mutex<Option<TakeInProgress>>,
    /// The local HTTP API, once started from the settings.
    pub api: Mutex<Option<crate::dto::ApiStatus>>,
    /// Folders to rescan once the window is up, after a repair at start rebuilt the library.
    pub rescan_after_repair: Mutex<Vec<PathBuf>>,
    /// A one-shot played from a MIDI input, while on.
    pub pads: Mutex<Option<PadsSession>>,
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
            browse: Browser::default(),
            scanning: AtomicBool::new(false),
            cancel_scan: Arc::new(AtomicBool::new(false)),
            scan_lock: Arc::new(Mutex::new(())),
            watch_stop: Mutex::new(None),
            take: Mutex::new(None),
            api: Mutex::new(None),
            rescan_after_repair: Mutex::new(repaired.map(|r| r.roots).unwrap_or_default()),
            pads: Mutex::new(None),
        };
        state.rebuild_router();
        Ok(state)
    }

    /// Build the router from the current settings.
    pub fn rebuild_router(&self) {
        let settings = self.settings();
        let built = samplemind::ai::setup::router(
            &settings.ai,
            &settings.shared,
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

    /// Save `s` to config.toml, make it current, and rebuild the router with it.
    ///
    /// # Errors
    /// The file cannot be written (nothing changes then).
    pub fn save_settings(&self, s: Settings) -> CmdResult<()> {
        s.save_to(&self.config_path)
            .map_err(|e| AppError::new(ErrorKind::Other, e))?;
        if let Ok(mut cur) = self.settings.write() {
            *cur = s;
        }
        self.reload_router();
        Ok(())
    }

    /// Rebuild the router, dropping the old one first: it holds the answer cache open, and
    /// sled allows one opener per process.
    pub fn reload_router(&self) {
        if let Ok(mut r) = self.router.write() {
            *r = None;
        }
        self.rebuild_router();
    }

    /// Save a new `[project]` section (config.toml) and keep it; nothing else is rebuilt.
    pub fn save_project(&self, project: samplemind::sync::Project) -> CmdResult<()> {
        project
            .check()
            .map_err(|e| AppError::new(ErrorKind::BadInput, e))?;
        let mut s = self.settings();
        s.project = project;
        s.save_to(&self.config_path)
            .map_err(|e| AppError::new(ErrorKind::Other, e))?;
        if let Ok(mut cur) = self.settings.write() {
            *cur = s;
        }
        Ok(())
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

    /// The sample with id `id` (hex content hash) and a path where it lives.
    pub fn sample(&self, id: &str) -> CmdResult<(PathBuf, SampleRecord)> {
        let rec = browse::find(&self.lib, id)?;
        Ok((rec.path.clone(), rec))
    }

    /// The row of the file at `path`, once analysed.
    pub fn row_for_path(&self, path: &Path) -> Option<SampleSummary> {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let entry = self.lib.path_entry(&canon).ok()??;
        let rec = self.lib.sample(&entry.hash).ok()??;
        Some(view::summarise(&self.lib, &canon, &rec))
    }
}

/// What commands receive.
pub type Shared = Arc<AppState>;
