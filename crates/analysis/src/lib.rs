//! SampleMind's analysis layer: everything SampleMind measures about a sample, from one
//! decode.
//!
//! [`record`] is what is stored ([`Analysis`]); [`pipeline`] runs a file through the
//! [`stages`] in order (DSP, then the local models, then the words); the other modules are
//! the analysers the stages call, the classifiers and the music vocabulary ([`key_name`]).
//! [`isolate`] is the panic boundary every layer above uses too.
//!
//! It imports `samplemind-audio` (decoding, resampling) and `samplemind-ml` (model runners);
//! nothing of the library, the AI layer or a face. The root crate re-exports it as
//! `samplemind::analysis`.

#![warn(missing_docs)]

pub mod category_model;
pub mod classify;
pub mod error;
pub mod features;
pub mod isolate;
pub mod key;
pub mod key_name;
pub mod loop_detect;
pub mod loudness;
pub mod measure;
pub mod metadata;
pub mod onsets;
pub mod pipeline;
pub mod pitch;
pub mod record;
pub mod sound;
pub mod spectral;
pub mod stages;
pub mod tempo;
pub mod tempo_octave;

pub use error::AnalyseError;
pub use loudness::LoudnessMethod;
pub use pipeline::{analyse_audio, analyse_file, analyse_words, AnalysisOptions};
pub use record::{Analysis, ANALYSER_VERSION};
pub use sound::{Analysed, StageInputs};
pub use stages::dsp::analyse_mono;
pub use tempo::{Tempo, TempoSource};

/// Deterministic white noise in -0.5..0.5 (xorshift64) for tests, without a dependency.
#[cfg(test)]
pub(crate) fn test_noise(seed: u64, n: usize) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s as f64 / u64::MAX as f64 - 0.5) as f32
        })
        .collect()
}

/// Convert a linear amplitude to dBFS; `None` for zero.
pub(crate) fn amp_to_db(amp: f64) -> Option<f32> {
    (amp > 0.0).then(|| (20.0 * amp.log10()) as f32)
}
