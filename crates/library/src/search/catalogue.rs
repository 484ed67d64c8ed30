//! What a search looks at, held in memory per library state.
//!
//! Reading and decoding every record for every query cost ~0.5 s over 100,000 samples. The
//! catalogue keeps, per analysed path, only the fields filters and word scores read (with
//! the words already split), built once per [`Library::generation`]; a query then decodes
//! the full records of its hits alone. Any write through the library makes the next search
//! rebuild it. A library with corrupt records is not cached, so that every search reports
//! them as before.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::tokens;
use crate::{ContentHash, Library, LibraryError};
use samplemind_analysis::key_name;

/// One analysed path, as search sees it.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub path: PathBuf,
    pub hash: ContentHash,
    pub bpm: Option<f32>,
    /// Normalised key name ([`key_name::normalise`]).
    pub key: Option<Box<str>>,
    /// Lowercase category, or "unsure" for an unsure guess.
    pub category: Option<Box<str>>,
    pub is_loop: bool,
    pub duration_s: f64,
    pub lufs: Option<f32>,
    /// Words of the file name, the folders, the tags / AI words / category, each field's
    /// words joined by single spaces (a few allocations a row: 10,000 rows take ~4 MB), and
    /// the model tags' words with the model's score.
    pub name: Box<str>,
    pub folders: Box<str>,
    pub meta: Box<str>,
    pub model: Box<[(Box<str>, f32)]>,
}

/// Every analysed path of one library state.
#[derive(Debug)]
pub(super) struct Catalogue {
    generation: (u64, u64),
    pub rows: Vec<Row>,
}

/// The last catalogue built in this process (one library is open at a time in practice).
static LAST: Mutex<Option<Arc<Catalogue>>> = Mutex::new(None);

/// The catalogue of `lib` as it is now, and the records that could not be read.
pub(super) fn of(lib: &Library) -> (Arc<Catalogue>, Vec<LibraryError>) {
    let generation = lib.generation();
    if let Some(c) = LAST
        .lock()
        .ok()
        .and_then(|l| l.clone())
        .filter(|c| c.generation == generation)
    {
        return (c, Vec::new());
    }
    let (entries, problems) = lib.entries();
    let rows = entries
        .into_iter()
        .filter_map(|e| {
            let s = e.sample?;
            let a = &s.analysis;
            let mut meta: Vec<String> = s.tags.iter().flat_map(|t| tokens(t)).collect();
            if let Some(ai) = &s.ai {
                meta.extend(ai.tags.iter().flat_map(|t| tokens(t)));
                meta.extend(tokens(&ai.description));
            }
            // An unsure guess is not a word of the sample: it is found as "unsure".
            meta.extend(s.filed_under().map(tokens).unwrap_or_default());
            let joined = |w: Vec<String>| w.join(" ").into_boxed_str();
            Some(Row {
                name: joined(
                    e.path
                        .file_stem()
                        .map(|n| tokens(&n.to_string_lossy()))
                        .unwrap_or_default(),
                ),
                folders: joined(
                    e.path
                        .parent()
                        .map(|p| {
                            p.components()
                                .flat_map(|c| tokens(&c.as_os_str().to_string_lossy()))
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                meta: joined(meta),
                model: a
                    .model_tags
                    .iter()
                    .flat_map(|t| {
                        tokens(&t.tag)
                            .into_iter()
                            .map(move |w| (w.into_boxed_str(), t.score))
                    })
                    .collect(),
                bpm: s.bpm(),
                key: s
                    .key()
                    .and_then(key_name::normalise)
                    .map(String::into_boxed_str),
                category: s.filed_under().map(|c| c.to_lowercase().into_boxed_str()),
                is_loop: a.is_loop,
                duration_s: a.duration_s,
                lufs: a.lufs,
                hash: s.hash,
                path: e.path,
            })
        })
        .collect();
    let built = Arc::new(Catalogue { generation, rows });
    if problems.is_empty() {
        if let Ok(mut l) = LAST.lock() {
            *l = Some(Arc::clone(&built));
        }
    }
    (built, problems)
}
