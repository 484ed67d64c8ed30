//! A generated library of plausible records, for benchmarks and the tests that need many
//! rows (feature `synthetic`: it is no part of the library's everyday API). The records vary
//! the way a real collection does (categories, loops and one-shots, tempos, keys, lengths,
//! loudness, model tags, a few producer's marks), so every filter and sort has work to do.

use std::path::{Path, PathBuf};

use crate::curation::{Colour, Curation};
use crate::error::Result;
use crate::{ContentHash, Library, PathEntry, PathStatus, SampleRecord};

const CATEGORIES: [&str; 8] = ["kick", "snare", "hat", "bass", "pad", "keys", "drums", "fx"];

/// Write `n` plausible records into a library in `dir`.
///
/// # Errors
/// Store failures.
pub fn synthetic_library(dir: &Path, n: usize) -> Result<Library> {
    let lib = Library::open(dir)?;
    for i in 0..n {
        let cat = CATEGORIES[i % CATEGORIES.len()];
        let mut rec = SampleRecord {
            hash: ContentHash(*blake3::hash(&(i as u64).to_le_bytes()).as_bytes()),
            path: PathBuf::from(format!("/samples/pack_{}/{cat}_{i:06}.wav", i / 500)),
            size: 100_000,
            ..SampleRecord::default()
        };
        let a = &mut rec.analysis;
        a.duration_s = 0.3 + (i % 16) as f64;
        a.sample_rate = 44_100;
        a.channels = 2;
        a.lufs = Some(-8.0 - (i % 20) as f32);
        a.category = Some(cat.to_string());
        a.is_loop = cat == "drums" || i % 5 == 0;
        a.bpm = a.is_loop.then_some(80.0 + (i % 90) as f32);
        a.key = (i % 3 == 0).then(|| "A minor".to_string());
        let tag = |t: &str| samplemind_ml::ScoredTag {
            tag: t.into(),
            score: 0.6,
        };
        a.model_tags = if i % 3 == 0 {
            vec![tag("punchy"), tag("dark")]
        } else {
            vec![tag("bright")]
        };
        lib.put_sample(&rec)?;
        // A few in a hundred marked, as a producer's library is: straight into the store
        // (a journal line synced per sample would make a large library take minutes).
        if i % 25 == 0 {
            let marks = Curation {
                favourite: i % 50 == 0,
                rating: (i / 25 % 6) as u8,
                colour: (i % 75 == 0).then_some(Colour::Red),
                tags: vec![format!("track {}", i % 10)],
                region: None,
            };
            lib.restore_curation(&rec.hash, &marks)?;
        }
        lib.put_path(
            &rec.path,
            &PathEntry {
                hash: rec.hash,
                size: rec.size,
                mtime_ns: 0,
                status: PathStatus::Analysed,
            },
        )?;
    }
    lib.flush()?;
    Ok(lib)
}
