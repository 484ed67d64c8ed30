//! Errors of analysis.

use std::path::PathBuf;

use samplemind_audio::DecodeError;

/// Why a file could not be analysed: it could not be decoded, or something inside panicked
/// on it (caught, so that only this file fails).
#[derive(Debug, thiserror::Error)]
pub enum AnalyseError {
    /// The file could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The analysis of this file panicked (a bug, ours or a decoder's, met on odd data).
    #[error("{}: analysis failed inside ({message}); please report this file", path.display())]
    Panicked {
        /// The file.
        path: PathBuf,
        /// The panic's message.
        message: String,
    },
}

impl AnalyseError {
    /// A short stable word for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            AnalyseError::Decode(e) => e.kind(),
            AnalyseError::Panicked { .. } => "panic",
        }
    }
}
