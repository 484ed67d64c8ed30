//! "More like this": nearest neighbours over the stored embeddings, by aspect.
//!
//! [`SimilarIndex::build`] loads every sample's vectors once into flat, contiguous arrays
//! (the app and the API keep the index; the CLI builds it per call). Up to
//! [`LISTS_FROM`] sounds, [`SimilarIndex::query`] scores every entry by brute force: exact,
//! and a few milliseconds. From there on the sounds are also cut into lists of neighbours
//! ([`lists`], an inverted-file index), and a query scores only the nearest lists' sounds,
//! each exactly as the full scan would ([`SimilarIndex::query_exact`] stays, as the tests'
//! oracle).

use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{ContentHash, Library, LibraryError};
use samplemind_analysis::Analysis;
use samplemind_ml::{aisfx, musicnn, SoundVectors};

mod lists;

/// From this many sounds on, a query opens only the nearest lists instead of scoring every
/// sound (below it the full scan takes under ~10 ms on one core of a laptop).
pub const LISTS_FROM: usize = 50_000;

/// Sounds per list (a million sounds make a thousand lists).
const ROWS_PER_LIST: usize = 1_000;

/// A query opens lists until it holds this many candidates (or this share of the library,
/// whichever is more), every one scored exactly: recall@10 ≥ 0.95 against the full scan for
/// timbre and overall, on the bench's library of sound families and on a scanned library
/// (rhythm falls short; BENCHMARKS.md).
const CANDIDATES_AT_LEAST: usize = 20_000;
const CANDIDATE_SHARE: f64 = 0.02;

/// What "similar" means for a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Aspect {
    /// How it sounds: the aisfx embedding, else the DSP timbre figures.
    Timbre,
    /// Its notes: root note or key, and pitch-class content.
    Pitch,
    /// Its groove: the musicnn embedding, tempo and onset density.
    Rhythm,
    /// A blend of the three, timbre first.
    #[default]
    Overall,
}

impl std::str::FromStr for Aspect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "timbre" => Ok(Aspect::Timbre),
            "pitch" => Ok(Aspect::Pitch),
            "rhythm" => Ok(Aspect::Rhythm),
            "overall" => Ok(Aspect::Overall),
            _ => Err(format!(
                "unknown aspect {s:?} (timbre, pitch, rhythm, overall)"
            )),
        }
    }
}

/// What a query compares: a sound's analysis and its vectors.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The DSP analysis.
    pub analysis: Analysis,
    /// The embeddings (empty when the models did not run).
    pub vectors: SoundVectors,
}

/// One neighbour.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    /// Content hash.
    pub hash: ContentHash,
    /// A path of it.
    pub path: PathBuf,
    /// Similarity, higher is nearer (cosine-like, -1..1).
    pub score: f32,
    /// Its category, when known.
    pub category: Option<String>,
}

struct Entry {
    hash: ContentHash,
    path: PathBuf,
    category: Option<String>,
    is_loop: bool,
    midi: Option<f32>,
    chroma: Vec<f32>,
    bpm: Option<f32>,
    onset_rate: f32,
}

/// An index made a sound at a time.
#[derive(Default)]
struct Building {
    entries: Vec<Entry>,
    aisfx: Vec<f32>,
    musicnn: Vec<f32>,
    kinds: Vec<f32>,
    tempi: Vec<f32>,
    /// Each sound's DSP figures, until their common length is known.
    timbres: Vec<Vec<f32>>,
}

impl Building {
    fn push(&mut self, hash: ContentHash, path: PathBuf, a: Analysis, v: SoundVectors) {
        // A vector of another length (a model that did not run) is a zero row.
        let row = |out: &mut Vec<f32>, v: &[f32], d: usize| {
            if v.len() == d {
                out.extend_from_slice(v);
            } else {
                out.resize(out.len() + d, 0.0);
            }
        };
        row(&mut self.aisfx, &v.aisfx, aisfx::DIM);
        row(&mut self.musicnn, &v.musicnn, musicnn::DIM);
        row(&mut self.kinds, &kind_of(&a).unwrap_or_default(), KINDS);
        self.tempi.extend_from_slice(&tempo_point(a.bpm));
        self.entries.push(Entry {
            hash,
            path,
            is_loop: a.is_loop,
            midi: midi_of(&a),
            bpm: a.bpm,
            onset_rate: onset_rate(&a),
            category: a.category,
            chroma: a.chroma,
        });
        self.timbres.push(a.timbre);
    }

    fn finish(self) -> SimilarIndex {
        let dsp_dim = self.timbres.iter().map(Vec::len).max().unwrap_or(0);
        let mut dsp = Vec::with_capacity(self.timbres.len() * dsp_dim);
        for t in &self.timbres {
            if t.len() == dsp_dim {
                dsp.extend_from_slice(t);
            } else {
                dsp.resize(dsp.len() + dsp_dim, 0.0);
            }
        }
        let mut idx = SimilarIndex {
            entries: self.entries,
            aisfx: self.aisfx,
            musicnn: self.musicnn,
            dsp,
            kinds: self.kinds,
            tempi: self.tempi,
            dsp_dim,
            dsp_mean: vec![0.0; dsp_dim],
            dsp_scale: vec![1.0; dsp_dim],
            lists: None,
            candidates: 0,
        };
        idx.standardise_dsp();
        idx
    }
}

