//! The one error every command returns: a stable `kind` the UI can branch on, and a message
//! that names the file and the reason (the core's own wording).

use serde::Serialize;

/// What went wrong, for the UI to choose how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No such sample, device or file.
    NotFound,
    /// The request itself is wrong (a bad key name, an empty path list).
    BadInput,
    /// A file could not be decoded.
    Decode,
    /// The library store failed.
    Library,
    /// The audio device failed.
    Audio,
    /// A language model failed (down, refused, out of time).
    Ai,
    /// The local ONNX models are off or failed.
    Models,
    /// Something else: the message says what.
    Other,
}

/// A command's failure.
#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Kind, stable.
    pub kind: ErrorKind,
    /// Human message naming the file and the reason.
    pub message: String,
}

impl AppError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// Result of a command.
pub type CmdResult<T> = Result<T, AppError>;

impl From<samplemind::library::LibraryError> for AppError {
    fn from(e: samplemind::library::LibraryError) -> Self {
        let kind = match e {
            samplemind::library::LibraryError::NotFound { .. } => ErrorKind::NotFound,
            _ => ErrorKind::Library,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<samplemind::library::PeaksError> for AppError {
    fn from(e: samplemind::library::PeaksError) -> Self {
        match e {
            samplemind::library::PeaksError::Decode(d) => {
                Self::new(ErrorKind::Decode, d.to_string())
            }
            samplemind::library::PeaksError::Library(l) => l.into(),
        }
    }
}

impl From<samplemind::audio::DecodeError> for AppError {
    fn from(e: samplemind::audio::DecodeError) -> Self {
        Self::new(ErrorKind::Decode, e.to_string())
    }
}

impl From<samplemind::audio::device::DeviceError> for AppError {
    fn from(e: samplemind::audio::device::DeviceError) -> Self {
        Self::new(ErrorKind::Audio, e.to_string())
    }
}

impl From<samplemind::ai::AiError> for AppError {
    fn from(e: samplemind::ai::AiError) -> Self {
        Self::new(ErrorKind::Ai, e.to_string())
    }
}

impl From<samplemind::ml::MlError> for AppError {
    fn from(e: samplemind::ml::MlError) -> Self {
        Self::new(ErrorKind::Models, e.to_string())
    }
}

impl From<samplemind::search::SearchError> for AppError {
    fn from(e: samplemind::search::SearchError) -> Self {
        Self::new(ErrorKind::BadInput, e.to_string())
    }
}

impl From<samplemind::search::similar::SimilarError> for AppError {
    fn from(e: samplemind::search::similar::SimilarError) -> Self {
        Self::new(ErrorKind::Other, e.to_string())
    }
}

impl From<samplemind::library::browse::BrowseError> for AppError {
    fn from(e: samplemind::library::browse::BrowseError) -> Self {
        use samplemind::library::browse::BrowseError as B;
        use samplemind::search::similar::SimilarError;
        let kind = match &e {
            B::BadId(_)
            | B::BadTempo(_)
            | B::BadCategory(_)
            | B::BadKey(_)
            | B::BadNote(_)
            | B::Ambiguous(_)
            | B::Curation(_)
            | B::Search(_) => ErrorKind::BadInput,
            B::NotFound(_) | B::NoCollection(_) => ErrorKind::NotFound,
            B::Similar(SimilarError::Library(_)) => ErrorKind::Library,
            B::Similar(SimilarError::NotFound(_)) => ErrorKind::NotFound,
            B::Similar(_) => ErrorKind::Decode,
            B::Library(_) => ErrorKind::Library,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<samplemind::ml::midi_file::TranscribeError> for AppError {
    fn from(e: samplemind::ml::midi_file::TranscribeError) -> Self {
        use samplemind::ml::midi_file::TranscribeError as T;
        let kind = match &e {
            T::Decode(_) => ErrorKind::Decode,
            T::Model { .. } => ErrorKind::Models,
            T::Write { .. } => ErrorKind::Other,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        Self::new(ErrorKind::Other, e.to_string())
    }
}

/// A background task that panicked or was cancelled.
pub fn joined(e: tauri::Error) -> AppError {
    AppError::new(ErrorKind::Other, format!("background task failed: {e}"))
}
