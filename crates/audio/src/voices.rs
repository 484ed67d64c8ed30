//! A sampler's voices: one sound played from a keyboard or pads at many notes at once, each
//! note transposed from the sound's root by resampling (as a sampler does: pitch and length
//! together), its velocity setting its level.
//!
//! Kept apart from the device so that the voice logic is tested without one, and so that the
//! audio callback that runs it does nothing but arithmetic: a fixed array of voices, no
//! allocation, no lock.

use std::sync::Arc;

/// Notes sounding at once; a ninth steals the voice that started first.
pub const POLYPHONY: usize = 8;

/// A stolen voice is not cut but fades out over this long, seconds, beside the note that
/// took its place: a cut in mid-waveform is a click.
pub const STEAL_FADE_SECONDS: f32 = 0.005;

/// A released note fades out over this long, seconds: short enough to feel like letting go,
/// long enough not to click.
pub const RELEASE_SECONDS: f32 = 0.05;

/// A note played or let go (MIDI numbering, C4 = 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteEvent {
    /// A key or pad struck with `velocity` (1–127).
    On {
        /// The note.
        note: u8,
        /// How hard, 1–127.
        velocity: u8,
    },
    /// A key let go.
    Off {
        /// The note.
        note: u8,
    },
}

/// The sound every voice plays: interleaved at the output's rate.
#[derive(Debug, Clone)]
pub struct SamplerSound {
    /// Interleaved samples.
    pub data: Arc<[f32]>,
    /// Channels of `data`.
    pub channels: usize,
    /// The note the sound is at (its root note), played untransposed.
    pub root: u8,
}

impl SamplerSound {
    fn frames(&self) -> usize {
        self.data.len() / self.channels.max(1)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Voice {
    active: bool,
    note: u8,
    /// Position in the sound, frames (fractional).
    pos: f64,
    /// Frames of the sound per output frame.
    step: f64,
    gain: f32,
    /// Envelope, 1 while held; falls to 0 once released.
    level: f32,
    released: bool,
    /// How much `level` falls per frame once released.
    fall: f32,
    /// When it started (a counter), for stealing the oldest.
    started: u64,
}

/// The voices of one sound.
#[derive(Debug, Clone)]
pub struct Voices {
    sound: SamplerSound,
    voices: [Voice; POLYPHONY],
    /// Stolen voices fading out: they sound but no longer count as notes.
    stolen: [Voice; POLYPHONY],
    clock: u64,
    release_step: f32,
    steal_step: f32,
}

impl Voices {
    /// Voices over `sound`, rendering at `rate` Hz.
    pub fn new(sound: SamplerSound, rate: u32) -> Self {
        Self {
            sound,
            voices: [Voice::default(); POLYPHONY],
            stolen: [Voice::default(); POLYPHONY],
            clock: 0,
            release_step: 1.0 / (RELEASE_SECONDS * rate.max(1) as f32),
            steal_step: 1.0 / (STEAL_FADE_SECONDS * rate.max(1) as f32),
        }
    }

    /// Play or release a note.
    pub fn handle(&mut self, e: NoteEvent) {
        match e {
            // A note-on at velocity 0 is a note-off, as MIDI has it.
            NoteEvent::On { note, velocity: 0 } | NoteEvent::Off { note } => {
                for v in self
                    .voices
                    .iter_mut()
                    .filter(|v| v.active && v.note == note)
                {
                    v.released = true;
                }
            }
            NoteEvent::On { note, velocity } => {
                self.clock += 1;
                let slot = self
                    .voices
                    .iter()
                    .position(|v| !v.active)
                    .unwrap_or_else(|| {
                        // All busy: the one that started first goes.
                        self.voices
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, v)| v.started)
                            .map_or(0, |(i, _)| i)
                    });
                if self.voices[slot].active {
                    self.stolen[slot] = Voice {
                        released: true,
                        fall: self.steal_step,
                        ..self.voices[slot]
                    };
                }
                let v = velocity.min(127) as f32 / 127.0;
                self.voices[slot] = Voice {
                    active: true,
                    note,
                    pos: 0.0,
                    step: 2f64.powf((note as f64 - self.sound.root as f64) / 12.0),
                    // Velocity to level on a square law: soft notes are felt as soft.
                    gain: v * v,
                    level: 1.0,
                    released: false,
                    fall: self.release_step,
                    started: self.clock,
                };
            }
        }
    }

    /// Notes sounding now.
    pub fn active(&self) -> usize {
        self.voices.iter().filter(|v| v.active).count()
    }

    /// Notes sounding now, in the order they started.
    pub fn notes(&self) -> Vec<u8> {
        let mut v: Vec<&Voice> = self.voices.iter().filter(|v| v.active).collect();
        v.sort_by_key(|v| v.started);
        v.iter().map(|v| v.note).collect()
    }

