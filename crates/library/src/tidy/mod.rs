//! Tidy-up export (issue 25): copies of the samples a search found, into one folder, under
//! names made from what the library knows (`{category}_{bpm}_{key}_{name}`), optionally
//! trimmed, normalised to a loudness target and converted ([`render`]), with their tempo,
//! key, root note and loop points written where other tools read them: `acid` and `smpl`
//! chunks in WAV copies, ID3 / Vorbis / MP4 tags in the others. The originals are never
//! modified; a dry run lists the names and writes nothing.

pub mod job;
pub mod render;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::search::Hit;
pub use job::{export, ExportDone, ExportError, ExportRequest};
pub use render::Processing;
use samplemind_audio::encode::Encoding;
use samplemind_audio::riff::{copy_with_loop_info, LoopInfo};
use samplemind_audio::tags::{write_tags, SoundTags};

/// The names a template may use.
pub const FIELDS: &[&str] = &[
    "category", "bpm", "key", "root", "type", "name", "folder", "id",
];

/// One planned copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Planned {
    /// The original (read only).
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub from: PathBuf,
    /// The copy.
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: PathBuf,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TidyReport {
    /// Files copied.
    pub copied: u32,
    /// Of them, copies that carry their tempo / key / loop metadata (chunks or tags).
    pub tagged: u32,
    /// Of them, copies decoded and written anew (trimmed, normalised or converted).
    pub rendered: u32,
    /// Files that could not be copied, each with the reason (the rest went on).
    pub failed: Vec<String>,
    /// Copies made, with something short of what was asked (tags not written, a gain held
    /// by the peak ceiling), each with the reason.
    pub warnings: Vec<String>,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{field}` that is not one of [`FIELDS`].
    #[error("unknown field {{{0}}} in the name template (one of {list})", list = FIELDS.join(", "))]
    Unknown(String),
    /// A `{` without its `}`.
    #[error("unclosed {{ in the name template")]
    Unclosed,
}

/// Check `template` before anything is planned.
///
/// # Errors
/// [`TemplateError`] naming the field.
pub fn check_template(template: &str) -> Result<(), TemplateError> {
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let j = after.find('}').ok_or(TemplateError::Unclosed)?;
        let field = &after[..j];
        if !FIELDS.contains(&field) {
            return Err(TemplateError::Unknown(field.to_string()));
        }
        rest = &after[j + 1..];
    }
    Ok(())
}

/// The copies of `hits` in `dir` under `template` (each name once: a clash gets " 2", " 3"),
/// with the extension of the format `processing` writes them in.
///
/// # Errors
/// [`TemplateError`] for a template that does not read.
pub fn plan(
    hits: &[Hit],
    dir: &Path,
    template: &str,
    processing: &Processing,
) -> Result<Vec<Planned>, TemplateError> {
    check_template(template)?;
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        let ext = match processing.encoding_for(&h.path, h.curation.region.is_some()) {
            Some(e) => format!(".{}", e.extension()),
            None => h
                .path
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
                .unwrap_or_default(),
        };
        let stem = tidy(&fill(template, h));
        let stem = if stem.is_empty() {
            "sample".to_string()
        } else {
            stem
        };
        let mut name = format!("{stem}{ext}");
        let mut n = 2;
        while !taken.insert(name.to_lowercase()) {
            name = format!("{stem} {n}{ext}");
            n += 1;
        }
        out.push(Planned {
            from: h.path.clone(),
            to: dir.join(name),
        });
    }
    Ok(out)
}

/// Copy every planned file, processed as `processing` asks, with its metadata; a file that
/// fails is named and the rest go on. An existing file at a copy's place is never
/// overwritten.
pub fn run(plans: &[Planned], hits: &[Hit], processing: &Processing) -> TidyReport {
    let mut report = TidyReport::default();
    for (p, h) in plans.iter().zip(hits) {
        if p.to.exists() {
            report.failed.push(format!(
                "{}: already there, not overwritten",
                p.to.display()
            ));
            continue;
        }
        // One file's panic (a decoder's, an encoder's, a tag reader's on a strange file) is
        // that file's failure; the rest go on.
        let cut = h.curation.region.is_some();
        let done =
            samplemind_analysis::isolate::catch(|| match processing.encoding_for(&p.from, cut) {
                Some(encoding) => rendered_copy(p, h, processing, encoding, &mut report),
                None => plain_copy(p, h, &mut report),
            })
            .unwrap_or_else(|panic| Err(format!("{}: panic: {panic}", p.from.display())));
        match done {
            Ok(()) => report.copied += 1,
            Err(e) => report.failed.push(e),
        }
    }
    report
}

/// The file as it is, with its metadata added.
fn plain_copy(p: &Planned, h: &Hit, report: &mut TidyReport) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("{}: {e}", p.from.display());
    if is_ext(&p.from, &["wav", "wave"]) {
        match copy_with_loop_info(&p.from, &p.to, &loop_info(h)) {
            Ok(()) => {
                report.tagged += 1;
                return Ok(());
            }
            // A WAV this cannot rewrite (RF64) is still copied, as it is.
            Err(samplemind_audio::riff::RiffError::NotWave(_)) => {}
            Err(samplemind_audio::riff::RiffError::Io { source, .. }) => {
                return Err(failed(source))
            }
        }
        return std::fs::copy(&p.from, &p.to).map(|_| ()).map_err(failed);
    }
    std::fs::copy(&p.from, &p.to).map_err(failed)?;
    tag(&p.to, h, report);
    Ok(())
}

/// Decoded, processed and written anew; WAV copies get the loop chunks, FLAC copies tags.
fn rendered_copy(
    p: &Planned,
    h: &Hit,
    processing: &Processing,
    encoding: Encoding,
    report: &mut TidyReport,
) -> Result<(), String> {
    let dir = p.to.parent().unwrap_or(Path::new("."));
    // Written beside the copy first, so that a failure leaves no half file under its name.
    let scratch = tempfile::Builder::new()
        .prefix(".samplemind-export-")
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let done = render::render(
        &p.from,
        scratch.path(),
        processing,
        h.sample.is_loop(),
        h.curation.region,
        encoding,
    )?;
    if done.peak_limited {
        report.warnings.push(format!(
            "{}: normalised to {:+.1} dB only, to keep its peak at {} dBFS",
            p.to.display(),
            done.gain_db.unwrap_or_default(),
            render::PEAK_CEILING_DB
        ));
    }
    match encoding {
        Encoding::Wav => {
            copy_with_loop_info(scratch.path(), &p.to, &loop_info(h))
                .map_err(|e| format!("{}: {e}", p.to.display()))?;
            report.tagged += 1;
        }
        Encoding::Flac => {
            scratch
                .persist_noclobber(&p.to)
                .map_err(|e| format!("{}: {}", p.to.display(), e.error))?;
            tag(&p.to, h, report);
        }
    }
    report.rendered += 1;
    Ok(())
}

/// Tempo, key and a description in the copy's tags, where its format has them.
fn tag(copy: &Path, h: &Hit, report: &mut TidyReport) {
    const TAGGED: &[&str] = &[
        "flac", "mp3", "ogg", "oga", "opus", "m4a", "mp4", "aif", "aiff",
    ];
    if !is_ext(copy, TAGGED) {
        return;
    }
    match write_tags(copy, &sound_tags(h)) {
        Ok(()) => report.tagged += 1,
        Err(e) => report.warnings.push(e.to_string()),
    }
}

fn is_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// What the tags of a copy say: tempo, short key, and category / type / root in a comment.
fn sound_tags(h: &Hit) -> SoundTags {
    let s = &h.sample;
    let mut words = Vec::new();
    if let Some(c) = s.category() {
        words.push(c.to_string());
    }
    words.push(if s.is_loop() { "loop" } else { "one-shot" }.to_string());
    if let Some(r) = s.root_note() {
        words.push(format!("root {r}"));
    }
    SoundTags {
        bpm: s.bpm().filter(|_| s.is_loop()),
        key: s.key().map(short_key),
        title: None,
        comment: Some(format!("SampleMind: {}", words.join(", "))),
    }
}

fn loop_info(h: &Hit) -> LoopInfo {
    let s = &h.sample;
    let bpm = s.bpm().filter(|b| b.is_finite() && *b > 0.0);
    let one_shot = !s.is_loop();
    let beats = (!one_shot)
        .then(|| bpm.map(|b| (s.analysis.duration_s * f64::from(b) / 60.0).round() as u32))
        .flatten()
        .filter(|b| *b > 0);
    let root_midi = s
        .root_note()
        .and_then(samplemind_analysis::key_name::note_and_octave)
        .and_then(|(pc, octave)| {
            let midi = (i32::from(octave?) + 1) * 12 + i32::from(pc);
            u8::try_from(midi).ok().filter(|m| *m < 128)
        });
    LoopInfo {
        bpm,
        beats,
        root_midi,
        one_shot,
    }
}

/// `template` with its fields filled from `h`; a field the sample lacks is left empty.
fn fill(template: &str, h: &Hit) -> String {
    let s = &h.sample;
    let value = |field: &str| -> String {
        match field {
            "category" => s.category().unwrap_or_default().to_string(),
            "bpm" => s.bpm().map(|b| format!("{:.0}", b)).unwrap_or_default(),
            "key" => s.key().map(short_key).unwrap_or_default(),
            "root" => s.root_note().unwrap_or_default().to_string(),
            "type" => if s.is_loop() { "loop" } else { "oneshot" }.to_string(),
            "name" => h
                .path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            "folder" => h
                .path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            "id" => s.hash.short(),
            _ => String::new(),
        }
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { break };
        out.push_str(&value(&after[..j]));
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

/// "A minor" → "Am", "Eb major" → "Eb".
fn short_key(k: &str) -> String {
    match k.split_once(' ') {
        Some((t, "minor")) => format!("{t}m"),
        Some((t, _)) => t.to_string(),
        None => k.to_string(),
    }
}

/// A name every file system takes: no separators, no characters Windows refuses, no control
/// characters; an empty field's separators folded ("kick__Am" → "kick_Am"); no dot or space
/// at either end.
fn tidy(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || r#"<>:"/\|?*"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        let sep = c == '_' || c == '-';
        if sep && out.ends_with(['_', '-']) {
            continue;
        }
        out.push(c);
    }
    out.trim_matches(|c: char| c == '_' || c == '-' || c == '.' || c.is_whitespace())
        .chars()
        .take(150)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContentHash, SampleRecord};

    fn hit(path: &str, bpm: Option<f32>, key: Option<&str>, is_loop: bool) -> Hit {
        let mut s = SampleRecord {
            hash: ContentHash([1; 32]),
            ..SampleRecord::default()
        };
        s.analysis.category = Some("drums".into());
        s.analysis.bpm = bpm;
        s.analysis.key = key.map(str::to_string);
        s.analysis.is_loop = is_loop;
        s.analysis.duration_s = 4.0;
        Hit {
            path: path.into(),
            sample: s,
            curation: crate::Curation::default(),
            score: 0.0,
        }
    }

    #[test]
    fn names_fill_the_template_fold_empty_fields_and_never_clash() {
        let hits = [
            hit("/p/Loop 1.wav", Some(120.0), Some("A minor"), true),
            hit("/p/Loop 1.WAV", Some(120.0), Some("A minor"), true),
            hit("/p/What?.flac", None, None, false),
        ];
        let plans = plan(
            &hits,
            Path::new("/out"),
            "{category}_{bpm}_{key}_{name}",
            &Processing::default(),
        )
        .unwrap();
        let names: Vec<String> = plans
            .iter()
            .map(|p| p.to.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "drums_120_Am_Loop 1.wav",
                "drums_120_Am_Loop 1 2.wav",
                "drums_What.flac"
            ]
        );
        assert_eq!(
            check_template("{category}_{tempo}"),
            Err(TemplateError::Unknown("tempo".into()))
        );
        assert_eq!(check_template("{name"), Err(TemplateError::Unclosed));
    }

    #[test]
    fn a_loop_s_chunks_say_its_beats_and_a_one_shot_s_its_root() {
        let l = loop_info(&hit("/p/l.wav", Some(120.0), None, true));
        assert_eq!((l.beats, l.one_shot), (Some(8), false));
        let mut one = hit("/p/bass.wav", None, None, false);
        one.sample.analysis.root_note = Some("A1".into());
        let o = loop_info(&one);
        assert_eq!((o.root_midi, o.one_shot, o.beats), (Some(33), true, None));
    }
}
