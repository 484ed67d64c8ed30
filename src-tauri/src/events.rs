//! Events the shell sends the UI: facts (`SampleAnalysed`, `ScanFinished`) and progress
//! (`ScanProgress`, `InputLevel`). Their TypeScript types are generated with the commands'.

use serde::{Deserialize, Serialize};
use tauri_specta::Event;

use crate::dto::{SampleSummary, ScanSummary};

/// A scan moved on. Sent at most every 100 ms, and at each phase change.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    /// "indexing" or "analysing".
    pub phase: String,
    /// Files analysed so far.
    pub done: u32,
    /// Files to analyse.
    pub total: u32,
    /// The file just finished.
    pub current: Option<String>,
}

/// A file was analysed and is in the library.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SampleAnalysed {
    /// Its path.
    pub path: String,
}

/// A file could not be indexed or analysed; the scan goes on.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct ScanFileFailed {
    /// The file.
    pub path: String,
    /// Short stable kind (`unsupported-codec`, `truncated`, `io`...).
    pub kind: String,
    /// The message, naming the file and the reason.
    pub message: String,
}

/// A scan ended.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct ScanFinished {
    /// What it did.
    pub summary: ScanSummary,
}

/// Files are being dragged over the window (true) or left it (false).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct DropHover {
    /// Over the window now.
    pub active: bool,
}

/// The input meter while recording, about every 50 ms.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct InputLevel {
    /// Peak, dBFS.
    pub peak_db: f32,
    /// RMS, dBFS.
    pub rms_db: f32,
    /// The block clipped.
    pub clipped: bool,
}

impl From<samplemind::audio::device::Level> for InputLevel {
    fn from(l: samplemind::audio::device::Level) -> Self {
        Self {
            peak_db: l.peak_db,
            rms_db: l.rms_db,
            clipped: l.clipped,
        }
    }
}

/// A take was recorded, analysed and stored.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct TakeRecorded {
    /// The take.
    pub row: SampleSummary,
}

/// A watched folder changed and the library followed: new files analysed, gone ones marked
/// missing.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct FolderChanged {
    /// Files and folders that changed.
    pub changed: u32,
    /// Sounds analysed.
    pub analysed: u32,
    /// Files found again by their content (moved, renamed, copied), not analysed again.
    pub known: u32,
    /// Paths gone (marked missing; their analyses are kept).
    pub gone: u32,
    /// Files that failed (each is also sent as a `ScanFileFailed`).
    pub failed: u32,
}
