//! Log-mel spectrograms as the models were trained on them (librosa's `melspectrogram`:
//! centred frames with zero padding, periodic Hann window, power spectrum, triangular mel
//! filters on the HTK or Slaney scale), then `log10(1 + 10⁴·x)`.
//!
//! Written here rather than taken from a crate because each model needs librosa's exact
//! filter bank and normalisation; the FFT is realfft's, as in the analysers.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

/// Which mel scale the filter centres follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MelScale {
    /// `2595·log10(1 + f/700)` (librosa `htk=True`).
    Htk,
    /// Linear below 1 kHz, logarithmic above (librosa's default, Slaney's Auditory Toolbox).
    Slaney,
}

/// How each triangular filter is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterNorm {
    /// Each filter sums to 1 (librosa `norm=1.0`).
    UnitSum,
    /// Each filter has unit area in Hz (librosa `norm="slaney"`, the default).
    Slaney,
}

/// Parameters of one model's front end.
#[derive(Debug, Clone, Copy)]
pub struct MelConfig {
    /// Sample rate the audio must have, Hz.
    pub rate: u32,
    /// FFT length (also the window length).
    pub n_fft: usize,
    /// Hop between frames.
    pub hop: usize,
    /// Number of mel bands.
    pub n_mels: usize,
    /// Lowest filter edge, Hz.
    pub f_min: f32,
    /// Highest filter edge, Hz.
    pub f_max: f32,
    /// Mel scale.
    pub scale: MelScale,
    /// Filter normalisation.
    pub norm: FilterNorm,
}

/// A ready filter bank and FFT plan for one [`MelConfig`].
pub struct MelFrontEnd {
    cfg: MelConfig,
    window: Vec<f32>,
    /// Per band: first FFT bin and the weights from there on.
    filters: Vec<(usize, Vec<f32>)>,
    fft: Arc<dyn RealToComplex<f32>>,
}

impl std::fmt::Debug for MelFrontEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MelFrontEnd")
            .field("cfg", &self.cfg)
            .finish()
    }
}

fn hz_to_mel(f: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 2595.0 * (1.0 + f / 700.0).log10(),
        MelScale::Slaney => {
            let f_sp = 200.0 / 3.0;
            if f >= 1000.0 {
                1000.0 / f_sp + (f / 1000.0).ln() / (6.4f64.ln() / 27.0)
            } else {
                f / f_sp
            }
        }
    }
}

fn mel_to_hz(m: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 700.0 * (10f64.powf(m / 2595.0) - 1.0),
        MelScale::Slaney => {
            let f_sp = 200.0 / 3.0;
            let min_log_mel = 1000.0 / f_sp;
            if m >= min_log_mel {
                1000.0 * ((6.4f64.ln() / 27.0) * (m - min_log_mel)).exp()
            } else {
                f_sp * m
            }
        }
    }
}

