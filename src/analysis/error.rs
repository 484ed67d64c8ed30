//! Errors of analysis.

use crate::audio::DecodeError;

/// Why a file could not be analysed. Analysis itself cannot fail on audio it has decoded, so
/// today every failure is a decode failure; the enum leaves room for analysers that can.
#[derive(Debug, thiserror::Error)]
pub enum AnalyseError {
    /// The file could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl AnalyseError {
    /// A short stable word for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            AnalyseError::Decode(e) => e.kind(),
        }
    }
}
