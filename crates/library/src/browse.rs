//! What a long-lived face (the desktop app, the HTTP API) keeps between calls, so that
//! scrolling a result list and asking for similar sounds stay instant: the last query's
//! sorted rows and the similar-sound index, each valid while the library's
//! [`generation`](Library::generation) stays the same. Also the one-sample calls every face
//! makes (find a sample by id, file or id prefix; correct its category and tempo), so that a
//! bad id, category or tempo reads the same everywhere. The CLI, which answers once and exits, calls [`view`] and [`similar`]
//! directly.

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::search::similar::{self, Aspect, SimilarError, SimilarIndex};
use crate::search::{Matches, SearchError};
use crate::view::{self, PageQuery, SampleSummary};
use crate::{ContentHash, Library, LibraryError, SampleRecord};
use samplemind_analysis::classify::CATEGORIES;

/// The lowest and highest tempo a hand correction may set: beyond them a number is a typo.
pub const TEMPO_RANGE: std::ops::RangeInclusive<f32> = 1.0..=999.0;

/// Why a browse call could not answer.
#[derive(Debug, thiserror::Error)]
pub enum BrowseError {
    /// The id is not a content hash.
    #[error("not a sample id: {0:?} (64 hex digits)")]
    BadId(String),
    /// No stored sample has this id.
    #[error("no sample {0} in the library")]
    NotFound(String),
    /// A hash prefix that fits more than one stored sample.
    #[error("{0}: more than one stored sample starts with this hash; give more digits")]
    Ambiguous(String),
    /// A hand tempo outside [`TEMPO_RANGE`].
    #[error("tempo out of range: {0} (1 to 999 BPM)")]
    BadTempo(f32),
    /// A hand key that is not a key.
    #[error("not a key: {0:?} (try \"A minor\", \"Eb major\", \"F#m\")")]
    BadKey(String),
    /// A hand root note that is not a note with its octave.
    #[error("not a root note: {0:?} (a note and its octave: \"C2\", \"F#1\")")]
    BadNote(String),
    /// A hand category that is not one of the taxonomy's.
    #[error("not a category: {0:?} (one of {list})", list = CATEGORIES.join(", "))]
    BadCategory(String),
    /// A mark or a collection edit that cannot be (a rating of 6, an empty tag).
    #[error(transparent)]
    Curation(#[from] crate::curation::CurationError),
    /// No collection has this name.
    #[error("no collection is called {0:?}")]
    NoCollection(String),
    /// The search could not run (a key that names no key).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The probe could not be made (the sample's file no longer decodes).
    #[error(transparent)]
    Similar(#[from] SimilarError),
    /// The store failed.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// A window of a search's results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SamplePage {
    /// Results in all.
    pub total: u32,
    /// Index of the first row here.
    pub offset: u32,
    /// The rows.
    pub rows: Vec<SampleSummary>,
    /// Library records that could not be read (skipped), named.
    pub problems: Vec<String>,
}

/// A sound like the one asked about.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimilarSample {
    /// The sample.
    pub sample: SampleSummary,
    /// Similarity, higher is nearer (-1..1).
    pub score: f32,
}

/// A state of the library ([`Library::generation`]).
type Generation = (u64, u64);

/// The rows of one query at one library generation.
struct Rows {
    query: PageQuery,
    generation: Generation,
    /// The matches in order, as places in the search catalogue (4 bytes a row): a page
    /// reads only its own records.
    rows: Arc<Matches>,
    problems: Vec<String>,
}

/// The caches of one face over one library. Cheap when idle: nothing is computed until
/// asked.
#[derive(Default)]
pub struct Browser {
    rows: Mutex<Option<Rows>>,
    similar: Mutex<Option<(Generation, Arc<SimilarIndex>)>>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    /// Rows `offset .. offset + limit` of `q`'s results, and their total. Scrolling the same
    /// query reads no record again until the library changes.
    ///
    /// # Errors
    /// [`BrowseError::Search`] when the query cannot run.
    pub fn page(
        &self,
        lib: &Library,
        q: &PageQuery,
        offset: u32,
        limit: u32,
    ) -> Result<SamplePage, BrowseError> {
        let (mut all, mut problems) = self.rows(lib, q)?;
        let mut window = all.window(lib, offset as usize, limit as usize);
        if window.is_none() {
            // The library changed between the search and its window: search again, once.
            if let Ok(mut c) = self.rows.lock() {
                *c = None;
            }
            (all, problems) = self.rows(lib, q)?;
            window = all.window(lib, offset as usize, limit as usize);
        }
        let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let mut rows = view::summaries(lib, &window.unwrap_or_default(), &mut problems);
        // A drive comes and goes without a write to the library: asked per page, a stat per
        // scanned folder, never per row.
        let offline = crate::drives::offline_roots(lib);
        if !offline.is_empty() {
            for r in &mut rows {
                r.offline =
                    crate::drives::offline_name(&offline, Path::new(&r.path)).map(str::to_string);
            }
        }
        Ok(SamplePage {
            total,
            offset: offset.min(total),
            rows,
            problems,
        })
    }

