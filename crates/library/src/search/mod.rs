//! Search over the library: filters (tempo, key, category, loop, duration, loudness) and
//! words matched against file and folder names, tags and category.

mod catalogue;
pub mod similar;
pub mod sort;

use std::path::PathBuf;

use serde::Serialize;

use crate::curation::{tag_key, Colour, Curation};
use crate::{Library, LibraryError, SampleRecord};
use samplemind_analysis::key_name;

/// A search. Every set field must match; words must all appear.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words, matched case-insensitively against names, folders, tags and category.
    pub text: Option<String>,
    /// Inclusive tempo range.
    pub bpm: Option<(f32, f32)>,
    /// A key in any common spelling (`Am`, `A minor`, `8A`); enharmonics match.
    pub key: Option<String>,
    /// A category (`kick`, `pad`, ...), or "unsure" for the sounds whose category is an unsure
    /// guess (they match no other category until the user sets one).
    pub category: Option<String>,
    /// Loops only (`Some(true)`) or one-shots only (`Some(false)`).
    pub is_loop: Option<bool>,
    /// Inclusive duration range, seconds.
    pub duration_s: Option<(f64, f64)>,
    /// Inclusive loudness range, LUFS.
    pub lufs: Option<(f32, f32)>,
    /// Tags every hit must carry, whole (the producer's, the models' or the language
    /// model's), any case.
    pub tags: Vec<String>,
    /// Starred sounds only.
    pub favourite: bool,
    /// At least this many stars.
    pub min_rating: Option<u8>,
    /// This colour label only.
    pub colour: Option<Colour>,
    /// Sounds of this collection only (any case or spacing of its name).
    pub collection: Option<String>,
    /// At most this many hits.
    pub limit: Option<usize>,
    /// The words' text embedding ([`samplemind_ml::text::embed`]): when set, samples rank by how
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
    /// The producer's marks on it.
    pub curation: Curation,
    /// Relevance of the words (higher first); 0 without words.
    pub score: f32,
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The key filter is not a key.
    #[error("not a key: {0:?} (try \"A minor\", \"Eb major\", \"F#m\")")]
    BadKey(String),
    /// The collection filter names no collection.
    #[error("no collection is called {0:?} (samplemind collection list)")]
    NoCollection(String),
    /// The store failed while reading what a filter needs.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// Run `q` over `lib`. Corrupt records are skipped and returned for reporting. Filters and
/// words run over the in-memory [`catalogue`]; only the hits' records are read.
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
    let wanted_tags: Vec<String> = q
        .tags
        .iter()
        .map(|t| tag_key(t))
        .filter(|t| !t.is_empty())
        .collect();
    let members: Option<std::collections::HashSet<crate::ContentHash>> = match &q.collection {
        Some(name) => Some(
            lib.collection(name)?
                .ok_or_else(|| SearchError::NoCollection(name.clone()))?
                .members
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    let (cat, mut problems) = catalogue::of(lib);
    let mut found: Vec<(f32, &catalogue::Row)> = Vec::new();
    for r in &cat.rows {
        if let Some((lo, hi)) = q.bpm {
            match r.bpm {
                Some(b) if b >= lo && b <= hi => {}
                _ => continue,
            }
        }
        if key.is_some() && r.key.as_deref() != key.as_deref() {
            continue;
        }
        if category.is_some() && r.category.as_deref() != category.as_deref() {
            continue;
        }
        if q.is_loop.is_some_and(|l| l != r.is_loop) {
            continue;
        }
        if q.duration_s
            .is_some_and(|(lo, hi)| r.duration_s < lo || r.duration_s > hi)
        {
            continue;
        }
        if let Some((lo, hi)) = q.lufs {
            match r.lufs {
                Some(l) if l >= lo && l <= hi => {}
                _ => continue,
            }
        }
        if (q.favourite && !r.favourite)
            || q.min_rating.is_some_and(|m| r.rating < m)
            || q.colour.is_some_and(|c| r.colour != Some(c))
            || members.as_ref().is_some_and(|m| !m.contains(&r.hash))
            || !wanted_tags
                .iter()
                .all(|t| r.tags.iter().any(|x| **x == **t))
        {
            continue;
        }
        let score = if let Some(q) = &q.semantic {
            let v = lib.vectors(&r.hash).ok().flatten().unwrap_or_default();
            if v.text.len() != q.len() {
                continue;
            }
            v.text.iter().zip(q).map(|(a, b)| a * b).sum()
        } else if words.is_empty() {
            0.0
        } else {
            match word_score(r, &words) {
                Some(sc) => sc,
                None => continue,
            }
        };
        found.push((score, r));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.path.cmp(&b.1.path)));
    if let Some(n) = q.limit {
        found.truncate(n);
    }
    let mut hits = Vec::with_capacity(found.len());
    for (score, r) in found {
        match lib.sample(&r.hash) {
            Ok(Some(sample)) => hits.push(Hit {
                path: r.path.clone(),
                curation: lib.curation(&r.hash).unwrap_or_else(|e| {
                    problems.push(e);
                    Curation::default()
                }),
                sample,
                score,
            }),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
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
/// Model tags weigh by how sure the model was.
fn word_score(r: &catalogue::Row, words: &[String]) -> Option<f32> {
    let (name, folders, meta, model) = (&*r.name, &*r.folders, &*r.meta, &r.model);
    let mut total = 0.0;
    for w in words {
        // Each field is its words joined by single spaces (one allocation per field).
        let field_score = |toks: &str, weight: f32| {
            toks.split(' ')
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
            .filter(|(t, _)| **t == **w)
            .map(|(_, sc)| 2.0 * sc)
            .fold(0.0f32, f32::max);
        let best = field_score(name, 3.0)
            .max(field_score(meta, 2.0))
            .max(model_score)
            .max(field_score(folders, 1.0));
        if best == 0.0 {
            return None;
        }
        total += best;
    }
    Some(total)
}
