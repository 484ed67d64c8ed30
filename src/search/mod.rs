//! Search over the library: filters (tempo, key, category, loop, duration, loudness) and
//! words matched against file and folder names, tags and category.

pub mod key_name;
pub mod similar;
pub mod sort;

use std::path::PathBuf;

use serde::Serialize;

use crate::library::{Library, LibraryError, SampleRecord};

/// A search. Every set field must match; words must all appear.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words, matched case-insensitively against names, folders, tags and category.
    pub text: Option<String>,
    /// Inclusive tempo range.
    pub bpm: Option<(f32, f32)>,
    /// A key in any common spelling (`Am`, `A minor`, `8A`); enharmonics match.
    pub key: Option<String>,
    /// A category (`kick`, `pad`, ...).
    pub category: Option<String>,
    /// Loops only (`Some(true)`) or one-shots only (`Some(false)`).
    pub is_loop: Option<bool>,
    /// Inclusive duration range, seconds.
    pub duration_s: Option<(f64, f64)>,
    /// Inclusive loudness range, LUFS.
    pub lufs: Option<(f32, f32)>,
    /// At most this many hits.
    pub limit: Option<usize>,
    /// The words' text embedding ([`crate::ml::text::embed`]): when set, samples rank by how
    /// near their own words' embedding is, and `text` is not matched word by word.
    pub semantic: Option<Vec<f32>>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The file.
    pub path: PathBuf,
    /// Its record.
    pub sample: SampleRecord,
    /// Relevance of the words (higher first); 0 without words.
    pub score: f32,
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The key filter is not a key.
    #[error("not a key: {0:?} (try \"A minor\", \"Eb major\", \"F#m\")")]
    BadKey(String),
}

/// Run `q` over `lib`. Corrupt records are skipped and returned for reporting.
///
/// # Errors
/// [`SearchError::BadKey`] for a key filter that is not a key.
pub fn search(lib: &Library, q: &Query) -> Result<(Vec<Hit>, Vec<LibraryError>), SearchError> {
    let key = match &q.key {
        Some(k) => Some(key_name::normalise(k).ok_or_else(|| SearchError::BadKey(k.clone()))?),
        None => None,
    };
    let words: Vec<String> = q.text.as_deref().map(tokens).unwrap_or_default();
    let category = q.category.as_deref().map(str::to_lowercase);
    let (entries, problems) = lib.entries();
    let mut hits = Vec::new();
    for e in entries {
        let Some(s) = e.sample else { continue };
        let a = &s.analysis;
        if let Some((lo, hi)) = q.bpm {
            match s.bpm() {
                Some(b) if b >= lo && b <= hi => {}
                _ => continue,
            }
        }
        if let Some(k) = &key {
            if s.key().and_then(key_name::normalise).as_ref() != Some(k) {
                continue;
            }
        }
        if let Some(c) = &category {
            if s.category().map(str::to_lowercase).as_ref() != Some(c) {
                continue;
            }
        }
        if q.is_loop.is_some_and(|l| l != a.is_loop) {
            continue;
        }
        if q.duration_s
            .is_some_and(|(lo, hi)| a.duration_s < lo || a.duration_s > hi)
        {
            continue;
        }
        if let Some((lo, hi)) = q.lufs {
            match a.lufs {
                Some(l) if l >= lo && l <= hi => {}
                _ => continue,
            }
        }
        let score = if let Some(q) = &q.semantic {
            let v = lib.vectors(&s.hash).ok().flatten().unwrap_or_default();
            if v.text.len() != q.len() {
                continue;
            }
            v.text.iter().zip(q).map(|(a, b)| a * b).sum()
        } else if words.is_empty() {
            0.0
        } else {
            match word_score(&e.path, &s, &words) {
                Some(sc) => sc,
                None => continue,
            }
        };
        hits.push(Hit {
            path: e.path,
            sample: s,
            score,
        });
    }
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.path.cmp(&b.path))
    });
    if let Some(n) = q.limit {
        hits.truncate(n);
    }
    Ok((hits, problems))
}

/// Lowercase alphanumeric words.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Every word must match somewhere; a match in the file name weighs more than in a folder,
/// and a whole-word match more than a prefix.
fn word_score(path: &std::path::Path, s: &SampleRecord, words: &[String]) -> Option<f32> {
    let name = path
        .file_stem()
        .map(|n| tokens(&n.to_string_lossy()))
        .unwrap_or_default();
    let folders: Vec<String> = path
        .parent()
        .map(|p| {
            p.components()
                .flat_map(|c| tokens(&c.as_os_str().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    let mut meta: Vec<String> = s.tags.iter().flat_map(|t| tokens(t)).collect();
    if let Some(ai) = &s.ai {
        meta.extend(ai.tags.iter().flat_map(|t| tokens(t)));
        meta.extend(tokens(&ai.description));
    }
    meta.extend(s.category().map(tokens).unwrap_or_default());
    // Model tags weigh by how sure the model was, in the `field_score` weights below.
    let model: Vec<(String, f32)> = s
        .analysis
        .model_tags
        .iter()
        .flat_map(|t| tokens(&t.tag).into_iter().map(move |w| (w, t.score)))
        .collect();
    let mut total = 0.0;
    for w in words {
        let field_score = |toks: &[String], weight: f32| {
            toks.iter()
                .map(|t| {
                    if t == w {
                        weight
                    } else if t.starts_with(w.as_str()) {
                        weight * 0.5
                    } else {
                        0.0
                    }
                })
                .fold(0.0f32, f32::max)
        };
        let model_score = model
            .iter()
            .filter(|(t, _)| t == w)
            .map(|(_, sc)| 2.0 * sc)
            .fold(0.0f32, f32::max);
        let best = field_score(&name, 3.0)
            .max(field_score(&meta, 2.0))
            .max(model_score)
            .max(field_score(&folders, 1.0));
        if best == 0.0 {
            return None;
        }
        total += best;
    }
    Some(total)
}
