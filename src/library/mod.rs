//! The sample library: a sled store keyed by blake3 content hash, and the scanner that fills
//! it.
//!
//! sled was chosen (with the rest of the stack) as an embedded, crash-safe, pure-Rust ordered
//! store: no server to run, and a kill -9 leaves it consistent. Trees, each with one job:
//! `samples` (content hash → [`SampleRecord`]), `paths` (path → [`PathEntry`]), `meta` (schema
//! version). Values are MessagePack with field names, so a record written by an older
//! version still decodes after fields are added.

pub mod error;
pub mod record;
pub mod scanner;
pub mod store;

pub use error::LibraryError;
pub use record::{
    AiDescription, ContentHash, Corrections, PathEntry, PathStatus, SampleRecord, SCHEMA_VERSION,
};
pub use scanner::{hash_file, scan, ScanEvent, ScanFailure, ScanOptions, ScanReport};
pub use store::{Library, LibraryEntry, LibraryStats, PeaksError};
