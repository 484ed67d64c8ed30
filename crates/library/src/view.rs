//! What every face shows: a page query (filters, sort, window) and a sample's summary (the
//! user's corrections over the analysis, tags merged once). The CLI, the desktop app and the
//! HTTP API call these and render what comes back, so a sample reads the same in all three.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::curation::{Colour, Curation, Region};
use crate::search::sort::SortKey;
use crate::search::{search_sorted, Found, Matches};
use crate::search::{Query, SearchError};
use crate::{Library, SampleRecord};

/// A library search as a table asks it: every set filter must match, then a sort. Serde
/// names are camelCase, as the desktop app's UI sends them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct PageQuery {
    /// Words, matched against names, folders, tags, category and AI descriptions.
    pub text: Option<String>,
    /// Lowest tempo.
    pub bpm_min: Option<f32>,
    /// Highest tempo.
    pub bpm_max: Option<f32>,
    /// Key, any common spelling ("Am", "A minor", "8A").
    pub key: Option<String>,
    /// With `key`: its compatible keys too (relative, a fifth either side).
    pub key_compatible: bool,
    /// Root note: "C" (any octave) or "C2".
    pub root: Option<String>,
    /// Samples under this folder only.
    pub folder: Option<String>,
    /// Category, or "unsure" for the sounds whose category is an unsure guess.
    pub category: Option<String>,
    /// Loops only (true) or one-shots only (false).
    pub is_loop: Option<bool>,
    /// Shortest length, seconds.
    pub min_duration_s: Option<f64>,
    /// Longest length, seconds.
    pub max_duration_s: Option<f64>,
    /// Quietest integrated loudness, LUFS.
    pub lufs_min: Option<f32>,
    /// Loudest integrated loudness, LUFS.
    pub lufs_max: Option<f32>,
    /// Tags every row must carry (the producer's, the models', the language model's).
    pub tags: Vec<String>,
    /// Starred sounds only.
    pub favourite: bool,
    /// At least this many stars.
    pub min_rating: Option<u8>,
    /// One colour label only.
    pub colour: Option<Colour>,
    /// One collection's sounds only.
    pub collection: Option<String>,
    /// Also the paths hidden as a duplicate's copies.
    pub include_hidden: bool,
    /// Sort column.
    pub sort: SortKey,
    /// Sort descending.
    pub descending: bool,
}

impl PageQuery {
    /// The search this page runs: blank words, keys and categories are no filter, and a
    /// range (tempo, length, loudness) open at one end stays open there.
    pub fn search_query(&self) -> Query {
        let given = |v: &Option<String>| v.clone().filter(|t| !t.trim().is_empty());
        Query {
            text: given(&self.text),
            key: given(&self.key),
            key_compatible: self.key_compatible,
            root: given(&self.root),
            folder: given(&self.folder).map(std::path::PathBuf::from),
            category: given(&self.category),
            is_loop: self.is_loop,
            bpm: (self.bpm_min.is_some() || self.bpm_max.is_some()).then(|| {
                (
                    self.bpm_min.unwrap_or(0.0),
                    self.bpm_max.unwrap_or(f32::MAX),
                )
            }),
            duration_s: (self.min_duration_s.is_some() || self.max_duration_s.is_some()).then(
                || {
                    (
                        self.min_duration_s.unwrap_or(0.0),
                        self.max_duration_s.unwrap_or(f64::MAX),
                    )
                },
            ),
            lufs: (self.lufs_min.is_some() || self.lufs_max.is_some()).then(|| {
                (
                    self.lufs_min.unwrap_or(f32::MIN),
                    self.lufs_max.unwrap_or(f32::MAX),
                )
            }),
            tags: self
                .tags
                .iter()
                .filter(|t| !t.trim().is_empty())
                .cloned()
                .collect(),
            favourite: self.favourite,
            min_rating: self.min_rating.filter(|r| *r > 0),
            colour: self.colour,
            collection: given(&self.collection),
            include_hidden: self.include_hidden,
            ..Query::default()
        }
    }
}

/// One sample as every face shows it: what the user corrected over what was analysed, and
/// its tags (the user's, the models', the language model's) each once, in that order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleSummary {
    /// Content hash, hex: the sample's id.
    pub id: String,
    /// File name.
    pub name: String,
    /// Folder the file is in (its name only).
    pub folder: String,
    /// Full path (shown lossily when it is not UTF-8).
    pub path: String,
    /// Instrument category, the user's correction first.
    pub category: Option<String>,
    /// `category` is the classifier's unsure guess (search files it under "unsure").
    pub category_unsure: bool,
    /// Loop rather than one-shot.
    pub is_loop: bool,
    /// Tempo, the user's correction first.
    pub bpm: Option<f32>,
    /// Key ("A minor"), the user's correction first.
    pub key: Option<String>,
    /// Root note with octave ("A1").
    pub root_note: Option<String>,
    /// Length, seconds.
    pub duration_s: f64,
    /// Integrated loudness, LUFS.
    pub lufs: Option<f32>,
    /// Tags: the user's, the models', the language model's, each once.
    pub tags: Vec<String>,
    /// The producer's own tags (the first of `tags`; the ones they can take off).
    pub user_tags: Vec<String>,
    /// Starred.
    pub favourite: bool,
    /// Stars, 0 (unrated) to 5.
    pub rating: u8,
    /// Colour label.
    pub colour: Option<Colour>,
    /// The part of it the producer selected: what plays, loops and exports.
    pub region: Option<Region>,
    /// A language model's description.
    pub description: Option<String>,
    /// The name of the folder (drive, share) it lives on when that is not there now: the
    /// sample stays listed, and cannot be played until it is back.
    pub offline: Option<String>,
}

