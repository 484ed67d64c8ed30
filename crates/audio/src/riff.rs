//! Tempo and loop metadata written into a copy of a WAV file, as the tools a producer drags
//! samples into read it: the ACID chunk (`acid`: one-shot or loop, root note, beats, tempo)
//! and the sampler chunk (`smpl`: MIDI unity note, and for a loop its loop points).
//!
//! No well-kept crate writes these two chunks (hound writes `fmt` and `data` only; lofty
//! writes tags, not these), so this is the small RIFF rewrite they need. The copy keeps every
//! other chunk byte for byte; the two go right after `fmt`, before `data`, where readers that
//! look at a file's first kilobytes find them. The source is never written.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What the copy should say about the sound.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoopInfo {
    /// Tempo, BPM.
    pub bpm: Option<f32>,
    /// Beats in the file (a loop's).
    pub beats: Option<u32>,
    /// Root note, MIDI number.
    pub root_midi: Option<u8>,
    /// A one-shot rather than a loop.
    pub one_shot: bool,
}

/// Why a copy with metadata could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RiffError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The reason.
        source: std::io::Error,
    },
    /// Not a RIFF WAVE file this can rewrite (RF64, a damaged header).
    #[error("{0}: not a RIFF WAVE file with fmt and data chunks")]
    NotWave(String),
}

/// Copy the WAV file `src` to `dst` with `info` in `acid` and `smpl` chunks (replacing any
/// there were).
///
/// # Errors
/// [`RiffError::NotWave`] for a file that is not a plain RIFF WAVE (nothing is written);
/// [`RiffError::Io`] naming the file.
pub fn copy_with_loop_info(src: &Path, dst: &Path, info: &LoopInfo) -> Result<(), RiffError> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| RiffError::Io {
            path: p.clone(),
            source,
        }
    };
    let not_wave = || RiffError::NotWave(src.display().to_string());
    let mut r = BufReader::new(File::open(src).map_err(io(src))?);
    let file_len = r.get_ref().metadata().map_err(io(src))?.len();
    let mut head = [0u8; 12];
    r.read_exact(&mut head).map_err(|_| not_wave())?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err(not_wave());
    }
    // Every chunk's place: (id, body offset, body size).
    let mut chunks: Vec<([u8; 4], u64, u64)> = Vec::new();
    let mut pos = 12u64;
    while pos + 8 <= file_len {
        let mut h = [0u8; 8];
        r.seek(SeekFrom::Start(pos)).map_err(io(src))?;
        r.read_exact(&mut h).map_err(io(src))?;
        let id: [u8; 4] = h[0..4].try_into().map_err(|_| not_wave())?;
        let size = u64::from(u32::from_le_bytes(
            h[4..8].try_into().map_err(|_| not_wave())?,
        ));
        // A data chunk that claims more than the file holds (a recorder that died) keeps
        // what is there.
        let size = size.min(file_len - pos - 8);
        chunks.push((id, pos + 8, size));
        pos += 8 + size + (size & 1);
    }
    let fmt = chunks
        .iter()
        .find(|c| &c.0 == b"fmt ")
        .ok_or_else(not_wave)?;
    let data = chunks
        .iter()
        .find(|c| &c.0 == b"data")
        .ok_or_else(not_wave)?;
    let mut fmt_body = vec![0u8; fmt.2 as usize];
    r.seek(SeekFrom::Start(fmt.1)).map_err(io(src))?;
    r.read_exact(&mut fmt_body).map_err(io(src))?;
    if fmt_body.len() < 16 {
        return Err(not_wave());
    }
    let rate = u32::from_le_bytes(fmt_body[4..8].try_into().map_err(|_| not_wave())?);
    let block = u64::from(u16::from_le_bytes(
        fmt_body[12..14].try_into().map_err(|_| not_wave())?,
    ))
    .max(1);
    let frames = data.2 / block;

    let ours = [acid(info), smpl(info, rate, frames)];
    let mut w = BufWriter::new(File::create(dst).map_err(io(dst))?);
    let mut body_len = 4u64; // "WAVE"
    let padded = |n: u64| 8 + n + (n & 1);
    for (id, _, size) in &chunks {
        if id != b"acid" && id != b"smpl" {
            body_len += padded(*size);
        }
    }
    body_len += ours.iter().map(|c| padded(c.1.len() as u64)).sum::<u64>();
    let riff_size = u32::try_from(body_len).map_err(|_| not_wave())?;
    w.write_all(b"RIFF").map_err(io(dst))?;
    w.write_all(&riff_size.to_le_bytes()).map_err(io(dst))?;
    w.write_all(b"WAVE").map_err(io(dst))?;
    for (id, start, size) in &chunks {
        if id == b"acid" || id == b"smpl" {
            continue;
        }
        w.write_all(id).map_err(io(dst))?;
        w.write_all(&(*size as u32).to_le_bytes())
            .map_err(io(dst))?;
        r.seek(SeekFrom::Start(*start)).map_err(io(src))?;
        let copied = std::io::copy(&mut (&mut r).take(*size), &mut w).map_err(io(dst))?;
        if copied != *size {
            return Err(not_wave());
        }
        if size & 1 == 1 {
            w.write_all(&[0]).map_err(io(dst))?;
        }
        if id == b"fmt " {
            for (cid, body) in &ours {
                w.write_all(cid).map_err(io(dst))?;
                w.write_all(&(body.len() as u32).to_le_bytes())
                    .map_err(io(dst))?;
                w.write_all(body).map_err(io(dst))?;
            }
        }
    }
    w.flush().map_err(io(dst))
}

