//! Onsets (starts of hits and notes) from spectral flux, and the attack time of the first hit.

/// Minimum time between two onsets: closer hits are heard as one (flams aside).
const MIN_GAP_S: f64 = 0.05;
/// Half-width of the moving-average window of the adaptive threshold.
const AVG_HALF_WINDOW_S: f64 = 0.1;
/// Threshold above the local average, as a fraction of the strongest flux.
const DELTA: f32 = 0.06;
/// Onsets in frames quieter than this (dBFS) are noise-floor wiggles, not hits.
const ONSET_FLOOR_DB: f32 = -55.0;

/// Onset times in seconds: peaks of the flux curve of [`super::spectral::analyse`], each
/// placed on the steepest energy rise of `x` inside its frame.
///
/// Spectral flux on log magnitudes peaks as soon as a hit enters the analysis window (the
/// window's edge grows fastest in relative terms), up to a frame early; the time-domain
/// refinement puts the onset where the hit actually starts.
pub fn detect(x: &[f32], rate: u32, spec: &super::spectral::Spectral) -> Vec<f64> {
    let hop = super::spectral::HOP;
    peak_frames(&spec.flux, spec.hop_seconds, &spec.frame_db)
        .into_iter()
        .map(|n| {
            let half = super::spectral::FRAME / 2;
            refine(x, (n * hop).saturating_sub(half), n * hop + half) as f64 / rate as f64
        })
        .collect()
}

/// Block for the time-domain refinement: 64 samples (2.9 ms at 22.05 kHz).
const REFINE_BLOCK: usize = 64;

/// The sample index in `x[start..end]` where block energy rises most (in dB).
fn refine(x: &[f32], start: usize, end: usize) -> usize {
    let end = end.min(x.len());
    if start >= end {
        return start.min(x.len());
    }
    let energy = |from: usize| -> f32 {
        let to = (from + REFINE_BLOCK).min(x.len());
        10.0 * (x[from..to].iter().map(|v| v * v).sum::<f32>() / REFINE_BLOCK as f32 + 1e-10)
            .log10()
    };
    let mut best = (start, f32::MIN);
    let mut prev = if start >= REFINE_BLOCK {
        energy(start - REFINE_BLOCK)
    } else {
        -100.0
    };
    let mut pos = start;
    while pos < end {
        let e = energy(pos);
        if e - prev > best.1 {
            best = (pos, e - prev);
        }
        prev = e;
        pos += REFINE_BLOCK;
    }
    best.0
}

/// Frame indices of flux peaks above an adaptive threshold.
fn peak_frames(flux: &[f32], hop_s: f64, frame_db: &[f32]) -> Vec<usize> {
    let max = flux.iter().copied().fold(0.0f32, f32::max);
    if max <= 0.0 {
        return Vec::new();
    }
    let norm: Vec<f32> = flux.iter().map(|f| f / max).collect();
    let half = ((AVG_HALF_WINDOW_S / hop_s).round() as usize).max(1);
    let peak_half = 3usize;
    let min_gap = (MIN_GAP_S / hop_s).ceil() as usize;
    // Prefix sums make the moving average O(1) per frame.
    let mut prefix = Vec::with_capacity(norm.len() + 1);
    prefix.push(0.0f64);
    for v in &norm {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + *v as f64);
    }
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for n in 0..norm.len() {
        let v = norm[n];
        let lo = n.saturating_sub(half);
        let hi = (n + half + 1).min(norm.len());
        let mean = ((prefix[hi] - prefix[lo]) / (hi - lo) as f64) as f32;
        if v <= mean + DELTA {
            continue;
        }
        let plo = n.saturating_sub(peak_half);
        let phi = (n + peak_half + 1).min(norm.len());
        if norm[plo..phi].iter().any(|&u| u > v) {
            continue;
        }
        let loud = frame_db[n..(n + 4).min(frame_db.len())]
            .iter()
            .any(|&d| d > ONSET_FLOOR_DB);
        if !loud {
            continue;
        }
        if let Some(l) = last {
            if n - l < min_gap {
                continue;
            }
        }
        last = Some(n);
        out.push(n);
    }
    out
}