    fn rows(
        &self,
        lib: &Library,
        q: &PageQuery,
    ) -> Result<(Arc<Matches>, Vec<String>), BrowseError> {
        let generation = lib.generation();
        // A poisoned cache is only a cache: recompute rather than fail.
        if let Ok(c) = self.rows.lock() {
            if let Some(c) = c
                .as_ref()
                .filter(|c| &c.query == q && c.generation == generation)
            {
                return Ok((c.rows.clone(), c.problems.clone()));
            }
        }
        let (rows, problems) = view::matches(lib, q)?;
        let rows = Arc::new(rows);
        if let Ok(mut c) = self.rows.lock() {
            *c = Some(Rows {
                query: q.clone(),
                generation,
                rows: rows.clone(),
                problems: problems.clone(),
            });
        }
        Ok((rows, problems))
    }

    /// The `n` sounds most like the stored sample `hash` by `aspect`, nearest first, itself
    /// left out. `opts` analyses the sample again when it was stored without the embeddings
    /// the models would give now.
    ///
    /// # Errors
    /// [`BrowseError::NotFound`], or why the probe could not be made.
    pub fn similar(
        &self,
        lib: &Library,
        hash: &ContentHash,
        aspect: Aspect,
        n: usize,
        opts: &samplemind_analysis::AnalysisOptions,
    ) -> Result<Vec<SimilarSample>, BrowseError> {
        if !lib.has_sample(hash)? {
            return Err(BrowseError::NotFound(hash.to_hex()));
        }
        let index = self.similar_index(lib);
        let (probe, own) = similar::probe_for(lib, &hash.to_hex(), opts)?;
        Ok(similar_samples(lib, index.query(&probe, aspect, n, own)))
    }

    fn similar_index(&self, lib: &Library) -> Arc<SimilarIndex> {
        let generation = lib.generation();
        let mut cache = self.similar.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, idx)) = cache.as_ref().filter(|(g, _)| *g == generation) {
            return idx.clone();
        }
        // Unreadable records were already named by the scan that stored them; the index
        // leaves them out.
        let (idx, _problems) = SimilarIndex::build(lib);
        let idx = Arc::new(idx.for_many_queries());
        *cache = Some((generation, idx.clone()));
        idx
    }
}

/// Neighbours as every face shows them: each sample's summary with its score (one whose
/// record is gone since the index was built is left out).
pub fn similar_samples(lib: &Library, neighbours: Vec<similar::Neighbour>) -> Vec<SimilarSample> {
    neighbours
        .into_iter()
        .filter_map(|nb| {
            let rec = lib.sample(&nb.hash).ok()??;
            let marks = lib.curation(&nb.hash).unwrap_or_default();
            Some(SimilarSample {
                sample: SampleSummary::of(&nb.path, &rec, &marks),
                score: nb.score,
            })
        })
        .collect()
}

