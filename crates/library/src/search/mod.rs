//! Search over the library: filters (tempo, key, category, loop, duration, loudness) and
//! words matched against file and folder names, tags and category.

mod catalogue;
pub mod duplicates;
pub mod facets;
mod facts;
mod filter;
pub mod similar;
pub mod sort;
mod word_index;

use std::path::PathBuf;

use serde::Serialize;

use crate::curation::{tag_key, Colour, Curation};
use crate::{Library, LibraryError, SampleRecord};
use filter::Filter;

/// A search. Every set field must match; words must all appear.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words, matched case-insensitively against names, folders, tags and category. A word
    /// with a leading `-` excludes the samples it matches; a producer's shorthand matches
    /// what it stands for too (`bd` finds kicks, see [`SYNONYMS`]).
    pub text: Option<String>,
    /// Inclusive tempo range.
    pub bpm: Option<(f32, f32)>,
    /// A key in any common spelling (`Am`, `A minor`, `8A`); enharmonics match.
    pub key: Option<String>,
    /// With `key`: its compatible keys match too (relative, a fifth either side).
    pub key_compatible: bool,
    /// A root note: `C` (any octave) or `C2` (that octave); enharmonics match.
    pub root: Option<String>,
    /// Samples under this folder only.
    pub folder: Option<PathBuf>,
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
    /// Also the paths the producer hid (a duplicate's copies); by default they are left out.
    pub include_hidden: bool,
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
    /// The root filter is not a note.
    #[error("not a note: {0:?} (try \"C\", \"F#2\", \"Eb1\")")]
    BadNote(String),
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
/// [`SearchError::BadKey`] for a key filter that is not a key, [`SearchError::BadNote`] for
/// a root that is not a note, [`SearchError::NoCollection`].
pub fn search(lib: &Library, q: &Query) -> Result<(Vec<Hit>, Vec<LibraryError>), SearchError> {
    let filter = Filter::new(lib, q)?;
    let (cat, mut problems) = catalogue::of(lib);
    let mut found: Vec<(f32, &catalogue::Row)> = cat
        .matching(&filter)
        .filter_map(|(r, _, words)| filter.score_beyond_facts(lib, r, words).map(|s| (s, r)))
        .collect();
    // The catalogue is in path order, and the sort keeps it among equals.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
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

/// One match: where, and which content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The file.
    pub path: PathBuf,
    /// Its content.
    pub hash: crate::ContentHash,
}

/// The matches of one search, in order, as places in the search catalogue of one library
/// state: 4 bytes a match (a million matches hold 4 MB, not a copy of every path).
#[derive(Debug, Clone, Default)]
pub struct Matches {
    generation: (u64, u64),
    order: Vec<u32>,
}

impl Matches {
    /// How many.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The library state they were found in.
    pub fn generation(&self) -> (u64, u64) {
        self.generation
    }

    /// Matches `offset .. offset + limit` (clipped), or `None` when the library has changed
    /// since the search (search again then).
    pub fn window(&self, lib: &Library, offset: usize, limit: usize) -> Option<Vec<Found>> {
        let (cat, _) = catalogue::of(lib);
        if cat.generation() != self.generation {
            return None;
        }
        let start = offset.min(self.order.len());
        let end = start.saturating_add(limit).min(self.order.len());
        self.order[start..end]
            .iter()
            .map(|&i| {
                cat.rows.get(i as usize).map(|r| Found {
                    path: r.path.clone(),
                    hash: r.hash,
                })
            })
            .collect()
    }
}

