//! Short-time spectrum of the mono analysis buffer (realfft), and what we read from it:
//! centroid, rolloff, flatness, per-frame level, and spectral flux for onset detection.
//!
//! realfft (a real-input wrapper over rustfft) does the transforms: it is the standard Rust
//! FFT, SIMD-accelerated, and halves the work of a complex FFT on real audio.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

/// FFT frame length in samples at the analysis rate (46 ms at 22.05 kHz).
pub const FRAME: usize = 1024;
/// Hop between frames (23 ms at 22.05 kHz). Onset times are refined in the time domain, so
/// the hop only needs to separate hits, not time them.
pub const HOP: usize = 512;
/// Lowest edge of the onset bands, Hz.
const BAND_LOW_HZ: f32 = 40.0;
/// Onset bands per octave.
const BANDS_PER_OCTAVE: f32 = 4.0;
/// Log compression of normalised band energy: ln(1 + γE) has its knee 50 dB below full scale.
const GAMMA: f32 = 1e5;
/// Frames quieter than this (dBFS) are left out of the spectral averages.
pub const SILENCE_DB: f32 = -60.0;

/// Per-file spectral figures and per-frame curves.
#[derive(Debug, Clone)]
pub struct Spectral {
    /// Energy-weighted mean centroid, Hz.
    pub centroid_hz: Option<f32>,
    /// Energy-weighted mean 85 % rolloff, Hz.
    pub rolloff_hz: Option<f32>,
    /// Energy-weighted mean flatness (0..1).
    pub flatness: Option<f32>,
    /// Half-wave rectified log-magnitude flux per frame (onset strength).
    pub flux: Vec<f32>,
    /// The same flux split by register ([`REGISTERS`]): low (kick, bass), mid (snare,
    /// chords), high (hats, cymbals). Which register pulses at which rate tells a tempo
    /// from its double or half ([`super::tempo_octave`]).
    pub register_flux: [Vec<f32>; 3],
    /// Level of each frame, dBFS (-120 for digital silence).
    pub frame_db: Vec<f32>,
    /// Seconds between frames.
    pub hop_seconds: f64,
    /// Spectral shape: for each octave band from 40 Hz ([`OCTAVES`]), the mean level of
    /// non-silent frames relative to their total (dB), then the standard deviation of that
    /// level over time (dB). A compact timbre description for classifiers and similarity.
    pub octave_shape: Vec<f32>,
    /// Mean then standard deviation over non-silent frames of [`CEPSTRA`] cepstral
    /// coefficients; the standard compact timbre description of instrument classifiers.
    pub cepstrum: Vec<f32>,
}

/// Upper edges (Hz) of the low and mid registers of [`Spectral::register_flux`].
pub const REGISTERS: [f32; 2] = [150.0, 3000.0];

/// Octave bands in [`Spectral::octave_shape`]: 40–80 Hz up to 10.24 kHz and above.
pub const OCTAVES: usize = 9;
/// Cepstral coefficients in [`Spectral::cepstrum`] (DCT-II of log quarter-octave band
/// energies: MFCCs on a log-frequency scale instead of mel).
pub const CEPSTRA: usize = 13;

/// Thread-local FFT plan: analysis workers reuse their plan across files.
fn plan() -> Arc<dyn RealToComplex<f32>> {
    thread_local! {
        static PLAN: Arc<dyn RealToComplex<f32>> = RealFftPlanner::<f32>::new().plan_fft_forward(FRAME);
    }
    PLAN.with(Arc::clone)
}

