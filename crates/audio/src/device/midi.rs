//! MIDI input (midir: ALSA sequencer on Linux, CoreMIDI, WinMM): a keyboard's or pad
//! controller's notes to a [`super::sampler::Sampler`].
//!
//! midir was chosen as the one maintained cross-platform MIDI crate; on Linux it builds on
//! the same ALSA library as cpal, so the `device` feature needs nothing more.

use midir::{Ignore, MidiInput, MidiInputConnection};

use super::sampler::NoteSender;
use super::DeviceError;
use crate::voices::NoteEvent;

/// The note in a MIDI message: note-on (0x9n) and note-off (0x8n) on any channel; anything
/// else (controllers, clock, system messages) is `None`.
pub fn note_event(message: &[u8]) -> Option<NoteEvent> {
    let (&status, rest) = message.split_first()?;
    let (&note, rest) = rest.split_first()?;
    let &velocity = rest.first()?;
    if note > 127 || velocity > 127 {
        return None;
    }
    match status & 0xF0 {
        0x90 => Some(NoteEvent::On { note, velocity }),
        0x80 => Some(NoteEvent::Off { note }),
        _ => None,
    }
}

/// The MIDI inputs there are, by name.
///
/// # Errors
/// The platform's MIDI service cannot be opened (on Linux: no ALSA sequencer).
pub fn inputs() -> Result<Vec<String>, DeviceError> {
    let midi = open()?;
    Ok(midi
        .ports()
        .iter()
        .filter_map(|p| midi.port_name(p).ok())
        .collect())
}

fn open() -> Result<MidiInput, DeviceError> {
    let mut midi =
        MidiInput::new("SampleMind").map_err(|e| DeviceError::Stream(format!("MIDI: {e}")))?;
    midi.ignore(Ignore::All);
    Ok(midi)
}

/// An open MIDI input; dropping it closes it.
pub struct MidiIn {
    _connection: MidiInputConnection<()>,
    /// The port's name.
    pub name: String,
}

/// Connect the input whose name contains `port` (any case; None: the first there is) and
/// send its notes to `notes`.
///
/// # Errors
/// No MIDI service, no input, or none of that name (the message lists those there are).
pub fn connect(port: Option<&str>, mut notes: NoteSender) -> Result<MidiIn, DeviceError> {
    let midi = open()?;
    let ports = midi.ports();
    let names: Vec<String> = ports
        .iter()
        .map(|p| midi.port_name(p).unwrap_or_default())
        .collect();
    let want = port.map(str::to_lowercase);
    let i = names
        .iter()
        .position(|n| want.as_ref().is_none_or(|w| n.to_lowercase().contains(w)))
        .ok_or_else(|| {
            DeviceError::Stream(format!(
                "no MIDI input{}; there are: {}",
                port.map(|p| format!(" named {p:?}")).unwrap_or_default(),
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ))
        })?;
    let name = names[i].clone();
    let connection = midi
        .connect(
            &ports[i],
            "samplemind-pads",
            move |_, message, _| {
                if let Some(e) = note_event(message) {
                    notes.send(e);
                }
            },
            (),
        )
        .map_err(|e| DeviceError::Stream(format!("MIDI {name}: {e}")))?;
    Ok(MidiIn {
        _connection: connection,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_read_from_any_channel_and_the_rest_is_ignored() {
        assert_eq!(
            note_event(&[0x93, 60, 100]),
            Some(NoteEvent::On {
                note: 60,
                velocity: 100
            })
        );
        assert_eq!(
            note_event(&[0x80, 60, 0]),
            Some(NoteEvent::Off { note: 60 })
        );
        // Velocity 0 stays a note-on here; the voices read it as a release.
        assert_eq!(
            note_event(&[0x90, 61, 0]),
            Some(NoteEvent::On {
                note: 61,
                velocity: 0
            })
        );
        for other in [
            &[0xB0, 7, 100][..],
            &[0xF8],
            &[0x90, 60],
            &[],
            &[0x90, 200, 1],
        ] {
            assert_eq!(note_event(other), None, "{other:?}");
        }
    }
}
