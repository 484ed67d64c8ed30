//! What a search looks at, held in memory per library state.
//!
//! Reading and decoding every record for every query cost ~0.5 s over 100,000 samples. The
//! catalogue keeps, per analysed path, only the fields filters and word scores read (with
//! the words already split), built once per [`Library::generation`]; a query then decodes
//! the full records of its hits alone. After writes through the library, the next search
//! reads again only the paths and samples they touched ([`Library::changes_since`]): a
//! one-file scan costs a one-file update, not a reread of a million records (issue 27). When
//! the writes are too many to follow, or a touched record does not read, it is built afresh.
//! A library with corrupt records is not cached, so that every search reports them as
//! before.

// The rows are boxed on purpose (see `Catalogue::rows`): a scan inserts one row into a
// million, and moving 8-byte pointers is 30 times less than moving 230-byte rows.
#![allow(clippy::vec_box)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::facts::{Facts, Table};
use super::filter::Filter;
use super::tokens;
use super::word_index::WordIndex;
use crate::curation::{Colour, Curation};
use crate::{ContentHash, Library, LibraryError, PathStatus, SampleRecord};
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
    /// An unsure guess's category (what a sort by category orders it by); `None` otherwise.
    pub guess: Option<Box<str>>,
    /// Root note: pitch class and octave.
    pub root: Option<(u8, Option<i8>)>,
    /// The root note's detuning, cents (a sort by root orders by pitch).
    pub root_cents: f32,
    pub is_loop: bool,
    pub duration_s: f64,
    pub lufs: Option<f32>,
    /// Hidden by the producer (a duplicate's copy): left out unless asked for.
    pub hidden: bool,
    /// The producer's marks.
    pub favourite: bool,
    pub rating: u8,
    pub colour: Option<Colour>,
    /// Every whole tag, lowercase: the producer's, the models', the language model's.
    pub tags: Box<[Box<str>]>,
    /// Words of the file name, the folders, the tags / AI words / category, each field's
    /// words joined by single spaces (a few allocations a row: 10,000 rows take ~4 MB), and
    /// the model tags' words with the model's score.
    pub name: Box<str>,
    pub folders: Box<str>,
    pub meta: Box<str>,
    pub model: Box<[(Box<str>, f32)]>,
}

/// A row that can match, its place in the catalogue, and its word score when the word
/// index gave it.
pub(super) type Candidate<'c> = (&'c Row, u32, Option<f32>);

/// Every analysed path of one library state, in path order (`Path`'s: by components, so
/// `Drums/x.wav` comes before `Drums 2/x.wav`): a search's ties keep it with no comparing.
#[derive(Debug, Clone)]
pub(super) struct Catalogue {
    generation: (u64, u64),
    /// Boxed: a one-file scan then moves a million pointers, not a million rows.
    pub rows: Vec<Box<Row>>,
    /// The rows' words, inverted: built at the first search in words, then followed with
    /// the rows.
    words: OnceLock<WordIndex>,
    /// The rows' filterable fields, packed, in the same order (`None`: filter on the rows).
    pub table: Option<Table>,
}

impl Catalogue {
    fn new(generation: (u64, u64), rows: Vec<Box<Row>>) -> Self {
        Self {
            generation,
            table: Table::build(&rows),
            rows,
            words: OnceLock::new(),
        }
    }

