//! Time-stretch and pitch-shift, for auditioning a sample at a project's tempo and key, and
//! for rendering what was heard.
//!
//! Built on the `timestretch` crate. Why it, over the other stretchers a Rust app can call:
//! - it is pure Rust (its only DSP dependency is rustfft), so it builds on a fresh machine
//!   with a C compiler alone. `signalsmith-stretch` and `ssstretch` wrap C++ through `cc` and
//!   `bindgen` (a C++ compiler and libclang to install); Rubber Band is C++ and GPL;
//! - tempo and pitch are independent controls, with the length kept when only the pitch
//!   moves;
//! - a hybrid phase vocoder / WSOLA that keeps drum transients, which a plain phase vocoder
//!   (the `pitch_shift` crate) smears;
//! - a streaming session that does not allocate while it processes, so it can feed the
//!   player's ring chunk by chunk and the first sound comes after one block, not after the
//!   whole file.
//!
//! Its quality and cost on our loops are in BENCHMARKS.md ("Synced audition").

use std::sync::Arc;

use timestretch::{
    Backend, Parameters, PitchRatio, PreparedSession, ProcessStatus, SessionConfig, SourceAccess,
    StreamSession, TempoRate,
};

/// Source and output rates the stretcher takes; anything else is resampled first.
pub const RATES: std::ops::RangeInclusive<u32> = 32_000..=192_000;

/// Widest pitch shift, semitones either way.
pub const MAX_SEMITONES: f64 = 24.0;

/// Output length over source length the stretcher takes (4× faster to 4× slower; its own
/// limits are wider, but beyond these a loop is no longer the same loop).
pub const DURATIONS: std::ops::RangeInclusive<f64> = 0.25..=4.0;

/// Stages of work per `advance` call: small enough that the caller gets output back quickly
/// after a start, large enough that the per-call overhead does not show.
const WORK_QUOTA: usize = 16;

/// Output frames asked for per read.
const BLOCK_FRAMES: usize = 1024;

/// How to change a sound: its length and its pitch, independently.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Stretch {
    /// Output length over source length: 120 → 128 BPM is 120/128 = 0.9375.
    pub duration: f64,
    /// Pitch shift, semitones (the length stays as `duration` says).
    pub semitones: f64,
}

impl Stretch {
    /// No change at all.
    pub const NONE: Stretch = Stretch {
        duration: 1.0,
        semitones: 0.0,
    };

    /// Whether this leaves the sound as it is (within what anyone could hear).
    pub fn is_identity(&self) -> bool {
        (self.duration - 1.0).abs() < 1e-6 && self.semitones.abs() < 1e-6
    }

    fn check(&self) -> Result<(), String> {
        if !self.duration.is_finite() || !DURATIONS.contains(&self.duration) {
            return Err(format!(
                "a stretch to {:.3}× the length is outside {:.2}..{:.2}",
                self.duration,
                DURATIONS.start(),
                DURATIONS.end()
            ));
        }
        if !self.semitones.is_finite() || self.semitones.abs() > MAX_SEMITONES {
            return Err(format!(
                "a shift of {:.1} semitones is outside ±{MAX_SEMITONES}",
                self.semitones
            ));
        }
        Ok(())
    }
}

/// A stretch in progress over a whole source held in memory, read block by block.
///
/// The output is exactly `round(frames × duration × output_rate / source_rate)` frames long
/// (the stretcher's own length follows its hop size, a fraction of a percent off; a loop
/// played again and again must keep the project's tempo exactly), padded with silence or cut.
pub struct Stretcher {
    session: StreamSession,
    input: Arc<[f32]>,
    /// Where in `input` the stretch starts, samples.
    offset: usize,
    channels: usize,
    block: Vec<f32>,
    produced: u64,
    target: u64,
    ended: bool,
}

