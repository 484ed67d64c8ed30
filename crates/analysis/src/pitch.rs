//! Root note of tonal one-shots: YIN (de Cheveigné & Kawahara 2002) on the sustained part
//! of the sound, with the difference function computed through an FFT autocorrelation.
//!
//! Each frame gives an f0 and an aperiodicity (YIN's normalised difference at the chosen
//! lag). The note is the median f0 of the confident frames; sounds whose frames are mostly
//! aperiodic (noise, cymbals) or whose pitch wanders by more than a semitone get no note.
//! Drums with a pitched tail (an 808, a tom) are left to the category: the analysis drops
//! the note of sounds it classifies as drums.

use std::sync::Arc;

use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use super::key_name::TONICS;

/// YIN frame, samples at the analysis rate (93 ms at 22.05 kHz: two periods of 21 Hz).
const FRAME: usize = 2048;
/// Hop between pitch frames (23 ms: short sounds still get several frames).
const HOP: usize = 512;
/// Largest lag searched: half a frame (lowest f0 ≈ 21.5 Hz at 22.05 kHz).
const MAX_LAG: usize = FRAME / 2;
/// Highest f0 considered, Hz.
const MAX_F0: f32 = 2_500.0;
/// YIN's absolute threshold on the normalised difference.
const YIN_THRESHOLD: f32 = 0.15;
/// A frame whose best normalised difference is above this is aperiodic.
const VOICED_MAX_APERIODICITY: f32 = 0.3;
/// At most this many frames are examined (about 1.5 s of sustain).
const MAX_FRAMES: usize = 64;
/// One frame is enough when it is this periodic (a short pluck).
const CLEAN_APERIODICITY: f32 = 0.1;

/// A pitch reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pitch {
    /// Fundamental frequency, Hz.
    pub f0_hz: f32,
    /// Nearest MIDI note (C4 = 60).
    pub midi: u8,
    /// Offset from that note, cents (-50..50).
    pub cents: f32,
    /// Share of examined frames that were periodic, 0..1.
    pub voiced: f32,
}

impl Pitch {
    /// Scientific pitch name with sharps, `"A#2"` (C4 = MIDI 60).
    pub fn note_name(&self) -> String {
        note_name(self.midi)
    }
}

/// `"A#2"` for MIDI 46, with the shared spelling's sharps (`Eb` → `D#`, `Ab` → `G#`, ...).
pub fn note_name(midi: u8) -> String {
    let pc = (midi % 12) as usize;
    let name = match TONICS[pc] {
        "Eb" => "D#",
        "Ab" => "G#",
        "Bb" => "A#",
        other => other,
    };
    format!("{name}{}", midi as i32 / 12 - 1)
}

/// MIDI note of a scientific pitch name, `"A#2"` → 46, `"Eb3"` → 51, `"C-1"` → 0 (C4 = 60);
/// `None` when it is not one or lies outside 0..=127.
pub fn midi_of(name: &str) -> Option<u8> {
    let name = name.trim();
    let split = name
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || *c == '-')
        .map(|(i, _)| i)?;
    let (note, octave) = name.split_at(split);
    let pc = crate::key_name::pitch_class(note)? as i32;
    let octave: i32 = octave.parse().ok().filter(|o| (-1..=9).contains(o))?;
    // B#3 is C4 and Cb4 is B3: the spelling's letter decides the octave, the accidental may
    // cross it.
    let letter = crate::key_name::pitch_class(&note[..1])? as i32;
    let shift = (pc - letter + 6).rem_euclid(12) - 6;
    u8::try_from((octave + 1) * 12 + letter + shift)
        .ok()
        .filter(|m| *m <= 127)
}

struct Plans {
    fwd: Arc<dyn RealToComplex<f32>>,
    inv: Arc<dyn ComplexToReal<f32>>,
}

fn plans() -> Plans {
    thread_local! {
        static P: (Arc<dyn RealToComplex<f32>>, Arc<dyn ComplexToReal<f32>>) = {
            let mut planner = RealFftPlanner::<f32>::new();
            (planner.plan_fft_forward(2 * FRAME), planner.plan_fft_inverse(2 * FRAME))
        };
    }
    P.with(|(f, i)| Plans {
        fwd: Arc::clone(f),
        inv: Arc::clone(i),
    })
}

