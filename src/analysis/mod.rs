//! Analysis: everything SampleMind measures about a sample, from one decode.
//!
//! [`analyse_file`] decodes a file once. While it streams, [`measure::Measure`] computes the
//! file-wide figures on the original channels at the original rate (EBU R128 loudness, peak,
//! RMS) and keeps a mono mix of at most [`AnalysisOptions::max_analysis_seconds`]. That mix is
//! resampled to [`AnalysisOptions::analysis_rate`] and every other analyser runs on that one
//! buffer.

pub mod classify;
pub mod error;
pub mod features;
pub mod key;
pub mod key_name;
pub mod loop_detect;
pub mod loudness;
pub mod measure;
pub mod metadata;
pub mod onsets;
pub mod pitch;
pub mod spectral;
pub mod tempo;
pub mod tempo_octave;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audio::{decode_file, resample_mono, DecodeError};
use crate::ml::Models;
pub use error::AnalyseError;
pub use loudness::LoudnessMethod;
pub use tempo::{Tempo, TempoSource};

/// Bumped whenever an analyser changes what it stores, so a rescan can tell stale records.
pub const ANALYSER_VERSION: u32 = 4;

/// Options of [`analyse_file`].
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
    /// Local models to run after the DSP analysers (tags, embeddings, CREPE pitch).
    ///
    /// Default: `None` (DSP only).
    pub models: Option<Arc<Models>>,
    /// With `models`, also embed the sample's words (MiniLM), one call per file.
    ///
    /// Default: `true`. The scanner turns it off and embeds its results in batches with
    /// [`crate::ml::text::embed_analyses`]: a batch of 32 costs half as much per text.
    pub embed_text: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            analysis_rate: 22_050,
            max_analysis_seconds: 120.0,
            models: None,
            embed_text: true,
        }
    }
}

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
    /// means and deviations (see [`spectral::Spectral`]).
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
    /// Harmonic pitch-class profile (C first, max 1) of loops and phrases; empty otherwise.
    pub chroma: Vec<f32>,
    /// Root note of a tonal one-shot, scientific pitch (`"A#2"`, C4 = MIDI 60).
    pub root_note: Option<String>,
    /// How far the sound sits from `root_note`, cents (-50..50).
    pub root_cents: Option<f32>,
    /// Fundamental frequency, Hz.
    pub f0_hz: Option<f32>,
    /// Instrument category from the shared taxonomy (`kick`, `pad`, `drums`, ...).
    pub category: Option<String>,
    /// The classifier's probability for `category`, 0..1.
    pub category_confidence: Option<f32>,
    /// The classifier's probability of each of [`classify::CATEGORIES`], in that order (the
    /// models' classifier when it ran); empty when no classifier ran. Similar sounds compare
    /// these: what kind of sound it is, beside how it sounds.
    pub category_probabilities: Vec<f32>,
    /// The classifier's probability that this is a loop, 0..1.
    pub loop_probability: Option<f32>,
    /// Top tags from the tagging model (musicnn), best first.
    pub model_tags: Vec<crate::ml::ScoredTag>,
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
    /// Embeddings for similar-sound search (stored apart from the record, in the library's
    /// vector tree).
    #[serde(skip)]
    pub vectors: Option<crate::ml::SoundVectors>,
    /// The feature vector the classifiers read (not stored; printed by
    /// `analyze --json --features` for training).
    #[serde(skip)]
    pub classifier_input: Vec<f32>,
    /// Level of the first and of the last 100 ms against the whole sound's, dB (not stored;
    /// classifier inputs). A loop is cut on the bar and sounds to its last sample; a
    /// one-shot, a pad note, an effect, dies away.
    #[serde(skip)]
    pub edge_levels_db: (f32, f32),
    /// [`Tempo::heard_bpm`] and [`Tempo::heard_confidence`] (not stored; classifier
    /// inputs).
    #[serde(skip)]
    pub heard_tempo: Option<(f32, f32)>,
    /// The input of the tempo-octave model ([`tempo_octave::features`]; not stored, printed
    /// by `analyze --json --features` for training). Empty without a tempo.
    #[serde(skip)]
    pub tempo_octave_input: Vec<f32>,
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
            category_probabilities: Vec::new(),
            loop_probability: None,
            model_tags: Vec::new(),
            crepe_f0_hz: None,
            crepe_confidence: None,
            model_error: None,
            models_heard: false,
            vectors: None,
            classifier_input: Vec::new(),
            tempo_octave_input: Vec::new(),
            heard_tempo: None,
            edge_levels_db: (0.0, 0.0),
            analysed_seconds: 0.0,
            analyser_version: 0,
        }
    }
}

