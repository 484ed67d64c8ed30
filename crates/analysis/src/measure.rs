//! The decode sink of analysis: file-wide levels on the original channels, and a capped mono
//! mix for the other analysers.

use std::ops::ControlFlow;

use super::amp_to_db;
use super::loudness::{Loudness, LoudnessMeter};
use samplemind_audio::decode::{downmix_into, FrameSink, StreamInfo};

/// Streams a file's frames into loudness, peak, RMS and a mono mix.
pub struct Measure {
    max_seconds: f64,
    max_mono: usize,
    meter: Option<LoudnessMeter>,
    peak: f32,
    sum_sq: f64,
    samples: u64,
    mono: Vec<f32>,
}

/// What [`Measure`] found.
pub struct Totals {
    /// Mono mix of the first `max_seconds`, at the file's own rate.
    pub mono: Vec<f32>,
    /// Sample peak over all channels, dBFS.
    pub peak_db: Option<f32>,
    /// RMS over all channels, dBFS.
    pub rms_db: Option<f32>,
    /// EBU R128 loudness.
    pub loudness: Loudness,
}

impl Measure {
    /// A sink keeping at most `max_seconds` of mono audio.
    pub fn new(max_seconds: f64) -> Self {
        Self {
            max_seconds,
            max_mono: 0,
            meter: None,
            peak: 0.0,
            sum_sq: 0.0,
            samples: 0,
            mono: Vec::new(),
        }
    }

    /// The figures of everything fed.
    pub fn finish(self) -> Totals {
        let loudness = self
            .meter
            .as_ref()
            .map(LoudnessMeter::finish)
            .unwrap_or(Loudness {
                lufs: None,
                method: super::LoudnessMethod::Silent,
            });
        let rms = if self.samples > 0 {
            (self.sum_sq / self.samples as f64).sqrt()
        } else {
            0.0
        };
        Totals {
            mono: self.mono,
            peak_db: amp_to_db(self.peak as f64),
            rms_db: amp_to_db(rms),
            loudness,
        }
    }
}

impl FrameSink for Measure {
    fn begin(&mut self, info: &StreamInfo) {
        self.meter = Some(LoudnessMeter::new(info.channels, info.sample_rate));
        self.max_mono = (self.max_seconds * info.sample_rate as f64) as usize;
        // The container's length is a claim, not a fact (a 8 KB file may state 4 GB): reserve
        // at most a minute up front, and let real frames grow the rest.
        let expected = info.frames_hint.unwrap_or(0) as usize;
        let trusted = 60 * info.sample_rate as usize;
        self.mono.reserve(expected.min(self.max_mono).min(trusted));
    }

    fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
        if let Some(m) = &mut self.meter {
            m.add(planes, frames);
        }
        for p in planes {
            let (peak, sq) = peak_and_sum_sq(&p[..frames]);
            self.peak = self.peak.max(peak);
            self.sum_sq += sq;
        }
        self.samples += (frames * planes.len()) as u64;
        let room = self.max_mono.saturating_sub(self.mono.len());
        if room > 0 {
            downmix_into(planes, frames.min(room), &mut self.mono);
        }
        // Never stop early: loudness and peak cover the whole file.
        ControlFlow::Continue(())
    }
}

/// Peak and sum of squares of a block. Eight independent f32 lanes let the compiler
/// vectorise; each block's sum goes into the f64 total, so precision holds over hours.
fn peak_and_sum_sq(x: &[f32]) -> (f32, f64) {
    let mut peak = [0.0f32; 8];
    let mut sq = [0.0f32; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            peak[i] = peak[i].max(c[i].abs());
            sq[i] += c[i] * c[i];
        }
    }
    let mut p = peak.iter().copied().fold(0.0f32, f32::max);
    let mut s: f64 = sq.iter().map(|&v| v as f64).sum();
    for &v in rest {
        p = p.max(v.abs());
        s += (v as f64) * (v as f64);
    }
    (p, s)
}

#[cfg(test)]
mod tests {
    use super::peak_and_sum_sq;

    #[test]
    fn lanes_add_up_like_a_plain_loop() {
        let x: Vec<f32> = (0..1001)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let (p, s) = peak_and_sum_sq(&x);
        let plain: f64 = x.iter().map(|&v| (v as f64) * (v as f64)).sum();
        assert_eq!(p, 1.0);
        assert!((s - plain).abs() < 1e-3, "{s} {plain}");
    }
}
