//! Encoder delay and padding of MP4/M4A files, from the track's edit list (`moov/trak/edts/
//! elst`). symphonia 0.6 trims MP3 (LAME header) and Ogg itself but reads MP4 edit lists
//! without applying them, so AAC priming (1024 or 2112 frames) would otherwise lead every
//! M4A sample with silence and lengthen it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The playable part of the first sound track, in that track's media time units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditList {
    /// Media time where playback starts (the encoder delay).
    pub skip: u64,
    /// Playable length in media time.
    pub keep: u64,
    /// Media time units per second (mdhd timescale).
    pub timescale: u32,
}

impl EditList {
    /// Frames to skip and to keep at `sample_rate` (HE-AAC decodes at twice the media rate).
    pub fn frames(&self, sample_rate: u32) -> (u64, u64) {
        let scale =
            |t: u64| (t as u128 * sample_rate as u128 / self.timescale.max(1) as u128) as u64;
        (scale(self.skip), scale(self.keep))
    }
}

/// Largest `moov` box we read into memory; real ones are kilobytes.
const MAX_MOOV: u64 = 64 << 20;

/// The edit list of the first sound track of an MP4 file; `None` for other files, or when
/// the file has no usable edit.
pub fn mp4_edit_list(path: &Path) -> Option<EditList> {
    let mut f = File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut head = [0u8; 8];
    f.read_exact(&mut head).ok()?;
    if &head[4..8] != b"ftyp" {
        return None;
    }
    // Walk the top-level boxes to moov.
    let mut pos = 0u64;
    while pos + 8 <= len {
        f.seek(SeekFrom::Start(pos)).ok()?;
        let (size, kind, header) = read_box_header(&mut f, len - pos)?;
        if &kind == b"moov" {
            if size > MAX_MOOV {
                return None;
            }
            let mut moov = vec![0u8; (size - header) as usize];
            f.read_exact(&mut moov).ok()?;
            return parse_moov(&moov);
        }
        pos = pos.checked_add(size)?;
    }
    None
}

fn read_box_header(f: &mut File, remaining: u64) -> Option<(u64, [u8; 4], u64)> {
    let mut h = [0u8; 8];
    f.read_exact(&mut h).ok()?;
    let size32 = u32::from_be_bytes(h[0..4].try_into().ok()?) as u64;
    let kind: [u8; 4] = h[4..8].try_into().ok()?;
    let (size, header) = match size32 {
        0 => (remaining, 8),
        1 => {
            let mut l = [0u8; 8];
            f.read_exact(&mut l).ok()?;
            (u64::from_be_bytes(l), 16)
        }
        s => (s, 8),
    };
    (size >= header).then_some((size, kind, header))
}

/// Child boxes of `data` as (type, body).
fn children(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos + 8 > data.len() {
            return None;
        }
        let size32 = u32::from_be_bytes(data[pos..pos + 4].try_into().ok()?) as usize;
        let kind: [u8; 4] = data[pos + 4..pos + 8].try_into().ok()?;
        let (size, header) = match size32 {
            0 => (data.len() - pos, 8),
            1 => (
                u64::from_be_bytes(data.get(pos + 8..pos + 16)?.try_into().ok()?) as usize,
                16,
            ),
            s => (s, 8),
        };
        if size < header || pos + size > data.len() {
            return None;
        }
        let body = &data[pos + header..pos + size];
        pos += size;
        Some((kind, body))
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(data).find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Timescale of an `mvhd` or `mdhd` full box.
fn header_timescale(b: &[u8]) -> Option<u32> {
    match b.first()? {
        0 => be_u32(b, 12),
        1 => be_u32(b, 20),
        _ => None,
    }
}

fn parse_moov(moov: &[u8]) -> Option<EditList> {
    let movie_ts = header_timescale(child(moov, b"mvhd")?)?;
    for (kind, trak) in children(moov) {
        if &kind != b"trak" {
            continue;
        }
        let Some(mdia) = child(trak, b"mdia") else {
            continue;
        };
        let is_sound = child(mdia, b"hdlr")
            .and_then(|h| h.get(8..12))
            .is_some_and(|t| t == b"soun");
        if !is_sound {
            continue;
        }
        let media_ts = header_timescale(child(mdia, b"mdhd")?)?;
        let elst = child(child(trak, b"edts")?, b"elst")?;
        let version = *elst.first()?;
        let count = be_u32(elst, 4)? as usize;
        let entry_len = if version == 1 { 20 } else { 12 };
        for i in 0..count.min(64) {
            let at = 8 + i * entry_len;
            let (duration, media_time) = if version == 1 {
                (be_u64(elst, at)?, be_u64(elst, at + 8)? as i64)
            } else {
                (
                    be_u32(elst, at)? as u64,
                    be_u32(elst, at + 4)? as i32 as i64,
                )
            };
            // media_time -1 is an empty edit (a pause before the track starts).
            if media_time < 0 {
                continue;
            }
            if movie_ts == 0 || media_ts == 0 {
                return None;
            }
            let keep = (duration as u128 * media_ts as u128 / movie_ts as u128) as u64;
            return Some(EditList {
                skip: media_time as u64,
                keep,
                timescale: media_ts,
            });
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    /// A version-0 mvhd/mdhd body with `timescale`.
    fn header(ts: u32) -> Vec<u8> {
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&ts.to_be_bytes());
        b.extend_from_slice(&[0u8; 8]);
        b
    }

    fn moov(handler: &[u8; 4], edits: &[(u32, i32)]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0u8; 12]);
        let mut elst = vec![0u8; 4];
        elst.extend_from_slice(&(edits.len() as u32).to_be_bytes());
        for (d, t) in edits {
            elst.extend_from_slice(&d.to_be_bytes());
            elst.extend_from_slice(&t.to_be_bytes());
            elst.extend_from_slice(&[0, 1, 0, 0]);
        }
        let mdia = [bx(b"mdhd", &header(44_100)), bx(b"hdlr", &hdlr)].concat();
        let trak = [bx(b"edts", &bx(b"elst", &elst)), bx(b"mdia", &mdia)].concat();
        [bx(b"mvhd", &header(1000)), bx(b"trak", &trak)].concat()
    }

    #[test]
    fn reads_priming_and_length_of_the_sound_track() {
        // ffmpeg's AAC: an empty edit is skipped, then 1024 frames of priming, 1 s kept.
        let e = parse_moov(&moov(b"soun", &[(0, -1), (1000, 1024)])).unwrap();
        assert_eq!(
            e,
            EditList {
                skip: 1024,
                keep: 44_100,
                timescale: 44_100
            }
        );
        // HE-AAC decodes at twice the media rate.
        assert_eq!(e.frames(88_200), (2048, 88_200));
    }

    #[test]
    fn ignores_non_sound_tracks_and_garbage() {
        assert_eq!(parse_moov(&moov(b"vide", &[(1000, 1024)])), None);
        assert_eq!(parse_moov(b"\x00\x00\x00\x01junk"), None);
        assert_eq!(parse_moov(&[]), None);
    }
}
