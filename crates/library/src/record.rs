//! What the store holds: sample records keyed by content, and path entries.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use samplemind_analysis::Analysis;

/// Version of the record layout. Records carry it; [`super::Library::open`] migrates older
/// libraries. 2: the producer's tags moved from the record to the marks
/// ([`crate::curation::Curation`]).
pub const SCHEMA_VERSION: u32 = 2;

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
    /// Root note set by the user ("C2").
    pub root_note: Option<String>,
    /// Loop (true) or one-shot (false), set by the user.
    pub is_loop: Option<bool>,
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
    /// The path it was analysed from (it may live at other paths too). Stored losslessly,
    /// also when it is not UTF-8 (see [`stored_path`]).
    #[serde(with = "stored_path")]
    pub path: PathBuf,
    /// What the analysers measured.
    pub analysis: Analysis,
    /// Seconds since the Unix epoch when it was analysed.
    pub analysed_at: u64,
    /// Hand corrections, kept across rescans.
    pub corrections: Corrections,
    /// A language model's description and tags (`samplemind ai describe`, `ai warm`).
    pub ai: Option<AiDescription>,
    /// The category the library inferred from the user's corrections of other sounds of the
    /// same pack ([`crate::learn`]); dropped when the sound is analysed again.
    pub learned: Option<crate::learn::LearnedCategory>,
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
            corrections: Corrections::default(),
            ai: None,
            learned: None,
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
    /// Root note, the user's correction first.
    pub fn root_note(&self) -> Option<&str> {
        self.corrections
            .root_note
            .as_deref()
            .or(self.analysis.root_note.as_deref())
    }
    /// Loop or one-shot, the user's correction first.
    pub fn is_loop(&self) -> bool {
        self.corrections.is_loop.unwrap_or(self.analysis.is_loop)
    }
    /// Category: the user's correction, else what the library learned from the user's
    /// corrections in the same pack, else the analysis's.
    pub fn category(&self) -> Option<&str> {
        self.corrections
            .category
            .as_deref()
            .or(self.learned.as_ref().map(|l| l.category.as_str()))
            .or(self.analysis.category.as_deref())
    }
    /// The category is a guess below the classifier's "unsure" threshold (the analysis's, or
    /// the learned one's), and the user has not set one.
    pub fn category_is_unsure(&self) -> bool {
        self.corrections.category.is_none()
            && self
                .learned
                .as_ref()
                .map_or(self.analysis.category_unsure, |l| l.unsure)
    }
    /// What search files the sample under: its category, or
    /// [`samplemind_analysis::classify::UNSURE`] for an unsure guess.
    pub fn filed_under(&self) -> Option<&str> {
        if self.category_is_unsure() {
            Some(samplemind_analysis::classify::UNSURE)
        } else {
            self.category()
        }
    }
    /// The probability of [`Self::category`] when the library inferred it: the learned one's
    /// when it stands, else the analysis's.
    pub fn category_confidence(&self) -> Option<f32> {
        self.learned
            .as_ref()
            .filter(|_| self.corrections.category.is_none())
            .map_or(self.analysis.category_confidence, |l| Some(l.confidence))
    }
    /// The analysis a reader should see: what was analysed, with the user's corrections on top.
    pub fn corrected(&self) -> Analysis {
        let mut a = self.analysis.clone();
        a.bpm = self.bpm();
        a.key = self.key().map(str::to_string);
        a.root_note = self.root_note().map(str::to_string);
        a.is_loop = self.is_loop();
        a.category = self.category().map(str::to_string);
        a.category_confidence = self.category_confidence();
        a.category_unsure = self.category_is_unsure();
        a
    }
}

/// A sample's description by a language model (`samplemind ai describe`), stored in its
/// record. The AI layer writes it; the library only keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AiDescription {
    /// One line, at most `ai::uses::MAX_DESCRIPTION` characters.
    pub description: String,
    /// Up to `ai::uses::MAX_TAGS` lowercase tags.
    pub tags: Vec<String>,
    /// The model that wrote it.
    pub model: String,
}

/// Where a path stands in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PathStatus {
    /// Indexed and hashed, analysis not done yet (a scan was stopped, or is running).
    Pending,
    /// Its content has a sample record.
    Analysed,
    /// Analysis failed; the reason is kept for the report. An unchanged file is not tried
    /// again by the same analyser (see [`PathStatus::failed_for_good`]).
    Failed {
        /// Short kind (`unsupported-codec`, `truncated`, ...).
        kind: String,
        /// The full message.
        message: String,
        /// The [`samplemind_analysis::ANALYSER_VERSION`] that failed on it (0: before this was
        /// kept, so tried again).
        #[serde(default)]
        analyser_version: u32,
    },
    /// Not found on the last scan of its folder. Its analysis is kept in case it returns.
    Missing,
}

impl PathStatus {
    /// Whether an unchanged file that failed should be left alone: the current analyser failed
    /// on its content, and trying again would only fail again (every scan, for ever). A read
    /// error (`io`) may pass, so it is tried again.
    pub fn failed_for_good(&self) -> bool {
        matches!(self, PathStatus::Failed { kind, analyser_version, .. }
            if kind != "io" && *analyser_version >= samplemind_analysis::ANALYSER_VERSION)
    }
}

/// Paths in stored records, without loss. In the store (MessagePack) a UTF-8 path is a
/// string, as every library so far holds, and any other path its raw bytes (an old pack's
/// Latin-1 name on Linux); both read back. In a human-readable format (JSON exports and
/// answers) it is the path shown lossily, since JSON strings must be Unicode.
pub mod stored_path {
    use std::fmt;
    use std::path::{Path, PathBuf};

    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    /// Write `p` (see the module).
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        match p.to_str() {
            Some(text) => s.serialize_str(text),
            None if s.is_human_readable() => s.serialize_str(&p.to_string_lossy()),
            None => s.serialize_bytes(&raw(p)),
        }
    }

    /// Read a path written by [`serialize`], or any string.
    ///
    /// # Errors
    /// The deserializer's, or a value that is neither text nor bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        d.deserialize_any(PathVisitor)
    }

    struct PathVisitor;

    impl<'de> Visitor<'de> for PathVisitor {
        type Value = PathBuf;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a path as text or bytes")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<PathBuf, E> {
            Ok(PathBuf::from(v))
        }
        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PathBuf, E> {
            Ok(from_raw(v))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<PathBuf, A::Error> {
            let mut bytes = Vec::new();
            while let Some(b) = seq.next_element::<u8>()? {
                bytes.push(b);
            }
            Ok(from_raw(&bytes))
        }
    }

    /// The path's bytes: its own on Unix, its lossy text elsewhere.
    #[cfg(unix)]
    pub fn raw(p: &Path) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }

    /// The path of [`raw`]'s bytes.
    #[cfg(unix)]
    pub fn from_raw(b: &[u8]) -> PathBuf {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }

    // Elsewhere a path that is not Unicode is rare (unpaired UTF-16 surrogates on Windows):
    // it is kept as its lossy text rather than in a second, platform-shaped encoding.
    /// The path's bytes: its own on Unix, its lossy text elsewhere.
    #[cfg(not(unix))]
    pub fn raw(p: &Path) -> Vec<u8> {
        p.to_string_lossy().into_owned().into_bytes()
    }

    /// The path of [`raw`]'s bytes.
    #[cfg(not(unix))]
    pub fn from_raw(b: &[u8]) -> PathBuf {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
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
