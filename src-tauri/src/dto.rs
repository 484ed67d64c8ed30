//! What commands take and return: plain serde types with `specta::Type`, so the UI's
//! TypeScript types are generated from them. The core's own types stay free of specta; these
//! are views of them, flattened for a table and a detail pane.

use std::path::Path;

use samplemind::library::SampleRecord;
use serde::{Deserialize, Serialize};

/// A library search: the engine's page query (filters and sort).
pub use samplemind::library::view::PageQuery;
/// One row of the library table: the engine's summary of a sample, as every face shows it.
pub use samplemind::library::view::SampleSummary;

/// A model tag with its score.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ScoredTag {
    /// Tag.
    pub tag: String,
    /// Probability, 0..1.
    pub score: f32,
}

/// Everything the detail pane shows of one sample.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SampleDetail {
    /// The table's view of it.
    pub row: SampleSummary,
    /// Tempo as analysed (before any correction).
    pub analysed_bpm: Option<f32>,
    /// Tempo set by hand, kept across rescans.
    pub corrected_bpm: Option<f32>,
    /// Confidence of the tempo, 0..1.
    pub bpm_confidence: Option<f32>,
    /// Runner-up tempos (half, double, 3:2).
    pub bpm_alternatives: Vec<f32>,
    /// Where the tempo came from (audio, bar_fit, metadata, name).
    pub tempo_source: Option<String>,
    /// Confidence of the key, 0..1.
    pub key_confidence: Option<f32>,
    /// Root note offset, cents.
    pub root_cents: Option<f32>,
    /// Confidence of the category, 0..1 (of the learned category when it is one).
    pub category_confidence: Option<f32>,
    /// Category as analysed (before any correction or learning).
    pub analysed_category: Option<String>,
    /// Category set by hand, kept across rescans.
    pub corrected_category: Option<String>,
    /// Key set by hand.
    pub corrected_key: Option<String>,
    /// Root note set by hand.
    pub corrected_root: Option<String>,
    /// Loop (true) or one-shot (false) set by hand.
    pub corrected_loop: Option<bool>,
    /// When the category was learned from the user's corrections in the same pack: how many.
    pub learned_from: Option<u32>,
    /// Sample peak, dBFS.
    pub peak_db: Option<f32>,
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Bits per sample, for PCM.
    pub bit_depth: Option<u32>,
    /// Codec.
    pub codec: String,
    /// Spectral centroid, Hz.
    pub spectral_centroid_hz: Option<f32>,
    /// Attack time, ms.
    pub attack_ms: Option<f32>,
    /// The local models' tags.
    pub model_tags: Vec<ScoredTag>,
    /// A language model's one-line description.
    pub ai_description: Option<String>,
    /// Why the local models did not run on it, if they did not.
    pub model_error: Option<String>,
}

impl SampleDetail {
    /// The detail of `rec` found at `path` in `lib` (with its marks).
    pub fn of(lib: &samplemind::Library, path: &Path, rec: &SampleRecord) -> Self {
        let a = &rec.analysis;
        Self {
            row: samplemind::library::view::summarise(lib, path, rec),
            analysed_bpm: a.bpm,
            corrected_bpm: rec.corrections.bpm,
            bpm_confidence: a.bpm_confidence,
            bpm_alternatives: a.bpm_alternatives.clone(),
            tempo_source: a.tempo_source.and_then(|s| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            }),
            key_confidence: a.key_confidence,
            root_cents: a.root_cents,
            category_confidence: rec.category_confidence(),
            analysed_category: a.category.clone(),
            corrected_category: rec.corrections.category.clone(),
            corrected_key: rec.corrections.key.clone(),
            corrected_root: rec.corrections.root_note.clone(),
            corrected_loop: rec.corrections.is_loop,
            learned_from: rec
                .learned
                .as_ref()
                .filter(|_| rec.corrections.category.is_none())
                .map(|l| l.from_corrections),
            peak_db: a.peak_db,
            sample_rate: a.sample_rate,
            channels: a.channels,
            bit_depth: a.bit_depth,
            codec: a.codec.clone(),
            spectral_centroid_hz: a.spectral_centroid_hz,
            attack_ms: a.attack_ms,
            model_tags: a
                .model_tags
                .iter()
                .map(|t| ScoredTag {
                    tag: t.tag.clone(),
                    score: t.score,
                })
                .collect(),
            ai_description: rec.ai.as_ref().map(|d| d.description.clone()),
            model_error: a.model_error.clone(),
        }
    }
}

/// A waveform overview.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Peaks {
    /// Lowest sample per column.
    pub min: Vec<f32>,
    /// Highest sample per column.
    pub max: Vec<f32>,
    /// Seconds drawn.
    pub duration_s: f64,
}