/// Which sounds a query scores.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// The nearest lists' (every sound when there are none).
    Lists,
    /// Every sound.
    Every,
    /// These places.
    Rows(&'a [u32]),
}

/// The sounds a query scores when not every one.
enum Pool<'a> {
    Ranges(Vec<std::ops::Range<u32>>),
    Rows(&'a [u32]),
}

/// What an index is made of, a sound at a time: its hash, a path, its analysis, its vectors.
pub type Item = (ContentHash, PathBuf, Analysis, SoundVectors);

/// Every sample's vectors, flat, for exhaustive scoring.
pub struct SimilarIndex {
    entries: Vec<Entry>,
    aisfx: Vec<f32>,
    musicnn: Vec<f32>,
    dsp: Vec<f32>,
    /// The category distributions, unit length (zeros where no classifier ran).
    kinds: Vec<f32>,
    /// Each tempo as a point on the unit circle ([`tempo_point`]; zeros without a tempo),
    /// for the lists only: the score reads the tempo itself.
    tempi: Vec<f32>,
    dsp_dim: usize,
    dsp_mean: Vec<f32>,
    dsp_scale: Vec<f32>,
    /// The sounds cut into lists of neighbours (large libraries only); the rows above are
    /// then laid out list by list.
    lists: Option<lists::Lists>,
    /// How many sounds a query opens lists for, at least.
    candidates: usize,
}

impl std::fmt::Debug for SimilarIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimilarIndex")
            .field("entries", &self.entries.len())
            .finish()
    }
}

/// Dot product written for the auto-vectoriser: eight independent lanes.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Length of a category distribution.
const KINDS: usize = samplemind_analysis::classify::CATEGORIES.len();

/// Share of the timbre score that is "the same kind of sound": the cosine of the two
/// category distributions. Measured on the DEV corpus with out-of-fold distributions (each
/// sound's from a classifier not trained on it), a one-shot's 5 nearest share its category
/// 60 % of the time at 0.3 against 42 % with sound alone (48 % against 42 % when whole kits
/// are held out; `tools/train_classifier.py --models` prints both). 0.3 keeps "sounds like"
/// first: 0.2, 0.5 and 0.7 all score lower.
const KIND_WEIGHT: f32 = 0.3;

/// How the scores weigh their terms, named once: the score (`query_among`) and the lists'
/// choice (`part_weights`) read the same numbers. A sound's likeness: its aisfx embedding
/// and its DSP figures.
const SOUND_AISFX: f32 = 0.8;
const SOUND_DSP: f32 = 0.2;
/// A groove's likeness: its musicnn embedding, its tempo, its onset density.
const RHYTHM_GROOVE: f32 = 0.6;
const RHYTHM_TEMPO: f32 = 0.25;
const RHYTHM_DENSITY: f32 = 0.15;
/// Overall: timbre, rhythm and pitch. A one-shot is mostly its sound; a loop is as much its
/// groove.
const LOOP_OVERALL: [f32; 3] = [0.4, 0.45, 0.15];
const ONE_SHOT_OVERALL: [f32; 3] = [0.8, 0.1, 0.1];

/// `a`'s category distribution, unit length, when a classifier gave one.
fn kind_of(a: &Analysis) -> Option<Vec<f32>> {
    if a.category_probabilities.len() != KINDS {
        return None;
    }
    let mut k = a.category_probabilities.clone();
    samplemind_ml::normalise(&mut k);
    Some(k)
}

/// The swaps, in order, that carry each row `order[j]` to place `j` (`order` a permutation
/// of `0..order.len()`), each pair `(a, b)` with `a < b`: each cycle of the permutation is
/// walked once, a swap a step.
fn swaps_for(order: &[u32]) -> Vec<(usize, usize)> {
    let mut done = vec![false; order.len()];
    let mut swaps = Vec::new();
    for start in 0..order.len() {
        if done[start] {
            continue;
        }
        done[start] = true;
        let mut at = start;
        loop {
            let from = order[at] as usize;
            if from == start || from >= order.len() || done[from] {
                break;
            }
            swaps.push((at.min(from), at.max(from)));
            done[from] = true;
            at = from;
        }
    }
    swaps
}

/// A tempo as a point on the unit circle, a turn per octave of tempo: two tempi's points
/// have the cosine of their distance in octaves' turns, 1 at equal, double or half tempo and
/// -1 half an octave apart, as the rhythm score's tempo term rises and falls. No tempo is the
/// origin (no pull either way).
fn tempo_point(bpm: Option<f32>) -> [f32; 2] {
    match bpm {
        Some(b) if b.is_finite() && b > 0.0 => {
            let turn = std::f32::consts::TAU * b.log2();
            [turn.cos(), turn.sin()]
        }
        _ => [0.0, 0.0],
    }
}

