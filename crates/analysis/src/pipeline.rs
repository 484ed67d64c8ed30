//! The pipeline: one file through every stage, in order.
//!
//! 1. **DSP** ([`stages::dsp`]): one decode; while it streams, [`Measure`] computes the
//!    file-wide figures on the original channels at the original rate (EBU R128 loudness,
//!    peak, RMS) and keeps a mono mix of at most [`AnalysisOptions::max_analysis_seconds`].
//!    That mix is resampled to [`AnalysisOptions::analysis_rate`] and every signal analyser
//!    runs on that one buffer.
//! 2. **Models** ([`stages::models`]), when [`AnalysisOptions::models`] is set: embeddings,
//!    tags, the models' category and a second opinion on the root note, on the mono mix at
//!    the file's rate.
//! 3. **Words** ([`stages::words`]): the sample's words embedded for text search. This stage
//!    batches across sounds, so it runs apart: [`analyse_file`] runs it on one sound, a scan
//!    runs [`analyse_audio`] on its workers and [`analyse_words`] on batches of their answers.
//!
//! A stage takes what it needs and adds to the record ([`crate::Analysis`]); what a stage
//! hands to a later one and is not stored travels in [`crate::StageInputs`].

use std::path::Path;
use std::sync::Arc;

use crate::error::AnalyseError;
use crate::measure::Measure;
use crate::sound::Analysed;
use crate::stages;
use samplemind_audio::{decode_file, resample_mono, DecodeError};
use samplemind_ml::Models;

/// Options of the pipeline.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Rate the mono mix is resampled to before the spectral, onset and musical analysers.
    ///
    /// Default: `22050` Hz (everything we look at lies below 11 kHz, and it halves the work).
    pub analysis_rate: u32,
    /// Longest stretch of audio, from the start, that the spectral, onset and musical
    /// analysers see. Loudness, peak and RMS always cover the whole file.
    ///
    /// Default: `120.0` seconds (a sample is rarely longer; a long file must not blow memory).
    pub max_analysis_seconds: f64,
    /// Local models to run after the DSP analysers (tags, embeddings, CREPE pitch, words).
    ///
    /// Default: `None` (DSP only).
    pub models: Option<Arc<Models>>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            analysis_rate: 22_050,
            max_analysis_seconds: 120.0,
            models: None,
        }
    }
}

impl AnalysisOptions {
    /// The defaults, with the local `models` on (or off for `None`).
    pub fn with_models(models: Option<Arc<Models>>) -> Self {
        Self {
            models,
            ..Self::default()
        }
    }

    /// What decides an analysis besides the file's content: [`crate::ANALYSER_VERSION`], the
    /// shipped classifiers' weights, these options and, with the models on, the pinned
    /// model files. Two machines whose fingerprints match would store the same analysis
    /// for the same content, so one may take the other's (issue 23); a retrained
    /// classifier changes the fingerprint even when nobody bumped the version.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new_derive_key("samplemind 2026 analysis fingerprint");
        h.update(&crate::ANALYSER_VERSION.to_le_bytes());
        for weights in [
            crate::classify::MODEL_JSON,
            crate::category_model::MODEL_JSON,
            crate::tempo_octave::MODEL_JSON,
        ] {
            h.update(&(weights.len() as u64).to_le_bytes());
            h.update(weights.as_bytes());
        }
        h.update(&self.analysis_rate.to_le_bytes());
        h.update(&self.max_analysis_seconds.to_bits().to_le_bytes());
        match &self.models {
            Some(_) => h
                .update(b"models\0")
                .update(samplemind_ml::models::pinned_sums().as_bytes()),
            None => h.update(b"dsp\0"),
        };
        *h.finalize().as_bytes()
    }
}

/// Every stage on one file: decode once, the DSP analysers, then the models and the words
/// when [`AnalysisOptions::models`] is set.
///
/// A panic anywhere inside (a decoder's, a resampler's, ours) is caught and becomes this
/// file's error: one strange file never takes a scan or a server down with it.
///
/// # Errors
/// [`AnalyseError::Decode`] naming the file and the reason when it cannot be decoded;
/// [`AnalyseError::Panicked`] when the analysis panicked.
pub fn analyse_file(path: &Path, opts: &AnalysisOptions) -> Result<Analysed, AnalyseError> {
    let mut done = analyse_audio(path, opts)?;
    analyse_words(opts, &mut [(path, &mut done)]);
    Ok(done)
}

/// The stages that need the audio (DSP, then the models): what a scan's workers run. Follow
/// with [`analyse_words`] on a batch of their answers.
///
/// # Errors
/// As [`analyse_file`].
pub fn analyse_audio(path: &Path, opts: &AnalysisOptions) -> Result<Analysed, AnalyseError> {
    crate::isolate::catch(|| audio_stages(path, opts)).unwrap_or_else(|message| {
        Err(AnalyseError::Panicked {
            path: path.to_path_buf(),
            message,
        })
    })
}

/// The stage that batches across sounds: embed the words of each `(path, sound)` with the
/// models of `opts` (nothing without them). A failure costs the batch its text embeddings,
/// named in each sound's `model_error`; a panic in the text model is caught and logged.
pub fn analyse_words(opts: &AnalysisOptions, batch: &mut [(&Path, &mut Analysed)]) {
    let Some(models) = &opts.models else {
        return;
    };
    if let Err(message) = crate::isolate::catch(|| stages::words::run(models, batch)) {
        tracing::warn!(
            "text embeddings skipped for {} samples: {message}",
            batch.len()
        );
    }
}

fn audio_stages(path: &Path, opts: &AnalysisOptions) -> Result<Analysed, AnalyseError> {
    let mut m = Measure::new(opts.max_analysis_seconds);
    let summary = decode_file(path, &mut m)?;
    let totals = m.finish();
    let mono = resample_mono(&totals.mono, summary.info.sample_rate, opts.analysis_rate).map_err(
        |reason| DecodeError::Resample {
            path: path.to_path_buf(),
            reason,
        },
    )?;
    let duration_s = summary.frames as f64 / summary.info.sample_rate as f64;
    let (mut a, inputs) = stages::dsp::analyse_mono(
        &mono,
        opts.analysis_rate,
        duration_s,
        (totals.peak_db, totals.rms_db),
    );
    a.sample_rate = summary.info.sample_rate;
    a.channels = summary.info.channels as u16;
    a.bit_depth = summary.info.bits_per_sample;
    a.codec = summary.info.codec;
    a.lufs = totals.loudness.lufs;
    a.loudness_method = totals.loudness.method;
    stages::dsp::apply_file_hints(path, &mut a);
    let mut vectors = None;
    if let Some(models) = &opts.models {
        a.models_heard = true;
        // A model failing costs this sound its tags and vectors, never its analysis.
        match stages::models::run(
            models,
            &totals.mono,
            summary.info.sample_rate,
            &mut a,
            &inputs,
        ) {
            Ok(v) => vectors = Some(v),
            Err(e) => {
                tracing::warn!("{}: models: {e}", path.display());
                a.model_error = Some(e.to_string());
            }
        }
    }
    Ok(Analysed {
        analysis: a,
        vectors,
        inputs,
    })
}
