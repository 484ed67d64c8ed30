//! What a file says about itself beyond its audio: tempo and loop chunks (WAV `acid`, AIFF
//! Apple Loops `basc`) and tempo written in the file or folder name.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Loop metadata found in a file's chunks.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoopChunk {
    /// Tempo, when stated or derivable (beats over length).
    pub bpm: Option<f32>,
    /// Number of beats in the file.
    pub beats: Option<u32>,
    /// The chunk marks the file as a one-shot.
    pub one_shot: Option<bool>,
    /// Root note, MIDI number.
    pub root_midi: Option<u8>,
}

/// Bytes we read looking for chunks: they sit before or right after the audio header in
/// every file we have seen, and reading a whole long file would cost a second decode.
const HEAD: usize = 1 << 16;

/// Read the `acid` chunk of a RIFF WAVE or the `basc` chunk of an AIFF. `duration_s` turns
/// a beat count into a tempo.
pub fn loop_chunk(path: &Path, duration_s: f64) -> Option<LoopChunk> {
    let mut head = vec![0u8; HEAD];
    let n = File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .ok()?;
    loop_chunk_in(&head[..n], duration_s)
}

/// [`loop_chunk`] over the first bytes of a file (any bytes: a chunk size that overruns the
/// data yields what is there).
pub fn loop_chunk_in(head: &[u8], duration_s: f64) -> Option<LoopChunk> {
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        let body = find_chunk(&head[12..], b"acid", false)?;
        return parse_acid(body);
    }
    if head.len() >= 12
        && &head[0..4] == b"FORM"
        && (&head[8..12] == b"AIFF" || &head[8..12] == b"AIFC")
    {
        let body = find_chunk(&head[12..], b"basc", true)?;
        return parse_basc(body, duration_s);
    }
    None
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        let n = f.read(&mut buf[total..])?;
        if n == 0 {
            break;
        }
        total += n;
    }
    Ok(total)
}

/// The body of the first chunk `id` in a RIFF (little-endian sizes) or IFF (big-endian)
/// chunk list; a chunk cut off by the end of `data` yields what is there.
fn find_chunk<'a>(data: &'a [u8], id: &[u8; 4], big_endian: bool) -> Option<&'a [u8]> {
    let mut pos = 0usize;
    while pos + 8 <= data.len() {
        let raw: [u8; 4] = data[pos + 4..pos + 8].try_into().ok()?;
        let size = if big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        } as usize;
        let start = pos + 8;
        if &data[pos..pos + 4] == id {
            return Some(&data[start..(start + size).min(data.len())]);
        }
        pos = start.checked_add(size)?.checked_add(size & 1)?;
    }
    None
}

/// ACID chunk: flags u32, root note u16, 2 × reserved, beats u32, meter u16 × 2, tempo f32.
fn parse_acid(b: &[u8]) -> Option<LoopChunk> {
    if b.len() < 24 {
        return None;
    }
    let flags = u32::from_le_bytes(b[0..4].try_into().ok()?);
    let root = u16::from_le_bytes(b[4..6].try_into().ok()?);
    let beats = u32::from_le_bytes(b[12..16].try_into().ok()?);
    let tempo = f32::from_le_bytes(b[20..24].try_into().ok()?);
    Some(LoopChunk {
        bpm: (tempo.is_finite() && (20.0..=400.0).contains(&tempo)).then_some(tempo),
        beats: (beats > 0).then_some(beats),
        one_shot: Some(flags & 0x01 != 0),
        root_midi: (flags & 0x02 != 0 && root < 128).then_some(root as u8),
    })
}

