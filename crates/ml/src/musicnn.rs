//! musicnn (Pons & Serra; ISC) trained on MagnaTagATune: 50 tags (instruments, moods,
//! tempo words) and a 200-d embedding, the "sounds like" vector of loops and phrases.
//!
//! Front end as the `musicnn` package computes it: 16 kHz mono, 512-point frames every 256
//! samples, 96 mel bands (librosa defaults: Slaney scale and area), power,
//! `log10(1 + 10⁴·x)`, in patches of 187 frames (3 s) without overlap; a sound's tags and
//! embedding are the means over its patches.

use std::sync::OnceLock;

use super::aisfx::mean_rows;
use super::infer::run_f32;
use super::mel::{FilterNorm, MelConfig, MelFrontEnd, MelScale};
use super::models::{ModelId, Models};
use super::MlError;
use samplemind_audio::resample_mono;

/// Embedding length.
pub const DIM: usize = 200;
const RATE: u32 = 16_000;
const PATCH: usize = 187;
const MELS: usize = 96;

/// The 50 MagnaTagATune tags, in the model's output order.
pub fn labels() -> &'static [&'static str] {
    static LABELS: OnceLock<Vec<&'static str>> = OnceLock::new();
    LABELS.get_or_init(|| {
        include_str!("../../../assets/models/musicnn_MTT_musicnn.labels.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

fn front_end() -> &'static MelFrontEnd {
    static FE: OnceLock<MelFrontEnd> = OnceLock::new();
    FE.get_or_init(|| {
        MelFrontEnd::new(MelConfig {
            rate: RATE,
            n_fft: 512,
            hop: 256,
            n_mels: MELS,
            f_min: 0.0,
            f_max: 8_000.0,
            scale: MelScale::Slaney,
            norm: FilterNorm::Slaney,
        })
    })
}

/// What musicnn says about a sound.
#[derive(Debug, Clone)]
pub struct MusicnnOutput {
    /// Tag probability per [`labels`] entry.
    pub tag_scores: Vec<f32>,
    /// Unit-length 200-d embedding.
    pub embedding: Vec<f32>,
}

impl MusicnnOutput {
    /// Tags scoring at least `min`, best first.
    pub fn top_tags(&self, min: f32, max: usize) -> Vec<(String, f32)> {
        let mut tags: Vec<(String, f32)> = labels()
            .iter()
            .zip(&self.tag_scores)
            .filter(|(_, &s)| s >= min)
            .map(|(l, &s)| (l.to_string(), s))
            .collect();
        tags.sort_by(|a, b| b.1.total_cmp(&a.1));
        tags.truncate(max);
        tags
    }
}

/// Run musicnn on at most `max_patches` 3-second patches of `mono` (at `rate` Hz).
pub fn analyse(
    models: &Models,
    mono: &[f32],
    rate: u32,
    max_patches: usize,
) -> Result<MusicnnOutput, MlError> {
    // Resample only what the patches read (plus a frame of margin for the resampler's
    // edge): a 16-bar loop would otherwise be resampled whole for its first 3 seconds.
    let need_s = ((PATCH * max_patches.max(1) + 2) * 256 + 512) as f64 / RATE as f64;
    let keep = ((need_s * rate as f64) as usize).min(mono.len());
    let audio = resample_mono(&mono[..keep], rate, RATE).map_err(MlError::Input)?;
    let fe = front_end();
    let mel = fe.log_mel(&audio, PATCH * max_patches.max(1));
    let frames = mel.len() / MELS;
    // Whole patches only, except that a short sound is zero-padded to one patch.
    let patches = (frames / PATCH).clamp(1, max_patches.max(1));
    let mut batch = vec![0f32; patches * PATCH * MELS];
    let n = batch.len().min(mel.len());
    batch[..n].copy_from_slice(&mel[..n]);
    let out = run_f32(
        models,
        ModelId::MusicnnMtt,
        "model/mel:0",
        &[patches, PATCH, MELS],
        &batch,
        &["model/tags:0", "model/penultimate:0"],
    )?;
    let tags = &out[0].1;
    let width = labels().len();
    let mut tag_scores = vec![0f32; width];
    for row in tags.chunks_exact(width) {
        tag_scores
            .iter_mut()
            .zip(row)
            .for_each(|(a, b)| *a += b / patches as f32);
    }
    Ok(MusicnnOutput {
        tag_scores,
        embedding: mean_rows(&out[1].1, DIM),
    })
}