/// Run `q` over `lib` and order the matches by `sort` (relevance first when words were
/// given, then path; ties of `sort` keep that order), reading no record: everything comes
/// from the in-memory catalogue. A face that shows a window of the matches reads only that
/// window's records ([`crate::browse::Browser::page`]).
///
/// # Errors
/// As [`search`].
pub fn search_sorted(
    lib: &Library,
    q: &Query,
    sort: sort::SortKey,
    descending: bool,
) -> Result<(Matches, Vec<LibraryError>), SearchError> {
    let filter = Filter::new(lib, q)?;
    let (cat, problems) = catalogue::of(lib);
    // Each match with its place in the catalogue, which is what is kept.
    let mut found: Vec<(f32, u32, &catalogue::Row)> = cat
        .matching(&filter)
        .filter_map(|(r, i, words)| filter.score_beyond_facts(lib, r, words).map(|s| (s, i, r)))
        .collect();
    // The catalogue is in path order, and the sort keeps it among equals.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    if let Some(n) = q.limit {
        found.truncate(n);
    }
    sort::sort_rows(&mut found, sort, descending, cat.table.as_ref());
    let order = found.iter().map(|(_, i, _)| *i).collect();
    Ok((
        Matches {
            generation: cat.generation(),
            order,
        },
        problems,
    ))
}

/// A producer's shorthand and what it stands for: a search for either finds both.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("bd", "kick"),
    ("kik", "kick"),
    ("sd", "snare"),
    ("snr", "snare"),
    ("hh", "hat"),
    ("hihat", "hat"),
    ("oh", "hat"),
    ("ch", "hat"),
    ("cym", "cymbal"),
    ("vox", "vocal"),
    ("vocals", "vocal"),
    ("perc", "percussion"),
    ("fx", "effect"),
    ("sfx", "effect"),
    ("keys", "keyboard"),
    ("gtr", "guitar"),
];

/// The words to find (each with its synonyms, the word first) and the words to exclude
/// (`-word`), lowercase.
fn words_of(text: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut find = Vec::new();
    let mut exclude = Vec::new();
    for raw in text.split_whitespace() {
        let (target, raw) = match raw.strip_prefix('-') {
            Some(rest) => (&mut exclude, rest),
            None => (&mut find, raw),
        };
        for w in tokens(raw) {
            let mut alts = vec![w.clone()];
            for (a, b) in SYNONYMS {
                if w == *a {
                    alts.push((*b).to_string());
                } else if w == *b {
                    alts.push((*a).to_string());
                }
            }
            target.push(alts);
        }
    }
    (find, exclude)
}

/// Lowercase alphanumeric words.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Every word (or one of its synonyms) must match somewhere; a match in the file name weighs
/// more than in a folder, and a whole-word match more than a prefix. Model tags weigh by how
/// sure the model was; a synonym weighs a little less than the word typed.
fn word_score(r: &catalogue::Row, words: &[Vec<String>]) -> Option<f32> {
    let mut total = 0.0;
    for alts in words {
        let best = alts
            .iter()
            .enumerate()
            .map(|(i, w)| one_word_score(r, w) * if i == 0 { 1.0 } else { 0.9 })
            .fold(0.0f32, f32::max);
        if best == 0.0 {
            return None;
        }
        total += best;
    }
    Some(total)
}

fn one_word_score(r: &catalogue::Row, w: &str) -> f32 {
    // Each field is its words joined by single spaces (one allocation per field).
    let field_score = |toks: &str, weight: f32| {
        toks.split(' ')
            .map(|t| {
                if t == w {
                    weight
                } else if t.starts_with(w) {
                    weight * 0.5
                } else {
                    0.0
                }
            })
            .fold(0.0f32, f32::max)
    };
    field_score(&r.name, 3.0)
        .max(field_score(&r.meta, 2.0))
        .max(model_score(r, w))
        .max(field_score(&r.folders, 1.0))
}