impl Stretcher {
    /// Prepare a stretch of `input` (interleaved, 1 or 2 `channels`, `source_rate` Hz) from
    /// frame `from` to its end, to `output_rate` Hz. The input is shared, so a looping
    /// player starts a pass after pass over it without a copy.
    ///
    /// # Errors
    /// A message when the channels, rates or stretch are outside what it takes, or the
    /// input holds a non-finite sample.
    pub fn new(
        input: Arc<[f32]>,
        from: usize,
        channels: usize,
        source_rate: u32,
        output_rate: u32,
        stretch: Stretch,
    ) -> Result<Self, String> {
        stretch.check()?;
        if !(1..=2).contains(&channels) || !input.len().is_multiple_of(channels) {
            return Err(format!("cannot stretch {channels} channels"));
        }
        for rate in [source_rate, output_rate] {
            if !RATES.contains(&rate) {
                return Err(format!("cannot stretch at {rate} Hz"));
            }
        }
        let offset = from.saturating_mul(channels).min(input.len());
        if input[offset..].iter().any(|v| !v.is_finite()) {
            return Err("the sound holds a non-finite sample".into());
        }
        let frames = ((input.len() - offset) / channels) as u64;
        let parameters = Parameters {
            tempo: TempoRate::new(1.0 / stretch.duration).map_err(|e| e.to_string())?,
            pitch: PitchRatio::from_semitones(stretch.semitones).map_err(|e| e.to_string())?,
            ..Parameters::default()
        };
        parameters.validate().map_err(|e| e.to_string())?;
        let session = PreparedSession::new(SessionConfig {
            source_sample_rate: source_rate,
            output_sample_rate: output_rate,
            channels,
            // The portable path renders the same on every platform, so a test's figures hold
            // on macOS too.
            backend: Backend::Portable,
            source_access: SourceAccess::Seekable,
            source_frames: Some(frames),
            parameters,
            ..SessionConfig::default()
        })
        .map_err(|e| e.to_string())?
        .activate();
        let target = (frames as f64 * stretch.duration * output_rate as f64 / source_rate as f64)
            .round() as u64;
        Ok(Self {
            session,
            input,
            offset,
            channels,
            block: vec![0.0; BLOCK_FRAMES * channels],
            produced: 0,
            target,
            ended: frames == 0,
        })
    }

    /// Output channels (those of the input).
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Output frames in all.
    pub fn total_frames(&self) -> u64 {
        self.target
    }