/// Envelope block for attack timing: 32 samples (1.5 ms at 22.05 kHz).
const ENV_BLOCK: usize = 32;

/// Rise time of the first hit, 10 % to 90 % of its peak envelope, in ms. The hit is the
/// loudest point of the first second; `None` for silence.
pub fn attack_ms(x: &[f32], rate: u32) -> Option<f32> {
    let env: Vec<f32> = x
        .chunks(ENV_BLOCK)
        .map(|c| c.iter().fold(0.0f32, |m, v| m.max(v.abs())))
        .collect();
    let horizon = ((rate as usize) / ENV_BLOCK).max(1).min(env.len());
    let (peak_i, peak) =
        env[..horizon].iter().enumerate().fold(
            (0, 0.0f32),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        );
    if peak <= 1e-6 {
        return None;
    }
    let start = env[..=peak_i]
        .iter()
        .rposition(|&v| v < 0.1 * peak)
        .map(|i| i + 1)
        .unwrap_or(0);
    let top = env[start..=peak_i]
        .iter()
        .position(|&v| v >= 0.9 * peak)
        .map(|i| i + start)?;
    Some(((top - start) * ENV_BLOCK) as f32 * 1000.0 / rate as f32)
}

/// Time from the loudest point to 20 dB below it (the sound's decay), ms; `None` for
/// silence, and the remaining length when the sound never falls that far.
pub fn decay_ms(x: &[f32], rate: u32) -> Option<f32> {
    let env: Vec<f32> = x
        .chunks(ENV_BLOCK)
        .map(|c| c.iter().fold(0.0f32, |m, v| m.max(v.abs())))
        .collect();
    let (peak_i, peak) = env
        .iter()
        .enumerate()
        .fold((0, 0.0f32), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    if peak <= 1e-6 {
        return None;
    }
    let floor = peak * 0.1;
    let end = env[peak_i..]
        .iter()
        .position(|&v| v < floor)
        .map_or(env.len() - peak_i, |i| i);
    Some((end * ENV_BLOCK) as f32 * 1000.0 / rate as f32)
}

#[cfg(test)]
mod tests {
    use super::super::spectral;
    use super::*;

    /// Clicks: 5 ms decaying noise-like bursts every `period` seconds.
    fn click_train(rate: u32, secs: f64, period: f64) -> Vec<f32> {
        let mut x = vec![0.0f32; (rate as f64 * secs) as usize];
        let mut t = 0.0;
        while t < secs {
            let s = (t * rate as f64) as usize;
            for i in 0..(rate as usize / 200) {
                if s + i < x.len() {
                    x[s + i] =
                        0.8 * (-(i as f32) / 30.0).exp() * if i % 2 == 0 { 1.0 } else { -1.0 };
                }
            }
            t += period;
        }
        x
    }

    #[test]
    fn click_train_at_120_bpm_has_one_onset_per_beat() {
        let x = click_train(22_050, 4.0, 0.5);
        let s = spectral::analyse(&x, 22_050);
        let on = detect(&x, 22_050, &s);
        assert_eq!(on.len(), 8, "{on:?}");
        for (i, t) in on.iter().enumerate() {
            assert!((t - i as f64 * 0.5).abs() < 0.005, "onset {i} at {t}");
        }
    }

    #[test]
    fn steady_tone_has_a_single_onset() {
        let x: Vec<f32> = (0..44_100)
            .map(|i| (0.5 * (i as f64 * 0.1).sin()) as f32)
            .collect();
        let s = spectral::analyse(&x, 22_050);
        let on = detect(&x, 22_050, &s);
        assert_eq!(on, vec![0.0]);
    }

    #[test]
    fn attack_of_a_linear_ramp() {
        // 100 ms linear rise then hold: 10 %→90 % takes 80 ms.
        let rate = 22_050;
        let rise = rate / 10;
        let x: Vec<f32> = (0..rate)
            .map(|i| {
                if i < rise {
                    i as f32 / rise as f32
                } else {
                    1.0
                }
            })
            .collect();
        let a = attack_ms(&x, rate as u32).unwrap();
        assert!((a - 80.0).abs() < 4.0, "{a}");
        assert_eq!(attack_ms(&vec![0.0; 1000], rate as u32), None);
    }
}
