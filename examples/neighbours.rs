//! How often a one-shot's nearest neighbours share its category, per aspect: the issue's
//! "5 nearest neighbours" target, measured on a labelled corpus scanned into a library.
//!
//! `cargo run --release --example neighbours -- LIBRARY_DIR CORPUS_DIR [K]`
//! (CORPUS_DIR holds labels.csv, as the shared eval kit builds it).

use std::collections::HashMap;
use std::path::Path;

use samplemind::search::similar::{Aspect, Probe, SimilarIndex};
use samplemind::Library;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (lib_dir, corpus) = (Path::new(&args[1]), Path::new(&args[2]));
    let k: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let lib = Library::open(lib_dir).expect("library");
    let labels = std::fs::read_to_string(corpus.join("labels.csv")).expect("labels.csv");
    let mut truth: HashMap<String, (String, bool)> = HashMap::new();
    for line in labels.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        truth.insert(f[0].to_string(), (f[1].to_string(), f[5] == "1"));
    }
    let label_of = |p: &Path| {
        let s = p.to_string_lossy();
        truth
            .iter()
            .find(|(rel, _)| s.ends_with(rel.as_str()))
            .map(|(_, v)| v.clone())
    };
    let (index, _) = SimilarIndex::build(&lib);
    raw_embeddings(&lib, &label_of, k);
    let (entries, _) = lib.entries();
    println!(
        "(timbre and overall compare the category distributions: on the corpus the shipped \
         classifiers were trained on (DEV) they are training-set figures; \
         tools/train_classifier.py --models prints the out-of-fold ones)"
    );
    for aspect in [
        Aspect::Timbre,
        Aspect::Overall,
        Aspect::Rhythm,
        Aspect::Pitch,
    ] {
        let (mut agree, mut total, mut queries) = (0usize, 0usize, 0usize);
        for e in &entries {
            let Some(s) = &e.sample else { continue };
            let Some((cat, is_loop)) = label_of(&e.path) else {
                continue;
            };
            if is_loop {
                continue;
            }
            let probe = Probe {
                analysis: s.analysis.clone(),
                vectors: lib.vectors(&s.hash).ok().flatten().unwrap_or_default(),
            };
            queries += 1;
            for n in index.query(&probe, aspect, k, Some(s.hash)) {
                total += 1;
                if label_of(&n.path).is_some_and(|(c, _)| c == cat) {
                    agree += 1;
                }
            }
        }
        println!(
            "{aspect:?}: {queries} one-shots, {:.1} % of their {k} nearest share the category",
            100.0 * agree as f64 / total.max(1) as f64
        );
    }
}

/// Upper bounds: each embedding alone, one-shots against one-shots only.
fn raw_embeddings(lib: &Library, label_of: &dyn Fn(&Path) -> Option<(String, bool)>, k: usize) {
    let (entries, _) = lib.entries();
    let mut items = Vec::new();
    for e in &entries {
        let Some(s) = &e.sample else { continue };
        let Some((cat, false)) = label_of(&e.path) else {
            continue;
        };
        let v = lib.vectors(&s.hash).ok().flatten().unwrap_or_default();
        items.push((cat, v, s.analysis.timbre.clone()));
    }
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    for name in ["aisfx", "musicnn", "timbre"] {
        let (mut agree, mut total) = (0, 0);
        let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for (i, (cat, v, t)) in items.iter().enumerate() {
            let q: &[f32] = match name {
                "aisfx" => &v.aisfx,
                "musicnn" => &v.musicnn,
                _ => t,
            };
            if q.is_empty() {
                continue;
            }
            let mut scored: Vec<(f32, &String)> = items
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .filter_map(|(_, (c, w, tt))| {
                    let r: &[f32] = match name {
                        "aisfx" => &w.aisfx,
                        "musicnn" => &w.musicnn,
                        _ => tt,
                    };
                    if r.is_empty() {
                        return None;
                    }
                    let s = if name == "timbre" {
                        -q.iter().zip(r).map(|(x, y)| (x - y).powi(2)).sum::<f32>()
                    } else {
                        dot(q, r)
                    };
                    Some((s, c))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (_, c) in scored.iter().take(k) {
                total += 1;
                let e = per.entry(cat.as_str()).or_default();
                e.1 += 1;
                if *c == cat {
                    agree += 1;
                    e.0 += 1;
                }
            }
        }
        println!(
            "raw {name}: {:.1} % of {total}",
            100.0 * agree as f64 / total.max(1) as f64
        );
        if name == "aisfx" {
            for (c, (a, t)) in &per {
                print!("{c} {:.0}%  ", 100.0 * *a as f64 / *t as f64);
            }
            println!();
        }
    }
}
