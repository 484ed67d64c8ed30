//! Rendering: tables for people, JSON for machines, `samplemind:`-prefixed errors.

use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use samplemind::library::{Curation, SampleRecord};
use samplemind::Analysis;
use serde::Serialize;

/// Print an error to stderr the way every failure is reported: `samplemind: <what>`.
pub fn error(e: &dyn std::fmt::Display) {
    eprintln!("samplemind: {e}");
}

/// One sample as a JSON object: the path, the hash when stored, every analysed field.
#[derive(Serialize)]
pub struct Row<'a> {
    /// The file.
    pub path: &'a Path,
    /// Content hash, for stored samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Analysis fields, flattened.
    #[serde(flatten)]
    pub analysis: &'a Analysis,
    /// The producer's marks on a stored sample (favourite, rating, colour, tags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marks: Option<&'a Curation>,
    /// The collections a stored sample is in, when asked (export).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<&'a str>>,
    /// A language model's description and tags, when one was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai: Option<&'a samplemind::ai::uses::AiDescription>,
    /// The classifier feature vector, on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<f32>>,
    /// The tempo-octave model's input, on request (with `features`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tempo_features: Option<&'a [f32]>,
}

impl<'a> Row<'a> {
    /// A stored sample, with the user's corrections applied, and its marks.
    pub fn stored(
        path: &'a Path,
        s: &'a SampleRecord,
        corrected: &'a Analysis,
        marks: &'a Curation,
    ) -> Self {
        Row {
            path,
            hash: Some(s.hash.to_hex()),
            analysis: corrected,
            marks: Some(marks),
            collections: None,
            ai: s.ai.as_ref(),
            features: None,
            tempo_features: None,
        }
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// A table of samples, one row each.
pub fn sample_table<'a>(rows: impl IntoIterator<Item = (&'a Path, &'a Analysis)>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header([
        "Name", "Type", "Category", "BPM", "Key", "Root", "Length", "LUFS", "Peak dB", "Format",
    ]);
    for (path, a) in rows {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let num = |v: Option<f32>, prec: usize| {
            Cell::new(opt(v.map(|x| format!("{x:.prec$}")))).set_alignment(CellAlignment::Right)
        };
        t.add_row(vec![
            Cell::new(name),
            Cell::new(if a.is_loop { "loop" } else { "one-shot" }),
            // "bass?": an unsure guess (search files it under "unsure").
            Cell::new(opt(a.category.as_deref().map(|c| {
                format!("{c}{}", if a.category_unsure { "?" } else { "" })
            }))),
            num(a.bpm, 1),
            Cell::new(opt(a.key.as_deref())),
            Cell::new(opt(a.root_note.as_deref())),
            Cell::new(format!("{:.2} s", a.duration_s)).set_alignment(CellAlignment::Right),
            num(a.lufs, 1),
            num(a.peak_db, 1),
            Cell::new(format!(
                "{} {}ch {}{}",
                a.codec,
                a.channels,
                a.sample_rate,
                a.bit_depth.map(|b| format!(" {b}-bit")).unwrap_or_default()
            )),
        ]);
    }
    t
}

/// CSV columns of `export --csv`, in order.
pub const CSV_HEADER: &[&str] = &[
    "path",
    "hash",
    "duration_s",
    "sample_rate",
    "channels",
    "bit_depth",
    "codec",
    "lufs",
    "loudness_method",
    "peak_db",
    "rms_db",
    "bpm",
    "key",
    "root_note",
    "category",
    "category_confidence",
    "category_unsure",
    "is_loop",
    "spectral_centroid_hz",
    "spectral_rolloff_hz",
    "spectral_flatness",
    "zero_crossing_rate",
    "onset_count",
    "attack_ms",
    "tags",
    "favourite",
    "rating",
    "colour",
    "collections",
];

/// One CSV record in [`CSV_HEADER`] order.
pub fn csv_record(
    path: &Path,
    s: &SampleRecord,
    a: &Analysis,
    marks: &Curation,
    collections: &[&str],
) -> Vec<String> {
    let o = |v: Option<f32>| v.map(|x| x.to_string()).unwrap_or_default();
    vec![
        path.display().to_string(),
        s.hash.to_hex(),
        a.duration_s.to_string(),
        a.sample_rate.to_string(),
        a.channels.to_string(),
        a.bit_depth.map(|b| b.to_string()).unwrap_or_default(),
        a.codec.clone(),
        o(a.lufs),
        serde_json::to_value(a.loudness_method)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        o(a.peak_db),
        o(a.rms_db),
        o(a.bpm),
        a.key.clone().unwrap_or_default(),
        a.root_note.clone().unwrap_or_default(),
        a.category.clone().unwrap_or_default(),
        o(a.category_confidence),
        // 1: the category is the classifier's unsure guess (search files it under "unsure").
        (a.category_unsure as u8).to_string(),
        (a.is_loop as u8).to_string(),
        o(a.spectral_centroid_hz),
        o(a.spectral_rolloff_hz),
        o(a.spectral_flatness),
        a.zero_crossing_rate.to_string(),
        a.onset_count.to_string(),
        o(a.attack_ms),
        // The producer's own tags; the models' are a feature of the analysis, not a mark.
        marks.tags.join(";"),
        (marks.favourite as u8).to_string(),
        marks.rating.to_string(),
        marks.colour.map(|c| c.to_string()).unwrap_or_default(),
        collections.join(";"),
    ]
}