/// `w` as one of `r`'s model tags: twice the model's score (0 when it is none of them).
fn model_score(r: &catalogue::Row, w: &str) -> f32 {
    r.model
        .iter()
        .filter(|(t, _)| **t == *w)
        .map(|(_, sc)| 2.0 * sc)
        .fold(0.0f32, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ContentHash;

    fn library() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let put = |i: u8, path: &str, key: Option<&str>, root: Option<&str>| {
            let mut rec = SampleRecord {
                hash: ContentHash([i; 32]),
                path: dir.path().join(path),
                ..SampleRecord::default()
            };
            rec.analysis.key = key.map(str::to_string);
            rec.analysis.root_note = root.map(str::to_string);
            lib.put_analysed(&rec).unwrap();
        };
        put(1, "Drums/BD Heavy.wav", None, None);
        put(2, "Drums/Kick Soft.wav", None, None);
        put(3, "Drums/Loops/Kick Loop.wav", None, None);
        put(4, "Keys/Rhodes Am.wav", Some("A minor"), Some("A2"));
        put(5, "Keys/Rhodes C.wav", Some("C major"), Some("C3"));
        put(6, "Keys/Rhodes Em.wav", Some("E minor"), Some("E2"));
        put(7, "Keys/Rhodes F#.wav", Some("F# major"), Some("Gb2"));
        (dir, lib)
    }

    fn names(lib: &Library, q: Query) -> Vec<String> {
        let mut v: Vec<String> = search(lib, &q)
            .unwrap()
            .0
            .into_iter()
            .map(|h| h.path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn words(w: &str) -> Query {
        Query {
            text: Some(w.into()),
            ..Query::default()
        }
    }

    #[test]
    fn shorthand_finds_what_it_stands_for_and_a_minus_word_excludes() {
        let (_dir, lib) = library();
        assert_eq!(
            names(&lib, words("bd")),
            ["BD Heavy", "Kick Loop", "Kick Soft"]
        );
        assert_eq!(
            names(&lib, words("kick")),
            ["BD Heavy", "Kick Loop", "Kick Soft"]
        );
        assert_eq!(names(&lib, words("kick -loop")), ["BD Heavy", "Kick Soft"]);
        assert_eq!(names(&lib, words("-drums")).len(), 4);
        // The word typed ranks above its synonym.
        let (hits, _) = search(&lib, &words("bd")).unwrap();
        assert!(hits[0].path.ends_with("BD Heavy.wav"), "{:?}", hits[0].path);
    }

    #[test]
    fn compatible_keys_roots_by_note_or_octave_and_a_folder_scope() {
        let (dir, lib) = library();
        let am = Query {
            key: Some("Am".into()),
            ..Query::default()
        };
        assert_eq!(names(&lib, am.clone()), ["Rhodes Am"]);
        let mixable = Query {
            key_compatible: true,
            ..am
        };
        assert_eq!(names(&lib, mixable), ["Rhodes Am", "Rhodes C", "Rhodes Em"]);
        let root = |r: &str| Query {
            root: Some(r.into()),
            ..Query::default()
        };
        assert_eq!(names(&lib, root("F#")), ["Rhodes F#"], "enharmonic");
        assert_eq!(names(&lib, root("a2")), ["Rhodes Am"]);
        assert!(names(&lib, root("A3")).is_empty());
        assert!(matches!(
            search(&lib, &root("H2")),
            Err(SearchError::BadNote(_))
        ));
        let drums = Query {
            folder: Some(dir.path().join("Drums/Loops")),
            ..Query::default()
        };
        assert_eq!(names(&lib, drums), ["Kick Loop"]);
    }

    #[test]
    fn facets_count_the_matches_and_folders_count_what_lies_under_them() {
        let (dir, lib) = library();
        lib.remember_root(dir.path()).unwrap();
        let (f, problems) = facets::facets(&lib, &words("rhodes")).unwrap();
        assert!(problems.is_empty());
        assert_eq!((f.total, f.loops, f.one_shots), (4, 0, 4));
        assert_eq!(f.keys.len(), 4);
        let (all, _) = facets::facets(&lib, &Query::default()).unwrap();
        assert_eq!(all.total, 7);
        let folders: Vec<(String, u32)> = facets::folders(&lib)
            .into_iter()
            .map(|f| (f.path, f.count))
            .collect();
        let at = |p: &str| dir.path().join(p).display().to_string();
        assert_eq!(
            folders,
            [
                (dir.path().display().to_string(), 7),
                (at("Drums"), 3),
                (at("Drums/Loops"), 1),
                (at("Keys"), 4)
            ]
        );
    }
}

#[cfg(test)]
mod against_a_scan {
    use super::*;
    use crate::ContentHash;

    /// Whatever the words (whole, prefixes, synonyms, several, excluded, none found), the
    /// rows the word index hands to scoring match exactly what a scan of every row matches,
    /// in the same order; and a word that narrows the search does go through the index.
    #[test]
    fn the_word_index_finds_what_a_scan_of_every_row_finds() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let vocab = [
            "kick", "snare", "deep", "dark", "bright", "808", "vox", "hat", "open", "pack", "sub",
            "warm", "bd", "tape",
        ];
        for i in 0..400u32 {
            let (a, b) = (vocab[(i * 7 % 14) as usize], vocab[(i * 11 % 13) as usize]);
            let folder = ["Drums", "Vocals", "Bass Pack", "FX", "Pad Keys"][(i % 5) as usize];
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            let mut rec = SampleRecord {
                hash: ContentHash(hash),
                path: dir.path().join(folder).join(format!("{a} {b} {i}.wav")),
                ..SampleRecord::default()
            };
            rec.analysis.category =
                Some(["kick", "snare", "pad", "vocal"][(i % 4) as usize].into());
            // Model tags: a word in a tag of two words, a word the rows' names also hold
            // (its score then races the name's), and one a search word only starts
            // ("warmth" for "warm": a prefix of a model tag scores nothing).
            if i % 6 == 0 {
                rec.analysis.model_tags = vec![
                    samplemind_ml::ScoredTag {
                        tag: ["kick drum", "warmth", "snare", "hat"][(i / 6 % 4) as usize].into(),
                        score: (i % 10) as f32 / 10.0 + 0.05,
                    },
                    samplemind_ml::ScoredTag {
                        tag: "tape".into(),
                        score: 0.8,
                    },
                ];
            }
            lib.put_analysed(&rec).unwrap();
        }
        let (cat, _) = catalogue::of(&lib);
        let mut scored_by_index = 0;
        for text in [
            "drum",
            "drum kick",
            "tap",
            "tape",
            "warm",
            "snare tape",
            "kick",
            "ki",
            "deep kick",
            "vox",
            "vocal",
            "bd",
            "808 dark",
            "sub -warm",
            "zzz",
            "d",
            "open hat",
            "12",
            "bass pack",
            "pack",
            "pac",
            "pad kick",
            "pad 808",
            "tape 3",
        ] {
            let q = Query {
                text: Some(text.into()),
                ..Query::default()
            };
            let filter = Filter::new(&lib, &q).unwrap();
            let matched = |rows: &mut dyn Iterator<Item = (&catalogue::Row, u32)>| {
                rows.filter_map(|(r, i)| filter.score(&lib, r).map(|s| (i, s)))
                    .collect::<Vec<_>>()
            };
            let scan = matched(&mut cat.rows.iter().map(|r| &**r).zip(0u32..));
            let indexed = matched(&mut cat.rows_for(filter.words()));
            assert_eq!(indexed, scan, "{text:?}");
            // Scored from the postings, float for float what the rows' words give (unless a
            // word starts too many tokens: "3" here).
            let groups = filter.words();
            let places = cat.candidates(groups).unwrap_or_default();
            if let Some(by_index) = cat.word_index().scores(groups, &places, &cat.rows) {
                let by_rows: Vec<Option<f32>> = places
                    .iter()
                    .map(|&i| word_score(&cat.rows[i as usize], groups))
                    .collect();
                assert_eq!(by_index, by_rows, "{text:?}");
                scored_by_index += 1;
            }
        }
        assert!(
            scored_by_index >= 10,
            "{scored_by_index} searches scored by the index"
        );
        let narrow = |text: &str| {
            let (groups, _) = words_of(text);
            cat.candidates(&groups)
        };
        assert_eq!(narrow("zzz"), Some(vec![]));
        assert!(narrow("deep kick").is_some_and(|c| c.len() < 60));
        assert_eq!(narrow("d"), None, "a word in most rows scans them all");
    }

    /// Every filter the packed facts answer (and those they leave to the rows), alone and
    /// together, with and without words, matches the rows a scan reading every row's own
    /// fields matches, in the same order.
    #[test]
    fn fact_filters_find_what_the_rows_find() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for i in 0..500u32 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            let folder = ["Drums", "Keys", "Drums/Loops"][next(3) as usize];
            let word = ["kick", "snare", "pad", "deep", "vox"][next(5) as usize];
            let mut rec = SampleRecord {
                hash: ContentHash(hash),
                path: dir.path().join(folder).join(format!("{word} {i}.wav")),
                ..SampleRecord::default()
            };
            let a = &mut rec.analysis;
            a.category = [None, Some("kick"), Some("snare"), Some("pad")][next(4) as usize]
                .map(str::to_string);
            a.bpm = (next(2) == 0).then(|| 80.0 + next(80) as f32);
            a.key = [None, Some("A minor"), Some("C major"), Some("F# minor")][next(4) as usize]
                .map(str::to_string);
            a.root_note =
                [None, Some("A2"), Some("C3"), Some("Gb2")][next(4) as usize].map(str::to_string);
            a.lufs = (next(3) > 0).then(|| -30.0 + next(25) as f32);
            a.duration_s = 0.1 + next(80) as f64 / 10.0;
            a.is_loop = next(3) == 0;
            lib.put_analysed(&rec).unwrap();
            if next(4) == 0 {
                let marks = crate::Curation {
                    favourite: next(2) == 0,
                    rating: next(6) as u8,
                    colour: [None, Some(Colour::Red), Some(Colour::Blue)][next(3) as usize],
                    tags: if next(2) == 0 {
                        vec!["dark".into()]
                    } else {
                        vec![]
                    },
                    ..crate::Curation::default()
                };
                lib.restore_curation(&rec.hash, &marks).unwrap();
            }
            if next(10) == 0 {
                lib.restore_hidden(&rec.path, true).unwrap();
            }
        }
        let base = Query::default;
        let queries = [
            base(),
            Query {
                category: Some("kick".into()),
                ..base()
            },
            Query {
                category: Some("Snare".into()),
                ..base()
            },
            Query {
                category: Some("laser".into()),
                ..base()
            },
            Query {
                bpm: Some((100.0, 130.0)),
                is_loop: Some(true),
                ..base()
            },
            Query {
                key: Some("Am".into()),
                ..base()
            },
            Query {
                key: Some("A minor".into()),
                key_compatible: true,
                ..base()
            },
            Query {
                key: Some("B major".into()),
                ..base()
            },
            Query {
                root: Some("F#".into()),
                ..base()
            },
            Query {
                root: Some("A2".into()),
                ..base()
            },
            Query {
                lufs: Some((-20.0, -10.0)),
                duration_s: Some((1.0, 4.0)),
                ..base()
            },
            Query {
                favourite: true,
                ..base()
            },
            Query {
                min_rating: Some(3),
                ..base()
            },
            Query {
                colour: Some(Colour::Red),
                ..base()
            },
            Query {
                include_hidden: true,
                ..base()
            },
            Query {
                tags: vec!["dark".into()],
                ..base()
            },
            Query {
                folder: Some(dir.path().join("Drums")),
                is_loop: Some(false),
                ..base()
            },
            Query {
                text: Some("kick".into()),
                category: Some("kick".into()),
                ..base()
            },
            Query {
                text: Some("deep -vox".into()),
                bpm: Some((80.0, 120.0)),
                ..base()
            },
            Query {
                text: Some("loops".into()),
                include_hidden: true,
                ..base()
            },
        ];
        let (cat, _) = catalogue::of(&lib);
        assert!(cat.table.is_some());
        for q in &queries {
            let filter = Filter::new(&lib, q).unwrap();
            let scan: Vec<(u32, f32)> = cat
                .rows
                .iter()
                .zip(0u32..)
                .filter_map(|(r, i)| filter.score(&lib, r).map(|s| (i, s)))
                .collect();
            let fast: Vec<(u32, f32)> = cat
                .matching(&filter)
                .filter_map(|(r, i, words)| {
                    filter.score_beyond_facts(&lib, r, words).map(|s| (i, s))
                })
                .collect();
            assert_eq!(fast, scan, "{q:?}");
            let counted = facets::facets(&lib, q).unwrap().0.total as usize;
            assert_eq!(counted, scan.len(), "facets of {q:?}");
        }
    }
}

