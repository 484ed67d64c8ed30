//! basic-pitch (Bittner et al., ICASSP 2022; Spotify, Apache-2.0): the notes of a melodic or
//! polyphonic sound, for `samplemind midi`.
//!
//! The model reads 2-second windows of 22.05 kHz mono (43,844 samples, hop 36,164, so that
//! neighbouring windows overlap by 30 frames) and gives, per 11.6 ms frame and per piano key,
//! a note activation, an onset activation, and a pitch contour at a third of a semitone. As in
//! the package, half the overlap is cut from each side of each window, onsets are the local
//! peaks of the onset activation, a note lasts while its activation stays above the frame
//! threshold (with a short tolerance), and its velocity is its mean activation.

use super::infer::run_f32;
use super::models::{ModelId, Models};
use super::MlError;
use samplemind_audio::resample_mono;

const RATE: u32 = 22_050;
const WINDOW: usize = 43_844;
const HOP_SAMPLES: usize = 256;
/// Frames shared by neighbouring windows.
const OVERLAP_FRAMES: usize = 30;
const OVERLAP: usize = OVERLAP_FRAMES * HOP_SAMPLES;
const WINDOW_HOP: usize = WINDOW - OVERLAP;
const FRAMES_PER_WINDOW: usize = 172;
const KEYS: usize = 88;
const CONTOUR_BINS: usize = 264;
/// MIDI note of key 0 (A0).
const LOWEST_MIDI: u8 = 21;
/// Frames per second of the model's output.
pub const FRAME_RATE: f64 = RATE as f64 / HOP_SAMPLES as f64;

/// Thresholds of note creation (the package's defaults).
#[derive(Debug, Clone, Copy)]
pub struct NoteOptions {
    /// Onset activation a note must start with.
    pub onset_threshold: f32,
    /// Note activation a note must keep.
    pub frame_threshold: f32,
    /// Shortest note, seconds.
    pub min_note_s: f64,
}

impl Default for NoteOptions {
    fn default() -> Self {
        Self {
            onset_threshold: 0.5,
            frame_threshold: 0.3,
            min_note_s: 0.127,
        }
    }
}

/// One detected note.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// MIDI note number.
    pub midi: u8,
    /// 1..=127, from the note's mean activation.
    pub velocity: u8,
    /// Pitch deviation from `midi` per frame from the start, semitones (from the contour).
    pub bends: Vec<f32>,
}

/// Frame-wise model output over a whole sound.
struct Activations {
    frames: usize,
    note: Vec<f32>,
    onset: Vec<f32>,
    contour: Vec<f32>,
}

fn activations(models: &Models, mono: &[f32], rate: u32) -> Result<Activations, MlError> {
    let audio = resample_mono(mono, rate, RATE).map_err(MlError::Input)?;
    if audio.is_empty() {
        return Err(MlError::Input("no audio".into()));
    }
    // Half an overlap of silence first, so the first frames are not cut.
    let mut padded = vec![0f32; OVERLAP / 2];
    padded.extend_from_slice(&audio);
    let windows = padded.len().div_ceil(WINDOW_HOP).max(1);
    let mut batch = vec![0f32; windows * WINDOW];
    for w in 0..windows {
        let from = w * WINDOW_HOP;
        let to = (from + WINDOW).min(padded.len());
        if from < to {
            batch[w * WINDOW..][..to - from].copy_from_slice(&padded[from..to]);
        }
    }
    let out = run_f32(
        models,
        ModelId::BasicPitch,
        "serving_default_input_2:0",
        &[windows, WINDOW, 1],
        &batch,
        &[
            "StatefulPartitionedCall:1",
            "StatefulPartitionedCall:2",
            "StatefulPartitionedCall:0",
        ],
    )?;
    let keep = FRAMES_PER_WINDOW - OVERLAP_FRAMES;
    let frames_total = (audio.len() as f64 / HOP_SAMPLES as f64).ceil() as usize;
    let stitch = |values: &[f32], width: usize| -> Vec<f32> {
        let mut v = Vec::with_capacity(windows * keep * width);
        for w in 0..windows {
            let win = &values[w * FRAMES_PER_WINDOW * width..][..FRAMES_PER_WINDOW * width];
            let half = OVERLAP_FRAMES / 2;
            v.extend_from_slice(&win[half * width..(half + keep) * width]);
        }
        v.truncate(frames_total * width);
        v
    };
    let note = stitch(&out[0].1, KEYS);
    Ok(Activations {
        frames: note.len() / KEYS,
        onset: stitch(&out[1].1, KEYS),
        contour: stitch(&out[2].1, CONTOUR_BINS),
        note,
    })
}

