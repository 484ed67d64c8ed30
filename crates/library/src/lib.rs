//! SampleMind's library layer: a sled store keyed by blake3 content hash, the scanner that
//! fills it, and [`search`] over it (filters, words, similar sounds).
//!
//! It imports `samplemind-audio`, `samplemind-ml` and `samplemind-analysis`, never the AI
//! layer or a face. The root crate re-exports it as `samplemind::library` (and its search as
//! `samplemind::search`).
//!
//! sled was chosen (with the rest of the stack) as an embedded, crash-safe, pure-Rust ordered
//! store: no server to run, and a kill -9 leaves it consistent. Trees, each with one job:
//! `samples` (content hash → [`SampleRecord`]), `paths` (path → [`PathEntry`]), `meta` (schema
//! version, the roots scanned), `vectors` (embeddings), `peaks` (waveform overviews), `kept`
//! (hand corrections waiting for a sample analysed afresh after a repair), `curation` (content
//! hash → the producer's marks: favourite, rating, colour, tags) and `collections` (name →
//! an ordered list of content hashes), see [`curation`]. Beside the store,
//! `keep.jsonl` journals what a rescan cannot rebuild ([`keep`]), and [`repair`] rebuilds a
//! damaged store from what still reads, that journal and a rescan. Values are MessagePack
//! with field names, so a record written by an older version still decodes after fields are
//! added.

#![warn(missing_docs)]

pub mod browse;
pub mod changes;
pub mod curation;
pub mod drives;
pub mod error;
pub(crate) mod files;
pub mod keep;
pub mod kit;
pub mod learn;
pub mod progress;
pub mod record;
pub mod repair;
pub mod scanner;
pub mod search;
pub mod share;
pub mod store;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod tidy;
pub mod view;
pub mod watch;

pub use curation::{Collection, Colour, Curation, CurationEdit, CurationError, Region};
pub use error::LibraryError;
pub use files::scratch_parent;
pub use record::{
    AiDescription, ContentHash, Corrections, PathEntry, PathStatus, SampleRecord, SCHEMA_VERSION,
};
pub use repair::{open_or_repair, repair, Rebuilt, RepairOutcome};
pub use scanner::{hash_file, scan, ScanEvent, ScanFailure, ScanOptions, ScanReport};
pub use share::AnalysisShare;
pub use store::{Library, LibraryEntry, LibraryStats, PeaksError, VerifyReport};
