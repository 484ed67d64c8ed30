//! The DSP stage: every signal analyser on one mono buffer (spectrum, onsets, loop call,
//! tempo, key, root note, the category from the DSP features), then what the file says about
//! itself (loop chunks, tempo in the name) over what the audio suggests.

use std::path::Path;

use crate::record::{Analysis, ANALYSER_VERSION};
use crate::sound::StageInputs;
use crate::{
    classify, features, key, loop_detect, metadata, onsets, pitch, spectral, tempo, tempo_octave,
    TempoSource,
};

/// What the file says about itself (loop chunks, names) over what the audio suggests.
pub(crate) fn apply_file_hints(path: &Path, a: &mut Analysis) {
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

/// Summed probability of the drum classes above which a sound loses its root note and key.
/// Chosen by `tools/drum_gate_check.py` on calibrated leave-one-source-out distributions: a
/// gate on the drum classes' mass (rather than on the called class alone) lets 8.6 % fewer
/// drum hits show a note for 0.3 % more tonal one-shots losing their root, at the 0.7 that
/// leaving each source out chose most often (a lost root weighing two drum notes).
pub const DRUM_GATE_PROBABILITY: f32 = 0.7;

/// Run the signal analysers on a mono buffer at `rate` Hz; `duration_s` is the full file's
/// length (the buffer may be a capped prefix); `levels` are the file's (peak, RMS) in dBFS,
/// which the classifiers read. Loudness and format fields are left for the caller.
pub fn analyse_mono(
    mono: &[f32],
    rate: u32,
    duration_s: f64,
    levels: (Option<f32>, Option<f32>),
) -> (Analysis, StageInputs) {
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
        analysed_seconds: mono.len() as f64 / rate as f64,
        analyser_version: ANALYSER_VERSION,
        ..Analysis::default()
    };
    let mut inputs = StageInputs {
        edge_levels_db: edge_levels_db(mono, rate),
        ..StageInputs::default()
    };
    musical(&mut a, &mut inputs, mono, rate, &spec);
    inputs.classifier_input = features::vector(&a, &inputs);
    if let Some(v) = classify::classify(&inputs.classifier_input) {
        a.loop_probability = Some(v.loop_probability);
        if v.is_loop != a.is_loop {
            // Tempo (whole-beats fit), key and root note all depend on the loop call.
            a.is_loop = v.is_loop;
            musical(&mut a, &mut inputs, mono, rate, &spec);
        }
        set_category(
            &mut a,
            v.category,
            v.category_probability,
            v.category_unsure,
            &v.distribution,
        );
        a.category_probabilities = v.distribution;
    }
    (a, inputs)
}

/// Call `a` a `category` with probability `p` (`unsure` below the model's threshold), from the
/// classifier's `distribution` over [`classify::CATEGORIES`]. Drums get no note and no key,
/// but only when the drum classes together are likely: a bass note called a tom must keep its
/// root.
pub fn set_category(
    a: &mut Analysis,
    category: String,
    p: f32,
    unsure: bool,
    distribution: &[f32],
) {
    if is_sure_drum(distribution) {
        a.root_note = None;
        a.root_cents = None;
        a.f0_hz = None;
        a.key = None;
        a.key_confidence = None;
    }
    a.category = Some(category);
    a.category_confidence = Some(p);
    a.category_unsure = unsure;
}

/// A sound with this category `distribution` (over [`classify::CATEGORIES`]) is a drum hit
/// for sure: no note, no key.
pub fn is_sure_drum(distribution: &[f32]) -> bool {
    drum_mass(distribution) >= DRUM_GATE_PROBABILITY
}

/// The summed probability of the drum classes ([`classify::DRUM_CATEGORIES`]).
pub fn drum_mass(distribution: &[f32]) -> f32 {
    classify::CATEGORIES
        .iter()
        .zip(distribution)
        .filter(|(c, _)| classify::DRUM_CATEGORIES.contains(c))
        .map(|(_, p)| p)
        .sum()
}