fn midi_of(a: &Analysis) -> Option<f32> {
    a.f0_hz.map(|hz| 69.0 + 12.0 * (hz / 440.0).log2())
}

fn onset_rate(a: &Analysis) -> f32 {
    a.onset_count as f32 / (a.duration_s.max(0.1) as f32)
}

impl SimilarIndex {
    /// An index over `items` (hash, path, analysis, vectors).
    pub fn from_items(items: Vec<Item>) -> Self {
        let mut b = Building::default();
        for (hash, path, a, v) in items {
            b.push(hash, path, a, v);
        }
        b.finish()
    }

    /// The index ready for many queries (what the app and the API keep): from
    /// [`LISTS_FROM`] sounds on, cut into lists. A single query (the CLI's) is cheaper as
    /// one full scan than as a cut and a query.
    pub fn for_many_queries(self) -> Self {
        if self.entries.len() >= LISTS_FROM {
            self.with_default_lists()
        } else {
            self
        }
    }

    /// The index with its sounds cut into lists as a large library's are (the bench asks
    /// for them below [`LISTS_FROM`] too).
    pub fn with_default_lists(self) -> Self {
        let n = self.entries.len();
        let candidates = CANDIDATES_AT_LEAST.max((n as f64 * CANDIDATE_SHARE) as usize);
        self.with_lists(ROWS_PER_LIST, candidates)
    }

    /// Bytes the lists hold (their centres and where each starts).
    pub fn list_bytes(&self) -> usize {
        self.lists.as_ref().map_or(0, lists::Lists::bytes)
    }

    /// The index with its sounds cut into lists of about `per_list` neighbours, a query
    /// opening lists until it holds at least `candidates` sounds, whatever the library's size
    /// (large libraries get them at build; tests and the bench ask for them).
    pub fn with_lists(mut self, per_list: usize, candidates: usize) -> Self {
        self.candidates = candidates;
        let parts = lists::Parts {
            data: [
                &self.aisfx,
                &self.musicnn,
                &self.dsp,
                &self.kinds,
                &self.tempi,
            ],
            dims: self.part_dims(),
        };
        let (lists, order) = lists::Lists::build(&parts, self.entries.len(), per_list);
        self.lay_out(&order);
        self.lists = Some(lists);
        self
    }

    /// Each part's length a sound, in the lists' order (aisfx, musicnn, DSP figures,
    /// category, tempo).
    fn part_dims(&self) -> [usize; lists::PARTS] {
        [aisfx::DIM, musicnn::DIM, self.dsp_dim, KINDS, 2]
    }

    /// How many lists of neighbours a query chooses from (0: every query scans every sound).
    pub fn lists(&self) -> usize {
        self.lists.as_ref().map_or(0, lists::Lists::len)
    }

    /// Move every row to its place in `order` (`order[j]`: the row that goes to place `j`,
    /// a permutation), in place: the vectors of a million sounds take 3 GB, and a second
    /// copy of them would double the peak.
    fn lay_out(&mut self, order: &[u32]) {
        let swaps = swaps_for(order);
        for &(a, b) in &swaps {
            self.entries.swap(a, b);
        }
        let dims = self.part_dims();
        let arrays = [
            &mut self.aisfx,
            &mut self.musicnn,
            &mut self.dsp,
            &mut self.kinds,
            &mut self.tempi,
        ];
        for (data, d) in arrays.into_iter().zip(dims) {
            if d == 0 {
                continue;
            }
            for &(a, b) in &swaps {
                // a < b always ([`swaps_for`]).
                let (low, high) = data.split_at_mut(b * d);
                low[a * d..][..d].swap_with_slice(&mut high[..d]);
            }
        }
    }

    /// Build the index from everything `lib` holds; records that do not decode are skipped
    /// and returned.
    pub fn build(lib: &Library) -> (Self, Vec<LibraryError>) {
        // Each record goes into the arrays as it is read: a million decoded records (and
        // their text embeddings, which the index does not use) are never held at once.
        let mut seen = std::collections::HashSet::new();
        let mut b = Building::default();
        let mut problems = Vec::new();
        let mut unread = lib.for_each_entry(|e| {
            let Some(s) = e.sample else { return };
            if !seen.insert(s.hash) {
                return;
            }
            let v = match lib.vectors(&s.hash) {
                Ok(v) => v.unwrap_or_default(),
                Err(err) => {
                    problems.push(err);
                    SoundVectors::default()
                }
            };
            b.push(s.hash, e.path, s.analysis, v);
        });
        problems.append(&mut unread);
        (b.finish(), problems)
    }

