//! What the store holds: sample records keyed by content, and path entries.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;

/// Version of the record layout. Records carry it; [`super::Library::open`] migrates older
/// libraries.
pub const SCHEMA_VERSION: u32 = 1;

/// The blake3 hash of a file's bytes: identical files share one analysis.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }
    /// Parse 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Self> {
        blake3::Hash::from_hex(s)
            .ok()
            .map(|h| ContentHash(*h.as_bytes()))
    }
    /// A short prefix for display, like a git short hash.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_string()
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.short())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Corrections a user made by hand (BPM ×2 / ÷2, a key, a category). A rescan never
/// overwrites them; readers prefer them over the analysed values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Corrections {
    /// Tempo set by the user.
    pub bpm: Option<f32>,
    /// Key set by the user.
    pub key: Option<String>,
    /// Category set by the user.
    pub category: Option<String>,
}

/// One analysed sound, stored under its [`ContentHash`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SampleRecord {
    /// [`SCHEMA_VERSION`] of this record.
    pub schema: u32,
    /// Content hash.
    pub hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// The path it was analysed from (it may live at other paths too).
    pub path: PathBuf,
    /// What the analysers measured.
    pub analysis: Analysis,
    /// Seconds since the Unix epoch when it was analysed.
    pub analysed_at: u64,
    /// Tags (from the user or the AI layer), lowercase.
    pub tags: Vec<String>,
    /// Hand corrections, kept across rescans.
    pub corrections: Corrections,
    /// A language model's description and tags (`samplemind ai describe`, `ai warm`).
    pub ai: Option<crate::ai::uses::AiDescription>,
}

impl Default for SampleRecord {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            hash: ContentHash([0; 32]),
            size: 0,
            path: PathBuf::new(),
            analysis: Analysis::default(),
            analysed_at: 0,
            tags: Vec::new(),
            corrections: Corrections::default(),
            ai: None,
        }
    }
}

impl SampleRecord {
    /// Tempo, the user's correction first.
    pub fn bpm(&self) -> Option<f32> {
        self.corrections.bpm.or(self.analysis.bpm)
    }
    /// Key, the user's correction first.
    pub fn key(&self) -> Option<&str> {
        self.corrections
            .key
            .as_deref()
            .or(self.analysis.key.as_deref())
    }
    /// Category, the user's correction first.
    pub fn category(&self) -> Option<&str> {
        self.corrections
            .category
            .as_deref()
            .or(self.analysis.category.as_deref())
    }
}

/// Where a path stands in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PathStatus {
    /// Indexed and hashed, analysis not done yet (a scan was stopped, or is running).
    Pending,
    /// Its content has a sample record.
    Analysed,
    /// Analysis failed; the reason is kept for the report.
    Failed {
        /// Short kind (`unsupported-codec`, `truncated`, ...).
        kind: String,
        /// The full message.
        message: String,
    },
    /// Not found on the last scan of its folder. Its analysis is kept in case it returns.
    Missing,
}

/// What the store knows about one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathEntry {
    /// Content hash at the last scan.
    pub hash: ContentHash,
    /// Size at the last scan.
    pub size: u64,
    /// Modification time at the last scan, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Where it stands.
    pub status: PathStatus,
}