/// The notes in `mono` (at `rate` Hz), in start order.
///
/// # Errors
/// The model is missing or refused the input.
pub fn notes(
    models: &Models,
    mono: &[f32],
    rate: u32,
    opts: &NoteOptions,
) -> Result<Vec<Note>, MlError> {
    let act = activations(models, mono, rate)?;
    Ok(notes_from(&act, opts))
}

fn notes_from(act: &Activations, opts: &NoteOptions) -> Vec<Note> {
    let (frames, min_len) = (
        act.frames,
        (opts.min_note_s * FRAME_RATE).round().max(1.0) as usize,
    );
    // Frames below the threshold a note may cross and go on (the package's energy tolerance).
    const TOLERANCE: usize = 11;
    let at = |v: &[f32], t: usize, k: usize| v[t * KEYS + k];
    let mut used = vec![false; frames * KEYS];
    let mut onsets: Vec<(usize, usize, f32)> = Vec::new();
    for k in 0..KEYS {
        for t in 0..frames {
            let o = at(&act.onset, t, k);
            let before = if t > 0 { at(&act.onset, t - 1, k) } else { 0.0 };
            let after = if t + 1 < frames {
                at(&act.onset, t + 1, k)
            } else {
                0.0
            };
            if o >= opts.onset_threshold && o >= before && o > after {
                onsets.push((t, k, o));
            }
        }
    }
    // Latest first, as the package does: a re-struck note ends where the next one starts.
    onsets.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.total_cmp(&a.2)));
    let mut out = Vec::new();
    for (start, k, _) in onsets {
        if used[start * KEYS + k] {
            continue;
        }
        let (mut t, mut below) = (start + 1, 0);
        while t < frames && !used[t * KEYS + k] {
            if at(&act.note, t, k) < opts.frame_threshold {
                below += 1;
                if below > TOLERANCE {
                    break;
                }
            } else {
                below = 0;
            }
            t += 1;
        }
        let end = t - below;
        if end <= start || end - start < min_len {
            continue;
        }
        for f in start..end {
            used[f * KEYS + k] = true;
        }
        let mean = (start..end).map(|f| at(&act.note, f, k)).sum::<f32>() / (end - start) as f32;
        // The contour has 3 bins per key; bend = activation-weighted offset around its centre.
        let bends = (start..end)
            .map(|f| {
                let centre = 3 * k + 1;
                let (mut num, mut den) = (0f32, 0f32);
                for b in centre.saturating_sub(2)..(centre + 3).min(CONTOUR_BINS) {
                    let w = act.contour[f * CONTOUR_BINS + b];
                    num += w * (b as f32 - centre as f32) / 3.0;
                    den += w;
                }
                if den > 0.0 {
                    num / den
                } else {
                    0.0
                }
            })
            .collect();
        out.push(Note {
            start_s: start as f64 / FRAME_RATE,
            end_s: end as f64 / FRAME_RATE,
            midi: LOWEST_MIDI + k as u8,
            velocity: (mean * 127.0).round().clamp(1.0, 127.0) as u8,
            bends,
        });
    }
    suppress_octave_ghosts(&mut out);
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.midi.cmp(&b.midi)));
    out
}

/// A note an octave above a louder note that sounds with it for most of its length is that
/// note's second harmonic, not a played note: the model hears a strong harmonic as a faint
/// note. A played octave is about as loud as its partner and is kept.
fn suppress_octave_ghosts(notes: &mut Vec<Note>) {
    /// Velocity ratio below which an octave-up partner counts as a harmonic.
    const GHOST_RATIO: f32 = 0.6;
    let ghost: Vec<bool> = notes
        .iter()
        .map(|n| {
            notes.iter().any(|low| {
                let overlap = n.end_s.min(low.end_s) - n.start_s.max(low.start_s);
                low.midi + 12 == n.midi
                    && overlap > 0.5 * (n.end_s - n.start_s)
                    && (n.velocity as f32) < GHOST_RATIO * low.velocity as f32
            })
        })
        .collect();
    let mut i = 0;
    notes.retain(|_| {
        i += 1;
        !ghost[i - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(midi: u8, velocity: u8) -> Note {
        Note {
            start_s: 0.0,
            end_s: 1.0,
            midi,
            velocity,
            bends: Vec::new(),
        }
    }

    #[test]
    fn a_faint_octave_is_a_harmonic_and_a_played_octave_stays() {
        let mut ghost = vec![note(60, 100), note(72, 40)];
        suppress_octave_ghosts(&mut ghost);
        assert_eq!(ghost.len(), 1);
        let mut played = vec![note(60, 100), note(72, 90), note(64, 30)];
        suppress_octave_ghosts(&mut played);
        assert_eq!(played.len(), 3);
    }
}
