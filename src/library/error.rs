//! Errors of the library store.

use std::path::PathBuf;

/// A library failure. [`LibraryError::Corrupt`] is recoverable (the record is skipped);
/// the others stop the operation.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The store could not be opened or written.
    #[error("library {}: {source}", path.display())]
    Store {
        /// The library directory.
        path: PathBuf,
        /// sled's error.
        source: sled::Error,
    },
    /// The library was written by a newer SampleMind.
    #[error("library {}: schema version {found} is newer than this samplemind ({supported}); upgrade samplemind", path.display())]
    NewerSchema {
        /// The library directory.
        path: PathBuf,
        /// Version on disk.
        found: u32,
        /// Version this build writes.
        supported: u32,
    },
    /// A stored record could not be decoded; it is reported and skipped.
    #[error("corrupt record in {tree} ({key}): {reason}")]
    Corrupt {
        /// Which tree.
        tree: &'static str,
        /// The key, printable.
        key: String,
        /// Why it did not decode.
        reason: String,
    },
    /// No sample is stored under this id.
    #[error("no sample {what} in the library")]
    NotFound {
        /// The id asked for.
        what: String,
    },
    /// A record could not be encoded (a bug, not bad data).
    #[error("cannot encode record: {0}")]
    Encode(String),
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, LibraryError>;
