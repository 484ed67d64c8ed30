//! `samplemind bench --similar-size N`: "more like this" over a generated library of N sounds
//! in families, the lists of neighbours (an inverted-file index) against the full scan, both
//! measured in the same run: build time, query time per aspect, and recall@10 (the share of
//! the full scan's ten nearest that the lists find).

use std::time::Instant;

use serde::Serialize;

use crate::Spread;
use samplemind_library::search::similar::{clustered_library, Aspect, Probe, SimilarIndex};
use samplemind_library::{ContentHash, Library};

/// One aspect's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AspectFigures {
    /// The aspect.
    pub aspect: String,
    /// The full scan, ms.
    pub exact: Spread,
    /// The lists, ms.
    pub lists: Spread,
    /// Share of the full scan's ten nearest the lists found, over every probe.
    pub recall_at_10: f64,
}

/// What `bench --similar-size` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SimilarBench {
    /// Sounds in the generated library.
    pub size: usize,
    /// Making the index (the vectors laid out, then cut into lists), seconds.
    pub build_seconds: f64,
    /// Of which cutting into lists, seconds.
    pub lists_seconds: f64,
    /// How many lists.
    pub lists: usize,
    /// Bytes the lists add per sound (a row number each, and the centres).
    pub list_bytes_per_sound: f64,
    /// Sounds with an aisfx embedding (every generated one).
    pub with_embeddings: usize,
    /// Per aspect (pitch is always a full scan of a few numbers a sound, so not here).
    pub aspects: Vec<AspectFigures>,
}

/// Measure similar-sound queries over `n` generated sounds, `probes` queries per aspect.
pub fn similar_bench(n: usize, probes: usize) -> SimilarBench {
    let (items, probe_sounds) = clustered_library(n, probes);
    let t = Instant::now();
    let index = SimilarIndex::from_items(items);
    let build_seconds = t.elapsed().as_secs_f64();
    // Cut into lists, timed alone (as the app's index is from LISTS_FROM sounds on; the
    // bench asks for them at any size).
    let t = Instant::now();
    let index = index.with_default_lists();
    let lists_seconds = t.elapsed().as_secs_f64();
    let probes: Vec<(Option<ContentHash>, Probe)> =
        probe_sounds.into_iter().map(|p| (None, p)).collect();
    let mut out = measure(
        index,
        n,
        build_seconds + lists_seconds,
        lists_seconds,
        &probes,
    );
    out.with_embeddings = n;
    out
}

/// The same over a scanned library (real embeddings), every stored sound a query with
/// itself left out. A library is small beside a million, so its lists are cut to the same
/// shape at a smaller scale: about a hundred lists, a query opening a quarter of the sounds
/// (where lists chosen at random would find a quarter of the neighbours).
///
pub fn similar_on_library(lib: &Library) -> SimilarBench {
    let t = Instant::now();
    let (index, _problems) = SimilarIndex::build(lib);
    let build_seconds = t.elapsed().as_secs_f64();
    let n = index.len();
    let t = Instant::now();
    let index = index.with_lists((n / 100).max(2), (n / 4).max(1));
    let lists_seconds = t.elapsed().as_secs_f64();
    let mut seen = std::collections::HashSet::new();
    let mut probes = Vec::new();
    // Records that do not read are left out, as the index leaves them out.
    let _problems = lib.for_each_entry(|e| {
        if let Some(s) = e.sample {
            if seen.insert(s.hash) {
                let vectors = lib.vectors(&s.hash).ok().flatten().unwrap_or_default();
                probes.push((
                    s.hash,
                    Probe {
                        analysis: s.analysis,
                        vectors,
                    },
                ));
            }
        }
    });
    let probes: Vec<(Option<ContentHash>, Probe)> =
        probes.into_iter().map(|(h, p)| (Some(h), p)).collect();
    let mut out = measure(
        index,
        n,
        build_seconds + lists_seconds,
        lists_seconds,
        &probes,
    );
    out.with_embeddings = probes
        .iter()
        .filter(|(_, p)| !p.vectors.aisfx.is_empty())
        .count();
    out
}

fn measure(
    index: SimilarIndex,
    n: usize,
    build_seconds: f64,
    lists_seconds: f64,
    probes: &[(Option<ContentHash>, Probe)],
) -> SimilarBench {
    let mut out = SimilarBench {
        size: n,
        build_seconds,
        lists_seconds,
        lists: index.lists(),
        list_bytes_per_sound: index.list_bytes() as f64 / n.max(1) as f64,
        with_embeddings: 0,
        aspects: Vec::new(),
    };
    for aspect in [Aspect::Timbre, Aspect::Rhythm, Aspect::Overall] {
        let (mut exact_ms, mut lists_ms) = (Vec::new(), Vec::new());
        let (mut wanted, mut found) = (0usize, 0usize);
        // A stored sound is not its own neighbour.
        for (own, p) in probes {
            let t = Instant::now();
            let exact = index.query_exact(p, aspect, 10, *own);
            exact_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let fast = index.query(p, aspect, 10, *own);
            lists_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            wanted += exact.len();
            found += fast
                .iter()
                .filter(|nb| exact.iter().any(|e| e.hash == nb.hash))
                .count();
        }
        out.aspects.push(AspectFigures {
            aspect: format!("{aspect:?}").to_lowercase(),
            exact: Spread::of(exact_ms),
            lists: Spread::of(lists_ms),
            recall_at_10: found as f64 / wanted.max(1) as f64,
        });
    }
    out
}
