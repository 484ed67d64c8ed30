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
    let (entries, _) = lib.entries();
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
