//! Every supported format decodes, by content; unsupported codecs say so.

use samplemind::analysis::{analyse_file, AnalysisOptions};
use samplemind::audio::{decode_mono, DecodeError};

use crate::util::*;

/// A 1.0 s 440 Hz stereo source at 44.1 kHz, -6 dBFS.
fn source(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("src.wav");
    let s = sine(440.0, 0.5, 44_100, 1.0);
    write_wav(&p, &[s.clone(), s], 44_100, 16);
    p
}

#[test]
fn wav_bit_depths_decode_with_their_depth_and_level() {
    let dir = tempfile::tempdir().unwrap();
    for bits in [16u16, 24, 32] {
        let p = dir.path().join(format!("s{bits}.wav"));
        write_wav(&p, &[sine(440.0, 0.5, 48_000, 1.0)], 48_000, bits);
        let a = analyse_file(&p, &AnalysisOptions::default())
            .unwrap()
            .analysis;
        assert_eq!(a.bit_depth, Some(bits as u32), "{bits}");
        assert_eq!(a.sample_rate, 48_000);
        assert!((a.duration_s - 1.0).abs() < 1e-6);
        assert!(
            (a.peak_db.unwrap() + 6.02).abs() < 0.05,
            "{bits}: {:?}",
            a.peak_db
        );
    }
}

/// Encoded with ffmpeg: (file name, ffmpeg codec arguments, duration tolerance in seconds).
/// Lossy codecs keep their encoder delay/padding out of the duration: symphonia trims it
/// from the container's gapless info (LAME header, MP4 edit list, Ogg granules).
const ENCODED: &[(&str, &[&str], f64)] = &[
    ("s.flac", &["-c:a", "flac"], 1e-6),
    ("s.aiff", &["-c:a", "pcm_s16be"], 1e-6),
    ("s_adpcm_ms.wav", &["-c:a", "adpcm_ms"], 0.03),
    ("s_adpcm_ima.wav", &["-c:a", "adpcm_ima_wav"], 0.03),
    ("s_float.wav", &["-c:a", "pcm_f32le"], 1e-6),
    ("s.mp3", &["-c:a", "libmp3lame", "-b:a", "192k"], 0.002),
    ("s.ogg", &["-c:a", "libvorbis"], 0.002),
    ("s_aac.m4a", &["-c:a", "aac", "-b:a", "160k"], 0.03),
    ("s_alac.m4a", &["-c:a", "alac"], 1e-6),
    ("s.caf", &["-c:a", "pcm_s16le", "-f", "caf"], 1e-6),
];

#[test]
fn every_format_decodes_to_the_right_length_and_pitch_energy() {
    if !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let mut problems = Vec::new();
    for (name, args, tol) in ENCODED {
        let p = dir.path().join(name);
        ffmpeg(&src, &p, args);
        match analyse_file(&p, &AnalysisOptions::default()).map(|d| d.analysis) {
            Ok(a) => {
                eprintln!(
                    "{name}: {} {:.4} s peak {:?}",
                    a.codec, a.duration_s, a.peak_db
                );
                if (a.duration_s - 1.0).abs() > *tol {
                    problems.push(format!("{name}: duration {:.4} s", a.duration_s));
                }
                // A 440 Hz sine keeps its centroid near 440 Hz through any codec.
                let c = a.spectral_centroid_hz.unwrap_or(0.0);
                if (c - 440.0).abs() > 40.0 {
                    problems.push(format!("{name}: centroid {c}"));
                }
                if a.channels != 2 {
                    problems.push(format!("{name}: {} channels", a.channels));
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn content_is_probed_not_the_extension() {
    if !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let aiff = dir.path().join("real.aiff");
    ffmpeg(&src, &aiff, &["-c:a", "pcm_s16be"]);
    let fake = dir.path().join("really_aiff.wav");
    std::fs::copy(&aiff, &fake).unwrap();
    let flac = dir.path().join("real.flac");
    ffmpeg(&src, &flac, &["-c:a", "flac"]);
    let fake_mp3 = dir.path().join("really_flac.mp3");
    std::fs::copy(&flac, &fake_mp3).unwrap();
    for p in [fake, fake_mp3] {
        let (info, mono) = decode_mono(&p, None).unwrap();
        assert_eq!(mono.len(), 44_100, "{}", p.display());
        assert_eq!(info.channels, 2);
    }
}

#[test]
fn opus_is_an_unsupported_codec() {
    if !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let p = dir.path().join("s.opus");
    ffmpeg(&src, &p, &["-c:a", "libopus"]);
    let err = decode_mono(&p, None).unwrap_err();
    assert!(matches!(err, DecodeError::UnsupportedCodec { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("s.opus") && msg.contains("unsupported codec") && msg.contains("opus"),
        "{msg}"
    );
}

#[test]
fn vorbis_in_riff_wave_is_an_unsupported_codec() {
    // The layout real sample packs use: RIFF WAVE, fmt tag 0x674F ("Og" Vorbis mode 1).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pack_kick.wav");
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&0x674Fu16.to_le_bytes()); // format tag
    fmt.extend_from_slice(&2u16.to_le_bytes()); // channels
    fmt.extend_from_slice(&44_100u32.to_le_bytes());
    fmt.extend_from_slice(&16_000u32.to_le_bytes()); // bytes/s
    fmt.extend_from_slice(&1u16.to_le_bytes()); // block align
    fmt.extend_from_slice(&16u16.to_le_bytes()); // bits
    fmt.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    let data = vec![0x4Fu8; 2000];
    let mut riff = Vec::new();
    riff.extend_from_slice(b"WAVE");
    riff.extend_from_slice(b"fmt ");
    riff.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    riff.extend_from_slice(&fmt);
    riff.extend_from_slice(b"data");
    riff.extend_from_slice(&(data.len() as u32).to_le_bytes());
    riff.extend_from_slice(&data);
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(riff.len() as u32).to_le_bytes());
    file.extend_from_slice(&riff);
    std::fs::write(&p, file).unwrap();
    let err = decode_mono(&p, None).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DecodeError::UnsupportedCodec { .. }), "{msg}");
    assert!(
        msg.contains("pack_kick.wav") && msg.contains("vorbis") && msg.contains("0x674f"),
        "{msg}"
    );
}

#[test]
fn long_files_are_capped_for_analysis_but_measured_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.wav");
    write_mono(&p, &sine(100.0, 0.25, 8_000, 200.0), 8_000);
    let a = analyse_file(&p, &AnalysisOptions::default())
        .unwrap()
        .analysis;
    assert!((a.duration_s - 200.0).abs() < 1e-6);
    assert!(
        (a.analysed_seconds - 120.0).abs() < 0.01,
        "{}",
        a.analysed_seconds
    );
}