/// The pitch of a one-shot `x` (mono, `rate` Hz), or `None` when it has none.
pub fn estimate(x: &[f32], rate: u32) -> Option<Pitch> {
    let frames = sustain_frames(x);
    if frames.is_empty() {
        return None;
    }
    let p = plans();
    let mut buf = p.fwd.make_input_vec();
    let mut spec = p.fwd.make_output_vec();
    let mut acf = p.inv.make_output_vec();
    let min_lag = ((rate as f32 / MAX_F0).floor() as usize).max(2);
    let mut readings: Vec<(f32, f32)> = Vec::new(); // (f0, aperiodicity)
    let mut examined = 0usize;
    for start in frames {
        let frame = &x[start..start + FRAME];
        examined += 1;
        if let Some(r) = yin_frame(frame, rate, min_lag, &p, &mut buf, &mut spec, &mut acf) {
            if r.1 <= VOICED_MAX_APERIODICITY {
                readings.push(r);
            }
        }
    }
    let voiced = readings.len() as f32 / examined as f32;
    let clean = readings
        .iter()
        .filter(|r| r.1 <= CLEAN_APERIODICITY)
        .count();
    if voiced < 0.5 || (readings.len() < 2 && clean == 0) {
        return None;
    }
    // As a note decays into reverb and noise, YIN drifts to subharmonics with middling
    // confidence: decide on the most periodic half of the frames.
    readings.sort_by(|a, b| a.1.total_cmp(&b.1));
    readings.truncate(readings.len().div_ceil(2));
    let mut midis: Vec<f32> = readings.iter().map(|(f, _)| hz_to_midi(*f)).collect();
    midis.sort_by(f32::total_cmp);
    let median = midis[midis.len() / 2];
    // A kick's sweep or a siren is not a note: most frames must agree within a semitone.
    let near = midis.iter().filter(|m| (*m - median).abs() <= 0.5).count();
    if (near as f32) < 0.6 * midis.len() as f32 {
        return None;
    }
    let mean = midis
        .iter()
        .filter(|m| (*m - median).abs() <= 0.5)
        .sum::<f32>()
        / near as f32;
    let rounded = mean.round();
    if !(0.0..=127.0).contains(&rounded) {
        return None;
    }
    Some(Pitch {
        f0_hz: 440.0 * 2f32.powf((mean - 69.0) / 12.0),
        midi: rounded as u8,
        cents: (mean - rounded) * 100.0,
        voiced,
    })
}

/// Frame starts covering the sustain: from 30 ms after the loudest moment of the attack
/// while the level stays within 30 dB of the peak.
fn sustain_frames(x: &[f32]) -> Vec<usize> {
    if x.len() < FRAME {
        return Vec::new();
    }
    let block = 256;
    let env: Vec<f32> = x
        .chunks(block)
        .map(|c| (c.iter().map(|v| v * v).sum::<f32>() / c.len() as f32).sqrt())
        .collect();
    let (peak_i, peak) = env
        .iter()
        .enumerate()
        .fold((0, 0.0f32), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    if peak <= 1e-5 {
        return Vec::new();
    }
    let floor = peak * 10f32.powf(-30.0 / 20.0);
    let start = peak_i * block + 660; // ~30 ms at 22.05 kHz: past the transient
    let mut out = Vec::new();
    let mut s = start;
    while s + FRAME <= x.len() && out.len() < MAX_FRAMES {
        let level = env[(s + FRAME / 2) / block];
        if level < floor {
            break;
        }
        out.push(s);
        s += HOP;
    }
    // Short sounds: one frame from the attack if the sustain has none.
    if out.is_empty() && peak_i * block + FRAME <= x.len() {
        out.push(peak_i * block);
    }
    out
}

/// YIN on one frame: (f0, aperiodicity) or `None` for silence.
fn yin_frame(
    frame: &[f32],
    rate: u32,
    min_lag: usize,
    p: &Plans,
    buf: &mut [f32],
    spec: &mut [realfft::num_complex::Complex<f32>],
    acf: &mut [f32],
) -> Option<(f32, f32)> {
    buf.fill(0.0);
    buf[..FRAME].copy_from_slice(frame);
    p.fwd.process(buf, spec).ok()?;
    for c in spec.iter_mut() {
        *c = realfft::num_complex::Complex::new(c.norm_sqr(), 0.0);
    }
    p.inv.process(spec, acf).ok()?;
    let scale = 1.0 / (2 * FRAME) as f32;
    // d(τ) = Σ_{j<W-τ} x_j² + Σ_{j≥τ} x_j² - 2 r(τ), energies from prefix sums.
    let mut prefix = vec![0.0f32; FRAME + 1];
    for (i, v) in frame.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v * v;
    }
    let total = prefix[FRAME];
    if total <= 1e-8 {
        return None;
    }
    let mut cmnd = vec![1.0f32; MAX_LAG + 1];
    let mut running = 0.0f32;
    for tau in 1..=MAX_LAG {
        let d = prefix[FRAME - tau] + (total - prefix[tau]) - 2.0 * acf[tau] * scale;
        running += d.max(0.0);
        cmnd[tau] = if running > 0.0 {
            d.max(0.0) * tau as f32 / running
        } else {
            1.0
        };
    }
    // First dip under the threshold, followed to its bottom; else the global minimum.
    let mut tau = None;
    let mut t = min_lag;
    while t < MAX_LAG {
        if cmnd[t] < YIN_THRESHOLD {
            while t + 1 < MAX_LAG && cmnd[t + 1] < cmnd[t] {
                t += 1;
            }
            tau = Some(t);
            break;
        }
        t += 1;
    }
    let tau = tau.unwrap_or_else(|| {
        (min_lag..MAX_LAG)
            .min_by(|a, b| cmnd[*a].total_cmp(&cmnd[*b]))
            .unwrap_or(min_lag)
    });
    let aperiodicity = cmnd[tau];
    // Parabolic interpolation of the dip for sub-sample lag.
    let refined = if tau > 1 && tau < MAX_LAG {
        let (a, b, c) = (cmnd[tau - 1], cmnd[tau], cmnd[tau + 1]);
        let den = a - 2.0 * b + c;
        if den.abs() > 1e-12 {
            tau as f32 + (0.5 * (a - c) / den).clamp(-0.5, 0.5)
        } else {
            tau as f32
        }
    } else {
        tau as f32
    };
    Some((rate as f32 / refined, aperiodicity))
}