/// The content hash `id` names (64 hex digits).
///
/// # Errors
/// [`BrowseError::BadId`].
pub fn parse_id(id: &str) -> Result<ContentHash, BrowseError> {
    ContentHash::from_hex(id).ok_or_else(|| BrowseError::BadId(id.to_string()))
}

/// The stored sample `id` (hex content hash).
///
/// # Errors
/// [`BrowseError::BadId`], [`BrowseError::NotFound`], or the store's error.
pub fn find(lib: &Library, id: &str) -> Result<SampleRecord, BrowseError> {
    let hash = parse_id(id)?;
    lib.sample(&hash)?
        .ok_or_else(|| BrowseError::NotFound(id.to_string()))
}

/// The stored sample a person named: a file (by its content, wherever it lies now), a whole
/// content hash, or the first 8 or more hex digits of one (what the CLI prints).
///
/// # Errors
/// [`BrowseError::NotFound`] when nothing stored matches (a file that was never scanned),
/// [`BrowseError::Ambiguous`] for a prefix that fits several samples, or the store's error.
pub fn resolve(lib: &Library, query: &str) -> Result<SampleRecord, BrowseError> {
    let path = std::path::Path::new(query);
    if path.is_file() {
        let hash =
            crate::hash_file(path).map_err(|e| BrowseError::NotFound(format!("{query} ({e})")))?;
        return lib
            .sample(&hash)?
            .ok_or_else(|| BrowseError::NotFound(format!("{query} (scan it first)")));
    }
    let hex = query.trim().to_ascii_lowercase();
    if let Some(hash) = ContentHash::from_hex(&hex) {
        return find(lib, &hash.to_hex());
    }
    match hashes_with_prefix(lib, &hex).as_slice() {
        [one] => find(lib, &one.to_hex()),
        [] => Err(BrowseError::NotFound(query.to_string())),
        _ => Err(BrowseError::Ambiguous(query.to_string())),
    }
}

/// The stored samples whose hash starts with `hex`, sorted; none unless `hex` is 8 to 64 hex
/// digits (fewer would fit half the library). Reads every path entry: for a person typing an
/// id, never for a face that holds whole hashes.
pub fn hashes_with_prefix(lib: &Library, hex: &str) -> Vec<ContentHash> {
    if !(8..=64).contains(&hex.len()) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Vec::new();
    }
    let (entries, _) = lib.entries();
    let mut found: Vec<ContentHash> = entries
        .iter()
        .map(|e| e.entry.hash)
        .filter(|h| h.to_hex().starts_with(hex))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A hand edit of one sample. Each field that is `Some` sets that correction (`Some(None)`
/// clears it, so the analysis shows again); a field left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    /// The category, one of [`CATEGORIES`] (any case, spaces around ignored).
    pub category: Option<Option<String>>,
    /// The tempo, inside [`TEMPO_RANGE`].
    pub bpm: Option<Option<f32>>,
    /// The key, any common spelling (stored canonically: "A minor").
    pub key: Option<Option<String>>,
    /// The root note with its octave ("C2", "F#1"; stored canonically).
    pub root_note: Option<Option<String>>,
    /// Loop (true) or one-shot (false).
    pub is_loop: Option<Option<bool>>,
}