    /// Add the voices into `out` (interleaved, `channels` channels): mono sounds go to every
    /// channel, stereo ones alternate sides. No allocation.
    pub fn render(&mut self, out: &mut [f32], channels: usize) {
        let (data, ch, frames) = (
            &self.sound.data,
            self.sound.channels.max(1),
            self.sound.frames(),
        );
        if channels == 0 || frames == 0 {
            return;
        }
        let sounding = self.voices.iter_mut().chain(self.stolen.iter_mut());
        for v in sounding.filter(|v| v.active) {
            for frame in out.chunks_exact_mut(channels) {
                let i = v.pos as usize;
                if i + 1 >= frames || v.level <= 0.0 {
                    v.active = false;
                    break;
                }
                let frac = (v.pos - i as f64) as f32;
                let g = v.gain * v.level;
                for (c, o) in frame.iter_mut().enumerate() {
                    let sc = c % ch;
                    let a = data[i * ch + sc];
                    let b = data[(i + 1) * ch + sc];
                    *o += (a + (b - a) * frac) * g;
                }
                v.pos += v.step;
                if v.released {
                    v.level -= v.fall;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    /// A 220 Hz sine (A3) of `seconds`, mono.
    fn a3(seconds: f32) -> SamplerSound {
        let n = (seconds * RATE as f32) as usize;
        let data: Vec<f32> = (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * 220.0 * i as f32 / RATE as f32).sin())
            .collect();
        SamplerSound {
            data: data.into(),
            channels: 1,
            root: 57,
        }
    }

    fn render(v: &mut Voices, frames: usize) -> Vec<f32> {
        let mut out = vec![0.0; frames];
        v.render(&mut out, 1);
        out
    }

    fn hz(x: &[f32]) -> f32 {
        let ups = x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        ups as f32 * RATE as f32 / x.len() as f32
    }

    #[test]
    fn a_note_plays_the_sound_transposed_from_its_root_at_its_velocity() {
        let mut v = Voices::new(a3(1.0), RATE);
        v.handle(NoteEvent::On {
            note: 60,
            velocity: 127,
        });
        let x = render(&mut v, 24_000);
        let want = 220.0 * 2f32.powf(3.0 / 12.0);
        assert!((hz(&x) - want).abs() < 2.0, "{} Hz", hz(&x));
        let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((peak - 1.0).abs() < 0.01, "{peak}");
        // Half the velocity is a quarter of the level.
        let mut v = Voices::new(a3(1.0), RATE);
        v.handle(NoteEvent::On {
            note: 57,
            velocity: 64,
        });
        let peak = render(&mut v, 4_800)
            .iter()
            .fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((peak - (64.0f32 / 127.0).powi(2)).abs() < 0.01, "{peak}");
    }

    #[test]
    fn eight_notes_sound_at_once_and_a_ninth_steals_the_first() {
        let mut v = Voices::new(a3(2.0), RATE);
        for note in 60..68 {
            v.handle(NoteEvent::On {
                note,
                velocity: 100,
            });
        }
        assert_eq!(v.active(), POLYPHONY);
        v.handle(NoteEvent::On {
            note: 72,
            velocity: 100,
        });
        assert_eq!(v.active(), POLYPHONY);
        assert_eq!(v.notes(), vec![61, 62, 63, 64, 65, 66, 67, 72]);
    }

    #[test]
    fn a_stolen_voice_fades_out_instead_of_stopping_dead() {
        // A constant sound: each voice adds its level, so the sum shows every voice.
        let dc = SamplerSound {
            data: vec![1.0; RATE as usize].into(),
            channels: 1,
            root: 60,
        };
        let mut v = Voices::new(dc, RATE);
        for _ in 0..POLYPHONY {
            v.handle(NoteEvent::On {
                note: 60,
                velocity: 127,
            });
        }
        render(&mut v, 100);
        v.handle(NoteEvent::On {
            note: 60,
            velocity: 127,
        });
        let fade = (STEAL_FADE_SECONDS * RATE as f32) as usize;
        let x = render(&mut v, fade * 2);
        // The stolen voice is still there at first, falling a little each frame, and gone
        // once its fade has run; the notes counted never exceed the polyphony.
        assert!((x[0] - 9.0).abs() < 0.01, "{}", x[0]);
        assert!(x.windows(2).all(|w| w[0] - w[1] < 2.0 / fade as f32));
        assert!((x[fade + 5] - 8.0).abs() < 1e-3, "{}", x[fade + 5]);
        assert_eq!(v.active(), POLYPHONY);
    }

    #[test]
    fn a_released_note_fades_out_and_a_one_shot_ends_by_itself() {
        let mut v = Voices::new(a3(2.0), RATE);
        v.handle(NoteEvent::On {
            note: 57,
            velocity: 127,
        });
        render(&mut v, 4_800);
        // A note-on at velocity 0 is a release.
        v.handle(NoteEvent::On {
            note: 57,
            velocity: 0,
        });
        let tail = render(&mut v, (RELEASE_SECONDS * RATE as f32) as usize + 10);
        assert_eq!(v.active(), 0);
        // The fade is gradual: the last cycle is far quieter than the first.
        let head = tail[..218].iter().fold(0.0f32, |m, s| m.max(s.abs()));
        let end = tail[tail.len() - 228..]
            .iter()
            .fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(head > 0.9 && end < 0.1, "{head} → {end}");
        // Held, a 0.1 s sound ends when it runs out (an octave up, in half the time).
        let mut v = Voices::new(a3(0.1), RATE);
        v.handle(NoteEvent::On {
            note: 69,
            velocity: 127,
        });
        render(&mut v, 2_500);
        assert_eq!(v.active(), 0);
    }
}
