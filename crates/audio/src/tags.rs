//! Tempo, key and a short description written into a copy's own tags where its format has
//! them: ID3v2 in MP3 and AIFF, Vorbis comments in FLAC and Ogg, iTunes atoms in MP4 / M4A.
//! DJ and sample tools read `TBPM` / `BPM` and `TKEY` / `INITIALKEY` from there.
//!
//! lofty writes all of these formats from one API, in pure Rust; writing each by hand would
//! be four parsers of untrusted containers. WAV copies carry `acid` / `smpl` chunks
//! instead ([`crate::riff`]), which is where samplers look.

use std::path::Path;

use lofty::config::WriteOptions;
use lofty::file::TaggedFileExt;
use lofty::tag::{Accessor, ItemKey, Tag, TagExt};

/// What the tags of a copy say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SoundTags {
    /// Tempo, BPM.
    pub bpm: Option<f32>,
    /// Key in the short form DJ tools use ("Am", "F#").
    pub key: Option<String>,
    /// A title, when the copy should carry one.
    pub title: Option<String>,
    /// A one-line description (category, loop or one-shot, root note).
    pub comment: Option<String>,
}

/// Why tags could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: tags not written: {reason}")]
pub struct TagError {
    /// The file.
    pub path: String,
    /// The reason.
    pub reason: String,
}

/// Write `tags` into the file at `path` (replacing the same fields, keeping the others).
///
/// # Errors
/// [`TagError`] for a file lofty cannot read or whose format has no tags.
pub fn write_tags(path: &Path, tags: &SoundTags) -> Result<(), TagError> {
    let fail = |reason: String| TagError {
        path: path.display().to_string(),
        reason,
    };
    let mut file = lofty::read_from_path(path).map_err(|e| fail(e.to_string()))?;
    let kind = file.primary_tag_type();
    if file.tag(kind).is_none() {
        file.insert_tag(Tag::new(kind));
    }
    let tag = file
        .tag_mut(kind)
        .ok_or_else(|| fail("the format has no tag to write".into()))?;
    if let Some(bpm) = tags.bpm.filter(|b| b.is_finite() && *b > 0.0) {
        let whole = format!("{:.0}", bpm);
        // ID3's TBPM and MP4's tmpo hold whole numbers; Vorbis's BPM takes a decimal.
        tag.insert_text(ItemKey::IntegerBpm, whole);
        tag.insert_text(ItemKey::Bpm, format!("{}", (bpm * 100.0).round() / 100.0));
    }
    if let Some(k) = &tags.key {
        tag.insert_text(ItemKey::InitialKey, k.clone());
    }
    if let Some(t) = &tags.title {
        tag.set_title(t.clone());
    }
    if let Some(c) = &tags.comment {
        tag.set_comment(c.clone());
    }
    tag.save_to_path(path, WriteOptions::default())
        .map_err(|e| fail(e.to_string()))
}

/// The tags lofty reads back from `path`: (BPM, key, comment). For tests and for a check
/// after writing.
///
/// # Errors
/// [`TagError`] for a file lofty cannot read.
pub fn read_tags(path: &Path) -> Result<SoundTags, TagError> {
    let file = lofty::read_from_path(path).map_err(|e| TagError {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let Some(tag) = file.primary_tag() else {
        return Ok(SoundTags::default());
    };
    let bpm = tag
        .get_string(ItemKey::Bpm)
        .or_else(|| tag.get_string(ItemKey::IntegerBpm))
        .and_then(|s| s.trim().parse().ok());
    Ok(SoundTags {
        bpm,
        key: tag.get_string(ItemKey::InitialKey).map(str::to_string),
        title: tag.title().map(|t| t.into_owned()),
        comment: tag.comment().map(|c| c.into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{write, Encoding};

    #[test]
    fn a_flac_copy_carries_tempo_key_and_comment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.flac");
        let planes = vec![vec![0.25f32; 4_410]];
        write(&path, &planes, 44_100, 16, Encoding::Flac).unwrap();
        let tags = SoundTags {
            bpm: Some(123.5),
            key: Some("F#m".into()),
            title: None,
            comment: Some("SampleMind: bass loop".into()),
        };
        write_tags(&path, &tags).unwrap();
        let back = read_tags(&path).unwrap();
        assert_eq!(back.bpm, Some(123.5));
        assert_eq!(back.key.as_deref(), Some("F#m"));
        assert_eq!(back.comment.as_deref(), Some("SampleMind: bass loop"));
        // The audio is still there after the tags went in.
        let (info, mono) = crate::decode_mono(&path, None).unwrap();
        assert_eq!((info.sample_rate, mono.len()), (44_100, 4_410));
    }

    #[test]
    fn a_file_that_is_not_audio_is_named_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.mp3");
        std::fs::write(&path, b"ID3\x04\x00\x00\xff\xff\xff\xffgarbage").unwrap();
        let e = write_tags(&path, &SoundTags::default()).unwrap_err();
        assert!(e.to_string().contains("fake.mp3"), "{e}");
    }
}
