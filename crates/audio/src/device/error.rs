//! Errors of audio devices.

use std::path::PathBuf;

use crate::DecodeError;

/// An audio device failure, with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The audio host cannot be used (no server running, no permission).
    #[error("audio host unavailable: {0} (is an audio server running?)")]
    Host(String),
    /// There is no default device of that kind.
    #[error("no default {} device (see `samplemind devices`)", if *input { "input" } else { "output" })]
    NoDevice {
        /// Input rather than output.
        input: bool,
    },
    /// No device has that id.
    #[error("unknown device {id:?} (see `samplemind devices` for ids)")]
    UnknownDevice {
        /// The id asked for.
        id: String,
    },
    /// The device refused the stream (format, busy, unplugged).
    #[error("cannot open the device: {0}")]
    Stream(String),
    /// The file to play could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The recording could not be written.
    #[error("{}: cannot write: {reason}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Nothing was captured (the device delivered no audio).
    #[error("no audio captured from the input device")]
    NothingCaptured,
}
