//! CREPE tiny (Kim et al. 2018; MIT): monophonic f0, the second opinion on a one-shot's root
//! note.
//!
//! 1024-sample frames at 16 kHz, each made zero-mean and unit-variance; the model gives 360
//! pitch bins 20 cents apart (bin i = 1997.38 + 20·i cents above 10 Hz); the pitch is the
//! activation-weighted mean of the 9 bins around the strongest, its confidence that bin's
//! activation.

use super::infer::run_f32;
use super::models::{ModelId, Models};
use super::MlError;
use samplemind_audio::resample_mono;

const RATE: u32 = 16_000;
const FRAME: usize = 1024;
const BINS: usize = 360;
/// Frames below this activation are unvoiced.
const VOICED: f32 = 0.5;

/// A pitch reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pitch {
    /// Fundamental frequency, Hz.
    pub hz: f32,
    /// Median activation of the voiced frames, 0..1.
    pub confidence: f32,
    /// Share of the frames that were voiced, 0..1.
    pub voiced: f32,
}

fn bin_cents(i: usize) -> f32 {
    1_997.379_4 + 20.0 * i as f32
}

/// The f0 of `mono` (at `rate` Hz) over `seconds` from `start_s`, frames every `hop_s`: the
/// median of the voiced frames, or `None` when fewer than a quarter of them are voiced.
pub fn pitch(
    models: &Models,
    mono: &[f32],
    rate: u32,
    start_s: f64,
    seconds: f64,
    hop_s: f64,
) -> Result<Option<Pitch>, MlError> {
    let from = ((start_s * rate as f64) as usize).min(mono.len());
    let to = (from + ((seconds + 0.07) * rate as f64) as usize).min(mono.len());
    let audio = resample_mono(&mono[from..to], rate, RATE).map_err(MlError::Input)?;
    if audio.len() < FRAME {
        return Ok(None);
    }
    let hop = ((hop_s * RATE as f64) as usize).max(1);
    let count = 1 + (audio.len() - FRAME) / hop;
    let mut batch = Vec::with_capacity(count * FRAME);
    for f in 0..count {
        let frame = &audio[f * hop..f * hop + FRAME];
        let mean = frame.iter().sum::<f32>() / FRAME as f32;
        let sd = (frame.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / FRAME as f32).sqrt();
        let sd = sd.max(1e-8);
        batch.extend(frame.iter().map(|x| (x - mean) / sd));
    }
    let out = run_f32(
        models,
        ModelId::CrepeTiny,
        "frames",
        &[count, FRAME],
        &batch,
        &["classifier"],
    )?;
    let mut voiced: Vec<(f32, f32)> = out[0]
        .1
        .chunks_exact(BINS)
        .filter_map(|act| {
            let (best, &peak) = act.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
            if peak < VOICED {
                return None;
            }
            let lo = best.saturating_sub(4);
            let hi = (best + 5).min(BINS);
            let (num, den) = (lo..hi).fold((0f32, 0f32), |(n, d), i| {
                (n + act[i] * bin_cents(i), d + act[i])
            });
            Some((num / den, peak))
        })
        .collect();
    if voiced.len() * 4 < count {
        return Ok(None);
    }
    let share = voiced.len() as f32 / count as f32;
    voiced.sort_by(|a, b| a.0.total_cmp(&b.0));
    let cents = voiced[voiced.len() / 2].0;
    let mut conf: Vec<f32> = voiced.iter().map(|v| v.1).collect();
    conf.sort_by(f32::total_cmp);
    Ok(Some(Pitch {
        hz: 10.0 * 2f32.powf(cents / 1200.0),
        confidence: conf[conf.len() / 2],
        voiced: share,
    }))
}
