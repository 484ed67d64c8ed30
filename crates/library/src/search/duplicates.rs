//! Duplicates (issue 25): the same content at several paths (a pack copied twice, a kit
//! bundled in two libraries). "Keep one, hide the rest" hides the other paths from every
//! search, a flag in the library: no file is deleted or moved, and "show all" undoes it.
//!
//! Near-duplicates: the same sound re-encoded or trimmed at another content hash. Two sounds
//! are compared when both are loops or both one-shots and their lengths are within a trim of
//! each other; the score is the cosine of their embeddings (aisfx for one-shots, musicnn for
//! loops), so near-duplicates need the local models. [`NEAR_THRESHOLD`] was chosen by
//! measuring (`tools/near_duplicates.py`, BENCHMARKS.md): re-encodes, trims and gain changes
//! of real drum kits against the other velocity layers and takes of the same drum. Left out
//! kit by kit, it finds 73 % of the copies and half of what it lists is a copy (F1 0.62): the
//! embedding hears takes of one drum as nearly the same sound, so near pairs are listed for
//! the producer to judge, never hidden by themselves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalogue;
use crate::browse::{parse_id, BrowseError};
use crate::{ContentHash, Library};

/// One content found at several paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateGroup {
    /// The content hash, hex: the sample's id.
    pub id: String,
    /// Its paths, in path order.
    pub paths: Vec<DuplicatePath>,
}

/// One path of a duplicated content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePath {
    /// The file (shown lossily when it is not UTF-8).
    pub path: String,
    /// Hidden from searches.
    pub hidden: bool,
}

/// The score at and above which two sounds are the same sound (see the module).
pub const NEAR_THRESHOLD: f32 = 0.985;

/// Lengths of a sound and its trimmed copy differ by at most this ratio.
const LENGTH_RATIO: f64 = 1.5;

/// The most neighbours by length each sound is compared with (a bound on the work in a large
/// library whose sounds share a length).
const WINDOW: usize = 4000;

/// Two different contents that sound the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearPair {
    /// One sample's id.
    pub a: String,
    /// The other's.
    pub b: String,
    /// A path of the first.
    pub a_path: String,
    /// A path of the second.
    pub b_path: String,
    /// Cosine of their embeddings, -1..1.
    pub score: f32,
}