    /// The rows that can match `filter`, with their places: those the word index names (else
    /// every row), narrowed by their facts, each with its word score when the index gave it
    /// (a row the index scores as missing a word is left out). What facts cannot tell is
    /// left to [`Filter::score_beyond_facts`].
    pub(super) fn matching<'c>(
        &'c self,
        filter: &Filter<'_>,
    ) -> Box<dyn Iterator<Item = Candidate<'c>> + 'c> {
        let Some(t) = &self.table else {
            let rows: Vec<Candidate<'c>> = self
                .rows_for(filter.words())
                .filter(|(r, _)| filter.passes_facts_on_row(r))
                .map(|(r, i)| (r, i, None))
                .collect();
            return Box::new(rows.into_iter());
        };
        let fast = filter.on_facts(t);
        let row = move |i: u32| self.rows.get(i as usize).map(|r| &**r);
        match self.candidates(filter.words()) {
            Some(mut places) => {
                places.retain(|&i| t.facts.get(i as usize).is_some_and(|f| fast.passes(f)));
                let scores = self
                    .word_index()
                    .scores(filter.words(), &places, &self.rows);
                match scores {
                    Some(scores) => Box::new(
                        places
                            .into_iter()
                            .zip(scores)
                            .filter_map(move |(i, s)| Some((row(i)?, i, Some(s?)))),
                    ),
                    None => Box::new(
                        places
                            .into_iter()
                            .filter_map(move |i| Some((row(i)?, i, None))),
                    ),
                }
            }
            None => Box::new(
                t.facts
                    .iter()
                    .zip(0u32..)
                    .filter(move |(f, _)| fast.passes(f))
                    .filter_map(move |(_, i)| Some((row(i)?, i, None))),
            ),
        }
    }

    /// The library state it describes.
    pub(super) fn generation(&self) -> (u64, u64) {
        self.generation
    }

    /// The places of the rows that can match every word group (each a word and its
    /// synonyms), ascending; `None` to look at every row (no words, or none that narrows).
    pub(super) fn candidates(&self, groups: &[Vec<String>]) -> Option<Vec<u32>> {
        if groups.is_empty() {
            return None;
        }
        self.word_index().candidates(groups, self.rows.len())
    }

    /// The word index, built at its first use.
    pub(super) fn word_index(&self) -> &WordIndex {
        self.words.get_or_init(|| WordIndex::build(&self.rows))
    }

    /// The rows `groups` can match, each with its place: the index's candidates, else all.
    pub(super) fn rows_for<'c>(
        &'c self,
        groups: &[Vec<String>],
    ) -> Box<dyn Iterator<Item = (&'c Row, u32)> + 'c> {
        match self.candidates(groups) {
            Some(places) => Box::new(
                places
                    .into_iter()
                    .filter_map(move |i| self.rows.get(i as usize).map(|r| (&**r, i))),
            ),
            None => Box::new(self.rows.iter().map(|r| &**r).zip(0u32..)),
        }
    }
}

/// The last catalogue built in this process (one library is open at a time in practice).
static LAST: Mutex<Option<Arc<Catalogue>>> = Mutex::new(None);

/// The catalogue of `lib` as it is now, and the records that could not be read.
pub(super) fn of(lib: &Library) -> (Arc<Catalogue>, Vec<LibraryError>) {
    let generation = lib.generation();
    let last = LAST.lock().ok().and_then(|mut l| l.take());
    if let Some(c) = last {
        if c.generation == generation {
            keep(&c);
            return (c, Vec::new());
        }
        if let Some(updated) = follow(lib, c) {
            let updated = Arc::new(updated);
            keep(&updated);
            return (updated, Vec::new());
        }
    }
    let (marks, mut problems) = lib.all_curation();
    let hidden = lib.hidden_paths();
    let none = Curation::default();
    let mut rows: Vec<Box<Row>> = Vec::new();
    // Row by row as the store is read: the decoded records are never all held at once.
    problems.extend(lib.for_each_entry(|e| {
        if let Some(s) = e.sample {
            let m = marks.get(&s.hash).unwrap_or(&none);
            let h = hidden.contains(&e.path);
            rows.push(Box::new(row(e.path, &s, m, h)));
        }
    }));
    // The store keeps paths in byte order, which differs from `Path`'s only around names
    // that sort below `/` (spaces, `-`, `.`): few rows move, and the sort finds its runs.
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    // Room for the rows of the next scans, so that following them moves rows, not the list.
    rows.reserve(rows.len() / 16 + IN_PLACE_AT_MOST);
    let built = Arc::new(Catalogue::new(generation, rows));
    if problems.is_empty() {
        keep(&built);
    }
    (built, problems)
}

fn keep(c: &Arc<Catalogue>) {
    if let Ok(mut l) = LAST.lock() {
        *l = Some(Arc::clone(c));
    }
}

/// More touched paths than this share of the rows: reading everything is as quick.
const FOLLOW_AT_MOST: f64 = 0.05;

