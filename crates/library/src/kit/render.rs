//! Play a standard MIDI file through an SFZ instrument offline: each note-on starts its
//! region's sample at the note's time, at a gain from its velocity, mixed into one buffer.
//! The SFZ read is the subset a drum kit uses (`<control> default_path`, `<region>` with
//! `sample`, `key` or `lokey`/`hikey`); no registry package carries an SFZ player for this
//! machine (sfizz is not in Debian 12), so the kit's test plays it through this.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a render could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A file could not be read.
    #[error("{}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The reason.
        reason: String,
    },
    /// The MIDI file does not parse.
    #[error("{}: not a standard MIDI file ({reason})", path.display())]
    Midi {
        /// The file.
        path: PathBuf,
        /// The reason.
        reason: String,
    },
}

/// The longest render: a preview, not a mixdown.
const MAX_SECONDS: f64 = 600.0;

/// The regions of the SFZ at `sfz`: MIDI note → sample file.
///
/// # Errors
/// [`RenderError::Read`] when the file cannot be read.
pub fn read_sfz(sfz: &Path) -> Result<HashMap<u8, PathBuf>, RenderError> {
    let text = std::fs::read_to_string(sfz).map_err(|e| RenderError::Read {
        path: sfz.to_path_buf(),
        reason: e.to_string(),
    })?;
    let base = sfz.parent().unwrap_or(Path::new("."));
    let mut default_path = String::new();
    let mut regions = HashMap::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let ops = opcodes(line);
        let get = |k: &str| ops.iter().find(|(o, _)| o == k).map(|(_, v)| v.clone());
        if line.contains("<control>") {
            if let Some(p) = get("default_path") {
                default_path = p;
            }
        }
        if !line.contains("<region>") {
            continue;
        }
        let Some(sample) = get("sample") else {
            continue;
        };
        let path = base.join(&default_path).join(sample.replace('\\', "/"));
        let note = |k: &str| {
            get(k)
                .and_then(|v| v.parse::<u8>().ok())
                .filter(|n| *n < 128)
        };
        let (lo, hi) = match note("key") {
            Some(k) => (k, k),
            None => match (note("lokey"), note("hikey")) {
                (Some(lo), Some(hi)) if lo <= hi => (lo, hi),
                _ => continue,
            },
        };
        for n in lo..=hi {
            regions.insert(n, path.clone());
        }
    }
    Ok(regions)
}

/// `opcode=value` pairs of one SFZ line (a value runs to the next opcode: sample names may
/// hold spaces).
fn opcodes(line: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| !w.starts_with('<'))
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v))
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push((k.to_string(), v.to_string()));
            }
            _ => {
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(w);
                }
            }
        }
    }
    out
}

/// Render the MIDI file `midi` through the SFZ `sfz` at `rate` Hz, mono. Notes without a
/// region are silent.
///
/// # Errors
/// [`RenderError`] naming the SFZ, a sample or the MIDI file that failed.
pub fn render(sfz: &Path, midi: &Path, rate: u32) -> Result<Vec<f32>, RenderError> {
    let regions = read_sfz(sfz)?;
    let bytes = std::fs::read(midi).map_err(|e| RenderError::Read {
        path: midi.to_path_buf(),
        reason: e.to_string(),
    })?;
    let notes = note_ons(&bytes).map_err(|reason| RenderError::Midi {
        path: midi.to_path_buf(),
        reason,
    })?;
    let mut decoded: HashMap<PathBuf, Vec<f32>> = HashMap::new();
    let mut out: Vec<f32> = Vec::new();
    for (t, note, velocity) in notes {
        let Some(path) = regions.get(&note) else {
            continue;
        };
        if !decoded.contains_key(path) {
            let read = |reason: String| RenderError::Read {
                path: path.clone(),
                reason,
            };
            let (info, mono) = samplemind_audio::decode::decode_mono(path, Some(MAX_SECONDS))
                .map_err(|e| read(e.to_string()))?;
            let mono = if info.sample_rate == rate {
                mono
            } else {
                samplemind_audio::resample::resample_mono(&mono, info.sample_rate, rate)
                    .map_err(read)?
            };
            decoded.insert(path.clone(), mono);
        }
        let sound = &decoded[path];
        let at = (t * f64::from(rate)).round() as usize;
        if t > MAX_SECONDS {
            break;
        }
        if out.len() < at + sound.len() {
            out.resize(at + sound.len(), 0.0);
        }
        let gain = f32::from(velocity) / 127.0;
        for (o, s) in out[at..].iter_mut().zip(sound) {
            *o += s * gain;
        }
    }
    Ok(out)
}

/// Every note-on of a standard MIDI file: (seconds, note, velocity), in time order. Tempo
/// changes are followed; a file in SMPTE time is refused.
fn note_ons(bytes: &[u8]) -> Result<Vec<(f64, u8, u8)>, String> {
    let smf = midly::Smf::parse(bytes).map_err(|e| e.to_string())?;
    let ticks_per_beat = match smf.header.timing {
        midly::Timing::Metrical(t) => f64::from(t.as_int().max(1)),
        midly::Timing::Timecode(..) => return Err("SMPTE time is not read".into()),
    };
    // Every track's events on one timeline of ticks, tempo changes included.
    let mut events: Vec<(u64, midly::TrackEventKind<'_>)> = Vec::new();
    for track in &smf.tracks {
        let mut tick = 0u64;
        for ev in track {
            tick += u64::from(ev.delta.as_int());
            events.push((tick, ev.kind));
        }
    }
    events.sort_by_key(|(t, _)| *t);
    let mut out = Vec::new();
    let (mut last_tick, mut seconds, mut us_per_beat) = (0u64, 0.0f64, 500_000.0f64);
    for (tick, kind) in events {
        seconds += (tick - last_tick) as f64 / ticks_per_beat * us_per_beat / 1e6;
        last_tick = tick;
        match kind {
            midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) => {
                us_per_beat = f64::from(t.as_int().max(1));
            }
            midly::TrackEventKind::Midi {
                message: midly::MidiMessage::NoteOn { key, vel },
                ..
            } if vel.as_int() > 0 => out.push((seconds, key.as_int(), vel.as_int())),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sfz_regions_read_a_key_a_range_and_a_name_with_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let sfz = dir.path().join("k.sfz");
        std::fs::write(
            &sfz,
            "// comment\n<control> default_path=samples/\n<region> sample=36_kick.wav key=36\n<region> sample=my snare.wav lokey=38 hikey=40 // two\n<region> sample=bad.wav key=300\n",
        )
        .unwrap();
        let r = read_sfz(&sfz).unwrap();
        assert_eq!(r[&36], dir.path().join("samples/36_kick.wav"));
        assert_eq!(r[&40], dir.path().join("samples/my snare.wav"));
        assert_eq!(r.len(), 4);
        assert!(note_ons(b"not midi").is_err());
    }
}