/// Tempo, key and root note, given `a.is_loop` and the onsets counted in `a`.
fn musical(
    a: &mut Analysis,
    inputs: &mut StageInputs,
    mono: &[f32],
    rate: u32,
    spec: &spectral::Spectral,
) {
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
    inputs.tempo_octave_input = tempo
        .as_mut()
        .map(|t| tempo_octave::settle(t, &spec.register_flux, fps))
        .unwrap_or_default();
    a.bpm = tempo.as_ref().map(|t| t.bpm);
    a.bpm_confidence = tempo.as_ref().map(|t| t.confidence);
    inputs.heard_tempo = tempo.as_ref().map(|t| (t.heard_bpm, t.heard_confidence));
    a.bpm_alternatives = tempo
        .as_ref()
        .map(|t| t.alternatives.iter().map(|x| x.0).collect())
        .unwrap_or_default();
    a.tempo_source = tempo.as_ref().map(|t| t.source);
    let pitch = (!a.is_loop).then(|| pitch::estimate(mono, rate)).flatten();
    a.root_note = pitch.as_ref().map(pitch::Pitch::note_name);
    a.root_cents = pitch.as_ref().map(|p| p.cents);
    a.f0_hz = pitch.as_ref().map(|p| p.f0_hz);
    // A loop has the key of its whole profile, and so has a phrase: a sound with a pulse long
    // enough to move through chords. Anything shorter is filed under the chord it sounds, if
    // it sounds one (a stab, a strum, a pad chord), and a single note has no key. Chosen on
    // the training corpus, one source left out at a time (tools/tune_chord_key.py;
    // BENCHMARKS.md).
    let moves = a.is_loop || tempo.is_some();
    let phrase = a.is_loop || (tempo.is_some() && a.duration_s >= key::PHRASE_MIN_SECONDS);
    let opening = if moves { opening_seconds(a.bpm) } else { 0.0 };
    let chroma = key::chroma(mono, rate, opening);
    let chord = (!phrase)
        .then(|| chroma.as_ref().and_then(key::chord))
        .flatten();
    let k = if phrase {
        chroma
            .as_ref()
            .map(key::best_key)
            .filter(|k| k.confidence >= key::MIN_CONFIDENCE)
    } else {
        chord.as_ref().and_then(key::Chord::key)
    };
    a.key = k.as_ref().map(key::Key::name);
    a.key_confidence = k.as_ref().map(|k| k.confidence);
    if let Some(ch) = &chord {
        // A chord's root note is the chord's root, in the octave nearest what YIN heard.
        let near = pitch.as_ref().map_or(48.0, |p| p.midi as f32);
        let midi = chord_root_midi(ch.root, near);
        a.root_note = Some(pitch::note_name(midi));
        a.root_cents = None;
        a.f0_hz = None;
        inputs.chord_root = Some(ch.root);
    } else {
        inputs.chord_root = None;
    }
    a.chroma = chroma.map(|c| c.bins.to_vec()).unwrap_or_default();
}

/// The MIDI note of pitch class `root` nearest `near` (a MIDI number).
fn chord_root_midi(root: u8, near: f32) -> u8 {
    let base = (near / 12.0).floor() * 12.0 + root as f32;
    let best = [base - 12.0, base, base + 12.0]
        .into_iter()
        .min_by(|a, b| (a - near).abs().total_cmp(&(b - near).abs()))
        .unwrap_or(base);
    best.clamp(0.0, 127.0) as u8
}

/// [`StageInputs::edge_levels_db`] of `x`: each edge's mean power over the whole buffer's,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn distribution(of: &[(&str, f32)]) -> Vec<f32> {
        classify::CATEGORIES
            .iter()
            .map(|c| of.iter().find(|(k, _)| k == c).map_or(0.0, |(_, p)| *p))
            .collect()
    }

    #[test]
    fn the_drum_gate_weighs_every_drum_class_together() {
        let mut a = Analysis {
            root_note: Some("C2".into()),
            key: Some("C minor".into()),
            ..Analysis::default()
        };
        // Called a tom at 0.45, but a bass at 0.4: not surely a drum, the note stays.
        let unsure = distribution(&[("tom", 0.45), ("bass", 0.4), ("kick", 0.15)]);
        set_category(&mut a, "tom".into(), 0.45, false, &unsure);
        assert_eq!(a.root_note.as_deref(), Some("C2"));
        // A tom at 0.45 and a kick at 0.35: surely some drum, though no class reaches 0.7.
        let drums = distribution(&[("tom", 0.45), ("kick", 0.35), ("bass", 0.2)]);
        assert!((drum_mass(&drums) - 0.8).abs() < 1e-6);
        set_category(&mut a, "tom".into(), 0.45, false, &drums);
        assert_eq!((a.root_note, a.key), (None, None));
        assert!(!is_sure_drum(&[]), "no classifier, no gate");
    }
}