/// What a scan did: the engine's summary.
pub use samplemind::library::progress::ScanSummary;

/// An audio device.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Id for settings.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Can record.
    pub input: bool,
    /// Can play.
    pub output: bool,
}

/// What plays now.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AudioState {
    /// A sound is playing.
    pub playing: bool,
    /// The sample playing (its path).
    pub path: Option<String>,
    /// Position, seconds.
    pub position_s: Option<f64>,
    /// Audible glitches so far in this sound.
    pub underruns: u32,
}

/// A sound started.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlayStarted {
    /// Time to open the sound (first block decoded, stream started), ms.
    pub open_ms: f64,
    /// How it plays in the project, when sync is on.
    pub sync: Option<samplemind::sync::SyncView>,
}

/// A language-model provider as the router sees it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRow {
    /// Name.
    pub name: String,
    /// Runs on this machine.
    pub local: bool,
    /// Used by the router now.
    pub enabled: bool,
    /// Skipped until its cooldown ends after repeated failures.
    pub circuit_open: bool,
    /// Mean latency of its answers, ms.
    pub latency_ms: Option<f64>,
}

/// The answer cache's figures.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CacheFigures {
    /// Hits.
    pub hits: f64,
    /// Misses.
    pub misses: f64,
    /// Hit rate, 0..1.
    pub hit_rate: f64,
    /// Entries stored.
    pub entries: f64,
    /// Bytes stored.
    pub bytes: f64,
}

/// The AI panel's view.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AiStatus {
    /// Providers in routing order.
    pub providers: Vec<ProviderRow>,
    /// The cache.
    pub cache: CacheFigures,
    /// Cloud providers allowed.
    pub cloud_enabled: bool,
}

impl AiStatus {
    /// The status of `router`; `cloud_enabled` is the settings' `[ai] cloud`.
    pub fn of(router: &samplemind::ai::Router, cloud_enabled: bool) -> Self {
        let s = router.cache().map(|c| c.stats()).unwrap_or_default();
        Self {
            providers: router
                .status()
                .into_iter()
                .map(|p| ProviderRow {
                    name: p.name,
                    local: p.locality == samplemind::ai::Locality::Local,
                    enabled: p.enabled,
                    circuit_open: p.circuit_open,
                    latency_ms: p.latency_ms,
                })
                .collect(),
            cache: CacheFigures {
                hits: s.hits as f64,
                misses: s.misses as f64,
                hit_rate: s.hit_rate,
                entries: s.entries as f64,
                bytes: s.bytes as f64,
            },
            cloud_enabled,
        }
    }
}

/// A search in words read into filters.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ParsedQuery {
    /// The query to run.
    pub query: PageQuery,
    /// Why the language model did not help, when it did not (the rules' reading stands).
    pub model_error: Option<String>,
}

/// One language-model provider in the settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSetting {
    /// Name.
    pub name: String,
    /// "ollama", "openai" or "anthropic".
    pub kind: String,
    /// Base URL.
    pub url: String,
    /// Model.
    pub model: String,
    /// A paid cloud service.
    pub cloud: bool,
    /// Environment variable holding its API key (never the key itself).
    pub api_key_env: Option<String>,
    /// Where its key comes from now: "environment", "keyring" or "none" (shown, not saved).
    #[serde(default)]
    pub key_source: String,
    /// Why the OS keyring could not be read, when it could not (shown, not saved).
    #[serde(default)]
    pub key_error: Option<String>,
}

/// The settings panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    /// Library folders.
    pub library_folders: Vec<String>,
    /// Cloud fallback allowed (off by default).
    pub ai_cloud: bool,
    /// Answer cache size bound, MiB.
    pub cache_max_mb: u32,
    /// Answer cache lifetime, days.
    pub cache_ttl_days: f64,
    /// Providers, local first.
    pub providers: Vec<ProviderSetting>,
    /// Output device id (default output when null).
    pub output_device: Option<String>,
    /// Input device id (default input when null).
    pub input_device: Option<String>,
    /// The studio's shared Redis (`[shared] redis`: a URL, or several for a cluster); null
    /// for this machine alone.
    pub shared_redis: Option<String>,
}

/// A finished recording.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TakeResult {
    /// The take, analysed and in the library.
    pub row: SampleSummary,
    /// Seconds of silence trimmed.
    pub trimmed_s: f32,
    /// Peak before normalising, dBFS.
    pub peak_db: f32,
}

/// The local HTTP API, when started from the app.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ApiStatus {
    /// Where it listens.
    pub url: String,
    /// The file holding its bearer token.
    pub token_file: String,
}