/// Apple Loops `basc`: version u32, beats u32, root note u16, scale u16, signature u16 × 2,
/// loop type u16 (1 = loop, 2 = one-shot).
fn parse_basc(b: &[u8], duration_s: f64) -> Option<LoopChunk> {
    if b.len() < 18 {
        return None;
    }
    let beats = u32::from_be_bytes(b[4..8].try_into().ok()?);
    let root = u16::from_be_bytes(b[8..10].try_into().ok()?);
    let loop_type = u16::from_be_bytes(b[16..18].try_into().ok()?);
    let bpm = (beats > 0 && duration_s > 0.0).then(|| (beats as f64 * 60.0 / duration_s) as f32);
    Some(LoopChunk {
        bpm: bpm.filter(|b| (20.0..=400.0).contains(b)),
        beats: (beats > 0).then_some(beats),
        one_shot: match loop_type {
            1 => Some(false),
            2 => Some(true),
            _ => None,
        },
        root_midi: (root > 0 && root < 128).then_some(root as u8),
    })
}

/// How sure a tempo read from a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameTempoStrength {
    /// "128bpm", "128 BPM", "bpm128": meant as a tempo.
    Explicit,
    /// A bare number between separators ("_128_"): often a tempo, sometimes an index.
    Bare,
}

/// A tempo written in the file name or, failing that, in its folder names (nearest first).
pub fn name_tempo(path: &Path) -> Option<(f32, NameTempoStrength)> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let mut names: Vec<String> = stem.into_iter().collect();
    names.extend(
        path.parent()
            .into_iter()
            .flat_map(|p| p.components().rev().take(3))
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    // An explicit tempo anywhere wins over a bare number in the file name.
    names
        .iter()
        .find_map(|n| explicit_bpm(n))
        .map(|b| (b, NameTempoStrength::Explicit))
        .or_else(|| {
            names
                .first()
                .and_then(|n| bare_bpm(n))
                .map(|b| (b, NameTempoStrength::Bare))
        })
}

/// Numbers (with an optional decimal part) in `s`, with their byte ranges.
fn numbers(s: &str) -> Vec<(f32, usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || (b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            if let Ok(v) = s[start..i].parse::<f32>() {
                out.push((v, start, i));
            }
        } else {
            i += 1;
        }
    }
    out
}

fn plausible(bpm: f32) -> bool {
    (40.0..=300.0).contains(&bpm)
}

/// "128bpm", "128 BPM", "128_bpm", "bpm128", "BPM 128".
fn explicit_bpm(s: &str) -> Option<f32> {
    let lower = s.to_ascii_lowercase();
    for (v, start, end) in numbers(&lower) {
        let after = lower[end..].trim_start_matches([' ', '_', '-', '.']);
        let before = lower[..start].trim_end_matches([' ', '_', '-', '.']);
        if (after.starts_with("bpm") || before.ends_with("bpm")) && plausible(v) {
            return Some(v);
        }
    }
    None
}

