//! The DSP analysis of one file (no models): tempo, key, root, loudness, loop, category.
//! `cargo bench -p samplemind-analysis` prints the figures; `samplemind bench --peers`
//! compares whole runs with Essentia and librosa.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use samplemind_analysis::{analyse_file, AnalysisOptions};

fn analyse(c: &mut Criterion) {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo");
    let opts = AnalysisOptions::default();
    let mut g = c.benchmark_group("analyse_file");
    g.sample_size(20);
    // A one-shot, a tonal one-shot, and two loops (the tempo and key paths).
    for name in [
        "kick_punchy.wav",
        "bass_A1.flac",
        "drum_loop_120bpm.flac",
        "keys_loop_Am_100bpm.ogg",
    ] {
        let path = demo.join(name);
        g.bench_function(name, |b| b.iter(|| analyse_file(&path, &opts).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, analyse);
criterion_main!(benches);