    /// Z-score the DSP figures over the library so that no one figure's unit dominates.
    fn standardise_dsp(&mut self) {
        let (d, n) = (self.dsp_dim, self.entries.len());
        if d == 0 || n == 0 {
            return;
        }
        for j in 0..d {
            let col = (0..n).map(|i| self.dsp[i * d + j]);
            let mean = col.clone().sum::<f32>() / n as f32;
            let var = col.map(|x| (x - mean).powi(2)).sum::<f32>() / n as f32;
            self.dsp_mean[j] = mean;
            self.dsp_scale[j] = if var > 1e-12 { 1.0 / var.sqrt() } else { 0.0 };
        }
        let mut dsp = std::mem::take(&mut self.dsp);
        for row in dsp.chunks_exact_mut(d) {
            self.standardise_row(row);
        }
        self.dsp = dsp;
    }

    fn standardise_row(&self, row: &mut [f32]) {
        for (j, x) in row.iter_mut().enumerate() {
            *x = (*x - self.dsp_mean[j]) * self.dsp_scale[j];
        }
        samplemind_ml::normalise(row);
    }

    /// Number of samples indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `n` nearest samples to `probe` by `aspect`, nearest first; `exclude` (the query's
    /// own content) is left out.
    pub fn query(
        &self,
        probe: &Probe,
        aspect: Aspect,
        n: usize,
        exclude: Option<ContentHash>,
    ) -> Vec<Neighbour> {
        self.query_among(probe, aspect, n, exclude, false, Scope::Lists)
    }

    /// As [`Self::query`], scoring every sound whatever the library's size (the oracle an
    /// approximate answer is measured against).
    pub fn query_exact(
        &self,
        probe: &Probe,
        aspect: Aspect,
        n: usize,
        exclude: Option<ContentHash>,
    ) -> Vec<Neighbour> {
        self.query_among(probe, aspect, n, exclude, false, Scope::Every)
    }

    /// As [`Self::query`], scoring only `rows` (places in the index in the order of the
    /// items it was made from, so an index without lists): how another index's candidates
    /// are ranked by this one's exact score (the bench's peer).
    pub fn query_rows(
        &self,
        probe: &Probe,
        aspect: Aspect,
        n: usize,
        exclude: Option<ContentHash>,
        rows: &[u32],
    ) -> Vec<Neighbour> {
        self.query_among(probe, aspect, n, exclude, false, Scope::Rows(rows))
    }

    /// As [`Self::query`], among one-shots only (what a sound made with the voice or a
    /// beatbox is looking for).
    pub fn query_one_shots(&self, probe: &Probe, aspect: Aspect, n: usize) -> Vec<Neighbour> {
        self.query_among(probe, aspect, n, None, true, Scope::Lists)
    }

    /// How much each part of the vectors (aisfx, musicnn, DSP figures, category, tempo)
    /// weighs in `aspect`'s score of `probe`, as the score below weighs them; `None` for an
    /// aspect the vectors do not carry (pitch: every sound is scored, cheaply).
    fn part_weights(probe: &Probe, aspect: Aspect) -> Option<[f32; lists::PARTS]> {
        let has = |v: &[f32], d: usize| v.len() == d;
        let sound = if has(&probe.vectors.aisfx, aisfx::DIM) {
            [SOUND_AISFX, 0.0, SOUND_DSP, 0.0, 0.0]
        } else {
            [0.0, 0.0, 1.0, 0.0, 0.0]
        };
        let timbre = if kind_of(&probe.analysis).is_some() {
            [
                (1.0 - KIND_WEIGHT) * sound[0],
                0.0,
                (1.0 - KIND_WEIGHT) * sound[2],
                KIND_WEIGHT,
                0.0,
            ]
        } else {
            sound
        };
        // The groove's share, then the tempo's: the circle's cosine stands in for it.
        let mut rhythm = if has(&probe.vectors.musicnn, musicnn::DIM) {
            [0.0, RHYTHM_GROOVE, 0.0, 0.0, 0.0]
        } else {
            [0.0, 0.0, RHYTHM_GROOVE, 0.0, 0.0]
        };
        rhythm[4] = RHYTHM_TEMPO;
        let blend = |a: f32, b: f32| -> [f32; lists::PARTS] {
            std::array::from_fn(|p| a * timbre[p] + b * rhythm[p])
        };
        match aspect {
            Aspect::Pitch => None,
            Aspect::Timbre => Some(timbre),
            Aspect::Rhythm => Some(rhythm),
            Aspect::Overall if probe.analysis.is_loop => {
                Some(blend(LOOP_OVERALL[0], LOOP_OVERALL[1]))
            }
            Aspect::Overall => Some(blend(ONE_SHOT_OVERALL[0], ONE_SHOT_OVERALL[1])),
        }
    }