    /// The next block of interleaved output; `None` once all of it has been read.
    ///
    /// # Errors
    /// A message when the stretcher faults (it should not on checked input).
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, String> {
        loop {
            if self.produced >= self.target {
                return Ok(None);
            }
            if self.ended {
                // The stretcher's own output ran short of the exact length: silence.
                let n = (self.target - self.produced).min(BLOCK_FRAMES as u64) as usize;
                self.produced += n as u64;
                self.block[..n * self.channels].fill(0.0);
                return Ok(Some(&self.block[..n * self.channels]));
            }
            let report = self.session.advance(WORK_QUOTA);
            match report.status {
                ProcessStatus::Fault => {
                    return Err(self
                        .session
                        .fault()
                        .map_or_else(|| "the stretcher failed".into(), |e| e.to_string()));
                }
                ProcessStatus::NeedSource => self.supply()?,
                _ => {}
            }
            let stamp = self
                .session
                .read_output(&mut self.block)
                .map_err(|e| e.to_string())?;
            self.session
                .acknowledge(stamp.consumed(stamp.frames).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            if self.session.finished() {
                self.ended = true;
            }
            let n = (stamp.frames as u64).min(self.target - self.produced) as usize;
            if n > 0 {
                self.produced += n as u64;
                return Ok(Some(&self.block[..n * self.channels]));
            }
        }
    }

    fn supply(&mut self) -> Result<(), String> {
        let Some(request) = self.session.source_request() else {
            return Ok(());
        };
        let start = (request.start_frame as usize)
            .saturating_mul(self.channels)
            .saturating_add(self.offset);
        let end = start
            .saturating_add(request.frames * self.channels)
            .min(self.input.len());
        if start >= end {
            self.session.finish_input().map_err(|e| e.to_string())
        } else {
            self.session
                .supply(request, &self.input[start..end])
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

/// Stretch a whole sound at once: `input` interleaved (1 or 2 `channels`) at `source_rate`
/// Hz, out at `output_rate` Hz. See [`Stretcher`] for the length.
///
/// # Errors
/// As [`Stretcher::new`] and [`Stretcher::next_block`].
pub fn stretch(
    input: Vec<f32>,
    channels: usize,
    source_rate: u32,
    output_rate: u32,
    how: Stretch,
) -> Result<Vec<f32>, String> {
    let mut s = Stretcher::new(input.into(), 0, channels, source_rate, output_rate, how)?;
    let mut out = Vec::with_capacity(s.total_frames() as usize * channels);
    while let Some(block) = s.next_block()? {
        out.extend_from_slice(block);
    }
    Ok(out)
}

/// Stretch a whole sound held as planes (one vector per channel) at `rate` Hz, keeping the
/// rate: folded first to what the stretcher takes (the first two channels, any further ones
/// averaged into them), and back to planes.
///
/// # Errors
/// As [`stretch`].
pub fn stretch_planes(
    planes: &[Vec<f32>],
    rate: u32,
    how: Stretch,
) -> Result<Vec<Vec<f32>>, String> {
    let channels = planes.len().clamp(1, 2);
    let frames = planes.first().map_or(0, Vec::len);
    let mut interleaved = Vec::with_capacity(frames * channels);
    for f in 0..frames {
        for c in 0..channels {
            let ins = planes.iter().skip(c).step_by(channels);
            let n = ins.clone().count().max(1);
            interleaved.push(ins.map(|p| p[f]).sum::<f32>() / n as f32);
        }
    }
    let y = stretch(interleaved, channels, rate, rate, how)?;
    Ok((0..channels)
        .map(|c| y.iter().skip(c).step_by(channels).copied().collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 44_100;

    fn sine(hz: f32, seconds: f32) -> Vec<f32> {
        (0..(seconds * RATE as f32) as usize)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * hz * i as f32 / RATE as f32).sin())
            .collect()
    }

    /// Frequency by counting rising zero crossings in the steady middle.
    fn frequency(x: &[f32], rate: u32) -> f32 {
        let mid = &x[x.len() / 4..x.len() * 3 / 4];
        let ups = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        ups as f32 * rate as f32 / mid.len() as f32
    }

    #[test]
    fn shifting_keeps_the_length_and_moves_the_pitch() {
        let y = stretch(
            sine(220.0, 1.0),
            1,
            RATE,
            RATE,
            Stretch {
                duration: 1.0,
                semitones: 3.0,
            },
        )
        .unwrap();
        assert_eq!(y.len(), RATE as usize);
        let want = 220.0 * 2f32.powf(3.0 / 12.0);
        let got = frequency(&y, RATE);
        assert!((got - want).abs() < want * 0.01, "{got} Hz, want {want}");
    }

    #[test]
    fn stretching_gives_the_exact_length_and_keeps_the_pitch() {
        let x = sine(440.0, 2.0);
        // 120 → 128 BPM, at a device's 48 kHz: stereo in, stereo out.
        let stereo: Vec<f32> = x.iter().flat_map(|&v| [v, v]).collect();
        let d = 120.0 / 128.0;
        let y = stretch(
            stereo,
            2,
            RATE,
            48_000,
            Stretch {
                duration: d,
                semitones: 0.0,
            },
        )
        .unwrap();
        let want = (x.len() as f64 * d * 48_000.0 / RATE as f64).round() as usize;
        assert_eq!(y.len(), want * 2);
        let left: Vec<f32> = y.iter().step_by(2).copied().collect();
        let got = frequency(&left, 48_000);
        assert!((got - 440.0).abs() < 4.4, "{got} Hz");
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        let x = sine(440.0, 0.1);
        let ok = Stretch::NONE;
        let new = |x: &[f32], ch, rate, how| Stretcher::new(x.into(), 0, ch, rate, RATE, how);
        assert!(new(&x, 3, RATE, ok).is_err());
        assert!(new(&x, 1, 8_000, ok).is_err());
        let far = Stretch {
            duration: 1.0,
            semitones: 30.0,
        };
        assert!(new(&x, 1, RATE, far).is_err());
        let long = Stretch {
            duration: f64::NAN,
            semitones: 0.0,
        };
        assert!(new(&x, 1, RATE, long).is_err());
        let mut bad = x;
        bad[10] = f32::INFINITY;
        assert!(new(&bad, 1, RATE, ok).is_err());
    }

    #[test]
    fn nothing_in_is_nothing_out() {
        assert!(stretch(Vec::new(), 2, RATE, RATE, Stretch::NONE)
            .unwrap()
            .is_empty());
    }
}
