//! Sample-rate conversion of a mono buffer with rubato.
//!
//! rubato was chosen over a hand-written polyphase filter: its FFT resampler is exact for
//! fixed ratios (44.1k → 22.05k is a plain 2:1), band-limited, and fast enough that it is a
//! small share of analysis time.
//!
//! The FFT resampler's transforms are sized by the rates divided by their greatest common
//! divisor, so its memory follows the rates a header states: 999,983 Hz → 22,050 Hz needs
//! transforms of about a million points (125 MB). Ratios that reduce to small numbers, which
//! is every rate real audio uses, take the FFT path; any other ratio takes rubato's
//! asynchronous sinc resampler, whose filter table has a fixed size whatever the rates.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters, WindowFunction,
};

/// The largest reduced rate (rate ÷ gcd of the two rates) the FFT path accepts. 768 kHz →
/// 22.05 kHz reduces to 5120 / 147, the largest of the standard rates.
const MAX_FFT_REDUCED_RATE: u32 = 8192;

/// Frames the sinc path takes per call: memory of a few chunks, whatever the input length.
const SINC_CHUNK: usize = 1024;

/// Convert `input` (mono, `from` Hz) to `to` Hz. Returns the input unchanged when the rates
/// are equal. The output has `len * to / from` frames (rounded), with rubato's delay removed.
///
/// # Errors
/// A message when rubato refuses the rates (0 Hz, or a ratio it cannot build).
pub fn resample_mono(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, String> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    if from == 0 || to == 0 {
        return Err(format!("cannot resample from {from} Hz to {to} Hz"));
    }
    let adapter = InterleavedSlice::new(input, 1, input.len()).map_err(|e| e.to_string())?;
    let g = gcd(from, to);
    let out = if from / g <= MAX_FFT_REDUCED_RATE && to / g <= MAX_FFT_REDUCED_RATE {
        Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Input)
            .map_err(|e| e.to_string())?
            .process_all(&adapter, input.len(), None)
    } else {
        Async::<f32>::new_sinc(
            to as f64 / from as f64,
            1.0,
            &SincInterpolationParameters::new(128, WindowFunction::BlackmanHarris2),
            SINC_CHUNK,
            1,
            FixedAsync::Input,
        )
        .map_err(|e| e.to_string())?
        .process_all(&adapter, input.len(), None)
    }
    .map_err(|e| e.to_string())?;
    Ok(out.take_data())
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 440 Hz sine of `frames` at `rate`.
    fn tone(rate: u32, frames: u32) -> Vec<f32> {
        (0..frames)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / rate as f32).sin())
            .collect()
    }

    /// The sine kept its level (RMS 0.707) in `mid`, away from the edges.
    fn assert_full_level(mid: &[f32]) {
        let rms = (mid.iter().map(|v| v * v).sum::<f32>() / mid.len() as f32).sqrt();
        assert!(
            (rms - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01,
            "rms {rms}"
        );
    }

    #[test]
    fn halves_length_and_keeps_a_tone() {
        let x = tone(44_100, 44_100);
        let y = resample_mono(&x, 44_100, 22_050).unwrap();
        assert!((y.len() as i64 - 22_050).abs() <= 2, "len {}", y.len());
        assert_full_level(&y[2000..20000]);
    }

    #[test]
    fn an_odd_rate_takes_the_bounded_path_and_keeps_a_tone() {
        // 999,983 Hz is prime: the FFT path would need million-point transforms.
        let from = 999_983u32;
        let x = tone(from, from / 4);
        let y = resample_mono(&x, from, 22_050).unwrap();
        let want = (x.len() as u64 * 22_050 / from as u64) as i64;
        assert!(
            (y.len() as i64 - want).abs() <= 2,
            "len {} want {want}",
            y.len()
        );
        assert_full_level(&y[500..y.len() - 500]);
    }

    #[test]
    fn standard_rates_reduce_to_the_fft_path() {
        for from in [
            8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000,
        ] {
            for to in [16_000, 22_050, 44_100, 48_000] {
                let g = gcd(from, to);
                assert!(from / g <= MAX_FFT_REDUCED_RATE && to / g <= MAX_FFT_REDUCED_RATE);
            }
        }
        for from in [176_400, 192_000, 352_800, 384_000, 705_600, 768_000] {
            let g = gcd(from, 22_050);
            assert!(from / g <= MAX_FFT_REDUCED_RATE, "{from}");
        }
    }

    #[test]
    fn same_rate_is_identity() {
        let x = vec![0.1, 0.2, 0.3];
        assert_eq!(resample_mono(&x, 48_000, 48_000).unwrap(), x);
    }
}