/// A whole number between separators ("_128_", "-90-", " 140 "), not at the very start
/// (sample packs number their files "001_...").
fn bare_bpm(s: &str) -> Option<f32> {
    let sep = |c: Option<char>| {
        c.is_none_or(|c| matches!(c, '_' | '-' | ' ' | '.' | '(' | ')' | '[' | ']'))
    };
    numbers(s).into_iter().find_map(|(v, start, end)| {
        let prev = s[..start].chars().next_back();
        let next = s[end..].chars().next();
        let integer = !s[start..end].contains('.');
        (start > 0 && sep(prev) && sep(next) && integer && (60.0..=200.0).contains(&v)).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn tempo_in_names() {
        let t = |p: &str| name_tempo(&PathBuf::from(p));
        assert_eq!(
            t("Packs/House/kick_loop_128bpm.wav"),
            Some((128.0, NameTempoStrength::Explicit))
        );
        assert_eq!(
            t("x/Deep 124 BPM Groove.wav"),
            Some((124.0, NameTempoStrength::Explicit))
        );
        assert_eq!(
            t("x/BPM_90_dusty.wav"),
            Some((90.0, NameTempoStrength::Explicit))
        );
        assert_eq!(
            t("Loops 140bpm/Am/chords.wav"),
            Some((140.0, NameTempoStrength::Explicit))
        );
        assert_eq!(
            t("x/drum_loop_93_swing.wav"),
            Some((93.0, NameTempoStrength::Bare))
        );
        assert_eq!(t("x/001_kick.wav"), None); // an index, not a tempo
        assert_eq!(t("x/snare_03.wav"), None);
        assert_eq!(t("x/pad_440hz.wav"), None);
        assert_eq!(
            t("x/loop_87.5bpm.wav"),
            Some((87.5, NameTempoStrength::Explicit))
        );
    }

    fn riff(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        for (id, data) in chunks {
            body.extend_from_slice(*id);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&(body.len() as u32).to_le_bytes());
        f.extend_from_slice(&body);
        f
    }

    #[test]
    fn acid_chunk_after_fmt_and_an_odd_sized_chunk() {
        // Layout as ACID / Sony / FL Studio write it: flags (0x02 root valid), root 57 (A3),
        // reserved, reserved f32, 8 beats, 4/4, 120.0 BPM.
        let mut acid = Vec::new();
        acid.extend_from_slice(&0x02u32.to_le_bytes());
        acid.extend_from_slice(&57u16.to_le_bytes());
        acid.extend_from_slice(&0x8000u16.to_le_bytes());
        acid.extend_from_slice(&0f32.to_le_bytes());
        acid.extend_from_slice(&8u32.to_le_bytes());
        acid.extend_from_slice(&4u16.to_le_bytes());
        acid.extend_from_slice(&4u16.to_le_bytes());
        acid.extend_from_slice(&120f32.to_le_bytes());
        let bytes = riff(&[
            (b"fmt ", vec![0; 16]),
            (b"LIST", vec![1, 2, 3]),
            (b"acid", acid),
            (b"data", vec![0; 8]),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("loop.wav");
        std::fs::write(&p, bytes).unwrap();
        let c = loop_chunk(&p, 4.0).unwrap();
        assert_eq!(
            c,
            LoopChunk {
                bpm: Some(120.0),
                beats: Some(8),
                one_shot: Some(false),
                root_midi: Some(57)
            }
        );
    }

    #[test]
    fn apple_loops_basc_chunk_gives_tempo_from_beats() {
        let mut basc = Vec::new();
        basc.extend_from_slice(&1u32.to_be_bytes()); // version
        basc.extend_from_slice(&16u32.to_be_bytes()); // beats
        basc.extend_from_slice(&60u16.to_be_bytes()); // root C4
        basc.extend_from_slice(&1u16.to_be_bytes()); // scale
        basc.extend_from_slice(&4u16.to_be_bytes());
        basc.extend_from_slice(&4u16.to_be_bytes());
        basc.extend_from_slice(&1u16.to_be_bytes()); // loop
        basc.extend_from_slice(&[0; 66]);
        let mut body = b"AIFF".to_vec();
        for (id, data) in [(b"COMM", vec![0u8; 18]), (b"basc", basc)] {
            body.extend_from_slice(id);
            body.extend_from_slice(&(data.len() as u32).to_be_bytes());
            body.extend_from_slice(&data);
        }
        let mut f = b"FORM".to_vec();
        f.extend_from_slice(&(body.len() as u32).to_be_bytes());
        f.extend_from_slice(&body);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("loop.aif");
        std::fs::write(&p, f).unwrap();
        let c = loop_chunk(&p, 8.0).unwrap();
        assert_eq!(c.bpm, Some(120.0));
        assert_eq!(
            (c.beats, c.one_shot, c.root_midi),
            (Some(16), Some(false), Some(60))
        );
    }

    #[test]
    fn no_chunk_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plain.wav");
        std::fs::write(&p, riff(&[(b"fmt ", vec![0; 16]), (b"data", vec![0; 4])])).unwrap();
        assert_eq!(loop_chunk(&p, 1.0), None);
        assert_eq!(loop_chunk(&dir.path().join("missing.wav"), 1.0), None);
    }
}
