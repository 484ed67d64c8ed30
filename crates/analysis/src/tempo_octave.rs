//! Which octave of a tempo a producer would write: 87 or 174, 72 or 144.
//!
//! An autocorrelation cannot tell a pulse from its double: a beat that repeats every
//! 0.69 s also repeats every 1.38 s. What tells them apart is how the registers move. The
//! backbeat (snare, clap: the mid register) falls every two beats, the kick and bass (low)
//! on the bar and half-bar, the hats (high) on the beat or faster. So for the pair of
//! candidates around a tempo (slow `s`, fast `2s`) we measure each register's
//! autocorrelation at ½, 1, 2 and 4 beats of the fast reading, and a logistic regression
//! trained on the eval DEV corpus (`tools/train_tempo_octave.py`, recipe in
//! `scripts/train-classifier.sh`, cross-validated figures in `BENCHMARKS.md`) says which
//! reading a person would count. A fixed prior around 120 BPM cannot: drum and bass at 174
//! and hip-hop at 87 have the same pulse train and opposite answers.
//!
//! Set `SAMPLEMIND_NO_TEMPO_OCTAVE=1` to switch it off.

use std::sync::OnceLock;

use serde::Deserialize;

use super::classify::{load_model, standardise};
use super::tempo::{Acf, Tempo};

pub(crate) const MODEL_JSON: &str = include_str!("../../../assets/models/tempo_octave.json");

/// Lags, in beats of the fast reading, where each register's autocorrelation is read.
const LAGS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];
/// Inputs of the model: the slow candidate's tempo, then each register's lags.
pub const INPUTS: usize = 1 + 3 * LAGS.len();
/// The octave pair straddles this tempo: the geometric middle of 55–220 BPM.
const PAIR_SPLIT_BPM: f32 = 110.0;

/// The slower reading of the octave pair a tempo belongs to (in `[55, 110)` BPM for tempi
/// the estimator reports).
pub fn slow_reading(bpm: f32) -> f32 {
    if bpm < PAIR_SPLIT_BPM {
        bpm
    } else {
        bpm / 2.0
    }
}

/// The model's input for the pair (`slow_bpm`, 2 × `slow_bpm`): log2 of the slow tempo
/// over 80 BPM, then for the low, mid and high registers the autocorrelation at ½, 1, 2
/// and 4 beats of the fast reading.
pub fn features(registers: &[Vec<f32>; 3], fps: f64, slow_bpm: f32) -> Vec<f32> {
    let fast_period = 60.0 / (2.0 * slow_bpm as f64) * fps;
    let mut x = Vec::with_capacity(INPUTS);
    x.push((slow_bpm / 80.0).log2());
    for env in registers {
        let acf = Acf::new(env, fps);
        x.extend(
            LAGS.iter()
                .map(|m| acf.as_ref().map_or(0.0, |a| a.at(fast_period * m))),
        );
    }
    x
}

#[derive(Deserialize)]
struct Model {
    mean: Vec<f32>,
    scale: Vec<f32>,
    weights: Vec<f32>,
    bias: f32,
}

fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| {
        load_model(
            "tempo_octave.json",
            MODEL_JSON,
            "SAMPLEMIND_NO_TEMPO_OCTAVE",
            |m: &Model| {
                [m.mean.len(), m.scale.len(), m.weights.len()]
                    .iter()
                    .all(|&n| n == INPUTS)
            },
        )
    })
    .as_ref()
}

/// Probability that the fast reading of the pair `x` describes ([`features`]) is the one
/// a person would count; `None` when the model is off.
pub fn fast_probability(x: &[f32]) -> Option<f32> {
    let m = model()?;
    if x.len() != INPUTS {
        return None;
    }
    let z = standardise(x, &m.mean, &m.scale);
    let logit = m.weights.iter().zip(&z).map(|(w, v)| w * v).sum::<f32>() + m.bias;
    Some(1.0 / (1.0 + (-logit).exp()))
}