/// Decode `path` once and run every analyser on it.
///
/// A panic anywhere inside (a decoder's, a resampler's, ours) is caught and becomes this
/// file's error: one strange file never takes a scan or a server down with it.
///
/// # Errors
/// [`AnalyseError::Decode`] naming the file and the reason when it cannot be decoded;
/// [`AnalyseError::Panicked`] when the analysis panicked.
pub fn analyse_file(path: &Path, opts: &AnalysisOptions) -> Result<Analysis, AnalyseError> {
    crate::isolate::catch(|| analyse_unguarded(path, opts)).unwrap_or_else(|message| {
        Err(AnalyseError::Panicked {
            path: path.to_path_buf(),
            message,
        })
    })
}

fn analyse_unguarded(path: &Path, opts: &AnalysisOptions) -> Result<Analysis, AnalyseError> {
    let mut m = measure::Measure::new(opts.max_analysis_seconds);
    let summary = decode_file(path, &mut m)?;
    let totals = m.finish();
    let mono = resample_mono(&totals.mono, summary.info.sample_rate, opts.analysis_rate).map_err(
        |reason| DecodeError::Resample {
            path: path.to_path_buf(),
            reason,
        },
    )?;
    let duration_s = summary.frames as f64 / summary.info.sample_rate as f64;
    let mut a = analyse_mono(
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
    apply_file_hints(path, &mut a);
    if let Some(models) = &opts.models {
        a.models_heard = true;
        // A model failing costs this sound its tags and vectors, never its analysis.
        let done = crate::ml::analyse(models, &totals.mono, summary.info.sample_rate, &mut a);
        if let Err(e) = done {
            tracing::warn!("{}: models: {e}", path.display());
            a.model_error = Some(e.to_string());
        } else if opts.embed_text {
            crate::ml::text::embed_analyses(models, &mut [(path, &mut a)]);
        }
    }
    Ok(a)
}

/// What the file says about itself (loop chunks, names) over what the audio suggests.
fn apply_file_hints(path: &Path, a: &mut Analysis) {
    if let Some(chunk) = metadata::loop_chunk(path, a.duration_s) {
        if let Some(one_shot) = chunk.one_shot {
            a.is_loop = !one_shot;
        }
        if let Some(bpm) = chunk.bpm.filter(|_| a.is_loop) {
            set_bpm(a, bpm, TempoSource::Metadata);
            return;
        }
    }
    if a.bpm.is_none() && !a.is_loop {
        return;
    }
    match metadata::name_tempo(path) {
        Some((bpm, metadata::NameTempoStrength::Explicit)) => set_bpm(a, bpm, TempoSource::Name),
        // A bare number is a tempo only when the audio agrees (up to ×2 / ÷2).
        Some((bpm, metadata::NameTempoStrength::Bare)) => {
            let agrees = a.bpm.is_some_and(|heard| {
                [0.5, 1.0, 2.0]
                    .iter()
                    .any(|f| ((heard * f) - bpm).abs() <= 0.04 * bpm)
            });
            if agrees {
                set_bpm(a, bpm, TempoSource::Name);
            }
        }
        None => {}
    }
}

fn set_bpm(a: &mut Analysis, bpm: f32, source: TempoSource) {
    if let Some(old) = a.bpm.filter(|old| (old - bpm).abs() > 0.04 * bpm) {
        a.bpm_alternatives.insert(0, old);
    }
    a.bpm = Some(bpm);
    a.tempo_source = Some(source);
    a.bpm_confidence = Some(1.0);
}

/// Category probability above which a drum call removes root note and key.
pub(crate) const DRUM_GATE_PROBABILITY: f32 = 0.7;

/// Run the signal analysers on a mono buffer at `rate` Hz; `duration_s` is the full file's
/// length (the buffer may be a capped prefix); `levels` are the file's (peak, RMS) in dBFS,
/// which the classifiers read. Loudness and format fields are left for the caller.
pub fn analyse_mono(
    mono: &[f32],
    rate: u32,
    duration_s: f64,
    levels: (Option<f32>, Option<f32>),
) -> Analysis {
    let spec = spectral::analyse(mono, rate);
    let onsets = onsets::detect(mono, rate, &spec);
    let loop_v1 = loop_detect::is_loop(&loop_detect::LoopEvidence {
        duration_s,
        onset_times: &onsets,
        frame_db: &spec.frame_db,
    });
    let mut a = Analysis {
        duration_s,
        peak_db: levels.0,
        rms_db: levels.1,
        spectral_centroid_hz: spec.centroid_hz,
        spectral_rolloff_hz: spec.rolloff_hz,
        spectral_flatness: spec.flatness,
        zero_crossing_rate: spectral::zero_crossing_rate(mono),
        onset_count: onsets.len() as u32,
        attack_ms: onsets::attack_ms(mono, rate),
        decay_ms: onsets::decay_ms(mono, rate),
        timbre: spec
            .octave_shape
            .iter()
            .chain(&spec.cepstrum)
            .copied()
            .collect(),
        is_loop: loop_v1,
        edge_levels_db: edge_levels_db(mono, rate),
        analysed_seconds: mono.len() as f64 / rate as f64,
        analyser_version: ANALYSER_VERSION,
        ..Analysis::default()
    };
    musical(&mut a, mono, rate, &spec);
    a.classifier_input = features::vector(&a);
    if let Some(v) = classify::classify(&a.classifier_input) {
        a.loop_probability = Some(v.loop_probability);
        if v.is_loop != a.is_loop {
            // Tempo (whole-beats fit), key and root note all depend on the loop call.
            a.is_loop = v.is_loop;
            musical(&mut a, mono, rate, &spec);
        }
        set_category(&mut a, v.category, v.category_probability);
        a.category_probabilities = v.distribution;
    }
    a
}

/// Call `a` a `category` with probability `p`. Drums get no note and no key, but only on a
/// confident call: a bass note called a tom must keep its root.
pub(crate) fn set_category(a: &mut Analysis, category: String, p: f32) {
    if classify::DRUM_CATEGORIES.contains(&category.as_str()) && p >= DRUM_GATE_PROBABILITY {
        a.root_note = None;
        a.root_cents = None;
        a.f0_hz = None;
        a.key = None;
        a.key_confidence = None;
    }
    a.category = Some(category);
    a.category_confidence = Some(p);
}

/// Tempo, key and root note, given `a.is_loop` and the onsets counted in `a`.
fn musical(a: &mut Analysis, mono: &[f32], rate: u32, spec: &spectral::Spectral) {
    // Tempo for anything rhythmic: loops, and phrases long enough to have a pulse.
    let capped = (mono.len() as f64 / rate as f64) < a.duration_s - 0.01;
    let rhythmic = a.is_loop || (a.duration_s >= 2.0 && a.onset_count >= 4);
    let fps = 1.0 / spec.hop_seconds;
    let mut tempo = rhythmic
        .then(|| {
            tempo::estimate(
                &spec.flux,
                fps,
                (a.is_loop && !capped).then_some(a.duration_s),
            )
        })
        .flatten();
    a.tempo_octave_input = tempo
        .as_mut()
        .map(|t| tempo_octave::settle(t, &spec.register_flux, fps))
        .unwrap_or_default();
    a.bpm = tempo.as_ref().map(|t| t.bpm);
    a.bpm_confidence = tempo.as_ref().map(|t| t.confidence);
    a.heard_tempo = tempo.as_ref().map(|t| (t.heard_bpm, t.heard_confidence));
    a.bpm_alternatives = tempo
        .as_ref()
        .map(|t| t.alternatives.iter().map(|x| x.0).collect())
        .unwrap_or_default();
    a.tempo_source = tempo.as_ref().map(|t| t.source);
    let pitch = (!a.is_loop).then(|| pitch::estimate(mono, rate)).flatten();
    a.root_note = pitch.as_ref().map(pitch::Pitch::note_name);
    a.root_cents = pitch.as_ref().map(|p| p.cents);
    a.f0_hz = pitch.as_ref().map(|p| p.f0_hz);
    // A key belongs to music that moves (loops, phrases), not to a single note.
    let chroma = (a.is_loop || tempo.is_some())
        .then(|| key::chroma(mono, rate, opening_seconds(a.bpm)))
        .flatten();
    let k = chroma
        .as_ref()
        .map(key::best_key)
        .filter(|k| k.confidence >= key::MIN_CONFIDENCE);
    a.key = k.as_ref().map(key::Key::name);
    a.key_confidence = k.as_ref().map(|k| k.confidence);
    a.chroma = chroma.map(|c| c.bins.to_vec()).unwrap_or_default();
}

/// [`Analysis::edge_levels_db`] of `x`: each edge's mean power over the whole buffer's,
/// in dB, within -60..20 (a silent edge reads -60).
fn edge_levels_db(x: &[f32], rate: u32) -> (f32, f32) {
    let n = ((0.1 * rate as f64) as usize).min(x.len());
    let power = |v: &[f32]| v.iter().map(|s| (s * s) as f64).sum::<f64>() / v.len().max(1) as f64;
    let whole = power(x);
    if n == 0 || whole <= 0.0 {
        return (0.0, 0.0);
    }
    let rel = |p: f64| ((10.0 * (p / whole + 1e-12).log10()) as f32).clamp(-60.0, 20.0);
    (rel(power(&x[..n])), rel(power(&x[x.len() - n..])))
}

/// The opening whose chord hints at the key: one 4/4 bar, or 2 s without a tempo.
fn opening_seconds(bpm: Option<f32>) -> f64 {
    bpm.filter(|b| *b > 0.0).map_or(2.0, |b| 240.0 / b as f64)
}

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
