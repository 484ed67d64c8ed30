//! What the API returns and accepts, with their OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::library::SampleRecord;

/// `GET /api/v1/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthSummary {
    /// `ok` or `degraded`.
    pub status: String,
    /// SampleMind version.
    pub version: String,
    /// Seconds since the server started.
    pub uptime_seconds: f64,
}

/// One sample.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    /// Content hash (hex): the id.
    pub id: String,
    /// A path where it lives.
    pub path: String,
    /// Category, the user's correction first.
    pub category: Option<String>,
    /// Loop rather than one-shot.
    pub is_loop: bool,
    /// Tempo, the user's correction first.
    pub bpm: Option<f32>,
    /// Key ("A minor").
    pub key: Option<String>,
    /// Root note ("A1").
    pub root_note: Option<String>,
    /// Length, seconds.
    pub duration_s: f64,
    /// Integrated loudness, LUFS.
    pub lufs: Option<f32>,
    /// Tags: the user's, the models', the language model's.
    pub tags: Vec<String>,
    /// A language model's description.
    pub description: Option<String>,
}

impl SampleView {
    /// The view of `rec` found at `path`.
    pub fn of(path: &std::path::Path, rec: &SampleRecord) -> Self {
        let mut tags = rec.tags.clone();
        tags.extend(rec.analysis.model_tags.iter().map(|t| t.tag.clone()));
        if let Some(ai) = &rec.ai {
            tags.extend(ai.tags.iter().cloned());
        }
        Self {
            id: rec.hash.to_hex(),
            path: path.display().to_string(),
            category: rec.category().map(str::to_string),
            is_loop: rec.analysis.is_loop,
            bpm: rec.bpm(),
            key: rec.key().map(str::to_string),
            root_note: rec.analysis.root_note.clone(),
            duration_s: rec.analysis.duration_s,
            lufs: rec.analysis.lufs,
            tags,
            description: rec.ai.as_ref().map(|a| a.description.clone()),
        }
    }
}

/// The filters of `GET /api/v1/samples` (the CLI's `search`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleFilters {
    /// Words, matched against names, folders, tags, category and descriptions.
    pub q: Option<String>,
    /// Lowest tempo.
    pub bpm_min: Option<f32>,
    /// Highest tempo.
    pub bpm_max: Option<f32>,
    /// Key in any common spelling ("Am", "A minor", "8A").
    pub key: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Loops only (true) or one-shots only (false).
    #[serde(rename = "loop")]
    #[param(rename = "loop")]
    pub is_loop: Option<bool>,
    /// Longest length, seconds.
    pub max_duration: Option<f64>,
    /// Sort column: relevance, name, category, bpm, key, root, duration, lufs.
    pub sort: Option<String>,
    /// Sort descending.
    pub desc: Option<bool>,
    /// Results to skip.
    pub offset: Option<u32>,
    /// Results to return (at most 1000; default 100).
    pub limit: Option<u32>,
}

/// A page of samples.
#[derive(Debug, Serialize, ToSchema)]
pub struct SamplePage {
    /// Matches in all.
    pub total: u64,
    /// This page.
    pub samples: Vec<SampleView>,
}

/// `GET /api/v1/samples/{id}/similar` options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// timbre, pitch, rhythm or overall (default).
    pub aspect: Option<String>,
    /// How many (1..=200, default 20).
    pub n: Option<u32>,
}

/// A similar sample.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarView {
    /// The sample.
    pub sample: SampleView,
    /// Similarity, higher is nearer (-1..1).
    pub score: f32,
}

/// `POST /api/v1/analyze` with a JSON body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeRequest {
    /// A file inside one of the library folders.
    pub path: String,
}

/// `POST /api/v1/ai/ask`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AskRequest {
    /// The question.
    pub prompt: String,
    /// Longest answer, tokens (default 256, at most 2048).
    pub max_tokens: Option<u32>,
}

/// An answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskResponse {
    /// The text.
    pub answer: String,
    /// The provider that answered (or the cache's record of it).
    pub provider: String,
    /// The model.
    pub model: String,
    /// Served from the answer cache.
    pub cached: bool,
}
