//! Search figures for `samplemind bench`: filter, word and sorted queries over a generated
//! library of many records (the store's real read path: sled, decode, match, sort), and the
//! peer in the same run: a plain scan over the same records already in memory, which is what
//! any search without an index must at least pay.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::Spread;
use samplemind_engine::library::SampleRecord;
use samplemind_engine::search::{self, sort};

/// What the search bench measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchBench {
    /// Records in the generated library.
    pub records: usize,
    /// Seconds to write them.
    pub build_seconds: f64,
    /// The first search after the writes, ms: it reads and decodes every record into the
    /// in-memory catalogue that later searches reuse until the next write.
    pub first_query_ms: f64,
    /// The first search after one more sample is written (a one-file scan: its record and
    /// its path) into a library already searched, ms: the catalogue follows the two writes
    /// (issue 27), where it used to read every record again.
    pub after_one_write_ms: f64,
    /// The same, for what the faces ask after a scan: the filter's first page (200 rows),
    /// after a second one-file scan.
    pub after_one_write_page_ms: f64,
    /// `category = kick`, `bpm 120..130` (every hit's record read).
    pub filter: Spread,
    /// What the faces ask for that filter: its first page (200 rows); only the page's
    /// records are read.
    pub filter_page: Spread,
    /// Two words against names, folders and tags (every hit's record read).
    pub words: Spread,
    /// What the faces ask for words: the first page (200 rows) of the same two words' hits,
    /// by relevance; the words go through the word index and only the page's records are
    /// read.
    pub words_page: Spread,
    /// A rarer word (one pack's folder name): what the word index narrows most.
    pub rare_word_page: Spread,
    /// Every loop, sorted by tempo, descending (every hit's record read, then sorted).
    pub sorted: Spread,
    /// What the table, the CLI and the API ask: the first page (200 rows) of every loop
    /// sorted by tempo, descending; the sort runs on the catalogue and only the page's
    /// records are read.
    pub sorted_page: Spread,
    /// The peer: the same filter over the records already decoded in memory.
    pub in_memory_filter: Spread,
    /// The producer's marks: starred samples with three stars or more (issue 25).
    pub marks: Spread,
    /// Facet counts (category, key, loop / one-shot, favourite, colour) of the whole
    /// library: what the filter menus show with no filter set, the most rows to count.
    pub facets: Spread,
    /// Facet counts of the filtered search (`category = kick`, `bpm 120..130`).
    pub facets_filtered: Spread,
    /// The folder list of the folder tree.
    pub folders: Spread,
}

/// The generated library the search figures run over (the library crate's, so its own
/// criterion bench and this suite measure the same records).
pub use samplemind_library::synthetic::synthetic_library;

