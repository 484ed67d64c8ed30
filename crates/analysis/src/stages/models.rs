//! The models' stage: what the local ONNX models hear in one sound, after the DSP stage.
//! Embeddings for similar sounds (aisfx for one-shots, musicnn for loops and long sounds),
//! tags, the models' category, a voice check (silero-vad) and CREPE's second opinion on the
//! root note. The runners live in [`samplemind_ml`]; the rules that merge their readings into the
//! record live here.

use crate::category_model;
use crate::pitch;
use crate::record::Analysis;
use crate::sound::StageInputs;
use crate::stages::dsp::{is_sure_drum, set_category};
use samplemind_ml::{aisfx, crepe, musicnn, vad, MlError, Models, ScoredTag, SoundVectors};

/// Blocks of aisfx per one-shot: one block is its first 1.5 s, where a one-shot is (shorter
/// sounds go in at their own length); the budget is models ≤ 3× the DSP.
pub const AISFX_BLOCKS: usize = 1;
/// musicnn patches per loop: one patch is 3 s, a bar and a half at 120 BPM.
pub const MUSICNN_PATCHES: usize = 1;
/// musicnn needs a phrase: one-shots shorter than this get no tags. At 3 s it also heard
/// 21 long single notes of DEV (3–5 s), a quarter of its calls: their category fared no
/// better with its embedding (cross-validated 75.5 % with, 76.6 % without), and music tags
/// on one note say little.
const MUSICNN_MIN_SECONDS: f64 = 5.0;
/// Tags below this score are not kept.
const TAG_MIN_SCORE: f32 = 0.2;
/// At most this many tags per sound.
const TAG_MAX: usize = 5;
/// CREPE looks at this much of a one-shot after its attack, a frame every [`CREPE_HOP`] s.
pub const CREPE_SECONDS: f64 = 0.5;
/// 100 ms between CREPE frames: a one-shot's pitch is steady, and 6 frames give a sure median.
/// On the DEV corpus's 40 root-labelled one-shots a 40, 80, 100 or 120 ms hop all name 40 of
/// 40; at 100 ms CREPE costs half what it did at 40 ms.
pub const CREPE_HOP: f64 = 0.1;

/// CREPE overrules the DSP root note, and gives one where the DSP found none if it is sure.
/// Measured on the DEV corpus's 40 root-labelled one-shots: DSP alone 36 octave-exact, CREPE
/// alone 39, this rule 40. Sounds the classifier calls drums keep no root.
fn second_opinion_on_root(a: &mut Analysis, p: &crepe::Pitch) {
    let sure = p.confidence >= CREPE_SURE;
    if !(a.root_note.is_some() || sure) {
        return;
    }
    let midi_f = 69.0 + 12.0 * (p.hz / 440.0).log2();
    let midi = midi_f.round();
    if !(0.0..=127.0).contains(&midi) {
        return;
    }
    a.root_note = Some(pitch::note_name(midi as u8));
    a.root_cents = Some(100.0 * (midi_f - midi));
    a.f0_hz = Some(p.hz);
}

/// CREPE at least this sure of one pitch takes back the DSP stage's chord reading: single
/// notes score a median 0.87 on the training corpus, chord one-shots 0.61. Chosen with the
/// chord thresholds (key.rs) by leaving one source out (tools/tune_chord_key.py).
const CREPE_ONE_VOICE: f32 = 0.8;

/// A sound shorter than this is too short for a voice to be told from a click.
const VAD_MIN_SECONDS: f64 = 0.3;
/// silero-vad listens to this much of a sound.
pub const VAD_SECONDS: f64 = 1.0;
/// Share of speech chunks from which a sound is tagged "vocal" (spoken word scores ~0.9,
/// drums and synths ~0; the DEV corpus's soundfont choirs score ≤ 0.08: no voice in them).
const VOCAL_SHARE: f32 = 0.3;

/// Add `tag` with `score`, or raise the score of the same tag from another model.
fn add_tag(tags: &mut Vec<ScoredTag>, tag: &str, score: f32) {
    match tags.iter_mut().find(|t| t.tag == tag) {
        Some(t) => t.score = t.score.max(score),
        None => tags.push(ScoredTag {
            tag: tag.to_string(),
            score,
        }),
    }
    tags.sort_by(|a, b| b.score.total_cmp(&a.score));
}

/// CREPE confidence above which it names a root the DSP did not find.
const CREPE_SURE: f32 = 0.6;

/// Run the models on one sound (`mono` at `rate` Hz, `a` its DSP analysis, `inputs` what the
/// DSP stage handed on): fill in `a.model_tags`, the CREPE reading, a second opinion on the
/// root note and the category, and return the sound's embeddings.
///
/// # Errors
/// The first model that fails; what ran before it is kept in `a`.
pub fn run(
    models: &Models,
    mono: &[f32],
    rate: u32,
    a: &mut Analysis,
    inputs: &StageInputs,
) -> Result<SoundVectors, MlError> {
    let mut vectors = SoundVectors::default();
    let silent = a.peak_db.is_none();
    // aisfx was trained on sound effects and one-shots; musicnn on music.
    if !silent && !a.is_loop {
        vectors.aisfx = aisfx::embed(models, mono, rate, AISFX_BLOCKS)?;
    }
    if !silent && (a.is_loop || a.duration_s >= MUSICNN_MIN_SECONDS) {
        let out = musicnn::analyse(models, mono, rate, MUSICNN_PATCHES)?;
        a.model_tags = out
            .top_tags(TAG_MIN_SCORE, TAG_MAX)
            .into_iter()
            .map(|(tag, score)| ScoredTag { tag, score })
            .collect();
        vectors.musicnn = out.embedding;
    }
    // Before VAD and CREPE: both skip what is surely drums, by the call that stands.
    let mut drum = is_sure_drum(&a.category_probabilities);
    if let Some(call) = category_model::classify(inputs, &vectors) {
        let dsp = a.category_confidence.unwrap_or(0.0);
        if category_model::overrules(call.probability, dsp) {
            drum = is_sure_drum(&call.distribution);
            set_category(
                a,
                call.category,
                call.probability,
                call.unsure,
                &call.distribution,
            );
        }
        // Similar sounds compare the models' distribution: cross-validated it is the surer.
        a.category_probabilities = call.distribution;
    }
    if !silent && !drum && a.duration_s >= VAD_MIN_SECONDS {
        let (share, _) = vad::speech_share(models, mono, rate, VAD_SECONDS)?;
        if share >= VOCAL_SHARE {
            add_tag(&mut a.model_tags, "vocal", share);
        }
    }
    if !silent && !a.is_loop && !drum {
        // Skip the attack: its noise is not the note.
        let start = (a.attack_ms.unwrap_or(0.0) as f64 / 1000.0).min(0.1);
        if let Some(p) = crepe::pitch(models, mono, rate, start, CREPE_SECONDS, CREPE_HOP)? {
            a.crepe_f0_hz = Some(p.hz);
            a.crepe_confidence = Some(p.confidence);
            if inputs.chord_root.is_some() && p.confidence >= CREPE_ONE_VOICE {
                // So sure of one voice that the DSP stage's chord was one note's harmonics.
                a.key = None;
                a.key_confidence = None;
                second_opinion_on_root(a, &p);
            } else if inputs.chord_root.is_none() {
                // CREPE follows one voice of a chord; a chord's root is the DSP stage's.
                second_opinion_on_root(a, &p);
            }
        }
    }
    Ok(vectors)
}
