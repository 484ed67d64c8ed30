//! Errors of decoding and resampling.

use std::path::PathBuf;

/// Why a file could not be decoded. Every variant names the file; none is recoverable for
/// that file, and a scan records it and goes on with the next one.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is empty (0 bytes).
    #[error("{}: empty file", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The content is not a container format we know (for instance text named `.wav`).
    #[error("{}: unsupported or unrecognised format", path.display())]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
    },
    /// The container is known but its codec is not (Opus, Vorbis inside RIFF WAVE, ...).
    #[error("{}: unsupported codec: {codec}", path.display())]
    UnsupportedCodec {
        /// The file.
        path: PathBuf,
        /// What the container says the codec is.
        codec: String,
    },
    /// The container holds no audio track.
    #[error("{}: no audio track", path.display())]
    NoAudioTrack {
        /// The file.
        path: PathBuf,
    },
    /// The stream ended early: the file was cut short.
    #[error("{}: truncated: {detail}", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What was missing.
        detail: String,
    },
    /// The data is malformed beyond what a decoder can skip.
    #[error("{}: malformed audio: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The decoder's reason.
        reason: String,
    },
    /// The path is not a regular file (a FIFO, a device, a socket): opening one can block for
    /// ever, so it is refused before `open`.
    #[error("{}: not a regular file ({what})", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// The header states something no real audio has (a sample rate of 0 Hz or 4 GHz, 0 or
    /// thousands of channels): refused before anything is sized from it.
    #[error("{}: implausible header: {reason}", path.display())]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// The field, its value and the range accepted.
        reason: String,
    },
    /// The file decodes to no audio frames at all.
    #[error("{}: no audio samples", path.display())]
    NoSamples {
        /// The file.
        path: PathBuf,
    },
    /// The sample rate could not be converted.
    #[error("{}: resampling failed: {reason}", path.display())]
    Resample {
        /// The file.
        path: PathBuf,
        /// What rubato said.
        reason: String,
    },
}

impl DecodeError {
    /// A short stable word for the kind of failure, for summaries and machine output.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::Io { .. } => "io",
            DecodeError::EmptyFile { .. } => "empty",
            DecodeError::UnsupportedFormat { .. } => "unsupported-format",
            DecodeError::UnsupportedCodec { .. } => "unsupported-codec",
            DecodeError::NoAudioTrack { .. } => "no-audio-track",
            DecodeError::Truncated { .. } => "truncated",
            DecodeError::Malformed { .. } => "malformed",
            DecodeError::NotAFile { .. } => "not-a-file",
            DecodeError::BadHeader { .. } => "bad-header",
            DecodeError::NoSamples { .. } => "no-samples",
            DecodeError::Resample { .. } => "resample",
        }
    }
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, DecodeError>;