/// MIDI note number (fractional) of a frequency.
pub fn hz_to_midi(f: f32) -> f32 {
    69.0 + 12.0 * (f / 440.0).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(f: f32, secs: f32, harmonics: usize) -> Vec<f32> {
        let rate = 22_050.0;
        (0..(secs * rate) as usize)
            .map(|i| {
                let t = i as f32 / rate;
                let env = (-t * 1.5).exp();
                (1..=harmonics)
                    .map(|h| (2.0 * std::f32::consts::PI * f * h as f32 * t).sin() / h as f32)
                    .sum::<f32>()
                    * 0.3
                    * env
            })
            .collect()
    }

    #[test]
    fn a440_is_a4() {
        let p = estimate(&tone(440.0, 1.0, 1), 22_050).unwrap();
        assert_eq!(p.note_name(), "A4");
        assert!(p.cents.abs() < 5.0, "{p:?}");
    }

    #[test]
    fn low_and_high_notes_with_harmonics_keep_their_octave() {
        for (f, name) in [
            (41.2, "E1"),
            (55.0, "A1"),
            (130.81, "C3"),
            (261.63, "C4"),
            (1046.5, "C6"),
        ] {
            let p =
                estimate(&tone(f, 1.5, 6), 22_050).unwrap_or_else(|| panic!("{name}: no pitch"));
            assert_eq!(p.note_name(), name, "{p:?}");
        }
    }

    #[test]
    fn detuned_tone_reports_cents() {
        let f = 440.0 * 2f32.powf(30.0 / 1200.0);
        let p = estimate(&tone(f, 1.0, 3), 22_050).unwrap();
        assert_eq!(p.midi, 69);
        assert!((p.cents - 30.0).abs() < 5.0, "{p:?}");
    }

    #[test]
    fn noise_has_no_pitch() {
        let noise: Vec<f32> = crate::test_noise(0x9E37_79B9_7F4A_7C15, 22_050)
            .into_iter()
            .enumerate()
            .map(|(i, v)| v * (-(i as f32) / 8000.0).exp())
            .collect();
        assert_eq!(estimate(&noise, 22_050), None);
    }

    #[test]
    fn names_use_sharps_and_c4_is_60() {
        assert_eq!(note_name(60), "C4");
        assert_eq!(note_name(46), "A#2");
        assert_eq!(note_name(63), "D#4");
        assert_eq!(note_name(21), "A0");
    }

    #[test]
    fn names_read_back_to_their_notes() {
        for m in 0..=127u8 {
            assert_eq!(midi_of(&note_name(m)), Some(m));
        }
        assert_eq!(midi_of("Eb3"), Some(51));
        assert_eq!(midi_of("C-1"), Some(0));
        assert_eq!(midi_of("Cb4"), Some(59));
        assert_eq!(midi_of("B#3"), Some(60));
        for bad in ["", "H2", "C", "C10", "G9x", "G#9", "A-2", "é4"] {
            assert_eq!(midi_of(bad), None, "{bad}");
        }
    }
}
