//! The record: what SampleMind knows about one sample's audio, as stored in the library.
//!
//! Only what is kept lives here. What one stage hands to the next and is then thrown away (the
//! classifier's input, the tempo-octave input, the embeddings before they go to their own
//! tree) travels in [`super::sound::Analysed`] beside it.

use serde::{Deserialize, Serialize};

use super::loudness::LoudnessMethod;
use super::tempo::TempoSource;
use samplemind_ml::ScoredTag;

/// Bumped whenever an analyser changes what it stores, so a rescan can tell stale records.
pub const ANALYSER_VERSION: u32 = 6;

/// What SampleMind knows about one sample's audio.
///
/// Levels are in dBFS and LUFS; `None` means "not defined for this sound" (the peak of digital
/// silence, the centroid of a file with no energy) or "not measured yet" (`bpm`, `key`,
/// `root_note`, `category` are filled by the musical analysers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Analysis {
    /// Length in seconds, encoder delay and padding excluded.
    pub duration_s: f64,
    /// The file's own sample rate.
    pub sample_rate: u32,
    /// The file's channel count.
    pub channels: u16,
    /// Bits per sample where the codec has them (PCM, FLAC, ALAC).
    pub bit_depth: Option<u32>,
    /// Codec short name.
    pub codec: String,
    /// Highest absolute sample over all channels, dBFS.
    pub peak_db: Option<f32>,
    /// RMS over all channels and the whole file, dBFS.
    pub rms_db: Option<f32>,
    /// Loudness in LUFS; see [`LoudnessMethod`] for how it was measured.
    pub lufs: Option<f32>,
    /// How `lufs` was measured.
    pub loudness_method: LoudnessMethod,
    /// Energy-weighted mean spectral centroid, Hz.
    pub spectral_centroid_hz: Option<f32>,
    /// Energy-weighted mean frequency below which 85 % of the energy lies, Hz.
    pub spectral_rolloff_hz: Option<f32>,
    /// Energy-weighted mean spectral flatness, 0 (tonal) to 1 (white noise).
    pub spectral_flatness: Option<f32>,
    /// Sign changes per sample of the mono mix, 0 to 1.
    pub zero_crossing_rate: f32,
    /// Number of detected onsets (note or hit starts).
    pub onset_count: u32,
    /// Time from 10 % to 90 % of the first hit's peak envelope, ms.
    pub attack_ms: Option<f32>,
    /// Time from the loudest point to 20 dB below it, ms.
    pub decay_ms: Option<f32>,
    /// Spectral shape per octave and its variation over time, then cepstral coefficients'
    /// means and deviations (see [`super::spectral::Spectral`]).
    pub timbre: Vec<f32>,
    /// Loop (meant to repeat) rather than one-shot.
    pub is_loop: bool,
    /// Tempo in beats per minute, for loops and rhythmic phrases; `None` for one-shots.
    pub bpm: Option<f32>,
    /// How clear the pulse is, 0..1.
    pub bpm_confidence: Option<f32>,
    /// Other readings of the tempo (half, double, 3:2), best first, for ×2 / ÷2 fixes.
    pub bpm_alternatives: Vec<f32>,
    /// Where `bpm` came from.
    pub tempo_source: Option<TempoSource>,
    /// Musical key, `"A minor"`, `"Eb major"`, of loops and phrases.
    pub key: Option<String>,
    /// Correlation of the key with its profile, 0..1.
    pub key_confidence: Option<f32>,
    /// Harmonic pitch-class profile (C first, max 1); empty when the sound is too short for one.
    pub chroma: Vec<f32>,
    /// Root note of a tonal one-shot, scientific pitch (`"A#2"`, C4 = MIDI 60).
    pub root_note: Option<String>,
    /// How far the sound sits from `root_note`, cents (-50..50).
    pub root_cents: Option<f32>,
    /// Fundamental frequency, Hz.
    pub f0_hz: Option<f32>,
    /// Instrument category from the shared taxonomy (`kick`, `pad`, `drums`, ...).
    pub category: Option<String>,
    /// The classifier's probability for `category`, 0..1, calibrated on sources it was not
    /// trained on.
    pub category_confidence: Option<f32>,
    /// `category` is only a guess: its probability is below the classifier's calibrated
    /// threshold (about the least sure tenth of calls on unseen sources). Search files it
    /// under [`crate::classify::UNSURE`].
    pub category_unsure: bool,
    /// The classifier's probability of each of [`super::classify::CATEGORIES`], in that order (the
    /// models' classifier when it ran); empty when no classifier ran. Similar sounds compare
    /// these: what kind of sound it is, beside how it sounds.
    pub category_probabilities: Vec<f32>,
    /// The classifier's probability that this is a loop, 0..1.
    pub loop_probability: Option<f32>,
    /// Top tags from the tagging model (musicnn), best first.
    pub model_tags: Vec<ScoredTag>,
    /// CREPE's reading of the fundamental of a one-shot, Hz.
    pub crepe_f0_hz: Option<f32>,
    /// CREPE's confidence in `crepe_f0_hz`, 0..1.
    pub crepe_confidence: Option<f32>,
    /// Why the models did not run on this sound, when they were asked to.
    pub model_error: Option<String>,
    /// Whether the local models were asked to analyse this sound (even if they failed on
    /// it). A rescan with the models on analyses a record without them again: a library first
    /// scanned before the ONNX runtime was installed gets its tags and embeddings.
    pub models_heard: bool,
    /// Seconds of audio the spectral and musical analysers saw (capped for long files).
    pub analysed_seconds: f64,
    /// [`ANALYSER_VERSION`] that produced this record.
    pub analyser_version: u32,
}

impl Default for Analysis {
    fn default() -> Self {
        Self {
            duration_s: 0.0,
            sample_rate: 0,
            channels: 0,
            bit_depth: None,
            codec: String::new(),
            peak_db: None,
            rms_db: None,
            lufs: None,
            loudness_method: LoudnessMethod::Silent,
            spectral_centroid_hz: None,
            spectral_rolloff_hz: None,
            spectral_flatness: None,
            zero_crossing_rate: 0.0,
            onset_count: 0,
            attack_ms: None,
            decay_ms: None,
            timbre: Vec::new(),
            is_loop: false,
            bpm: None,
            bpm_confidence: None,
            bpm_alternatives: Vec::new(),
            tempo_source: None,
            key: None,
            key_confidence: None,
            chroma: Vec::new(),
            root_note: None,
            root_cents: None,
            f0_hz: None,
            category: None,
            category_confidence: None,
            category_unsure: false,
            category_probabilities: Vec::new(),
            loop_probability: None,
            model_tags: Vec::new(),
            crepe_f0_hz: None,
            crepe_confidence: None,
            model_error: None,
            models_heard: false,
            analysed_seconds: 0.0,
            analyser_version: 0,
        }
    }
}