/// Every pair of different contents whose score is at least `floor` (see the module), best
/// first. Without embeddings (the models never ran) there is nothing to compare: empty.
pub fn near_pairs(lib: &Library, floor: f32) -> Vec<NearPair> {
    let (cat, _) = catalogue::of(lib);
    let mut first: HashMap<ContentHash, &catalogue::Row> = HashMap::new();
    for r in cat.rows.iter().filter(|r| !r.hidden) {
        first.entry(r.hash).or_insert(r);
    }
    // (is_loop, length, unit vector, hash), one per content with an embedding.
    let mut items: Vec<(bool, f64, Vec<f32>, ContentHash)> = Vec::new();
    for (hash, v) in lib.all_vectors().flatten() {
        let Some(row) = first.get(&hash) else {
            continue;
        };
        let v = if row.is_loop { v.musicnn } else { v.aisfx };
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 && row.duration_s > 0.0 {
            items.push((
                row.is_loop,
                row.duration_s,
                v.iter().map(|x| x / norm).collect(),
                hash,
            ));
        }
    }
    items.sort_by(|a, b| {
        (a.0, a.1)
            .partial_cmp(&(b.0, b.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out = Vec::new();
    for i in 0..items.len() {
        let (loop_a, len_a, va, ha) = &items[i];
        for (loop_b, len_b, vb, hb) in items.iter().skip(i + 1).take(WINDOW) {
            if loop_a != loop_b || len_b / len_a > LENGTH_RATIO {
                break;
            }
            let score: f32 = va.iter().zip(vb).map(|(x, y)| x * y).sum();
            if score >= floor {
                out.push(NearPair {
                    a: ha.to_hex(),
                    b: hb.to_hex(),
                    a_path: first
                        .get(ha)
                        .map(|r| r.path.display().to_string())
                        .unwrap_or_default(),
                    b_path: first
                        .get(hb)
                        .map(|r| r.path.display().to_string())
                        .unwrap_or_default(),
                    score,
                });
            }
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Every content analysed at two or more present paths, the most copies first.
pub fn exact(lib: &Library) -> Vec<DuplicateGroup> {
    let (cat, _) = catalogue::of(lib);
    let mut by_hash: HashMap<ContentHash, Vec<(&Path, bool)>> = HashMap::new();
    for r in &cat.rows {
        by_hash
            .entry(r.hash)
            .or_default()
            .push((r.path.as_path(), r.hidden));
    }
    let mut groups: Vec<DuplicateGroup> = by_hash
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|(hash, paths)| DuplicateGroup {
            id: hash.to_hex(),
            paths: paths
                .into_iter()
                .map(|(p, hidden)| DuplicatePath {
                    path: p.display().to_string(),
                    hidden,
                })
                .collect(),
        })
        .collect();
    groups.sort_by(|a, b| {
        b.paths
            .len()
            .cmp(&a.paths.len())
            .then_with(|| a.paths[0].path.cmp(&b.paths[0].path))
    });
    groups
}

/// Keep `keep` (one of sample `id`'s paths; the first in path order when `None`) and hide
/// the rest; the group as it now is.
///
/// # Errors
/// [`BrowseError::BadId`]; [`BrowseError::NotFound`] when `id` is not a duplicated content or
/// `keep` is not one of its paths (nothing is hidden then); store errors.
pub fn keep_one(
    lib: &Library,
    id: &str,
    keep: Option<&Path>,
) -> Result<DuplicateGroup, BrowseError> {
    let paths = paths_of(lib, id)?;
    let keep: PathBuf = match keep {
        Some(k) if paths.iter().any(|p| p == k) => k.to_path_buf(),
        Some(k) => {
            return Err(BrowseError::NotFound(format!(
                "{} (not a path of {id})",
                k.display()
            )))
        }
        None => paths[0].clone(),
    };
    for p in &paths {
        let hide = *p != keep;
        if lib.is_hidden(p) != hide {
            lib.set_hidden(p, hide)?;
        }
    }
    group(lib, id)
}

/// What every face's "keep this one" asks: keep path `keep` and hide the others, or with
/// `None` show them all again.
///
/// # Errors
/// As [`keep_one`].
pub fn keep(lib: &Library, id: &str, keep: Option<&Path>) -> Result<DuplicateGroup, BrowseError> {
    match keep {
        Some(k) => keep_one(lib, id, Some(k)),
        None => show_all(lib, id),
    }
}

/// Show every path of sample `id` again.
///
/// # Errors
/// As [`keep_one`].
pub fn show_all(lib: &Library, id: &str) -> Result<DuplicateGroup, BrowseError> {
    for p in paths_of(lib, id)? {
        if lib.is_hidden(&p) {
            lib.set_hidden(&p, false)?;
        }
    }
    group(lib, id)
}

/// The present paths of sample `id` in path order, when it has two or more.
fn paths_of(lib: &Library, id: &str) -> Result<Vec<PathBuf>, BrowseError> {
    let hash = parse_id(id)?;
    let (cat, _) = catalogue::of(lib);
    let paths: Vec<PathBuf> = cat
        .rows
        .iter()
        .filter(|r| r.hash == hash)
        .map(|r| r.path.clone())
        .collect();
    if paths.len() < 2 {
        return Err(BrowseError::NotFound(format!("{id} (not at two paths)")));
    }
    Ok(paths)
}

fn group(lib: &Library, id: &str) -> Result<DuplicateGroup, BrowseError> {
    let hash = parse_id(id)?;
    exact(lib)
        .into_iter()
        .find(|g| g.id == hash.to_hex())
        .ok_or_else(|| BrowseError::NotFound(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{search, Query};
    use crate::{PathEntry, PathStatus, SampleRecord};

    /// Near pairs: the same kind (loop or one-shot), lengths within a trim, embeddings close.
    #[test]
    fn near_pairs_compare_like_with_like_and_need_embeddings() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let put = |i: u8, dur: f64, is_loop: bool, v: Vec<f32>| {
            let mut rec = SampleRecord {
                hash: ContentHash([i; 32]),
                path: dir.path().join(format!("{i}.wav")),
                ..SampleRecord::default()
            };
            rec.analysis.duration_s = dur;
            rec.analysis.is_loop = is_loop;
            lib.put_analysed(&rec).unwrap();
            if !v.is_empty() {
                let mut vectors = samplemind_ml::SoundVectors::default();
                if is_loop {
                    vectors.musicnn = v;
                } else {
                    vectors.aisfx = v;
                }
                lib.put_vectors(&rec.hash, &vectors).unwrap();
            }
        };
        put(1, 0.50, false, vec![1.0, 0.0, 0.01]);
        put(2, 0.45, false, vec![1.0, 0.0, 0.02]); // a trimmed copy
        put(3, 2.00, false, vec![1.0, 0.0, 0.01]); // same embedding, four times as long
        put(4, 0.50, true, vec![1.0, 0.0, 0.01]); // a loop: not compared with one-shots
        put(5, 0.50, false, vec![0.0, 1.0, 0.0]); // another sound
        put(6, 0.50, false, vec![]); // no embedding
        let pairs = near_pairs(&lib, NEAR_THRESHOLD);
        let ids: Vec<(String, String)> = pairs.iter().map(|p| (p.a.clone(), p.b.clone())).collect();
        let (one, two) = (ContentHash([1; 32]).to_hex(), ContentHash([2; 32]).to_hex());
        assert_eq!(ids.len(), 1, "{pairs:?}");
        assert!(ids[0] == (one.clone(), two.clone()) || ids[0] == (two, one));
        assert!(pairs[0].score > 0.99);
    }

    #[test]
    fn keep_one_hides_the_other_copies_from_search_and_show_all_brings_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let rec = SampleRecord {
            hash: ContentHash([3; 32]),
            path: dir.path().join("a/kick.wav"),
            ..SampleRecord::default()
        };
        lib.put_analysed(&rec).unwrap();
        lib.put_analysed(&SampleRecord {
            hash: ContentHash([4; 32]),
            path: dir.path().join("a/snare.wav"),
            ..SampleRecord::default()
        })
        .unwrap();
        for copy in ["b/kick.wav", "c/kick copy.wav"] {
            lib.put_path(
                &dir.path().join(copy),
                &PathEntry {
                    hash: rec.hash,
                    size: 1,
                    mtime_ns: 0,
                    status: PathStatus::Analysed,
                },
            )
            .unwrap();
        }
        let count = |q: &Query| search(&lib, q).unwrap().0.len();
        assert_eq!(count(&Query::default()), 4);
        let groups = exact(&lib);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].paths.len(), 3);
        let id = rec.hash.to_hex();
        let keep = dir.path().join("b/kick.wav");
        let g = keep_one(&lib, &id, Some(&keep)).unwrap();
        assert_eq!(g.paths.iter().filter(|p| p.hidden).count(), 2);
        assert_eq!(count(&Query::default()), 2, "one kick and the snare");
        let all = Query {
            include_hidden: true,
            ..Query::default()
        };
        assert_eq!(count(&all), 4);
        assert!(keep_one(&lib, &id, Some(&dir.path().join("x.wav"))).is_err());
        assert!(keep_one(&lib, &ContentHash([4; 32]).to_hex(), None).is_err());
        // The journal has it: a lost store gives the hidden paths back.
        assert!(crate::keep::read(dir.path()).unwrap().hidden[&dir.path().join("a/kick.wav")]);
        show_all(&lib, &id).unwrap();
        assert_eq!(count(&Query::default()), 4);
    }
}
