//! SampleMind's audio layer, the bottom of the engine: decoding files to planar f32
//! (symphonia), sample-rate conversion (rubato), waveform overviews, and with the `device`
//! feature playback and recording (cpal). It knows nothing of analysis, models or the
//! library; every other layer builds on it (the root crate re-exports it as
//! `samplemind::audio`).
//!
//! Decoding streams packet by packet into a [`FrameSink`], so a caller can measure a whole
//! hour-long file while keeping only what it needs in memory.

#![warn(missing_docs)]

pub mod decode;
#[cfg(feature = "device")]
pub mod device;
pub mod encode;
pub mod error;
pub mod gapless;
pub mod peaks;
pub mod resample;
pub mod riff;
pub mod stretch;
pub mod tags;
pub mod voices;

pub use decode::{decode_file, decode_mono, FrameSink, StreamInfo};
pub use error::DecodeError;
pub use resample::resample_mono;

/// File name extensions the scanner treats as audio. Decoding itself probes the content, so
/// this list only decides which files a folder walk picks up.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "aif", "aiff", "aifc", "flac", "mp3", "ogg", "oga", "m4a", "mp4", "aac", "caf",
    "opus", "mka", "webm", "alac",
];

/// Whether `path` has one of the [`AUDIO_EXTENSIONS`] (case-insensitive).
pub fn has_audio_extension(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}