/// Analyse `x` (mono, `rate` Hz).
pub fn analyse(x: &[f32], rate: u32) -> Spectral {
    let fft = plan();
    let window: Vec<f32> = (0..FRAME)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / FRAME as f32).cos())
        .collect();
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let bins = spectrum.len();
    let bin_hz = rate as f32 / FRAME as f32;
    let band_of = band_map(bins, bin_hz);
    let n_bands = band_of.iter().copied().max().map_or(1, |b| b + 1);
    let mut band = vec![0.0f32; n_bands];
    let mut band_log = vec![0.0f32; n_bands];
    let mut prev_log = vec![0.0f32; n_bands];
    let mut power = vec![0.0f32; bins];
    // A full-scale sine peaks at FRAME/4 in a Hann-windowed FFT: normalise power to ~1.
    let norm = 1.0 / ((FRAME as f32 / 4.0) * (FRAME as f32 / 4.0));

    // Frames are centred (frame n is centred on sample n·HOP, the signal is led by half a
    // frame of silence) so a hit at t = 0 is not hidden under the window's edge. Whole
    // frames only at the end: a zero-padded last frame would read the cut as a hit.
    let half = FRAME / 2;
    let padded = x.len() + half;
    let n_frames = if padded <= FRAME {
        1
    } else {
        1 + (padded - FRAME) / HOP
    };
    let mut flux = Vec::with_capacity(n_frames);
    let mut register_flux: [Vec<f32>; 3] = std::array::from_fn(|_| Vec::with_capacity(n_frames));
    // Each band's register, from its lowest bin.
    let mut register_of = vec![usize::MAX; n_bands];
    for (k, &b) in band_of.iter().enumerate() {
        if register_of[b] == usize::MAX {
            let hz = k as f32 * bin_hz;
            register_of[b] = REGISTERS.iter().filter(|&&edge| hz >= edge).count();
        }
    }
    let mut frame_db = Vec::with_capacity(n_frames);
    let (mut w_sum, mut c_sum, mut r_sum, mut f_sum) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let octave_of: Vec<usize> = (0..bins)
        .map(|k| {
            let hz = (k as f32 * bin_hz).max(1.0);
            ((hz / BAND_LOW_HZ).log2().floor().max(0.0) as usize).min(OCTAVES - 1)
        })
        .collect();
    let mut oct_stats = MeanStd::new(OCTAVES);
    let mut cep_stats = MeanStd::new(CEPSTRA);
    let mut cep = [0.0f32; CEPSTRA];
    let mut log_band = vec![0.0f32; n_bands];
    // DCT-II basis, rows = coefficients.
    let dct: Vec<f32> = (0..CEPSTRA)
        .flat_map(|c| {
            (0..n_bands).map(move |b| {
                (std::f32::consts::PI * c as f32 * (b as f32 + 0.5) / n_bands as f32).cos()
            })
        })
        .collect();

    for f in 0..n_frames {
        let lead = half.saturating_sub(f * HOP);
        let start = (f * HOP).saturating_sub(half);
        let end = (start + FRAME - lead).min(x.len());
        let frame = &x[start.min(x.len())..end];
        let ms = frame.iter().map(|v| v * v).sum::<f32>() / FRAME as f32;
        let db = if ms > 0.0 { 10.0 * ms.log10() } else { -120.0 };
        frame_db.push(db);
        let samples = std::iter::repeat_n(&0.0f32, lead)
            .chain(frame)
            .chain(std::iter::repeat(&0.0));
        input
            .iter_mut()
            .zip(window.iter().zip(samples))
            .for_each(|(o, (w, v))| *o = w * v);
        if fft
            .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
            .is_err()
        {
            flux.push(0.0);
            register_flux.iter_mut().for_each(|r| r.push(0.0));
            continue;
        }
        band.iter_mut().for_each(|b| *b = 0.0);
        let mut total = 0.0f32;
        let mut weighted = 0.0f32;
        let mut log_sum = 0.0f32;
        for k in 0..bins {
            let p = spectrum[k].norm_sqr() * norm;
            power[k] = p;
            total += p;
            weighted += k as f32 * p;
            band[band_of[k]] += p;
            if k > 0 {
                log_sum += fast_ln(p + 1e-12);
            }
        }
        // SuperFlux: compare each band with the strongest of its neighbours one frame back,
        // so vibrato and tremolo sliding between bands do not read as new hits.
        let mut by_register = [0.0f32; 3];
        for (l, e) in band_log.iter_mut().zip(&band) {
            *l = (1.0 + GAMMA * e).ln();
        }
        for (b, now) in band_log.iter().enumerate() {
            let lo = b.saturating_sub(1);
            let hi = (b + 1).min(n_bands - 1);
            let reference = prev_log[lo..=hi].iter().copied().fold(f32::MIN, f32::max);
            by_register[register_of[b].min(2)] += (now - reference).max(0.0);
        }
        std::mem::swap(&mut prev_log, &mut band_log);
        flux.push(by_register.iter().sum());
        for (r, v) in register_flux.iter_mut().zip(by_register) {
            r.push(v);
        }
        if db < SILENCE_DB || total <= 0.0 {
            continue;
        }
        let mut oct = [0.0f32; OCTAVES];
        for (k, p) in power.iter().enumerate() {
            oct[octave_of[k]] += p;
        }
        oct.iter_mut()
            .for_each(|e| *e = 10.0 * (*e / total + 1e-9).log10());
        oct_stats.add(&oct);
        for (l, e) in log_band.iter_mut().zip(&band) {
            *l = (e / total + 1e-9).ln();
        }
        for (c, v) in cep.iter_mut().enumerate() {
            *v = dct[c * n_bands..(c + 1) * n_bands]
                .iter()
                .zip(&log_band)
                .map(|(d, l)| d * l)
                .sum::<f32>()
                / n_bands as f32;
        }
        cep_stats.add(&cep);
        let centroid = weighted / total * bin_hz;
        let mut acc = 0.0;
        let mut rolloff = 0.0;
        for (k, p) in power.iter().enumerate() {
            acc += p;
            if acc >= 0.85 * total {
                rolloff = k as f32 * bin_hz;
                break;
            }
        }
        // Flatness: geometric over arithmetic mean of the power spectrum (DC left out).
        let mean = (total - power[0]) / (bins - 1) as f32 + 1e-12;
        let flat = ((log_sum / (bins - 1) as f32).exp() / mean).clamp(0.0, 1.0);
        let w = total as f64;
        w_sum += w;
        c_sum += w * centroid as f64;
        r_sum += w * rolloff as f64;
        f_sum += w * flat as f64;
    }
    let avg = |s: f64| (w_sum > 0.0).then(|| (s / w_sum) as f32);
    let cepstrum = cep_stats.finish(0.0);
    let octave_shape = oct_stats.finish(-90.0);
    Spectral {
        centroid_hz: avg(c_sum),
        rolloff_hz: avg(r_sum),
        flatness: avg(f_sum),
        flux,
        register_flux,
        frame_db,
        hop_seconds: HOP as f64 / rate as f64,
        octave_shape,
        cepstrum,
    }
}

