//! Sample-rate conversion of a mono buffer with rubato's synchronous FFT resampler.
//!
//! rubato was chosen over a hand-written polyphase filter: its FFT resampler is exact for
//! fixed ratios (44.1k → 22.05k is a plain 2:1), band-limited, and fast enough that it is a
//! small share of analysis time.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Convert `input` (mono, `from` Hz) to `to` Hz. Returns the input unchanged when the rates
/// are equal. The output has `len * to / from` frames (rounded), with rubato's delay removed.
///
/// # Errors
/// A message when rubato refuses the rates (0 Hz, or a ratio it cannot build).
pub fn resample_mono(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, String> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Input)
        .map_err(|e| e.to_string())?;
    let adapter = InterleavedSlice::new(input, 1, input.len()).map_err(|e| e.to_string())?;
    let out = resampler
        .process_all(&adapter, input.len(), None)
        .map_err(|e| e.to_string())?;
    Ok(out.take_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_length_and_keeps_a_tone() {
        let from = 44_100;
        let x: Vec<f32> = (0..from)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / from as f32).sin())
            .collect();
        let y = resample_mono(&x, from as u32, 22_050).unwrap();
        assert!((y.len() as i64 - 22_050).abs() <= 2, "len {}", y.len());
        // Same RMS (0.707) away from the edges.
        let mid = &y[2000..20000];
        let rms = (mid.iter().map(|v| v * v).sum::<f32>() / mid.len() as f32).sqrt();
        assert!(
            (rms - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01,
            "rms {rms}"
        );
    }

    #[test]
    fn same_rate_is_identity() {
        let x = vec![0.1, 0.2, 0.3];
        assert_eq!(resample_mono(&x, 48_000, 48_000).unwrap(), x);
    }
}
