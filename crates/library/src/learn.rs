//! What the library learns from the user's category corrections.
//!
//! A pack has a house sound the shipped classifier may not know: an FM pack whose synths it
//! calls keys, a kit whose percussion it calls claps. When the user sets the category of a
//! few of a pack's sounds, the pack's other sounds are read again with the classifier's class
//! biases shifted so that the corrected sounds come out right (20 numbers per pack, fitted to
//! the corrected sounds' calibrated distributions and pulled towards no shift). Simulated on
//! the training corpus with each source family held out of training and taken as the pack
//! (`tools/correction_sim.py`): correcting one of the model's mistakes per category takes
//! the rest of the pack from 72.6 % to 76.7 %, five from 76.2 % to 80.1 %. Nearest corrected
//! neighbours did worse on the soundfonts the model knows (BENCHMARKS.md).
//!
//! The result is stored in each record ([`SampleRecord::learned`]) so that every reader (the
//! table, search, the API, the CLI) sees the same category; the user's own corrections still
//! come first. A pack is the first folder under a scanned root (or the file's folder when no
//! root holds it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use samplemind_analysis::classify::{self, CATEGORIES};
use samplemind_analysis::{category_model, Analysis};
use serde::{Deserialize, Serialize};

use crate::{Library, LibraryError, SampleRecord};

/// The pull towards no shift: the best of 0.003 / 0.01 / 0.03 / 0.1 on every held-out family
/// when only the model's mistakes are corrected (`tools/correction_sim.py`).
const LAMBDA: f32 = 0.1;
/// Gradient steps and their size: the fit of 20 numbers converges well within these.
const STEPS: usize = 300;
const RATE: f32 = 0.5;

/// A category the library inferred from the user's corrections in the same pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LearnedCategory {
    /// The category, one of [`CATEGORIES`].
    pub category: String,
    /// Its probability after the pack's shift, 0..1.
    pub confidence: f32,
    /// Below the classifier's "unsure" threshold.
    pub unsure: bool,
    /// How many corrections of the pack it was learned from.
    pub from_corrections: u32,
}

impl Default for LearnedCategory {
    fn default() -> Self {
        Self {
            category: String::new(),
            confidence: 0.0,
            unsure: true,
            from_corrections: 0,
        }
    }
}

/// The pack `path` belongs to: the first folder below the root (of `roots`) that holds it, or
/// its own folder when no root holds it or it lies directly in the root.
pub fn pack_of(path: &Path, roots: &[PathBuf]) -> PathBuf {
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let Some(root) = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.components().count())
    else {
        return folder;
    };
    match path.strip_prefix(root).ok().and_then(|rest| {
        let mut c = rest.components();
        let first = c.next()?;
        // A file directly in the root: the root is its pack.
        c.next().map(|_| root.join(first))
    }) {
        Some(pack) => pack,
        None => root.clone(),
    }
}

/// The log of a stored category distribution, or `None` when it is not one.
fn log_distribution(a: &Analysis) -> Option<Vec<f32>> {
    let p = &a.category_probabilities;
    (p.len() == CATEGORIES.len() && p.iter().all(|v| v.is_finite()))
        .then(|| p.iter().map(|v| v.max(1e-9).ln()).collect())
}