impl MelFrontEnd {
    /// Build the filter bank and the FFT plan.
    pub fn new(cfg: MelConfig) -> Self {
        let bins = cfg.n_fft / 2 + 1;
        let (lo, hi) = (
            hz_to_mel(cfg.f_min as f64, cfg.scale),
            hz_to_mel(cfg.f_max as f64, cfg.scale),
        );
        let centres: Vec<f64> = (0..cfg.n_mels + 2)
            .map(|i| {
                mel_to_hz(
                    lo + (hi - lo) * i as f64 / (cfg.n_mels + 1) as f64,
                    cfg.scale,
                )
            })
            .collect();
        let bin_hz = cfg.rate as f64 / cfg.n_fft as f64;
        let filters = (0..cfg.n_mels)
            .map(|i| {
                let (left, mid, right) = (centres[i], centres[i + 1], centres[i + 2]);
                let mut w: Vec<f64> = (0..bins)
                    .map(|k| {
                        let f = k as f64 * bin_hz;
                        let lower = (f - left) / (mid - left);
                        let upper = (right - f) / (right - mid);
                        lower.min(upper).max(0.0)
                    })
                    .collect();
                let scale = match cfg.norm {
                    FilterNorm::UnitSum => {
                        let s: f64 = w.iter().sum();
                        if s > 0.0 {
                            1.0 / s
                        } else {
                            0.0
                        }
                    }
                    FilterNorm::Slaney => 2.0 / (right - left),
                };
                w.iter_mut().for_each(|x| *x *= scale);
                let first = w.iter().position(|&x| x > 0.0).unwrap_or(0);
                let last = w.iter().rposition(|&x| x > 0.0).map_or(first, |l| l + 1);
                (first, w[first..last].iter().map(|&x| x as f32).collect())
            })
            .collect();
        let window = (0..cfg.n_fft)
            .map(|n| {
                (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / cfg.n_fft as f64).cos())
                    as f32
            })
            .collect();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(cfg.n_fft);
        Self {
            cfg,
            window,
            filters,
            fft,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MelConfig {
        &self.cfg
    }

    /// Number of frames librosa gives for `len` samples (centred frames).
    pub fn frame_count(&self, len: usize) -> usize {
        1 + len / self.cfg.hop
    }

    /// Log-mel frames of `signal` (already at [`MelConfig::rate`]), at most `max_frames` of
    /// them, row-major `[frames][n_mels]`.
    pub fn log_mel(&self, signal: &[f32], max_frames: usize) -> Vec<f32> {
        let MelConfig {
            n_fft, hop, n_mels, ..
        } = self.cfg;
        let frames = self.frame_count(signal.len()).min(max_frames);
        let pad = n_fft / 2;
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0f32; n_fft / 2 + 1];
        let mut out = Vec::with_capacity(frames * n_mels);
        for t in 0..frames {
            // Frame t covers signal[t·hop − pad, t·hop − pad + n_fft), zeros outside.
            let start = (t * hop) as isize - pad as isize;
            for (n, x) in input.iter_mut().enumerate() {
                let i = start + n as isize;
                *x = if i >= 0 && (i as usize) < signal.len() {
                    signal[i as usize] * self.window[n]
                } else {
                    0.0
                };
            }
            // Lengths are the plan's own, so this cannot fail.
            let _ = self
                .fft
                .process_with_scratch(&mut input, &mut spectrum, &mut scratch);
            for (p, c) in power.iter_mut().zip(&spectrum) {
                *p = c.norm_sqr();
            }
            for (first, w) in &self.filters {
                let e: f32 = w.iter().zip(&power[*first..]).map(|(a, b)| a * b).sum();
                out.push((1.0 + 1e4 * e).log10());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(scale: MelScale, norm: FilterNorm) -> MelConfig {
        MelConfig {
            rate: 16_000,
            n_fft: 512,
            hop: 256,
            n_mels: 96,
            f_min: 0.0,
            f_max: 8_000.0,
            scale,
            norm,
        }
    }

    #[test]
    fn scales_round_trip_and_slaney_is_linear_below_1_khz() {
        for s in [MelScale::Htk, MelScale::Slaney] {
            for f in [0.0, 440.0, 999.0, 1000.0, 4000.0, 22_050.0] {
                assert!((mel_to_hz(hz_to_mel(f, s), s) - f).abs() < 1e-6 * (1.0 + f));
            }
        }
        assert!((hz_to_mel(500.0, MelScale::Slaney) - 7.5).abs() < 1e-9);
    }

    #[test]
    fn a_tone_lights_the_band_around_its_frequency() {
        let fe = MelFrontEnd::new(cfg(MelScale::Slaney, FilterNorm::Slaney));
        let tone: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin())
            .collect();
        let mel = fe.log_mel(&tone, usize::MAX);
        assert_eq!(mel.len(), 63 * 96);
        let mid = &mel[30 * 96..31 * 96];
        let loudest = (0..96).max_by(|&a, &b| mid[a].total_cmp(&mid[b])).unwrap();
        // Band centres on the Slaney scale from 0 to 8 kHz: 1 kHz sits near band 40.
        let centre_hz = |b: usize| {
            let hi = hz_to_mel(8000.0, MelScale::Slaney);
            mel_to_hz(hi * (b + 1) as f64 / 97.0, MelScale::Slaney)
        };
        assert!((centre_hz(loudest) - 1000.0).abs() < 60.0, "band {loudest}");
    }

    #[test]
    fn unit_sum_filters_sum_to_one() {
        let fe = MelFrontEnd::new(cfg(MelScale::Htk, FilterNorm::UnitSum));
        for (_, w) in &fe.filters {
            let s: f32 = w.iter().sum();
            assert!(s == 0.0 || (s - 1.0).abs() < 1e-4);
        }
    }
}
