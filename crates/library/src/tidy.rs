//! Tidy-up export (issue 25): copies of the samples a search found, into one folder, under
//! names made from what the library knows (`{category}_{bpm}_{key}_{name}`), with their tempo,
//! root note and loop points written into the WAV copies' `acid` and `smpl` chunks so that
//! other tools read them. The originals are never modified; a dry run lists the names and
//! writes nothing.
//!
//! Not done yet: trimming silence, normalising to a loudness target, converting formats, and
//! ID3 / Vorbis tags in non-WAV copies (those are copied as they are).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::search::Hit;
use samplemind_audio::riff::{copy_with_loop_info, LoopInfo};

/// The names a template may use.
pub const FIELDS: &[&str] = &[
    "category", "bpm", "key", "root", "type", "name", "folder", "id",
];

/// One planned copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// The original (read only).
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    pub from: PathBuf,
    /// The copy.
    #[serde(serialize_with = "crate::record::stored_path::serialize")]
    pub to: PathBuf,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TidyReport {
    /// Files copied.
    pub copied: u64,
    /// Of them, WAV copies that carry tempo and loop chunks.
    pub tagged: u64,
    /// Files that could not be copied, each with the reason (the rest went on).
    pub failed: Vec<String>,
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

/// The copies of `hits` in `dir` under `template` (each name once: a clash gets " 2", " 3").
///
/// # Errors
/// [`TemplateError`] for a template that does not read.
pub fn plan(hits: &[Hit], dir: &Path, template: &str) -> Result<Vec<Planned>, TemplateError> {
    check_template(template)?;
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        let ext = h
            .path
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
            .unwrap_or_default();
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

/// Copy every planned file (WAV copies with tempo and loop chunks); a file that fails is
/// named and the rest go on. An existing file at a copy's place is never overwritten.
pub fn run(plans: &[Planned], hits: &[Hit]) -> TidyReport {
    let mut report = TidyReport::default();
    for (p, h) in plans.iter().zip(hits) {
        if p.to.exists() {
            report.failed.push(format!(
                "{}: already there, not overwritten",
                p.to.display()
            ));
            continue;
        }
        let is_wav = p
            .from
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        let done = if is_wav {
            match copy_with_loop_info(&p.from, &p.to, &loop_info(h)) {
                Ok(()) => {
                    report.tagged += 1;
                    Ok(())
                }
                // A WAV this cannot rewrite (RF64) is still copied, as it is.
                Err(samplemind_audio::riff::RiffError::NotWave(_)) => {
                    std::fs::copy(&p.from, &p.to).map(|_| ())
                }
                Err(samplemind_audio::riff::RiffError::Io { source, .. }) => Err(source),
            }
        } else {
            std::fs::copy(&p.from, &p.to).map(|_| ())
        };
        match done {
            Ok(()) => report.copied += 1,
            Err(e) => report.failed.push(format!("{}: {e}", p.from.display())),
        }
    }
    report
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
        let plans = plan(&hits, Path::new("/out"), "{category}_{bpm}_{key}_{name}").unwrap();
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
