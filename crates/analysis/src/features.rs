//! The feature vector the classifiers read, computed from an [`Analysis`] in one place so
//! training (`analyze --json --features`) and inference see the same numbers.

use super::sound::StageInputs;
use super::Analysis;

/// Names of [`vector`]'s entries, in order (the training script checks them).
pub const NAMES: &[&str] = &[
    "log_duration",
    "onset_rate",
    "log_onsets",
    "log_centroid",
    "log_rolloff",
    "flatness",
    "zcr",
    "log_attack",
    "log_decay",
    "crest_db",
    "has_tempo",
    "bpm_confidence",
    "barfit_residual",
    "key_confidence",
    "chroma_peakiness",
    "pitched",
    "log_f0",
    "loop_v1",
    "start_db",
    "end_db",
    "oct_mean_0",
    "oct_mean_1",
    "oct_mean_2",
    "oct_mean_3",
    "oct_mean_4",
    "oct_mean_5",
    "oct_mean_6",
    "oct_mean_7",
    "oct_mean_8",
    "oct_std_0",
    "oct_std_1",
    "oct_std_2",
    "oct_std_3",
    "oct_std_4",
    "oct_std_5",
    "oct_std_6",
    "oct_std_7",
    "oct_std_8",
    "cep_mean_0",
    "cep_mean_1",
    "cep_mean_2",
    "cep_mean_3",
    "cep_mean_4",
    "cep_mean_5",
    "cep_mean_6",
    "cep_mean_7",
    "cep_mean_8",
    "cep_mean_9",
    "cep_mean_10",
    "cep_mean_11",
    "cep_mean_12",
    "cep_std_0",
    "cep_std_1",
    "cep_std_2",
    "cep_std_3",
    "cep_std_4",
    "cep_std_5",
    "cep_std_6",
    "cep_std_7",
    "cep_std_8",
    "cep_std_9",
    "cep_std_10",
    "cep_std_11",
    "cep_std_12",
];

/// The features of `a` and of what its DSP stage handed on (`inputs`), [`NAMES`] in order.
/// Missing measurements take a neutral value.
pub fn vector(a: &Analysis, inputs: &StageInputs) -> Vec<f32> {
    let dur = a.duration_s.max(0.0) as f32;
    let ln1 = |v: Option<f32>| v.map_or(0.0, |v| (1.0 + v.max(0.0)).ln());
    // What the audio supports: a loop's reported tempo is whole beats by construction.
    let heard = inputs
        .heard_tempo
        .or_else(|| a.bpm.map(|b| (b, a.bpm_confidence.unwrap_or(0.0))));
    let barfit = match heard.map(|h| h.0) {
        Some(bpm) if bpm > 0.0 => {
            let beats = dur * bpm / 60.0;
            (beats - beats.round()).abs()
        }
        _ => 0.5,
    };
    // Loops and phrases only, as the classifiers were trained: one-shots' profiles are
    // newer (chord keys) and have not been measured as a feature.
    let peakiness = if a.chroma.is_empty() || !(a.is_loop || a.bpm.is_some()) {
        0.0
    } else {
        1.0 - a.chroma.iter().sum::<f32>() / a.chroma.len() as f32
    };
    let mut v = vec![
        (dur + 0.01).ln(),
        (a.onset_count as f32 / dur.max(0.1)).min(20.0),
        (1.0 + a.onset_count as f32).ln(),
        ln1(a.spectral_centroid_hz),
        ln1(a.spectral_rolloff_hz),
        a.spectral_flatness.unwrap_or(0.0),
        a.zero_crossing_rate,
        ln1(a.attack_ms),
        ln1(a.decay_ms),
        match (a.peak_db, a.rms_db) {
            (Some(p), Some(r)) => p - r,
            _ => 0.0,
        },
        a.bpm.is_some() as u8 as f32,
        heard.map_or(0.0, |h| h.1),
        barfit,
        a.key_confidence.unwrap_or(0.0),
        peakiness,
        a.f0_hz.is_some() as u8 as f32,
        a.f0_hz.map_or(0.0, |f| f.max(1.0).ln()),
        a.is_loop as u8 as f32,
        inputs.edge_levels_db.0,
        inputs.edge_levels_db.1,
    ];
    let mut timbre = a.timbre.clone();
    timbre.resize(NAMES.len() - v.len(), 0.0);
    v.extend(timbre);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_matches_names_even_without_timbre() {
        assert_eq!(
            vector(&Analysis::default(), &StageInputs::default()).len(),
            NAMES.len()
        );
        let a = Analysis {
            timbre: vec![1.0; 44],
            duration_s: 2.0,
            bpm: Some(120.0),
            ..Analysis::default()
        };
        let v = vector(&a, &StageInputs::default());
        assert_eq!(v.len(), NAMES.len());
        assert_eq!(v[12], 0.0); // 4 beats exactly
    }
}