/// Per-dimension mean and standard deviation of a stream of vectors.
struct MeanStd {
    sum: Vec<f64>,
    sq: Vec<f64>,
    n: usize,
}

impl MeanStd {
    fn new(dims: usize) -> Self {
        Self {
            sum: vec![0.0; dims],
            sq: vec![0.0; dims],
            n: 0,
        }
    }

    fn add(&mut self, v: &[f32]) {
        for ((s, q), x) in self.sum.iter_mut().zip(&mut self.sq).zip(v) {
            *s += *x as f64;
            *q += (*x as f64) * (*x as f64);
        }
        self.n += 1;
    }

    /// Means then deviations; `empty_mean` (deviation 0) when nothing was added.
    fn finish(&self, empty_mean: f32) -> Vec<f32> {
        let dims = self.sum.len();
        if self.n == 0 {
            return std::iter::repeat_n(empty_mean, dims)
                .chain(std::iter::repeat_n(0.0, dims))
                .collect();
        }
        let n = self.n as f64;
        let means: Vec<f64> = self.sum.iter().map(|s| s / n).collect();
        let devs = self
            .sq
            .iter()
            .zip(&means)
            .map(|(q, m)| (q / n - m * m).max(0.0).sqrt());
        means
            .iter()
            .map(|m| *m as f32)
            .chain(devs.map(|d| d as f32))
            .collect()
    }
}

