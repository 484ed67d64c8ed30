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
    /// The disk under the library is full (or a quota or file-size limit is reached). sled
    /// writes whole records or nothing, so what was stored before stays readable.
    #[error("no space left on the disk of library {}; nothing stored was lost: free some space and run the command again", path.display())]
    DiskFull {
        /// The library directory.
        path: PathBuf,
    },
    /// Another process (the app, a scan, `serve`) has the library open; sled allows one.
    #[error("library {} is in use by another SampleMind process (the app, a scan or `samplemind serve`): close it or wait for it to finish", path.display())]
    Locked {
        /// The library directory.
        path: PathBuf,
    },
    /// The store's own data is damaged (a torn or overwritten file, a bad disk): sled found
    /// a checksum that does not match, or failed inside. What still reads stays readable;
    /// `samplemind repair` keeps the damaged store aside and rebuilds the library.
    #[error("library {} is damaged ({reason}): run `samplemind repair`; it keeps the damaged store aside, saves what still reads and rescans your folders", path.display())]
    Damaged {
        /// The library directory.
        path: PathBuf,
        /// What was found.
        reason: String,
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

impl LibraryError {
    /// A store error of `dir` in words: a full disk and a lock held by another process get
    /// their own variants, anything else stays sled's.
    pub fn from_store(dir: &std::path::Path, source: sled::Error) -> Self {
        if let sled::Error::Io(e) = &source {
            // A full disk, a quota, or a file-size limit (RLIMIT_FSIZE): no room either way.
            use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
            if matches!(e.kind(), StorageFull | QuotaExceeded | FileTooLarge) {
                return LibraryError::DiskFull {
                    path: dir.to_path_buf(),
                };
            }
            // sled wraps the failed file lock in an error of its own words.
            if e.kind() == std::io::ErrorKind::WouldBlock
                || e.to_string().contains("could not acquire lock")
            {
                return LibraryError::Locked {
                    path: dir.to_path_buf(),
                };
            }
        }
        match source {
            sled::Error::Corruption { .. } => LibraryError::Damaged {
                path: dir.to_path_buf(),
                reason: "a page of the store does not match its checksum".into(),
            },
            sled::Error::ReportableBug(what) => LibraryError::Damaged {
                path: dir.to_path_buf(),
                reason: format!("the store failed inside: {what}"),
            },
            source => LibraryError::Store {
                path: dir.to_path_buf(),
                source,
            },
        }
    }

    /// Whether this says the store itself is damaged (so `repair` is the way out).
    pub fn is_damaged(&self) -> bool {
        matches!(self, LibraryError::Damaged { .. })
    }

    /// What damage was found, when this says the store is damaged.
    pub fn damage(&self) -> Option<&str> {
        match self {
            LibraryError::Damaged { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, LibraryError>;
