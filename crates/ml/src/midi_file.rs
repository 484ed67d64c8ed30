//! Writing notes as a standard MIDI file (midly): format 0, one channel, 480 ticks per
//! quarter at 120 BPM, so one tick is 1/960 s; pitch bends with the General MIDI default
//! range of ±2 semitones.

use std::path::Path;

use midly::num::{u15, u24, u28, u4, u7};
use midly::{
    Format, Header, MetaMessage, MidiMessage, PitchBend, Smf, Timing, TrackEvent, TrackEventKind,
};

use super::basic_pitch::{Note, FRAME_RATE};

const TICKS_PER_QUARTER: u16 = 480;
const TICKS_PER_SECOND: f64 = 960.0;
/// Semitones of a full pitch-bend swing (the GM default).
const BEND_RANGE: f32 = 2.0;
/// Bends smaller than this (semitones) are left out: the file stays small.
const BEND_STEP: f32 = 0.05;

/// Encode `notes` as a standard MIDI file.
pub fn to_smf_bytes(notes: &[Note]) -> Vec<u8> {
    // (tick, order, kind): note-offs sort before note-ons at the same tick.
    let mut events: Vec<(u64, u8, MidiMessage)> = Vec::new();
    let tick = |s: f64| (s * TICKS_PER_SECOND).round().max(0.0) as u64;
    for n in notes {
        let key = u7::new(n.midi.min(127));
        events.push((
            tick(n.start_s),
            1,
            MidiMessage::NoteOn {
                key,
                vel: u7::new(n.velocity.clamp(1, 127)),
            },
        ));
        events.push((
            tick(n.end_s),
            0,
            MidiMessage::NoteOff {
                key,
                vel: u7::new(0),
            },
        ));
        // One channel: bends are only written for notes that have the channel to themselves.
        let alone = !notes
            .iter()
            .any(|o| !std::ptr::eq(o, n) && o.start_s < n.end_s && n.start_s < o.end_s);
        if alone {
            let mut last = 0f32;
            for (i, b) in n.bends.iter().enumerate() {
                if (b - last).abs() >= BEND_STEP {
                    last = *b;
                    events.push((
                        tick(n.start_s + i as f64 / FRAME_RATE),
                        2,
                        MidiMessage::PitchBend {
                            bend: PitchBend::from_f32(b / BEND_RANGE),
                        },
                    ));
                }
            }
            if last != 0.0 {
                events.push((
                    tick(n.end_s),
                    0,
                    MidiMessage::PitchBend {
                        bend: PitchBend::mid_raw_value(),
                    },
                ));
            }
        }
    }
    events.sort_by_key(|e| (e.0, e.1));
    let mut track = vec![TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::Tempo(u24::new(500_000))),
    }];
    let mut now = 0u64;
    for (t, _, message) in events {
        track.push(TrackEvent {
            delta: u28::new((t - now).min(0x0FFF_FFFF) as u32),
            kind: TrackEventKind::Midi {
                channel: u4::new(0),
                message,
            },
        });
        now = t;
    }
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    let smf = Smf {
        header: Header::new(
            Format::SingleTrack,
            Timing::Metrical(u15::new(TICKS_PER_QUARTER)),
        ),
        tracks: vec![track],
    };
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = smf.write_std(&mut bytes);
    bytes
}

/// Longest stretch [`transcribe`] reads: a sample, not an album.
pub const MAX_TRANSCRIBE_SECONDS: f64 = 600.0;

/// Why a file could not be transcribed to MIDI; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    /// The audio does not decode.
    #[error(transparent)]
    Decode(#[from] samplemind_audio::DecodeError),
    /// The note model is missing or refused the audio.
    #[error("{}: {source}", path.display())]
    Model {
        /// The audio file.
        path: std::path::PathBuf,
        /// Why.
        source: crate::MlError,
    },
    /// The MIDI file cannot be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The MIDI file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The notes of the first [`MAX_TRANSCRIBE_SECONDS`] of `input` (basic-pitch), written to
/// `out` as a standard MIDI file (its folder made when missing); the notes are returned too.
/// The one path of `samplemind midi` and the desktop app's "export MIDI".
///
/// # Errors
/// [`TranscribeError`], naming the file.
pub fn transcribe(
    models: &crate::Models,
    input: &Path,
    out: &Path,
) -> Result<Vec<Note>, TranscribeError> {
    let (info, mono) = samplemind_audio::decode_mono(input, Some(MAX_TRANSCRIBE_SECONDS))?;
    let notes = super::basic_pitch::notes(
        models,
        &mono,
        info.sample_rate,
        &super::basic_pitch::NoteOptions::default(),
    )
    .map_err(|source| TranscribeError::Model {
        path: input.to_path_buf(),
        source,
    })?;
    let write_err = |source| TranscribeError::Write {
        path: out.to_path_buf(),
        source,
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    write(out, &notes).map_err(write_err)?;
    Ok(notes)
}

/// Write `notes` to `path` as a standard MIDI file.
///
/// # Errors
/// The file cannot be written.
pub fn write(path: &Path, notes: &[Note]) -> std::io::Result<()> {
    std::fs::write(path, to_smf_bytes(notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_through_the_file() {
        let notes = vec![
            Note {
                start_s: 0.0,
                end_s: 0.5,
                midi: 60,
                velocity: 100,
                bends: vec![],
            },
            Note {
                start_s: 0.25,
                end_s: 1.0,
                midi: 64,
                velocity: 80,
                bends: vec![],
            },
        ];
        let bytes = to_smf_bytes(&notes);
        let smf = Smf::parse(&bytes).unwrap();
        let mut on = Vec::new();
        let mut t = 0u32;
        for e in &smf.tracks[0] {
            t += e.delta.as_int();
            if let TrackEventKind::Midi {
                message: MidiMessage::NoteOn { key, vel },
                ..
            } = e.kind
            {
                on.push((t, key.as_int(), vel.as_int()));
            }
        }
        assert_eq!(on, vec![(0, 60, 100), (240, 64, 80)]);
    }
}