/// Softmax of `logp + shift`.
fn shifted(logp: &[f32], shift: &[f32]) -> Vec<f32> {
    let z: Vec<f32> = logp.iter().zip(shift).map(|(l, d)| l + d).collect();
    let max = z.iter().copied().fold(f32::MIN, f32::max);
    let e: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// Class-bias offsets that make the corrected sounds' distributions (`examples`: log
/// distribution, corrected class) come out right: gradient descent on their log-loss with
/// an L2 pull of [`LAMBDA`] towards no shift.
pub fn fit_shift(examples: &[(Vec<f32>, usize)]) -> Vec<f32> {
    let k = CATEGORIES.len();
    let mut d = vec![0.0f32; k];
    if examples.is_empty() {
        return d;
    }
    let n = examples.len() as f32;
    let mut counts = vec![0.0f32; k];
    for (_, y) in examples {
        counts[*y] += 1.0;
    }
    for _ in 0..STEPS {
        let mut grad: Vec<f32> = counts.iter().map(|c| -c / n).collect();
        for (logp, _) in examples {
            for (g, p) in grad.iter_mut().zip(shifted(logp, &d)) {
                *g += p / n;
            }
        }
        for (di, g) in d.iter_mut().zip(&grad) {
            *di -= RATE * (g + LAMBDA * *di);
        }
    }
    d
}

/// The most probable class of `p` and its probability.
fn best(p: &[f32]) -> Option<(usize, f32)> {
    p.iter()
        .copied()
        .enumerate()
        .max_by(|x, y| x.1.total_cmp(&y.1))
}

/// What the shift makes of one record's distribution.
fn learned_from(logp: &[f32], shift: &[f32], a: &Analysis, n: u32) -> Option<LearnedCategory> {
    let (best, q) = best(&shifted(logp, shift))?;
    // The distribution is the models' when they ran on the sound, else the DSP classifier's.
    let threshold = if a.models_heard && a.model_error.is_none() {
        category_model::unsure_below()
    } else {
        classify::unsure_below()
    };
    Some(LearnedCategory {
        category: CATEGORIES[best].to_string(),
        confidence: q,
        unsure: q < threshold,
        from_corrections: n,
    })
}

/// Read the sounds of `pack` again with the shift its corrected sounds give, and store what
/// changed (a pack without corrections loses what it had learned). Returns how many records
/// were rewritten.
///
/// # Errors
/// The store's; records that cannot be read are skipped (`verify` reports them).
pub fn relearn_pack(lib: &Library, pack: &Path) -> Result<usize, LibraryError> {
    let mut records: HashMap<crate::ContentHash, SampleRecord> = HashMap::new();
    for (_, entry) in lib.paths_under(pack).into_iter().flatten() {
        if records.contains_key(&entry.hash) {
            continue;
        }
        if let Ok(Some(rec)) = lib.sample(&entry.hash) {
            records.insert(entry.hash, rec);
        }
    }
    let examples: Vec<(Vec<f32>, usize)> = records
        .values()
        .filter_map(|r| {
            let c = r.corrections.category.as_deref()?;
            let y = CATEGORIES.iter().position(|k| *k == c)?;
            Some((log_distribution(&r.analysis)?, y))
        })
        .collect();
    let n = examples.len() as u32;
    let shift = (n > 0).then(|| fit_shift(&examples));
    let mut written = 0;
    for mut rec in records.into_values() {
        let learned = match (&shift, rec.corrections.category.is_some()) {
            (Some(d), false) => log_distribution(&rec.analysis)
                .and_then(|logp| learned_from(&logp, d, &rec.analysis, n)),
            _ => None,
        };
        if rec.learned != learned {
            rec.learned = learned;
            lib.put_sample(&rec)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Whether any sample of `lib` has a category set by hand now. Read from the keep journal
/// (one line per correction, so cheap at any library size) rather than from every record;
/// `true` when the journal cannot be read, so that nothing learned goes stale. Without a
/// correction nothing is learned, and a scan need not read its packs again.
pub fn any_category_corrections(lib: &Library) -> bool {
    crate::keep::read(lib.dir()).map_or(true, |k| {
        k.corrections.values().any(|c| c.category.is_some())
    })
}

/// [`relearn_pack`] for every pack under `root` that holds a corrected sound or something
/// learned: after a scan, whose new analyses carry new distributions.
///
/// # Errors
/// The store's.
pub fn relearn_under(lib: &Library, root: &Path) -> Result<usize, LibraryError> {
    let roots = lib.roots();
    let mut packs = std::collections::BTreeSet::new();
    for (path, entry) in lib.paths_under(root).into_iter().flatten() {
        if let Ok(Some(rec)) = lib.sample(&entry.hash) {
            if rec.corrections.category.is_some() || rec.learned.is_some() {
                packs.insert(pack_of(&path, &roots));
            }
        }
    }
    let mut written = 0;
    for pack in packs {
        written += relearn_pack(lib, &pack)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(c: &str) -> usize {
        CATEGORIES.iter().position(|k| *k == c).unwrap()
    }

    /// A distribution that favours `c` with probability `p`, the rest spread evenly.
    fn favouring(c: &str, p: f32) -> Vec<f32> {
        let rest = (1.0 - p) / (CATEGORIES.len() - 1) as f32;
        let mut v = vec![rest; CATEGORIES.len()];
        v[at(c)] = p;
        v
    }

    #[test]
    fn a_pack_is_the_first_folder_under_its_root() {
        let roots = [PathBuf::from("/s"), PathBuf::from("/s/vendor")];
        assert_eq!(
            pack_of(Path::new("/s/vendor/FM Pack/Keys/a.wav"), &roots),
            Path::new("/s/vendor/FM Pack")
        );
        assert_eq!(
            pack_of(Path::new("/s/Kit/k.wav"), &roots),
            Path::new("/s/Kit")
        );
        assert_eq!(pack_of(Path::new("/s/k.wav"), &roots), Path::new("/s"));
        assert_eq!(pack_of(Path::new("/x/y/k.wav"), &roots), Path::new("/x/y"));
    }

    #[test]
    fn the_shift_turns_the_corrected_confusion_and_leaves_sure_calls_alone() {
        // The model calls this pack's synths keys at 0.5; the user corrects three of them.
        let synth_as_keys = || {
            let mut v = favouring("keys", 0.5);
            v[at("synth")] = 0.3;
            let s: f32 = v.iter().sum();
            v.iter().map(|x| (x / s).ln()).collect::<Vec<_>>()
        };
        let examples: Vec<_> = (0..3).map(|_| (synth_as_keys(), at("synth"))).collect();
        let d = fit_shift(&examples);
        let p = shifted(&synth_as_keys(), &d);
        assert_eq!(CATEGORIES[best(&p).unwrap().0], "synth");
        // A kick the model is sure of stays a kick.
        let kick: Vec<f32> = favouring("kick", 0.95).iter().map(|x| x.ln()).collect();
        let p = shifted(&kick, &d);
        assert_eq!(CATEGORIES[best(&p).unwrap().0], "kick");
        assert!(fit_shift(&[]).iter().all(|v| *v == 0.0));
    }

    #[test]
    fn a_correction_relearns_its_pack_and_only_its_pack() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let root = dir.path().join("samples");
        lib.remember_root(&root).unwrap();
        let mut n = 0u8;
        let mut add = |pack: &str, dist: Vec<f32>| {
            n += 1;
            let mut rec = SampleRecord {
                hash: crate::ContentHash([n; 32]),
                path: root.join(pack).join(format!("s{n}.wav")),
                ..SampleRecord::default()
            };
            rec.analysis.category = Some(CATEGORIES[best(&dist).unwrap().0].to_string());
            rec.analysis.category_probabilities = dist;
            lib.put_analysed(&rec).unwrap();
            rec.hash
        };
        let synthish = || {
            let mut v = favouring("keys", 0.5);
            v[at("synth")] = 0.3;
            v
        };
        let fm: Vec<_> = (0..4).map(|_| add("FM", synthish())).collect();
        let other = add("Piano", synthish());
        assert!(
            !any_category_corrections(&lib),
            "a scan skips the relearning"
        );
        let set = |h: &crate::ContentHash, c: Option<&str>| {
            let corrections = crate::Corrections {
                category: c.map(str::to_string),
                ..crate::Corrections::default()
            };
            lib.set_corrections(h, corrections).unwrap();
        };
        for h in &fm[..2] {
            set(h, Some("synth"));
        }
        assert!(any_category_corrections(&lib));
        assert_eq!(relearn_pack(&lib, &root.join("FM")).unwrap(), 2);
        for h in &fm[2..] {
            let rec = lib.sample(h).unwrap().unwrap();
            assert_eq!(rec.category(), Some("synth"), "{:?}", rec.learned);
            assert_eq!(rec.learned.as_ref().unwrap().from_corrections, 2);
        }
        // Another pack keeps the model's call.
        assert_eq!(
            lib.sample(&other).unwrap().unwrap().category(),
            Some("keys")
        );
        // Nothing changed: nothing is rewritten. Corrections gone: the learning goes too.
        assert_eq!(relearn_pack(&lib, &root.join("FM")).unwrap(), 0);
        for h in &fm[..2] {
            set(h, None);
        }
        assert!(
            !any_category_corrections(&lib),
            "the latest corrections count"
        );
        assert_eq!(relearn_under(&lib, &root).unwrap(), 2);
        assert_eq!(
            lib.sample(&fm[3]).unwrap().unwrap().category(),
            Some("keys")
        );
    }
}
