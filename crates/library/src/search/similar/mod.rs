//! "More like this": nearest neighbours over the stored embeddings, by aspect.
//!
//! [`SimilarIndex::build`] loads every sample's vectors once into flat, contiguous arrays
//! (the app and the API keep the index; the CLI builds it per call), and
//! [`SimilarIndex::query`] scores every entry by brute force. An exhaustive scan of 100,000
//! 512-d vectors is a few milliseconds on one core, exact, and needs no index to maintain as
//! the library changes, which an approximate index (HNSW) would trade for recall.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{ContentHash, Library, LibraryError};
use samplemind_analysis::Analysis;
use samplemind_ml::{aisfx, musicnn, SoundVectors};

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

/// Every sample's vectors, flat, for exhaustive scoring.
pub struct SimilarIndex {
    entries: Vec<Entry>,
    aisfx: Vec<f32>,
    musicnn: Vec<f32>,
    dsp: Vec<f32>,
    /// The category distributions, unit length (zeros where no classifier ran).
    kinds: Vec<f32>,
    dsp_dim: usize,
    dsp_mean: Vec<f32>,
    dsp_scale: Vec<f32>,
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

/// `a`'s category distribution, unit length, when a classifier gave one.
fn kind_of(a: &Analysis) -> Option<Vec<f32>> {
    if a.category_probabilities.len() != KINDS {
        return None;
    }
    let mut k = a.category_probabilities.clone();
    samplemind_ml::normalise(&mut k);
    Some(k)
}

fn midi_of(a: &Analysis) -> Option<f32> {
    a.f0_hz.map(|hz| 69.0 + 12.0 * (hz / 440.0).log2())
}

fn onset_rate(a: &Analysis) -> f32 {
    a.onset_count as f32 / (a.duration_s.max(0.1) as f32)
}

impl SimilarIndex {
    /// An index over `items` (hash, path, analysis, vectors).
    pub fn from_items(items: Vec<(ContentHash, PathBuf, Analysis, SoundVectors)>) -> Self {
        let dsp_dim = items.iter().map(|i| i.2.timbre.len()).max().unwrap_or(0);
        let n = items.len();
        let mut idx = SimilarIndex {
            entries: Vec::with_capacity(n),
            aisfx: vec![0.0; n * aisfx::DIM],
            musicnn: vec![0.0; n * musicnn::DIM],
            dsp: vec![0.0; n * dsp_dim],
            kinds: vec![0.0; n * KINDS],
            dsp_dim,
            dsp_mean: vec![0.0; dsp_dim],
            dsp_scale: vec![1.0; dsp_dim],
        };
        for (i, (hash, path, a, v)) in items.into_iter().enumerate() {
            if v.aisfx.len() == aisfx::DIM {
                idx.aisfx[i * aisfx::DIM..][..aisfx::DIM].copy_from_slice(&v.aisfx);
            }
            if v.musicnn.len() == musicnn::DIM {
                idx.musicnn[i * musicnn::DIM..][..musicnn::DIM].copy_from_slice(&v.musicnn);
            }
            if a.timbre.len() == dsp_dim {
                idx.dsp[i * dsp_dim..][..dsp_dim].copy_from_slice(&a.timbre);
            }
            if let Some(k) = kind_of(&a) {
                idx.kinds[i * KINDS..][..KINDS].copy_from_slice(&k);
            }
            idx.entries.push(Entry {
                hash,
                path,
                category: a.category.clone(),
                is_loop: a.is_loop,
                midi: midi_of(&a),
                chroma: a.chroma.clone(),
                bpm: a.bpm,
                onset_rate: onset_rate(&a),
            });
        }
        idx.standardise_dsp();
        idx
    }

    /// Build the index from everything `lib` holds; records that do not decode are skipped
    /// and returned.
    pub fn build(lib: &Library) -> (Self, Vec<LibraryError>) {
        let (entries, mut problems) = lib.entries();
        let mut seen = std::collections::HashSet::new();
        let mut items = Vec::new();
        for e in entries {
            let Some(s) = e.sample else { continue };
            if !seen.insert(s.hash) {
                continue;
            }
            let v = match lib.vectors(&s.hash) {
                Ok(v) => v.unwrap_or_default(),
                Err(err) => {
                    problems.push(err);
                    SoundVectors::default()
                }
            };
            items.push((s.hash, e.path, s.analysis, v));
        }
        (Self::from_items(items), problems)
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
        self.query_among(probe, aspect, n, exclude, false)
    }

    /// As [`Self::query`], among one-shots only (what a sound made with the voice or a
    /// beatbox is looking for).
    pub fn query_one_shots(&self, probe: &Probe, aspect: Aspect, n: usize) -> Vec<Neighbour> {
        self.query_among(probe, aspect, n, None, true)
    }

    fn query_among(
        &self,
        probe: &Probe,
        aspect: Aspect,
        n: usize,
        exclude: Option<ContentHash>,
        one_shots: bool,
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
                Some(p) if a_row.iter().any(|&x| x != 0.0) => 0.8 * dot(p, a_row) + 0.2 * dsp,
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
                0.6 * groove + 0.25 * tempo + 0.15 * density
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
                // A one-shot is mostly its sound; a loop is as much its groove.
                Aspect::Overall if probe.analysis.is_loop => {
                    0.4 * timbre + 0.45 * rhythm() + 0.15 * pitch()
                }
                Aspect::Overall => 0.8 * timbre + 0.1 * rhythm() + 0.1 * pitch(),
            }
        };
        let mut scored: Vec<(usize, f32)> = (0..self.entries.len())
            .into_par_iter()
            .with_min_len(4096)
            .filter(|&i| Some(self.entries[i].hash) != exclude)
            .filter(|&i| !one_shots || !self.entries[i].is_loop)
            .map(|i| (i, score(i)))
            .collect();
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
}
