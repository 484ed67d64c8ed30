//! Time each analysis stage separately over a folder, one core, to see where analysis
//! spends its time: `cargo run --release --example stages -- DIR`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use samplemind::analysis::loudness::LoudnessMeter;
use samplemind::analysis::{key, onsets, pitch, spectral, tempo};
use samplemind::audio::{decode_mono, resample_mono};
use samplemind_bench::audio_files;

fn main() {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .expect("usage: stages DIR");
    let mut t = [Duration::ZERO; 8];
    let names = [
        "decode+downmix",
        "loudness (mono)",
        "resample",
        "spectral",
        "onsets",
        "tempo",
        "key chroma",
        "pitch",
    ];
    for f in audio_files(&dir) {
        let s = Instant::now();
        let Ok((info, mono)) = decode_mono(&f, Some(120.0)) else {
            continue;
        };
        t[0] += s.elapsed();
        let s = Instant::now();
        let mut m = LoudnessMeter::new(1, info.sample_rate);
        m.add(std::slice::from_ref(&mono), mono.len());
        let _ = m.finish();
        t[1] += s.elapsed();
        let s = Instant::now();
        let x = resample_mono(&mono, info.sample_rate, 22_050).unwrap_or_default();
        t[2] += s.elapsed();
        let s = Instant::now();
        let sp = spectral::analyse(&x, 22_050);
        t[3] += s.elapsed();
        let s = Instant::now();
        let _ = onsets::detect(&x, 22_050, &sp);
        t[4] += s.elapsed();
        let s = Instant::now();
        let _ = tempo::estimate(&sp.flux, 1.0 / sp.hop_seconds, None);
        t[5] += s.elapsed();
        let s = Instant::now();
        let _ = key::chroma(&x, 22_050, 2.0);
        t[6] += s.elapsed();
        let s = Instant::now();
        let _ = pitch::estimate(&x, 22_050);
        t[7] += s.elapsed();
    }
    for (n, d) in names.iter().zip(t) {
        println!("{n:<18} {:>8.0} ms", d.as_secs_f64() * 1e3);
    }
}
