//! EBU R128 / ITU-R BS.1770 loudness with the `ebur128` crate (a port of libebur128, the
//! reference meter), fed the file's own channels at its own rate.
//!
//! Integrated loudness is gated over 400 ms blocks, so a sound shorter than 400 ms has no
//! block and no integrated loudness. For those we report the **ungated K-weighted loudness
//! over the sound's own length** (BS.1770's mean-square measure with the whole sound as the
//! one block), marked [`LoudnessMethod::ShortSound`]. It ranks one-shots the way they sound
//! next to each other and equals the integrated figure for a steady sound.
//!
//! Channel weighting follows libebur128's default map: channel 1 left, 2 right, 3 centre,
//! 4/5 surrounds (+1.5 dB), a mono file counts as one channel (not dual mono).

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};

/// How a loudness figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoudnessMethod {
    /// BS.1770-4 gated integrated loudness (the sound lasts 400 ms or more).
    Integrated,
    /// Ungated loudness over the whole sound (shorter than one 400 ms block).
    ShortSound,
    /// No loudness: silence, or every block below the -70 LUFS absolute gate.
    Silent,
}

/// A loudness result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// LUFS, or `None` when [`LoudnessMethod::Silent`].
    pub lufs: Option<f32>,
    /// How it was measured.
    pub method: LoudnessMethod,
}

/// A streaming loudness meter for one file.
pub struct LoudnessMeter {
    meter: Option<EbuR128>,
    rate: u32,
    frames: u64,
}

impl LoudnessMeter {
    /// A meter for `channels` at `rate` Hz. Rates or channel counts libebur128 does not take
    /// (under 16 Hz, over 64 channels) give a meter that reports [`LoudnessMethod::Silent`].
    pub fn new(channels: usize, rate: u32) -> Self {
        let meter = EbuR128::new(channels as u32, rate, Mode::I).ok();
        Self {
            meter,
            rate,
            frames: 0,
        }
    }

    /// Feed planar frames.
    pub fn add(&mut self, planes: &[Vec<f32>], frames: usize) {
        if let Some(m) = &mut self.meter {
            let slices: smallvec_like::Planes<'_> = smallvec_like::Planes::new(planes, frames);
            if m.add_frames_planar_f32(slices.as_slice()).is_err() {
                self.meter = None;
            }
            self.frames += frames as u64;
        }
    }

    /// The loudness of everything fed so far.
    pub fn finish(&self) -> Loudness {
        let silent = Loudness {
            lufs: None,
            method: LoudnessMethod::Silent,
        };
        let Some(m) = &self.meter else { return silent };
        let duration_ms = self.frames * 1000 / self.rate.max(1) as u64;
        let (value, method) = if duration_ms >= 400 {
            (m.loudness_global(), LoudnessMethod::Integrated)
        } else {
            (
                m.loudness_window(duration_ms.max(1) as u32),
                LoudnessMethod::ShortSound,
            )
        };
        match value {
            Ok(v) if v.is_finite() && v > -70.0 => Loudness {
                lufs: Some(v as f32),
                method,
            },
            _ => silent,
        }
    }
}

/// Borrowed plane slices without a heap allocation for the common channel counts.
mod smallvec_like {
    /// Up to 8 planes on the stack, more on the heap.
    pub enum Planes<'a> {
        /// The common case.
        Stack([&'a [f32]; 8], usize),
        /// Many channels.
        Heap(Vec<&'a [f32]>),
    }
    impl<'a> Planes<'a> {
        pub fn new(planes: &'a [Vec<f32>], frames: usize) -> Self {
            if planes.len() <= 8 {
                let mut a: [&[f32]; 8] = [&[]; 8];
                for (slot, p) in a.iter_mut().zip(planes) {
                    *slot = &p[..frames];
                }
                Planes::Stack(a, planes.len())
            } else {
                Planes::Heap(planes.iter().map(|p| &p[..frames]).collect())
            }
        }
        pub fn as_slice(&self) -> &[&'a [f32]] {
            match self {
                Planes::Stack(a, n) => &a[..*n],
                Planes::Heap(v) => v,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amp: f32, freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn ebu_tech_3341_case_1_stereo_sine_at_minus_23() {
        // EBU Tech 3341 test 1: 1 kHz sine, -23 dBFS in both channels, 20 s → -23.0 LUFS.
        let amp = 10f32.powf(-23.0 / 20.0);
        let s = sine(amp, 1000.0, 48_000, 20.0);
        let mut m = LoudnessMeter::new(2, 48_000);
        m.add(&[s.clone(), s.clone()], s.len());
        let l = m.finish();
        assert_eq!(l.method, LoudnessMethod::Integrated);
        assert!((l.lufs.unwrap() + 23.0).abs() < 0.1, "{l:?}");
    }

    #[test]
    fn short_sound_uses_ungated_fallback_equal_to_steady_level() {
        let amp = 10f32.powf(-20.0 / 20.0);
        let long = sine(amp, 1000.0, 48_000, 5.0);
        let short = sine(amp, 1000.0, 48_000, 0.2);
        let mut a = LoudnessMeter::new(1, 48_000);
        a.add(std::slice::from_ref(&long), long.len());
        let mut b = LoudnessMeter::new(1, 48_000);
        b.add(std::slice::from_ref(&short), short.len());
        let (la, lb) = (a.finish(), b.finish());
        assert_eq!(lb.method, LoudnessMethod::ShortSound);
        // The K-filter's start-up costs the 200 ms sound a little; within 0.5 LU.
        assert!(
            (la.lufs.unwrap() - lb.lufs.unwrap()).abs() < 0.5,
            "{la:?} {lb:?}"
        );
    }

    #[test]
    fn silence_has_no_loudness() {
        let z = vec![0.0f32; 48_000];
        let mut m = LoudnessMeter::new(1, 48_000);
        m.add(std::slice::from_ref(&z), z.len());
        assert_eq!(
            m.finish(),
            Loudness {
                lufs: None,
                method: LoudnessMethod::Silent
            }
        );
    }
}