/// Put `tempo` in the octave the model prefers, offering the other reading first among the
/// alternatives. Returns the model's input (for training) whether or not it ran.
pub fn settle(tempo: &mut Tempo, registers: &[Vec<f32>; 3], fps: f64) -> Vec<f32> {
    let slow = slow_reading(tempo.bpm);
    let x = features(registers, fps, slow);
    let Some(p_fast) = fast_probability(&x) else {
        return x;
    };
    let chosen = if p_fast >= 0.5 { 2.0 * slow } else { slow };
    if (chosen - tempo.bpm).abs() > 0.02 * chosen {
        let old = tempo.bpm;
        let (lose, win) = (p_fast.min(1.0 - p_fast), p_fast.max(1.0 - p_fast));
        tempo
            .alternatives
            .retain(|(b, _)| (b - chosen).abs() > 0.02 * chosen);
        tempo.alternatives.insert(0, (old, lose / win.max(1e-6)));
        tempo.bpm = chosen;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Low, mid and high onset envelopes of a drum pattern: `kick`, `snare` and `hat` list
    /// the 16th steps of one bar at `bpm` where each voice hits.
    fn pattern(
        bpm: f64,
        bars: usize,
        kick: &[usize],
        snare: &[usize],
        hat: &[usize],
    ) -> [Vec<f32>; 3] {
        let fps = 22_050.0 / 512.0;
        let step = 60.0 / bpm / 4.0 * fps;
        let n = (bars as f64 * 16.0 * step) as usize + 1;
        let mut env: [Vec<f32>; 3] = std::array::from_fn(|_| vec![0.02; n]);
        for bar in 0..bars {
            for (reg, steps) in [kick, snare, hat].iter().enumerate() {
                for s in *steps {
                    let i = ((bar * 16 + s) as f64 * step) as usize;
                    env[reg][i.min(n - 1)] = 1.0;
                }
            }
        }
        env
    }

    #[test]
    fn the_slow_reading_is_below_110_bpm() {
        assert_eq!(slow_reading(87.0), 87.0);
        assert_eq!(slow_reading(174.0), 87.0);
        assert_eq!(slow_reading(120.0), 60.0);
    }

    #[test]
    fn features_read_each_register_at_the_fast_beat() {
        let fps = 22_050.0 / 512.0;
        // Hats on every 8th at 174: the high register repeats at half a fast beat.
        let env = pattern(174.0, 8, &[0, 10], &[4, 12], &[0, 2, 4, 6, 8, 10, 12, 14]);
        let x = features(&env, fps, 87.0);
        assert_eq!(x.len(), INPUTS);
        assert!((x[0] - (87.0f32 / 80.0).log2()).abs() < 1e-6);
        let (low, mid, high) = (&x[1..5], &x[5..9], &x[9..13]);
        assert!(high[0] > 0.5, "hats every half beat: {high:?}");
        // The snare falls every two fast beats, never one beat apart.
        assert!(mid[2] > 0.5 && mid[1] < 0.2, "{mid:?}");
        // The kick pattern repeats only on the bar.
        assert!(low[3] > 0.5 && low[1] < 0.2, "{low:?}");
    }

    #[test]
    fn drum_and_bass_is_fast_and_hip_hop_is_slow() {
        let fps = 22_050.0 / 512.0;
        // The same kind of pulse at the same slow reading: only the backbeat differs.
        let dnb = pattern(174.0, 8, &[0, 10], &[4, 12], &[0, 2, 4, 6, 8, 10, 12, 14]);
        let hiphop = pattern(87.0, 4, &[0, 7, 10], &[4, 12], &[0, 2, 4, 6, 8, 10, 12, 14]);
        let p_dnb = fast_probability(&features(&dnb, fps, 87.0)).expect("model ships");
        let p_hiphop = fast_probability(&features(&hiphop, fps, 87.0)).expect("model ships");
        assert!(p_dnb > 0.5, "dnb read as 87: {p_dnb}");
        assert!(p_hiphop < 0.5, "hip-hop read as 174: {p_hiphop}");
    }

    #[test]
    fn settle_moves_the_tempo_and_offers_the_old_one() {
        let fps = 22_050.0 / 512.0;
        let dnb = pattern(174.0, 8, &[0, 10], &[4, 12], &[0, 2, 4, 6, 8, 10, 12, 14]);
        let mut t = Tempo {
            bpm: 87.0,
            confidence: 0.6,
            alternatives: vec![(174.0, 0.9), (43.5, 0.2)],
            source: super::super::TempoSource::BarFit,
            heard_bpm: 86.0,
            heard_confidence: 0.5,
        };
        settle(&mut t, &dnb, fps);
        assert_eq!(t.bpm, 174.0);
        assert_eq!(t.alternatives[0].0, 87.0);
        assert!(t.alternatives.iter().all(|(b, _)| (b - 174.0).abs() > 1.0));
    }
}