/// `c` brought up to the library's present state by the writes since it was built: the rows
/// of the touched paths, and of every path of a touched sample, read again. `None` when the
/// writes cannot be followed (too many, forgotten, another library) or a touched record does
/// not read (the full build reports it).
fn follow(lib: &Library, c: Arc<Catalogue>) -> Option<Catalogue> {
    let changes = lib.changes_since(c.generation)?;
    let mut touched: HashSet<PathBuf> = changes.paths;
    if !changes.samples.is_empty() {
        // Most rows are not touched: a first look at 8 bytes of the hash keeps the pass over
        // a million rows to a few milliseconds.
        let head = super::facts::head;
        let mut heads: Vec<u64> = changes.samples.iter().map(head).collect();
        heads.sort_unstable();
        let near: Vec<&Row> = match &c.table {
            // The heads lie packed in the facts: a pass over them reads no row.
            Some(t) => t
                .facts
                .iter()
                .zip(&c.rows)
                .filter(|(f, _)| heads.binary_search(&f.head).is_ok())
                .map(|(_, r)| &**r)
                .collect(),
            None => c
                .rows
                .iter()
                .filter(|r| heads.binary_search(&head(&r.hash)).is_ok())
                .map(|r| &**r)
                .collect(),
        };
        touched.extend(
            near.into_iter()
                .filter(|r| changes.samples.contains(&r.hash))
                .map(|r| r.path.clone()),
        );
    }
    if touched.len() as f64 > (c.rows.len() as f64 * FOLLOW_AT_MOST).max(64.0) {
        return None;
    }
    let mut fresh = Vec::with_capacity(touched.len());
    for path in &touched {
        match lib.path_entry(path).ok()? {
            Some(e) if e.status == PathStatus::Analysed => {
                if let Some(s) = lib.sample(&e.hash).ok()? {
                    let marks = lib.curation(&e.hash).ok()?;
                    fresh.push(Box::new(row(path.clone(), &s, &marks, lib.is_hidden(path))));
                }
            }
            _ => {}
        }
    }
    // Shared with a search still running: copy it; else take it over.
    let mut c = Arc::unwrap_or_clone(c);
    let gone = places_of(&c.rows, touched.iter());
    let (fresh, came) = placed(&c.rows, &gone, fresh);
    let mut words = c.words.take();
    if let Some(w) = &mut words {
        for &g in &gone {
            w.remove_row(g, &c.rows[g as usize]);
        }
    }
    let fresh_facts: Option<Vec<Facts>> = c
        .table
        .as_mut()
        .and_then(|t| fresh.iter().map(|r| t.add(r)).collect());
    match (c.table.as_mut(), fresh_facts) {
        (Some(t), Some(added)) => {
            t.facts = applied(std::mem::take(&mut t.facts), &gone, &came, added);
        }
        _ => c.table = None,
    }
    c.rows = applied(std::mem::take(&mut c.rows), &gone, &came, fresh);
    if let Some(mut w) = words {
        if gone != came {
            let from = gone.first().into_iter().chain(came.first()).min();
            w.shift(*from.unwrap_or(&0), |p| moved(p, &gone, &came));
        }
        for &f in &came {
            w.add_row(f, &c.rows[f as usize]);
        }
        w.drop_unused();
        c.words = OnceLock::from(w);
    }
    c.generation = (c.generation.0, changes.upto);
    #[cfg(test)]
    FOLLOWED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Some(c)
}

/// The places of `paths` in `rows` (in path order), ascending; paths not there are left out.
fn places_of<'p>(rows: &[Box<Row>], paths: impl Iterator<Item = &'p PathBuf>) -> Vec<u32> {
    let mut places: Vec<u32> = paths
        .filter_map(|p| {
            let i = rows.partition_point(|x| x.path < *p);
            rows.get(i)
                .is_some_and(|r| r.path == *p)
                .then_some(i as u32)
        })
        .collect();
    places.sort_unstable();
    places
}

