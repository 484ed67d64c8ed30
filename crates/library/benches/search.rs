//! Library queries over a generated library of 20,000 records: a filter, two words, loops
//! sorted by tempo, a page scrolled through the face's cache, and a similar-sound query.
//! `cargo bench -p samplemind-library --features synthetic` prints the figures;
//! `samplemind bench --search-size N` measures the same queries at any size against an
//! in-memory peer.

use criterion::{criterion_group, criterion_main, Criterion};
use samplemind_analysis::AnalysisOptions;
use samplemind_library::browse::Browser;
use samplemind_library::search::similar::Aspect;
use samplemind_library::search::sort::SortKey;
use samplemind_library::synthetic::synthetic_library;
use samplemind_library::view::{self, PageQuery};

const RECORDS: usize = 20_000;

fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let lib = synthetic_library(dir.path(), RECORDS).unwrap();
    let filter = PageQuery {
        category: Some("kick".into()),
        bpm_min: Some(120.0),
        bpm_max: Some(130.0),
        ..PageQuery::default()
    };
    let words = PageQuery {
        text: Some("dark kick".into()),
        ..PageQuery::default()
    };
    let sorted = PageQuery {
        is_loop: Some(true),
        sort: SortKey::Bpm,
        descending: true,
        ..PageQuery::default()
    };
    let mut g = c.benchmark_group(format!("library of {RECORDS}"));
    g.sample_size(20);
    g.bench_function("filter", |b| {
        b.iter(|| view::matches(&lib, &filter).unwrap())
    });
    g.bench_function("two words", |b| {
        b.iter(|| view::matches(&lib, &words).unwrap())
    });
    g.bench_function("loops by tempo", |b| {
        b.iter(|| view::matches(&lib, &sorted).unwrap())
    });
    let browser = Browser::default();
    let mut offset = 0;
    g.bench_function("scroll a cached page", |b| {
        b.iter(|| {
            offset = (offset + 100) % 4_000;
            browser.page(&lib, &sorted, offset, 100).unwrap()
        })
    });
    let probe = view::matches(&lib, &filter)
        .unwrap()
        .0
        .window(&lib, 0, 1)
        .unwrap()[0]
        .hash
        .to_hex();
    let hash = samplemind_library::browse::parse_id(&probe).unwrap();
    let opts = AnalysisOptions::default();
    g.bench_function("similar, exact scan", |b| {
        b.iter(|| {
            browser
                .similar(&lib, &hash, Aspect::Overall, 20, &opts)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