/// ACID: flags (1 one-shot, 2 root note set), root note, 0x8000, 0.0, beats, 4/4, tempo.
fn acid(info: &LoopInfo) -> ([u8; 4], Vec<u8>) {
    let mut b = Vec::with_capacity(24);
    let flags = u32::from(info.one_shot) | if info.root_midi.is_some() { 2 } else { 0 };
    b.extend_from_slice(&flags.to_le_bytes());
    b.extend_from_slice(&u16::from(info.root_midi.unwrap_or(60)).to_le_bytes());
    b.extend_from_slice(&0x8000u16.to_le_bytes());
    b.extend_from_slice(&0f32.to_le_bytes());
    b.extend_from_slice(&info.beats.unwrap_or(0).to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&info.bpm.unwrap_or(0.0).to_le_bytes());
    (*b"acid", b)
}

/// Sampler chunk: unity note, sample period, and for a loop one forward loop over the file.
fn smpl(info: &LoopInfo, rate: u32, frames: u64) -> ([u8; 4], Vec<u8>) {
    let looped = !info.one_shot && frames > 0;
    let mut b = Vec::with_capacity(60);
    let period_ns = 1_000_000_000u32.checked_div(rate).unwrap_or(0);
    for v in [
        0u32, // manufacturer
        0,    // product
        period_ns,
        u32::from(info.root_midi.unwrap_or(60)),
        0, // pitch fraction
        0, // SMPTE format
        0, // SMPTE offset
        u32::from(looped),
        0, // sampler data
    ] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    if looped {
        let last = u32::try_from(frames - 1).unwrap_or(u32::MAX);
        for v in [0u32, 0, 0, last, 0, 0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    (*b"smpl", b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(path: &Path, frames: u32) {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames * 2 {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn the_copy_carries_acid_and_smpl_before_data_and_the_same_audio() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("a.wav"), dir.path().join("b.wav"));
        wav(&src, 1001);
        let before = std::fs::read(&src).unwrap();
        let info = LoopInfo {
            bpm: Some(128.0),
            beats: Some(8),
            root_midi: Some(57),
            one_shot: false,
        };
        copy_with_loop_info(&src, &dst, &info).unwrap();
        assert_eq!(
            std::fs::read(&src).unwrap(),
            before,
            "the source is untouched"
        );
        let out = std::fs::read(&dst).unwrap();
        let acid_at = out.windows(4).position(|w| w == b"acid").unwrap();
        let data_at = out.windows(4).position(|w| w == b"data").unwrap();
        assert!(acid_at < data_at);
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8,
            "the RIFF size"
        );
        let tempo = f32::from_le_bytes(out[acid_at + 8 + 20..acid_at + 8 + 24].try_into().unwrap());
        assert_eq!(tempo, 128.0);
        // The same samples, read back by another reader.
        let a: Vec<i16> = hound::WavReader::open(&src)
            .unwrap()
            .samples()
            .map(Result::unwrap)
            .collect();
        let b: Vec<i16> = hound::WavReader::open(&dst)
            .unwrap()
            .samples()
            .map(Result::unwrap)
            .collect();
        assert_eq!(a, b);
        // Written again over a copy that has them: replaced, not doubled.
        let again = dir.path().join("c.wav");
        copy_with_loop_info(
            &dst,
            &again,
            &LoopInfo {
                one_shot: true,
                ..info
            },
        )
        .unwrap();
        let out = std::fs::read(&again).unwrap();
        assert_eq!(out.windows(4).filter(|w| *w == b"acid").count(), 1);
        assert!(copy_with_loop_info(&dir.path().join("none.wav"), &again, &info).is_err());
        std::fs::write(dir.path().join("text.wav"), b"not a wave at all").unwrap();
        assert!(matches!(
            copy_with_loop_info(&dir.path().join("text.wav"), &again, &info),
            Err(RiffError::NotWave(_))
        ));
    }
}
