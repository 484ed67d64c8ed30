//! Diagnostic: pulse scores at a labelled tempo, its half and its double, for every file of
//! a labels.csv (the eval kit's format): `cargo run --release --example tempo_octaves -- CORPUS`.

use std::path::PathBuf;

use samplemind::analysis::{spectral, tempo};
use samplemind::audio::{decode_mono, resample_mono};

fn main() {
    let corpus = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: tempo_octaves CORPUS"),
    );
    let labels = std::fs::read_to_string(corpus.join("labels.csv")).expect("labels.csv");
    let mut lines = labels.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).expect("column");
    let (ip, ib, is) = (col("path"), col("bpm"), col("subset"));
    println!("subset,bpm,s_half,s_label,s_double,r_half,r_label,r_double,centroid");
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let Ok(bpm) = f[ib].parse::<f32>() else {
            continue;
        };
        let Ok((info, mono)) = decode_mono(&corpus.join(f[ip]), Some(120.0)) else {
            continue;
        };
        let x = resample_mono(&mono, info.sample_rate, 22_050).unwrap_or_default();
        let sp = spectral::analyse(&x, 22_050);
        let fps = 1.0 / sp.hop_seconds;
        let s = |b: f32| tempo::pulse_score(&sp.flux, fps, b);
        let r = |b: f32| tempo::periodicity(&sp.flux, fps, b);
        println!(
            "{},{bpm},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.0}",
            f[is],
            s(bpm / 2.0),
            s(bpm),
            s(bpm * 2.0),
            r(bpm / 2.0),
            r(bpm),
            r(bpm * 2.0),
            sp.centroid_hz.unwrap_or(0.0)
        );
    }
}
