//! Decode and resample: the first cost of every file a scan meets. `cargo bench -p
//! samplemind-audio` prints the figures; `samplemind bench` measures whole scans against
//! the peers.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use samplemind_audio::{decode_mono, resample_mono};

fn demo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/demo")
        .join(name)
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode_mono");
    // One file per container the demo holds: PCM wav, flac, ogg vorbis, aiff.
    for name in [
        "kick_punchy.wav",
        "drum_loop_120bpm.flac",
        "keys_loop_Am_100bpm.ogg",
        "snare_tight.aiff",
    ] {
        let path = demo(name);
        let (_, mono) = decode_mono(&path, None).expect("the demo decodes");
        g.throughput(Throughput::Elements(mono.len() as u64));
        g.bench_function(name, |b| b.iter(|| decode_mono(&path, None).unwrap()));
    }
    g.finish();
}

fn resample(c: &mut Criterion) {
    let (info, mono) = decode_mono(&demo("drum_loop_120bpm.flac"), None).unwrap();
    let mut g = c.benchmark_group("resample_mono");
    g.throughput(Throughput::Elements(mono.len() as u64));
    // The models' rates: 16 kHz (embeddings, tagging) and 22.05 kHz (notes).
    for to in [16_000, 22_050] {
        g.bench_function(format!("{} Hz to {to} Hz", info.sample_rate), |b| {
            b.iter(|| resample_mono(&mono, info.sample_rate, to).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, decode, resample);
criterion_main!(benches);