    fn query_among(
        &self,
        probe: &Probe,
        aspect: Aspect,
        n: usize,
        exclude: Option<ContentHash>,
        one_shots: bool,
        scope: Scope<'_>,
    ) -> Vec<Neighbour> {
        let mut dsp_probe = probe.analysis.timbre.clone();
        if dsp_probe.len() == self.dsp_dim {
            self.standardise_row(&mut dsp_probe);
        } else {
            dsp_probe = vec![0.0; self.dsp_dim];
        }
        let pa = (probe.vectors.aisfx.len() == aisfx::DIM).then_some(&probe.vectors.aisfx);
        let pm = (probe.vectors.musicnn.len() == musicnn::DIM).then_some(&probe.vectors.musicnn);
        let p_kind = kind_of(&probe.analysis);
        let p_midi = midi_of(&probe.analysis);
        let p_rate = onset_rate(&probe.analysis);
        let score = |i: usize| -> f32 {
            let e = &self.entries[i];
            let a_row = &self.aisfx[i * aisfx::DIM..][..aisfx::DIM];
            let m_row = &self.musicnn[i * musicnn::DIM..][..musicnn::DIM];
            let dsp = dot(&dsp_probe, &self.dsp[i * self.dsp_dim..][..self.dsp_dim]);
            // A zero row (model did not run on it) scores 0 and falls back to the DSP figures.
            let sound = match pa {
                Some(p) if a_row.iter().any(|&x| x != 0.0) => {
                    SOUND_AISFX * dot(p, a_row) + SOUND_DSP * dsp
                }
                _ => dsp,
            };
            let k_row = &self.kinds[i * KINDS..][..KINDS];
            let timbre = match &p_kind {
                Some(p) if k_row.iter().any(|&x| x != 0.0) => {
                    (1.0 - KIND_WEIGHT) * sound + KIND_WEIGHT * dot(p, k_row)
                }
                _ => sound,
            };
            let rhythm = || {
                let groove = match pm {
                    Some(p) if m_row.iter().any(|&x| x != 0.0) => dot(p, m_row),
                    _ => dsp,
                };
                let tempo = match (probe.analysis.bpm, e.bpm) {
                    (Some(a), Some(b)) => {
                        // ×2 and ÷2 are the same groove for a producer.
                        let r = (a / b).log2();
                        1.0 - (r - r.round()).abs().min(0.5) * 2.0
                    }
                    _ => 0.5,
                };
                let density = 1.0 - ((p_rate + 1.0) / (e.onset_rate + 1.0)).ln().abs().min(1.0);
                RHYTHM_GROOVE * groove + RHYTHM_TEMPO * tempo + RHYTHM_DENSITY * density
            };
            let pitch = || match (p_midi, e.midi) {
                (Some(a), Some(b)) => {
                    let d = (a - b).abs();
                    let class = (d % 12.0).min(12.0 - d % 12.0);
                    1.0 - (class / 6.0) - 0.02 * (d / 12.0).floor()
                }
                _ if !probe.analysis.chroma.is_empty() && e.chroma.len() == 12 => {
                    let c = &probe.analysis.chroma;
                    let num = dot(c, &e.chroma);
                    let den = (dot(c, c) * dot(&e.chroma, &e.chroma)).sqrt();
                    if den > 0.0 {
                        num / den
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
            let kind = if e.is_loop == probe.analysis.is_loop {
                0.0
            } else {
                -0.1
            };
            kind + match aspect {
                Aspect::Timbre => timbre,
                Aspect::Rhythm => rhythm(),
                Aspect::Pitch => pitch(),
                Aspect::Overall => {
                    let [t, r, p] = if probe.analysis.is_loop {
                        LOOP_OVERALL
                    } else {
                        ONE_SHOT_OVERALL
                    };
                    t * timbre + r * rhythm() + p * pitch()
                }
            }
        };
        let pool = match (&self.lists, Self::part_weights(probe, aspect), scope) {
            (_, _, Scope::Rows(rows)) => Some(Pool::Rows(rows)),
            (Some(lists), Some(weights), Scope::Lists) => {
                let empty: &[f32] = &[];
                let p_tempo = tempo_point(probe.analysis.bpm);
                let parts = [
                    pa.map_or(empty, Vec::as_slice),
                    pm.map_or(empty, Vec::as_slice),
                    dsp_probe.as_slice(),
                    p_kind.as_deref().unwrap_or(empty),
                    p_tempo.as_slice(),
                ];
                // The budget is for ten neighbours: asking for more opens more lists.
                let at_least = self.candidates.saturating_mul(n.max(10)) / 10;
                Some(Pool::Ranges(lists.candidates(parts, weights, at_least)))
            }
            _ => None,
        };
        let wanted = |&i: &usize| {
            Some(self.entries[i].hash) != exclude && (!one_shots || !self.entries[i].is_loop)
        };
        let mut scored: Vec<(usize, f32)> = match pool {
            // Each list's rows side by side: read front to back.
            Some(Pool::Ranges(ranges)) => ranges
                .into_par_iter()
                .flat_map_iter(|r| r.start as usize..r.end as usize)
                .filter(wanted)
                .map(|i| (i, score(i)))
                .collect(),
            Some(Pool::Rows(rows)) => rows
                .par_iter()
                .map(|&i| i as usize)
                .filter(|&i| i < self.entries.len())
                .filter(wanted)
                .map(|i| (i, score(i)))
                .collect(),
            None => (0..self.entries.len())
                .into_par_iter()
                .with_min_len(4096)
                .filter(wanted)
                .map(|i| (i, score(i)))
                .collect(),
        };
        let n = n.min(scored.len());
        if n == 0 {
            return Vec::new();
        }
        scored.select_nth_unstable_by(n - 1, |a, b| b.1.total_cmp(&a.1));
        scored.truncate(n);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored
            .into_iter()
            .map(|(i, s)| {
                let e = &self.entries[i];
                Neighbour {
                    hash: e.hash,
                    path: e.path.clone(),
                    score: s,
                    category: e.category.clone(),
                }
            })
            .collect()
    }
}

/// `n` sounds in families of like sounds (a sample pack's kicks, one synth's patches), each
/// family's embeddings scattered around a centre of its own, and `probes` new sounds of
/// random families: the library the lists are measured on. Random vectors with no families
/// would be no library's (every sound equally far from every other).
#[cfg(any(test, feature = "synthetic"))]
pub fn clustered_library(n: usize, probes: usize) -> (Vec<Item>, Vec<Probe>) {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    // Uniform in -0.5..0.5.
    let mut uniform = move || (rnd() >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
    // Families come in kinds (a kind's families share much: every pack's kicks), so that a
    // sound's nearest neighbours spill over from its own family into its kin's.
    let families = (n / 200).max(4);
    let kinds = (families / 10).max(2);
    let unit = |v: &mut Vec<f32>| samplemind_ml::normalise(v);
    let around = |c: &[f32], by: f32, u: &mut dyn FnMut() -> f32| -> Vec<f32> {
        let mut v: Vec<f32> = c.iter().map(|x| x + by * u()).collect();
        samplemind_ml::normalise(&mut v);
        v
    };
    let kin: Vec<(Vec<f32>, Vec<f32>)> = (0..kinds)
        .map(|_| {
            let mut a: Vec<f32> = (0..aisfx::DIM).map(|_| uniform()).collect();
            let mut m: Vec<f32> = (0..musicnn::DIM).map(|_| uniform()).collect();
            unit(&mut a);
            unit(&mut m);
            (a, m)
        })
        .collect();
    // Each family's aisfx and musicnn centres, DSP figures and spread.
    let centres: Vec<_> = (0..families)
        .map(|f| {
            let (ka, km) = &kin[f % kinds];
            // A family's centre is about as near its kind's as to a stranger's.
            let a = around(ka, 0.09, &mut uniform);
            let m = around(km, 0.15, &mut uniform);
            let t: Vec<f32> = (0..40).map(|_| uniform() * 4.0).collect();
            // Some families are tight (one drum machine), some loose (a mixed pack).
            let spread = 0.6 + uniform().abs() * 2.0;
            (a, m, t, spread)
        })
        .collect();
    let mut make = |i: usize, family: usize| {
        let (ca, cm, ct, spread) = &centres[family];
        // Per component, so that a member's cosine to its centre is about 0.5-0.9.
        let noise = |c: &[f32], dim: usize, u: &mut dyn FnMut() -> f32| {
            let sd = spread * 0.07 * (512.0 / dim as f32).sqrt();
            let mut v: Vec<f32> = c.iter().map(|x| x + sd * 2.0 * u()).collect();
            samplemind_ml::normalise(&mut v);
            v
        };
        let mut a = Analysis {
            timbre: ct.iter().map(|x| x + uniform()).collect(),
            is_loop: family.is_multiple_of(3),
            onset_count: (i % 17) as u32,
            duration_s: 1.0 + (i % 7) as f64,
            ..Analysis::default()
        };
        if a.is_loop {
            a.bpm = Some(80.0 + (family % 80) as f32);
        } else {
            a.f0_hz = Some(55.0 * 2f32.powf((i % 36) as f32 / 12.0));
        }
        let vectors = SoundVectors {
            aisfx: noise(ca, aisfx::DIM, &mut uniform),
            musicnn: noise(cm, musicnn::DIM, &mut uniform),
            text: Vec::new(),
        };
        (a, vectors)
    };
    let items = (0..n)
        .map(|i| {
            let (a, v) = make(i, i % families);
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&(i as u64).to_le_bytes());
            (ContentHash(h), format!("synthetic/{i}.wav").into(), a, v)
        })
        .collect();
    let probes = (0..probes)
        .map(|j| {
            let family = (j * 7919) % families;
            let (analysis, vectors) = make(n + j, family);
            Probe { analysis, vectors }
        })
        .collect();
    (items, probes)
}

/// Why a query could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SimilarError {
    /// Neither a readable file nor a stored sample's hash.
    #[error("{0}: no such file, and no stored sample has this hash")]
    NotFound(String),
    /// A hash prefix that fits more than one sample.
    #[error("{0}: more than one stored sample starts with this hash; give more digits")]
    Ambiguous(String),
    /// The file could not be analysed.
    #[error(transparent)]
    Analyse(#[from] samplemind_analysis::AnalyseError),
    /// The library could not be read.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// The probe for `query`: a stored sample (by path or by hash prefix of at least 8 hex
/// digits), or any audio file, analysed now with `opts` (a recording, a file from elsewhere).
/// Also returns the stored sample's hash, to leave it out of its own results.
///
/// # Errors
/// [`SimilarError`] naming the query and the reason.
pub fn probe_for(
    lib: &Library,
    query: &str,
    opts: &samplemind_analysis::AnalysisOptions,
) -> Result<(Probe, Option<ContentHash>), SimilarError> {
    let stored = |hash: ContentHash| -> Result<Option<(Probe, Option<ContentHash>)>, SimilarError> {
        Ok(lib.sample(&hash)?.map(|s| {
            let vectors = lib.vectors(&hash).ok().flatten().unwrap_or_default();
            (
                Probe {
                    analysis: s.analysis,
                    vectors,
                },
                Some(hash),
            )
        }))
    };
    let path = std::path::Path::new(query);
    if path.is_file() {
        // Same content as a stored sample: use what is stored (and its vectors).
        if let Ok(hash) = crate::hash_file(path) {
            // Stored without embeddings (scanned with the models off) while the models are on
            // now: analyse it again to get them.
            let usable = stored(hash)?.filter(|(p, _)| {
                opts.models.is_none()
                    || !p.vectors.aisfx.is_empty()
                    || !p.vectors.musicnn.is_empty()
            });
            if let Some(found) = usable {
                return Ok(found);
            }
        }
        let done = samplemind_analysis::analyse_file(path, opts)?;
        let probe = Probe {
            analysis: done.analysis,
            vectors: done.vectors.unwrap_or_default(),
        };
        return Ok((probe, None));
    }
    let hex = query.to_ascii_lowercase();
    // A whole hash (what the app and the API send) is a key: read it, rather than every
    // record as a prefix needs (130 ms at 20,000 records, 1 s at 100,000).
    if let Some(hash) = ContentHash::from_hex(&hex) {
        return stored(hash)?.ok_or_else(|| SimilarError::NotFound(query.to_string()));
    }
    match crate::browse::hashes_with_prefix(lib, &hex).as_slice() {
        [] => {}
        [one] => {
            if let Some(p) = stored(*one)? {
                return Ok(p);
            }
        }
        _ => return Err(SimilarError::Ambiguous(query.to_string())),
    }
    Err(SimilarError::NotFound(query.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made from the store as it is read, the index answers as one made from the same
    /// sounds held in memory; a sound stored under two paths is one sound.
    #[test]
    fn an_index_read_from_the_store_answers_as_one_made_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let (items, probes) = clustered_library(300, 5);
        for (hash, path, a, v) in &items {
            let rec = crate::SampleRecord {
                hash: *hash,
                path: dir.path().join(path),
                analysis: a.clone(),
                ..crate::SampleRecord::default()
            };
            lib.put_analysed(&rec).unwrap();
            lib.put_vectors(hash, v).unwrap();
        }
        let copy = crate::SampleRecord {
            hash: items[0].0,
            path: dir.path().join("copy of 0.wav"),
            analysis: items[0].2.clone(),
            ..crate::SampleRecord::default()
        };
        lib.put_analysed(&copy).unwrap();
        let (stored, problems) = SimilarIndex::build(&lib);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(stored.len(), 300);
        let held = SimilarIndex::from_items(items);
        // The DSP figures' mean and spread are summed in the store's order: the last bit
        // of a score may differ.
        let answer = |idx: &SimilarIndex, p: &Probe, aspect: Aspect| -> Vec<(ContentHash, f32)> {
            let mut got: Vec<_> = idx
                .query_exact(p, aspect, 10, None)
                .into_iter()
                .map(|nb| (nb.hash, nb.score))
                .collect();
            got.sort_unstable_by_key(|g| g.0);
            got
        };
        // (Pitch is left out: many sounds tie on a note, and which of them make the ten
        // depends on the order.)
        for p in &probes {
            for aspect in [Aspect::Timbre, Aspect::Rhythm, Aspect::Overall] {
                let (a, b) = (answer(&stored, p, aspect), answer(&held, p, aspect));
                assert_eq!(a.len(), b.len());
                for (x, y) in a.iter().zip(&b) {
                    assert_eq!(x.0, y.0, "{aspect:?}");
                    assert!((x.1 - y.1).abs() < 1e-5, "{aspect:?}: {x:?} {y:?}");
                }
            }
        }
    }

    #[test]
    fn the_swaps_lay_every_row_out_where_the_order_puts_it() {
        for n in [0usize, 1, 2, 7, 100] {
            let mut s = 0x1234_5678u64 + n as u64;
            let mut order: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                order.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let mut rows: Vec<u32> = (0..n as u32).collect();
            for (a, b) in swaps_for(&order) {
                assert!(a < b);
                rows.swap(a, b);
            }
            assert_eq!(rows, order, "n {n}");
        }
    }

    #[test]
    fn dot_matches_the_plain_sum_for_every_tail_length() {
        for n in [0, 1, 7, 8, 9, 200, 512] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - plain).abs() < 1e-4);
        }
    }

    #[test]
    fn nearest_by_timbre_follows_the_embedding_and_excludes_the_query() {
        let unit = |k: usize| {
            let mut v = vec![0f32; aisfx::DIM];
            v[k] = 1.0;
            v
        };
        let item = |b: u8, k: usize| {
            (
                ContentHash([b; 32]),
                PathBuf::from(format!("{b}.wav")),
                Analysis::default(),
                SoundVectors {
                    aisfx: unit(k),
                    musicnn: Vec::new(),
                    text: Vec::new(),
                },
            )
        };
        let idx = SimilarIndex::from_items(vec![item(1, 0), item(2, 0), item(3, 5)]);
        let probe = Probe {
            analysis: Analysis::default(),
            vectors: SoundVectors {
                aisfx: unit(0),
                musicnn: Vec::new(),
                text: Vec::new(),
            },
        };
        let hits = idx.query(&probe, Aspect::Timbre, 2, Some(ContentHash([1; 32])));
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].hash, ContentHash([2; 32]));
        assert!(hits[0].score > hits[1].score);
    }