/// Apply `edit` to sample `id`; a rescan keeps it. Every field is checked before anything is
/// written, so a refused edit changes nothing. A new category teaches the rest of the
/// sample's pack ([`crate::learn`]). Returns the record as stored.
///
/// # Errors
/// [`BrowseError::BadTempo`] outside [`TEMPO_RANGE`], [`BrowseError::BadCategory`] for a
/// name outside the taxonomy (both checked before the store is read), else as [`find`].
pub fn correct(lib: &Library, id: &str, edit: &Edit) -> Result<SampleRecord, BrowseError> {
    if let Some(Some(b)) = edit.bpm {
        if !TEMPO_RANGE.contains(&b) {
            return Err(BrowseError::BadTempo(b));
        }
    }
    let category = match &edit.category {
        Some(Some(c)) => {
            let c = c.trim().to_lowercase();
            if !CATEGORIES.contains(&c.as_str()) {
                return Err(BrowseError::BadCategory(c));
            }
            Some(Some(c))
        }
        other => other.clone(),
    };
    let key = match &edit.key {
        Some(Some(k)) => Some(Some(
            samplemind_analysis::key_name::normalise(k)
                .ok_or_else(|| BrowseError::BadKey(k.clone()))?,
        )),
        other => other.clone(),
    };
    let root_note = match &edit.root_note {
        Some(Some(n)) => Some(Some(
            root_name(n).ok_or_else(|| BrowseError::BadNote(n.clone()))?,
        )),
        other => other.clone(),
    };
    let rec = find(lib, id)?;
    let mut c = rec.corrections.clone();
    if let Some(b) = edit.bpm {
        c.bpm = b;
    }
    if let Some(k) = key {
        c.key = k;
    }
    if let Some(n) = root_note {
        c.root_note = n;
    }
    if let Some(l) = edit.is_loop {
        c.is_loop = l;
    }
    if let Some(cat) = category {
        c.category = cat;
    }
    if c == rec.corrections {
        return Ok(rec);
    }
    let relearn = c.category != rec.corrections.category;
    let rec = lib.set_corrections(&rec.hash, c)?;
    if relearn {
        crate::learn::relearn_pack(lib, &crate::learn::pack_of(&rec.path, &lib.roots()))?;
    }
    Ok(rec)
}

/// A root note as stored: the canonical tonic and its octave ("C#2"); `None` without an
/// octave or when it is not a note.
fn root_name(n: &str) -> Option<String> {
    let (pc, octave) = samplemind_analysis::key_name::note_and_octave(n)?;
    Some(format!(
        "{}{}",
        samplemind_analysis::key_name::TONICS[pc as usize],
        octave?
    ))
}

/// Apply `edit` to every sample of `ids`; each is checked before any is written, so a bad id
/// changes none. The records as stored.
///
/// # Errors
/// As [`correct`], for the first id that fails.
pub fn correct_many(
    lib: &Library,
    ids: &[String],
    edit: &Edit,
) -> Result<Vec<SampleRecord>, BrowseError> {
    for id in ids {
        find(lib, id)?;
    }
    ids.iter().map(|id| correct(lib, id, edit)).collect()
}

/// Set (or clear, with `None`) the tempo of sample `id` by hand: [`correct`] with the tempo
/// alone.
///
/// # Errors
/// As [`correct`].
pub fn correct_bpm(lib: &Library, id: &str, bpm: Option<f32>) -> Result<SampleRecord, BrowseError> {
    correct(
        lib,
        id,
        &Edit {
            bpm: Some(bpm),
            ..Edit::default()
        },
    )
}

