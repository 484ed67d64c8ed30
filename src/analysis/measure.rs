//! The decode sink of analysis: file-wide levels on the original channels, and a capped mono
//! mix for the other analysers.

use std::ops::ControlFlow;

use super::amp_to_db;
use super::loudness::{Loudness, LoudnessMeter};
use crate::audio::decode::{downmix_into, FrameSink, StreamInfo};

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
        let expected = info.frames_hint.unwrap_or(0) as usize;
        self.mono.reserve(expected.min(self.max_mono));
    }

    fn frames(&mut self, planes: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
        if let Some(m) = &mut self.meter {
            m.add(planes, frames);
        }
        for p in planes {
            let mut peak = self.peak;
            let mut sq = 0.0f64;
            for &v in &p[..frames] {
                peak = peak.max(v.abs());
                sq += (v as f64) * (v as f64);
            }
            self.peak = peak;
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