    #[test]
    fn of_two_equally_near_sounds_the_same_kind_comes_first() {
        let kind = |c: usize| {
            let mut p = vec![0.02f32; KINDS];
            p[c] = 0.9;
            p
        };
        let item = |b: u8, k: Vec<f32>| {
            let a = Analysis {
                category_probabilities: k,
                ..Analysis::default()
            };
            let mut v = vec![0f32; aisfx::DIM];
            v[0] = 0.6;
            v[b as usize] = 0.8;
            (
                ContentHash([b; 32]),
                PathBuf::from(format!("{b}.wav")),
                a,
                SoundVectors {
                    aisfx: v,
                    ..SoundVectors::default()
                },
            )
        };
        // Both share the probe's aisfx direction equally; only the second is a kick too.
        let idx = SimilarIndex::from_items(vec![item(1, kind(3)), item(2, kind(9))]);
        let probe_analysis = Analysis {
            category_probabilities: kind(9),
            ..Analysis::default()
        };
        let mut probe_vec = vec![0f32; aisfx::DIM];
        probe_vec[0] = 1.0;
        let probe = Probe {
            analysis: probe_analysis,
            vectors: SoundVectors {
                aisfx: probe_vec,
                ..SoundVectors::default()
            },
        };
        let hits = idx.query(&probe, Aspect::Timbre, 2, None);
        assert_eq!(hits[0].hash, ContentHash([2; 32]), "{hits:?}");
        assert!(hits[0].score > hits[1].score + 0.1);
    }