/// Set (or clear, with `None`) the category of sample `id` by hand: [`correct`] with the
/// category alone.
///
/// # Errors
/// As [`correct`].
pub fn correct_category(
    lib: &Library,
    id: &str,
    category: Option<&str>,
) -> Result<SampleRecord, BrowseError> {
    correct(
        lib,
        id,
        &Edit {
            category: Some(category.map(str::to_string)),
            ..Edit::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_id_and_a_bad_tempo_are_refused_before_the_store_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        assert!(matches!(find(&lib, "xyz"), Err(BrowseError::BadId(_))));
        let missing = "0".repeat(64);
        assert!(matches!(
            find(&lib, &missing),
            Err(BrowseError::NotFound(_))
        ));
        assert!(matches!(
            correct_bpm(&lib, &missing, Some(f32::NAN)),
            Err(BrowseError::BadTempo(_))
        ));
        assert!(matches!(
            correct_bpm(&lib, &missing, Some(2000.0)),
            Err(BrowseError::BadTempo(_))
        ));
        assert!(matches!(
            correct_bpm(&lib, &missing, None),
            Err(BrowseError::NotFound(_))
        ));
        assert!(matches!(
            correct_category(&lib, &missing, Some("banana")),
            Err(BrowseError::BadCategory(_))
        ));
        assert!(matches!(
            correct_category(&lib, &missing, Some(" Synth ")),
            Err(BrowseError::NotFound(_))
        ));
    }

    #[test]
    fn a_category_set_by_hand_is_stored_lowercase_and_can_be_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let mut rec = SampleRecord {
            hash: ContentHash([9; 32]),
            path: dir.path().join("pack").join("a.wav"),
            ..SampleRecord::default()
        };
        rec.analysis.category = Some("keys".into());
        rec.analysis.category_unsure = true;
        lib.put_sample(&rec).unwrap();
        let id = rec.hash.to_hex();
        let set = correct_category(&lib, &id, Some(" Synth ")).unwrap();
        assert_eq!(set.category(), Some("synth"));
        assert!(!set.category_is_unsure());
        assert_eq!(
            find(&lib, &id).unwrap().corrections.category.as_deref(),
            Some("synth")
        );
        let cleared = correct_category(&lib, &id, None).unwrap();
        assert_eq!(cleared.category(), Some("keys"));
        assert!(cleared.category_is_unsure());
    }

    #[test]
    fn an_edit_with_one_bad_field_changes_nothing_and_a_good_one_sets_both() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let mut rec = SampleRecord {
            hash: ContentHash([5; 32]),
            path: dir.path().join("pack").join("loop.wav"),
            ..SampleRecord::default()
        };
        rec.analysis.category = Some("keys".into());
        rec.analysis.bpm = Some(90.0);
        lib.put_sample(&rec).unwrap();
        let id = rec.hash.to_hex();
        let both = |category: &str, bpm: f32| Edit {
            category: Some(Some(category.into())),
            bpm: Some(Some(bpm)),
            ..Edit::default()
        };
        assert!(matches!(
            correct(&lib, &id, &both("synth", 0.5)),
            Err(BrowseError::BadTempo(_))
        ));
        assert!(matches!(
            correct(&lib, &id, &both("unsure", 120.0)),
            Err(BrowseError::BadCategory(_))
        ));
        assert_eq!(find(&lib, &id).unwrap().corrections, Default::default());
        let set = correct(&lib, &id, &both("Synth", 120.0)).unwrap();
        assert_eq!((set.category(), set.bpm()), (Some("synth"), Some(120.0)));
        // A field left out stays; a cleared one shows the analysis again.
        let cleared = correct(
            &lib,
            &id,
            &Edit {
                bpm: Some(None),
                ..Edit::default()
            },
        )
        .unwrap();
        assert_eq!(
            (cleared.category(), cleared.bpm()),
            (Some("synth"), Some(90.0))
        );
        // Key, root note and loop: stored canonically, refused when they are not one.
        let set = correct(
            &lib,
            &id,
            &Edit {
                key: Some(Some("f#m".into())),
                root_note: Some(Some("Gb1".into())),
                is_loop: Some(Some(true)),
                ..Edit::default()
            },
        )
        .unwrap();
        assert_eq!(
            (set.key(), set.root_note(), set.is_loop()),
            (Some("F# minor"), Some("F#1"), true)
        );
        assert_eq!(set.corrected().root_note.as_deref(), Some("F#1"));
        for bad in [
            Edit {
                key: Some(Some("H major".into())),
                ..Edit::default()
            },
            Edit {
                root_note: Some(Some("C".into())),
                ..Edit::default()
            },
        ] {
            assert!(correct(&lib, &id, &bad).is_err(), "{bad:?}");
        }
        let many = correct_many(
            &lib,
            &[id.clone(), "0".repeat(64)],
            &Edit {
                is_loop: Some(None),
                ..Edit::default()
            },
        );
        assert!(many.is_err(), "one unknown id: none is changed");
        assert!(find(&lib, &id).unwrap().is_loop());
    }

    #[test]
    fn a_sample_is_found_by_its_file_its_hash_or_a_prefix_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let file = dir.path().join("kick.wav");
        std::fs::write(&file, b"not really audio").unwrap();
        let hash = crate::hash_file(&file).unwrap();
        let mut twin = hash.0;
        twin[31] ^= 1; // the same first 62 hex digits
        for h in [hash, ContentHash(twin), ContentHash([0xab; 32])] {
            lib.put_analysed(&SampleRecord {
                hash: h,
                path: dir.path().join(format!("{}.wav", h.to_hex())),
                ..SampleRecord::default()
            })
            .unwrap();
        }
        let hex = hash.to_hex();
        let by = |q: &str| resolve(&lib, q).map(|r| r.hash);
        assert_eq!(by(file.to_str().unwrap()).unwrap(), hash);
        assert_eq!(by(&hex.to_uppercase()).unwrap(), hash);
        assert!(matches!(by(&hex[..12]), Err(BrowseError::Ambiguous(_))));
        assert!(matches!(by(&hex[..6]), Err(BrowseError::NotFound(_))));
        assert_eq!(by("ABABABAB").unwrap(), ContentHash([0xab; 32]));
        let other = dir.path().join("never-scanned.wav");
        std::fs::write(&other, b"other bytes").unwrap();
        assert!(matches!(
            by(other.to_str().unwrap()),
            Err(BrowseError::NotFound(m)) if m.contains("scan it first")
        ));
    }

    #[test]
    fn a_cached_page_is_dropped_when_the_library_changes() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let b = Browser::default();
        let q = PageQuery::default();
        assert_eq!(b.page(&lib, &q, 0, 10).unwrap().total, 0);
        let rec = SampleRecord {
            hash: ContentHash([7; 32]),
            path: dir.path().join("kick.wav"),
            ..SampleRecord::default()
        };
        lib.put_analysed(&rec).unwrap();
        let p = b.page(&lib, &q, 0, 10).unwrap();
        assert_eq!((p.total, p.rows.len()), (1, 1));
        assert_eq!(b.page(&lib, &q, 5, 10).unwrap().offset, 1);
    }

    #[test]
    fn an_unsure_guess_is_filed_under_unsure_until_the_user_sets_a_category() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let add = |n: u8, unsure: bool, corrected: Option<&str>| {
            let mut rec = SampleRecord {
                hash: ContentHash([n; 32]),
                path: dir.path().join(format!("s{n}.wav")),
                ..SampleRecord::default()
            };
            rec.analysis.category = Some("bass".into());
            rec.analysis.category_unsure = unsure;
            rec.corrections.category = corrected.map(str::to_string);
            lib.put_analysed(&rec).unwrap();
        };
        add(1, false, None);
        add(2, true, None);
        add(3, true, Some("keys"));
        let b = Browser::default();
        let names = |category: &str| {
            let q = PageQuery {
                category: Some(category.into()),
                ..PageQuery::default()
            };
            let p = b.page(&lib, &q, 0, 10).unwrap();
            p.rows
                .iter()
                .map(|r| (r.name.clone(), r.category_unsure))
                .collect::<Vec<_>>()
        };
        assert_eq!(names("bass"), [("s1.wav".to_string(), false)]);
        assert_eq!(names("unsure"), [("s2.wav".to_string(), true)]);
        assert_eq!(names("keys"), [("s3.wav".to_string(), false)]);
        // The guess is shown beside "unsure", but it is not a word of the sample.
        let q = PageQuery {
            text: Some("bass".into()),
            ..PageQuery::default()
        };
        assert_eq!(b.page(&lib, &q, 0, 10).unwrap().total, 1);
    }
}