/// Band index of every FFT bin: quarter-octave bands from 40 Hz up, with every bin below
/// the first edge in band 0 and bands too narrow for the FFT merged upwards.
fn band_map(bins: usize, bin_hz: f32) -> Vec<usize> {
    let mut map = Vec::with_capacity(bins);
    let mut band = 0usize;
    let mut last_edge_bin = 0usize;
    for k in 0..bins {
        let hz = k as f32 * bin_hz;
        let b = if hz < BAND_LOW_HZ {
            0
        } else {
            1 + ((hz / BAND_LOW_HZ).log2() * BANDS_PER_OCTAVE) as usize
        };
        // Never open a new band narrower than two bins.
        if b > band && k >= last_edge_bin + 2 {
            band += 1;
            last_edge_bin = k;
        }
        map.push(band);
    }
    map
}

/// Natural log with ~1e-4 error, several times faster than `f32::ln`; for averages of
/// many logs (flatness), where that error vanishes.
#[inline]
fn fast_ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // mantissa in [1, 2)
                                                                // ln(m) on [1, 2): a minimax quartic, max error ~1e-4.
    let ln_m = -1.741_793_9
        + (2.821_202_6 + (-1.469_956_8 + (0.447_179_55 - 0.056_570_85 * m) * m) * m) * m;
    exp as f32 * std::f32::consts::LN_2 + ln_m
}

/// Sign changes per sample.
pub fn zero_crossing_rate(x: &[f32]) -> f32 {
    if x.len() < 2 {
        return 0.0;
    }
    let changes = x
        .windows(2)
        .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
        .count();
    changes as f32 / (x.len() - 1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn sine_centroid_sits_on_its_frequency_and_is_tonal() {
        let s = analyse(&sine(1000.0, 22_050, 1.0), 22_050);
        let c = s.centroid_hz.unwrap();
        assert!((c - 1000.0).abs() < 30.0, "centroid {c}");
        assert!(s.flatness.unwrap() < 0.05, "flatness {:?}", s.flatness);
    }

    #[test]
    fn white_noise_is_flat_and_bright() {
        let noise: Vec<f32> = crate::test_noise(0x2545_F491_4F6C_DD1D, 22_050);
        let s = analyse(&noise, 22_050);
        assert!(s.flatness.unwrap() > 0.4, "flatness {:?}", s.flatness);
        assert!(s.centroid_hz.unwrap() > 4000.0);
    }

    #[test]
    fn silence_has_no_spectral_figures() {
        let s = analyse(&vec![0.0; 10_000], 22_050);
        assert_eq!(s.centroid_hz, None);
        assert!(s.frame_db.iter().all(|&d| d == -120.0));
    }

    #[test]
    fn fast_ln_is_close_to_ln() {
        for x in [1e-9f32, 1e-3, 0.5, 1.0, 1.7, 3.0, 1e4] {
            assert!(
                (fast_ln(x) - x.ln()).abs() < 2e-3,
                "{x}: {} vs {}",
                fast_ln(x),
                x.ln()
            );
        }
    }

    #[test]
    fn bands_are_monotonic_and_cover_every_bin() {
        let m = band_map(FRAME / 2 + 1, 22_050.0 / FRAME as f32);
        assert_eq!(m.len(), FRAME / 2 + 1);
        assert!(m.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
        assert!(*m.last().unwrap() > 20);
    }

    #[test]
    fn zcr_of_a_sine_is_twice_its_frequency_over_rate() {
        let z = zero_crossing_rate(&sine(441.0, 22_050, 1.0));
        assert!((z - 2.0 * 441.0 / 22_050.0).abs() < 0.001, "{z}");
    }
}