impl SampleSummary {
    /// The summary of `rec` found at `path`, with the producer's marks `marks`.
    pub fn of(path: &Path, rec: &SampleRecord, marks: &Curation) -> Self {
        let a = &rec.analysis;
        let mut tags = marks.tags.clone();
        tags.extend(a.model_tags.iter().map(|t| t.tag.clone()));
        if let Some(ai) = &rec.ai {
            tags.extend(ai.tags.iter().cloned());
        }
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.clone()));
        let lossy = |n: Option<&std::ffi::OsStr>| {
            n.map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        Self {
            id: rec.hash.to_hex(),
            name: lossy(path.file_name()),
            folder: lossy(path.parent().and_then(Path::file_name)),
            path: path.display().to_string(),
            category: rec.category().map(str::to_string),
            category_unsure: rec.category_is_unsure(),
            is_loop: rec.is_loop(),
            bpm: rec.bpm(),
            key: rec.key().map(str::to_string),
            root_note: rec.root_note().map(str::to_string),
            duration_s: a.duration_s,
            lufs: a.lufs,
            tags,
            user_tags: marks.tags.clone(),
            favourite: marks.favourite,
            rating: marks.rating,
            colour: marks.colour,
            region: marks.region,
            description: rec.ai.as_ref().map(|d| d.description.clone()),
            offline: None,
        }
    }
}

/// The summary of `rec` at `path` with the marks the library holds for it (none when they do
/// not read: a face shows the sample rather than failing on its marks).
pub fn summarise(lib: &Library, path: &Path, rec: &SampleRecord) -> SampleSummary {
    let marks = lib.curation(&rec.hash).unwrap_or_else(|e| {
        tracing::warn!("{e}");
        Curation::default()
    });
    SampleSummary::of(path, rec, &marks)
}

/// Every match of `q`, sorted: where and which content, from the search catalogue alone (no
/// record is read); and the catalogue's unreadable records, named.
///
/// # Errors
/// [`SearchError`] when the search cannot run (a key that names no key, the store).
pub fn matches(lib: &Library, q: &PageQuery) -> Result<(Matches, Vec<String>), SearchError> {
    let (found, problems) = search_sorted(lib, &q.search_query(), q.sort, q.descending)?;
    Ok((found, problems.iter().map(ToString::to_string).collect()))
}

/// The summaries of `found` (a window of [`matches`]): each record and its marks read now.
/// A record gone since the match (deleted by a scan in between) is left out; one that
/// cannot be read is named in `problems`.
pub fn summaries(lib: &Library, found: &[Found], problems: &mut Vec<String>) -> Vec<SampleSummary> {
    let mut out = Vec::with_capacity(found.len());
    for f in found {
        match lib.sample(&f.hash) {
            Ok(Some(rec)) => {
                let marks = lib.curation(&f.hash).unwrap_or_else(|e| {
                    problems.push(e.to_string());
                    Curation::default()
                });
                out.push(SampleSummary::of(&f.path, &rec, &marks));
            }
            Ok(None) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    out
}

/// A window of a result list: rows `offset .. offset + limit` (clipped to the list) of `all`.
pub fn window<T: Clone>(all: &[T], offset: usize, limit: usize) -> Vec<T> {
    let start = offset.min(all.len());
    let end = start.saturating_add(limit).min(all.len());
    all[start..end].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_filters_filter_nothing_and_open_ranges_stay_open() {
        let q = PageQuery {
            text: Some("  ".into()),
            key: Some(String::new()),
            bpm_min: Some(100.0),
            max_duration_s: Some(2.0),
            ..PageQuery::default()
        };
        let s = q.search_query();
        assert_eq!(s.text, None);
        assert_eq!(s.key, None);
        assert_eq!(s.bpm, Some((100.0, f32::MAX)));
        assert_eq!(s.duration_s, Some((0.0, 2.0)));
        assert_eq!(s.lufs, None);
        let loud = PageQuery {
            lufs_min: Some(-12.0),
            min_duration_s: Some(1.0),
            ..PageQuery::default()
        }
        .search_query();
        assert_eq!(loud.lufs, Some((-12.0, f32::MAX)));
        assert_eq!(loud.duration_s, Some((1.0, f64::MAX)));
    }

    #[test]
    fn a_tag_given_by_two_sources_is_shown_once_and_corrections_win() {
        let mut rec = SampleRecord::default();
        let marks = Curation {
            tags: vec!["dark".into(), "kick".into()],
            favourite: true,
            ..Curation::default()
        };
        rec.analysis.model_tags = vec![samplemind_ml::ScoredTag {
            tag: "kick".into(),
            score: 0.9,
        }];
        rec.analysis.bpm = Some(87.0);
        rec.corrections.bpm = Some(174.0);
        let s = SampleSummary::of(Path::new("/packs/Drums/Kick 1.wav"), &rec, &marks);
        assert_eq!(s.tags, ["dark", "kick"]);
        assert_eq!(s.user_tags, ["dark", "kick"]);
        assert!(s.favourite);
        assert_eq!(s.bpm, Some(174.0));
        assert_eq!(
            (s.name.as_str(), s.folder.as_str()),
            ("Kick 1.wav", "Drums")
        );
    }

    #[test]
    fn a_window_past_the_end_is_empty_not_a_panic() {
        let all = [1, 2, 3];
        assert_eq!(window(&all, 1, 5), [2, 3]);
        assert!(window(&all, 9, 5).is_empty());
        assert!(window(&all, 1, usize::MAX).len() == 2);
    }
}
