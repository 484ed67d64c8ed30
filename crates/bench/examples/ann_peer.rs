//! The similar-sound peer: an HNSW graph (`hnsw_rs`) over the same generated library as
//! `samplemind bench --similar-size N`, beside our lists, in the same run. Both hand their
//! candidates to the same exact score (the full scan's), so recall@10 compares what each
//! index finds, and the time is each index's plus the score of its candidates.
//!
//! `cargo run --release -p samplemind-bench --features ann-peer --example ann_peer -- 100000`

use std::time::Instant;

use hnsw_rs::anndists::dist::DistDot;
use hnsw_rs::hnsw::Hnsw;
use samplemind_bench::Spread;
use samplemind_library::search::similar::{clustered_library, Aspect, Probe, SimilarIndex};

/// The graph's candidates for the exact score, and its search breadth.
const CANDIDATES: usize = 200;
const EF_SEARCH: usize = 400;

/// A sound's embeddings side by side, unit length: what the graph links.
fn joined(p: &Probe) -> Vec<f32> {
    let mut v: Vec<f32> = p
        .vectors
        .aisfx
        .iter()
        .chain(&p.vectors.musicnn)
        .copied()
        .collect();
    let len = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= len);
    v
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let (items, probes) = clustered_library(n, 40);
    let vectors: Vec<Vec<f32>> = items
        .iter()
        .map(|(_, _, a, v)| {
            joined(&Probe {
                analysis: a.clone(),
                vectors: v.clone(),
            })
        })
        .collect();
    let plain = SimilarIndex::from_items(items.clone());
    let t = Instant::now();
    let lists = SimilarIndex::from_items(items).with_default_lists();
    let lists_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let graph = Hnsw::<f32, DistDot>::new(16, n, 16, 200, DistDot {});
    let with_ids: Vec<(&Vec<f32>, usize)> = vectors.iter().zip(0..).collect();
    graph.parallel_insert(&with_ids);
    let graph_s = t.elapsed().as_secs_f64();
    println!("{n} sounds: lists built in {lists_s:.1} s, the HNSW graph (M 16, ef 200) in {graph_s:.1} s");
    for aspect in [Aspect::Timbre, Aspect::Rhythm, Aspect::Overall] {
        let (mut ours, mut peer) = (Vec::new(), Vec::new());
        let (mut wanted, mut ours_found, mut peer_found) = (0, 0, 0);
        for p in &probes {
            let exact = plain.query_exact(p, aspect, 10, None);
            let t = Instant::now();
            let by_lists = lists.query(p, aspect, 10, None);
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let rows: Vec<u32> = graph
                .search(&joined(p), CANDIDATES, EF_SEARCH)
                .iter()
                .map(|nb| nb.d_id as u32)
                .collect();
            let by_graph = plain.query_rows(p, aspect, 10, None, &rows);
            peer.push(t.elapsed().as_secs_f64() * 1000.0);
            let hit = |got: &[_]| {
                got.iter()
                    .filter(|nb: &&samplemind_library::search::similar::Neighbour| {
                        exact.iter().any(|e| e.hash == nb.hash)
                    })
                    .count()
            };
            wanted += exact.len();
            ours_found += hit(&by_lists);
            peer_found += hit(&by_graph);
        }
        let (ours, peer) = (Spread::of(ours), Spread::of(peer));
        println!(
            "{aspect:?}: lists recall@10 {:.3}, p50 {:.2} ms, p95 {:.2} ms | HNSW recall@10 {:.3}, p50 {:.2} ms, p95 {:.2} ms",
            ours_found as f64 / wanted as f64,
            ours.median_ms,
            ours.p95_ms,
            peer_found as f64 / wanted as f64,
            peer.median_ms,
            peer.p95_ms
        );
    }
}