#[cfg(test)]
mod order_tests {
    use super::sort::{sort_hits, SortKey};
    use super::*;
    use crate::ContentHash;

    /// The catalogue's order (no record read) is the order of the records themselves, for
    /// every column and direction, over values with ties, gaps, unsure guesses, detuned
    /// roots, corrections, and words that give relevance.
    #[test]
    fn the_catalogue_sorts_as_the_records_do() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let mut seed = 0x5eed_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let keys = ["A minor", "C major", "F# minor", "Eb major"];
        let cats = ["kick", "snare", "pad", "bass"];
        for i in 0..150u8 {
            let mut rec = SampleRecord {
                hash: ContentHash([i; 32]),
                path: dir.path().join(format!("pack{}", next(4))).join(format!(
                    "{} {i}.wav",
                    ["Kick", "dark pad", "bass"][next(3) as usize]
                )),
                ..SampleRecord::default()
            };
            let a = &mut rec.analysis;
            a.bpm = (next(3) > 0).then(|| 80.0 + next(5) as f32 * 10.0);
            a.key = (next(3) > 0).then(|| keys[next(4) as usize].to_string());
            a.category = Some(cats[next(4) as usize].to_string());
            a.category_confidence = Some(if next(4) == 0 { 0.2 } else { 0.9 });
            a.root_note = (next(2) == 0)
                .then(|| format!("{}{}", ["A", "C#", "F"][next(3) as usize], next(4)));
            a.root_cents = (next(2) == 0).then(|| next(80) as f32 - 40.0);
            a.duration_s = f64::from(next(4) as u8) * 0.5;
            a.lufs = (next(4) > 0).then(|| -(next(20) as f32));
            if next(5) == 0 {
                rec.corrections.bpm = Some(120.0);
            }
            lib.put_analysed(&rec).unwrap();
        }
        let sorts = [
            SortKey::Relevance,
            SortKey::Name,
            SortKey::Category,
            SortKey::Bpm,
            SortKey::Key,
            SortKey::Root,
            SortKey::Duration,
            SortKey::Lufs,
        ];
        for text in [None, Some("dark")] {
            let q = Query {
                text: text.map(str::to_string),
                ..Query::default()
            };
            for sort in sorts {
                for descending in [false, true] {
                    let (mut hits, _) = search(&lib, &q).unwrap();
                    sort_hits(&mut hits, sort, descending);
                    let want: Vec<_> = hits
                        .iter()
                        .map(|h| (h.path.clone(), h.sample.hash))
                        .collect();
                    let (found, _) = search_sorted(&lib, &q, sort, descending).unwrap();
                    let got: Vec<_> = found
                        .window(&lib, 0, usize::MAX)
                        .unwrap()
                        .into_iter()
                        .map(|f| (f.path, f.hash))
                        .collect();
                    assert_eq!(got, want, "{sort:?} descending {descending} words {text:?}");
                }
            }
        }
    }
}
