//! silero-vad (MIT): how much of a sound is voice, for the "vocal" tag.
//!
//! The model is recurrent: 16 kHz audio in chunks of 512 samples, each with the 64 samples
//! before it as context, and a state carried from chunk to chunk. It gives the probability
//! that each 32 ms chunk is speech. Singing and spoken word both score; a voice chopped into
//! a one-shot scores on its voiced part.

use ort::value::TensorRef;

use super::models::{ModelId, Models};
use super::MlError;
use samplemind_audio::resample_mono;

const RATE: u32 = 16_000;
const CHUNK: usize = 512;
const CONTEXT: usize = 64;
/// Chunk probability above which a chunk is speech (the package's default threshold).
const SPEECH: f32 = 0.5;

/// Share of the 32 ms chunks of the first `max_seconds` of `mono` (at `rate` Hz) that are
/// speech, and the mean probability over those chunks.
pub fn speech_share(
    models: &Models,
    mono: &[f32],
    rate: u32,
    max_seconds: f64,
) -> Result<(f32, f32), MlError> {
    let end = ((max_seconds * rate as f64) as usize).min(mono.len());
    let audio = resample_mono(&mono[..end], rate, RATE).map_err(MlError::Input)?;
    let chunks = audio.len() / CHUNK;
    if chunks == 0 {
        return Ok((0.0, 0.0));
    }
    let pool = models.pool(ModelId::SileroVad)?;
    pool.with_session(models.runtime(), |session| {
        let mut state = vec![0f32; 2 * 128];
        let mut input = vec![0f32; CONTEXT + CHUNK];
        let sr = [RATE as i64];
        let (mut speech, mut sum) = (0usize, 0f32);
        for c in 0..chunks {
            // The context is the end of the previous chunk (zeros before the first).
            input.copy_within(CHUNK.., 0);
            input[CONTEXT..].copy_from_slice(&audio[c * CHUNK..(c + 1) * CHUNK]);
            let out = session.run(ort::inputs![
                "input" => TensorRef::from_array_view(([1usize, CONTEXT + CHUNK], &input[..]))?,
                "state" => TensorRef::from_array_view(([2usize, 1, 128], &state[..]))?,
                "sr" => TensorRef::from_array_view(((), &sr[..]))?,
            ])?;
            let p = out["output"].try_extract_tensor::<f32>()?.1[0];
            let next = out["stateN"].try_extract_tensor::<f32>()?.1;
            let n = state.len();
            state.copy_from_slice(&next[..n]);
            sum += p;
            if p >= SPEECH {
                speech += 1;
            }
        }
        Ok((speech as f32 / chunks as f32, sum / chunks as f32))
    })
}