/// Where the row at old place `p` (one that stayed) is after the rows at `gone` (old
/// places) left and rows came in at `came` (new places), both ascending: its rank among the
/// rows that stayed, then one step on for every new row at or before it.
fn moved(p: u32, gone: &[u32], came: &[u32]) -> u32 {
    let rank = p - gone.partition_point(|&g| g < p) as u32;
    // `came[k] - k` does not fall (the places are distinct and ascending), so the new rows
    // before this one are a prefix of `came`.
    let (mut lo, mut hi) = (0, came.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if came[mid] - mid as u32 <= rank {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    rank + lo as u32
}

/// Catalogues brought up to date by following the writes (tests tell a follow from a build).
#[cfg(test)]
static FOLLOWED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Edits up to this many are made in place (each moves the rows after it once); more are
/// merged in one pass into a new list.
const IN_PLACE_AT_MOST: usize = 16;

/// `fresh` in the order it takes in the catalogue, and the place each takes once the rows at
/// `gone` (places in `old`, ascending) have left: a binary search per path in `old` (in
/// path order).
fn placed(old: &[Box<Row>], gone: &[u32], fresh: Vec<Box<Row>>) -> (Vec<Box<Row>>, Vec<u32>) {
    let mut at: Vec<(usize, Box<Row>)> = fresh
        .into_iter()
        .map(|r| (old.partition_point(|x| x.path < r.path), r))
        .collect();
    at.sort_by(|a, b| (a.0, &a.1.path).cmp(&(b.0, &b.1.path)));
    let places = at
        .iter()
        .enumerate()
        .map(|(k, (i, _))| (i - gone.partition_point(|&g| (g as usize) < *i) + k) as u32)
        .collect();
    (at.into_iter().map(|(_, r)| r).collect(), places)
}

/// `old` without the items at `gone` (ascending), with `fresh` at the places `came`
/// (ascending, places in the result): a few edits in place, more in one pass that moves
/// each item once. The rows and their facts go through the same edits.
fn applied<T>(mut old: Vec<T>, gone: &[u32], came: &[u32], fresh: Vec<T>) -> Vec<T> {
    if gone.len() + came.len() <= IN_PLACE_AT_MOST {
        for &g in gone.iter().rev() {
            old.remove(g as usize);
        }
        // Room for this insert and the next few scans' (a list grown by one would copy
        // itself whole at each).
        if old.capacity() - old.len() < came.len() {
            old.reserve(came.len() + old.len() / 16);
        }
        for (&p, x) in came.iter().zip(fresh) {
            old.insert((p as usize).min(old.len()), x);
        }
        return old;
    }
    let mut out = Vec::with_capacity((old.len() + fresh.len()).saturating_sub(gone.len()));
    let mut fresh = came.iter().zip(fresh).peekable();
    let mut gone = gone.iter().peekable();
    for (i, x) in old.into_iter().enumerate() {
        if gone.next_if(|&&g| g as usize == i).is_some() {
            continue;
        }
        while let Some((_, f)) = fresh.next_if(|(&p, _)| p as usize == out.len()) {
            out.push(f);
        }
        out.push(x);
    }
    out.extend(fresh.map(|(_, f)| f));
    out
}

/// The row of `path`, whose content's record is `s` and marks `m`.
fn row(path: PathBuf, s: &SampleRecord, m: &Curation, hidden: bool) -> Row {
    let a = &s.analysis;
    let mut meta: Vec<String> = m.tags.iter().flat_map(|t| tokens(t)).collect();
    let mut tags: Vec<Box<str>> = m.tags.iter().map(|t| t.as_str().into()).collect();
    tags.extend(
        a.model_tags
            .iter()
            .map(|t| crate::curation::tag_key(&t.tag).into()),
    );
    if let Some(ai) = &s.ai {
        tags.extend(ai.tags.iter().map(|t| crate::curation::tag_key(t).into()));
        meta.extend(ai.tags.iter().flat_map(|t| tokens(t)));
        meta.extend(tokens(&ai.description));
    }
    // An unsure guess is not a word of the sample: it is found as "unsure".
    meta.extend(s.filed_under().map(tokens).unwrap_or_default());
    let joined = |w: Vec<String>| w.join(" ").into_boxed_str();
    Row {
        name: joined(
            path.file_stem()
                .map(|n| tokens(&n.to_string_lossy()))
                .unwrap_or_default(),
        ),
        folders: joined(
            path.parent()
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
        guess: s
            .category_is_unsure()
            .then(|| s.category().map(Box::from))
            .flatten(),
        root: s.root_note().and_then(key_name::note_and_octave),
        root_cents: a.root_cents.unwrap_or(0.0),
        is_loop: s.is_loop(),
        duration_s: a.duration_s,
        lufs: a.lufs,
        hidden,
        favourite: m.favourite,
        rating: m.rating,
        colour: m.colour,
        tags: tags.into_boxed_slice(),
        hash: s.hash,
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Corrections;
    use crate::PathEntry;

    fn record(dir: &std::path::Path, i: u8) -> SampleRecord {
        let mut rec = SampleRecord {
            hash: ContentHash([i; 32]),
            path: dir
                .join(format!("pack{}", i % 7))
                .join(format!("kick {i}.wav")),
            ..SampleRecord::default()
        };
        rec.analysis.category = Some(if i.is_multiple_of(2) { "kick" } else { "pad" }.into());
        rec.analysis.bpm = i.is_multiple_of(3).then_some(90.0 + f32::from(i));
        rec
    }

    /// A library of the first `n` of [`record`]'s samples.
    fn library(n: u8) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        for i in 0..n {
            lib.put_analysed(&record(dir.path(), i)).unwrap();
        }
        (dir, lib)
    }

    /// After scans, corrections, a file gone missing and a duplicate, the catalogue that
    /// followed the writes is the one a full build gives, row for row and in order.
    #[test]
    fn following_the_writes_gives_what_a_full_build_gives() {
        let (dir, lib) = library(200);
        let (first, problems) = of(&lib);
        assert!(problems.is_empty());
        assert_eq!(first.rows.len(), 200);
        first.words.get_or_init(|| WordIndex::build(&first.rows));
        drop(first);

        // A one-file scan, a correction, a path gone missing, a duplicate of a known sound
        // in a folder that sorts first, and a sample analysed again.
        lib.put_analysed(&record(dir.path(), 200)).unwrap();
        let fix = Corrections {
            category: Some("snare".into()),
            ..Corrections::default()
        };
        lib.set_corrections(&ContentHash([5; 32]), fix).unwrap();
        let gone = record(dir.path(), 9);
        lib.put_path(
            &gone.path,
            &PathEntry {
                hash: gone.hash,
                size: 1,
                mtime_ns: 0,
                status: PathStatus::Missing,
            },
        )
        .unwrap();
        lib.put_path(
            &dir.path().join("aaa").join("copy.wav"),
            &PathEntry {
                hash: ContentHash([12; 32]),
                size: 1,
                mtime_ns: 0,
                status: PathStatus::Analysed,
            },
        )
        .unwrap();
        let mut again = record(dir.path(), 30);
        again.analysis.bpm = Some(174.0);
        lib.put_sample(&again).unwrap();

        let followed_before = FOLLOWED.load(std::sync::atomic::Ordering::Relaxed);
        let (followed, _) = of(&lib);
        assert_eq!(
            FOLLOWED.load(std::sync::atomic::Ordering::Relaxed),
            followed_before + 1,
            "the writes were followed, not reread"
        );
        assert_eq!(followed.generation, lib.generation());
        assert_index_follows(&followed);
        *LAST.lock().unwrap() = None;
        let (full, _) = of(&lib);
        assert_eq!(format!("{:?}", followed.rows), format!("{:?}", full.rows));
        assert_eq!(full.rows.len(), 201);
        let snare = full
            .rows
            .iter()
            .find(|r| r.hash == ContentHash([5; 32]))
            .unwrap();
        assert_eq!(snare.category.as_deref(), Some("snare"));
    }

    /// Property, under change: after any mix of writes (new sounds, corrections, paths gone
    /// and back, copies, marks, hidden paths), a catalogue that followed them is the one a
    /// full build gives, row for row. 40 rounds of 1 to 40 random writes, seeded.
    #[test]
    fn any_mix_of_writes_followed_equals_a_full_build() {
        let (dir, lib) = library(120);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        let mut known: Vec<SampleRecord> = (0..120).map(|i| record(dir.path(), i)).collect();
        let mut fresh = 120u8;
        let (first, _) = of(&lib);
        first.words.get_or_init(|| WordIndex::build(&first.rows));
        drop(first);
        let followed_before = FOLLOWED.load(std::sync::atomic::Ordering::Relaxed);
        for round in 0..40 {
            for _ in 0..=next(40) {
                let pick = known[next(known.len() as u64) as usize].clone();
                match next(7) {
                    0 if fresh < 250 => {
                        let rec = record(dir.path(), fresh);
                        fresh += 1;
                        lib.put_analysed(&rec).unwrap();
                        known.push(rec);
                    }
                    1 => {
                        let fix = Corrections {
                            category: Some(["kick", "snare", "pad"][next(3) as usize].into()),
                            bpm: Some(60.0 + next(100) as f32),
                            key: (next(2) == 0).then(|| "A minor".into()),
                            is_loop: Some(next(2) == 0),
                            ..Corrections::default()
                        };
                        lib.set_corrections(&pick.hash, fix).unwrap();
                    }
                    2 => {
                        let status = if next(2) == 0 {
                            PathStatus::Missing
                        } else {
                            PathStatus::Analysed
                        };
                        let entry = PathEntry {
                            hash: pick.hash,
                            size: 1,
                            mtime_ns: 0,
                            status,
                        };
                        lib.put_path(&pick.path, &entry).unwrap();
                    }
                    3 => {
                        // Folder names that sort below `/` in bytes: the catalogue keeps
                        // `Path`'s order, not the store's.
                        let folder =
                            ["copies", "copies 2", "copies-x", "copies.old"][next(4) as usize];
                        let copy = dir.path().join(format!("{folder}/{}.wav", next(30)));
                        let entry = PathEntry {
                            hash: pick.hash,
                            size: 1,
                            mtime_ns: 0,
                            status: PathStatus::Analysed,
                        };
                        lib.put_path(&copy, &entry).unwrap();
                    }
                    4 => {
                        let marks = crate::Curation {
                            favourite: next(2) == 0,
                            rating: next(6) as u8,
                            tags: if next(2) == 0 {
                                vec!["dark".into()]
                            } else {
                                vec![]
                            },
                            ..crate::Curation::default()
                        };
                        lib.restore_curation(&pick.hash, &marks).unwrap();
                    }
                    5 => lib.restore_hidden(&pick.path, next(2) == 0).unwrap(),
                    _ => lib.put_sample(&pick).unwrap(),
                }
            }
            let (followed, problems) = of(&lib);
            assert!(problems.is_empty());
            assert_index_follows(&followed);
            *LAST.lock().unwrap() = None;
            let (full, _) = of(&lib);
            assert_eq!(
                format!("{:?}", followed.rows),
                format!("{:?}", full.rows),
                "round {round}"
            );
            // The next round follows from the followed catalogue, not from a fresh build.
            keep(&followed);
        }
        let followed = FOLLOWED.load(std::sync::atomic::Ordering::Relaxed) - followed_before;
        assert!(
            followed >= 30,
            "most rounds followed the writes: {followed} of 40"
        );
    }

    /// The word index of a catalogue that followed the writes (it had one before) is the
    /// one a build over its rows gives: every token, every place.
    fn assert_index_follows(c: &Catalogue) {
        assert!(
            c.rows.windows(2).all(|w| w[0].path < w[1].path),
            "path order"
        );
        // The facts too: the same fields, row for row, with the same names (numbers may
        // differ from a fresh build's, which meets the names in another order).
        let t = c.table.as_ref().expect("facts kept");
        let fresh = Table::build(&c.rows).unwrap();
        fn named(t: &Table, f: &Facts) -> String {
            let mut f = *f;
            let names = (t.categories.name(f.category), t.keys.name(f.key));
            (f.category, f.key) = (0, 0);
            format!("{f:?} {names:?}")
        }
        assert_eq!(t.facts.len(), c.rows.len());
        for (a, b) in t.facts.iter().zip(&fresh.facts) {
            assert_eq!(named(t, a), named(&fresh, b));
        }
        match c.words.get() {
            Some(followed) => assert_eq!(followed, &WordIndex::build(&c.rows)),
            // Built afresh (too many writes): the next round follows from a built index.
            None => drop(c.words.get_or_init(|| WordIndex::build(&c.rows))),
        }
    }

    /// Enough edits that they are merged in one pass rather than made in place.
    #[test]
    fn many_edits_are_merged_in_path_order() {
        let (dir, lib) = library(200);
        let (first, _) = of(&lib);
        first.words.get_or_init(|| WordIndex::build(&first.rows));
        drop(first);
        for i in (0..200).step_by(9) {
            let fix = Corrections {
                bpm: Some(100.0 + f32::from(i)),
                ..Corrections::default()
            };
            lib.set_corrections(&ContentHash([i; 32]), fix).unwrap();
        }
        for i in 200..210 {
            lib.put_analysed(&record(dir.path(), i)).unwrap();
        }
        let before = FOLLOWED.load(std::sync::atomic::Ordering::Relaxed);
        let (followed, _) = of(&lib);
        assert_eq!(
            FOLLOWED.load(std::sync::atomic::Ordering::Relaxed),
            before + 1
        );
        assert_index_follows(&followed);
        *LAST.lock().unwrap() = None;
        let (full, _) = of(&lib);
        assert_eq!(format!("{:?}", followed.rows), format!("{:?}", full.rows));
        assert_eq!(full.rows.len(), 210);
    }

    /// More writes than the catalogue follows: it is built afresh, and still right.
    #[test]
    fn too_many_writes_are_read_afresh() {
        let (dir, lib) = library(10);
        drop(of(&lib));
        for i in 10..250 {
            lib.put_analysed(&record(dir.path(), i)).unwrap();
        }
        let before = FOLLOWED.load(std::sync::atomic::Ordering::Relaxed);
        let (c, _) = of(&lib);
        assert_eq!(FOLLOWED.load(std::sync::atomic::Ordering::Relaxed), before);
        assert_eq!(c.rows.len(), 250);
    }
}
