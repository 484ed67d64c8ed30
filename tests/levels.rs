//! Generated signals with known answers: peak, RMS, loudness, silence, stereo, onsets.

use samplemind::analysis::{analyse_file, AnalysisOptions, LoudnessMethod};

use crate::util::*;

fn analyse(p: &std::path::Path) -> samplemind::Analysis {
    analyse_file(p, &AnalysisOptions::default())
        .unwrap()
        .analysis
}

#[test]
fn sine_at_minus_6_dbfs_has_known_peak_rms_and_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sine.wav");
    // 997 Hz avoids sharing a period with the sample rate; 24-bit keeps quantisation away.
    write_wav(&p, &[sine(997.0, 0.5, 48_000, 5.0)], 48_000, 24);
    let a = analyse(&p);
    assert!(
        (a.peak_db.unwrap() + 6.02).abs() < 0.02,
        "peak {:?}",
        a.peak_db
    );
    assert!(
        (a.rms_db.unwrap() + 9.03).abs() < 0.02,
        "rms {:?}",
        a.rms_db
    );
    // BS.1770 on one channel: -6.02 dBFS peak sine reads -9.03 + K-weighting at 1 kHz
    // (+0.69 dB) - 0.691 = -9.03 LUFS.
    assert_eq!(a.loudness_method, LoudnessMethod::Integrated);
    assert!((a.lufs.unwrap() + 9.03).abs() < 0.1, "lufs {:?}", a.lufs);
    assert!(!a.is_loop);
    assert_eq!(a.onset_count, 1);
}

#[test]
fn stereo_sine_at_minus_23_reads_minus_23_lufs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ebu.wav");
    let s = sine(1000.0, 10f64.powf(-23.0 / 20.0), 48_000, 10.0);
    write_wav(&p, &[s.clone(), s], 48_000, 24);
    let a = analyse(&p);
    assert_eq!(a.channels, 2);
    assert!((a.lufs.unwrap() + 23.0).abs() < 0.1, "{:?}", a.lufs);
}

#[test]
fn stereo_peak_is_the_loudest_channel() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lr.wav");
    write_wav(
        &p,
        &[
            sine(440.0, 0.25, 44_100, 1.0),
            sine(440.0, 0.9, 44_100, 1.0),
        ],
        44_100,
        32,
    );
    let a = analyse(&p);
    assert!(
        (a.peak_db.unwrap() - 20.0 * 0.9f32.log10()).abs() < 0.02,
        "{:?}",
        a.peak_db
    );
}

#[test]
fn digital_silence_has_no_levels() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("silence.wav");
    write_mono(&p, &vec![0.0; 44_100], 44_100);
    let a = analyse(&p);
    assert_eq!((a.peak_db, a.rms_db, a.lufs), (None, None, None));
    assert_eq!(a.loudness_method, LoudnessMethod::Silent);
    assert_eq!(a.onset_count, 0);
    assert_eq!(a.spectral_centroid_hz, None);
    assert!((a.duration_s - 1.0).abs() < 1e-9);
}

#[test]
fn short_one_shot_gets_the_documented_short_sound_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blip.wav");
    write_mono(&p, &sine(1000.0, 0.5, 48_000, 0.25), 48_000);
    let a = analyse(&p);
    assert_eq!(a.loudness_method, LoudnessMethod::ShortSound);
    // Same steady level as the 5 s sine above, within the K-filter's settling.
    assert!((a.lufs.unwrap() + 9.03).abs() < 0.5, "{:?}", a.lufs);
}

#[test]
fn click_train_has_one_onset_per_click_and_its_tempo() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("clicks.wav");
    let rate = 44_100;
    let mut x = vec![0.0f32; rate * 4];
    for beat in 0..8 {
        let s = beat * rate / 2;
        for i in 0..400 {
            x[s + i] = 0.8 * (-(i as f32) / 60.0).exp() * if i % 2 == 0 { 1.0 } else { -1.0 };
        }
    }
    write_mono(&p, &x, rate as u32);
    let a = analyse(&p);
    assert_eq!(a.onset_count, 8);
    // Rhythmic, so it gets a tempo whether or not it is called a loop.
    let bpm = a.bpm.expect("a click train has a tempo");
    assert!((bpm - 120.0).abs() < 1.0, "{bpm}");
    assert!(a.attack_ms.unwrap() < 5.0, "{:?}", a.attack_ms);
}

#[test]
fn loudness_agrees_with_ffmpeg_ebur128_on_music_like_audio() {
    // ffmpeg's ebur128 filter agrees with libebur128 within 0.1 LU on the whole DEV corpus
    // (../shared/eval/peers-dev.md); it prints one decimal, hence 0.1 + 0.05 rounding.
    if !have("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, (rate, secs)) in [(44_100u32, 4.0), (48_000, 6.5), (22_050, 3.0)]
        .iter()
        .enumerate()
    {
        let p = dir.path().join(format!("m{i}.wav"));
        let l = music_like(*rate, *secs, 7 + i as u64);
        let r: Vec<f32> = l.iter().map(|v| v * 0.6).collect();
        write_wav(&p, &[l, r], *rate, 24);
        let ours = analyse(&p).lufs.unwrap();
        let out = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-nostats", "-i"])
            .arg(&p)
            .args(["-af", "ebur128", "-f", "null", "-"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        let summary = text.rsplit("Summary:").next().unwrap();
        let theirs: f32 = summary
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("I:")
                    .map(|v| v.trim().trim_end_matches("LUFS").trim().parse().unwrap())
            })
            .unwrap();
        assert!(
            (ours - theirs).abs() <= 0.15,
            "{}: ours {ours} ffmpeg {theirs}",
            p.display()
        );
    }
}