    /// Cut into lists, the index finds what the full scan finds: recall@10 ≥ 0.95 for
    /// timbre and overall (rhythm: see below), each neighbour with the scan's own score,
    /// while opening a tenth of the library.
    #[test]
    fn the_lists_find_the_neighbours_the_full_scan_finds() {
        let (items, probes) = clustered_library(4_000, 40);
        let plain = SimilarIndex::from_items(items.clone());
        let index = SimilarIndex::from_items(items).with_lists(25, 400);
        assert!(index.lists() > 120, "{} lists", index.lists());
        // Laid out list by list, the rows keep their vectors: the full scan answers as it
        // did before.
        let answer = |idx: &SimilarIndex, p: &Probe, aspect: Aspect| {
            let mut got: Vec<(ContentHash, u32)> = idx
                .query_exact(p, aspect, 10, None)
                .into_iter()
                .map(|nb| (nb.hash, nb.score.to_bits()))
                .collect();
            got.sort_unstable();
            got
        };
        for p in probes.iter().take(5) {
            for aspect in [Aspect::Timbre, Aspect::Rhythm, Aspect::Overall] {
                assert_eq!(answer(&index, p, aspect), answer(&plain, p, aspect));
            }
        }
        for aspect in [
            Aspect::Timbre,
            Aspect::Rhythm,
            Aspect::Overall,
            Aspect::Pitch,
        ] {
            let (mut found, mut wanted) = (0, 0);
            for p in &probes {
                let exact = index.query_exact(p, aspect, 10, None);
                let fast = index.query(p, aspect, 10, None);
                for nb in &fast {
                    let same = exact.iter().find(|e| e.hash == nb.hash);
                    if let Some(e) = same {
                        assert_eq!(e.score, nb.score, "{aspect:?}: a neighbour's score");
                    }
                }
                wanted += exact.len();
                found += fast
                    .iter()
                    .filter(|nb| exact.iter().any(|e| e.hash == nb.hash))
                    .count();
            }
            let recall = found as f64 / wanted as f64;
            eprintln!("{aspect:?}: recall@10 {recall:.3}");
            // Rhythm misses the target (BENCHMARKS.md): its tempo and onset-density terms,
            // 40 % of its score, are not in the vectors the lists are cut by. Its floor here
            // catches a broken cut; the others must meet the target.
            let floor = if aspect == Aspect::Rhythm { 0.85 } else { 0.95 };
            assert!(recall >= floor, "{aspect:?}: recall@10 {recall:.3}");
        }
    }
}