fn timed(runs: usize, mut f: impl FnMut() -> usize) -> Spread {
    Spread::of(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

/// Measure searches over a generated library of `n` records in `work`.
///
/// # Errors
/// Store failures.
pub fn search_bench(
    work: &Path,
    n: usize,
    runs: usize,
) -> samplemind_engine::library::error::Result<SearchBench> {
    let t = Instant::now();
    let lib = synthetic_library(&work.join("search-bench"), n)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let run = |q: &search::Query, key: Option<sort::SortKey>| -> usize {
        let (mut hits, _) = search::search(&lib, q).unwrap_or_default();
        if let Some(k) = key {
            sort::sort_hits(&mut hits, k, true);
        }
        hits.len()
    };
    let filter = search::Query {
        category: Some("kick".into()),
        bpm: Some((120.0, 130.0)),
        ..Default::default()
    };
    let words = search::Query {
        text: Some("punchy kick".into()),
        ..Default::default()
    };
    let loops = search::Query {
        is_loop: Some(true),
        ..Default::default()
    };
    let rare = search::Query {
        text: Some(format!("pack_{}", n / 1000)),
        ..Default::default()
    };
    let first_page = |q: &search::Query| -> usize {
        let (found, _) =
            search::search_sorted(&lib, q, sort::SortKey::Relevance, false).unwrap_or_default();
        let mut problems = Vec::new();
        let first = found.window(&lib, 0, 200).unwrap_or_default();
        samplemind_engine::library::view::summaries(&lib, &first, &mut problems).len()
    };
    let t = Instant::now();
    std::hint::black_box(run(&filter, None));
    let first_query_ms = t.elapsed().as_secs_f64() * 1000.0;
    let (entries, _) = lib.entries();
    let in_memory: Vec<SampleRecord> = entries.into_iter().filter_map(|e| e.sample).collect();
    // A one-file scan into the searched library: its record, then its path, then a search
    // (every hit's record read, then, after another, the first page).
    let one_more = |name: &str, query: &dyn Fn() -> usize| match in_memory.first() {
        Some(model) => {
            let mut rec = model.clone();
            rec.hash =
                samplemind_engine::library::ContentHash(*blake3::hash(name.as_bytes()).as_bytes());
            rec.path = rec.path.with_file_name(format!("{name} kick.wav"));
            lib.put_sample(&rec)?;
            lib.put_path(
                &rec.path,
                &samplemind_engine::library::PathEntry {
                    hash: rec.hash,
                    size: 1,
                    mtime_ns: 0,
                    status: samplemind_engine::library::PathStatus::Analysed,
                },
            )?;
            // A scan ends by making its writes durable (`scanner.rs`); the query comes after.
            lib.flush()?;
            let t = Instant::now();
            std::hint::black_box(query());
            Ok(t.elapsed().as_secs_f64() * 1000.0)
        }
        None => Ok::<f64, samplemind_engine::library::LibraryError>(0.0),
    };
    let after_one_write_ms = one_more("one more", &|| run(&filter, None))?;
    let after_one_write_page_ms = one_more("another", &|| first_page(&filter))?;
    Ok(SearchBench {
        records: n,
        build_seconds,
        first_query_ms,
        after_one_write_ms,
        after_one_write_page_ms,
        filter: timed(runs, || run(&filter, None)),
        words: timed(runs, || run(&words, None)),
        filter_page: timed(runs, || first_page(&filter)),
        words_page: timed(runs, || first_page(&words)),
        rare_word_page: timed(runs, || first_page(&rare)),
        sorted: timed(runs, || run(&loops, Some(sort::SortKey::Bpm))),
        sorted_page: timed(runs, || {
            let (found, _) =
                search::search_sorted(&lib, &loops, sort::SortKey::Bpm, true).unwrap_or_default();
            let mut problems = Vec::new();
            let first = found.window(&lib, 0, 200).unwrap_or_default();
            samplemind_engine::library::view::summaries(&lib, &first, &mut problems).len()
        }),
        marks: timed(runs, || {
            run(
                &search::Query {
                    favourite: true,
                    min_rating: Some(3),
                    ..Default::default()
                },
                None,
            )
        }),
        facets: timed(runs, || {
            search::facets::facets(&lib, &search::Query::default())
                .map(|(f, _)| f.total as usize)
                .unwrap_or_default()
        }),
        facets_filtered: timed(runs, || {
            search::facets::facets(&lib, &filter)
                .map(|(f, _)| f.total as usize)
                .unwrap_or_default()
        }),
        folders: timed(runs, || search::facets::folders(&lib).len()),
        in_memory_filter: timed(runs, || {
            in_memory
                .iter()
                .filter(|s| {
                    s.category() == Some("kick")
                        && s.bpm().is_some_and(|b| (120.0..=130.0).contains(&b))
                })
                .count()
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use samplemind_engine::library::Library;

    #[test]
    fn the_generated_library_answers_the_bench_queries() {
        let dir = tempfile::tempdir().unwrap();
        let b = search_bench(dir.path(), 400, 2).unwrap();
        assert_eq!(b.records, 400);
        assert_eq!(b.filter.n, 2);
        let lib = Library::open(&dir.path().join("search-bench")).unwrap();
        let (hits, _) = search::search(
            &lib,
            &search::Query {
                category: Some("kick".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(hits.len(), 50);
        assert_eq!(b.facets.n, 2);
        let (all, _) = search::facets::facets(&lib, &search::Query::default()).unwrap();
        assert_eq!(
            all.total, 402,
            "the 400 and the two written after the first search (one-file scans)"
        );
        assert_eq!(all.favourites, 8, "one in fifty is starred");
    }
}
